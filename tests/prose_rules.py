"""The rules for the notebooks' prose, as checks over Markdown and built pages.

- :func:`typed_data_numbers`: a number typed into a Markdown cell, outside an inline expression,
  that equals within its printed rounding a value of the facts, the official releases or the derived
  table, or a year the data are not about (the data's years may be typed: JupyterLab's outline
  shows a heading's source, so headings name their years, e.g. "Figure 1: turnover 2016-2020").
  What may stand in prose: a notebook's number in its title (``# 03 …``), locators (§2.3,
  Table 1, 图2), ids (S2.3-05, C-01, D-02), other notebooks by number, units (100 million yuan),
  ordinals (13th) and the digits inside names (R², CR1; 十三五 has none).
- :func:`visible_myst`: MyST syntax (a role such as ``{eval}`…` ``, a directive fence) left in the
  visible text of a built page.
"""
from __future__ import annotations

import html
import re
from decimal import Decimal
from functools import cache

import pandas as pd

ALLOWED = [
    r"\{eval\}`[^`]*`",  # inline expressions: their numbers come from the kernel
    r"^#+\s+\d\d\b",  # the notebook's number in its title
    r"§\s*\d+(?:\.\d+)*", r"\b(?:Table|Figure|Tables|Figures)\s+\d+", r"[表图]\s*\d+",
    r"\b(?:S\d(?:\.\d)?|T1|F2)-\d{2}\b", r"\b(?:C|D)-\d{2}\b", r"\bEXT-\d{3}\b",
    r"\b\d+(?:st|nd|rd|th)\b", r"\bCR\d\b", r"R²", r"#[0-9a-fA-F]{6}\b",
    r"\bnotebooks? \d\d\b", r"第\d\d号笔记本",  # another notebook named by its number
    r"\b100 million yuan\b", r"\b100m yuan\b", r"\b10,000 (?:yuan|contracts)\b",  # units
    r"\bX\s*\+\s*1\b",  # the reading of 增长了X倍, as a formula
]
NUMBER = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w])|(?<![\w.])\d+(?:\.\d+)?(?![\w])")


@cache
def data_values() -> tuple[float, ...]:
    """Every numeric value of the facts, the official releases and the derived table."""
    from techmarket.audit.derive import derived_values
    from techmarket.data.loaders import load_external, load_facts

    facts, external = load_facts(), load_external()
    derived = derived_values(facts, external)
    values = [*facts.value_num, *external.value, *derived.value]
    return tuple(sorted({float(v) for v in values if v == v}))


@cache
def data_years() -> frozenset[int]:
    """Every year the facts and the official releases are about (a year typed in prose must be one)."""
    from techmarket.data.loaders import load_external, load_facts

    facts, external = load_facts(), load_external()
    years = [*facts.year, *facts.base_year, *external.year]
    return frozenset(int(y) for y in years if not pd.isna(y))


YEAR = re.compile(r"(?:19|20)\d\d")


def _matches(number: str, values: tuple[float, ...]) -> bool:
    plain = number.replace(",", "")
    decimals = len(plain.split(".")[1]) if "." in plain else 0
    x, half = Decimal(plain), Decimal(5) / Decimal(10) ** (decimals + 1)
    return any(abs(Decimal(repr(v)) - x) <= half for v in values)


def typed_data_numbers(markdown: str, values: tuple[float, ...], years: frozenset[int] = frozenset()) -> list[str]:
    """Numbers typed into ``markdown`` (outside expressions and the allowed places) that equal a
    value of ``values`` within their printed rounding. A year of ``years`` (one the data are
    about, as in a heading "Figure 1: turnover 2016-2020") may be typed; any other year may not."""
    text = markdown
    for pattern in ALLOWED:
        text = re.sub(pattern, " ", text, flags=re.M)
    found = []
    for m in NUMBER.finditer(text):
        number = m.group(0)
        if YEAR.fullmatch(number):
            if int(number) not in years:
                found.append(number)
        elif _matches(number, values):
            found.append(number)
    return found


ROLE_OR_DIRECTIVE = re.compile(r"\{[A-Za-z][\w:-]*\}`|(?:`{3,}|~{3,}|:{3,})\s*\{[A-Za-z][\w:-]*\}")


def visible_myst(page_html: str) -> list[str]:
    """MyST roles and directive fences in a page's visible text (scripts and styles left out)."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", page_html, flags=re.S | re.I)
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return [m.group(0) for m in ROLE_OR_DIRECTIVE.finditer(text)]
