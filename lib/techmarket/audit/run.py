"""The claims audit: every quantitative claim of the paper, recomputed by every independent route,
with a verdict that respects printed precision, and a second verdict against official releases.

Verdicts (``VERDICTS``):

- ``consistent``: every route's interval meets the claim's printed interval (for a rank, the
  ranks the route allows are exactly the claimed one; for a comparison, it holds for every
  admissible input), or the routes that fail read a figure the diagnosis blames
  (:mod:`techmarket.audit.culprits`), and the detail says so;
- ``inconsistent``: some route cannot be reconciled with the printed value at any admissible
  input; for a numeric claim with an exact printed value, only when the claim is in a smallest
  diagnosis of its group of conflicts (alone, or competing with others), with the value it would
  need (column ``needed``);
- ``ambiguous_wording``: "增长了X倍" fits exactly one of its two readings (ratio X, or X+1)
  and the audit says which;
- ``undecidable``: rounding leaves the comparison or rank open;
- ``primary``: nothing else in the paper or the official releases can check the claim.

A consistent claim checked only against the same figure printed elsewhere in the paper is marked
``restated`` ("consistent (restated)"), distinct from an independent recomputation.

External verdicts (``EXTERNAL_VERDICTS``): ``confirmed`` (a final release agrees within
rounding), ``confirmed_preliminary`` (only preliminary or rounded releases, and they agree), ``disputed``
(final releases disagree among themselves; the paper matches one of them),
``contradicted`` (a final release differs: the audit recomputes every claim computed from the
figure with the final value and reports, route by route, what changes), ``overturned_by_final``
(the claim itself is computed from a figure a final release contradicts, and no longer holds
with the final value), ``differs_from_preliminary`` (only a preliminary release, and it differs),
``not_covered``. Every verdict is judged by :mod:`techmarket.audit.verdict_rule`.

:func:`run_audit` returns an :class:`AuditResult`: tables of claims, routes, diagnoses, releases
and what-if changes with typed columns. The claims table also carries the text columns readers of
``make verify``'s CSV know (``detail``, ``arithmetic``, ``external_detail``), written by
:mod:`techmarket.audit.text` from the other tables; nothing parses them back.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from techmarket.audit.claim_routes import routes as claim_routes
from techmarket.audit.culprits import Change, diagnoses_table, explained_by, network, verdict_changes
from techmarket.audit.external_checks import EXTERNAL_VERDICTS, comparable, external_verdict, release_table
from techmarket.audit.formula import FormulaError, spelled
from techmarket.audit.judge import RouteResult, Verdict, fmt, judge
from techmarket.audit.sources import Sources
from techmarket.audit.text import claim_texts
from techmarket.audit.what_if import Consequence, what_changes
from techmarket.data.errors import TechmarketError

VERDICTS = ("inconsistent", "ambiguous_wording", "undecidable", "consistent", "primary")
ROUTE_COLUMNS = ["claim_id", "route_no", "formula", "formula_ids", "inputs", "arithmetic", "lo", "hi", "point",
                 "shown", "holds", "explained_by", "restatement"]
CHANGE_COLUMNS = ["fact_id", "ext_id", "release", "publisher", "claim_id", "route_no", "formula", "through",
                  "before", "after",
                  "before_lo", "before_hi", "after_lo", "after_hi", "verdict_before", "verdict_after", "restated_as"]


class CircularRouteError(TechmarketError, ValueError):
    """A route that uses the claim's own figure, directly or through a derived value."""


def evaluate_route(formula: str, sources: Sources, own_fact: str | None = None, claim_id: str = "") -> RouteResult:
    """Evaluate a route formula; refuse it if it rests on ``own_fact``. Errors name the claim and
    the formula as the registry writes them."""
    where = f"claim {claim_id or own_fact}, route {formula!r}"
    try:
        ev = sources.evaluate(formula, own_fact=own_fact)
    except FormulaError as err:
        raise FormulaError(f"{where}: {err.reason}") from None
    if own_fact and own_fact in ev.facts:
        raise CircularRouteError(f"{where} rests on the claim's own figure {own_fact}")
    labels = [f.label if f is not None else str(sources.resolve(r, own_fact).lo)
              for f, r in zip(ev.figures, ev.formula.refs, strict=True)]
    return RouteResult(formula, ev.interval, ev.point, spelled(ev.formula, labels), ev.facts, ev)


def audit_claim(claim: pd.Series, sources: Sources, routes: dict[str, list[str]] | None = None
                ) -> tuple[Verdict, list[RouteResult]]:
    """One claim's routes evaluated and judged (before the diagnosis)."""
    routes = claim_routes(sources) if routes is None else routes
    fact = sources.fact_of(claim)
    qualifier = str(fact["qualifier"]) if fact is not None else "exact"
    cid = str(claim["claim_id"])
    results = [evaluate_route(f, sources, own_fact=claim["fact_id"] or None, claim_id=cid) for f in routes.get(cid, [])]
    return judge(claim, qualifier, results), results


@dataclass(frozen=True)
class AuditResult:
    """What the audit found, as tables (text only in the claims table's reader columns)."""

    claims: pd.DataFrame  # one row per claim: verdicts, needed value, and the reader columns
    routes: pd.DataFrame  # one row per route of a claim (ROUTE_COLUMNS)
    diagnoses: pd.DataFrame  # one row per freed figure of each minimal diagnosis
    releases: pd.DataFrame  # one row per (claim, official release compared)
    changes: pd.DataFrame  # one row per route that changes with a final release (CHANGE_COLUMNS)

    def claim(self, claim_id: str) -> pd.Series:
        """One claim's row."""
        rows = self.claims[self.claims["claim_id"] == claim_id]
        if rows.empty:
            raise KeyError(f"no claim {claim_id} in the audit")
        return rows.iloc[0]


def run_audit(claims: pd.DataFrame | None = None, facts: pd.DataFrame | None = None,
              external: pd.DataFrame | None = None, derived: pd.DataFrame | None = None) -> AuditResult:
    """Audit every claim: its routes, both verdicts, the diagnosis and what final releases change."""
    from techmarket.audit.derive import derived_values
    from techmarket.data.loaders import load_claims, load_external, load_facts

    facts = load_facts() if facts is None else facts
    external = load_external() if external is None else external
    claims = load_claims(facts=facts) if claims is None else claims
    derived = derived_values(facts, external) if derived is None else derived
    sources = Sources(facts, external, derived, claims)
    routes = claim_routes(sources)
    audited = [(claim, *audit_claim(claim, sources, routes)) for claim in _records(claims)]
    net = network(claims, sources, routes)
    changes = verdict_changes(net, facts, _failing(audited), derived)

    by_id = {str(c["claim_id"]): (v, r) for c, v, r in audited}

    def audit_with(claim: pd.Series, s: Sources):
        return audit_claim(claim, s, routes)  # a route reads the same cells whatever their values

    index = comparable(external)
    external_verdicts = {str(c["claim_id"]): external_verdict(sources.fact_of(c), index) for c, _, _ in audited}
    consequences: list[Consequence] = []
    for cid, (_, contradicting) in external_verdicts.items():
        if contradicting:
            consequences += what_changes(cid, contradicting[0], claims, sources, by_id, audit_with)
    overturned = {c.claim_id for c in consequences
                  if c.verdict_after == "inconsistent" and c.verdict_before != "inconsistent"}
    rows, route_rows = [], []
    for claim, verdict, results in audited:
        cid = str(claim["claim_id"])
        change: Change | None = changes.get(cid)
        if change is not None:
            verdict = Verdict(change.verdict, change.detail, verdict.rounding_only and change.verdict == "consistent",
                              states=verdict.states)
        ext_verdict, contradicting = external_verdicts[cid]
        if ext_verdict == "not_covered" and cid in overturned:
            ext_verdict = "overturned_by_final"
        for i, (r, state) in enumerate(zip(results, verdict.states, strict=True)):
            route_rows.append({
                "claim_id": cid, "route_no": i + 1, "formula": r.formula,
                "formula_ids": sources.ids_text(r.evaluation.formula, claim["fact_id"] or None),
                "inputs": tuple(x.ident for x in r.evaluation.inputs) if r.evaluation else (),
                "arithmetic": r.arithmetic, "lo": float(r.interval.lo), "hi": float(r.interval.hi), "point": r.point,
                "shown": fmt(r.interval, str(claim["reported"])), "holds": state,
                "explained_by": explained_by(net, f"{cid}#{i + 1}") if state == "fails" else (),
                "restatement": r.restatement})
        rows.append({
            "claim_id": cid, "fact_id": str(claim["fact_id"]), "section": claim["section"], "kind": claim["kind"],
            "span": claim["span"], "paraphrase_en": claim["paraphrase_en"],
            "reported": claim["reported"], "unit": claim["unit"],
            "recomputed": (fmt(results[0].interval, claim["reported"], 0 if claim["kind"] in ("rank", "count") else 1)
                           if results else ""),
            "routes": len(results), "verdict": verdict.verdict, "restated": verdict.restated,
            "rounding_only": verdict.rounding_only, "detail": verdict.detail.en, "detail_zh": verdict.detail.zh,
            "external_verdict": ext_verdict, "needed": change.needed if change is not None else "",
        })
    route_table = pd.DataFrame(route_rows, columns=ROUTE_COLUMNS)
    releases = release_table(claims, sources, index)
    change_table = _change_table(consequences, claims)
    claim_table = claim_texts(pd.DataFrame(rows), route_table, releases, change_table)
    return AuditResult(claim_table, route_table, diagnoses_table(net, facts, derived), releases, change_table)


def _records(claims: pd.DataFrame) -> list[pd.Series]:
    """The claims as rows (Series keep their dtypes; one conversion for the whole table)."""
    return [pd.Series(r) for r in claims.to_dict("records")]


def _failing(audited: list) -> dict[str, list[str]]:
    """The route ids that fail, by claim (the judge's states, by the one verdict rule)."""
    return {str(claim["claim_id"]): [f"{claim['claim_id']}#{i + 1}" for i, s in enumerate(verdict.states)
                                     if s == "fails"]
            for claim, verdict, _ in audited}


def _change_table(consequences: list[Consequence], claims: pd.DataFrame) -> pd.DataFrame:
    reported = dict(zip(claims["claim_id"].astype(str), claims["reported"].astype(str), strict=True))
    rows = []
    for c in consequences:
        shown = reported[c.claim_id]
        before, after = fmt(c.before, shown, 0), fmt(c.after, shown, 0)
        kept = ("fact_id", "ext_id", "release", "publisher", "claim_id", "route_no", "formula", "through",
                "verdict_before", "verdict_after", "restated_as")
        rows.append({**{k: getattr(c, k) for k in kept},
                     "before": before, "after": after, "before_lo": float(c.before.lo), "before_hi": float(c.before.hi),
                     "after_lo": float(c.after.lo), "after_hi": float(c.after.hi)})
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


def summary(audit: pd.DataFrame) -> pd.DataFrame:
    """Counts per verdict and per external verdict."""
    v = audit["verdict"].value_counts().reindex(VERDICTS, fill_value=0)
    e = audit["external_verdict"].value_counts().reindex(EXTERNAL_VERDICTS, fill_value=0)
    return pd.concat([v.rename("claims").to_frame().assign(table="verdict"),
                      e.rename("claims").to_frame().assign(table="external")]).reset_index(names="value")


SNAPSHOT_COLUMNS = ["claim_id", "verdict", "restated", "external_verdict"]


def compare_snapshot(audit: pd.DataFrame, snapshot: pd.DataFrame) -> list[str]:
    """Differences between the current verdicts and a snapshot, one line each."""
    cols = [c for c in SNAPSHOT_COLUMNS[1:] if c in snapshot.columns]
    cur = audit.set_index("claim_id")[cols].astype(str)
    old = snapshot.set_index("claim_id")[cols].astype(str)
    out = [f"{c}: new claim ({cur.loc[c, 'verdict']}, {cur.loc[c, 'external_verdict']})"
           for c in cur.index.difference(old.index)]
    out += [f"{c}: claim removed" for c in old.index.difference(cur.index)]
    for c in cur.index.intersection(old.index):
        for col in cols:
            if cur.loc[c, col] != old.loc[c, col]:
                out.append(f"{c}: {col} {old.loc[c, col]} → {cur.loc[c, col]}")
    missing = [c for c in SNAPSHOT_COLUMNS[1:] if c not in snapshot.columns]
    if missing:
        out.append(f"the snapshot has no column {', '.join(missing)}: update it with --update-snapshot")
    return out
