"""Checks of the tables against the text they were read from: pure functions returning Problems.

- every fact's span states the fact's value (no text needed);
- every official value is printed in its row's excerpt, and every address given is a web address
  (no text needed);
- every count claim's span states the number it counts to (no text needed);
- every span is a verbatim substring of the paper, and every item a count claim lists is printed
  in the paragraph of its span (needs the paper's text, which is not part of
  the package: ``python -m techmarket check-data --paper PATH``; the tests read it from
  ``../shared``).

Each Problem names the table's own CSV line (header = line 1) and column. The tests and
``check-data`` both use these functions.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from techmarket.data.addresses import web_address
from techmarket.data.errors import InputError, Problem, decode_utf8

CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
             "十": 10}
ZERO_WORDS = ("无一家", "没有", "均为零")
FRACTION_WORDS = {"1/3": "三分之一", "1/2": "一半"}
# numbers the external pages print in words or in another language's format
EXCERPT_WORDS = {"2240": {"2.240"}, "1000": {"千億", "千亿"}}


def states_value(span: str, value: str, measure: str) -> bool:
    """Does ``span`` print ``value`` (digits with thousands spaces removed, or Chinese words)?"""
    compact = re.sub(r"(?<=\d) (?=\d)", "", span)
    v = value.lstrip("-")
    if re.search(rf"(?<![\d.]){re.escape(v)}(?![\d])", compact):
        return True
    if value in FRACTION_WORDS:
        return FRACTION_WORDS[value] in span
    if value == "0":
        return any(w in span for w in ZERO_WORDS)
    n = int(v) if v.isdigit() else None
    if n is not None and n <= 10:
        word = [k for k, d in CN_DIGITS.items() if d == n]
        if any(f"{w}{unit}" in span for w in word for unit in ("年", "次", "大", "家")):
            return True
        if measure == "rank" and (any(f"第{w}" in span for w in word) or (n == 1 and "首位" in span)
                                  or (n == 2 and "其次" in span)):
            return True
    return False


def value_in_excerpt(value_text: str, excerpt: str) -> bool:
    """Is the number ``value_text`` printed in ``excerpt`` (allowing thousands separators, the
    traditional/Italian formats some pages use, and the words in EXCERPT_WORDS)?"""
    texts = (excerpt.replace(" ", ""), excerpt.replace(",", "").replace(" ", ""))
    v = value_text
    candidates = {v, v.replace(".", ","), v.rstrip("0").rstrip(".") if "." in v else v}
    candidates |= EXCERPT_WORDS.get(v, set())
    return any(c in t for c in candidates for t in texts)


def spans_not_stating_value(facts: pd.DataFrame) -> list[Problem]:
    """Facts whose span does not print their value (as loaded by ``load_facts``)."""
    return [
        Problem(int(r.line), "span", f"span: must print the row's value {r.value} (as digits or in words)", r.span,
                ident=r.fact_id)
        for r in facts.itertuples()
        if not states_value(r.span, r.value, r.measure)
    ]


def values_not_in_excerpt(external: pd.DataFrame) -> list[Problem]:
    """Official releases whose value is not printed in their excerpt (as loaded by ``load_external``)."""
    return [
        Problem(int(r.line), "value", "value: not printed in the row's excerpt", r.value_text, ident=r.ext_id)
        for r in external.itertuples()
        if not value_in_excerpt(r.value_text, r.excerpt)
    ]


def spans_not_in_paper(table: pd.DataFrame, paper_text: str, column: str = "span") -> list[Problem]:
    """Rows of ``table`` (facts or claims, with their ``line``) whose span is not verbatim in the paper."""
    ids = table["claim_id"] if "claim_id" in table else table["fact_id"]
    return [
        Problem(int(line), column, "span: not found verbatim in the paper", span, ident=ident)
        for line, span, ident in zip(table["line"], table[column], ids, strict=True)
        if span not in paper_text
    ]


def states_count(span: str, reported: str) -> bool:
    """Does a count claim's span state its number: in digits, or as a Chinese numeral (双 for two,
    as in 双轮, 双区)?"""
    if re.search(rf"(?<![\d.]){re.escape(reported)}(?![\d])", span):
        return True
    words = [k for k, d in {**CN_DIGITS, "双": 2}.items() if str(d) == reported]
    return any(w in span for w in words)


def counts_not_stated(claims: pd.DataFrame) -> list[Problem]:
    """Count claims (C-NN with items) whose span does not state the number they count to."""
    return [
        Problem(int(r.line), "reported", "a count claim's span must state its number (digits or a Chinese numeral)",
                r.reported, ident=r.claim_id)
        for r in claims.itertuples()
        if r.items and not states_count(r.span, r.reported)
    ]


def items_not_beside_span(claims: pd.DataFrame, paper_text: str) -> list[Problem]:
    """Count claims one of whose items is not printed verbatim in the paragraph of its span."""
    paragraphs = paper_text.splitlines()
    problems = []
    for r in claims.itertuples():
        if not r.items:
            continue
        around = " ".join(p for p in paragraphs if r.span in p)
        missing = [i.strip() for i in r.items.split(";") if i.strip() not in around]
        if missing:
            problems.append(Problem(int(r.line), "items", "each item must be printed in the paragraph of the span",
                                    "; ".join(missing), ident=r.claim_id))
    return problems


# series whose releases are told apart by a category written in their note (turnover by contract type)
CATEGORY_IN_NOTE = {"turnover_by_type"}


def conflicting_releases(external: pd.DataFrame) -> list[Problem]:
    """Releases of one series, area, year, unit and publisher (and, for a series by category, one
    category) that print different values: the package cannot tell which holds, so it refuses
    both rather than choose."""
    problems = []
    key = ["series", "geo", "year", "unit", "publisher", "category"]
    table = external.assign(category=[n if s in CATEGORY_IN_NOTE else "" for s, n in
                                      zip(external["series"], external["note"], strict=True)])
    for _, group in table.groupby(key, sort=False, dropna=False):
        if group["value_text"].nunique() > 1:
            ids = ", ".join(f"{i} ({v})" for i, v in zip(group["ext_id"], group["value_text"], strict=True))
            for r in group.itertuples():
                problems.append(Problem(int(r.line), "value", f"conflicting releases: {ids} are one series, area, "
                                        "year, unit and publisher with different values; keep the one the "
                                        "publication prints", r.value_text, ident=r.ext_id))
    return problems


def locators_not_of_their_section(facts: pd.DataFrame) -> list[Problem]:
    """Facts whose locator (§2.1, Table 1, Figure 2 data) names another part of the paper than their
    section: a locator that fits the pattern but names no part the row is in."""
    expected = {"Table 1": {"4.2"}, "Figure 2 data": {"2.2"}}
    problems = []
    for r in facts.itertuples():
        parts = expected.get(r.locator, {str(r.locator).removeprefix("§")})
        if r.section not in parts:
            problems.append(Problem(int(r.line), "locator", f"locator: names another part of the paper than the "
                                    f"row's section {r.section} (expected §{r.section})", r.locator, ident=r.fact_id))
    return problems


def addresses_not_on_the_web(external: pd.DataFrame) -> list[Problem]:
    """Official releases whose address (``retrieved_from``) is given but is no web address: the
    pages show it as text, never as a link (:func:`techmarket.data.addresses.web_address`)."""
    return [
        Problem(int(r.line), "retrieved_from", "address: expected an http:// or https:// address with a host; "
                "a page shows any other as text, never as a link", r.retrieved_from, ident=r.ext_id)
        for r in external.itertuples()
        if r.retrieved_from and web_address(r.retrieved_from) is None
    ]


def read_paper(path: Path | str) -> str:
    """The paper's text from ``path`` (UTF-8; a byte-order mark is dropped)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: the paper's text is not there (no such file)")
    return decode_utf8(path, path.read_bytes())
