"""Whether freeing some printed figures lets every route hold: the test at the heart of the
diagnosis (:mod:`techmarket.audit.diagnosis`), by box consistency and search over intervals.

A freed figure ranges over its printed value ± max(10^6·|v|, 1) (a slipped digit or a wrong unit,
yet finite). Every route reading a freed figure is checked by interval evaluation, not only the
failing ones (a figure pinned by two other routes cannot be freed); held figures are narrow, so
each route takes their whole interval. The box is shaved (box consistency): each freed figure's
ends move inwards past slices on which a route fails, found by bisection (at 0, at geometric means,
at midpoints). Then a depth-first search splits the box, shaving each part and dropping those on
which a route fails: the candidate is a diagnosis when a part at the resolution survives, or when
a surviving part's midpoint satisfies every route as a point. Parts are not split below 1/100 of a
figure's last printed digit (or 10^-9 of its size, if larger): the answer is exact up to that
resolution. A failed test teaches a conflict: the held figures of the routes that dropped parts.
``needed``: the shaved box, an outer hull of the values each freed figure would need.

A route undefined on a part (division by an interval holding 0, the root of a negative) counts as
failing only at the resolution; a freed figure keeps a resolution away from 0. ``holds`` must be
monotone. A test that runs out of its ``BUDGET`` of checks counts as a diagnosis (blame never rests
on an unfinished test).
"""
from __future__ import annotations

import contextlib
import math
from collections import ChainMap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType

from techmarket.data.metrics import Interval

SPREAD = 10**6  # a freed figure may lie within ± max(SPREAD·|printed value|, 1) of its printed value
RESOLUTION = Fraction(1, 100)  # parts are not split below this share of a figure's last printed digit,
FLOOR = Fraction(1, 10**9)  # nor below this share of its size (of 1 if smaller)
ROUNDS = 8  # each freed figure is shaved at most this many times
BUDGET = 4_000  # checks one test may make
MEMO_SIZE = 20_000  # tests remembered (in one process): an audit of a copy with one figure changed reuses the rest
_MEMO: dict[tuple, object] = {}

Box = tuple[tuple[Fraction, Fraction], ...]


@dataclass(frozen=True)
class Constraint:
    """A route: ``holds(figures[target], evaluate(figures))`` when the route recomputes its claim;
    a constraint without a target (shares of one whole) holds when ``holds(None, evaluate(figures))``."""

    route_id: str
    target: str | None
    inputs: tuple[str, ...]
    evaluate: Callable[[Mapping[str, Interval]], Interval]
    holds: Callable[[Interval | None, Interval], bool]
    key: tuple = ()  # what ``evaluate`` and ``holds`` compute, as data (formula, constants, rule); () if unknown

    @property
    def figures(self) -> frozenset[str]:
        """The figures the route involves: its target and its inputs."""
        return frozenset(self.inputs if self.target is None else (self.target, *self.inputs))


@dataclass(frozen=True)
class Diagnosis:
    """Figures that, freed, let every route hold; ``needed`` holds the values each would need."""

    freed: frozenset[str]
    needed: Mapping[str, Interval] = field(hash=False)


def status(c: Constraint, env: Mapping[str, Interval]) -> bool | None:
    """True when the route can hold, False when it cannot, None when it is undefined there."""
    try:
        return bool(c.holds(None if c.target is None else env[c.target], c.evaluate(env)))
    except (ArithmeticError, ValueError):
        return None


class _OutOfBudget(Exception):
    """A test ran out of checks."""


@dataclass(frozen=True)
class _Problem:
    """The routes touching a candidate's freed figures, and the freed figures' domains and
    resolutions (parts of a figure ``eps`` wide are not split)."""

    figures: Mapping[str, Interval]
    names: tuple[str, ...]
    routes: tuple[Constraint, ...]
    domain: Box
    eps: tuple[Fraction, ...]
    budget: list[int] = field(default_factory=lambda: [BUDGET])  # checks left (this test's own)

    def env(self, box: Box) -> Mapping[str, Interval]:
        return ChainMap({n: Interval(lo, hi) for n, (lo, hi) in zip(self.names, box, strict=True)}, self.figures)

    def order(self, used: set[int], k: int = -1) -> list[int]:
        """The routes to check (those reading freed figure ``k`` if given), the ones that have
        already discarded boxes first: they often do again, and the learnt conflict stays small."""
        idx = [i for i, c in enumerate(self.routes) if k < 0 or self.names[k] in c.figures]
        return sorted(idx, key=lambda i: i not in used)

    def check(self, box: Box, order: Sequence[int]) -> tuple[bool | None, int]:
        """(True, -1) when every route of ``order`` can hold on ``box``; else the verdict and index
        of a route that fails (False) or, failing none, is undefined there (None)."""
        self.budget[0] -= 1
        if self.budget[0] < 0:
            raise _OutOfBudget
        env = self.env(box)
        verdict, culprit = True, -1
        for i in order:
            s = status(self.routes[i], env)
            if s is False:
                return False, i
            if s is None and verdict:
                verdict, culprit = None, i
        return verdict, culprit

    def probe(self, box: Box) -> bool:
        """Whether the box's midpoint satisfies every route (once each figure is within a factor 2)."""
        if not all(0 < lo and hi <= 2 * lo or hi < 0 and lo >= 2 * hi for lo, hi in box):
            return False
        mid = tuple(((lo + hi) / 2,) * 2 for lo, hi in box)
        return self.check(mid, range(len(self.routes)))[0] is True

    def cut(self, k: int, lo: Fraction, hi: Fraction) -> tuple[tuple[Fraction, Fraction], ...]:
        """The two parts of figure ``k``'s interval: split at 0 leaving out (-eps, eps) (a freed
        figure stays clear of 0, so routes dividing by it stay defined), wide intervals at a
        rounded geometric mean, narrow ones at their midpoint."""
        m, e = (lo + hi) / 2, self.eps[k]
        if lo < -e and e < hi:
            return (lo, -e), (e, hi)
        if lo * hi > 0 and max(hi / lo, lo / hi) > 2:
            g = Fraction(f"{math.copysign(math.sqrt(float(lo) * float(hi)), float(lo)):.3g}")
            m = g if lo < g < hi else m
        return (lo, m), (m, hi)

    def split(self, box: Box, culprit: int) -> tuple[Box, Box]:
        """The lower and upper parts of ``box`` along the figure with most splits left, among the
        freed figures of route ``culprit`` when it is undefined on the box."""
        dims = [i for i, (lo, hi) in enumerate(box) if hi - lo > self.eps[i]]
        if culprit >= 0:
            dims = [i for i in dims if self.names[i] in self.routes[culprit].figures] or dims
        k = max(dims, key=lambda i: (box[i][1] - box[i][0]) / self.eps[i])
        low, high = self.cut(k, *box[k])
        return box[:k] + (low,) + box[k + 1:], box[:k] + (high,) + box[k + 1:]

    def guesses(self, box: Box, k: int, upper: bool) -> list[Fraction]:
        """Where figure ``k``'s lowest (highest) value on ``box`` may be, innermost first: the end of
        its printed interval (a figure that is right stays near it) and of each route recomputing it."""
        env, printed = self.env(box), self.figures[self.names[k]]
        ends = [printed.hi if upper else printed.lo]
        for c in (c for c in self.routes if c.target == self.names[k]):
            with contextlib.suppress(ArithmeticError, ValueError):
                ends.append(getattr(c.evaluate(env), "hi" if upper else "lo"))
        return sorted(ends, reverse=not upper)

    def edge(self, box: Box, k: int, upper: bool, used: set[int]) -> Fraction | None:
        """Shave figure ``k``: the lowest (highest) end of a slice of the box, ``eps`` wide in ``k``
        and whole in the others, on which the routes reading ``k`` can hold; None if none. First a
        jump to the innermost guess ruled out beyond; then slices from the end: one ``eps`` wide (an
        end that holds costs one check), growing fourfold after a jump (the edge should be near),
        else the rest; each searched depth first."""
        (lo, hi), eps = box[k], self.eps[k]

        def holds(part: tuple[Fraction, Fraction]) -> bool:
            ok, culprit = self.check(box[:k] + (part,) + box[k + 1:], self.order(used, k))
            if ok is False:
                used.add(culprit)
            return ok is not False

        def first(lo: Fraction, hi: Fraction) -> Fraction | None:
            stack = [(lo, hi, False)]  # (lo, hi, skip its check: its parent held and its twin failed)
            while stack:
                lo, hi, skip = stack.pop()
                final = hi - lo <= eps
                if not skip or final:
                    if not holds((lo, hi)):
                        if stack and stack[-1][2] is None:
                            stack[-1] = (*stack[-1][:2], True)
                        continue
                    if final:
                        return hi if upper else lo
                low, high = self.cut(k, lo, hi)
                one, two = (high, low) if upper else (low, high)
                stack += [(*two, None if not skip else False), (*one, False)]
            return None

        jumped, step = False, eps
        for guess in self.guesses(box, k, upper):
            beyond = (guess + eps, hi) if upper else (lo, guess - eps)
            if lo + 2 * eps < guess < hi - 2 * eps and not holds(beyond):
                lo, hi, jumped = *((lo, beyond[0]) if upper else (beyond[1], hi)), True
                break
        while hi - lo > 4 * step:
            part = (hi - step, hi) if upper else (lo, lo + step)
            found = first(*part)
            if found is not None:
                return found
            lo, hi, step = *((lo, part[0]) if upper else (part[1], hi)), 4 * step
            if not jumped:
                break
        return first(lo, hi)

    def contract(self, box: Box, used: set[int]) -> Box | None:
        """Shave freed figures until the box stops shrinking (a figure is shaved again when one it
        shares a route with has moved); None when the box empties."""
        queue, budget = list(range(len(box))), ROUNDS * len(box)
        while queue and budget:
            k, budget = queue.pop(0), budget - 1
            lo, hi = self.edge(box, k, False, used), self.edge(box, k, True, used)
            if lo is None or hi is None:
                return None
            if lo - box[k][0] > self.eps[k] or box[k][1] - hi > self.eps[k]:
                touched = {n for c in self.routes if self.names[k] in c.figures for n in c.figures}
                queue += [j for j, n in enumerate(self.names) if j != k and n in touched and j not in queue]
            box = box[:k] + ((lo, hi),) + box[k + 1:]
        return box

    def search(self, box: Box, used: set[int]) -> bool:
        """Whether some part of the (shaved) ``box`` survives: depth first, each part shaved before
        it is checked and split; routes that drop parts go to ``used``."""
        stack: list[tuple[Box | None, bool]] = [(box, False)]  # (part, to be shaved)
        while stack:
            part, shave = stack.pop()
            part = self.contract(part, used) if shave else part
            if part is None:
                continue
            ok, culprit = self.check(part, self.order(used))
            is_final = all(hi - lo <= self.eps[i] for i, (lo, hi) in enumerate(part))
            if ok is False or (ok is None and is_final):
                used.add(culprit)
                continue
            if ok and (is_final or self.probe(part)):
                return True
            low, high = self.split(part, culprit if ok is None else -1)
            stack += [(high, True), (low, True)]
        return False


def try_freeing(figures: Mapping[str, Interval], constraints: Sequence[Constraint],
                freed: frozenset[str], statements: frozenset[str] = frozenset()) -> Diagnosis | frozenset[str]:
    """A diagnosis when ``freed`` lets every route hold, else the held figures of the routes that
    ruled it out (a conflict for any diagnosis containing ``freed``). Out of budget: a diagnosis,
    needing the box reached. A freed *statement* (a worded claim) drops the routes that judge it;
    a freed figure printed as a whole number (a count, a rank) is resolved to 1/100 of a unit."""
    dropped = freed & statements
    routes = tuple(c for c in constraints if c.figures & freed and c.target not in dropped)
    memo = _memo_key(figures, routes, freed, dropped)
    if memo is not None and memo in _MEMO:
        return _MEMO[memo]
    result = _try(figures, routes, freed, dropped)
    if memo is not None:
        if len(_MEMO) >= MEMO_SIZE:
            _MEMO.clear()
        _MEMO[memo] = result
    return result


def _memo_key(figures: Mapping[str, Interval], routes: Sequence[Constraint], freed: frozenset[str],
              dropped: frozenset[str]) -> tuple | None:
    """A test depends only on the routes that read the freed figures (what each computes, as data)
    and the printed intervals of the figures they read: the same test in another audit (a copy of
    the data with another figure changed) has the same answer. None when a route is not known as data."""
    if not all(c.key for c in routes):
        return None
    read = sorted(frozenset().union(*(c.figures for c in routes)) - dropped) if routes else []
    return (freed, dropped, tuple((c.route_id, c.target, c.inputs, c.key) for c in routes),
            tuple((n, figures[n]) for n in read))


def _try(figures: Mapping[str, Interval], routes: tuple[Constraint, ...], freed: frozenset[str],
         dropped: frozenset[str]) -> Diagnosis | frozenset[str]:
    names, domain, eps = tuple(sorted(freed - dropped)), [], []
    for iv in (figures[n] for n in names):
        v = (iv.lo + iv.hi) / 2
        half = max(SPREAD * abs(v), Fraction(1))
        domain.append((v - half, v + half))
        eps.append(max((iv.hi - iv.lo) * RESOLUTION if iv.hi > iv.lo else RESOLUTION, FLOOR * max(abs(v), 1)))
    if not names:
        failing = [c for c in routes if not status(c, figures)]
        return Diagnosis(freed, MappingProxyType({})) if not failing else frozenset().union(
            *(c.figures for c in failing)) - freed
    p = _Problem(figures, names, routes, tuple(domain), tuple(eps))
    used: set[int] = set()
    box: Box | None = p.domain
    with contextlib.suppress(_OutOfBudget):
        box = p.contract(p.domain, used)
        if box is None or not p.search(box, used):
            return frozenset().union(*(p.routes[i].figures for i in used)) - freed
    return Diagnosis(freed, MappingProxyType({n: Interval(lo, hi) for n, (lo, hi) in zip(names, box, strict=True)}))
