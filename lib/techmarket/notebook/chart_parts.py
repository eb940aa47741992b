"""The parts every figure shares: legends with an opaque frame and one entry per style of mark,
readable ticks on logarithmic axes, and data labels placed after the layout is final
(:func:`place_labels`): inside their axes, clear of each other, of data lines, markers, bars and
the legend, and clear of gridlines or masked against them. ``DPI`` is the resolution the reports
show figures at, so that what is measured is what is shown.
"""
from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter, NullLocator

from techmarket.notebook.style import DERIVED_HATCH, ORIGIN_COLOURS

DPI = 110  # what report.figure saves at: labels are placed at the resolution they are shown
LABEL_SIZE = 8  # points: data labels; the smallest text of any figure
GREY = "#7f7f7f"
DARK = "#404040"

ORIGIN_LABELS = {
    "stated": ("论文数值", "stated in the paper"),
    "derived": ("代码推算", "derived in code"),
    "external": ("官方发布", "official release"),
    "gap": ("无数据", "no data"),
}
ORIGIN_ORDER = ("stated", "derived", "external", "gap")


def _tr(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


# --- legends, ticks and labels --------------------------------------------------------------
def legend(ax, handles=None, labels=None, **kw):
    """A legend with an opaque white frame (no edge): gridlines pass behind it, not through it."""
    kw = {"frameon": True, "facecolor": "white", "edgecolor": "none", "framealpha": 1.0, **kw}
    if handles is None:
        return ax.legend(**kw)
    return ax.legend(handles, labels, **kw) if labels is not None else ax.legend(handles=handles, **kw)


def origin_handles(origins, lang: str) -> list[Patch]:
    """One legend patch per origin present, in the fixed order stated, derived, external, gap."""
    i = 0 if lang == "zh" else 1
    present = set(origins)
    return [Patch(facecolor=ORIGIN_COLOURS[o], hatch=DERIVED_HATCH if o == "derived" else None,
                  edgecolor="white", label=ORIGIN_LABELS[o][i]) for o in ORIGIN_ORDER if o in present]


def origin_legend(ax, origins, lang: str, **kw):
    """A legend with one patch per origin present."""
    return legend(ax, origin_handles(origins, lang), **kw)


LOG_SUBS = ((1.0,), (1.0, 2.0, 5.0), (1.0, 2.0, 3.0, 5.0), tuple(float(s) for s in range(1, 10)))


def log_tick_values(lo: float, hi: float, min_ticks: int = 3, max_ticks: int = 7) -> list[float]:
    """Round tick values for a log axis from ``lo`` to ``hi``: the coarsest of 1, 1-2-5, 1-2-3-5 and
    1-9 per decade that gives at least ``min_ticks``; every other decade while more than
    ``max_ticks``."""
    ticks: list[float] = []
    for subs in LOG_SUBS:
        ticks = [float(f"{s:g}e{k}") for k in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1)
                 for s in subs if lo <= float(f"{s:g}e{k}") <= hi]
        if len(ticks) >= min_ticks:
            break
    while len(ticks) > max_ticks:
        ticks = ticks[::2]
    return ticks


def plain_number(v: float, lang: str) -> str:
    """A round tick value as plain text with no more decimals than it needs (at most six): 0.01,
    0.5, 3,000 (3000 in Chinese)."""
    s = f"{v:,.6f}".rstrip("0").rstrip(".")
    s = "0" if s in ("-0", "") else s
    return s.replace(",", "") if lang == "zh" else s


def plain_log_ticks(ax, lang: str, which: str = "both", min_ticks: int = 3, max_ticks: int = 7) -> None:
    """Log-scale axes labelled with a few round plain numbers (3,000 rather than 3×10³).

    The current view limits (autoscaled from what is drawn) are fixed, and the ticks chosen by
    :func:`log_tick_values`: at least ``min_ticks``, at most ``max_ticks``, no minor labels."""
    for name in (("x", "y") if which == "both" else (which,)):
        axis = getattr(ax, f"{name}axis")
        lo, hi = sorted(getattr(ax, f"get_{name}lim")())
        getattr(ax, f"set_{name}lim")(lo, hi)
        axis.set_major_locator(FixedLocator(log_tick_values(lo, hi, min_ticks, max_ticks)))
        axis.set_major_formatter(FuncFormatter(lambda v, _: plain_number(v, lang)))
        axis.set_minor_locator(NullLocator())
        axis.set_minor_formatter(NullFormatter())


# Where a label may sit around its point, as (dx, dy, ha, va) in units of the clearance:
# right, upper right, above, upper left, left, lower right, below, lower left.
AROUND = {
    "right": (1, 0, "left", "center"), "upper right": (0.7, 0.7, "left", "bottom"),
    "above": (0, 1, "center", "bottom"), "upper left": (-0.7, 0.7, "right", "bottom"),
    "left": (-1, 0, "right", "center"), "lower right": (0.7, -0.7, "left", "top"),
    "below": (0, -1, "center", "top"), "lower left": (-0.7, -0.7, "right", "top"),
}
MASK = {"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"}  # hides a gridline behind a label


def _segments_display(artist) -> list[np.ndarray]:
    """The polylines an artist draws, in display coordinates (NaN breaks dropped)."""
    from matplotlib.collections import LineCollection

    if isinstance(artist, Line2D):
        if artist.get_linestyle() in ("None", "none", "", " ") or not artist.get_visible():
            return []
        xy = artist.get_transform().transform(np.asarray(artist.get_xydata(), dtype=float))
        return [xy[np.isfinite(xy).all(axis=1)]]
    if isinstance(artist, LineCollection) and artist.get_visible():
        tr = artist.get_transform()
        return [tr.transform(np.asarray(s, dtype=float)) for s in artist.get_segments()]
    return []


def _marker_boxes(ax, px_per_pt: float):
    """Bounding boxes of every marker drawn in ``ax`` (scatter points and line markers)."""
    from matplotlib.collections import PathCollection
    from matplotlib.transforms import Bbox

    boxes = []
    for c in ax.collections:
        if isinstance(c, PathCollection) and c.get_visible():
            xy = c.get_offset_transform().transform(np.asarray(c.get_offsets(), dtype=float))
            sizes = c.get_sizes() if len(c.get_sizes()) else [plt.rcParams["lines.markersize"] ** 2]
            for k, (x, y) in enumerate(xy):
                r = (math.sqrt(sizes[k % len(sizes)]) / 2 + 0.5) * px_per_pt
                boxes.append(Bbox([[x - r, y - r], [x + r, y + r]]))
    for line in ax.lines:
        if line.get_visible() and line.get_marker() not in (None, "None", "none", "", " "):
            r = (line.get_markersize() / 2 + line.get_markeredgewidth() / 2) * px_per_pt
            xy = line.get_transform().transform(np.asarray(line.get_xydata(), dtype=float))
            boxes += [Bbox([[x - r, y - r], [x + r, y + r]]) for x, y in xy if np.isfinite([x, y]).all()]
    return boxes


def place_labels(ax, points, order=tuple(AROUND), fontsize: float = LABEL_SIZE, clearance: float = 4.0) -> list:
    """Annotate ``points`` — (x, y, text, options) tuples in data coordinates, ``options`` a dict
    of Text properties (colour, …) — each at the first position in ``order`` where its label stays
    inside the axes and clear of the other labels, of data lines, markers, bars and the legend,
    preferring positions no gridline crosses; where only a crossed position is free, the label
    gets a white background that hides the gridline. ``clearance`` (points) is the distance from
    the point, to which each marker's radius is added. Call after the layout is final.
    """
    from matplotlib.path import Path

    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    px_per_pt = fig.dpi / 72
    axbox = ax.get_window_extent(renderer)
    lines = [Path(s) for a in [*ax.lines, *ax.collections] for s in _segments_display(a) if len(s) > 1]
    markers = _marker_boxes(ax, px_per_pt)
    taken = [t.get_window_extent(renderer) for t in ax.texts if t.get_visible() and t.get_text()]
    taken += [p.get_window_extent(renderer) for p in ax.patches if p.get_visible() and p.get_width() and p.get_height()]
    if ax.get_legend() is not None:
        taken.append(ax.get_legend().get_window_extent(renderer))
    grid = []
    for axis, horizontal in ((ax.xaxis, False), (ax.yaxis, True)):
        ticks = axis.get_major_ticks()
        if not ticks or not ticks[0].gridline.get_visible():
            continue
        for loc in axis.get_majorticklocs():
            p = ax.transData.transform((1.0, loc) if horizontal else (loc, 1.0))
            v = p[1] if horizontal else p[0]
            lo, hi = (axbox.y0, axbox.y1) if horizontal else (axbox.x0, axbox.x1)
            if lo <= v <= hi:
                grid.append(Path([[axbox.x0, v], [axbox.x1, v]] if horizontal else [[v, axbox.y0], [v, axbox.y1]]))

    def inside(bb) -> bool:
        return bb.x0 >= axbox.x0 and bb.x1 <= axbox.x1 and bb.y0 >= axbox.y0 and bb.y1 <= axbox.y1

    placed = []
    for x, y, text, options in points:
        own = ax.transData.transform((x, y))
        radius = max((b.width / 2 / px_per_pt for b in markers if b.contains(*own)), default=0.0)
        d = clearance + radius
        best = None
        for rank, where in enumerate(order):
            dx, dy, ha, va = AROUND[where]
            t = ax.annotate(text, (x, y), xytext=(dx * d, dy * d), textcoords="offset points", ha=ha, va=va,
                            fontsize=fontsize, **(options or {}))
            bb = t.get_window_extent(renderer).padded(1.5)  # a little air around each label
            hard = (0 if inside(bb) else 1000) + sum(bb.overlaps(b) for b in taken)
            hard += sum(bb.overlaps(b) for b in markers if not b.contains(*own))
            hard += sum(p.intersects_bbox(bb, filled=False) for p in lines)
            soft = sum(p.intersects_bbox(bb, filled=False) for p in grid)
            score = (hard, soft, rank)
            if best is None or score < best[0]:
                if best is not None:
                    best[1].remove()
                best = (score, t, bb)
            else:
                t.remove()
            if score[:2] == (0, 0):
                break
        (hard, soft, _), t, bb = best
        if soft:
            t.set_bbox(dict(MASK))
        taken.append(bb)
        placed.append(t)
    return placed
