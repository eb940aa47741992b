"""The one rule that judges a printed value against a recomputed interval.

The claims audit (:mod:`techmarket.audit.judge`) and the diagnosis of the figures at fault
(:mod:`techmarket.audit.culprits`) judge with :func:`meets`; the notebooks' "paper versus recomputation"
tables show the audit's verdicts and judge nothing themselves:

- a printed value stands for every number that rounds to it (``metrics.value_interval``: half a
  unit of its last printed digit either side; a whole count is exact);
- an exact or approximate value holds when some recomputed number rounds to it (the intervals
  meet);
- a lower bound ("1 300余家", more than 1 300) holds when the recomputation can exceed it, an
  upper bound ("最高600万元") when it can fall below it.
"""
from __future__ import annotations

from techmarket.data.metrics import Interval


def meets(printed: Interval, computed: Interval, qualifier: str = "exact") -> bool:
    """Does a recomputed interval support a printed value's interval, given its qualifier?"""
    if qualifier == "lower_bound":
        return computed.hi > printed.lo
    if qualifier == "upper_bound":
        return computed.lo < printed.hi
    return printed.intersects(computed)


def comparison(reported: str) -> tuple[str, str] | None:
    """A worded comparison's operator and threshold (``"> 0"`` → ``(">", "0")``); None for a number."""
    return (reported[0], reported[2:]) if reported[:1] in ("<", ">") else None


def can_hold(kind: str, reported: str, qualifier: str = "exact"):
    """The same rule as a constraint of the diagnosis: whether a claim (its printed value, or the
    threshold of its comparison, standing for ``target``) *can* hold against what a route computes,
    for some admissible value of each. It is what :func:`meets` asks of a number; a comparison can
    hold when some computed value lies on its side of the threshold, a rank when the ranks the
    route allows include the printed one, "增长了X倍" when either reading fits. Undecided within
    rounding is not a failure."""
    op = comparison(reported)
    if kind in ("threshold", "order") and op is not None:
        if op[0] == ">":
            return lambda target, computed: computed.hi > target.lo
        return lambda target, computed: computed.lo < target.hi
    if kind == "growth_multiple":
        return lambda target, computed: target.intersects(computed) or target.intersects(computed - 1)
    if kind == "rank":
        return lambda target, computed: target.intersects(computed)
    return lambda target, computed: meets(target, computed, qualifier)


def within_whole(total: Interval, complete: bool) -> bool:
    """Shares of one whole, summed (``total``, in %): at most 100 % within rounding, and 100 % within
    rounding when the parts make up the whole."""
    hundred = Interval.point(100)
    return hundred.intersects(total) if complete else total.lo <= 100
