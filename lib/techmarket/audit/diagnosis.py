"""Which printed figures are at fault: consistency-based diagnosis over the routes between figures.

One misprint makes every route reading it look wrong ("cascades"). After Reiter (1987) and de Kleer
& Williams' GDE, a *diagnosis* is a set of figures such that, with those figures *freed* (any value)
and every other one *held* to its printed interval, all routes can hold at once. The method:

1. Each route failing with every figure held gives a *conflict*: its target and inputs.
2. Conflicts sharing figures form a *group*, diagnosed on its own (independent problems do not
   multiply each other's alternatives).
3. Candidates come from Reiter's hitting-set tree, breadth first up to ``max_size``: a candidate
   missing a known conflict branches on its figures; supersets of diagnoses are skipped; one that
   hits every known conflict is tested.
4. Test (:func:`box_search.try_freeing`): with the candidate's figures freed over a wide range
   and every other figure held, can every route reading a freed figure hold at once? Interval
   evaluation, box consistency and a depth-first search decide it, exactly up to a resolution
   below a figure's last printed digit; ``needed`` is the box of values each freed figure would
   need.
5. A failed test teaches a conflict: the held figures of the routes that ruled it out. It binds
   only candidates containing the tested one (holding a figure checks each route on its whole
   interval; freeing it asks one value to satisfy every route). With these conflicts the tree
   yields exactly the minimal diagnoses up to ``max_size``.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from techmarket.audit.box_search import Constraint, Diagnosis, status, try_freeing
from techmarket.data.metrics import Interval

__all__ = ["Constraint", "Diagnosis", "Group", "conflicts", "diagnose"]


@dataclass(frozen=True)
class Group:
    """One set of connected conflicts, diagnosed on its own."""

    figures: frozenset[str]
    conflicts: tuple[frozenset[str], ...]
    diagnoses: tuple[Diagnosis, ...]

    @property
    def smallest(self) -> tuple[Diagnosis, ...]:
        """The diagnoses of minimum size."""
        size = min((len(d.freed) for d in self.diagnoses), default=0)
        return tuple(d for d in self.diagnoses if len(d.freed) == size)

    @property
    def competing(self) -> bool:
        """More than one smallest diagnosis: the data cannot tell which figure is wrong."""
        return len(self.smallest) > 1

    @property
    def blamed(self) -> frozenset[str]:
        """The figures of the smallest diagnosis when it is unique; empty when several compete."""
        return self.smallest[0].freed if len(self.smallest) == 1 else frozenset()


def conflicts(figures: Mapping[str, Interval], constraints: Iterable[Constraint]) -> list[frozenset[str]]:
    """The conflict of each route that fails with every figure held (its target and inputs),
    without repeats, in the order of the routes."""
    return list(dict.fromkeys(c.figures for c in constraints if not status(c, figures)))


def _unmet(cand: frozenset[str], initial: list[frozenset[str]],
           learnt: list[tuple[frozenset[str], frozenset[str]]]) -> frozenset[str] | None:
    """The smallest known conflict ``cand`` must hit and does not (None when it hits them all)."""
    missed = [c for c in initial if not c & cand]
    missed += [c for f, c in learnt if f <= cand and not c & cand]
    return min(missed, key=lambda c: (len(c), sorted(c))) if missed else None


def _diagnose_group(figures: Mapping[str, Interval], constraints: Sequence[Constraint],
                    initial: list[frozenset[str]], max_size: int, statements: frozenset[str]) -> list[Diagnosis]:
    """Reiter's hitting-set tree, breadth first, with conflicts learnt from failed candidates."""
    found: list[Diagnosis] = []
    learnt: list[tuple[frozenset[str], frozenset[str]]] = []
    level: set[frozenset[str]] = {frozenset()}
    for size in range(max_size + 1):
        if found and size > len(found[0].freed) + 1:
            break  # the smallest diagnoses, and the alternatives one larger: enough to read them by
        nxt: set[frozenset[str]] = set()
        for cand in sorted(level, key=sorted):
            if any(d.freed <= cand for d in found):
                continue
            unmet = _unmet(cand, initial, learnt)
            if unmet is None:
                result = try_freeing(figures, constraints, cand, statements)
                if isinstance(result, Diagnosis):
                    found.append(result)
                    continue
                learnt.append((cand, result))
                unmet = result
            if size < max_size:
                nxt.update(cand | {x} for x in unmet)
        level = nxt
    return sorted(found, key=lambda d: (len(d.freed), sorted(d.freed)))


def diagnose(figures: Mapping[str, Interval], constraints: Sequence[Constraint], max_size: int = 3,
             statements: frozenset[str] = frozenset()) -> list[Group]:
    """Groups of connected conflicts, each with all its minimal diagnoses of at most ``max_size``
    suspects (smallest first, ties by ids); no groups when every route holds. ``statements``: the
    suspects that are worded claims (freeing one drops the routes that judge it)."""
    unknown = sorted({f for c in constraints for f in c.figures} - set(figures))
    if unknown:
        raise ValueError(f"routes read figures that are not given: {', '.join(unknown)}")
    found = conflicts(figures, constraints)
    components: list[set[str]] = []
    for conflict in found:
        merged = set(conflict).union(*(comp for comp in components if comp & conflict))
        components = [comp for comp in components if not comp & conflict] + [merged]
    groups = []
    for comp in sorted(components, key=sorted):
        initial = [c for c in found if c <= comp]
        minimal = sorted({c for c in initial if not any(o < c for o in initial)}, key=lambda c: (len(c), sorted(c)))
        diagnoses = _diagnose_group(figures, constraints, initial, max_size, statements)
        groups.append(Group(frozenset(comp), tuple(minimal), tuple(diagnoses)))
    return groups
