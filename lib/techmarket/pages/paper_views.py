"""Build the three views of the paper as a whole from one audit: the replication report
(``reports/replication.html``, ``.zh.html`` and ``replication.csv``), the proposed erratum
(``reports/erratum.html``, ``.zh.html``) and, when the paper's text is given, the annotated paper
(``reports/annotated_paper.html``, ``.zh.html``).

``make reports`` calls :func:`write_paper_views` with the paper's text at its documented place if
it is there; ``python -m techmarket annotate --paper PATH`` calls it with the path given; both read
the text and locate its claims (:mod:`paper_text`) before anything is written. Every
page is written whole or not at all: the annotated pages are made before anything is written, so
a span that is not in the text (:class:`paper_text.SpanNotFound`) leaves every page as it was.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from techmarket.data.i18n import LANGS
from techmarket.data.paths import SHARED_PAPER

if TYPE_CHECKING:  # the build imports this module on every run, also when nothing is to be done
    import pandas as pd


def marks_for(located: pd.DataFrame, statuses: pd.DataFrame) -> list:
    """Each located claim's highlight, numbered in reading order (its endnote's number)."""
    from techmarket.pages.annotated_paper import Mark

    st = statuses.set_index("claim_id")
    order = located.sort_values(["start", "end", "claim_id"], ascending=[True, False, True], kind="stable")
    return [Mark(r.claim_id, int(r.start), int(r.end), st.loc[r.claim_id, "highlight"], st.loc[r.claim_id, "flag"],
                 i + 1) for i, r in enumerate(order.itertuples())]


def figures_for(reports_dir: Path, lang: str, redrawn: dict) -> dict:
    """The rebuilt charts of the paper's figures (``redrawn``: exhibit -> where a report redraws
    it, :func:`report_locations.figures`), from the built reports of ``lang``:
    exhibit -> (PNG base64, width, alt text, location)."""
    from techmarket.pages.report_locations import exhibit_image

    out = {}
    for exhibit, where in redrawn.items():
        found = exhibit_image(reports_dir / lang / f"{where.notebook}.ipynb", exhibit)
        if found is not None:
            png, width, alt = found
            out[exhibit] = (png, width, alt, where)
    return out


def write_paper_views(project, facts: pd.DataFrame, claims: pd.DataFrame, derived: pd.DataFrame, result,
                      identity: str, base: Path, paper=None, located: pd.DataFrame | None = None) -> list[Path]:
    """Write the replication report, the erratum and (with the ``paper`` and where its claims are,
    ``located``: :func:`paper_text.locate`) the annotated paper in both languages into
    ``project.reports_dir``; returns the files written."""
    from techmarket.data.files import atomic_write
    from techmarket.pages.annotated_paper import annotated_page
    from techmarket.pages.claim_status import statuses as claim_statuses
    from techmarket.pages.erratum import anchors, entries, erratum_page
    from techmarket.pages.fonts import embed_font
    from techmarket.pages.paper_notes import Notes
    from techmarket.pages.paper_pages import file_name
    from techmarket.pages.replication import replication_page, replication_table
    from techmarket.pages.report_locations import examined_at, figures, locations
    from techmarket.pages.shell import with_csp

    statuses = claim_statuses(result.claims, result.diagnoses)
    shown = locations(project.notebooks())
    examined = examined_at(shown)
    table = replication_table(result, statuses, facts, examined)
    pages: dict[Path, str] = {}
    for lang in LANGS:
        pages[project.reports_dir / file_name("replication", lang)] = replication_page(table, lang, identity)
        pages[project.reports_dir / file_name("erratum", lang)] = erratum_page(result, statuses, lang, identity,
                                                                                paper, located)
    if paper is not None:
        marks = marks_for(located, statuses)
        notes = Notes.from_tables(result, statuses, facts, derived, examined, anchors(entries(result, statuses)),
                                  located["claim_id"])
        for lang in LANGS:
            charts = figures_for(project.reports_dir, lang, figures(shown))
            pages[project.reports_dir / file_name("annotated_paper", lang)] = annotated_page(
                paper, marks, notes, statuses, result.diagnoses, charts, lang, identity)
    texts = embed_font(list(pages.values()), base)
    atomic_write(project.reports_dir / "replication.csv", table.to_csv(index=False))
    for path, text in zip(pages, texts, strict=True):
        atomic_write(path, with_csp(text))
    return [project.reports_dir / "replication.csv", *pages]


def view_files(with_paper: bool) -> list[str]:
    """The files the views write into ``reports/`` (the annotated paper only with the text)."""
    from techmarket.pages.paper_pages import file_name

    stems = ["replication", "erratum"] + (["annotated_paper"] if with_paper else [])
    return ["replication.csv"] + [file_name(stem, lang) for stem in stems for lang in LANGS]


def exhibit_notebooks(project) -> set[str]:
    """The notebooks (by stem) whose figures redraw the paper's figures, which the annotated paper
    shows: the views wait for their reports."""
    from techmarket.pages.report_locations import figures, locations

    return {where.notebook for where in figures(locations(project.notebooks())).values()}


def paper_text_path(project) -> Path:
    """Where the README documents the paper's text: ``../shared/paper/`` beside the project."""
    return project.root.parent / SHARED_PAPER.relative_to(SHARED_PAPER.parents[2])


def write_for_build(project, tables: tuple, identity: str, base: Path) -> str:
    """The replication report, the erratum and, if the paper's text is at its documented place,
    the annotated paper; returns "" or what went wrong (a span not in the text: the claim's id)."""
    from techmarket.data.errors import TechmarketError
    from techmarket.data.files import cannot_write
    from techmarket.pages.paper_text import locate, read_paper

    facts, claims, _, _ = tables
    path = paper_text_path(project)
    try:
        paper = read_paper(path) if path.is_file() else None
        located = locate(paper, claims, facts) if paper is not None else None
        write_paper_views(project, *tables, identity, base, paper, located)
    except TechmarketError as err:
        return str(err)
    except OSError as err:
        return cannot_write(err, project.root) if err.filename else f"{type(err).__name__}: {err}"
    return ""
