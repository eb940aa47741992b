"""Every figure of the notebooks reads: rendered in both languages from the project's data with the
builders the notebooks call (lib/techmarket/notebook/figures.py), then measured.

A figure fails when two texts overlap, a text leaves the figure, a data label leaves its axes, a
data line, marker or legend runs into a text, a gridline strikes through a text that has no
opaque background, a legend covers data, a text is smaller than 8 pt or turned (axis labels
apart), a style of mark drawn has no legend entry, or a numeric axis has fewer than 3 or more
than 8 labelled ticks. The geometry here is measured independently of the label placer in
figures.py; the tests at the end feed each check a figure with the defect it looks for.
"""
from __future__ import annotations

import math
from itertools import combinations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import LineCollection, PathCollection, PolyCollection  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.legend import Legend  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from techmarket.notebook import analysis, chart_parts, figure_data, figures  # noqa: E402
from techmarket.notebook.context import setup, study_period  # noqa: E402

TOL = 1.0  # px: boxes may touch, or overlap by this much
MIN_POINTS = 8
MIN_TICKS, MAX_TICKS = 3, 8


# --- the figures, built as the notebooks build them ------------------------------------------
def fig01_figure1(ctx):
    return figures.figure1_chart(ctx, figure_data.turnover_series(ctx, *study_period(ctx.facts)))


def fig01_trend(ctx):
    series = figure_data.turnover_series(ctx, *study_period(ctx.facts))
    return figures.trend_chart(ctx, series, analysis.loglinear_trend(series.set_index("label")["value"]))


def fig02_figure2(ctx):
    return figures.contribution_chart(ctx, figure_data.contribution_data(ctx, *study_period(ctx.facts)))


def fig04_fields(ctx):
    first, last = study_period(ctx.facts)
    return figures.composition_chart(ctx, {y: figure_data.field_shares(ctx, y) for y in (last, first)})


def fig05_cities(ctx):
    first, last = study_period(ctx.facts)
    cities = figure_data.city_turnover(ctx, ["广州", "深圳", "东莞", "韶关", "清远"], (first, last))
    return figures.city_chart(ctx, cities)


def fig06_crosssection(ctx, province="广东"):
    table1 = figure_data.table1_frame(ctx)
    year = int(ctx.facts.loc[ctx.facts.locator == "Table 1", "year"].iloc[0])
    bench = figure_data.size_frame(ctx, table1, year)
    cs = analysis.loglog_crosssection(bench.gdp, bench.turnover)
    return figures.crosssection_chart(ctx, bench, cs, province, year)


FIGURES = {
    "01 Figure 1": fig01_figure1,
    "01 trend": fig01_trend,
    "02 Figure 2": fig02_figure2,
    "04 fields": fig04_fields,
    "05 cities": fig05_cities,
    "06 cross-section": fig06_crosssection,
    "06 cross-section, Jiangsu": lambda ctx: fig06_crosssection(ctx, "江苏"),
}
NOTEBOOK_CALLS = {  # the builder each notebook must call, so that what is tested is what is shown
    "01_scale": ["figures.figure1_chart(", "figures.trend_chart("],
    "02_economic_contribution": ["figures.contribution_chart("],
    "04_sectors": ["figures.composition_chart("],
    "05_regions": ["figures.city_chart("],
    "06_provincial_benchmarking": ["figures.crosssection_chart("],
}


@pytest.fixture(scope="module", params=["zh", "en"])
def ctx(request):
    return setup(lang=request.param)


# --- geometry ---------------------------------------------------------------------------------
def overlap(a, b, tol: float = TOL) -> bool:
    return min(a.x1, b.x1) - max(a.x0, b.x0) > tol and min(a.y1, b.y1) - max(a.y0, b.y0) > tol


def shrunk(bb, tol: float = TOL):
    return bb.expanded(1, 1).from_extents(bb.x0 + tol, bb.y0 + tol, bb.x1 - tol, bb.y1 - tol)


def segment_hits_box(p, q, bb) -> bool:
    """Liang-Barsky: does the segment p-q pass through the box ``bb``?"""
    t0, t1 = 0.0, 1.0
    dx, dy = q[0] - p[0], q[1] - p[1]
    for d, lo, hi, v in ((dx, bb.x0, bb.x1, p[0]), (dy, bb.y0, bb.y1, p[1])):
        if d == 0:
            if v < lo or v > hi:
                return False
            continue
        a, b = (lo - v) / d, (hi - v) / d
        t0, t1 = max(t0, min(a, b)), min(t1, max(a, b))
        if t0 > t1:
            return False
    return True


def polyline_hits_box(xy, bb) -> bool:
    return any(segment_hits_box(xy[i], xy[i + 1], bb) for i in range(len(xy) - 1))


def drawn_polylines(ax) -> list[tuple[object, np.ndarray]]:
    """Data lines of ``ax`` (lines, reference lines, error bars) in display coordinates."""
    out = []
    for line in ax.lines:
        if line.get_visible() and line.get_linestyle() not in ("None", "none", "", " "):
            xy = line.get_transform().transform(np.asarray(line.get_xydata(), dtype=float))
            out.append((line, xy[np.isfinite(xy).all(axis=1)]))
    for c in ax.collections:
        if isinstance(c, LineCollection) and c.get_visible():
            out += [(c, c.get_transform().transform(np.asarray(s, dtype=float))) for s in c.get_segments()]
    return out


def drawn_markers(ax) -> list[tuple[object, object]]:
    """(artist, box) for every marker of ``ax`` (scatter points and line markers), in pixels."""
    from matplotlib.transforms import Bbox

    px = ax.figure.dpi / 72
    out = []
    for c in ax.collections:
        if isinstance(c, PathCollection) and c.get_visible():
            sizes = c.get_sizes()
            xy = c.get_offset_transform().transform(np.asarray(c.get_offsets(), dtype=float))
            for k, (x, y) in enumerate(xy):
                r = math.sqrt(sizes[k % len(sizes)]) / 2 * px
                out.append((c, Bbox.from_extents(x - r, y - r, x + r, y + r)))
    for line in ax.lines:
        if line.get_visible() and line.get_marker() not in (None, "None", "none", "", " "):
            r = line.get_markersize() / 2 * px
            xy = line.get_transform().transform(np.asarray(line.get_xydata(), dtype=float))
            out += [(line, Bbox.from_extents(x - r, y - r, x + r, y + r)) for x, y in xy if np.isfinite([x, y]).all()]
    return out


def bars(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle) and p.get_visible() and p.get_width() and p.get_height()]


def gridlines(ax):
    """The gridlines drawn in ``ax``, as display polylines."""
    box = ax.get_window_extent()
    out = []
    for axis, horizontal in ((ax.xaxis, False), (ax.yaxis, True)):
        ticks = axis.get_major_ticks()
        if not ticks or not ticks[0].gridline.get_visible():
            continue
        for loc in axis.get_majorticklocs():
            x, y = ax.transData.transform((ax.get_xlim()[0], loc) if horizontal else (loc, ax.get_ylim()[0]))
            if horizontal and box.y0 - 0.5 <= y <= box.y1 + 0.5:
                out.append(np.array([[box.x0, y], [box.x1, y]]))
            elif not horizontal and box.x0 - 0.5 <= x <= box.x1 + 0.5:
                out.append(np.array([[x, box.y0], [x, box.y1]]))
    return out


def drawn_tick_labels(axis) -> list[Text]:
    """Tick labels matplotlib draws: ticks whose location lies in the view, with text."""
    ax = axis.axes
    box = ax.get_window_extent()
    horizontal = axis is ax.xaxis
    out = []
    for ticks, locs in ((axis.get_major_ticks(), axis.get_majorticklocs()),
                        (axis.get_minor_ticks(), axis.get_minorticklocs())):
        for tick, loc in zip(ticks, locs, strict=False):
            p = ax.transData.transform((loc, ax.get_ylim()[0]) if horizontal else (ax.get_xlim()[0], loc))
            v, lo, hi = (p[0], box.x0, box.x1) if horizontal else (p[1], box.y0, box.y1)
            if lo - 0.5 <= v <= hi + 0.5:
                out += [t for t in (tick.label1, tick.label2) if t.get_visible() and t.get_text()]
    return out


def major_labels(axis) -> list[tuple[float, str]]:
    """(location, text) of the major tick labels drawn on ``axis``."""
    majors = {id(tk.label1): loc for tk, loc in zip(axis.get_major_ticks(), axis.get_majorticklocs(), strict=False)}
    return [(majors[id(t)], t.get_text()) for t in drawn_tick_labels(axis) if id(t) in majors]


def numeric(axis) -> bool:
    """Does ``axis`` show numbers (a log scale, or each label the value of its location), not categories?"""
    if axis.get_scale() == "log":
        return True
    labels = major_labels(axis)
    try:
        return bool(labels) and all(math.isclose(float(text.replace(",", "").replace("−", "-")), loc, rel_tol=1e-6)
                                    for loc, text in labels)
    except ValueError:
        return False


def texts_of(fig):
    """Every text drawn: (text, where) with ``where`` one of tick, axis-label, title, data, legend, figure."""
    ticks = set()
    found = []
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for t in drawn_tick_labels(axis):
                found.append((t, "tick"))
                ticks.add(id(t))
            all_ticks = axis.get_major_ticks() + axis.get_minor_ticks()
            ticks |= {id(t) for tick in all_ticks for t in (tick.label1, tick.label2)}
    in_legend = {id(t) for lg in fig.findobj(Legend) for t in lg.findobj(Text)}
    axis_labels = {id(a.label) for ax in fig.axes for a in (ax.xaxis, ax.yaxis)}
    titles = {id(t) for ax in fig.axes for t in (ax.title, ax._left_title, ax._right_title)}
    data = {id(t) for ax in fig.axes for t in ax.texts}
    for t in fig.findobj(Text):
        if id(t) in ticks or not t.get_visible() or not t.get_text().strip():
            continue
        where = ("legend" if id(t) in in_legend else "axis-label" if id(t) in axis_labels
                 else "title" if id(t) in titles else "data" if id(t) in data else "figure")
        found.append((t, where))
    return found


def opaque_behind(t: Text, legends) -> bool:
    """Does ``t`` sit on an opaque background (its own box, or its legend's frame)?"""
    patch = t.get_bbox_patch()
    if patch is not None and patch.get_visible() and to_rgba(patch.get_facecolor())[3] == 1:
        return True
    for lg in legends:
        if t in lg.texts and lg.get_frame_on() and to_rgba(lg.legendPatch.get_facecolor())[3] == 1:
            return True
    return False


# --- legend entries ---------------------------------------------------------------------------
def rgba(c) -> tuple:
    return tuple(round(float(v), 3) for v in to_rgba(c))


def line_key(line: Line2D) -> set:
    keys = set()
    if line.get_linestyle() not in ("None", "none", "", " "):
        keys.add(("line", rgba(line.get_color()), line.get_linestyle()))
    if line.get_marker() not in (None, "None", "none", "", " "):
        keys.add(("marker", rgba(line.get_markerfacecolor()), rgba(line.get_markeredgecolor())))
    return keys


def collection_keys(c) -> set:
    if isinstance(c, PathCollection):
        faces, edges = c.get_facecolors(), c.get_edgecolors()
        n = max(len(faces), len(edges), 1)
        return {("marker", rgba(faces[i % len(faces)]) if len(faces) else None,
                 rgba(edges[i % len(edges)]) if len(edges) else None) for i in range(min(n, len(c.get_offsets()) or 1))}
    if isinstance(c, LineCollection):
        return {("line", rgba(col), "-") for col in c.get_colors()}
    if isinstance(c, PolyCollection):
        return {("fill", rgba(f), c.get_hatch()) for f in c.get_facecolors()}
    return set()


def patch_key(p) -> set:
    return {("fill", rgba(p.get_facecolor()), p.get_hatch())}


def styles_drawn(ax) -> dict:
    """Every style of mark drawn in ``ax``, with an artist that draws it."""
    out = {}
    for line in ax.lines:
        if line.get_visible():
            out.update(dict.fromkeys(line_key(line), line))
    for c in ax.collections:
        if c.get_visible() and (not isinstance(c, PathCollection) or len(c.get_offsets())):
            out.update(dict.fromkeys(collection_keys(c), c))
    for p in bars(ax):
        out.update(dict.fromkeys(patch_key(p), p))
    return out


def styles_in_legend(lg: Legend) -> set:
    keys = set()
    for a in lg.findobj():
        if a is lg.legendPatch or not getattr(a, "get_visible", lambda: False)():
            continue
        if isinstance(a, Line2D):
            keys |= line_key(a)
        elif isinstance(a, (PathCollection, LineCollection, PolyCollection)):
            keys |= collection_keys(a)
        elif isinstance(a, Rectangle) and a.get_width() and a.get_height():
            keys |= patch_key(a)
    return keys


# --- the checks -------------------------------------------------------------------------------
def problems(fig) -> list[str]:
    """Everything that keeps ``fig`` from reading, as sentences (empty: the figure reads)."""
    fig.canvas.draw()
    out: list[str] = []
    texts = texts_of(fig)
    legends = fig.findobj(Legend)
    boxes = [(t, where, t.get_window_extent()) for t, where in texts]
    name = {id(t): f"{where} {t.get_text()!r}" for t, where in texts}
    figbox = fig.bbox

    for (a, _, ba), (b, _, bb) in combinations(boxes, 2):
        if overlap(ba, bb):
            out.append(f"{name[id(a)]} overlaps {name[id(b)]}")
    for t, where, bb in boxes:
        if bb.x0 < figbox.x0 - TOL or bb.y0 < figbox.y0 - TOL or bb.x1 > figbox.x1 + TOL or bb.y1 > figbox.y1 + TOL:
            out.append(f"{name[id(t)]} runs outside the figure")
        if t.get_fontsize() < MIN_POINTS:
            out.append(f"{name[id(t)]} is {t.get_fontsize():g} pt, below {MIN_POINTS} pt")
        if t.get_rotation() % 360 and where != "axis-label":
            out.append(f"{name[id(t)]} is turned {t.get_rotation():g}°")
        if where == "data":
            ab = t.axes.get_window_extent()
            if bb.x0 < ab.x0 - TOL or bb.y0 < ab.y0 - TOL or bb.x1 > ab.x1 + TOL or bb.y1 > ab.y1 + TOL:
                out.append(f"{name[id(t)]} runs past its axes")

    for ax in fig.axes:
        lines, markers, rects, grid = drawn_polylines(ax), drawn_markers(ax), bars(ax), gridlines(ax)
        axbox = ax.get_window_extent()
        for t, where, bb in boxes:
            if where in ("tick", "axis-label", "title", "figure") or not overlap(bb, axbox, 0):
                continue
            inner = shrunk(bb)
            for artist, xy in lines:
                if polyline_hits_box(xy, inner):
                    out.append(f"a line ({artist.get_label()!r}) runs through {name[id(t)]}")
            for artist, mb in markers:
                if overlap(mb, bb):
                    out.append(f"a marker ({artist.get_label()!r}) touches {name[id(t)]}")
            if not opaque_behind(t, legends):
                out += [f"a gridline strikes through {name[id(t)]}" for xy in grid if polyline_hits_box(xy, inner)]
            if where == "data":
                for r in rects:
                    rb = r.get_window_extent()
                    inside = rb.x0 <= bb.x0 and bb.x1 <= rb.x1 and rb.y0 <= bb.y0 and bb.y1 <= rb.y1
                    if overlap(rb, bb) and not inside:
                        out.append(f"{name[id(t)]} straddles the edge of a bar")
        lg = ax.get_legend()
        if lg is not None:
            lb = lg.get_window_extent()
            inner = shrunk(lb)
            if any(polyline_hits_box(xy, inner) for _, xy in lines) or any(overlap(mb, lb) for _, mb in markers) \
                    or any(overlap(r.get_window_extent(), lb) for r in rects):
                out.append(f"the legend of {ax.get_title()!r} covers data")
            out += [f"the legend of {ax.get_title()!r} covers {name[id(t)]}" for t, where, bb in boxes
                    if where == "data" and t.axes is ax and overlap(bb, lb)]
        entries = styles_in_legend(lg) if lg is not None else set()
        for key, artist in styles_drawn(ax).items():
            if key not in entries:
                out.append(f"{ax.get_title()!r}: no legend entry for {key} (drawn by {type(artist).__name__} "
                           f"{artist.get_label()!r})")
        for axis, letter in ((ax.xaxis, "x"), (ax.yaxis, "y")):
            if not axis.get_visible() or not numeric(axis):
                continue
            n = len(major_labels(axis))
            if not MIN_TICKS <= n <= MAX_TICKS:
                out.append(f"{ax.get_title()!r}: the numeric {letter} axis has {n} labelled ticks "
                           f"(wanted {MIN_TICKS}-{MAX_TICKS})")
    return sorted(set(out))


# --- the notebooks' figures --------------------------------------------------------------------
@pytest.mark.parametrize("figure", list(FIGURES))
def test_figure_reads(ctx, figure):
    fig = FIGURES[figure](ctx)
    try:
        found = problems(fig)
    finally:
        plt.close(fig)
    assert not found, f"{figure} ({ctx.lang}):\n" + "\n".join(found)


@pytest.mark.parametrize("stem", list(NOTEBOOK_CALLS))
def test_notebooks_draw_with_the_tested_builders(stem):
    import nbformat

    from techmarket.data.paths import NOTEBOOKS_DIR

    code = "\n".join(c.source for c in nbformat.read(NOTEBOOKS_DIR / f"{stem}.ipynb", as_version=4).cells
                     if c.cell_type == "code")
    assert all(call in code for call in NOTEBOOK_CALLS[stem]), stem
    assert "plt.subplots" not in code, f"{stem} draws a figure of its own, which no test measures"


# --- each check fails on the defect it looks for ------------------------------------------------
def blank(**kw):
    """An empty figure in the notebooks' style."""
    from techmarket.notebook.style import use_style

    use_style()
    return plt.subplots(figsize=(5, 3), dpi=chart_parts.DPI, **kw)


def found_in(fig, words: str) -> list[str]:
    try:
        return [p for p in problems(fig) if words in p]
    finally:
        plt.close(fig)


def test_check_sees_overlapping_texts():
    fig, ax = blank()
    ax.plot([0, 1], [0, 1])
    ax.text(0.1, 0.8, "Shanghai", fontsize=9)
    ax.text(0.12, 0.8, "Hubei", fontsize=9)
    assert found_in(fig, "overlaps")


def test_check_sees_a_label_past_the_axes_and_the_figure():
    fig, ax = blank()
    ax.plot([0, 1], [0, 1])
    ax.annotate("Guangdong", (1, 0.5), xytext=(5, 0), textcoords="offset points", fontsize=9)
    assert found_in(fig, "runs past its axes")
    fig, ax = blank()
    ax.plot([0, 1], [0, 1])
    ax.legend(["a legend far wider than the plot it belongs to, in two languages"],
              loc="upper center", bbox_to_anchor=(0.5, -0.2))
    assert found_in(fig, "runs outside the figure")


def test_check_sees_a_line_through_a_label_and_a_marker_under_it():
    fig, ax = blank()
    ax.plot([0, 1], [0, 1])
    ax.annotate("73.32", (0.5, 0.5), ha="center", fontsize=8)
    assert found_in(fig, "runs through")
    fig, ax = blank()
    ax.scatter([0, 0.5, 1], [0, 0.5, 1], label="x")
    ax.legend()
    ax.annotate("there", (0.5, 0.5), ha="center", va="center", fontsize=8)
    assert found_in(fig, "touches")


def test_check_sees_a_gridline_through_a_frameless_legend():
    fig, ax = blank()
    ax.plot([0, 1], [0, 1], label="a series")
    ax.set_yticks(np.linspace(0, 1, 41))
    ax.yaxis.set_major_formatter(plt.NullFormatter())
    ax.legend(loc="upper left", frameon=False)
    assert found_in(fig, "gridline strikes through")
    fig, ax = blank()
    ax.plot([0, 1], [0, 1], label="a series")
    ax.set_yticks(np.linspace(0, 1, 41))
    ax.yaxis.set_major_formatter(plt.NullFormatter())
    chart_parts.legend(ax, loc="upper left")  # the opaque frame hides the gridlines
    assert not found_in(fig, "gridline strikes through")


def test_check_sees_marks_without_a_legend_entry():
    fig, ax = blank()
    ax.scatter([0, 1], [1, 2], color=["#9dc3e6", "#1f4e79"], label="annual value")  # two colours, one entry
    ax.axhline(1.5, linestyle=":")
    ax.legend(loc="lower right")
    missing = found_in(fig, "no legend entry")
    assert any("'marker'" in p for p in missing) and any("'line'" in p for p in missing)


def test_check_counts_the_ticks_of_a_numeric_axis():
    fig, ax = blank()
    ax.plot([0, 1], [600, 3500])
    ax.set_yscale("log")
    ax.set_ylim(600, 3500)
    ax.yaxis.set_major_locator(matplotlib.ticker.LogLocator(subs=(1.0, 2.0, 5.0)))  # as 01's trend chart had it
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    assert found_in(fig, "has 2 labelled ticks")
    fig, ax = blank()
    ax.bar(range(5), [1, 2, 3, 4, 5])
    ax.set_xticks(range(5), ["2016", "2017", "2018", "2019", "2020"])  # categories: not counted
    ax.set_yscale("log")
    ax.set_ylim(0.005, 5000)
    ax.yaxis.set_major_locator(matplotlib.ticker.LogLocator(subs=(1.0, 2.0, 5.0)))  # as 05's bars had it
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.2f}"))
    found = found_in(fig, "labelled ticks")
    assert len(found) == 1 and "the numeric y axis has 19 labelled ticks" in found[0], found


def test_check_sees_small_and_turned_text():
    fig, ax = blank()
    ax.plot([0, 1], [0, 1])
    ax.text(0.8, 0.1, "无数据", fontsize=7)
    assert found_in(fig, "below 8 pt")
    fig, ax = blank()
    ax.plot([0, 1], [0, 1])
    ax.text(0.8, 0.1, "no data", fontsize=8, rotation=90)
    assert found_in(fig, "turned")


# --- the helpers the figures are drawn with ------------------------------------------------------
def test_log_ticks_are_few_round_numbers():
    assert chart_parts.log_tick_values(600, 3700) == [1000, 2000, 3000]  # 1-2-5 gives two: take 1-2-3-5
    assert chart_parts.log_tick_values(330, 9800) == [500, 1000, 2000, 5000]
    assert chart_parts.log_tick_values(0.005, 5000) == [0.01, 0.1, 1, 10, 100, 1000]  # one a decade
    assert len(chart_parts.log_tick_values(1e-6, 1e6)) <= 7  # every other decade when one a decade is too many


def test_plain_numbers_have_the_decimals_they_need():
    assert [chart_parts.plain_number(v, "en") for v in (0, 0.01, 0.5, 1, 3000)] == ["0", "0.01", "0.5", "1", "3,000"]
    assert chart_parts.plain_number(3000, "zh") == "3000"


def crowded(placed: bool):
    """Six labelled points along a fitted line, three of them bunched and one near the edge:
    placed by the label placer, or each put to the upper right of its point."""
    fig, ax = blank()
    x = np.array([1.0, 1.15, 1.3, 2.0, 2.8, 3.0])
    ax.plot([1, 3], [1, 3], linestyle="--", label="fit")
    ax.scatter(x, x, label="points")
    ax.set_xlim(0.6, 3.4)
    ax.set_ylim(0.6, 3.4)
    ax.set_xticks([1, 2, 3])
    ax.set_yticks([1, 2, 3])
    chart_parts.legend(ax, loc="upper left")
    fig.tight_layout()
    points = [(v, v, f"province {k}", {}) for k, v in enumerate(x)]
    if placed:
        chart_parts.place_labels(ax, points)
    else:
        for v, _, text, _ in points:
            ax.annotate(text, (v, v), xytext=(5, 3), textcoords="offset points", fontsize=8)
    return fig


def test_placed_labels_stay_clear_of_each_other_the_line_and_the_edges():
    fig = crowded(placed=True)
    try:
        assert problems(fig) == []
    finally:
        plt.close(fig)
    assert found_in(crowded(placed=False), "a line ('fit') runs through")
    assert found_in(crowded(placed=False), "a marker ('points') touches")
