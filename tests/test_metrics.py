"""Metrics and rounding-aware arithmetic, against expectations derived by hand."""
from fractions import Fraction as F

import pytest

from techmarket.data.metrics import (
    Interval,
    cagr,
    consistent_with_printed,
    decimals_of,
    growth_pct,
    needed_miss,
    pp_change,
    printed_value,
    ratio,
    round_half_up,
    share,
)
from techmarket.data.units import UnitError


def test_printed_interval_is_half_open_at_half_a_unit_of_the_last_digit():
    i = Interval.printed("4.39")
    assert (i.lo, i.hi) == (F("4.385"), F("4.395"))
    assert 4.385 in i and "4.3949999" in i
    assert 4.395 not in i and 4.3849999 not in i


def test_trailing_zeros_count_as_printed_precision():
    assert decimals_of("38.80") == 2
    assert decimals_of("39845") == 0
    i = Interval.printed("38.80")
    assert (i.lo, i.hi) == (F("38.795"), F("38.805"))
    assert Interval.printed("3200").hi == F("3200.5")


def test_interval_sum_difference_product_quotient_by_hand():
    a, b = Interval(1, 2), Interval(3, 4)
    assert (a + b) == Interval(4, 6)
    assert (b - a) == Interval(1, 3)
    assert (a * b) == Interval(3, 8)
    assert (b / a) == Interval(F(3, 2), 4)
    assert (Interval(-1, 2) * Interval(3, 4)) == Interval(-4, 8)


def test_open_ends_propagate():
    # [4.385, 4.395) reciprocal: (1/4.395, 1/4.385]
    r = Interval.printed("4.39").reciprocal()
    assert not r.lo_closed and r.hi_closed
    assert F(1) / F("4.395") not in r and F(1) / F("4.385") in r


def test_division_by_interval_containing_zero_raises():
    with pytest.raises(ZeroDivisionError):
        Interval(1, 2) / Interval(-1, 1)


def test_2016_turnover_from_multiple_matches_hand_bounds():
    # 3465.92 / 4.39: smallest 3465.915 / 4.395 (open), largest 3465.925 / 4.385 (open)
    q = Interval.printed("3465.92") / Interval.printed("4.39")
    assert q.lo == F("3465.915") / F("4.395") and q.hi == F("3465.925") / F("4.385")
    assert not q.lo_closed and not q.hi_closed


def test_ratio_share_pp_growth_on_floats():
    # long division: 3465.92 × 1.822 = 6314.906, remainder 1.254 / 3465.92 = 0.000362
    assert ratio(6316.16, 3465.92) == pytest.approx(1.822362, abs=1e-6)
    assert ratio(6, 4) == 1.5
    # 3465.92 × 0.0085 = 29.46032, so 29.46 / 3465.92 = 0.0085 − 0.00032/3465.92
    assert share(29.46, 3465.92) == pytest.approx(0.849991, abs=1e-6)
    assert share(1, 8) == 12.5
    assert pp_change(3.13, 0.98) == pytest.approx(2.15)
    assert growth_pct(0.01, 0.66) == pytest.approx(6500.0)
    assert growth_pct(100, 50) == pytest.approx(-50.0)


def test_cagr_hand_examples():
    assert cagr(100, 121, 2) == pytest.approx(10.0)
    assert cagr(1, 16, 4) == pytest.approx(100.0)
    with pytest.raises(ValueError):
        cagr(1, 2, 0)


def test_cagr_on_intervals_brackets_the_float_result():
    g = cagr(Interval.point(100), Interval.point(121), 2)
    assert 10 in g and g.width < 1e-9


def test_round_half_up_is_exact_on_decimal_text():
    # binary floats would print 2.675 as 2.67; 四舍五入 gives 2.68
    assert str(round_half_up("2.675", 2)) == "2.68"
    assert str(round_half_up("0.125", 2)) == "0.13"
    assert str(round_half_up(65.107, 1)) == "65.1"


def test_value_at_edge_of_rounding_interval_is_consistent_and_one_digit_off_is_not():
    assert consistent_with_printed("44.73", Interval.point("44.725"))
    assert not consistent_with_printed("44.73", Interval.point("44.735"))
    assert consistent_with_printed("44.73", Interval.point("44.7349999"))
    # a digit off in the last place
    assert not consistent_with_printed("44.74", Interval.point("44.725"))


def test_needed_miss_measures_the_gap():
    assert needed_miss("1.20", Interval(F("1.3"), F("1.4"))) == pytest.approx(0.095)
    assert needed_miss("1.20", Interval(F("1.1"), F("1.3"))) == 0.0


def test_empty_interval_is_refused():
    with pytest.raises(ValueError):
        Interval(2, 1)
    with pytest.raises(ValueError):
        Interval(1, 1, True, False)


def test_intersects_respects_open_ends():
    a = Interval(0, 1, True, False)  # [0, 1)
    assert not a.intersects(Interval(1, 2))
    assert a.intersects(Interval(F("0.999"), 2))
    assert Interval(0, 1).intersects(Interval(1, 2))


def test_whole_counts_and_fractions_are_exact_measurements_are_not():
    from techmarket.data.metrics import value_interval

    assert value_interval("39845", "项") == Interval.point(39845)
    assert value_interval("33", "家") == Interval.point(33)
    assert value_interval("1/3", "fraction") == Interval.point(F(1, 3))
    assert value_interval("54.94", "万项") == Interval.printed("54.94")  # rounded to 100 contracts
    assert value_interval("3200", "亿元") == Interval.printed("3200")


def test_numpy_floats_are_read_as_their_decimal():
    import numpy as np

    assert Interval.point(np.float64(4.385)).lo == F("4.385")


def test_printed_value_converts_the_rounding_interval_exactly():
    # 3465.92 亿元 stands for [3465.915, 3465.925) 亿元
    assert printed_value("3465.92", "亿元") == Interval(F("3465.915"), F("3465.925"), hi_closed=False)
    # 1.5 万亿元 = [1.45, 1.55) 万亿元 = [14500, 15500) 亿元 (canonical); 1 亿元 = 10 000 万元
    assert printed_value("1.5", "万亿元") == Interval(14500, 15500, hi_closed=False)
    assert printed_value("1.5", "万亿元", "万元") == Interval(145_000_000, 155_000_000, hi_closed=False)
    assert printed_value("1.5", "万亿元", exact=True) == Interval.point(15000)
    # a whole count is exact; the same count printed in 万项 is rounded
    assert printed_value("39845", "项") == Interval.point(39845)
    assert printed_value("3.98", "万项") == Interval(39750, 39850, hi_closed=False)
    with pytest.raises(UnitError):
        printed_value("2.9", "%", "亿元")
