"""When diagnoses tie: what would decide between them, and why the paper cannot.

Each of several smallest diagnoses explains every failure on its own, so the printed figures
cannot say which is right. Two things help a reader:

- :func:`decider`: a value the paper implies (a derived value of
  :mod:`techmarket.audit.derivations`) that would take values apart under the competing diagnoses,
  each freed figure at the values it would need and every other at its printed interval: if it
  were known (an official release, the source's table), it would decide. Failing such a value,
  the true value of one of the competing figures decides (it is the misprint, or it is not).
- :func:`why_undecided`: the reason the paper's other figures cannot tell them apart.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from techmarket.audit.box_search import Diagnosis
from techmarket.audit.model import Model
from techmarket.data.i18n import Bilingual, category, geo, indicator
from techmarket.data.metrics import Interval


@dataclass(frozen=True)
class Decider:
    """What would decide between competing diagnoses."""

    ident: str  # a derived value's id, or a competing figure's fact id
    text: Bilingual  # what it is, and what each diagnosis says it would be


def _quantity(row: pd.Series) -> Bilingual:
    cat = (category(str(row["category"]), "zh"), category(str(row["category"]), "en")) if row["category"] else ("", "")
    name = indicator(str(row["indicator"]), "en")
    what_en = " ".join(x for x in (geo(str(row["geo"]), "en"), cat[1], name[:1].lower() + name[1:]) if x)
    return Bilingual(f"{row['geo']}{row['year']}年{cat[0]}{indicator(str(row['indicator']), 'zh')}",
                     f"{what_en} ({row['year']})")


def _fmt(iv: Interval) -> str:
    lo, hi = f"{float(iv.lo):.4g}", f"{float(iv.hi):.4g}"
    return lo if lo == hi else f"{lo}–{hi}"


def decider(smallest: Sequence[Diagnosis], model: Model, derived: pd.DataFrame | None) -> Decider | None:
    """The first derived value that the competing diagnoses put apart (pairwise disjoint
    intervals), else the first competing printed figure; None when nothing competes."""
    if len(smallest) < 2:
        return None
    suspects = frozenset().union(*(d.freed for d in smallest))
    if derived is not None:
        for row in derived.to_dict("records"):
            inputs, evaluate = model.quantities.get(str(row["derived_id"]), ((), None))
            if evaluate is None or not suspects & set(inputs):
                continue
            try:
                values = [evaluate({**model.figures, **d.needed}) for d in smallest]
            except (ArithmeticError, ValueError):
                continue
            if all(not a.intersects(b) for i, a in enumerate(values) for b in values[i + 1:]):
                what = _quantity(pd.Series(row))
                per = [(", ".join(sorted(d.freed)), _fmt(v)) for d, v in zip(smallest, values, strict=True)]
                return Decider(str(row["derived_id"]), Bilingual(
                    f"若知道{what.zh}即可判定（" + "；".join(f"若误印的是 {f}，它为 {v}" for f, v in per) + "）",
                    f"knowing {what.en} would decide ("
                    + "; ".join(f"{v} if the misprint is {f}" for f, v in per) + ")"))
    figure = next((s for s in sorted(suspects) if s not in model.statements), None)
    if figure is None:
        return None
    return Decider(figure, Bilingual(f"若知道 {figure} 的真实数值即可判定（与印出的相同则误印在别处）",
                                     f"the true value of {figure} would decide (if it is as printed, the "
                                     f"misprint is elsewhere)"))


def why_undecided(smallest: Sequence[Diagnosis], model: Model, failing: Mapping[str, bool]) -> Bilingual:
    """Why no other printed figure tells competing diagnoses apart. ``failing``: whether each
    constraint fails with every figure held."""
    suspects = sorted(frozenset().union(*(d.freed for d in smallest)))
    holding = [c for s in suspects for c in model.reading(s) if not failing.get(c.route_id, False)]
    if not holding:
        return Bilingual("只有不成立的路径读取这些数字，论文中没有其他数字可以核对它们",
                         "only the routes that fail read these figures: nothing else the paper prints checks them")
    return Bilingual(f"读取它们的其他{len(holding)}条路径，无论放开其中哪一个都仍成立",
                     f"the {len(holding)} other route(s) that read them hold whichever of them is freed")
