"""The rule 'never type a number into a notebook', as a check over notebook code.

Numbers in notebook code are limited to small constants of presentation and arithmetic
(decimals to show, figure geometry, 100 for percent): any numeric literal above 100 is
flagged. Text in string literals (outside f-string placeholders) may contain no digits at all,
apart from identifiers: fact ids (S2.1-04, T1-06, F2-01, D-01), section signs (§2.1),
exhibit labels (图1, Table 1), notebook numbers, colour codes, unit names
(100 million yuan, 10,000 yuan), CR-n, and the math constants 0 and 1.
"""
from __future__ import annotations

import io
import re
import tokenize

ALLOWED_IN_TEXT = [
    r"第\d\d号笔记本", r"notebook \d\d", r"100 million yuan", r"100m yuan", r"10,000 yuan", r"10,000 contracts",
    r"图\s*\d", r"表\s*\d", r"Figure \d", r"Table \d", r'^[rRfFbB]*"""# \d\d',
    r"\b[STF]\d(\.\d)?-\d{2}\b", r"\bT1-\d{2}\b", r"\bD-\d{2}\b", r"\bC-\d{2}\b", r"#[0-9a-fA-F]{6}", r"§\d(\.\d)?",
    r"\bCR\d\b", r"(?<![\d.])[01](?![\d.])",
]
MAX_CODE_NUMBER = 100


def _strip_placeholders(s: str) -> str:
    out, depth = [], 0
    for ch in s:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(ch)
    return "".join(out)


def typed_numbers(code: str) -> list[tuple[str, str, int]]:
    """(where, number, line) for every number typed into ``code``."""
    hits = []
    for tok in tokenize.generate_tokens(io.StringIO(code).readline):
        if tok.type == tokenize.NUMBER:
            if float(tok.string.replace("_", "").rstrip("jJ")) > MAX_CODE_NUMBER:
                hits.append(("code", tok.string, tok.start[0]))
        elif tok.type == tokenize.STRING:
            text = _strip_placeholders(tok.string) if re.match(r"^[rRbB]?[fF]", tok.string) else tok.string
            for pat in ALLOWED_IN_TEXT:
                text = re.sub(pat, "", text)
            hits += [("text", m.group(0), tok.start[0]) for m in re.finditer(r"\d+(\.\d+)?", text)]
    return hits


SHOWN_CALLS = {"table", "say", "figure"}  # report.table, ctx.say, report.figure …: outputs meant to be seen


def discarded_outputs(code: str) -> list[int]:
    """Lines of calls that build an output (``report.table``, ``ctx.say``, ``report.figure``) as a
    bare statement before a cell's last statement: Jupyter shows only a cell's last value, so such
    an output is silently lost."""
    import ast

    body = ast.parse(code).body
    return [s.lineno for s in body[:-1]
            if isinstance(s, ast.Expr) and isinstance(s.value, ast.Call)
            and isinstance(s.value.func, ast.Attribute) and s.value.func.attr in SHOWN_CALLS]
