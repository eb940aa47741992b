"""Unit conversion, done in code and never by hand.

Money goes to 亿元 (10^8 yuan), counts of contracts or projects to 项, percentages stay in %.
A unit that cannot be converted without outside information (US dollars, which need an
exchange rate that no source here gives) raises instead of guessing.
"""
from __future__ import annotations

from fractions import Fraction

from techmarket.data.errors import TechmarketError

# unit as printed -> (canonical unit, exact factor)
CONVERSIONS: dict[str, tuple[str, Fraction]] = {
    "亿元": ("亿元", Fraction(1)),
    "万亿元": ("亿元", Fraction(10_000)),
    "万元": ("亿元", Fraction(1, 10_000)),
    "billion CNY": ("亿元", Fraction(10)),
    "trillion CNY": ("亿元", Fraction(10_000)),
    "项": ("项", Fraction(1)),
    "万项": ("项", Fraction(10_000)),
    "thousand contracts": ("项", Fraction(1_000)),
    "%": ("%", Fraction(1)),
    "% of GDP": ("%", Fraction(1)),
    "% of national R&D": ("%", Fraction(1)),
    "fraction": ("%", Fraction(100)),
    "百分点": ("百分点", Fraction(1)),
    "倍": ("倍", Fraction(1)),
    "位": ("位", Fraction(1)),
    "年": ("年", Fraction(1)),
    "家": ("家", Fraction(1)),
    "人": ("人", Fraction(1)),
    "次": ("次", Fraction(1)),
    "支": ("支", Fraction(1)),
    "个": ("个", Fraction(1)),
}
# Units of whole things counted one by one: a whole number printed in one of them is exact
# (39 845项 means exactly 39 845), not a rounded measurement.
COUNT_UNITS = frozenset({"项", "家", "人", "次", "支", "个", "位", "年"})
NOT_CONVERTIBLE = {"billion USD": "needs an exchange rate, which no source in data/ gives"}


class UnitError(TechmarketError, ValueError):
    """A unit that is unknown or cannot be converted without outside information."""


def canonical_unit(unit: str) -> str:
    """The unit a value in ``unit`` is converted to."""
    if unit in NOT_CONVERTIBLE:
        raise UnitError(f"unit {unit!r} cannot be converted: {NOT_CONVERTIBLE[unit]}")
    try:
        return CONVERSIONS[unit][0]
    except KeyError:
        raise UnitError(f"unknown unit {unit!r}; known: {sorted(CONVERSIONS)}") from None


def conversion_factor(unit: str) -> Fraction:
    """Exact factor that turns a value in ``unit`` into ``canonical_unit(unit)``."""
    canonical_unit(unit)
    return CONVERSIONS[unit][1]


def to_canonical(value: str | float | Fraction, unit: str) -> tuple[float, str]:
    """Convert ``value`` printed in ``unit`` to the canonical unit: ``(value, canonical unit)``."""
    factor = conversion_factor(unit)
    return float(Fraction(value) * factor), canonical_unit(unit)


def factor_between(from_unit: str, to_unit: str) -> Fraction:
    """Exact factor turning a value in ``from_unit`` into ``to_unit`` (same canonical unit)."""
    if canonical_unit(from_unit) != canonical_unit(to_unit):
        raise UnitError(f"cannot convert {from_unit!r} to {to_unit!r}: different quantities")
    return conversion_factor(from_unit) / conversion_factor(to_unit)
