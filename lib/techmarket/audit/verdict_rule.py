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
