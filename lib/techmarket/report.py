"""What a notebook shows: narrative text, tables and figures, each as a deterministic output.

Outputs carry a readable ``text/plain`` (the caption or the table as text) instead of an object
repr, so nbval compares meaningful text and no memory address or "Figure size" string ever
appears. Numbers are formatted here, never typed into a notebook.
"""
from __future__ import annotations

import base64
import html
import io
import math
import re

import pandas as pd

from techmarket.i18n import check_lang


class Output:
    """A display object with an explicit MIME bundle."""

    def __init__(self, bundle: dict[str, str]):
        self.bundle = bundle

    def _repr_mimebundle_(self, include=None, exclude=None):
        return dict(self.bundle)

    def __repr__(self) -> str:
        return self.bundle.get("text/plain", "")


def say(lang: str, zh: str, en: str) -> Output:
    """Narrative Markdown in the chosen language."""
    text = zh if check_lang(lang) == "zh" else en
    return Output({"text/markdown": text, "text/plain": text})


def fmt(x: float | None, decimals: int = 2, lang: str = "en") -> str:
    """A number for display: thousands separator in English, none in Chinese; '—' for a gap."""
    if x is None:
        return "—"
    x = float(x)
    if math.isnan(x):
        return "—"
    s = f"{x:,.{decimals}f}"
    return s.replace(",", "") if lang == "zh" else s


def table(df: pd.DataFrame, caption: str = "", index: bool = False) -> Output:
    """A table as HTML (with caption) and as aligned text; cells are shown as given (format first)."""
    text = df.to_string(index=index)
    html_table = df.to_html(index=index, escape=True, border=0, classes="tm-table", na_rep="—")
    if caption:
        html_table = re.sub(r"(<table[^>]*>)", lambda m: f"{m.group(1)}\n  <caption>{html.escape(caption)}</caption>",
                            html_table, count=1)
        text = f"{caption}\n{text}"
    return Output({"text/html": html_table, "text/plain": text})


def figure(fig, caption: str, dpi: int = 110) -> Output:
    """A matplotlib figure as an embedded PNG with ``caption`` as its text form; closes the figure.

    PNG metadata (matplotlib's version string) is dropped so that the bytes depend only on
    the drawing.
    """
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    png = base64.b64encode(buf.getvalue()).decode("ascii")
    return Output({"image/png": png, "text/plain": f"[figure] {caption}"})
