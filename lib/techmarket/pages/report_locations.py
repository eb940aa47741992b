"""Where the reports examine each claim and redraw each of the paper's exhibits: read from the
outputs' metadata (``report.table`` lists the ids a table shows, ``report.figure`` names the
exhibit it rebuilds), never from their text.

The cell ids are those of the committed notebooks, which the built reports keep; nbconvert gives
each cell the anchor ``#cell-id=<id>``.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from techmarket.data.notebook_json import read_notebook

LOCATION_COLUMNS = ["ident", "notebook", "cell_id", "what"]


@dataclass(frozen=True)
class Location:
    """One output of a report: which notebook, which cell."""

    notebook: str  # file stem, e.g. 02_economic_contribution
    cell_id: str

    def program(self) -> str:
        return f"notebooks/{self.notebook}.ipynb › {self.cell_id}"

    def href(self, lang: str, prefix: str = "") -> str:
        """The output's anchor in the report of ``lang`` (``prefix``: the way to ``reports/``)."""
        return f"{prefix}{lang}/{self.notebook}.html#cell-id={self.cell_id}"


def _outputs(notebook: Path):
    """(cell id, output) of every output of a notebook, read as checked JSON (a file that is no
    notebook raises :class:`techmarket.data.notebook_json.NotebookError`, with where it breaks)."""
    for cell in read_notebook(notebook)["cells"]:
        outputs = cell.get("outputs", [])
        for out in outputs if isinstance(outputs, list) else []:
            if isinstance(out, dict):
                yield cell.get("id", ""), out


def locations(notebooks: list[Path]) -> pd.DataFrame:
    """Every id a table of these notebooks shows and every exhibit a figure rebuilds, one row per
    (id, notebook, cell), in the notebooks' order."""
    rows = []
    for path in sorted(notebooks):
        for cell_id, out in _outputs(path):
            meta = out.get("metadata", {}).get("techmarket", {})
            rows += [{"ident": i, "notebook": path.stem, "cell_id": cell_id, "what": "table"}
                     for i in meta.get("ids", [])]
            if meta.get("exhibit"):
                rows.append({"ident": meta["exhibit"], "notebook": path.stem, "cell_id": cell_id, "what": "figure"})
    return pd.DataFrame(rows, columns=LOCATION_COLUMNS)


def figures(table: pd.DataFrame) -> dict[str, Location]:
    """Where each of the paper's figures is redrawn (exhibit -> its figure's output)."""
    rows = table[table["what"] == "figure"].drop_duplicates("ident")
    return {r.ident: Location(r.notebook, r.cell_id) for r in rows.itertuples()}


def examined_at(table: pd.DataFrame, audit_notebook: str = "08_claims_audit") -> dict[str, Location]:
    """For each id, the first output that shows it, preferring a section's report to the claims
    audit's register (which lists every claim)."""
    order = table.assign(audit=table["notebook"] == audit_notebook).sort_values(["audit", "notebook"], kind="stable")
    first = order.drop_duplicates("ident")
    return {r.ident: Location(r.notebook, r.cell_id) for r in first.itertuples()}


def exhibit_image(report: Path, exhibit: str) -> tuple[str, int, str] | None:
    """The PNG (base64), display width and caption of the figure that rebuilds ``exhibit`` in a built
    report notebook, or None when the report is not there or has no such figure."""
    if not report.is_file():
        return None
    for _, out in _outputs(report):
        meta = out.get("metadata", {})
        mine = meta.get("techmarket", {})
        if mine.get("exhibit") == exhibit and "image/png" in out.get("data", {}):
            png = out["data"]["image/png"]
            png = "".join(png) if isinstance(png, list) else png
            return png.strip(), int(meta.get("image/png", {}).get("width", 0)), mine.get("caption", "")
    return None
