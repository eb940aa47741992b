"""Figure builders shared by the notebooks. Each returns a matplotlib Figure; the notebook shows
it with ``report.figure(fig, caption)``. Colours and hatching encode where each number comes from
(``style.ORIGIN_COLOURS``): stated in the paper, derived in code, or from an official release."""
from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.patches import Patch

from techmarket.report import fmt
from techmarket.style import DERIVED_HATCH, ORIGIN_COLOURS

ORIGIN_LABELS = {
    "stated": ("论文数值", "stated in the paper"),
    "derived": ("代码推算", "derived in code"),
    "external": ("官方发布", "official release"),
    "gap": ("无数据", "no data"),
}


def origin_legend(ax, origins, lang: str, **kw) -> None:
    """A legend with one patch per origin present."""
    i = 0 if lang == "zh" else 1
    handles = [Patch(facecolor=ORIGIN_COLOURS[o], hatch=DERIVED_HATCH if o == "derived" else None,
                     edgecolor="white", label=ORIGIN_LABELS[o][i]) for o in dict.fromkeys(origins)]
    ax.legend(handles=handles, **kw)


def bars_by_origin(series: pd.DataFrame, title: str, ylabel: str, lang: str, decimals: int = 0,
                   annotate: bool = True):
    """Bars for a series with columns ``label``, ``value``, ``lo``, ``hi``, ``origin``.

    Derived bars are hatched and carry an error bar from ``lo`` to ``hi`` (every value their
    printed inputs allow, across all routes); a missing value is drawn as an empty grey frame
    with 'no data' rather than a guessed bar.
    """
    fig, ax = plt.subplots()
    x = range(len(series))
    for i, r in enumerate(series.itertuples()):
        if pd.isna(r.value):
            ax.bar(i, 0, color=ORIGIN_COLOURS["gap"])
            ax.annotate(ORIGIN_LABELS["gap"][0 if lang == "zh" else 1], (i, 0), ha="center", va="bottom",
                        fontsize=8, color="#7f7f7f", xytext=(0, 3), textcoords="offset points")
            continue
        derived = r.origin == "derived"
        ax.bar(i, r.value, color=ORIGIN_COLOURS[r.origin], hatch=DERIVED_HATCH if derived else None,
               edgecolor="white", linewidth=0.5)
        if derived and pd.notna(r.lo) and (r.hi - r.lo) > 0:
            ax.errorbar(i, r.value, yerr=[[r.value - r.lo], [r.hi - r.value]], color="#404040",
                        capsize=3, linewidth=1)
        if annotate:
            ax.annotate(fmt(r.value, decimals, lang), (i, r.hi if pd.notna(r.hi) else r.value), ha="center",
                        va="bottom", fontsize=8, xytext=(0, 2), textcoords="offset points")
    ax.set_xticks(list(x), [str(v) for v in series["label"]])
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    origin_legend(ax, series["origin"], lang, loc="upper left")
    fig.tight_layout()
    return fig


def plain_log_ticks(ax, lang: str, which: str = "both") -> None:
    """Label log-scale axes with plain numbers (3,000 rather than 3×10³)."""
    from matplotlib.ticker import FuncFormatter, LogLocator

    sep = "" if lang == "zh" else ","
    fmt = FuncFormatter(lambda v, _: f"{v:,.{0 if v >= 1 else 2}f}".replace(",", sep))
    axes = [ax.xaxis, ax.yaxis] if which == "both" else [getattr(ax, f"{which}axis")]
    for axis in axes:
        axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        axis.set_major_formatter(fmt)
        axis.set_minor_formatter(FuncFormatter(lambda v, _: ""))
