"""What the references of a formula (:mod:`techmarket.audit.formula`) stand for: the paper's printed
facts, the official releases and the derived values, each as an interval with its lineage.

:class:`Sources` resolves a reference to a :class:`Figure` and evaluates a formula to an
:class:`Evaluation`. A figure keeps where it comes from as data (:class:`Input`: id, kind,
origin, printed value), never as joined text.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from techmarket.audit.formula import FACT_ID, Formula, FormulaError, Reference, parse
from techmarket.data.metrics import Interval, printed_value, value_interval

TABLE1_CELLS = {  # column of Table 1 -> (indicator, measure) of its facts
    "rank": ("turnover", "rank"), "turnover": ("turnover", "level"),
    "share": ("turnover", "share"), "turnover_to_gdp": ("turnover_to_gdp", "level")}


@dataclass(frozen=True)
class Input:
    """One printed figure a value rests on."""

    ident: str  # fact id or release id
    kind: str  # "fact" or "release"
    origin: str  # the paper's locator, or the publisher and where the release was read
    printed: str  # value and unit as printed
    qualifier: str  # exact, approximate, rounded_or_preliminary, lower_bound, upper_bound


@dataclass(frozen=True)
class Figure:
    """A resolved reference: what it can be, the printed number itself, and its lineage."""

    ident: str  # fact id, release id or derived id
    interval: Interval
    point: Interval
    label: str  # for spelling out arithmetic: id, value, unit (and the conversion)
    quoted: str  # value and unit as a sentence quotes it
    inputs: tuple[Input, ...]  # the printed figures it rests on (itself, for a fact or release)
    text: str = ""  # the value as printed, and its unit (for a fact or a release)
    unit: str = ""

    def quoted_in(self, lang: str) -> str:
        """Value and unit as a sentence in ``lang`` quotes it (4.39倍; 4.39×)."""
        from techmarket.data.i18n import amount

        return self.quoted if lang == "zh" or not self.text else amount(self.text, _short_unit(self.unit), lang)

    @property
    def facts(self) -> frozenset[str]:
        """The paper's facts it rests on."""
        return frozenset(i.ident for i in self.inputs if i.kind == "fact")


@dataclass(frozen=True)
class Evaluation:
    """A formula evaluated: its interval, the same arithmetic on the printed values, and the
    figures it read, in order."""

    formula: Formula
    interval: Interval
    point: float
    figures: tuple[Figure | None, ...]  # None for {years}

    @property
    def inputs(self) -> tuple[Input, ...]:
        return tuple(dict.fromkeys(i for f in self.figures if f is not None for i in f.inputs))

    @property
    def facts(self) -> frozenset[str]:
        return frozenset().union(*(f.facts for f in self.figures if f is not None))


def _short_unit(unit: str) -> str:
    """A unit as it follows a number in a sentence: '% of GDP' and its kin as '%'."""
    return "%" if unit.startswith("%") else unit


@dataclass
class Sources:
    """The tables references resolve against (``derived`` is None while derivations are computed:
    a derivation cannot read another)."""

    facts: pd.DataFrame
    external: pd.DataFrame
    derived: pd.DataFrame | None = None
    claims: pd.DataFrame | None = None  # for {items:C-NN}

    def __post_init__(self) -> None:
        # rows as mappings (column -> cell): read like Series, built without a Series per row
        self.fact_rows = {str(r["fact_id"]): r for r in self.facts.to_dict("records")}
        self.release_rows = {str(r["ext_id"]): r for r in self.external.to_dict("records")}
        self._release_ids: dict[tuple, str] = {}
        t1 = self.facts[self.facts["locator"] == "Table 1"]
        self.table1 = {(str(r["geo"]), str(r["indicator"]), str(r["measure"])): str(r["fact_id"])
                       for _, r in t1.iterrows()}

    def fact_of(self, claim: pd.Series) -> pd.Series | None:
        """The fact a claim about a printed number names; None for a comparison claim."""
        return self.fact_rows[str(claim["fact_id"])] if claim["fact_id"] else None

    # --- references -----------------------------------------------------------------------------
    def fact_id(self, ref: Reference) -> str:
        """The fact id a fact or Table 1 reference names."""
        if ref.kind == "fact":
            if ref.key[0] not in self.fact_rows:
                raise FormulaError(f"{{{ref.text}}}: no fact {ref.key[0]} in facts.csv")
            return ref.key[0]
        geo, column = ref.key
        indicator, measure = TABLE1_CELLS[column]
        if (geo, indicator, measure) not in self.table1:
            raise FormulaError(f"{{{ref.text}}}: Table 1 has no row {geo}")
        return self.table1[(geo, indicator, measure)]

    def release_id(self, ref: Reference) -> str:
        """The one official release a release reference selects."""
        if ref.where not in self._release_ids:
            self._release_ids[ref.where] = self._select_release(ref)
        return self._release_ids[ref.where]

    def _select_release(self, ref: Reference) -> str:
        e = self.external
        mask = pd.Series(True, index=e.index)
        for name, value in ref.where:
            if name == "publisher^":
                mask &= e["publisher"].astype(str).str.startswith(value)
            elif name == "year":
                mask &= e["year"] == int(value)
            else:
                mask &= e[name].astype(str) == value
        ids = list(e.loc[mask, "ext_id"])
        if len(ids) != 1:
            found = ", ".join(ids) if ids else "none"
            raise FormulaError(f"{{{ref.text}}} selects {len(ids)} official releases ({found}), expected 1; "
                               f"narrow it with |unit=…, |qualifier=… or |publisher^=…")
        return str(ids[0])

    def resolve(self, ref: Reference, own_fact: str | None = None) -> Figure | Interval:
        """The figure a reference stands for; for ``{years}`` the number of years."""
        if ref.kind == "years":
            fid = ref.key[0] if ref.key else own_fact
            row = self.fact_rows.get(fid) if fid else None
            if row is None or pd.isna(row["year"]) or pd.isna(row["base_year"]):
                raise FormulaError(f"{{{ref.text}}}: {fid or 'the claim'} has no year and base year")
            return Interval.point(int(row["year"]) - int(row["base_year"]))
        if ref.kind == "derived":
            return self._derived(ref)
        if ref.kind == "items":
            return self._items(ref)
        if ref.kind == "release":
            r = self.release_rows[self.release_id(ref)]
            ident, kind, text, unit = str(r["ext_id"]), "release", str(r["value_text"]), str(r["unit"])
            origin = f"{r['publisher']} (read at {r['retrieved_from'] or 'address not recorded'})"
        else:
            ident = self.fact_id(ref)
            r = self.fact_rows[ident]
            kind, origin = "fact", f"paper {r['locator']}"
            text, unit = str(r["value"]), str(r["unit"])
        to = ref.unit or unit
        if to == unit:
            interval, point = value_interval(text, unit), Interval.point(text)
        else:
            try:
                interval, point = printed_value(text, unit, to), printed_value(text, unit, to, exact=True)
            except (KeyError, ValueError):
                raise FormulaError(f"{{{ref.text}}}: {unit} cannot be converted to {to} "
                                   f"(no fixed conversion between them)") from None
        label = f"{ident} {text} {unit}" + (f" → {to}" if to != unit else "")
        own = Input(ident, kind, origin, f"{text} {unit}", str(r["qualifier"]))
        return Figure(ident, interval, point, label, text + _short_unit(unit), (own,), text, unit)

    def _items(self, ref: Reference) -> Figure:
        """How many items the paper names for a count claim: the number the route compares with
        the number it states in words."""
        cid = ref.key[0]
        rows = self.claims[self.claims["claim_id"] == cid] if self.claims is not None else None
        if rows is None or rows.empty or not str(rows.iloc[0]["items"]):
            raise FormulaError(f"{{{ref.text}}}: no count claim {cid} with items in claims.csv")
        row = rows.iloc[0]
        items = [i.strip() for i in str(row["items"]).split(";")]
        n = Interval.point(len(items))
        listed = "; ".join(items)
        own = Input(f"{cid} items", "paper text", f"paper §{row['section']}", listed, "exact")
        return Figure(f"{cid} items", n, n, f"{cid}: {len(items)} named ({listed})", str(len(items)), (own,))

    def _derived(self, ref: Reference) -> Figure:
        if self.derived is None:
            raise FormulaError(f"{{{ref.text}}}: a derivation cannot read another derived value")
        indicator, geo, year, *rest = ref.key
        category = rest[0] if rest else ""
        measure = rest[1] if len(rest) > 1 else "level"
        if not hasattr(self, "_derived_rows"):  # the first route of each quantity, by what it is
            self._derived_rows: dict[tuple, pd.Series] = {}
            for _, row in self.derived.iterrows():
                key = (row.indicator, row.geo, int(row.year), row.category, row.measure)
                self._derived_rows.setdefault(key, row)
        r = self._derived_rows.get((indicator, geo, int(year), category, measure))
        if r is None:
            raise FormulaError(f"{{{ref.text}}}: no derived value {indicator}, {geo}, {year}, "
                               f"category {category or '(total)'}, measure {measure}")
        if ref.unit and ref.unit != r.unit:
            raise FormulaError(f"{{{ref.text}}}: a derived value is used in its own unit ({r.unit})")
        return Figure(str(r.derived_id), r.interval, Interval.point(r.point), f"{r.derived_id} ({r.formula_ids})",
                      f"{r.value:.2f} {r.unit}", tuple(r.lineage))

    # --- evaluation -----------------------------------------------------------------------------
    def evaluate(self, formula: Formula | str, own_fact: str | None = None) -> Evaluation:
        """Evaluate a formula: every reference resolved, the arithmetic done on intervals and on
        the printed values."""
        f = parse(formula) if isinstance(formula, str) else formula
        try:
            figures = [self.resolve(ref, own_fact) for ref in f.refs]
        except FormulaError as err:
            raise FormulaError(err.reason, f.text) from None
        intervals = {i: g if isinstance(g, Interval) else g.interval for i, g in enumerate(figures)}
        points = {i: g if isinstance(g, Interval) else g.point for i, g in enumerate(figures)}
        interval, point = f.evaluate(intervals), f.evaluate(points).mid
        return Evaluation(f, interval, point, tuple(g if isinstance(g, Figure) else None for g in figures))

    def ids_text(self, formula: Formula, own_fact: str | None = None) -> str:
        """The formula with each reference replaced by the id it resolves to (for a table)."""
        from techmarket.audit.formula import REF

        refs = iter(formula.refs)

        def name(_m) -> str:
            ref = next(refs)
            if ref.kind in ("fact", "table1"):
                return self.fact_id(ref) + (f" in {ref.unit}" if ref.unit else "")
            if ref.kind == "release":
                return self.release_id(ref) + (f" in {ref.unit}" if ref.unit else "")
            if ref.kind == "years":
                return str(self.resolve(ref, own_fact).lo)
            return "{" + ref.text + "}"
        return REF.sub(name, formula.text)


__all__ = ["FACT_ID", "Evaluation", "Figure", "Input", "Sources"]
