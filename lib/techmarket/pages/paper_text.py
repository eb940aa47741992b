"""The paper's text as a reader sees it: blocks in reading order (abstracts, headings, paragraphs,
figure captions, Table 1 as rows of cells, the chart data left at the end of the file), and where
each registered claim's span stands in it.

The text is never part of the package: it is read from the path a reader gives
(:func:`read_paper`), and every position is an offset into that file's text, so a highlight can
only sit where its span is printed. :func:`locate` stops with :class:`SpanNotFound`, naming the
claim, when a span is not verbatim in its section (or is there more than once).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from techmarket.data.errors import InputError
from techmarket.data.paper_checks import read_paper as _read_text

# Word-processor residue in the text: bookmarks (dropped), a footnote reference and its body
MARKER = re.compile(r"\[bookmark: [^\]]*\]|\[footnoteRef:(?P<ref>\d+)\]|\[(?P<note>\d+):\s+(?P<body>[^\]]*)\]")
HEADING = re.compile(r"^(?P<number>\d(?:\.\d)?)(?![\d.])\s*(?P<title>\S.{0,30})$")
CAPTION = re.compile(r"^(?P<kind>图|表)\s*(?P<number>\d+)\s")
TABLE1_HEAD = "地区"  # the column of Table 1 that names each row's area


class SpanNotFound(InputError):
    """A claim's span is not where the registry says it is printed (or is there more than once)."""


@dataclass(frozen=True)
class Block:
    """One block of the paper in reading order; ``start``/``end`` are offsets into the text."""

    kind: str  # abstract | heading | paragraph | caption | table | chart_data
    start: int
    end: int
    section: str  # the number of the heading it stands under ("" before §1)
    number: str = ""  # a heading's number, a caption's figure or table number
    label: str = ""  # a caption's kind: 图 or 表
    rows: tuple[tuple[tuple[int, int], ...], ...] = ()  # a table's cells, as (start, end) per row
    lang: str = "zh"


@dataclass(frozen=True)
class Paper:
    """The paper's text, where it was read from, and its blocks."""

    path: Path
    text: str
    sha256: str
    blocks: tuple[Block, ...]

    def visible(self, start: int, end: int) -> str:
        """The text between two offsets without the word-processor markers."""
        return MARKER.sub("", self.text[start:end])


def read_paper(path: Path | str) -> Paper:
    """The paper at ``path``, parsed; an :class:`InputError` names the file if it is missing,
    not UTF-8, or has no heading at all (not the paper's text)."""
    path = Path(path)
    text = _read_text(path)
    blocks = parse(text)
    if not any(b.kind == "heading" for b in blocks):
        raise InputError(f"{path}: no numbered heading found (expected the paper's text, e.g. '1研究背景')")
    return Paper(path, text, hashlib.sha256(path.read_bytes()).hexdigest(), blocks)


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line, without its line break."""
    out, pos = [], 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        out.append((pos, pos + len(body)))
        pos += len(line)
    return out


def parse(text: str) -> tuple[Block, ...]:
    """The blocks of the paper's text, in order."""
    lines = _lines(text)
    blocks: list[Block] = []
    section, i = "", 0
    while i < len(lines):
        s, e = lines[i]
        raw = text[s:e]
        visible = MARKER.sub("", raw).strip()
        if not visible:
            i += 1
            continue
        heading, caption = HEADING.match(visible), CAPTION.match(visible)
        if not blocks or (blocks[-1].kind == "abstract" and not heading):
            lang = "en" if visible.startswith("Abstract") else "zh"
            blocks.append(Block("abstract", s, e, section, lang=lang))
        elif heading and not visible.endswith("。"):
            section = heading.group("number")
            blocks.append(Block("heading", s, e, section, number=section))
        elif caption and caption.group("kind") == "表":
            blocks.append(Block("caption", s, e, section, number=caption.group("number"), label="表"))
            rows, i = _table(text, lines, i + 1)
            if rows:
                blocks.append(Block("table", rows[0][0][0] - 1, rows[-1][-1][1],
                                    section, number=caption.group("number"), rows=rows))
            continue
        elif caption:
            blocks.append(Block("caption", s, e, section, number=caption.group("number"), label="图"))
        elif "\t" in raw:
            blocks.append(Block("chart_data", s, e, section))
        else:
            blocks.append(Block("paragraph", s, e, section))
        i += 1
    return tuple(blocks)


def _table(text: str, lines: list[tuple[int, int]], i: int) -> tuple[tuple[tuple[tuple[int, int], ...], ...], int]:
    """The rows of a table whose cells are tab-indented lines, one row per group of lines between
    blank lines; returns the rows and the index of the first line after the table."""
    rows, row = [], []
    while i < len(lines):
        s, e = lines[i]
        raw = text[s:e]
        if raw.startswith("\t"):
            row.append((s + 1, e))
        elif raw.strip():
            break
        elif row:
            rows.append(tuple(row))
            row = []
        i += 1
    if row:
        rows.append(tuple(row))
    return tuple(rows), i


def _cell_text(paper: Paper, cell: tuple[int, int]) -> str:
    return paper.text[cell[0]:cell[1]].strip()


def _in_table(paper: Paper, span: str, geo: str) -> list[int]:
    """Where a Table 1 cell's span is: in the row of its area, the cell that prints it."""
    hits = []
    for block in paper.blocks:
        if block.kind != "table":
            continue
        head = [_cell_text(paper, c) for c in block.rows[0]]
        if TABLE1_HEAD not in head:
            continue
        col = head.index(TABLE1_HEAD)
        for row in block.rows[1:]:
            if len(row) > col and _cell_text(paper, row[col]) == geo:
                for s, e in row:
                    cell = paper.text[s:e]
                    if cell.strip() == span.strip():
                        hits.append(s + cell.index(span.strip()))
    return hits


def _in_blocks(paper: Paper, span: str, blocks: list[Block]) -> list[int]:
    hits = []
    for b in blocks:
        start = paper.text.find(span, b.start, b.end)
        while start != -1 and start + len(span) <= b.end:
            hits.append(start)
            start = paper.text.find(span, start + 1, b.end)
    return hits


def locate(paper: Paper, claims: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    """Where every claim's span is printed: ``claim_id``, ``start``, ``end`` (offsets into the text)
    and the block's index. A Table 1 fact is found in its area's row; Figure 2's chart data in the
    chart data at the end of the file; every other span in the blocks of its section, where it must
    be printed exactly once."""
    locator = dict(zip(facts["fact_id"], facts["locator"], strict=True))
    geo = dict(zip(facts["fact_id"], facts["geo"], strict=True))
    rows = []
    for c in claims.itertuples():
        span, fid = str(c.span), str(c.fact_id or "")
        where = locator.get(fid, "")
        if where == "Table 1":
            hits, place = _in_table(paper, span, geo[fid]), f"Table 1, row {geo[fid]}"
        elif where == "Figure 2 data":
            hits = _in_blocks(paper, span, [b for b in paper.blocks if b.kind == "chart_data"])
            place = "the chart data at the end of the text"
        else:
            blocks = [b for b in paper.blocks if b.section == str(c.section) and b.kind != "table"]
            hits, place = _in_blocks(paper, span, blocks), f"§{c.section}"
        if len(hits) != 1:
            found = "not found verbatim" if not hits else f"printed {len(hits)} times, so its place is ambiguous,"
            raise SpanNotFound(f"{paper.path}: claim {c.claim_id}: its span {span!r} is {found} in {place}; "
                               "nothing was written")
        start = hits[0]
        if any(m.start() < start + len(span) and start < m.end() for m in MARKER.finditer(paper.text)):
            raise SpanNotFound(f"{paper.path}: claim {c.claim_id}: its span runs into a bookmark or footnote marker")
        block = next(i for i, b in enumerate(paper.blocks) if b.start <= start < b.end)
        rows.append({"claim_id": c.claim_id, "start": start, "end": start + len(span), "block": block})
    return pd.DataFrame(rows, columns=["claim_id", "start", "end", "block"])


def sentence_around(paper: Paper, start: int, end: int) -> tuple[int, int]:
    """The sentence holding the text between two offsets: from after the last full stop, semicolon
    or line break before it to the next one after it (inclusive)."""
    stops = "。；！？\n"
    s = max(paper.text.rfind(ch, 0, start) for ch in stops) + 1
    ends = [i for i in (paper.text.find(ch, end) for ch in stops) if i != -1]
    e = min(ends) + 1 if ends else len(paper.text)
    if paper.text[e - 1] == "\n":
        e -= 1
    return s, e
