"""The paper as one constraint model: what the diagnosis (:mod:`techmarket.audit.diagnosis`) reasons over.

- **Variables.** Every printed figure of the paper (a fact) is a variable held to its rounding
  interval (:func:`techmarket.data.metrics.value_interval`, in its own unit). Every worded claim
  (a comparison, superlative, order, 首次, count of named items: a claim without a printed number
  of its own) is a *statement*: a variable standing for its threshold (``> 0``, rank 1, 3 items);
  freeing it means the wording is wrong, and drops its constraints.
- **Constraints.** Every route of every claim (:mod:`techmarket.audit.claim_routes`) is one: the
  claim's value or threshold must be able to hold against what the route computes
  (:func:`techmarket.audit.verdict_rule.can_hold`: the verdict rule, read as a constraint). A route
  that reads a derived value reads it through the derivation's formula, so the printed figures
  behind it are variables too; official releases are held at their intervals (they are not the
  paper's to misprint). Shares of one whole are a *partition* constraint: at most 100 % within
  rounding, exactly 100 % when every part is printed
  (:func:`techmarket.audit.verdict_rule.within_whole`).

How printed figures relate to each other is what the paper asserts: the schema checks what a value
*is*, this model what the paper *says* about them together, and a paper inconsistency never stops
the audit.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from techmarket.audit.box_search import Constraint
from techmarket.audit.formula import parse
from techmarket.audit.verdict_rule import can_hold, comparison, within_whole
from techmarket.data.metrics import Interval, value_interval
from techmarket.data.units import factor_between

# Categories that together make up the whole: when every one has a share of the same indicator,
# area and year, the shares add up to 100 within rounding.
PARTITIONS = {
    "contract_type": ("技术开发", "技术转让", "技术咨询", "技术服务"),
    "evaluation_grade": ("优秀", "良好", "合格", "不合格", "取消资格"),
}


@dataclass(frozen=True)
class Model:
    """Variables (printed figures and statements, each with its interval) and constraints."""

    figures: dict[str, Interval]
    statements: frozenset[str]  # worded claims: suspects whose freeing drops their constraints
    constraints: list[Constraint]
    quantities: dict[str, tuple[tuple[str, ...], Callable]]  # each derived value: its figures, its formula

    def reading(self, suspect: str) -> list[Constraint]:
        """The constraints that involve ``suspect``."""
        return [c for c in self.constraints if suspect in c.figures]


def fact_interval(fact: pd.Series) -> Interval:
    """What a printed fact can be, in its own unit (as its routes compute it)."""
    return value_interval(str(fact["value"]), str(fact["unit"]))


def statement_interval(claim: pd.Series) -> Interval:
    """A worded claim's threshold, rank or count, as a point."""
    op = comparison(str(claim["reported"]))
    return Interval.point(op[1] if op else str(claim["reported"]))


class _Compiler:
    """Routes as functions of the variables, derived values read through their formulas."""

    def __init__(self, sources, figures: Mapping[str, Interval]):
        self.sources, self.figures = sources, figures
        self.derived: dict[str, tuple[tuple[str, ...], Callable, tuple]] = {}

    def compile(self, formula: str, own: str | None) -> tuple[tuple[str, ...], Callable]:
        """The figures a formula reads, and the formula as a function of them."""
        inputs, evaluate, _ = self.compile_keyed(formula, own)
        return inputs, evaluate

    def compile_keyed(self, formula: str, own: str | None) -> tuple[tuple[str, ...], Callable, tuple]:
        """The same, and what the function computes as data (the formula, what each reference
        stands for: a figure and its conversion, a derived value's own key, a held interval)."""
        f = parse(formula)
        keys: list = []
        parts: dict[int, tuple[str, Interval] | Interval | tuple[tuple[str, ...], Callable]] = {}
        inputs: list[str] = []
        for i, ref in enumerate(f.refs):
            if ref.kind in ("fact", "table1"):
                fid = self.sources.fact_id(ref)
                unit = str(self.sources.fact_rows[fid]["unit"])
                factor = factor_between(unit, ref.unit) if ref.unit and ref.unit != unit else 1
                parts[i] = (fid, Interval.point(factor))
                inputs.append(fid)
                keys.append(parts[i])
            elif ref.kind == "derived":
                d_inputs, d_eval, d_key = self._derived(self.sources.resolve(ref).ident)
                parts[i] = (d_inputs, d_eval)
                inputs += d_inputs
                keys.append(d_key)
            else:
                fig = self.sources.resolve(ref, own)
                parts[i] = fig if isinstance(fig, Interval) else fig.interval
                keys.append(parts[i])

        def evaluate(env: Mapping[str, Interval]) -> Interval:
            values = {}
            for i, p in parts.items():
                if isinstance(p, Interval):
                    values[i] = p
                elif isinstance(p[0], str):
                    values[i] = env[p[0]] * p[1]
                else:
                    values[i] = p[1](env)
            return f.evaluate(values)

        return tuple(dict.fromkeys(inputs)), evaluate, (formula, tuple(keys))

    def _derived(self, derived_id: str) -> tuple[tuple[str, ...], Callable, tuple]:
        if derived_id not in self.derived:
            d = self.sources.derived
            formula = str(d.loc[d["derived_id"] == derived_id, "formula"].iloc[0])
            self.derived[derived_id] = self.compile_keyed(formula, None)
        return self.derived[derived_id]


def partitions(facts: pd.DataFrame) -> list[tuple[str, tuple[str, ...], bool]]:
    """Shares of one whole: (name, the facts that are its parts, complete). Parts are categories
    (or areas, for shares of an area's total); groups of areas written with '+' overlap their
    members and are left out; a part printed twice counts once (its first printing)."""
    sh = facts[(facts["measure"] == "share") & (facts["unit"] == "%") & (facts["qualifier"] == "exact")
               & ~facts["geo"].astype(str).str.contains("+", regex=False)]
    part = sh["category"].where(sh["category"] != "", sh["geo"])
    out = []
    for keys, grp in sh.assign(_part=part).groupby(["indicator", "relative_to", "year", "dimension"], sort=False):
        grp = grp[grp["_part"] != grp["relative_to"]].drop_duplicates("_part")
        if len(grp) < 2:
            continue
        dim = str(grp["dimension"].iloc[0])
        complete = dim in PARTITIONS and set(PARTITIONS[dim]) <= set(grp["_part"])
        name = "shares of " + "|".join(str(k) for k in keys if str(k))
        out.append((name, tuple(str(f) for f in grp["fact_id"]), complete))
    return out


def _partition(name: str, parts: tuple[str, ...], complete: bool) -> Constraint:
    def evaluate(env: Mapping[str, Interval]) -> Interval:
        total = Interval.point(0)
        for p in parts:
            total = total + env[p]
        return total
    return Constraint(name, None, parts, evaluate, lambda _target, total: within_whole(total, complete),
                      ("partition", parts, complete))


def build(claims: pd.DataFrame, sources, routes: Mapping[str, list[str]]) -> Model:
    """The model of the whole paper: every claim's routes and every partition."""
    figures = {fid: fact_interval(row) for fid, row in sources.fact_rows.items()}
    statements = {str(c["claim_id"]): statement_interval(c) for c in claims.to_dict("records") if not c["fact_id"]}
    compiler = _Compiler(sources, figures)
    constraints: list[Constraint] = []
    for claim in claims.to_dict("records"):
        cid = str(claim["claim_id"])
        fact = sources.fact_rows.get(str(claim["fact_id"])) if claim["fact_id"] else None
        target = str(claim["fact_id"]) if fact is not None else cid
        how = (str(claim["kind"]), str(claim["reported"]), str(fact["qualifier"]) if fact is not None else "exact")
        rule = can_hold(*how)
        for i, formula in enumerate(routes.get(cid, [])):
            inputs, evaluate, key = compiler.compile_keyed(formula, target if fact is not None else None)
            constraints.append(Constraint(f"{cid}#{i + 1}", target, inputs, evaluate, rule, (how, key)))
    constraints += [_partition(*p) for p in partitions(sources.facts)]
    derived = sources.derived
    quantities = ({} if derived is None else
                  {str(d): compiler.compile(str(f), None) for d, f in zip(derived["derived_id"], derived["formula"],
                                                                          strict=True)})
    return Model({**figures, **statements}, frozenset(statements), constraints, quantities)
