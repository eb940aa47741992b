"""The one formula language of the package: derived values and claim routes are both written in it
and evaluated here, over intervals.

A formula is arithmetic (``+ - * /``, whole-number powers ``**``, parentheses, numbers) over
references in braces and a few functions. References name a figure by what it is:

- ``{S2.1-03}``: a printed number of the paper, by its fact id;
- ``{T1:江苏|turnover}``: a cell of Table 1, by province and column (``rank``, ``turnover``,
  ``share``, ``turnover_to_gdp``);
- ``{EXT:gdp|广东|2018}``: an official release, by series, area and year, narrowed where several
  releases match by ``|unit=…``, ``|qualifier=…`` or ``|publisher^=…`` (the publisher begins so);
- ``{D:turnover|广东|2018}``: a value the package derives (``|category|measure`` may follow;
  the first route of that quantity);
- ``{years}``: the claim's year minus its base year; ``{years:S2.1-05}`` the same of a named fact;
- ``{items:C-38}``: how many items the paper names for a count claim (its ``items`` in claims.csv).

Any figure reference may end in `` in UNIT`` to convert it (``{S2.1-03 in 万元}``).
Functions: ``cagr(start, end, years)``, ``minof(...)``, ``maxof(...)``, ``rank(x, *others)`` (the
ranks ``x`` can take, 1 = largest) and ``first_if_over_half(share)``.

Resolving a reference to a :class:`Figure` is :mod:`techmarket.audit.sources`' job; this module parses,
checks and evaluates. Every error is a :class:`FormulaError` that quotes the formula as written.
"""
from __future__ import annotations

import ast
import io
import math
import operator
import re
import tokenize
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from techmarket.data.errors import TechmarketError
from techmarket.data.metrics import Interval

REF = re.compile(r"\{([^{}]+)\}")
FACT_ID = re.compile(r"^[A-Z][0-9A-Z.]*-\d{2}$")  # a fact's or a claim's id
TABLE1_COLUMNS = ("rank", "turnover", "share", "turnover_to_gdp")


class FormulaError(TechmarketError, ValueError):
    """A formula that does not parse, uses something the language does not have, or names a figure
    that does not exist. ``reason`` says what is wrong; ``formula``, when known, is the formula as
    written (the message quotes it). A caller that knows more (the claim, the derivation) builds
    its own message from ``reason``."""

    def __init__(self, reason: str, formula: str | None = None):
        self.reason, self.formula = reason, formula
        super().__init__(reason if formula is None else f"formula {formula!r}: {reason}")


@dataclass(frozen=True)
class Reference:
    """One ``{…}`` of a formula, parsed."""

    text: str  # as written, without braces
    kind: str  # "fact", "table1", "release", "derived", "years" or "items"
    key: tuple[str, ...]  # fact: (id,); table1: (geo, column); derived: (indicator, geo, year[, category[,
    #                       measure]]); years: () for the claim's own fact, or (fact id,); items: (claim id,)
    where: tuple[tuple[str, str], ...] = ()  # release: (field, value) pairs; "publisher^" = starts with
    unit: str = ""  # convert to this unit ("" = the figure's own)


def parse_reference(text: str) -> Reference:
    """Parse the inside of one ``{…}``."""
    body, _, unit = (part.strip() for part in text.rpartition(" in ")) if " in " in text else (text.strip(), "", "")
    head, colon, rest = body.partition(":")
    if head == "years" and unit:
        raise FormulaError(f"{{{text}}}: a number of years has no unit to convert")
    if body == "years":
        return Reference(text, "years", ())
    if head == "items":
        if unit or not FACT_ID.match(rest.strip()):
            raise FormulaError(f"{{{text}}}: items:… names a claim that lists items, like items:C-38")
        return Reference(text, "items", (rest.strip(),))
    if head == "years":
        if not FACT_ID.match(rest.strip()):
            raise FormulaError(f"{{{text}}}: years:… names a fact id, like years:S2.1-05")
        return Reference(text, "years", (rest.strip(),))
    if not colon:
        if not FACT_ID.match(body):
            raise FormulaError(f"{{{text}}} is neither a fact id (like S2.1-03) nor a reference of the form "
                               f"T1:…, EXT:… or D:…")
        return Reference(text, "fact", (body,), unit=unit)
    parts = [p.strip() for p in rest.split("|")]
    if head == "T1":
        if len(parts) != 2 or parts[1] not in TABLE1_COLUMNS:
            raise FormulaError(f"{{{text}}}: a Table 1 cell is T1:province|column, column one of "
                               f"{', '.join(TABLE1_COLUMNS)}")
        return Reference(text, "table1", tuple(parts), unit=unit)
    if head == "EXT":
        if len(parts) < 3 or not parts[2].isdigit():
            raise FormulaError(f"{{{text}}}: a release is EXT:series|area|year[|field=value…]")
        where = [("series", parts[0]), ("geo", parts[1]), ("year", parts[2])]
        for p in parts[3:]:
            field, eq, value = p.partition("=")
            if not eq or field.strip() not in ("unit", "qualifier", "publisher^"):
                raise FormulaError(f"{{{text}}}: {p!r} is not unit=…, qualifier=… or publisher^=…")
            where.append((field.strip(), value.strip()))
        return Reference(text, "release", (), tuple(where), unit)
    if head == "D":
        if not 3 <= len(parts) <= 5 or not parts[2].isdigit():
            raise FormulaError(f"{{{text}}}: a derived value is D:indicator|area|year[|category[|measure]]")
        return Reference(text, "derived", tuple(parts), unit=unit)
    raise FormulaError(f"{{{text}}}: unknown reference type {head!r} (T1, EXT or D)")


# --- functions ----------------------------------------------------------------------------------
def _maxof(*xs: Interval) -> Interval:
    return Interval(max(x.lo for x in xs), max(x.hi for x in xs))


def _minof(*xs: Interval) -> Interval:
    return Interval(min(x.lo for x in xs), min(x.hi for x in xs))


def _rank(x: Interval, *others: Interval) -> Interval:
    """Ranks (1 = largest) that ``x`` can take among ``others`` given their intervals."""
    surely_above = sum(1 for o in others if o.lo > x.hi)
    maybe_above = sum(1 for o in others if o.hi > x.lo)
    return Interval(1 + surely_above, 1 + maybe_above)


def _first_if_over_half(share: Interval) -> Interval:
    """Rank 1 when a share surely exceeds 50 % (no other unit can be larger); else unknown."""
    return Interval.point(1) if share.lo > 50 else Interval(1, 99)


def _cagr(start: Interval, end: Interval, years: Interval) -> Interval:
    if years.lo != years.hi or years.lo != int(years.lo) or years.lo < 1:
        raise FormulaError(f"cagr needs a whole number of years, got {years}")
    return ((end / start).root(int(years.lo)) - 1) * 100


FUNCTIONS: dict[str, Callable[..., Interval]] = {
    "maxof": _maxof, "minof": _minof, "rank": _rank, "first_if_over_half": _first_if_over_half, "cagr": _cagr}
ARITY = {"cagr": 3, "first_if_over_half": 1}
BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


# --- parsing and evaluation ---------------------------------------------------------------------
@dataclass(frozen=True)
class Formula:
    """A parsed formula: its text as written, its references in order, and the expression in
    which reference ``i`` is the name ``_i``."""

    text: str
    refs: tuple[Reference, ...]
    tree: ast.Expression

    def evaluate(self, values: Mapping[int, Interval]) -> Interval:
        """The formula over intervals, reference ``i`` standing for ``values[i]``."""
        try:
            return _eval(self.tree.body, values)
        except ZeroDivisionError:
            raise FormulaError("divides by an interval that contains 0", self.text) from None
        except FormulaError as err:  # raised by a function of the language
            raise FormulaError(err.reason, self.text) from None
        except (ValueError, OverflowError) as err:  # an empty interval, a root of a negative number …
            raise FormulaError(str(err), self.text) from None


def parse(text: str) -> Formula:
    """Parse and check a formula; a reference is parsed but not resolved."""
    refs: list[Reference] = []

    def sub(m: re.Match) -> str:
        refs.append(parse_reference(m.group(1)))
        return f"(_{len(refs) - 1})"  # parenthesised: text beside a reference cannot merge with it

    for name in _names(REF.sub(" ", text)):
        if name not in FUNCTIONS:
            raise FormulaError(f"{name!r} is neither a function of the language ({', '.join(FUNCTIONS)}) "
                               "nor a {reference}", text)
    try:
        expr = REF.sub(sub, text)
    except FormulaError as err:
        raise FormulaError(err.reason, text) from None
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError as err:
        raise FormulaError(f"does not parse: {err.msg}", text) from None
    names = {f"_{i}" for i in range(len(refs))}
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    for node in ast.walk(tree):
        if id(node) in called:
            continue
        problem = _not_allowed(node)
        if isinstance(node, ast.Name) and node.id not in names:
            problem = f"{node.id!r} is neither a function call nor a {{reference}}"
        if problem:
            raise FormulaError(problem, text)
    return Formula(text, tuple(refs), tree)


def _names(text: str) -> list[str]:
    """The identifiers of a formula's text outside its references (Python's own tokenizer, so
    that ``1e400`` is a number and ``'abc'`` a string)."""
    try:
        return [t.string for t in tokenize.generate_tokens(io.StringIO(text).readline) if t.type == tokenize.NAME]
    except (tokenize.TokenError, SyntaxError):  # unbalanced brackets …: the parser says so below
        return []


def _not_allowed(node: ast.AST) -> str:
    """Why a node of a parsed formula is outside the language ("" when it is inside)."""
    if isinstance(node, (ast.Expression, ast.Load, ast.UnaryOp)):
        return ""
    if isinstance(node, (ast.operator, ast.unaryop)):
        ok = type(node) in BINOPS or isinstance(node, (ast.Pow, ast.USub))
        return "" if ok else f"the operator {type(node).__name__} is not in the language"
    if isinstance(node, ast.BinOp):
        if not isinstance(node.op, ast.Pow):
            return ""
        right = node.right
        ok = (isinstance(right, ast.Constant) and type(right.value) is int) or (
            isinstance(right, ast.Name) and right.id.startswith("_"))
        return "" if ok else "only whole-number powers (a number or {years})"
    if isinstance(node, ast.Constant):
        ok = isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
        if ok and not math.isfinite(node.value):
            return "a number is too large to be finite"
        return "" if ok else f"{node.value!r} is not a number"
    if isinstance(node, ast.Name):
        return "" if node.id.startswith("_") else f"{node.id!r} is neither a function call nor a {{reference}}"
    if isinstance(node, ast.Call):
        if not (isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS):
            name = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
            return f"{name} is not a function of the language ({', '.join(FUNCTIONS)})"
        if node.keywords:
            return f"{node.func.id} takes no keyword arguments"
        need = ARITY.get(node.func.id)
        if need is not None and len(node.args) != need:
            return f"{node.func.id} takes {need} argument(s), got {len(node.args)}"
        return ""
    return f"{ast.unparse(node)!r} is not allowed"


def _eval(node: ast.AST, values: Mapping[int, Interval]) -> Interval:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        power = _eval(node.right, values)
        if power.lo != power.hi or power.lo != int(power.lo):
            raise FormulaError(f"a power must be a whole number, got {power}")
        return _eval(node.left, values) ** int(power.lo)
    if isinstance(node, ast.BinOp):
        return BINOPS[type(node.op)](_eval(node.left, values), _eval(node.right, values))
    if isinstance(node, ast.UnaryOp):
        return -_eval(node.operand, values)
    if isinstance(node, ast.Constant):
        return Interval.point(repr(node.value))
    if isinstance(node, ast.Name):
        return values[int(node.id[1:])]
    assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    return FUNCTIONS[node.func.id](*[_eval(a, values) for a in node.args])


def spelled(formula: Formula, labels: list[str]) -> str:
    """The formula as written with reference ``i`` replaced by ``⟨labels[i]⟩`` (a number of years
    plainly): the arithmetic spelled out for a reader."""
    it = iter(labels)

    def label(_m: re.Match) -> str:
        text = next(it)
        return text if text.isdigit() else "⟨" + text + "⟩"
    return REF.sub(label, formula.text)
