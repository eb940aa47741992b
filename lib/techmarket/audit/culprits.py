"""The registry's routes as a network of constraints, and the printed figures at fault in it.

Each route of a numeric claim (a level, share, multiple, growth rate or change whose printed value
is exact) becomes a :class:`diagnosis.Constraint`: the claim's printed interval must meet what the
route computes from the printed intervals of the facts it reads. Official releases and derived
values in a route are held at their own intervals (they are not printed figures of the paper
that could be misprinted). :func:`diagnosis.diagnose` then finds, for each group of connected
conflicts, the smallest sets of printed figures that, freed, let every route hold.

:func:`verdict_changes` turns the groups into what the audit says of each claim:

- a claim in a smallest diagnosis of its group is ``inconsistent``: alone, it is *the*
  diagnosed misprint, with the value it would need; where several smallest diagnoses compete,
  the claim is one of them and the detail names the others, singling none out;
- a claim whose own value is fine, but one of whose routes fails only because it reads a
  diagnosed figure, stays ``consistent``, with that route listed as explained by the figure;
- larger minimal diagnoses are reported as alternatives (:func:`diagnoses_table`) and flag nothing.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from techmarket.audit.diagnosis import Constraint, Group, diagnose
from techmarket.audit.formula import parse
from techmarket.audit.verdict_rule import meets
from techmarket.data.i18n import Bilingual
from techmarket.data.metrics import Interval, decimals_of, round_half_up, value_interval
from techmarket.data.units import factor_between

NOT_DIAGNOSED_KINDS = ("threshold", "order", "rank", "growth_multiple")  # judged by their own rules


def eligible(claim: pd.Series, fact: pd.Series | None) -> bool:
    """A numeric claim whose printed value is exact: one figure of the network."""
    return fact is not None and claim["kind"] not in NOT_DIAGNOSED_KINDS and fact["qualifier"] == "exact"


def fact_interval(fact: pd.Series) -> Interval:
    """What a printed fact can be, in its own unit (as its routes compute it), as the verdict rule
    reads it."""
    return value_interval(str(fact["value"]), str(fact["unit"]))


def route_constraint(route_id: str, claim_fact: pd.Series, formula: str, sources,
                     figures: dict[str, Interval]) -> Constraint:
    """A route as a constraint. Facts it reads that are figures of the network stay variables
    (converted to the unit the route asks for); everything else is held at its interval."""
    f = parse(formula)
    own = str(claim_fact["fact_id"])
    variables: dict[int, tuple[str, Interval]] = {}  # reference index -> (fact id, conversion factor)
    constants: dict[int, Interval] = {}
    for i, ref in enumerate(f.refs):
        fid = sources.fact_id(ref) if ref.kind in ("fact", "table1") else None
        if fid in figures:
            unit = str(sources.fact_rows[fid]["unit"])
            factor = factor_between(unit, ref.unit) if ref.unit and ref.unit != unit else 1
            variables[i] = (fid, Interval.point(factor))
        else:
            fig = sources.resolve(ref, own)
            constants[i] = fig if isinstance(fig, Interval) else fig.interval

    def evaluate(env) -> Interval:
        return f.evaluate({**constants, **{i: env[fid] * k for i, (fid, k) in variables.items()}})

    inputs = tuple(dict.fromkeys(fid for fid, _ in variables.values()))
    return Constraint(route_id, own, inputs, evaluate, meets)


@dataclass(frozen=True)
class Network:
    figures: dict[str, Interval]
    constraints: list[Constraint]
    groups: list[Group]

    def blamed(self) -> frozenset[str]:
        """The figures of every smallest diagnosis."""
        return frozenset(fid for g in self.groups for d in g.smallest for fid in d.freed)


def network(claims: pd.DataFrame, sources, routes: dict[str, list[str]], fact_of) -> Network:
    """The constraints of every eligible claim's routes, and their diagnosis. Figures: the eligible
    claims' facts and every fact with an exact printed value that their routes read."""
    cases = [(claim, fact) for _, claim in claims.iterrows()
             if eligible(claim, fact := fact_of(claim)) and routes.get(str(claim["claim_id"]))]
    rows = sources.fact_rows
    read = {sources.fact_id(ref) for _, f in cases for formula in routes[str(f["fact_id"])]
            for ref in parse(formula).refs if ref.kind in ("fact", "table1")}
    read = {r for r in read if rows[r]["qualifier"] == "exact"}
    figures = {fid: fact_interval(rows[fid]) for fid in sorted(read | {str(f["fact_id"]) for _, f in cases})}
    constraints = [route_constraint(f"{c['claim_id']}#{i + 1}", f, formula, sources, figures)
                   for c, f in cases for i, formula in enumerate(routes[str(c["claim_id"])])]
    return Network(figures, constraints, diagnose(figures, constraints))


def explained_by(net: Network, route_id: str) -> tuple[str, ...]:
    """The diagnosed figures a failing route reads (empty when the diagnosis does not explain it)."""
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


def verdict_changes(net: Network, facts: pd.DataFrame, failing: dict[str, list[str]]) -> dict[str, Change]:
    """What the diagnosis says of each claim it concerns, by fact id. ``failing``: the route ids
    that fail, by claim."""
    by_id = facts.set_index("fact_id")
    out: dict[str, Change] = {}
    for g in net.groups:
        for d in g.smallest:
            others = [sorted(o.freed) for o in g.smallest if o is not d]
            for fid in sorted(d.freed):
                need = needed_text(by_id.loc[fid], d.needed[fid])
                if g.competing:
                    alt = "; ".join(", ".join(o) for o in others)
                    detail = Bilingual(f"竞争的诊断之一：单独放开此数或 {alt}，所有路径都能成立；此数须为 {need}",
                                       f"one of competing diagnoses: freeing this figure, or instead {alt}, "
                                       f"lets every route hold; this one would need {need}")
                else:
                    detail = Bilingual(f"诊断出的误印：放开此数，所有路径都成立；应为 {need}",
                                       f"diagnosed misprint: with this figure freed every route holds; "
                                       f"it would need {need}")
                out[fid] = Change("inconsistent", detail, need)
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


def diagnoses_table(net: Network, facts: pd.DataFrame) -> pd.DataFrame:
    """Every minimal diagnosis found, one row per freed figure: group, rank by size, smallest or
    alternative, competing, the value needed."""
    by_id = facts.set_index("fact_id")
    rows = []
    for gi, g in enumerate(net.groups, start=1):
        size = len(g.smallest[0].freed) if g.smallest else 0
        for di, d in enumerate(g.diagnoses, start=1):
            for fid in sorted(d.freed):
                rows.append({"group": gi, "diagnosis": di, "size": len(d.freed), "smallest": len(d.freed) == size,
                             "competing": g.competing, "fact_id": fid, "printed": str(by_id.loc[fid, "value"]),
                             "unit": str(by_id.loc[fid, "unit"]), "needed": needed_text(by_id.loc[fid], d.needed[fid]),
                             "group_figures": " ".join(sorted(g.figures))})
    return pd.DataFrame(rows, columns=["group", "diagnosis", "size", "smallest", "competing", "fact_id", "printed",
                                       "unit", "needed", "group_figures"])
