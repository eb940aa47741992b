"""Consistency-based diagnosis of misprinted figures, on small networks worked out by hand.

Every printed figure stands for its rounding interval: 3465.92 is [3465.915, 3465.925), 3.13 is
[3.125, 3.135), 3200 is [3199.5, 3200.5). The bounds in the comments below come from those
intervals by hand (a pocket calculator), not from the module.
"""
from __future__ import annotations

import time
from fractions import Fraction as F

import pytest

from techmarket.audit.diagnosis import Constraint, Diagnosis, Group, conflicts, diagnose
from techmarket.data.metrics import Interval, cagr

P = Interval.printed


def meets(domain: Interval, value: Interval) -> bool:
    return domain.intersects(value)


def route(rid: str, target: str, inputs: str, formula, holds=meets) -> Constraint:
    return Constraint(rid, target, tuple(inputs.split()), formula, holds)


def freed_sets(group: Group) -> list[set[str]]:
    return [set(d.freed) for d in group.diagnoses]


def assert_hull(needed: Interval, lo: float, hi: float, slack: float, rounding: float) -> None:
    """``needed`` holds [lo, hi] (hand bounds, off by at most ``rounding``) and is wider by at most
    ``slack`` at each end: it is an outer hull, up to the resolution of the search."""
    assert lo - slack <= float(needed.lo) <= lo + rounding
    assert hi - rounding <= float(needed.hi) <= hi + slack


# --- one misprint ---------------------------------------------------------------------------
# T = 3465.92 (turnover), G = 110760.94 (GDP), R = 3200 (R&D), r_G = 3.13 = T/G in %, r_R = 2.90 =
# R/G in %, misprinted: 3200 / 110760.94 * 100 = 2.8891... prints as 2.89.
FIGURES = {"T": P("3465.92"), "G": P("110760.94"), "R": P("3200"), "r_G": P("3.13"), "r_R": P("2.90")}
ROUTES = [
    route("r_G#1", "r_G", "T G", lambda e: e["T"] / e["G"] * 100),
    route("r_R#1", "r_R", "R G", lambda e: e["R"] / e["G"] * 100),
    route("G#1", "G", "T r_G", lambda e: e["T"] / (e["r_G"] / 100)),
    route("G#2", "G", "R r_R", lambda e: e["R"] / (e["r_R"] / 100)),
    route("R#1", "R", "r_R G", lambda e: e["r_R"] / 100 * e["G"]),
    route("T#1", "T", "r_G G", lambda e: e["r_G"] / 100 * e["G"]),
]
# R is pinned by a second pair: R_prev = 2500 and growth g = 28.0 %: R in [2499.5 * 1.2795,
# 2500.5 * 1.2805) = [3198.11, 3201.89), and (R / R_prev - 1) * 100 in [27.955, 28.046) holds.
PINNED = {**FIGURES, "R_prev": P("2500"), "g": P("28.0")}
PINNED_ROUTES = ROUTES + [
    route("R#2", "R", "R_prev g", lambda e: e["R_prev"] * (1 + e["g"] / 100)),
    route("g#1", "g", "R R_prev", lambda e: (e["R"] / e["R_prev"] - 1) * 100),
]


def test_one_misprint_has_one_smallest_diagnosis_with_the_value_it_needs():
    (group,) = diagnose(PINNED, PINNED_ROUTES)
    # r_R freed: r_R#1, G#2 and R#1 all ask r_R = 100 R / G, in
    # [3199.5 / 110760.945, 3200.5 / 110760.935] * 100 = [2.888654, 2.889557]
    assert group.blamed == {"r_R"} and not group.competing
    (best,) = group.smallest
    needed = best.needed["r_R"]
    assert 2.889 in needed and 2.895 not in needed
    assert_hull(needed, 2.888654, 2.889557, slack=2e-4, rounding=1e-6)  # resolution: 0.01 / 100


def test_a_figure_pinned_by_two_other_routes_is_not_a_diagnosis():
    # G freed: T and r_G put it in [3465.915 / 0.03135, 3465.925 / 0.03125] = [110555.50, 110909.60],
    # R and r_R in [3199.5 / 0.02905, 3200.5 / 0.02895] = [110137.69, 110552.68]: disjoint.
    # R freed: r_R and G ask R in [0.02895 * 110760.935, 0.02905 * 110760.945] = [3206.53, 3217.61],
    # R_prev and g in [3198.11, 3201.89): disjoint.
    (group,) = diagnose(PINNED, PINNED_ROUTES)
    assert {"G"} not in freed_sets(group) and {"R"} not in freed_sets(group)
    # Freeing T as well unpins G: G in [110137.69, 110552.68], T = r_G G / 100 follows. T is in no
    # failing route, so {G, T} is found only through the conflict learnt when {G} failed.
    both = next(d for d in group.diagnoses if d.freed == {"G", "T"})
    assert_hull(both.needed["G"], 110137.69, 110552.68, slack=2e-4, rounding=0.01)


def test_without_the_second_pin_the_round_figure_competes_with_the_ratio():
    # In the network as first drawn, nothing but r_R and G constrains R: R = 3210 would fit as well
    # as r_R = 2.889. The data cannot tell which was misprinted.
    (group,) = diagnose(FIGURES, ROUTES)
    assert [set(d.freed) for d in group.smallest] == [{"R"}, {"r_R"}] and {"G"} not in freed_sets(group)
    assert group.competing and group.blamed == set()
    r = next(d for d in group.smallest if d.freed == {"R"}).needed["R"]
    assert_hull(r, 3206.53, 3217.605, slack=0.02, rounding=0.005)  # resolution: 1 / 100


def test_cascade_three_routes_fail_but_one_figure_is_blamed():
    # With every figure held: r_R#1 gives 2.8887-2.8896, not 2.90; G#2 gives [110137.69, 110552.68],
    # not 110760.94; R#1 gives [3206.53, 3217.61], not 3200. r_G#1 (3.1292 -> 3.13), G#1
    # ([110555.50, 110909.60]), T#1 ([3461.28, 3472.36]) and the R_prev routes hold.
    failing = [c.route_id for c in PINNED_ROUTES if not c.holds(PINNED[c.target], c.evaluate(PINNED))]
    assert failing == ["r_R#1", "G#2", "R#1"]
    assert conflicts(PINNED, PINNED_ROUTES) == [frozenset({"r_R", "R", "G"})]
    groups = diagnose(PINNED, PINNED_ROUTES)
    (group,) = groups
    assert group.figures == {"r_R", "R", "G"} and group.blamed == {"r_R"}
    assert all(c.figures & group.blamed for c in PINNED_ROUTES if c.route_id in failing)
    assert not PINNED_ROUTES[0].figures & group.blamed  # r_G#1 reads neither r_R nor anything blamed


# --- two competing explanations ---------------------------------------------------------------
# A multiple m = 3.36 over 4 years and a CAGR c = 36.36 %: (1 + c/100)^4 is in [1.36355^4, 1.36365^4]
# = [3.45688, 3.45789], and 100 (m^(1/4) - 1) in [35.339, 35.440]: each contradicts the other.
MC = {"m": P("3.36"), "c": P("36.36")}
MC_ROUTES = [
    route("m#1", "m", "c", lambda e: (1 + e["c"] / 100) ** 4),
    route("c#1", "c", "m", lambda e: cagr(1, e["m"], 4)),
]


def test_two_competing_explanations_blame_nobody():
    (group,) = diagnose(MC, MC_ROUTES)
    assert freed_sets(group) == [{"c"}, {"m"}]
    assert group.competing and group.blamed == set()
    assert_hull(group.diagnoses[1].needed["m"], 3.45688, 3.45789, slack=2e-4, rounding=1e-5)
    assert_hull(group.diagnoses[0].needed["c"], 35.339, 35.440, slack=2e-4, rounding=1e-3)


def test_independent_misprints_are_diagnosed_apart():
    # The pinned network and the m/c pair share no figure: two groups, each with the diagnoses it has
    # alone (not the cross product: 1 x 2 smallest would make two joint explanations of size 2).
    start = time.perf_counter()
    groups = diagnose({**PINNED, **MC}, PINNED_ROUTES + MC_ROUTES)
    elapsed = time.perf_counter() - start
    alone = diagnose(PINNED, PINNED_ROUTES) + diagnose(MC, MC_ROUTES)
    assert [g.figures for g in groups] == [frozenset({"G", "R", "r_R"}), frozenset({"c", "m"})]
    assert [freed_sets(g) for g in groups] == [freed_sets(g) for g in alone]
    assert [len(g.smallest) for g in groups] == [1, 2]
    assert elapsed < 5  # well under a second on a quiet machine; generous for shared CI


def test_consistent_network_has_no_groups():
    # r_R printed right: 3200 / 110760.94 * 100 = 2.8891 -> 2.89; G from R and r_R in
    # [3199.5 / 0.02895, 3200.5 / 0.02885] = [110518.13, 110935.88] holds G; R from r_R and G in
    # [3195.45, 3206.53] holds 3200.
    right = {**PINNED, "r_R": P("2.89")}
    assert conflicts(right, PINNED_ROUTES) == []
    assert diagnose(right, PINNED_ROUTES) == []


# --- size limit -------------------------------------------------------------------------------
# u = 1.00, w = 2.00, x = 3.00, y = 5.00, s = 6.00 with x = 2u, y = 2w, s = x + y: all three fail
# (2u in [1.99, 2.01), 2w in [3.99, 4.01), x + y in [7.99, 8.01)). Conflicts {x, u}, {y, w},
# {s, x, y}: no figure is in all three. Pairs hitting them: {x, y} (x = 2, y = 4, s = 6: holds);
# {x, w} (x = 2u = 2 but s - y = 1: no); {u, y} (y = 2w = 4 but s - x = 3: no). Minimal triples:
# {u, w, s} (u = 1.5, w = 2.5, s = 8), {x, w, s} (x = 2, w = 2.5, s = 7), {u, y, s} (u = 1.5,
# y = 4, s = 7), {u, w, x} (x = s - y = 1, u = 0.5, w = 2.5), {u, w, y} (y = s - x = 3, w = 1.5,
# u = 1.5); the rest contain {x, y} or miss a conflict.
SUM = {"u": P("1.00"), "w": P("2.00"), "x": P("3.00"), "y": P("5.00"), "s": P("6.00")}
SUM_ROUTES = [
    route("x#1", "x", "u", lambda e: e["u"] * 2),
    route("y#1", "y", "w", lambda e: e["w"] * 2),
    route("s#1", "s", "x y", lambda e: e["x"] + e["y"]),
]


def test_max_size_bounds_the_diagnoses_searched():
    (one,) = diagnose(SUM, SUM_ROUTES, max_size=1)
    assert one.diagnoses == () and one.smallest == () and not one.competing and one.blamed == set()
    (two,) = diagnose(SUM, SUM_ROUTES, max_size=2)
    assert freed_sets(two) == [{"x", "y"}] and two.blamed == {"x", "y"}
    assert 2 in two.diagnoses[0].needed["x"] and 4 in two.diagnoses[0].needed["y"]
    (three,) = diagnose(SUM, SUM_ROUTES, max_size=3)  # smallest first, ties by their sorted ids
    assert freed_sets(three) == [{"x", "y"}, {"s", "u", "w"}, {"s", "u", "y"}, {"s", "w", "x"},
                                 {"u", "w", "x"}, {"u", "w", "y"}]


# --- the holds rule ---------------------------------------------------------------------------
def above(bound: Interval, value: Interval) -> bool:
    """'more than <bound>': some value of the route lies above the bound."""
    return value.hi > bound.lo


def test_holds_rule_is_respected():
    # L: "more than 3000", checked against T = 3465.92: holds as a bound, fails as an equality.
    figures = {"L": Interval.point(3000), "T": P("3465.92")}
    assert diagnose(figures, [route("L#1", "L", "T", lambda e: e["T"], above)]) == []
    assert len(diagnose(figures, [route("L#1", "L", "T", lambda e: e["T"])])) == 1
    # T2 = 2900.00 is not above 3000. Freed, T2 would need to exceed 3000 (any amount above will do:
    # up to the top of its domain, 2900 + 10^6 * 2900); the bound would need to be below 2900.005.
    figures = {"L": Interval.point(3000), "T2": P("2900.00")}
    (group,) = diagnose(figures, [route("L#1", "L", "T2", lambda e: e["T2"], above)])
    assert freed_sets(group) == [{"L"}, {"T2"}] and group.competing
    t2 = next(d for d in group.diagnoses if d.freed == {"T2"}).needed["T2"]
    assert 3000 - F("1e-4") <= t2.lo <= 3000 and t2.hi > 10**9  # resolution: 0.01 / 100
    bound = next(d for d in group.diagnoses if d.freed == {"L"}).needed["L"]
    assert F("2900.005") <= bound.hi <= F("2900.005") + F("1e-5") and bound.lo < -10**9  # 10^-9 of 3000


def test_routes_must_read_known_figures_and_diagnoses_are_hashable():
    with pytest.raises(ValueError, match="not given"):
        diagnose({"a": P("1.0")}, [route("a#1", "a", "b", lambda e: e["b"])])
    d = Diagnosis(frozenset({"a"}), {"a": Interval(F(1), F(2))})
    assert d in {d}
