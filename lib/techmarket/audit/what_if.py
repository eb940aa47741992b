"""What changes when a figure the paper took from a preliminary release is replaced by the final
release: the computation is followed forward, never backward.

Only claims *computed* from the figure change (a ratio, share, multiple, growth rate, rank or
comparison one of whose routes takes it as an input, directly or through a derived value). A
primary figure (a level or a count) that merely appears in a check route of the replaced figure is
not computed from it and never changes. A computed figure that changes is restated as the paper
would print it with the final value (same decimals), and the claims computed from *it* are
followed in turn (transitively: the 2020 R&D → turnover/R&D → its change since 2016).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from techmarket.audit.sources import Sources
from techmarket.data.metrics import Interval, decimals_of, round_half_up


def computed(claim: pd.Series) -> bool:
    """A claim the paper computes from other figures (a ratio, share, multiple, growth rate,
    comparison, rank), as opposed to a primary figure (a level or count in money or units)."""
    return claim["kind"] not in ("level", "count") or claim["unit"] == "%"


@dataclass(frozen=True)
class Consequence:
    """One route of a claim computed from a replaced figure, before and after the replacement."""

    fact_id: str  # the figure a final release replaces
    ext_id: str  # that release
    release: str  # its value and unit, as published
    publisher: str
    claim_id: str
    route_no: int  # 1-based, in the claim's routes
    formula: str
    through: tuple[str, ...]  # the replaced or restated figures the route reads
    before: Interval
    after: Interval
    verdict_before: str
    verdict_after: str
    restated_as: str  # the claim's value as the paper would print it with the final figure ("" if none)


def replaced_sources(sources: Sources, replaced: dict[str, tuple[str, str]]) -> Sources:
    """``sources`` with some facts' printed values replaced (fact id -> (value text, unit)); the
    derived values that rest on them are recomputed."""
    from techmarket.audit.derive import derived_values

    facts = sources.facts.copy()
    for fid, (text, unit) in replaced.items():
        facts.loc[facts["fact_id"] == fid, ["value", "unit"]] = [text, unit]
    derived = sources.derived
    if derived is not None and any(set(inputs) & replaced.keys() for inputs in derived["inputs"]):
        derived = derived_values(facts, sources.external)
    return Sources(facts, sources.external, derived, sources.claims)


def what_changes(fact_id: str, release: pd.Series, claims: pd.DataFrame, sources: Sources,
                 audited: dict[str, tuple], audit_claim: Callable) -> list[Consequence]:
    """Every route of every claim computed from ``fact_id`` (or from a figure restated from it),
    recomputed with the final ``release``. ``audited``: each claim's (verdict, route results) with
    the paper's figures; ``audit_claim(claim, sources)`` gives the same with other sources."""
    replaced = {fact_id: (str(release["value_text"]), str(release["unit"]))}
    done: set[str] = {fact_id}
    out: list[Consequence] = []
    while True:
        swapped = replaced_sources(sources, replaced)
        restated: dict[str, tuple[str, str]] = {}
        for claim in claims.to_dict("records"):
            cid = str(claim["claim_id"])
            if cid in done or not computed(claim) or (claim["fact_id"] and claim["fact_id"] in replaced):
                continue
            before, before_r = audited[cid]
            reading = [i for i, r in enumerate(before_r) if r.lineage & replaced.keys()]
            if not reading:
                continue
            done.add(cid)
            after, after_r = audit_claim(claim, swapped)
            text = ""
            fact = sources.fact_of(claim)
            if fact is not None and claim["kind"] not in ("rank", "threshold", "order"):
                d = decimals_of(str(fact["value"]))
                text = f"{round_half_up(repr(after_r[reading[0]].point), d):.{d}f}"
                restated[str(fact["fact_id"])] = (text, str(fact["unit"]))
            out += [Consequence(fact_id, str(release["ext_id"]), f"{release['value_text']} {release['unit']}",
                                str(release["publisher"]), cid, i + 1, after_r[i].formula,
                                tuple(sorted(after_r[i].lineage & replaced.keys())), before_r[i].interval,
                                after_r[i].interval, before.verdict, after.verdict, text) for i in reading]
        if not restated:
            return out
        replaced.update(restated)
