"""Figure builders shared by the notebooks. Each returns a matplotlib Figure; the notebook shows
it with ``report.figure(fig, caption)``. Colours and hatching encode where each number comes from
(``style.ORIGIN_COLOURS``): stated in the paper, derived in code, or from an official release.

Every builder draws at the resolution the reports use (``chart_parts.DPI``), finishes its layout,
and only then places data labels (:func:`chart_parts.place_labels`), so that what was measured is
what is shown:
labels stay inside their axes and clear of each other, of data lines, markers, bars and the
legend, and gridlines are either avoided or hidden behind the label. Legends have an opaque
frame, so a gridline never runs through their text, and carry one entry for every style of mark
drawn. ``tests/test_figures.py`` renders every figure in both languages and checks all of this.

The numbers each figure draws are gathered by :mod:`techmarket.notebook.figure_data`, so that the notebook
and the test build the figure from the same data.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from techmarket.data import i18n
from techmarket.notebook.chart_parts import (
    DARK,
    DPI,
    GREY,
    LABEL_SIZE,
    MASK,
    ORIGIN_LABELS,
    ORIGIN_ORDER,
    _tr,
    legend,
    origin_handles,
    place_labels,
    plain_log_ticks,
    plain_number,
)
from techmarket.notebook.figure_data import ContributionData
from techmarket.notebook.report import fmt
from techmarket.notebook.style import ACCENT, DERIVED_HATCH, ORIGIN_COLOURS

# --- §2.1: Figure 1 and the trend -------------------------------------------------------------


def bars_by_origin(series: pd.DataFrame, title: str, ylabel: str, lang: str, decimals: int = 0,
                   annotate: bool = True):
    """Bars for a series with columns ``label``, ``value``, ``lo``, ``hi``, ``origin``.

    Derived bars are hatched and carry an error bar from ``lo`` to ``hi`` (every value their
    printed inputs allow, across all routes), which has its own legend entry; a missing value is
    drawn as an empty grey frame with 'no data' rather than a guessed bar.
    """
    fig, ax = plt.subplots(dpi=DPI)
    ranged = None
    tops = []
    for i, r in enumerate(series.itertuples()):
        if pd.isna(r.value):
            ax.bar(i, 0, color=ORIGIN_COLOURS["gap"])
            ax.annotate(ORIGIN_LABELS["gap"][0 if lang == "zh" else 1], (i, 0), ha="center", va="bottom",
                        fontsize=LABEL_SIZE, color=GREY, xytext=(0, 3), textcoords="offset points")
            continue
        derived = r.origin == "derived"
        ax.bar(i, r.value, color=ORIGIN_COLOURS[r.origin], hatch=DERIVED_HATCH if derived else None,
               edgecolor="white", linewidth=0.5)
        if derived and pd.notna(r.lo) and (r.hi - r.lo) > 0:
            ranged = ax.errorbar(i, r.value, yerr=[[r.value - r.lo], [r.hi - r.value]], color=DARK, capsize=3,
                                 linewidth=1, label=_tr(lang, "推算路径允许的范围", "range the routes allow"))
        tops.append((i, r.hi if pd.notna(r.hi) else r.value, fmt(r.value, decimals, lang)))
    ax.set_xticks(list(range(len(series))), [str(v) for v in series["label"]])
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: plain_number(v, lang)))  # 3,500 like the labels
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.margins(y=0.08)
    handles = origin_handles([o for o in series["origin"] if o != "gap"], lang)
    legend(ax, handles + ([ranged] if ranged is not None else []), loc="upper left")
    fig.tight_layout()
    if annotate:
        place_labels(ax, [(i, top, text, {}) for i, top, text in tops], order=("above",), clearance=2)
    return fig


def figure1_chart(ctx, series: pd.DataFrame):
    """The paper's Figure 1 rebuilt: :func:`bars_by_origin` of :func:`turnover_series`."""
    first, last = int(series.label.min()), int(series.label.max())
    return bars_by_origin(series, ctx.tr("图1 “十三五”期间广东技术合同成交额",
                                         f"Figure 1 Guangdong technology-contract turnover, {first}-{last}"),
                          i18n.unit("亿元", ctx.lang), ctx.lang)


def trend_chart(ctx, series: pd.DataFrame, trend):
    """The annual values on a log axis, coloured by origin (each with its legend entry), and the
    fitted log-linear trend ``trend`` (:func:`analysis.loglinear_trend`)."""
    fig, ax = plt.subplots(dpi=DPI)
    for origin in ORIGIN_ORDER:
        sub = series[series.origin == origin]
        if len(sub):
            ax.scatter(sub.label, sub.value, color=ORIGIN_COLOURS[origin], zorder=3,
                       label=ctx.tr(*ORIGIN_LABELS[origin]))
    rate = ctx.fmt(trend.rate, 1)
    ax.plot(trend.fitted.index, trend.fitted.values, color=DARK, linestyle="--",
            label=ctx.tr(f"对数线性趋势（{rate}%/年）", f"log-linear trend ({rate}%/yr)"))
    ax.set_yscale("log")
    ax.margins(y=0.1)
    plain_log_ticks(ax, ctx.lang, "y")
    ax.set_xticks(list(series.label))
    ax.set_title(ctx.tr("成交额的对数线性趋势", "Log-linear trend of turnover"))
    ax.set_ylabel(ctx.tr("亿元（对数坐标）", f"{i18n.unit('亿元', ctx.lang)} (log scale)"))
    legend(ax, loc="upper left")
    fig.tight_layout()
    return fig


# --- §2.2: Figure 2 ---------------------------------------------------------------------------


def contribution_chart(ctx, data: ContributionData):
    """Figure 2: turnover/GDP (left) and turnover/R&D (right). Stated points are filled, derived
    ones hollow, the ratio with the final R&D figure orange, and the 100 % line (turnover equal to
    R&D) dotted; each has a legend entry, and every point its value."""
    stated, external = ORIGIN_COLOURS["stated"], ORIGIN_COLOURS["external"]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4.4), dpi=DPI)
    g = data.gdp_share
    ax1.plot(g.index, g.values, marker="o", color=stated,
             label=ctx.tr("广东（论文图2）", "Guangdong (paper, Figure 2)"))
    ax1.scatter([data.last], [data.national], marker="D", color=GREY, zorder=3,
                label=ctx.tr(f"全国平均（{data.last}）", f"national average ({data.last})"))
    ax1.set_title(ctx.tr("成交额占GDP比重", "Turnover / GDP"))
    ax1.set_ylabel("%")

    rd = data.rd_share
    ax2.plot(rd.year, rd.value, color=stated, linewidth=1, zorder=2)
    for origin, face in (("stated", stated), ("derived", "white")):
        sub = rd[rd.origin == origin]
        ax2.scatter(sub.year, sub.value, s=40, zorder=3, facecolor=face, edgecolor=stated,
                    label=ctx.tr(*ORIGIN_LABELS[origin]) if origin == "stated"
                    else ctx.tr("代码推算（官方GDP和R&D经费）", "derived (official GDP and R&D)"))
    ax2.scatter([data.last], [data.final_ratio.mid], color=external, zorder=4, s=40,
                label=ctx.tr(f"{data.last}年，用正式R&D经费", f"{data.last}, with the final R&D figure"))
    ax2.axhline(100, color=GREY, linestyle=":", linewidth=1, zorder=1,
                label=ctx.tr("成交额 = R&D经费", "turnover = R&D"))
    ax2.set_title(ctx.tr("成交额占R&D经费比重", "Turnover / R&D expenditure"))
    ax2.set_ylabel("%")
    for ax in (ax1, ax2):
        ax.set_xticks(list(g.index))
        ax.margins(x=0.08, y=0.1)
    below = {"loc": "upper center", "bbox_to_anchor": (0.5, -0.1), "ncol": 2}  # under each panel, clear of the data
    legend(ax1, **below)
    # the series line joins stated and derived points: each legend entry shows it with its marker
    handles, labels = ax2.get_legend_handles_labels()
    series_handles = [Line2D([], [], color=stated, linewidth=1, marker="o", markersize=6.3, markerfacecolor=face,
                             markeredgecolor=stated) for face in (stated, "white")]
    legend(ax2, series_handles + handles[2:], labels, **below)
    fig.suptitle(ctx.tr("图2 “十三五”期间广东技术合同成交额占GDP和R&D的比重",
                        f"Figure 2 Guangdong turnover as a share of GDP and R&D, {data.first}-{data.last}"))
    fig.tight_layout()
    order = ("upper left", "left", "above", "lower right", "right", "below", "upper right", "lower left")
    place_labels(ax1, [(x, y, ctx.fmt(y), {}) for x, y in g.items()]
                 + [(data.last, data.national, ctx.fmt(data.national), {"color": GREY})], order=order)
    place_labels(ax2, [(r.year, r.value, ctx.fmt(r.value), {}) for r in rd.itertuples()]
                 + [(data.last, data.final_ratio.mid, ctx.fmt(data.final_ratio.mid), {"color": external})], order=order)
    return fig


# --- §2.4: composition by field ---------------------------------------------------------------


def composition_chart(ctx, parts: dict[int, dict[str, float]]):
    """One stacked bar per year (``parts``: year → field → share, %): the named fields, then the
    remainder as 'other fields' in grey, never split. The legend sits under the axis in two
    columns, so it is no wider than the figure in either language."""
    from techmarket.notebook.style import SERIES_COLOURS

    fig, ax = plt.subplots(figsize=(7.6, 3.2), dpi=DPI)
    years = list(parts)
    for row, year in enumerate(years):
        left = 0.0
        for k, (c, s) in enumerate(parts[year].items()):
            ax.barh(row, s, left=left, color=SERIES_COLOURS[k], edgecolor="white",
                    label=ctx.cat(c) if row == 0 else None)
            ax.annotate(ctx.fmt(s), (left + s / 2, row), ha="center", va="center", fontsize=LABEL_SIZE, color="white")
            left += s
        other = 100 - left
        ax.barh(row, other, left=left, color=ORIGIN_COLOURS["gap"], edgecolor="white",
                label=ctx.tr("其他领域（未列明，差额）", "other fields (not named; remainder)") if row == 0 else None)
        ax.annotate(ctx.fmt(other), (left + other / 2, row), ha="center", va="center", fontsize=LABEL_SIZE)
    ax.set_yticks(list(range(len(years))), [str(y) for y in years])
    ax.set_xlim(0, 100)
    ax.set_xlabel(ctx.tr("占全省成交额比重（%）", "Share of Guangdong turnover (%)"))
    ax.set_title(ctx.tr("技术领域构成", "Composition by technology field"))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=2)
    ax.grid(axis="y", visible=False)
    fig.tight_layout()
    return fig


# --- §2.5: cities -----------------------------------------------------------------------------


def city_chart(ctx, cities: pd.DataFrame):
    """A dot plot of city turnover on a log axis, one row per city and one dot per year (a bar's
    length means nothing on a log scale): the first year grey, the last dark; derived values
    hollow; each dot labelled with its value; a gap says 'no data' in words."""
    years = sorted(cities.year.unique())
    names = list(dict.fromkeys(cities.city))
    colour = {years[0]: GREY, years[-1]: ORIGIN_COLOURS["stated"]}
    fig, ax = plt.subplots(figsize=(7.6, 4.4), dpi=DPI)
    row = {c: len(names) - 1 - i for i, c in enumerate(names)}  # first city on top
    for year in years:
        for origin in ("stated", "derived"):
            sub = cities[(cities.year == year) & (cities.origin == origin)]
            if len(sub):
                ax.scatter(sub.value, [row[c] for c in sub.city], s=50, zorder=3, edgecolor=colour[year],
                           facecolor=colour[year] if origin == "stated" else "white", linewidth=1.5,
                           label=ctx.tr(f"{year}年，{ORIGIN_LABELS[origin][0]}", f"{year}, {ORIGIN_LABELS[origin][1]}"))
    ax.set_xscale("log")
    ax.margins(x=0.12)
    plain_log_ticks(ax, ctx.lang, "x")
    ax.set_yticks([row[c] for c in names], [ctx.geo(c) for c in names])
    ax.set_ylim(-0.6, len(names) - 0.4)
    ax.grid(axis="x", visible=True)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(ctx.tr("成交额（亿元，对数坐标）", "Turnover (100 million yuan, log scale)"))
    ax.set_title(ctx.tr(f"城市成交额：{years[0]}年与{years[-1]}年", f"City turnover, {years[0]} and {years[-1]}"))
    legend(ax, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    fig.tight_layout()
    for r in cities[cities.origin == "gap"].itertuples():
        ax.annotate(ctx.tr(f"{r.year}年无数据", f"no data for {r.year}"), (0, row[r.city]),
                    xycoords=("axes fraction", "data"), xytext=(6, 0), textcoords="offset points",
                    ha="left", va="center", fontsize=LABEL_SIZE, color=GREY, bbox=dict(MASK))
    def shown(r) -> str:  # the value at the decimals the table shows it with, in the report's language
        digits = r.text.rstrip("*").partition(".")[2]
        return ctx.fmt(r.value, len(digits))

    place_labels(ax, [(r.value, row[r.city], shown(r), {"color": colour[r.year]})
                      for r in cities[cities.origin != "gap"].itertuples()],
                 order=("above", "below", "upper right", "upper left", "lower right", "lower left"))
    return fig


# --- §4.2: Table 1 and the size cross-section -------------------------------------------------


def crosssection_chart(ctx, bench: pd.DataFrame, cs, province: str, year: int):
    """Turnover against GDP on log-log axes: the fitted line of ``cs``
    (:func:`analysis.loglog_crosssection`), its prediction interval as a band (where a province of
    that size would fall, given the scatter), the provinces, and ``province`` in red. Every point
    is labelled clear of the others and of the line."""
    fig, ax = plt.subplots(figsize=(7.6, 5.4), dpi=DPI)
    xs = np.exp(np.linspace(np.log(bench.gdp.min()), np.log(bench.gdp.max()), 41))
    lo, hi = cs.band(xs)
    conf = ctx.fmt(cs.confidence * 100, 0)
    ax.fill_between(xs, lo, hi, color=ORIGIN_COLOURS["derived"], alpha=0.3, linewidth=0, zorder=1,
                    label=ctx.tr(f"{conf}%预测区间", f"{conf}% prediction interval"))
    ends = [bench.gdp.min(), bench.gdp.max()]
    ax.plot(ends, cs.line(ends), color=DARK, linestyle="--", zorder=2,
            label=ctx.tr(f"拟合：弹性 {ctx.fmt(cs.elasticity)}，R² = {ctx.fmt(cs.r2)}",
                         f"fit: elasticity {ctx.fmt(cs.elasticity)}, R² = {ctx.fmt(cs.r2)}"))
    others = bench.drop(province)
    ax.scatter(others.gdp, others.turnover, color=ORIGIN_COLOURS["stated"], zorder=3,
               label=ctx.tr("表1其他省市", "other Table 1 provinces"))
    ax.scatter([bench.gdp[province]], [bench.turnover[province]], color=ACCENT, s=70, zorder=4, label=ctx.geo(province))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.margins(x=0.06, y=0.04)
    plain_log_ticks(ax, ctx.lang)
    ax.set_xlabel(ctx.tr(f"{year}年GDP（亿元，对数坐标，推算）", f"{year} GDP (100m yuan, log scale, derived)"))
    ax.set_ylabel(ctx.tr(f"{year}年成交额（亿元，对数坐标）", f"{year} turnover (100m yuan, log scale)"))
    ax.set_title(ctx.tr("成交额与经济规模（表1十省市）", "Turnover against economic size (Table 1 provinces)"))
    legend(ax, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
    fig.tight_layout()
    place_labels(ax, [(r.gdp, r.turnover, ctx.geo(g), {"color": ACCENT if g == province else "#262626"})
                      for g, r in bench.iterrows()])
    return fig
