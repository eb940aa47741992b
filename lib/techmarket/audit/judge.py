"""The verdict on one claim from its routes' results, by the one rule of
:mod:`techmarket.audit.verdict_rule`.

- a number (level, share, multiple …): each route holds when its interval meets the printed
  interval (:func:`verdict_rule.meets`); the claim is ``consistent`` when every route holds,
  else ``inconsistent`` (the diagnosis, :mod:`techmarket.audit.culprits`, may then clear it);
- a comparison (``> t``, ``< t``): ``consistent`` when it holds for every admissible input,
  ``inconsistent`` when for none, else ``undecidable``;
- a rank: ``consistent`` when the route allows exactly the printed rank;
- "增长了X倍": ``ambiguous_wording`` when exactly one of its two readings fits;
- no route: ``primary``.

A consistent claim is ``restated`` when every route is the same figure printed elsewhere in the
paper (one bare reference): checked only against its own restatement, not recomputed.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import pandas as pd

from techmarket.audit.sources import Evaluation
from techmarket.audit.verdict_rule import meets
from techmarket.data.i18n import Bilingual
from techmarket.data.metrics import Interval, decimals_of, needed_miss, round_half_up, value_interval


@dataclass(frozen=True)
class RouteResult:
    """One route of a claim, evaluated."""

    formula: str
    interval: Interval
    point: float  # the same arithmetic on the printed values
    arithmetic: str  # the formula with each input spelled out
    lineage: frozenset[str]  # the paper's facts it rests on
    evaluation: Evaluation | None = None

    @property
    def restatement(self) -> bool:
        """The route is one figure printed elsewhere, read as it is (no arithmetic)."""
        ev = self.evaluation
        return (ev is not None and len(ev.formula.refs) == 1 and ev.formula.refs[0].kind in ("fact", "table1")
                and self.formula.strip() == "{" + ev.formula.refs[0].text + "}")


STATE = {"consistent": "holds", "inconsistent": "fails", "undecidable": "open"}


@dataclass(frozen=True)
class Verdict:
    verdict: str
    detail: Bilingual
    rounding_only: bool = False
    restated: bool = False
    states: tuple[str, ...] = ()  # per route: "holds", "fails" or "open" (rounding leaves it open)


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
        r0 = Fraction(reported)  # a whole number as printed; a misprint may make it otherwise
        states = ["consistent" if (r.interval.lo == r.interval.hi == r0) else
                  "undecidable" if r.interval.lo <= r0 <= r.interval.hi else "inconsistent" for r in results]
        return _combine(states, results, reported, Bilingual(f"排名 {reported}", f"rank {reported}"), numeric=False)
    printed = value_interval(reported, unit)
    if kind == "growth_multiple":
        r = results[0]
        ratio_fits = printed.intersects(r.interval)
        plus_one_fits = printed.intersects(r.interval - 1)
        ratio = fmt(r.interval, reported)
        fits = tuple("holds" if value_interval(reported, unit).intersects(x.interval)
                     or value_interval(reported, unit).intersects(x.interval - 1) else "fails" for x in results)
        if ratio_fits != plus_one_fits:
            reading = (Bilingual("“增长了X倍”读作“是基数的X倍”（比值 = X）",
                                 "'increased X times' read as 'is X times the base' (ratio = X)") if ratio_fits else
                       Bilingual("“增长了X倍”读作“是基数的X+1倍”",
                                 "'increased X times' read as 'is X+1 times the base'"))
            detail = Bilingual(f"只有一种读法成立：{reading.zh}；比值 = {ratio}",
                               f"only one reading fits: {reading.en}; ratio = {ratio}")
            return Verdict("ambiguous_wording", detail, states=fits)
        if not ratio_fits:
            return Verdict("inconsistent", Bilingual(f"两种读法都不成立：比值 = {ratio}",
                                                     f"neither reading fits: ratio = {ratio}"), states=fits)
        return Verdict("ambiguous_wording",
                       Bilingual("在四舍五入范围内两种读法都成立", "both readings fit within rounding"), states=fits)
    states = ["consistent" if meets(printed, r.interval, qualifier) else "inconsistent" for r in results]
    v = _combine(states, results, reported, Bilingual(reported, reported), numeric=True, qualifier=qualifier,
                 unit=unit)
    if v.verdict != "consistent":
        return v
    # the same figure printed again; a bound ("突破2 000亿元") read against a printed value is a check
    restated = all(r.restatement for r in results) and qualifier not in ("lower_bound", "upper_bound")
    rounding_only = False
    if qualifier == "exact" and "/" not in reported:
        d = decimals_of(reported)
        rounding_only = any(str(round_half_up(repr(r.point), d)) != reported for r in results)
    if restated:
        detail = Bilingual(f"仅与论文他处重复印出的同一数字核对（{len(results)}处）",
                           f"checked only against the same figure restated elsewhere in the paper ({len(results)})")
        return Verdict(v.verdict, detail, rounding_only, restated=True, states=v.states)
    return Verdict(v.verdict, v.detail, rounding_only, states=v.states)


def fmt(interval: Interval, reported: str, extra: int = 1) -> str:
    """A recomputed interval as shown beside a printed value: at one more decimal than printed
    (``extra``), one number when both ends round alike, else ``[low, high]``."""
    if reported[0] in "<>" or "/" in reported:
        d = 2
    else:
        d = decimals_of(reported) + extra
    lo, hi = round_half_up(float(interval.lo), d), round_half_up(float(interval.hi), d)
    return f"{lo}" if lo == hi else f"[{lo}, {hi}]"


def _combine(states: list[str], results: list[RouteResult], reported: str, label: Bilingual, numeric: bool,
             qualifier: str = "exact", unit: str = "") -> Verdict:
    st = tuple(STATE[x] for x in states)
    bad = [r for s, r in zip(states, results, strict=True) if s == "inconsistent"]
    if bad:
        r = bad[0]
        gives = fmt(r.interval, reported)
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
            miss = f"{miss} {unit}".strip()
            parts.append(Bilingual(f"论文应印 {need_zh}；相差 {miss}",
                                   f"the claim would need {need_en}; missed by {miss}"))
        if qualifier == "approximate":
            parts.append(Bilingual("原文是约数（近/约）", "the wording is approximate (近/约)"))
        return Verdict("inconsistent", Bilingual.join(parts), states=st)
    if "undecidable" in states:
        return Verdict("undecidable", Bilingual(f"四舍五入使 {label.zh} 无法判定", f"rounding leaves {label.en} open"),
                       states=st)
    return Verdict("consistent", Bilingual(f"{len(results)}条路径一致", f"{len(results)} route(s) agree"), states=st)
