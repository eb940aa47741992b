"""One plotting style for every figure: CJK-capable font, quiet grid, fixed colours and sizes.

Colours encode where a number comes from, the same in every figure: stated in the paper,
derived in code, or taken from an official release.
"""
from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import seaborn as sns  # noqa: E402

from techmarket.pages.fonts import register_cjk_font  # noqa: E402

ORIGIN_COLOURS = {
    "stated": "#1f4e79",    # printed in the paper
    "derived": "#9dc3e6",   # computed by code from stated and official figures
    "external": "#c55a11",  # official release
    "gap": "#bfbfbf",       # nothing supports a value
}
ACCENT = "#c00000"
SERIES_COLOURS = ["#1f4e79", "#c55a11", "#548235", "#7f6000", "#7030a0", "#2e75b6"]
DERIVED_HATCH = "///"


def use_style() -> str:
    """Apply the package style; return the font family. Missing glyphs become errors."""
    family = register_cjk_font()
    sns.set_theme(
        style="whitegrid",
        context="notebook",
        palette=SERIES_COLOURS,
        rc={
            "font.family": [family],
            "axes.unicode_minus": False,
            "figure.figsize": (7.6, 4.2),
            "axes.titleweight": "normal",
            "axes.grid.axis": "y",
            "axes.titlesize": 12,
            "axes.labelsize": 10,
            "legend.fontsize": 9,
            "legend.frameon": False,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "svg.hashsalt": "techmarket",
        },
    )
    warnings.filterwarnings("error", message=".*missing from font.*")
    return family
