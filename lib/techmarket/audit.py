"""The claims audit: every quantitative claim of the paper, recomputed by every independent route,
with a verdict that respects printed precision, and a second verdict against official releases.

Verdicts (``VERDICTS``):

- ``consistent``: every route's interval meets the claim's printed interval (for a rank, the
  ranks the route allows are exactly the claimed one; for a comparison, it holds for every
  admissible input), or the routes that fail read a figure the diagnosis blames
  (:mod:`techmarket.culprits`), and the detail says so;
- ``inconsistent``: some route cannot be reconciled with the printed value at any admissible
  input; for a numeric claim with an exact printed value, only when the claim is in a smallest
  diagnosis of its group of conflicts (alone, or competing with others), with the value it would
  need (column ``needed``);
- ``ambiguous_wording``: "增长了X倍" fits exactly one of its two readings (ratio X, or X+1)
  and the audit says which;
- ``undecidable``: rounding leaves the comparison or rank open;
- ``primary``: nothing else in the paper or the official releases can check the claim.

External verdicts (``EXTERNAL_VERDICTS``): ``confirmed`` (a final release agrees within
rounding), ``confirmed_preliminary`` (only preliminary or rounded releases, and they agree), ``disputed``
(final releases disagree among themselves; the paper matches one of them),
``contradicted`` (a final release differs: the audit recomputes every claim computed from the
figure with the final value and reports, route by route, what changes), ``overturned_by_final``
(the claim itself is computed from a figure a final release contradicts, and no longer holds
with the final value), ``differs_from_preliminary`` (only a preliminary release, and it differs),
``not_covered``. Every verdict is judged by :mod:`techmarket.verdict_rule`.
"""
from __future__ import annotations

import ast
import operator
import re
from dataclasses import dataclass, field
from fractions import Fraction

import pandas as pd

from techmarket.checks import EXT_DIFFERS, external_agreement
from techmarket.claim_routes import ROUTES
from techmarket.culprits import diagnoses_table, eligible, fact_interval, network, verdict_changes
from techmarket.errors import TechmarketError
from techmarket.i18n import Bilingual
from techmarket.i18n import qualifier as qualifier_label
from techmarket.i18n import verdict as verdict_label
from techmarket.metrics import Interval, decimals_of, needed_miss, printed_value, round_half_up, value_interval
from techmarket.verdict_rule import meets

VERDICTS = ("inconsistent", "ambiguous_wording", "undecidable", "consistent", "primary")
EXTERNAL_VERDICTS = ("contradicted", "overturned_by_final", "disputed", "differs_from_preliminary", "confirmed",
                     "confirmed_preliminary", "not_covered")
REF = re.compile(r"\{([^{}]+)\}")
EXTERNAL_SERIES = {"turnover": "turnover", "contracts": "contracts", "tech_transaction_value": "tech_transaction_value",
                   "gdp": "gdp", "rd_expenditure": "rd_expenditure", "rd_to_gdp": "rd_intensity"}


class CircularRouteError(TechmarketError, ValueError):
    """A route that uses the claim's own figure, directly or through a derived value."""


class FormulaError(TechmarketError, ValueError):
    """A route formula that does not parse or names an unknown figure."""


# --- formula evaluation ---------------------------------------------------------------------
def _maxof(*xs: Interval) -> Interval:
    return Interval(max(x.lo for x in xs), max(x.hi for x in xs))


def _minof(*xs: Interval) -> Interval:
    return Interval(min(x.lo for x in xs), min(x.hi for x in xs))


def _rank(x: Interval, *others: Interval) -> Interval:
    """Ranks (1 = largest) that ``x`` can take among ``others`` given their intervals."""
    surely_above = sum(1 for o in others if o.lo > x.hi)
    maybe_above = sum(1 for o in others if o.hi > x.lo)
    return Interval(1 + surely_above, 1 + maybe_above)


def _first_if_over_half(share: Interval) -> Interval:
    """Rank 1 when a share surely exceeds 50 % (no other unit can be larger); else unknown."""
    return Interval.point(1) if share.lo > 50 else Interval(1, 99)


def _cagr(start: Interval, end: Interval, years: Interval) -> Interval:
    n = int(years.lo)
    r = (end if isinstance(end, Interval) else Interval.point(end)) / start
    return (r.root(n) - 1) * 100


FUNCTIONS = {"maxof": _maxof, "minof": _minof, "rank": _rank, "first_if_over_half": _first_if_over_half, "cagr": _cagr}
BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


def _evaluate(node: ast.AST, env: dict[str, Interval]) -> Interval:
    if isinstance(node, ast.Expression):
        return _evaluate(node.body, env)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        if not (isinstance(node.right, ast.Constant) and isinstance(node.right.value, int)):
            raise FormulaError("only whole-number powers")
        return _evaluate(node.left, env) ** node.right.value
    if isinstance(node, ast.BinOp) and type(node.op) in BINOPS:
        return BINOPS[type(node.op)](_evaluate(node.left, env), _evaluate(node.right, env))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_evaluate(node.operand, env)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return Interval.point(repr(node.value))
    if isinstance(node, ast.Name) and node.id in env:
        return env[node.id]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS:
        return FUNCTIONS[node.func.id](*[_evaluate(a, env) for a in node.args])
    raise FormulaError(f"not allowed in a route formula: {ast.dump(node)[:80]}")


@dataclass
class Figure:
    """One figure a route uses: its interval, its point value and where it comes from."""

    interval: Interval
    point: Interval
    lineage: frozenset[str]  # fact ids it rests on (for the circularity check)
    label: str               # for spelling out the arithmetic


@dataclass
class Sources:
    facts: pd.DataFrame
    external: pd.DataFrame
    derived: pd.DataFrame
    overrides: dict[str, tuple[str, str]] = field(default_factory=dict)  # fact_id -> (value text, unit)

    def __post_init__(self) -> None:
        self.fact_rows = {str(r["fact_id"]): r for _, r in self.facts.iterrows()}
        self.release_rows = {str(r["ext_id"]): r for _, r in self.external.iterrows()}

    def fact_of(self, claim: pd.Series) -> pd.Series | None:
        """The fact a claim about a printed number names; None for a comparison claim."""
        return self.fact_rows[str(claim["fact_id"])] if claim["fact_id"] else None

    def figure(self, ref: str) -> Figure:
        """Resolve '{...}' content: a fact id, EXT-nnn, or D:indicator|geo|year[|category[|measure]]."""
        ref, _, unit = ref.partition(":") if not ref.startswith("D:") else (ref, "", "")
        if ref.startswith("D:"):
            return self._derived(ref[2:])
        if ref.startswith("EXT-"):
            if ref not in self.release_rows:
                raise FormulaError(f"no official release {ref}")
            r = self.release_rows[ref]
            text, own_unit, lineage = str(r.value_text), str(r.unit), frozenset()
            label = f"{ref} {text} {own_unit}"
        else:
            if ref not in self.fact_rows:
                raise FormulaError(f"no fact {ref}")
            r = self.fact_rows[ref]
            text, own_unit = self.overrides.get(ref, (str(r.value), str(r.unit)))
            lineage = frozenset({ref})
            label = f"{ref} {text} {own_unit}"
        interval = printed_value(text, own_unit, unit or own_unit)
        point = printed_value(text, own_unit, unit or own_unit, exact=True)
        if unit and unit != own_unit:
            label += f" → {unit}"
        return Figure(interval, point, lineage, label)

    def _derived(self, key: str) -> Figure:
        parts = key.split("|")
        indicator, geo, year = parts[:3]
        category = parts[3] if len(parts) > 3 else ""
        measure = parts[4] if len(parts) > 4 else "level"
        d = self.derived
        rows = d[(d.indicator == indicator) & (d.geo == geo) & (d.year == int(year)) & (d.category == category)
                 & (d.measure == measure)]
        if rows.empty:
            raise FormulaError(f"no derived value {key}")
        r = rows.iloc[0]
        lineage = frozenset(i for i in r.inputs.split(";") if not i.startswith("EXT-"))
        return Figure(r.interval, Interval.point(r.point), lineage, f"{r.derived_id} ({r.formula})")


@dataclass(frozen=True)
class RouteResult:
    formula: str
    interval: Interval
    point: float
    arithmetic: str
    lineage: frozenset[str]


def evaluate_route(formula: str, sources: Sources, own_fact: str | None = None,
                   years: int | None = None) -> RouteResult:
    """Evaluate a route formula; refuse it if it rests on ``own_fact``."""
    text = formula.replace("{years}", str(years)) if years is not None else formula
    env_i, env_p, labels, lineage = {}, {}, [], set()
    def sub(m: re.Match) -> str:
        name = f"v{len(env_i)}"
        fig = sources.figure(m.group(1))
        env_i[name], env_p[name] = fig.interval, fig.point
        labels.append(fig.label)
        lineage.update(fig.lineage)
        return name
    expr = REF.sub(sub, text)
    if own_fact and own_fact in lineage:
        raise CircularRouteError(f"route {formula!r} rests on the claim's own figure {own_fact}")
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError as err:
        raise FormulaError(f"cannot parse {formula!r}: {err.msg}") from None
    interval = _evaluate(tree, env_i)
    point = _evaluate(tree, env_p).mid
    arithmetic = REF.sub(lambda m: "⟨" + labels.pop(0) + "⟩", text) if labels else text
    return RouteResult(formula, interval, point, arithmetic, frozenset(lineage))


# --- verdicts -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Verdict:
    verdict: str
    detail: Bilingual
    rounding_only: bool = False


def judge(claim: pd.Series, qualifier: str, results: list[RouteResult]) -> Verdict:
    """The verdict on one claim from its route results."""
    if not results:
        return Verdict("primary", Bilingual("无独立的重算路径：论文的原始数字",
                                            "no independent route: a primary figure of the paper"))
    kind, reported, unit = claim["kind"], claim["reported"], claim["unit"]
    if kind in ("threshold", "order") and reported[0] in "<>":
        op, t = reported[0], Fraction(reported[2:])
        states = []
        for r in results:
            surely = r.interval.lo > t if op == ">" else r.interval.hi < t
            never = r.interval.hi <= t if op == ">" else r.interval.lo >= t
            states.append("consistent" if surely else "inconsistent" if never else "undecidable")
        comparison = Bilingual(f"比较 {reported} {unit}", f"the comparison {reported} {unit}")
        return _combine(states, results, reported, comparison, numeric=False)
    if kind == "rank":
        r0 = int(reported)
        states = ["consistent" if (r.interval.lo == r.interval.hi == r0) else
                  "undecidable" if r.interval.lo <= r0 <= r.interval.hi else "inconsistent" for r in results]
        return _combine(states, results, reported, Bilingual(f"排名 {reported}", f"rank {reported}"), numeric=False)
    printed = value_interval(reported, unit)
    if kind == "growth_multiple":
        r = results[0]
        ratio_fits = printed.intersects(r.interval)
        plus_one_fits = printed.intersects(r.interval - 1)
        ratio = _fmt(r, reported)
        if ratio_fits != plus_one_fits:
            reading = (Bilingual("“增长了X倍”读作“是基数的X倍”（比值 = X）",
                                 "'increased X times' read as 'is X times the base' (ratio = X)") if ratio_fits else
                       Bilingual("“增长了X倍”读作“是基数的X+1倍”",
                                 "'increased X times' read as 'is X+1 times the base'"))
            return Verdict("ambiguous_wording", Bilingual(f"只有一种读法成立：{reading.zh}；比值 = {ratio}",
                                                          f"only one reading fits: {reading.en}; ratio = {ratio}"))
        if not ratio_fits:
            return Verdict("inconsistent", Bilingual(f"两种读法都不成立：比值 = {ratio}",
                                                     f"neither reading fits: ratio = {ratio}"))
        return Verdict("ambiguous_wording",
                       Bilingual("在四舍五入范围内两种读法都成立", "both readings fit within rounding"))
    states = ["consistent" if meets(printed, r.interval, qualifier) else "inconsistent" for r in results]
    v = _combine(states, results, reported, Bilingual(reported, reported), numeric=True, qualifier=qualifier)
    if v.verdict == "consistent" and qualifier == "exact" and "/" not in reported:
        d = decimals_of(reported)
        rounding_only = any(str(round_half_up(repr(r.point), d)) != reported for r in results)
        return Verdict(v.verdict, v.detail, rounding_only)
    return v


def _fmt(r: RouteResult, reported: str, extra: int = 1) -> str:
    if reported[0] in "<>" or "/" in reported:
        d = 2
    else:
        d = decimals_of(reported) + extra
    lo, hi = round_half_up(float(r.interval.lo), d), round_half_up(float(r.interval.hi), d)
    return f"{lo}" if lo == hi else f"[{lo}, {hi}]"


def _combine(states: list[str], results: list[RouteResult], reported: str, label: Bilingual, numeric: bool,
             qualifier: str = "exact") -> Verdict:
    bad = [r for s, r in zip(states, results, strict=True) if s == "inconsistent"]
    if bad:
        r = bad[0]
        gives = _fmt(r, reported)
        parts = [Bilingual(f"路径 {r.formula} 得出 {gives}", f"route {r.formula} gives {gives}")]
        if not numeric:
            parts.append(Bilingual(f"{label.zh} 不成立", f"{label.en} does not hold"))
        else:
            d = decimals_of(reported)
            need_lo = round_half_up(repr(float(r.interval.lo)), d)
            need_hi = round_half_up(repr(float(r.interval.hi)), d)
            miss = f"{needed_miss(reported, r.interval):.4g}"
            need_zh = f"{need_lo}" if need_lo == need_hi else f"{need_lo}至{need_hi}"
            need_en = f"{need_lo}" if need_lo == need_hi else f"{need_lo} to {need_hi}"
            parts.append(Bilingual(f"论文应印 {need_zh}；相差 {miss}",
                                   f"the claim would need {need_en}; missed by {miss}"))
        if qualifier == "approximate":
            parts.append(Bilingual("原文是约数（近/约）", "the wording is approximate (近/约)"))
        return Verdict("inconsistent", Bilingual.join(parts))
    if "undecidable" in states:
        return Verdict("undecidable", Bilingual(f"四舍五入使 {label.zh} 无法判定", f"rounding leaves {label.en} open"))
    return Verdict("consistent", Bilingual(f"{len(results)}条路径一致", f"{len(results)} route(s) agree"))


# --- external verdicts ----------------------------------------------------------------------
def external_rows(fact: pd.Series, external: pd.DataFrame) -> pd.DataFrame:
    series = EXTERNAL_SERIES.get(str(fact["indicator"]))
    if series is None or fact["measure"] != "level" or fact["category"] != "" or pd.isna(fact["year"]):
        return external.iloc[0:0]
    rows = external[(external.series == series) & (external.geo == fact["geo"]) & (external.year == int(fact["year"]))
                    & external.convertible & (external.qualifier != "lower_bound")]
    return rows


def _agree(fact: pd.Series, row: pd.Series) -> bool:
    """Does a release agree with a fact, each at its printed precision (a bound: on its side)?"""
    unit = "% of GDP" if fact["indicator"] == "rd_to_gdp" else str(fact["unit"])
    if fact["qualifier"] in ("lower_bound", "upper_bound"):
        a = printed_value(str(fact["value"]), str(fact["unit"]), unit)
        b = printed_value(str(row["value_text"]), str(row["unit"]), unit)
        return b.hi > a.lo if fact["qualifier"] == "lower_bound" else b.lo < a.hi
    return external_agreement(str(fact["value"]), unit, str(row["value_text"]), str(row["unit"])) != EXT_DIFFERS


def external_verdict(fact: pd.Series | None, external: pd.DataFrame) -> tuple[str, list[pd.Series]]:
    """(verdict, the final releases that differ from the fact).

    Final releases are the rows qualified 'exact'; the others are rounded or preliminary.
    """
    if fact is None:
        return "not_covered", []
    rows = external_rows(fact, external)
    if rows.empty:
        return "not_covered", []
    final = [r for _, r in rows[rows.qualifier == "exact"].iterrows()]
    prelim = [r for _, r in rows[rows.qualifier != "exact"].iterrows()]
    final_bad = [r for r in final if not _agree(fact, r)]
    if final_bad:
        return ("disputed" if len(final_bad) < len(final) else "contradicted"), final_bad
    if final:
        return "confirmed", []
    if all(_agree(fact, r) for r in prelim):
        return "confirmed_preliminary", []
    return "differs_from_preliminary", []


# --- the audit ------------------------------------------------------------------------------
def _years(fact: pd.Series | None) -> int | None:
    if fact is None or pd.isna(fact["year"]) or pd.isna(fact["base_year"]):
        return None
    return int(fact["year"]) - int(fact["base_year"])


def audit_claim(claim: pd.Series, sources: Sources) -> tuple[Verdict, list[RouteResult]]:
    fact = sources.fact_of(claim)
    qualifier = str(fact["qualifier"]) if fact is not None else "exact"
    results = [evaluate_route(f, sources, own_fact=claim["fact_id"] or None, years=_years(fact))
               for f in ROUTES.get(str(claim["claim_id"]), [])]
    return judge(claim, qualifier, results), results


def computed(claim: pd.Series) -> bool:
    """A claim the paper computes from other figures (a ratio, share, multiple, growth rate,
    comparison, rank), as opposed to a primary figure (a level or count in money or units)."""
    return claim["kind"] not in ("level", "count") or claim["unit"] == "%"


@dataclass(frozen=True)
class Consequence:
    """A claim computed from a figure, recomputed with that figure replaced by a final release."""

    claim_id: str
    head: str          # the claim as printed: id, value, unit
    formula: str       # the route that reads the figure
    before: str        # its interval with the paper's figure, and with the final one
    after: str
    verdict_before: str
    verdict_after: str

    def text(self) -> Bilingual:
        zh = (f"{self.head}：路径 {self.formula} 由 {self.before} 变为 {self.after}"
              f"（{verdict_label(self.verdict_before, 'zh')} → {verdict_label(self.verdict_after, 'zh')}）")
        en = (f"{self.head}: route {self.formula} goes from {self.before} to {self.after} "
              f"({self.verdict_before} → {self.verdict_after})")
        return Bilingual(zh, en)


def what_changes(fact_id: str, value_text: str, unit: str, claims: pd.DataFrame,
                 sources: Sources) -> list[Consequence]:
    """Recompute every claim computed from ``fact_id`` (a ratio, share, comparison … one of whose
    routes takes it as an input) with the figure replaced; report each route that reads it, and
    the claim's verdict before and after. A primary figure (a level, a count) that merely appears
    in a check route of the figure is not computed from it and never changes."""
    swapped = Sources(sources.facts, sources.external, sources.derived, {fact_id: (value_text, unit)})
    out = []
    for _, claim in claims.iterrows():
        cid = str(claim["claim_id"])
        routes = ROUTES.get(cid, [])
        reading = [f for f in routes if "{" + fact_id + "}" in f or "{" + fact_id + ":" in f]
        if cid == fact_id or not computed(claim) or not reading:
            continue
        before, before_r = audit_claim(claim, sources)
        after, after_r = audit_claim(claim, swapped)
        for i, formula in enumerate(routes):
            if formula in reading:
                out.append(Consequence(cid, f"{cid} ({claim['reported']} {claim['unit']})", formula,
                                       _fmt(before_r[i], claim["reported"], 0), _fmt(after_r[i], claim["reported"], 0),
                                       before.verdict, after.verdict))
    return out


def _external_detail(fact: pd.Series | None, ext_verdict: str, contradicting: list[pd.Series],
                     external: pd.DataFrame, changes: list[Consequence]) -> Bilingual:
    """The releases behind an external verdict and, where a final release differs, what changes
    (``changes``: the claims computed from the figure, recomputed with the final release)."""
    if fact is None or ext_verdict == "not_covered":
        return Bilingual("", "")
    detail = Bilingual.join([
        Bilingual(f"{r.ext_id} {r.value_text} {r.unit}（{qualifier_label(r.qualifier, 'zh')}，{r.publisher}）",
                  f"{r.ext_id} {r.value_text} {r.unit} ({r.qualifier}, {r.publisher})")
        for r in external_rows(fact, external).itertuples()])
    if not contradicting:
        return detail
    final, ids = contradicting[0], ", ".join(str(r["ext_id"]) for r in contradicting)
    then = (Bilingual.join([c.text() for c in changes]) if changes
            else Bilingual("没有论断由此数算出", "no claim is computed from this figure"))
    figure = f"{final['value_text']} {final['unit']}"
    return Bilingual(f"{detail.zh} || 不符：{ids} || 改用正式数 {figure}：{then.zh}",
                     f"{detail.en} || differs: {ids} || with the final figure {figure}: {then.en}")


def run_audit(claims: pd.DataFrame | None = None, facts: pd.DataFrame | None = None,
              external: pd.DataFrame | None = None, derived: pd.DataFrame | None = None) -> pd.DataFrame:
    """Audit every claim: one row each, with both verdicts and the reasoning."""
    from techmarket.derive import derived_values
    from techmarket.loaders import load_claims, load_external, load_facts

    facts = load_facts() if facts is None else facts
    external = load_external() if external is None else external
    claims = load_claims(facts=facts) if claims is None else claims
    derived = derived_values(facts, external) if derived is None else derived
    sources = Sources(facts, external, derived)
    audited = [(claim, *audit_claim(claim, sources)) for _, claim in claims.iterrows()]
    net, changes = _diagnosis(claims, audited, sources)
    rows = []
    external_verdicts = {str(c["claim_id"]): external_verdict(sources.fact_of(c), external) for c, _, _ in audited}
    consequences: dict[str, list[Consequence]] = {}  # by the fact a final release contradicts
    overturned: dict[str, list[tuple[pd.Series, Consequence]]] = {}  # by the claim it overturns
    for cid, (_, contradicting) in external_verdicts.items():
        if contradicting:
            final = contradicting[0]
            consequences[cid] = what_changes(cid, str(final["value_text"]), str(final["unit"]), claims, sources)
            for c in consequences[cid]:
                if c.verdict_after == "inconsistent" and c.verdict_before != "inconsistent":
                    overturned.setdefault(c.claim_id, []).append((final, c))
    for claim, verdict, results in audited:
        fact = sources.fact_of(claim)
        change = changes.get(str(claim["claim_id"]))
        if change is not None:
            verdict = Verdict(change.verdict, change.detail, verdict.rounding_only and change.verdict == "consistent")
        ext_verdict, contradicting = external_verdicts[str(claim["claim_id"])]
        ext_detail = _external_detail(fact, ext_verdict, contradicting, external,
                                      consequences.get(str(claim["claim_id"]), []))
        if ext_verdict == "not_covered" and str(claim["claim_id"]) in overturned:
            ext_verdict = "overturned_by_final"
            ext_detail = Bilingual.join([Bilingual(
                f"改用正式数 {r['ext_id']} {r['value_text']} {r['unit']}（{r['publisher']}）：路径 {c.formula} "
                f"由 {c.before} 变为 {c.after}，论断不再成立",
                f"with the final release {r['ext_id']} {r['value_text']} {r['unit']} ({r['publisher']}): route "
                f"{c.formula} goes from {c.before} to {c.after} and the claim no longer holds")
                for r, c in overturned[str(claim["claim_id"])]])
        first = results[0] if results else None
        rows.append({
            "claim_id": claim["claim_id"], "section": claim["section"], "kind": claim["kind"],
            "span": claim["span"], "paraphrase_en": claim["paraphrase_en"],
            "reported": claim["reported"], "unit": claim["unit"],
            "recomputed": (_fmt(first, claim["reported"], 0 if claim["kind"] in ("rank", "count") else 1)
                           if first else ""),
            "routes": len(results), "verdict": verdict.verdict, "rounding_only": verdict.rounding_only,
            "detail": verdict.detail.en, "detail_zh": verdict.detail.zh,
            "arithmetic": " | ".join(f"{r.arithmetic} = {_fmt(r, claim['reported'])}" for r in results),
            "external_verdict": ext_verdict, "external_detail": ext_detail.en, "external_detail_zh": ext_detail.zh,
            "needed": change.needed if change is not None else "",
        })
    out = pd.DataFrame(rows)
    out.attrs["diagnoses"] = diagnoses_table(net, facts)
    return out


def _diagnosis(claims: pd.DataFrame, audited: list, sources: Sources):
    """The network of the registry's routes, diagnosed; the verdicts it changes, by claim id."""
    facts = sources.facts
    net = network(claims, sources, ROUTES, _years, sources.fact_of)
    failing = {}
    for claim, _, results in audited:
        fact = sources.fact_of(claim)
        if eligible(claim, fact) and results:
            printed = fact_interval(fact)
            failing[str(claim["claim_id"])] = [f"{claim['claim_id']}#{i + 1}" for i, r in enumerate(results)
                                               if not meets(printed, r.interval)]
    return net, verdict_changes(net, facts, failing)


def diagnoses_text(diagnoses: pd.DataFrame) -> str:
    """The independent problems found, one paragraph per group of connected conflicts: the
    smallest diagnoses (competing, or the one figure at fault) and the larger alternatives."""
    if diagnoses.empty:
        return "Diagnosis: every route holds; no printed figure is at fault."
    lines = [f"Diagnosis: {diagnoses.group.nunique()} independent problem(s)"]
    for g, rows in diagnoses.groupby("group", sort=True):
        smallest = rows[rows.smallest]
        fixes = [" + ".join(f"{r.fact_id} {r.printed} {r.unit} → {r.needed}" for r in d.itertuples())
                 for _, d in smallest.groupby("diagnosis", sort=True)]
        head = ("competing explanations, none singled out: " + " | ".join(fixes) if rows.competing.iloc[0]
                else f"the figure at fault: {fixes[0]}")
        lines.append(f"  {g}. {head}")
        alternatives = [" + ".join(d.fact_id) for _, d in rows[~rows.smallest].groupby("diagnosis", sort=True)]
        if alternatives:
            lines.append(f"     larger alternatives (flag nothing): {'; '.join(alternatives)}")
    return "\n".join(lines)


def summary(audit: pd.DataFrame) -> pd.DataFrame:
    """Counts per verdict and per external verdict."""
    v = audit["verdict"].value_counts().reindex(VERDICTS, fill_value=0)
    e = audit["external_verdict"].value_counts().reindex(EXTERNAL_VERDICTS, fill_value=0)
    return pd.concat([v.rename("claims").to_frame().assign(table="verdict"),
                      e.rename("claims").to_frame().assign(table="external")]).reset_index(names="value")


SNAPSHOT_COLUMNS = ["claim_id", "verdict", "external_verdict"]


def compare_snapshot(audit: pd.DataFrame, snapshot: pd.DataFrame) -> list[str]:
    """Differences between the current verdicts and a snapshot, one line each."""
    cur = audit.set_index("claim_id")[SNAPSHOT_COLUMNS[1:]]
    old = snapshot.set_index("claim_id")[SNAPSHOT_COLUMNS[1:]]
    out = [f"{c}: new claim ({cur.loc[c, 'verdict']}, {cur.loc[c, 'external_verdict']})"
           for c in cur.index.difference(old.index)]
    out += [f"{c}: claim removed" for c in old.index.difference(cur.index)]
    for c in cur.index.intersection(old.index):
        for col in SNAPSHOT_COLUMNS[1:]:
            if cur.loc[c, col] != old.loc[c, col]:
                out.append(f"{c}: {col} {old.loc[c, col]} → {cur.loc[c, col]}")
    return out
