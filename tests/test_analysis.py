"""Analyses beyond the paper, against hand-derived results."""
import math

import numpy as np
import pandas as pd
import pytest

from techmarket.notebook.analysis import (
    carried,
    concentration_ratio,
    growth_decomposition,
    hhi,
    hhi_bounds,
    loglinear_trend,
    loglog_crosssection,
)


def test_trend_of_an_exact_exponential_is_its_rate():
    values = pd.Series([100 * 1.1**t for t in range(5)], index=range(2016, 2021))
    t = loglinear_trend(values)
    assert t.rate == pytest.approx(10.0) and t.ci_low == pytest.approx(10.0, abs=1e-6)
    assert t.n == 5 and t.df_resid == 3


def test_trend_with_noise_by_hand():
    # log y = 0, 1, 1, 2 at x = 0..3: Sxy = 3, Sxx = 5, b = 0.6; residuals -0.1, 0.3, -0.3, 0.1;
    # s² = 0.2 / 2 = 0.1; se(b) = sqrt(0.1 / 5); t(0.975, 2) = 4.302653
    values = pd.Series(np.exp([0.0, 1.0, 1.0, 2.0]), index=[2017, 2018, 2019, 2020])
    t = loglinear_trend(values)
    se = math.sqrt(0.1 / 5)
    assert t.rate == pytest.approx(100 * math.expm1(0.6))
    assert t.ci_low == pytest.approx(100 * math.expm1(0.6 - 4.302653 * se), abs=1e-4)
    assert t.ci_high == pytest.approx(100 * math.expm1(0.6 + 4.302653 * se), abs=1e-4)


def test_trend_needs_three_positive_points():
    with pytest.raises(ValueError):
        loglinear_trend(pd.Series([1.0, 2.0], index=[1, 2]))
    with pytest.raises(ValueError):
        loglinear_trend(pd.Series([1.0, 0.0, 2.0], index=[1, 2, 3]))


def test_growth_decomposition_splits_exactly():
    d = growth_decomposition(100, 400, 10, 20)  # turnover ×4, contracts ×2, value per contract ×2
    assert d.count_share == pytest.approx(50.0) and d.value_share == pytest.approx(50.0)
    d = growth_decomposition(100, 200, 10, 10)
    assert d.count_share == pytest.approx(0.0) and d.value_share == pytest.approx(100.0)


def test_hhi_and_concentration_ratio():
    assert hhi([50, 50]) == 5000
    assert hhi([100]) == 10_000
    assert concentration_ratio([10, 50, 40], 2) == 90


def test_hhi_bounds_by_hand():
    # known 40 and 25, remainder 35 in units of at most 25: one of 25 and one of 10
    lo, hi = hhi_bounds([40, 25])
    assert lo == 1600 + 625 and hi == 1600 + 625 + 625 + 100
    # nothing unknown: both bounds equal the HHI
    assert hhi_bounds([60, 40]) == (5200, 5200)
    # an explicit cap
    assert hhi_bounds([50], cap_pct=50) == (2500, 5000)


def test_loglog_crosssection_recovers_a_power_law():
    x = pd.Series([1.0, 4.0, 9.0, 16.0], index=list("abcd"))
    y = 2 * x**0.5
    cs = loglog_crosssection(x, y)
    assert cs.elasticity == pytest.approx(0.5) and cs.r2 == pytest.approx(1.0)
    # the intercept (ln 2) is carried at nine significant digits, so the residuals of an exact
    # power law are zero to that precision: |0.693147181 − ln 2| = 4.4e-10
    assert cs.residuals.abs().max() < 1e-9


def test_loglog_residual_sign_says_above_or_below():
    x = pd.Series([1.0, 2.0, 4.0, 8.0], index=list("abcd"))
    y = pd.Series([1.0, 2.0, 8.0, 8.0], index=list("abcd"))  # c sits above the line
    cs = loglog_crosssection(x, y)
    assert cs.residuals["c"] > 0


def test_carried_rounds_to_nine_significant_digits():
    from techmarket.notebook.analysis import CARRIED_DIGITS

    assert CARRIED_DIGITS == 9
    assert carried(1 / 3) == 0.333333333
    assert carried(123456.789012) == 123456.789
    assert carried(-0.000123456789012) == -0.000123456789
    assert carried(pd.Series([2 / 3], index=["a"])).to_dict() == {"a": 0.666666667}
    assert carried(np.array([[1 / 7]])).tolist() == [[0.142857143]]


def test_carried_removes_the_noise_of_another_blas_kernel():
    # the elasticity of notebook 06 as two OpenBLAS kernels computed it (SkylakeX, Sandybridge)
    assert carried(0.27598509405279703) == carried(0.2759850940527975) == 0.275985094


def test_fitted_line_and_residuals_come_from_the_carried_parameters():
    x = pd.Series([1.0, 2.0, 4.0, 8.0], index=list("abcd"))
    y = pd.Series([1.0, 2.0, 8.0, 8.0], index=list("abcd"))
    cs = loglog_crosssection(x, y)
    # by hand, in units of ln 2: log x = 0, 1, 2, 3 (mean 1.5), log y = 0, 1, 3, 3 (mean 1.75);
    # Sxy = 2.625 + 0.375 + 0.625 + 1.875 = 5.5, Sxx = 5, slope 1.1, intercept ln2·(1.75 − 1.1·1.5)
    assert cs.elasticity == 1.1
    assert cs.intercept == carried(math.log(2) * (1.75 - 1.1 * 1.5))
    assert list(cs.line([1.0, 8.0])) == [carried(math.exp(cs.intercept)),
                                          carried(math.exp(cs.intercept + 1.1 * math.log(8.0)))]
    assert cs.fitted["d"] == cs.line([8.0])[0]
    assert cs.residuals["c"] == carried(math.log(8.0) - (cs.intercept + 1.1 * math.log(4.0)))


def test_prediction_interval_of_the_crosssection_by_hand():
    from scipy import stats

    x = pd.Series([1.0, 2.0, 4.0, 8.0], index=list("abcd"))
    y = pd.Series([1.0, 2.0, 8.0, 8.0], index=list("abcd"))
    cs = loglog_crosssection(x, y)
    # in units of ln 2: residuals -0.1, -0.2, 0.7, -0.4, so s² = 0.70 / 2; Sxx = 5, mean log x 1.5;
    # half-width at x_i: t(0.975, 2)·s·sqrt(1 + 1/4 + (x_i − 1.5)²/5)
    s = math.sqrt(0.70 / 2) * math.log(2)
    t = stats.t.ppf(0.975, 2)
    for label, lx in zip("abcd", [0, 1, 2, 3], strict=True):
        assert cs.pi_half[label] == pytest.approx(t * s * math.sqrt(1 + 1 / 4 + (lx - 1.5) ** 2 / 5), rel=1e-8)
    assert cs.pi_half["c"] == carried(cs.pi_half["c"])  # carried like every fitted quantity
    assert cs.confidence == pytest.approx(0.95)
    # c sits 0.7·ln 2 = 0.49 above the line, far inside ±2.2: within the scatter, not "above"
    assert cs.residuals["c"] > 0 and cs.position("c") == "within"
    assert {cs.position(k) for k in "abcd"} == {"within"}


def test_prediction_band_is_the_interval_at_each_x():
    x = pd.Series([1.0, 2.0, 4.0, 8.0], index=list("abcd"))
    y = pd.Series([1.0, 2.0, 8.0, 8.0], index=list("abcd"))
    cs = loglog_crosssection(x, y)
    lo, hi = cs.band(x.to_numpy())
    fitted = np.log(cs.fitted.to_numpy())
    assert np.allclose(np.log(hi) - fitted, cs.pi_half.to_numpy(), rtol=1e-7)
    assert np.allclose(fitted - np.log(lo), cs.pi_half.to_numpy(), rtol=1e-7)
    assert list(lo) == list(carried(lo)) and list(hi) == list(carried(hi))


def test_a_residual_outside_the_prediction_interval_is_above_or_below_the_scatter():
    # 28 points on a power law to within ±0.01, one far above it and one far below it
    x = pd.Series(np.arange(1.0, 31.0), index=[f"p{i}" for i in range(30)])
    noise = np.array([0.01, -0.01] * 15)
    noise[5], noise[10] = 1.0, -1.0
    y = 3 * x**0.5 * np.exp(noise)
    cs = loglog_crosssection(x, y)
    assert cs.position("p5") == "above" and cs.position("p10") == "below"
    assert cs.position("p0") == "within"
    assert abs(cs.residuals["p5"]) > cs.pi_half["p5"]
