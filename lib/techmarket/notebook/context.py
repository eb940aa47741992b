"""What every notebook starts from: validated parameters, the data, and helpers bound to a language.

``setup(lang=..., ...)`` is the first call after a notebook's parameters cell: it checks the
parameters (an unknown language or province stops the notebook there with a clear message),
loads the tables through the validated loaders, computes the derived values and applies the
plotting style.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from techmarket.audit.derive import derived_values
from techmarket.data import i18n
from techmarket.data.loaders import load_external, load_facts
from techmarket.data.metrics import Interval, value_interval
from techmarket.notebook import report
from techmarket.pages.untrusted import escape


@dataclass
class Context:
    lang: str
    facts: pd.DataFrame
    external: pd.DataFrame
    derived: pd.DataFrame
    _audit: object = field(default=None, repr=False)

    @property
    def audit(self):
        """The claims audit of this context's data (:func:`techmarket.audit.run.run_audit`), run once
        for all notebooks (:mod:`techmarket.audit.cache`): the notebooks' "paper versus
        recomputation" tables are views of it."""
        if self._audit is None:
            from techmarket.audit.cache import cached_audit
            self._audit = cached_audit(self.facts, self.external, self.derived)
        return self._audit

    # --- language -------------------------------------------------------------------------
    def in_lang(self, lang: str) -> Context:
        """This context in ``lang``, on the same data: the prose cells of each language compute
        their inline expressions with one (``zh, en = ctx.in_lang("zh"), ctx.in_lang("en")``), so
        that what a prose cell says does not depend on the notebook's ``lang`` parameter."""
        return replace(self, lang=i18n.check_lang(lang))

    def tr(self, zh: str, en: str) -> str:
        return i18n.tr(self.lang, zh, en)

    def say(self, zh: str, en: str) -> report.Output:
        return report.say(self.lang, zh, en)

    def geo(self, name: str) -> str:
        return i18n.geo(name, self.lang)

    def cat(self, name: str) -> str:
        return i18n.category(name, self.lang)

    def fmt(self, x: float | None, decimals: int = 2) -> str:
        return report.fmt(x, decimals, self.lang)

    # --- facts ----------------------------------------------------------------------------
    def fact(self, fact_id: str) -> pd.Series:
        rows = self.facts[self.facts["fact_id"] == fact_id]
        if len(rows) != 1:
            raise KeyError(f"no fact {fact_id!r} in data/paper/facts.csv")
        return rows.iloc[0]

    def value(self, fact_id: str) -> float:
        return float(self.fact(fact_id)["value_num"])

    def printed(self, fact_id: str) -> str:
        """The value as the paper prints it (thousands spaces removed)."""
        return str(self.fact(fact_id)["value"])

    def interval(self, fact_id: str) -> Interval:
        """What the printed value can be, in its printed unit (see metrics.Interval.printed);
        whole counts (项, 家, 人, …) and fractions are exact."""
        r = self.fact(fact_id)
        return value_interval(str(r["value"]), str(r["unit"]))

    def quote(self, fact_id: str) -> report.Inline:
        """The verbatim span with its locator, for quoting the paper in prose; in English, the
        quotation is marked as Chinese (HTML)."""
        r = self.fact(fact_id)
        if self.lang == "zh":
            return report.Inline(f"“{r['span']}”（{r['locator']}）")
        return report.Inline(f"“{r['span']}” ({r['locator']})",  # the paper quoted in an English text
                             f'<q lang="zh">{escape(r["span"])}</q> ({escape(r["locator"])})')

    # --- derived values -------------------------------------------------------------------
    def derived_rows(self, indicator: str, geo: str, year: int, category: str = "",
                     measure: str = "level") -> pd.DataFrame:
        d = self.derived
        rows = d[(d.indicator == indicator) & (d.geo == geo) & (d.year == year)
                 & (d.category == category) & (d.measure == measure)]
        if rows.empty:
            raise KeyError(f"no derived value for {indicator} {geo} {year} {category} {measure}")
        return rows


def validate_parameters(lang: str | None = None, province: str | None = None, facts: pd.DataFrame | None = None,
                        **other: object) -> None:
    """Check notebook parameters; raise a ValueError that says what is allowed."""
    if lang is not None:
        i18n.check_lang(lang)
    if province is not None:
        facts = load_facts() if facts is None else facts
        t1 = sorted(set(facts.loc[(facts.locator == "Table 1") & (facts.geo != "全国"), "geo"]))
        if province not in t1:
            raise ValueError(f"parameter province must be one of the Table 1 provinces {t1}, got {province!r}")


def setup(lang: str = "zh", **params: object) -> Context:
    """Validate the notebook's parameters, load the data and apply the style."""
    from techmarket.notebook.style import use_style

    i18n.check_lang(lang)
    facts, external = load_facts(), load_external()
    validate_parameters(lang=lang, facts=facts, **params)
    use_style()
    return Context(lang, facts, external, derived_values(facts, external))


def study_period(facts: pd.DataFrame) -> tuple[int, int]:
    """First and last year of the paper's period, read from §2.1's stated multiple (2016-2020)."""
    r = facts[(facts.locator == "§2.1") & (facts.indicator == "turnover") & (facts.measure == "multiple")].iloc[0]
    return int(r["base_year"]), int(r["year"])
