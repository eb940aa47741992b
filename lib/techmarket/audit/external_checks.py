"""The paper's figures against official releases (data/external/official_releases.csv).

A release is *final* when qualified ``exact``; the others are rounded or preliminary. Each fact
gets one external verdict (``EXTERNAL_VERDICTS``, explained in :mod:`techmarket.audit.run`), and
:func:`release_table` lists every release compared, with whether it agrees, as data.
"""
from __future__ import annotations

import pandas as pd

from techmarket.audit.verdict_rule import meets
from techmarket.data.metrics import printed_value

SAME, WITHIN, EXT_DIFFERS = "same", "within_rounding", "differs"
EXTERNAL_MARKS = {
    SAME: ("相同", "same"),
    WITHIN: ("四舍五入内一致", "consistent within rounding"),
    EXT_DIFFERS: ("不同", "differs"),
}


def external_agreement(paper_value: str, paper_unit: str, ext_value: str, ext_unit: str) -> str:
    """Compare a paper figure with an official release, each at its own printed precision,
    in a common unit: 'same' (identical), 'within_rounding' (the two rounding intervals meet),
    or 'differs'."""
    a, b = printed_value(paper_value, paper_unit), printed_value(ext_value, ext_unit)
    if printed_value(paper_value, paper_unit, exact=True) == printed_value(ext_value, ext_unit, exact=True):
        return SAME
    return WITHIN if meets(a, b) else EXT_DIFFERS  # the one rule: the two rounding intervals meet


EXTERNAL_VERDICTS = ("contradicted", "overturned_by_final", "disputed", "differs_from_preliminary", "confirmed",
                     "confirmed_preliminary", "not_covered")
EXTERNAL_SERIES = {"turnover": "turnover", "contracts": "contracts", "tech_transaction_value": "tech_transaction_value",
                   "gdp": "gdp", "rd_expenditure": "rd_expenditure", "rd_to_gdp": "rd_intensity"}
RELEASE_COLUMNS = ["claim_id", "fact_id", "ext_id", "value_text", "unit", "qualifier", "final", "agrees",
                   "agreement", "publisher", "retrieved_from"]


def comparable(external: pd.DataFrame) -> dict[tuple[str, str, int], list[pd.Series]]:
    """The releases a fact can be compared with (convertible, not a mere lower bound), by
    (series, area, year), in the order of the file."""
    index: dict[tuple[str, str, int], list[pd.Series]] = {}
    for _, r in external[external.convertible & (external.qualifier != "lower_bound")].iterrows():
        index.setdefault((str(r["series"]), str(r["geo"]), int(r["year"])), []).append(r)
    return index


def external_rows(fact: pd.Series, index: dict) -> list[pd.Series]:
    """The releases of the same series, area and year as a fact (a level of a whole total);
    ``index``: :func:`comparable` of the releases."""
    series = EXTERNAL_SERIES.get(str(fact["indicator"]))
    if series is None or fact["measure"] != "level" or fact["category"] != "" or pd.isna(fact["year"]):
        return []
    return index.get((series, str(fact["geo"]), int(fact["year"])), [])


def agreement(fact: pd.Series, row: pd.Series) -> str:
    """How a release compares with a fact, each at its printed precision: ``same`` (the same
    number), ``within_rounding`` (the rounding intervals meet; a bound: the release lies on its
    side, by :func:`verdict_rule.meets`) or ``differs``."""
    unit = "% of GDP" if fact["indicator"] == "rd_to_gdp" else str(fact["unit"])
    if fact["qualifier"] in ("lower_bound", "upper_bound"):
        bound = printed_value(str(fact["value"]), str(fact["unit"]), unit)
        release = printed_value(str(row["value_text"]), str(row["unit"]), unit)
        return WITHIN if meets(bound, release, str(fact["qualifier"])) else EXT_DIFFERS
    return external_agreement(str(fact["value"]), unit, str(row["value_text"]), str(row["unit"]))


def agrees(fact: pd.Series, row: pd.Series) -> bool:
    """Does a release agree with a fact (:func:`agreement` is not ``differs``)?"""
    return agreement(fact, row) != EXT_DIFFERS


def external_verdict(fact: pd.Series | None, index: dict) -> tuple[str, list[pd.Series]]:
    """(verdict, the final releases that differ from the fact); ``index``: :func:`comparable`."""
    if fact is None:
        return "not_covered", []
    rows = external_rows(fact, index)
    if not rows:
        return "not_covered", []
    final = [r for r in rows if r["qualifier"] == "exact"]
    prelim = [r for r in rows if r["qualifier"] != "exact"]
    final_bad = [r for r in final if not agrees(fact, r)]
    if final_bad:
        return ("disputed" if len(final_bad) < len(final) else "contradicted"), final_bad
    if final:
        return "confirmed", []
    if all(agrees(fact, r) for r in prelim):
        return "confirmed_preliminary", []
    return "differs_from_preliminary", []


def release_table(claims: pd.DataFrame, sources, index: dict) -> pd.DataFrame:
    """Every release compared with a claim's fact: one row per (claim, release), publisher and
    address kept, final or preliminary, and whether it agrees; ``index``: :func:`comparable`."""
    rows = []
    for claim in claims.to_dict("records"):
        fact = sources.fact_of(claim)
        if fact is None:
            continue
        for r in external_rows(fact, index):
            how = agreement(fact, r)
            rows.append({"claim_id": str(claim["claim_id"]), "fact_id": str(fact["fact_id"]),
                         "ext_id": str(r["ext_id"]),
                         "value_text": str(r["value_text"]), "unit": str(r["unit"]), "qualifier": str(r["qualifier"]),
                         "final": r["qualifier"] == "exact", "agrees": how != EXT_DIFFERS, "agreement": how,
                         "publisher": str(r["publisher"]), "retrieved_from": str(r["retrieved_from"])})
    return pd.DataFrame(rows, columns=RELEASE_COLUMNS).astype({"final": bool, "agrees": bool})
