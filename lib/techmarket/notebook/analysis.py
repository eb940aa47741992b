"""Analyses that go one step past the paper: trends, growth decomposition, concentration and
a size cross-section. Pure functions over numbers and data frames; statsmodels for the models.

Five annual points leave three degrees of freedom for a trend: intervals are wide, and the
functions report them rather than a bare point estimate.

Fitted quantities are *carried* at ``CARRIED_DIGITS`` significant digits: a least-squares fit
goes through BLAS and LAPACK, whose last bits depend on the kernel the CPU selects (and ``exp``
and ``log`` on the SIMD path numpy takes). Parameters, intervals and R² are rounded as they leave
the fit, and fitted values and residuals are computed from the rounded parameters and rounded
again, so that what the notebooks print and draw is the same on every machine: nine digits are
far below what any table prints or any figure resolves, and far above the noise (about 1e-14).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm

CONFIDENCE = 0.95  # confidence level of every interval reported by the notebooks
CARRIED_DIGITS = 9  # significant digits at which fitted quantities are carried (see above)


def carried(x):
    """``x`` (a number, array or Series) rounded to ``CARRIED_DIGITS`` significant digits."""
    def one(v: float) -> float:
        return float(f"{v:.{CARRIED_DIGITS - 1}e}")

    if isinstance(x, pd.Series):
        return x.map(one).astype(float)
    if isinstance(x, np.ndarray):
        return np.array([one(v) for v in x.ravel()], dtype=float).reshape(x.shape)
    return one(float(x))


@dataclass(frozen=True)
class Trend:
    """Log-linear trend log(y) = a + b·(year − first year)."""

    rate: float       # annual growth in %, 100·(e^b − 1)
    ci_low: float     # confidence interval of the rate, %
    ci_high: float
    n: int
    df_resid: int
    r2: float
    fitted: pd.Series  # fitted values on the original scale, indexed by year
    intercept: float   # a and b, carried at CARRIED_DIGITS
    slope: float


def loglinear_trend(values: pd.Series, alpha: float = 1 - CONFIDENCE) -> Trend:
    """Fit a log-linear trend to ``values`` indexed by year (OLS, t-based interval)."""
    if len(values) < 3 or (values <= 0).any():
        raise ValueError("a log-linear trend needs at least 3 positive values")
    years = np.asarray(values.index, dtype=float)
    X = sm.add_constant(years - years.min())
    fit = sm.OLS(np.log(values.to_numpy(dtype=float)), X).fit()
    a, b = (float(v) for v in carried(fit.params))
    lo, hi = (float(v) for v in carried(fit.conf_int(alpha)[1]))
    fitted = carried(pd.Series(np.exp(a + b * (years - years.min())), index=values.index))
    return Trend(carried(100 * math.expm1(b)), carried(100 * math.expm1(lo)), carried(100 * math.expm1(hi)),
                 int(fit.nobs), int(fit.df_resid), carried(fit.rsquared), fitted, a, b)


@dataclass(frozen=True)
class Decomposition:
    """Turnover growth split into growth of the contract count and of the value per contract."""

    total_log: float
    count_log: float
    value_log: float

    @property
    def count_share(self) -> float:
        """Share of the (log) growth due to more contracts, in %."""
        return 100 * self.count_log / self.total_log

    @property
    def value_share(self) -> float:
        return 100 * self.value_log / self.total_log


def growth_decomposition(turnover0: float, turnover1: float, count0: float, count1: float) -> Decomposition:
    """log(T1/T0) = log(N1/N0) + log(A1/A0) with A = T/N: an exact split of the growth."""
    total = math.log(turnover1 / turnover0)
    count = math.log(count1 / count0)
    return Decomposition(total, count, total - count)


HHI_MAX = 10_000  # the HHI of a single unit holding 100 % (shares in percent, squared)


def hhi(shares_pct) -> float:
    """Herfindahl-Hirschman index (0 to HHI_MAX) of shares given in % that cover the whole."""
    s = np.asarray(list(shares_pct), dtype=float)
    return float(np.sum(s**2))


def hhi_bounds(known_pct, cap_pct: float | None = None) -> tuple[float, float]:
    """Bounds on the HHI when only some shares are known.

    The unknown remainder R = 100 − Σ known is spread over units of unknown size. Spread thinly
    it adds nothing (lower bound); packed into as few units as possible, none larger than
    ``cap_pct`` (default: the smallest known share, when the known units are the largest), it
    adds ⌊R/cap⌋·cap² + (R mod cap)² (upper bound).
    """
    k = [float(x) for x in known_pct]
    rem = max(0.0, 100.0 - sum(k))
    cap = float(cap_pct) if cap_pct is not None else min(k)
    base = sum(x * x for x in k)
    if rem == 0 or cap <= 0:
        return base, base
    full = math.floor(rem / cap)
    return base, base + full * cap * cap + (rem - full * cap) ** 2


def concentration_ratio(shares_pct, n: int) -> float:
    """CR-n: the sum of the n largest shares (%)."""
    return float(sum(sorted((float(s) for s in shares_pct), reverse=True)[:n]))


@dataclass(frozen=True)
class CrossSection:
    """log(y) = intercept + elasticity·log(x) across units; every number carried at CARRIED_DIGITS.

    ``pi_half`` is, for each unit, the half-width (in log points) of the prediction interval of a
    new unit of that size (level ``confidence``): a residual inside ±``pi_half`` is *within the
    scatter* of the fit, and its sign then says nothing about the unit. With few units and a weak
    fit the interval is wide; that is the point of reporting it.
    """

    elasticity: float
    ci_low: float
    ci_high: float
    r2: float
    n: int
    residuals: pd.Series    # log points above (+) or below (−) the fitted line, by label
    fitted: pd.Series
    intercept: float
    pi_half: pd.Series      # half-width of each unit's prediction interval, log points, by label
    confidence: float = CONFIDENCE
    _fit: object = field(default=None, repr=False, compare=False)

    def line(self, x) -> np.ndarray:
        """The fitted line at ``x`` (original scale), carried: what a figure draws."""
        return carried(np.exp(self.intercept + self.elasticity * np.log(np.asarray(x, dtype=float))))

    def position(self, label) -> str:
        """``"within"`` when the unit's residual lies inside its prediction interval (within the
        scatter), else ``"above"`` or ``"below"`` it."""
        r, h = float(self.residuals[label]), float(self.pi_half[label])
        return "within" if abs(r) <= h else ("above" if r > 0 else "below")

    def band(self, x) -> tuple[np.ndarray, np.ndarray]:
        """The prediction interval at ``x`` (original scale; statsmodels' ``obs_ci``), carried: the
        band within which a new unit of size ``x`` would fall with probability ``confidence``."""
        if self._fit is None:
            raise ValueError("this cross-section carries no fit to predict from")
        logx = np.log(np.asarray(x, dtype=float))
        exog = sm.add_constant(logx, has_constant="add")
        frame = self._fit.get_prediction(exog).summary_frame(alpha=1 - self.confidence)
        return (carried(np.exp(carried(frame["obs_ci_lower"].to_numpy()))),
                carried(np.exp(carried(frame["obs_ci_upper"].to_numpy()))))


def loglog_crosssection(x: pd.Series, y: pd.Series, alpha: float = 1 - CONFIDENCE) -> CrossSection:
    """OLS of log(y) on log(x) across units (same index); residuals say who sits above the line,
    and each unit's prediction interval (statsmodels ``get_prediction(...).summary_frame``,
    ``obs_ci_*``) says whether that is more than the scatter of the fit."""
    x, y = x.astype(float), y.astype(float)
    X = sm.add_constant(np.log(x.to_numpy()))
    fit = sm.OLS(np.log(y.to_numpy()), X).fit()
    a, b = (float(v) for v in carried(fit.params))
    lo, hi = (float(v) for v in carried(fit.conf_int(alpha)[1]))
    log_fit = a + b * np.log(x)
    frame = fit.get_prediction(X).summary_frame(alpha=alpha)
    half = pd.Series((frame["obs_ci_upper"].to_numpy() - frame["obs_ci_lower"].to_numpy()) / 2, index=x.index)
    return CrossSection(b, lo, hi, carried(fit.rsquared), int(fit.nobs),
                        carried(np.log(y) - log_fit), carried(np.exp(log_fit)), a, carried(half), 1 - alpha, fit)
