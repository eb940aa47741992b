"""The numbers each figure draws, gathered from a notebook's context (``ctx``): the notebook and
``tests/test_figures.py`` build a figure from the same data. Stated figures come from the paper,
gaps stay gaps, derived values keep the hull of their routes.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from techmarket.data.metrics import decimals_of


def turnover_series(ctx, first: int, last: int) -> pd.DataFrame:
    """Guangdong's turnover by year, ``first``-``last``: stated where §2.1 prints it, else the hull
    of every derived route (columns label, value, lo, hi, origin, source)."""
    f = ctx.facts

    def point(year: int) -> dict:
        stated = f[(f.indicator == "turnover") & (f.geo == "广东") & (f.year == year) & (f.measure == "level")
                   & (f.category == "") & (f.locator == "§2.1")]
        if len(stated):
            r = stated.iloc[0]
            return dict(label=year, value=r.value_num, lo=r.lo, hi=r.hi, origin="stated", source=r.fact_id)
        d = ctx.derived_rows("turnover", "广东", year)
        return dict(label=year, value=d.iloc[0].value, lo=d.lo.min(), hi=d.hi.max(), origin="derived",
                    source=";".join(d.derived_id))

    return pd.DataFrame([point(y) for y in range(first, last + 1)])


@dataclass(frozen=True)
class ContributionData:
    """What Figure 2 draws: turnover/GDP by year (Figure 2's chart data), the national turnover/GDP
    of ``last``, turnover/R&D by year (stated ends, derived middle years) and the ``last`` ratio with
    the final R&D release (``final_release``, the national bulletin's row) instead of the
    preliminary figure."""

    gdp_share: pd.Series
    national: float
    rd_share: pd.DataFrame  # year, value, origin
    final_release: pd.Series
    final_ratio: object  # metrics.Interval, %
    first: int
    last: int


def contribution_data(ctx, first: int, last: int) -> ContributionData:
    """Gather Figure 2's numbers (see :class:`ContributionData`)."""
    from techmarket.data.metrics import Interval, share

    f2 = ctx.facts[ctx.facts.locator == "Figure 2 data"]
    gdp_share = f2[f2.indicator == "turnover_to_gdp"].set_index("year")["value_num"].sort_index()
    rd = pd.DataFrame([
        dict(year=first, value=ctx.value("S2.2-13"), origin="stated"),
        *[dict(year=int(r.year), value=r.value, origin="derived")
          for r in ctx.derived[ctx.derived.indicator == "turnover_to_rd"].itertuples()],
        dict(year=last, value=ctx.value("S2.2-14"), origin="stated"),
    ]).sort_values("year").reset_index(drop=True)
    ext = ctx.external
    release = ext[(ext.series == "rd_expenditure") & (ext.geo == "广东") & (ext.year == last)
                  & ext.publisher.str.startswith("NBS/MOST/MOF")].iloc[0]
    final = share(ctx.interval("S2.1-03"), Interval.printed(release.value_text))
    return ContributionData(gdp_share, ctx.value("S2.2-08"), rd, release, final, first, last)


def field_shares(ctx, year: int) -> dict[str, float]:
    """The shares (%) of Guangdong's turnover that §2.4 prints for technology fields in ``year``,
    by field, in the order the paper names them."""
    f = ctx.facts
    rows = f[(f.locator == "§2.4") & (f.dimension == "tech_field") & (f.measure == "share") & (f.year == year)]
    return {r.category: float(r.value_num) for r in rows.sort_values("fact_id").itertuples()}


def city_turnover(ctx, cities, years) -> pd.DataFrame:
    """Turnover of each city in each year: stated where §2.5 prints it exactly, else derived (the
    hull of its routes), else a gap (columns city, year, value, lo, hi, origin, text, fact_id;
    ``text`` as a table shows it: every value with the decimals §2.5 prints city turnover with and
    the language's thousands separator, derived values marked *)."""
    f, d = ctx.facts, ctx.derived
    printed = f[(f.indicator == "turnover") & (f.locator == "§2.5") & (f.measure == "level")]
    decimals = max(decimals_of(v) for v in printed.value)

    def one(city: str, year: int) -> dict:
        hit = f[(f.indicator == "turnover") & (f.geo == city) & (f.year == year) & (f.measure == "level")
                & (f.qualifier == "exact") & (f.locator == "§2.5")]
        if len(hit):
            r = hit.iloc[0]
            return dict(value=r.value_num, lo=r.lo, hi=r.hi, origin="stated", text=ctx.fmt(r.value_num, decimals),
                        fact_id=r.fact_id)
        hit = d[(d.indicator == "turnover") & (d.geo == city) & (d.year == year) & (d.measure == "level")]
        if len(hit):
            v = hit.iloc[0].value
            return dict(value=v, lo=hit.lo.min(), hi=hit.hi.max(), origin="derived",
                        text=ctx.fmt(v, decimals) + "*", fact_id="")
        return dict(value=np.nan, lo=np.nan, hi=np.nan, origin="gap", text="—", fact_id="")

    return pd.DataFrame([dict(city=c, year=y, **one(c, y)) for c in cities for y in years])


def table1_frame(ctx) -> pd.DataFrame:
    """Table 1 as printed (strings: rank, turnover, share, to_gdp), the national row first, then
    the provinces by rank."""
    t1 = ctx.facts[ctx.facts.locator == "Table 1"]

    def col(indicator: str, measure: str) -> pd.Series:
        return t1[(t1.indicator == indicator) & (t1.measure == measure)].set_index("geo")["value"]

    table = pd.DataFrame({"rank": col("turnover", "rank"), "turnover": col("turnover", "level"),
                          "share": col("turnover", "share"), "to_gdp": col("turnover_to_gdp", "level")})
    provinces = list(table.drop("全国").assign(r=lambda d: d["rank"].astype(int)).sort_values("r").index)
    return table.loc[["全国", *provinces]]


def size_frame(ctx, table1: pd.DataFrame, year: int) -> pd.DataFrame:
    """Table 1's provinces as numbers (turnover, share, to_gdp) with their GDP derived as turnover ÷
    turnover/GDP (``derived`` values of ``year``), in Table 1's order."""
    provinces = [g for g in table1.index if g != "全国"]
    gdp = pd.Series({g: ctx.derived_rows("gdp", g, year).iloc[0].value for g in provinces})
    return pd.DataFrame({"turnover": table1.turnover.astype(float), "share": table1.share.astype(float),
                         "to_gdp": table1.to_gdp.astype(float), "gdp": gdp}).loc[provinces]
