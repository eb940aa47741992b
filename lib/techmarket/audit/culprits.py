"""The printed figures (and worded claims) at fault in the constraint model of the whole paper.

:func:`network` builds the model (:mod:`techmarket.audit.model`: every printed figure a variable,
every route, rank, comparison and partition a constraint) and diagnoses it
(:func:`techmarket.audit.diagnosis.diagnose`: for each group of connected conflicts, the
minimum-cardinality sets of suspects that, freed, let every constraint hold).

:func:`verdict_changes` turns the groups into what the audit says of each claim:

- a suspect in a smallest diagnosis of its group is ``inconsistent``: alone, it is *the*
  diagnosed misprint (or wrongly worded claim), with the value it would need; where several
  smallest diagnoses compete, it is one of them, the detail names the others and what would
  decide between them (:mod:`techmarket.audit.ties`);
- a claim whose failing routes all read a diagnosed suspect is explained by it, not flagged: it
  stays ``consistent`` (or keeps its own verdict on its wording), and the detail says so;
- larger minimal diagnoses are reported as alternatives (:func:`diagnoses_table`) and flag nothing.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from techmarket.audit.box_search import Constraint, status
from techmarket.audit.diagnosis import Group, diagnose
from techmarket.audit.model import Model, build, fact_interval
from techmarket.audit.ties import decider, why_undecided
from techmarket.data.i18n import Bilingual
from techmarket.data.metrics import Interval, decimals_of, round_half_up

__all__ = ["Change", "Network", "diagnoses_table", "explained_by", "fact_interval", "network", "verdict_changes"]


@dataclass(frozen=True)
class Network:
    model: Model
    groups: list[Group]
    failing: dict[str, bool]  # route id -> fails with every figure held

    @property
    def constraints(self) -> list[Constraint]:
        return self.model.constraints

    def blamed(self) -> frozenset[str]:
        """The suspects of every smallest diagnosis."""
        return frozenset(fid for g in self.groups for d in g.smallest for fid in d.freed)


def network(claims: pd.DataFrame, sources, routes: dict[str, list[str]]) -> Network:
    """The model of the whole paper and its diagnosis."""
    model = build(claims, sources, routes)
    groups = diagnose(model.figures, model.constraints, statements=model.statements)
    failing = {c.route_id: not status(c, model.figures) for c in model.constraints}
    return Network(model, groups, failing)


def explained_by(net: Network, route_id: str) -> tuple[str, ...]:
    """The diagnosed suspects a failing route involves (empty when the diagnosis does not explain it)."""
    routes = {c.route_id: c for c in net.constraints}
    if route_id not in routes:
        return ()
    return tuple(sorted(routes[route_id].figures & net.blamed()))


def needed_text(fact: pd.Series, needed: Interval) -> str:
    """The values a diagnosed figure would need, at the precision the paper prints it."""
    d = decimals_of(str(fact["value"]))
    lo, hi = round_half_up(float(needed.lo), d), round_half_up(float(needed.hi), d)
    return f"{lo}" if lo == hi else f"{lo}–{hi}"


@dataclass(frozen=True)
class Change:
    verdict: str
    detail: Bilingual
    needed: str = ""


def _need(net: Network, facts: pd.DataFrame, d, suspect: str) -> str:
    return "" if suspect in net.model.statements else needed_text(facts.loc[suspect], d.needed[suspect])


def _suspect_detail(net: Network, g: Group, d, suspect: str, need: str, dec) -> Bilingual:
    worded = suspect in net.model.statements
    if not g.competing:
        if worded:
            return Bilingual("诊断出的错误表述：此论断与论文所印数字不符，放开它所有路径都成立",
                             "diagnosed wording: the claim does not hold against the figures the paper prints; "
                             "with it set aside every route holds")
        return Bilingual(f"诊断出的误印：放开此数，所有路径都成立；应为 {need}",
                         f"diagnosed misprint: with this figure freed every route holds; it would need {need}")
    alt = "; ".join(", ".join(sorted(o.freed)) for o in g.smallest if o is not d)
    own = (Bilingual("此论断的表述有误", "this claim's wording is wrong") if worded else
           Bilingual(f"此数须为 {need}", f"this one would need {need}"))
    parts = [Bilingual(f"竞争的诊断之一：单独放开此项或 {alt}，所有路径都能成立；{own.zh}",
                       f"one of competing diagnoses: freeing this, or instead {alt}, lets every route hold; "
                       f"{own.en}")]
    if dec is not None:
        parts.append(dec.text)
    return Bilingual.join(parts)


def verdict_changes(net: Network, facts: pd.DataFrame, failing: dict[str, list[str]],
                    derived: pd.DataFrame | None = None) -> dict[str, Change]:
    """What the diagnosis says of each claim it concerns, by claim id (a printed figure's claim
    has its fact's id). ``failing``: the route ids that fail, by claim."""
    by_id = facts.set_index("fact_id")
    out: dict[str, Change] = {}
    for g in net.groups:
        dec = decider(g.smallest, net.model, derived) if g.competing else None
        for d in g.smallest:
            for suspect in sorted(d.freed):
                need = _need(net, by_id, d, suspect)
                out[suspect] = Change("inconsistent", _suspect_detail(net, g, d, suspect, need, dec), need)
    for claim_id, route_ids in failing.items():
        if claim_id in out or not route_ids:
            continue
        culprits = [explained_by(net, r) for r in route_ids]
        if all(culprits):
            names = ", ".join(sorted({f for c in culprits for f in c}))
            out[claim_id] = Change("consistent", Bilingual(
                f"{len(route_ids)}条路径不成立，均因读取了诊断出的误印 {names}；其余路径一致",
                f"{len(route_ids)} route(s) fail only through the diagnosed figure {names}; the others agree"))
    return out


def diagnoses_table(net: Network, facts: pd.DataFrame, derived: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every minimal diagnosis found, one row per freed suspect: group, rank by size, smallest or
    alternative, competing, the value needed; for competing groups, what would decide and why the
    paper cannot."""
    by_id = facts.set_index("fact_id")
    rows = []
    for gi, g in enumerate(net.groups, start=1):
        size = len(g.smallest[0].freed) if g.smallest else 0
        dec = decider(g.smallest, net.model, derived) if g.competing else None
        why = why_undecided(g.smallest, net.model, net.failing) if g.competing else Bilingual("", "")
        for di, d in enumerate(g.diagnoses, start=1):
            for fid in sorted(d.freed):
                worded = fid in net.model.statements
                rows.append({"group": gi, "diagnosis": di, "size": len(d.freed), "smallest": len(d.freed) == size,
                             "competing": g.competing, "fact_id": fid, "suspect": fid, "statement": worded,
                             "printed": "" if worded else str(by_id.loc[fid, "value"]),
                             "unit": "" if worded else str(by_id.loc[fid, "unit"]),
                             "needed": _need(net, by_id, d, fid), "group_figures": " ".join(sorted(g.figures)),
                             "decider": dec.ident if dec else "", "decider_text": dec.text.en if dec else "",
                             "decider_text_zh": dec.text.zh if dec else "", "why_undecided": why.en,
                             "why_undecided_zh": why.zh})
    return pd.DataFrame(rows, columns=["group", "diagnosis", "size", "smallest", "competing", "fact_id", "suspect",
                                       "statement", "printed", "unit", "needed", "group_figures", "decider",
                                       "decider_text", "decider_text_zh", "why_undecided", "why_undecided_zh"])
