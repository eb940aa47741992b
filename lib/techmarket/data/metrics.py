"""Metrics used across the notebooks, and rounding-aware arithmetic for checking reported figures.

A number printed with d decimals is only known to lie in the half-open interval
[v - 0.5·10^-d, v + 0.5·10^-d): Chinese statistical releases round half up (四舍五入).
``Interval`` keeps such bounds exactly (as fractions) and carries them through arithmetic,
so a check of a reported figure asks "does any admissible input give the printed output?"
instead of using a fixed tolerance.

Plain-float helpers (``ratio``, ``share``, ``pp_change``, ``growth_pct``, ``cagr``) accept
floats or ``Interval``s.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

Number = int | float | Fraction | str


def _frac(x: Number) -> Fraction:
    if isinstance(x, Fraction):
        return x
    if isinstance(x, numbers.Integral):
        return Fraction(int(x))
    if isinstance(x, numbers.Real):  # float, numpy floating
        f = float(x)
        if not math.isfinite(f):
            raise ValueError(f"not a finite number: {x}")
        return Fraction(repr(f))  # the decimal the float was written as: 4.385 means 4.385
    return Fraction(str(x).replace(" ", ""))


def decimals_of(text: str) -> int:
    """Number of decimals a value was printed with: '38.80' -> 2, '39845' -> 0."""
    text = str(text).strip().replace(" ", "")
    return len(text.split(".")[1]) if "." in text else 0


@dataclass(frozen=True)
class Interval:
    """A set of real numbers between ``lo`` and ``hi``; each end open or closed.

    Endpoints are exact ``Fraction``s. Arithmetic follows interval arithmetic; an endpoint of a
    result is closed only when every endpoint it came from was closed.
    """

    lo: Fraction
    hi: Fraction
    lo_closed: bool = True
    hi_closed: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "lo", _frac(self.lo))
        object.__setattr__(self, "hi", _frac(self.hi))
        if self.lo > self.hi or (self.lo == self.hi and not (self.lo_closed and self.hi_closed)):
            raise ValueError(f"empty interval: {self}")

    # --- construction -------------------------------------------------------------------
    @classmethod
    def point(cls, x: Number) -> Interval:
        """An exactly known number."""
        return cls(_frac(x), _frac(x))

    @classmethod
    def printed(cls, text: Number, decimals: int | None = None) -> Interval:
        """What a number printed as ``text`` can be: [v - h, v + h) with h = 0.5·10^-decimals.

        ``decimals`` defaults to the decimals visible in ``text`` (so pass text, not a float,
        to keep trailing zeros: '38.80' has two decimals).
        """
        d = decimals_of(str(text)) if decimals is None else decimals
        v = _frac(text)
        h = Fraction(1, 2 * 10**d)
        return cls(v - h, v + h, True, False)

    # --- inspection ---------------------------------------------------------------------
    @property
    def mid(self) -> float:
        return float((self.lo + self.hi) / 2)

    @property
    def width(self) -> float:
        return float(self.hi - self.lo)

    def __contains__(self, x: Number) -> bool:
        x = _frac(x)
        above = x > self.lo or (x == self.lo and self.lo_closed)
        below = x < self.hi or (x == self.hi and self.hi_closed)
        return above and below

    def intersects(self, other: Interval) -> bool:
        """True when some number lies in both intervals."""
        lo, lo_c = max((self.lo, not self.lo_closed), (other.lo, not other.lo_closed))
        hi, hi_c = min((self.hi, self.hi_closed), (other.hi, other.hi_closed))
        if lo < hi:
            return True
        return lo == hi and (not lo_c) and hi_c

    def distance(self, x: Number) -> float:
        """How far ``x`` is from the interval (0 when inside or on an edge)."""
        x = _frac(x)
        if x < self.lo:
            return float(self.lo - x)
        if x > self.hi:
            return float(x - self.hi)
        return 0.0

    def __repr__(self) -> str:
        left = "[" if self.lo_closed else "("
        right = "]" if self.hi_closed else ")"
        return f"{left}{float(self.lo):.10g}, {float(self.hi):.10g}{right}"

    # --- arithmetic ---------------------------------------------------------------------
    @staticmethod
    def _coerce(x: Interval | Number) -> Interval:
        return x if isinstance(x, Interval) else Interval.point(x)

    @staticmethod
    def _hull(cands: list[tuple[Fraction, bool]]) -> Interval:
        lo = min(v for v, _ in cands)
        hi = max(v for v, _ in cands)
        lo_closed = any(c for v, c in cands if v == lo)
        hi_closed = any(c for v, c in cands if v == hi)
        return Interval(lo, hi, lo_closed, hi_closed)

    def __add__(self, other: Interval | Number) -> Interval:
        o = self._coerce(other)
        return Interval(self.lo + o.lo, self.hi + o.hi,
                        self.lo_closed and o.lo_closed, self.hi_closed and o.hi_closed)

    __radd__ = __add__

    def __neg__(self) -> Interval:
        return Interval(-self.hi, -self.lo, self.hi_closed, self.lo_closed)

    def __sub__(self, other: Interval | Number) -> Interval:
        return self + (-self._coerce(other))

    def __rsub__(self, other: Interval | Number) -> Interval:
        return self._coerce(other) - self

    def __mul__(self, other: Interval | Number) -> Interval:
        o = self._coerce(other)
        cands = [(a * b, ac and bc)
                 for a, ac in ((self.lo, self.lo_closed), (self.hi, self.hi_closed))
                 for b, bc in ((o.lo, o.lo_closed), (o.hi, o.hi_closed))]
        return self._hull(cands)

    __rmul__ = __mul__

    def reciprocal(self) -> Interval:
        if self.lo <= 0 <= self.hi:
            raise ZeroDivisionError(f"interval {self} contains 0")
        return Interval(1 / self.hi, 1 / self.lo, self.hi_closed, self.lo_closed)

    def __truediv__(self, other: Interval | Number) -> Interval:
        return self * self._coerce(other).reciprocal()

    def __rtruediv__(self, other: Interval | Number) -> Interval:
        return self._coerce(other) * self.reciprocal()

    def __pow__(self, n: int) -> Interval:
        """Integer power of a positive interval (exact)."""
        if not isinstance(n, int) or n < 0 or self.lo < 0:
            raise ValueError("only non-negative integer powers of non-negative intervals")
        return Interval(self.lo**n, self.hi**n, self.lo_closed, self.hi_closed)

    def root(self, n: int) -> Interval:
        """n-th root of a positive interval, with endpoints rounded outward (not exact)."""
        if n <= 0 or self.lo < 0:
            raise ValueError("only positive roots of non-negative intervals")
        lo = math.nextafter(float(self.lo) ** (1 / n), -math.inf)
        hi = math.nextafter(float(self.hi) ** (1 / n), math.inf)
        return Interval(Fraction(max(lo, 0.0)), Fraction(hi), True, True)


def value_interval(text: str, unit: str) -> Interval:
    """What a value printed as ``text`` in ``unit`` can be: exact for a fraction ('1/3') and for a
    whole count of things (39 845项, 33家), else its rounding interval."""
    from techmarket.data.units import COUNT_UNITS

    text = str(text)
    if "/" in text or (unit in COUNT_UNITS and "." not in text):
        return Interval.point(text)
    return Interval.printed(text)


def printed_value(text: str, unit: str, to: str | None = None, *, exact: bool = False) -> Interval:
    """A value printed as ``text`` in ``unit``, expressed in the unit ``to`` (default: the canonical
    unit of ``unit``, see :mod:`techmarket.data.units`): what it can be (:func:`value_interval`), or with
    ``exact`` the printed number itself. Conversions are exact."""
    from techmarket.data.units import conversion_factor, factor_between

    factor = conversion_factor(unit) if to is None else factor_between(unit, to)
    return (Interval.point(text) if exact else value_interval(text, unit)) * factor


Value = float | Interval


def ratio(numerator: Value, denominator: Value) -> Value:
    """Multiple 'A 是 B 的 X 倍': X = A / B."""
    return numerator / denominator


def share(part: Value, whole: Value) -> Value:
    """Share of a whole in percent: 100 · part / whole."""
    return part * 100 / whole


def pp_change(new_pct: Value, old_pct: Value) -> Value:
    """Change of a percentage in percentage points: new - old."""
    return new_pct - old_pct


def growth_pct(start: Value, end: Value) -> Value:
    """Growth in percent '提高了/增幅 X%': 100 · (end / start - 1)."""
    return (end / start - 1) * 100


def cagr(start: Value, end: Value, years: int) -> Value:
    """Compound annual growth rate in percent over ``years`` years: 100 · ((end/start)^(1/years) - 1)."""
    if years <= 0:
        raise ValueError("years must be positive")
    if isinstance(start, Interval) or isinstance(end, Interval):
        r = Interval._coerce(end) / Interval._coerce(start)
        return (r.root(years) - 1) * 100
    return (math.pow(end / start, 1 / years) - 1) * 100


def round_half_up(x: Number, decimals: int) -> Decimal:
    """Round as Chinese statistical releases do (四舍五入), exactly, from the decimal text of ``x``."""
    q = Decimal(1).scaleb(-decimals)
    return Decimal(str(x)).quantize(q, rounding=ROUND_HALF_UP)


def consistent_with_printed(reported: str, computed: Interval, decimals: int | None = None) -> bool:
    """True when some value in ``computed`` would be printed as ``reported``."""
    return Interval.printed(reported, decimals).intersects(computed)


def needed_miss(reported: str, computed: Interval, decimals: int | None = None) -> float:
    """How far the printed value's interval lies from ``computed`` (0 when consistent)."""
    p = Interval.printed(reported, decimals)
    if p.intersects(computed):
        return 0.0
    if p.hi <= computed.lo:
        return float(computed.lo - p.hi)
    return float(p.lo - computed.hi)
