"""Values the paper only implies, computed from the catalogue in :mod:`techmarket.audit.derivations` by
the package's one formula evaluator (:mod:`techmarket.audit.formula`, :mod:`techmarket.audit.sources`).

Each input is a rounding interval, so each result is an ``Interval``: every value the printed
inputs allow. A derived row keeps its lineage as data: ``lineage`` (the printed figures it rests
on, each a :class:`sources.Input` with its id, origin and printed value), ``inputs`` and
``origins`` (the same, as tuples of ids and of origins), the formula as written and with ids.
"""
from __future__ import annotations

import pandas as pd

from techmarket.audit.derivations import DERIVATIONS, Derivation
from techmarket.audit.formula import REF, FormulaError, parse, parse_reference
from techmarket.audit.sources import Figure, Sources
from techmarket.data.errors import TechmarketError
from techmarket.data.i18n import Bilingual

KEY = ["indicator", "geo", "year", "category", "measure"]


class DerivationError(TechmarketError, ValueError):
    """A derivation whose formula or sentence cannot be evaluated against the data."""


def _sentence(text: str, sources: Sources, lang: str) -> str:
    """A route sentence with each ``{reference}`` replaced by the figure as printed (its unit in
    ``lang``)."""
    def quoted(m) -> str:
        fig = sources.resolve(parse_reference(m.group(1)))
        return fig.quoted_in(lang) if isinstance(fig, Figure) else str(fig.lo)
    return REF.sub(quoted, text)


def evaluate(d: Derivation, sources: Sources) -> dict:
    """Compute one derivation: a row of the derived table."""
    what = " ".join(str(x) for x in (d.indicator, d.geo, d.year, d.category, d.measure) if x)
    where = f"derivation of {what}, formula {d.formula!r}"
    extra = sorted(set(REF.findall(d.route.en + d.route.zh)) - set(REF.findall(d.formula)))
    if extra:
        raise DerivationError(f"{where}: its sentence quotes {', '.join('{' + e + '}' for e in extra)}, "
                              f"which its formula does not read")
    try:
        result = sources.evaluate(parse(d.formula))
        route = Bilingual(zh=_sentence(d.route.zh, sources, "zh"), en=_sentence(d.route.en, sources, "en"))
    except FormulaError as err:
        raise DerivationError(f"{where}: {err.reason}") from None
    bounds = [i.ident for i in result.inputs if i.qualifier in ("lower_bound", "upper_bound")]
    if bounds:
        raise DerivationError(f"{where}: {', '.join(bounds)} is only a bound and cannot enter a derivation")
    lineage = result.inputs
    return {
        "indicator": d.indicator, "geo": d.geo, "year": d.year, "category": d.category, "measure": d.measure,
        "unit": d.unit, "value": result.interval.mid, "point": result.point,
        "lo": float(result.interval.lo), "hi": float(result.interval.hi), "interval": result.interval,
        "route": route.en, "route_zh": route.zh, "formula": d.formula,
        "formula_ids": sources.ids_text(result.formula),
        "inputs": tuple(i.ident for i in lineage), "origins": tuple(dict.fromkeys(i.origin for i in lineage)),
        "lineage": lineage,
        "approximate_input": any(i.qualifier == "approximate" for i in lineage),
        "preliminary_input": any(i.qualifier == "rounded_or_preliminary" for i in lineage),
    }


def derived_values(facts: pd.DataFrame | None = None, external: pd.DataFrame | None = None,
                   derivations: list[Derivation] | None = None) -> pd.DataFrame:
    """The derived table: one row per (quantity, route), with interval, lineage and origins."""
    from techmarket.data.loaders import load_external, load_facts

    facts = load_facts() if facts is None else facts
    external = load_external() if external is None else external
    sources = Sources(facts, external)
    df = pd.DataFrame([evaluate(d, sources) for d in (DERIVATIONS if derivations is None else derivations)])
    key = df[KEY].astype(str).agg("|".join, axis=1)
    df.insert(0, "derived_id", [f"D-{i + 1:02d}" for i in range(len(df))])
    df.insert(1, "route_no", key.groupby(key).cumcount() + 1)
    return df


def compare_routes(derived: pd.DataFrame) -> pd.DataFrame:
    """One row per derived quantity: how many routes, their hull, and whether all routes agree
    (some value lies inside every route's interval)."""
    out = []
    for keys, grp in derived.groupby([*KEY, "unit"], sort=False):
        intervals = list(grp["interval"])
        # in one dimension, pairwise overlap means one value lies in all of them (Helly)
        common = all(a.intersects(b) for i, a in enumerate(intervals) for b in intervals[i + 1:])
        out.append(dict(zip([*KEY, "unit"], keys, strict=True),
                        routes=len(grp), lo=min(grp["lo"]), hi=max(grp["hi"]),
                        routes_agree=common if len(grp) > 1 else pd.NA,
                        derived_ids=tuple(grp["derived_id"])))
    return pd.DataFrame(out)
