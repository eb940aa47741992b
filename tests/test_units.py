from fractions import Fraction

import pytest

from techmarket.data.units import UnitError, canonical_unit, conversion_factor, to_canonical


@pytest.mark.parametrize(
    "value, unit, expected, canonical",
    [
        ("1.78", "万亿元", 17800.0, "亿元"),
        ("2.83", "万亿元", 28300.0, "亿元"),
        ("270.5", "billion CNY", 2705.0, "亿元"),
        ("2.23984", "trillion CNY", 22398.4, "亿元"),
        ("451.95", "万元", 0.045195, "亿元"),
        ("32.0", "万项", 320000.0, "项"),
        ("950", "thousand contracts", 950000.0, "项"),
        ("2.52", "% of GDP", 2.52, "%"),
        ("1/3", "fraction", 100 / 3, "%"),
    ],
)
def test_conversions(value, unit, expected, canonical):
    got, unit_out = to_canonical(value, unit)
    assert unit_out == canonical
    assert got == pytest.approx(expected, rel=1e-12)


def test_factors_are_exact():
    assert conversion_factor("万亿元") == Fraction(10_000)
    assert Fraction("1.78") * conversion_factor("万亿元") == 17_800


def test_dollars_are_not_converted_without_an_exchange_rate():
    with pytest.raises(UnitError, match="exchange rate"):
        canonical_unit("billion USD")


def test_unknown_unit_raises():
    with pytest.raises(UnitError, match="unknown unit '亿圆'"):
        to_canonical("1", "亿圆")
