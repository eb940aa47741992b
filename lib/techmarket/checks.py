"""Paper versus recomputation, row by row, with a visible mark where they differ beyond rounding.

A printed value stands for its rounding interval; a recomputation is an interval carried
through the arithmetic from its printed inputs. They agree when the two intervals meet.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from techmarket.i18n import tr
from techmarket.metrics import Interval, decimals_of, printed_value, round_half_up
from techmarket.verdict_rule import holds

CONSISTENT, DIFFERS, APPROX_DIFFERS = "consistent", "differs", "approx_differs"
MARKS = {
    CONSISTENT: ("✓ 四舍五入内一致", "✓ consistent within rounding"),
    DIFFERS: ("✗ 超出四舍五入范围", "✗ differs beyond rounding"),
    APPROX_DIFFERS: ("≈ 近似表述，有偏差", "≈ approximate wording, off"),
}


@dataclass(frozen=True)
class Comparison:
    printed: str
    qualifier: str
    computed: Interval
    unit: str = ""

    @property
    def verdict(self) -> str:
        """Judged by the audit's rule (``verdict_rule.holds``): one rule for the whole package."""
        if holds(self.printed, self.unit, self.computed, self.qualifier):
            return CONSISTENT
        return APPROX_DIFFERS if self.qualifier == "approximate" else DIFFERS

    def computed_text(self, extra_decimals: int = 1) -> str:
        """The recomputed range at one more decimal than printed: one number when both ends
        round to the same value, else '[low, high]'."""
        d = decimals_of(self.printed) + extra_decimals
        lo, hi = round_half_up(float(self.computed.lo), d), round_half_up(float(self.computed.hi), d)
        return f"{lo}" if lo == hi else f"[{lo}, {hi}]"


def compare(printed: str, computed: Interval, qualifier: str = "exact", unit: str = "") -> Comparison:
    return Comparison(printed, qualifier, computed, unit)


def check_table(ctx, rows: list[tuple[str, str, str, Interval]]) -> pd.DataFrame:
    """Rows of (label zh, label en, fact_id, recomputed interval) -> a display table.

    Columns: the claim, the fact id, the printed value, the recomputation and the verdict mark.
    """
    out = []
    for zh, en, fact_id, computed in rows:
        fact = ctx.fact(fact_id)
        c = compare(str(fact["value"]), computed, str(fact["qualifier"]), str(fact["unit"]))
        out.append({
            tr(ctx.lang, "项目", "Item"): tr(ctx.lang, zh, en),
            tr(ctx.lang, "出处", "Fact"): fact_id,
            tr(ctx.lang, "论文数值", "Paper"): f"{fact['value']} {fact['unit']}",
            tr(ctx.lang, "重算", "Recomputed"): c.computed_text(),
            tr(ctx.lang, "判断", "Verdict"): tr(ctx.lang, *MARKS[c.verdict]),
        })
    return pd.DataFrame(out)


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
    return WITHIN if a.intersects(b) else EXT_DIFFERS
