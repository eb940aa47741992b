"""Misprints as printers make them, seeded into a copy of the paper's tables.

A misprint changes one printed figure everywhere the tables record it: its value and its verbatim
span in ``facts.csv``, and the value and span of its claim in ``claims.csv`` (the claim that
repeats it). Kinds (:data:`KINDS`), each applied once to every figure it fits:

- ``last_digit``: the last digit off by one (up, or down from a 9);
- ``swap``: the first two adjacent, different digits swapped (1248.78 → 2148.78);
- ``point_right`` / ``point_left``: the decimal point moved one place (3.39 → 33.9 / 0.339);
- ``dropped_digit``: the second digit left out (3465.92 → 365.92), a typesetter's slip;
- ``word``: a number printed in words off by one (第六 → 第七, 三次 → 四次).

Nothing here judges: the benchmark (``faults_benchmark.py``) audits each copy.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

KINDS = ("last_digit", "swap", "point_right", "point_left", "dropped_digit", "word")
CN = "零一二三四五六七八九"
WORD_CONTEXT = re.compile(rf"第([{CN}])|([{CN}])(?=[年次大家])")


@dataclass(frozen=True)
class Misprint:
    """One printed figure as a printer might have misprinted it."""

    fact_id: str
    section: str
    kind: str
    printed: str  # the value as the paper prints it
    seeded: str  # the value as the misprint prints it
    span: str  # the fact's span with the misprint
    old_span: str


def _normal(text: str) -> str:
    """A number as a table writes it: no leading zeros before the point, none after a sign."""
    sign, body = ("-", text[1:]) if text.startswith("-") else ("", text)
    if "." in body:
        whole, frac = body.split(".")
        whole = whole.lstrip("0") or "0"
        body = f"{whole}.{frac}" if frac else whole
    else:
        body = body.lstrip("0") or "0"
    return sign + body


def _digit_slips(value: str) -> dict[str, str]:
    """Each digit kind's misprint of ``value`` (a kind that does not fit is left out)."""
    sign, body = ("-", value[1:]) if value.startswith("-") else ("", value)
    out: dict[str, str] = {}
    last = int(body[-1])
    out["last_digit"] = body[:-1] + str(last + 1 if last < 9 else 8)
    digits = [i for i, ch in enumerate(body) if ch.isdigit()]
    for a, b in zip(digits, digits[1:], strict=False):
        if body[a] != body[b]:
            s = list(body)
            s[a], s[b] = s[b], s[a]
            out["swap"] = "".join(s)
            break
    p = body.index(".") if "." in body else len(body)
    bare = body.replace(".", "")
    right = bare[:p + 1] + ("." + bare[p + 1:] if bare[p + 1:] else "") if p + 1 <= len(bare) else bare + "0"
    out["point_right"] = right
    out["point_left"] = "0." + bare if p == 1 else bare[:p - 1] + "." + bare[p - 1:]
    if len(digits) > 2:
        out["dropped_digit"] = body[:digits[1]] + body[digits[1] + 1:]
    slips = {k: _normal(sign + v) for k, v in out.items()}
    return {k: v for k, v in slips.items() if v != value and float(v) != float(value)}


def _in_span(span: str, value: str) -> re.Match | None:
    """Where ``span`` prints ``value`` in digits (thousands spaces allowed), if it does."""
    digits = value.lstrip("-")
    pattern = r"(?<![\d.])" + r" ?".join(re.escape(ch) for ch in digits) + r"(?![\d])"
    return re.search(pattern, span)


def misprints(facts: list[dict]) -> list[Misprint]:
    """Every misprint of every printed figure (rows of ``facts.csv`` as read by ``csv``)."""
    out: list[Misprint] = []
    for row in facts:
        value, span = row["value"], row["span"]
        if "/" in value:
            continue  # a fraction (三分之一, 一半) is printed in words no slip here changes
        where = _in_span(span, value)
        if where is not None:
            sign = "-" if value.startswith("-") else ""
            for kind, seeded in _digit_slips(value).items():
                new_span = span[:where.start()] + seeded.removeprefix(sign) + span[where.end():]
                out.append(Misprint(row["fact_id"], row["section"], kind, value, seeded, new_span, span))
            continue
        if value.isdigit() and int(value) < 9:
            m = next((m for m in WORD_CONTEXT.finditer(span) if CN.index(m.group(1) or m.group(2)) == int(value)),
                     None)
            if m is not None:
                pos = m.start(1) if m.group(1) else m.start(2)
                new_span = span[:pos] + CN[int(value) + 1] + span[pos + 1:]
                out.append(Misprint(row["fact_id"], row["section"], "word", value, str(int(value) + 1), new_span,
                                    span))
    return out


def not_seeded(facts: list[dict]) -> list[str]:
    """The printed figures no kind fits (a number in words other than a digit: 首位, 一半, 无一家)."""
    seeded = {m.fact_id for m in misprints(facts)}
    return [r["fact_id"] for r in facts if r["fact_id"] not in seeded]


def read_rows(path: Path) -> tuple[list[str], list[dict]]:
    """A CSV's header and rows, as text."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def write_rows(path: Path, header: list[str], rows: list[dict]) -> None:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def seed(data_dir: Path, facts: tuple[list[str], list[dict]], claims: tuple[list[str], list[dict]],
         slips: list[Misprint]) -> None:
    """Write ``facts.csv`` and ``claims.csv`` of ``data_dir`` with every misprint of ``slips`` applied."""
    by_id = {m.fact_id: m for m in slips}
    frows = [dict(r, value=by_id[r["fact_id"]].seeded, span=by_id[r["fact_id"]].span) if r["fact_id"] in by_id
             else r for r in facts[1]]
    crows = [dict(r, reported=by_id[r["fact_id"]].seeded, span=by_id[r["fact_id"]].span)
             if r["fact_id"] in by_id and r["claim_id"] == r["fact_id"] else r for r in claims[1]]
    write_rows(data_dir / "paper" / "facts.csv", facts[0], frows)
    write_rows(data_dir / "paper" / "claims.csv", claims[0], crows)
