"""Reading a notebook for planning: the defaults of its parameters cell and the data files it
declares, from its JSON as :func:`techmarket.data.notebook_json.read_notebook` checked it; a file
that is not such a notebook raises :class:`NotebookError`, naming the file and what is wrong."""
from __future__ import annotations

import ast
from pathlib import Path

from techmarket.data.notebook_json import NotebookError, read_notebook

DEFAULT_DATA = ("data/paper/facts.csv", "data/external/official_releases.csv", "data/datapackage.json")


def _literal(node: ast.expr) -> object:
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, RecursionError):
        return ast.unparse(node)  # not a literal (e.g. a call): its source stands for the default


def notebook_parameters(nb_path: Path) -> dict[str, object]:
    """Defaults of the cell tagged ``parameters`` (simple assignments; literals are evaluated); a
    notebook without that cell, or whose cell sets no ``lang``, raises :class:`NotebookError`."""
    nb = read_notebook(nb_path)
    for i, cell in enumerate(nb["cells"], 1):
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            try:
                body = ast.parse(src).body
            except SyntaxError as err:
                raise NotebookError(nb_path, f"the parameters cell (cell {i}) is not valid Python: {err.msg} "
                                             f"at line {err.lineno}, column {err.offset} of the cell") from None
            found = {t.id: _literal(node.value) for node in body
                     if isinstance(node, ast.Assign) for t in node.targets if isinstance(t, ast.Name)}
            if "lang" not in found:
                raise NotebookError(nb_path, f"the parameters cell (cell {i}) sets no `lang` (expected a line such "
                                             'as lang = "zh"): the build could not tell the languages apart')
            return found
    raise NotebookError(nb_path, "no cell is tagged `parameters` (expected the first code cell, tagged so, "
                                 'setting lang = "zh"): without it each language\'s report would be written in '
                                 "the notebook's own language")


def data_dependencies(nb_path: Path) -> list[str]:
    """Data files the notebook loads (metadata ``techmarket.data``), relative to the project."""
    meta = read_notebook(nb_path).get("metadata", {}).get("techmarket", {})
    return list(meta.get("data", DEFAULT_DATA))


def _check_data_files(nb_path: Path, root: Path) -> None:
    """Every data file the notebook declares is a file inside the project."""
    for name in data_dependencies(nb_path):
        rel = Path(name)
        if rel.is_absolute() or ".." in rel.parts or not (root / rel).is_file():
            raise NotebookError(nb_path, f'metadata "techmarket.data" names {name}, which is not a file '
                                         "in the project")
