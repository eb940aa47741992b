"""What a notebook shows: narrative text, tables and figures, each as a deterministic output.

Outputs carry a readable ``text/plain`` (the caption or the table as text) instead of an object
repr, so nbval compares meaningful text and no memory address or "Figure size" string ever
appears. Numbers are formatted here, never typed into a notebook.
"""
from __future__ import annotations

import base64
import io
import math
import re

import pandas as pd

from techmarket.data.i18n import CJK, check_lang, mark_terms
from techmarket.pages.untrusted import escape


class Output:
    """A display object with an explicit MIME bundle (and, for a figure, its display size)."""

    def __init__(self, bundle: dict[str, str], metadata: dict | None = None):
        self.bundle = bundle
        self.metadata = metadata or {}

    def _repr_mimebundle_(self, include=None, exclude=None):
        return (dict(self.bundle), dict(self.metadata)) if self.metadata else dict(self.bundle)

    def __repr__(self) -> str:
        return self.bundle.get("text/plain", "")


class Inline(str):
    """A value for prose: the result of an inline expression (``{eval}`ctx.quote("S2.1-01")` ``),
    a string that is its text and that also has, where it needs markup (a Chinese quotation in
    English text), an HTML form. Shown as its text, without the quotes a string's repr would add."""

    html: str | None

    def __new__(cls, text: str, html: str | None = None):
        self = super().__new__(cls, text)
        self.html = html
        return self

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/plain": str(self), **({"text/html": self.html} if self.html is not None else {})}

    def _repr_pretty_(self, printer, cycle: bool) -> None:  # IPython's text/plain: the text itself
        printer.text(str(self))


def say(lang: str, zh: str, en: str) -> Output:
    """Narrative Markdown in the chosen language."""
    if check_lang(lang) == "zh":
        return Output({"text/markdown": zh, "text/plain": zh})
    return Output({"text/markdown": mark_terms(en), "text/plain": en})  # Chinese in English: quoted terms


def fmt(x: float | None, decimals: int = 2, lang: str = "en") -> str:
    """A number for display: thousands separator in English, none in Chinese; '—' for a gap."""
    if x is None:
        return "—"
    x = float(x)
    if math.isnan(x):
        return "—"
    s = f"{x:,.{decimals}f}"
    return s.replace(",", "") if lang == "zh" else s


def table(df: pd.DataFrame, caption: str = "", index: bool = False, quoted: tuple[str, ...] = (),
          code: tuple[str, ...] = ()) -> Output:
    """A table as HTML (with caption) and as aligned text; cells are shown as given (format first).
    ``quoted``: columns that quote the paper or a Chinese source, whose Chinese cells are marked
    ``lang="zh"``; ``code``: columns of formulas, shown as code. The output's metadata lists the
    ids the table shows (:mod:`techmarket.pages.report_locations` finds where a claim is examined)."""
    text = df.to_string(index=index)
    html_table = df.to_html(index=index, escape=True, border=0, classes="tm-table", na_rep="—")
    position = {c: i + (1 if index else 0) for i, c in enumerate(df.columns)}
    if quoted:
        html_table = _mark_cells(html_table, [position[c] for c in quoted], _quote)
    if code:
        html_table = _mark_cells(html_table, [position[c] for c in code], _as_code)
    if caption:
        html_table = re.sub(r"(<table[^>]*>)", lambda m: f"{m.group(1)}\n  <caption>{escape(caption)}</caption>",
                            html_table, count=1)
        text = f"{caption}\n{text}"
    return Output({"text/html": html_table, "text/plain": text}, _ids_metadata(df))


def _ids_metadata(df: pd.DataFrame) -> dict:
    from techmarket.pages.shell import ID_RE

    ids = sorted({m for v in df.astype(str).to_numpy().ravel() for m in ID_RE.findall(v)})
    return {"techmarket": {"ids": ids}} if ids else {}


FILTER_SCRIPT = """<script>
(function () {
  var box = document.currentScript.parentElement, rows = box.querySelectorAll("tbody tr");
  var selects = box.querySelectorAll("select[data-column]");
  function apply() {
    rows.forEach(function (row) {
      var shown = Array.prototype.every.call(selects, function (s) {
        var cell = row.children[Number(s.dataset.column)];
        return !s.value || (cell && cell.textContent.trim() === s.value);
      });
      row.hidden = !shown;
    });
  }
  selects.forEach(function (s) { s.addEventListener("change", apply); });
})();
</script>"""


def filterable_table(df: pd.DataFrame, caption: str, filters: dict[str, str], everything: str,
                     quoted: tuple[str, ...] = ()) -> Output:
    """:func:`table` with a menu above it for each column in ``filters`` (column -> the menu's
    label; ``everything`` is the entry that shows every row): a reader narrows the rows by
    section, verdict … in the page itself (an inline script; nothing is fetched)."""
    base = table(df, caption, quoted=quoted).bundle
    menus = []
    for column, label in filters.items():
        position = list(df.columns).index(column)
        options = "".join(f'<option value="{escape(str(v))}">{escape(str(v))}</option>'
                          for v in sorted(df[column].astype(str).unique(), key=_natural))
        menus.append(f'<label>{escape(label)} <select data-column="{position}">'
                     f'<option value="">{escape(everything)}</option>{options}</select></label>')
    controls = f'<div class="tm-filters">{" ".join(menus)}</div>'
    return Output({"text/html": f'<div class="tm-filterable">{controls}\n{base["text/html"]}\n{FILTER_SCRIPT}</div>',
                   "text/plain": base["text/plain"]}, _ids_metadata(df))


def _natural(text: str) -> list:
    """Sort key that puts 2.10 after 2.9 and 4 after 3.6."""
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text)]


def _quote(cell: str) -> str:
    """A cell holding Chinese, marked as such."""
    return re.sub(r"^<(t[dh])", r'<\1 lang="zh"', cell, count=1) if CJK.search(cell) else cell


def _as_code(cell: str) -> str:
    """A cell's content shown as code."""
    return re.sub(r"^(<t[dh][^>]*>)(.*?)(</t[dh]>)", r"\1<code>\2</code>\3", cell, count=1, flags=re.S)


def _mark_cells(html_table: str, columns: list[int], mark) -> str:
    """Apply ``mark`` to the body cells at the given column positions."""
    def row(m: re.Match) -> str:
        cells = re.split(r"(?=<t[dh][ >])", m.group(0))
        head, cells = cells[0], cells[1:]
        for i in columns:
            if i < len(cells):
                cells[i] = mark(cells[i])
        return head + "".join(cells)
    body = re.search(r"<tbody>.*</tbody>", html_table, re.S)
    marked = re.sub(r"<tr>.*?</tr>", row, body.group(0), flags=re.S)
    return html_table[:body.start()] + marked + html_table[body.end():]


SHARPNESS = 2  # a figure is drawn at twice the density it is shown at, sharp on high-density screens


def figure(fig, caption: str, dpi: int = 110, exhibit: str = "") -> Output:
    """A matplotlib figure as an embedded PNG with ``caption`` as its text form (and its alt text
    in the reports); closes the figure. The PNG has ``SHARPNESS`` times the pixels of its display
    size (``dpi``), which its metadata states. ``exhibit`` names the paper's figure it rebuilds
    ("Figure 1"), recorded in the output's metadata for the annotated paper and the replication
    report (:mod:`techmarket.pages.report_locations`).

    PNG metadata (matplotlib's version string) is dropped so that the bytes depend only on
    the drawing.
    """
    import matplotlib.pyplot as plt
    from matplotlib.image import imread

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi * SHARPNESS, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    height, width = imread(io.BytesIO(buf.getvalue())).shape[:2]
    png = base64.b64encode(buf.getvalue()).decode("ascii")
    size = {"width": math.ceil(width / SHARPNESS), "height": math.ceil(height / SHARPNESS)}
    meta = {"image/png": size, **({"techmarket": {"exhibit": exhibit, "caption": caption}} if exhibit else {})}
    return Output({"image/png": png, "text/plain": f"[figure] {caption}"}, meta)
