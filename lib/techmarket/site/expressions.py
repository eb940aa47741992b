"""MyST's inline expressions (``{eval}`expr` ``) evaluated while a notebook runs, as jupyterlab-myst
evaluates them in JupyterLab.

papermill and nbclient run code cells only. The client here also sends each Markdown cell that holds
expressions to the kernel, at its place in the notebook, as one ``execute_request`` with empty code
and the expressions as ``user_expressions`` (jupyterlab-myst's request), and stores the kernel's
answer in the cell's metadata as jupyterlab-myst does::

    "user_expressions": [{"expression": "LAST", "result": {"status": "ok", "data": {...}, "metadata": {}}}]

An expression that raises stops the run with :class:`ExpressionError`, which names the cell and the
expression. :func:`execute` is papermill's ``execute_notebook`` with this client; the build, ``make
notebooks`` and the tests run every notebook through it.
"""
from __future__ import annotations

import re

from nbclient.util import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger
from papermill.utils import merge_kwargs, remove_args

ENGINE = "techmarket-myst"
# {eval}`expr`: the role's content is everything up to the next backtick (MyST allows no backtick
# inside a single-backtick role, and the notebooks need none).
EVAL_ROLE = re.compile(r"\{eval\}`([^`]*)`")
METADATA_KEY = "user_expressions"  # where jupyterlab-myst stores the results


class ExpressionError(Exception):
    """An inline expression of a Markdown cell that raised (or that the kernel refused). Not an
    nbclient ``CellExecutionError``: papermill would record that and carry on to a normal end, as a
    Markdown cell has no error output for it to find."""

    def __init__(self, cell_index: int, cell_id: str, expression: str, ename: str, evalue: str):
        self.cell_index, self.cell_id, self.expression = cell_index, cell_id, expression
        self.ename, self.evalue = ename, evalue
        super().__init__(str(self))

    def __str__(self) -> str:
        return (f"Markdown cell {self.cell_index} (id {self.cell_id}): {{eval}}`{self.expression}` raised "
                f"{self.ename}: {self.evalue}")

    def __reduce__(self):  # survives pickling (a process pool)
        return type(self), (self.cell_index, self.cell_id, self.expression, self.ename, self.evalue)


def expressions_in(source: str) -> list[str]:
    """The inline expressions of a Markdown cell's source, in order, one per occurrence (as
    jupyterlab-myst sends and stores them)."""
    return [m.group(1) for m in EVAL_ROLE.finditer(source)]


class ExpressionClient(PapermillNotebookClient):
    """papermill's client, which also evaluates the inline expressions of Markdown cells."""

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if cell.cell_type != "markdown":
            return await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        cell.metadata.pop(METADATA_KEY, None)
        expressions = expressions_in(cell.source)
        if not expressions:
            return cell
        request = {str(i): e for i, e in enumerate(expressions)}
        msg_id = self.kc.execute("", silent=False, store_history=False, user_expressions=request)
        reply = await self.async_wait_for_reply(msg_id, cell)
        content = reply["content"] if reply else {}
        if content.get("status") != "ok":
            raise ExpressionError(cell_index, cell.get("id", ""), expressions[0], content.get("ename", "no reply"),
                                  content.get("evalue", "the kernel did not answer the expressions"))
        answers = content.get("user_expressions", {})
        results = [{"expression": e, "result": answers[k]} for k, e in request.items()]
        cell.metadata[METADATA_KEY] = results
        for r in results:
            if r["result"].get("status") != "ok":
                raise ExpressionError(cell_index, cell.get("id", ""), r["expression"], r["result"].get("ename", ""),
                                      r["result"].get("evalue", ""))
        return cell

    execute_cell = run_sync(async_execute_cell)  # nbclient binds its own coroutine here


class ExpressionEngine(NBClientEngine):
    """papermill's nbclient engine with :class:`ExpressionClient`."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None, stderr_file=None,
                                 start_timeout=60, execution_timeout=None, **kwargs):
        kwargs = remove_args(["input_path"], **kwargs)
        safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
        final_kwargs = merge_kwargs(safe_kwargs, timeout=execution_timeout or kwargs.get("timeout"),
                                    startup_timeout=start_timeout, kernel_name=kernel_name, log=logger,
                                    log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file)
        return ExpressionClient(nb_man, **final_kwargs).execute()


papermill_engines.register(ENGINE, ExpressionEngine)


def execute(input_path, output_path, **kwargs):
    """``papermill.execute_notebook`` with the inline expressions of Markdown cells evaluated."""
    import papermill

    return papermill.execute_notebook(str(input_path), str(output_path), engine_name=ENGINE, **kwargs)
