"""The build answers bad input with one clear message (file, line, column), a non-zero exit and no
traceback, and loses nothing already built: corrupted notebooks, an unwritable reports/, a data
error in the audit worker, reports damaged after they were built, and temporary files left by a
build that was killed mid-write. Every test works on a copy of the project in tmp_path."""
import csv
import json
import os
import shutil
import tempfile
from pathlib import Path

import nbformat as nbf
import pytest

from techmarket.data.notebook_json import NotebookError
from techmarket.data.paths import PROJ_ROOT
from techmarket.site import export as html_export
from techmarket.site import index as build_index
from techmarket.site.build import build
from techmarket.site.cache import record_built, stale
from techmarket.site.plan import Project, plan

from conftest import copy_project

NOTEBOOKS = ("01_ok", "02_other")


def _tiny(path: Path, body: str, params: str = 'lang = "zh"', data: list[str] | None = None) -> None:
    nb = nbf.v4.new_notebook()
    cell = nbf.v4.new_code_cell(params)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, nbf.v4.new_code_cell(body)]
    nb.metadata["kernelspec"] = {"name": "techmarket", "display_name": "Python (techmarket)", "language": "python"}
    nb.metadata["techmarket"] = {"data": [] if data is None else data}  # no data: editing data reruns nothing
    nbf.write(nb, path)


def _new_project(root: Path) -> Project:
    copy_project(root, notebooks=False)
    for name in NOTEBOOKS:
        _tiny(root / "notebooks" / f"{name}.ipynb", f'print("{name}", lang)')
    return Project(root)


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Project:
    """Two tiny notebooks, built in both languages (the index without the audit), once per test run."""
    from conftest import made_once

    def make(folder: Path) -> None:
        assert build(project=_new_project(folder / "proj"), with_audit=False) == 0

    return Project(made_once(tmp_path_factory, "tiny-built", make) / "proj")


@pytest.fixture
def project(built, tmp_path) -> Project:
    """A fresh copy of the built project (its reports current)."""
    root = tmp_path / "proj"
    shutil.copytree(built.root, root)
    return Project(root)


def _snapshot(project: Project) -> dict[str, bytes]:
    """Every file under reports/, by relative name (the caches too)."""
    return {str(p.relative_to(project.reports_dir)): p.read_bytes()
            for p in sorted(project.reports_dir.rglob("*")) if p.is_file()}


def _reports(project: Project) -> dict[str, bytes]:
    """The reports and the index (what a user would lose), without the caches."""
    return {k: v for k, v in _snapshot(project).items() if not k.startswith(".cache")}


def _no_traceback(out: str, err: str) -> None:
    assert "Traceback" not in out and "Traceback" not in err
    assert "BrokenProcessPool" not in out + err


# --- 1. a notebook that is not a notebook --------------------------------------------------------
HANDMADE = '{\n  "cells": [\n    {"cell_type": "code",, "source": ""}\n  ]\n}\n'


def _truncated(path: Path) -> tuple[bytes, str]:
    text = path.read_text(encoding="utf-8")
    cut = text[: len(text) // 2]
    try:
        json.loads(cut)
    except json.JSONDecodeError as err:  # where json itself puts the problem
        return cut.encode(), f"{err.msg.removesuffix(' at')} at line {err.lineno}, column {err.colno}"
    raise AssertionError("half a notebook parsed")


CORRUPTIONS = {
    "syntax": lambda p: (HANDMADE.encode(),
                         "Expecting property name enclosed in double quotes at line 3, column 26"),
    "truncated": _truncated,
    "emptied": lambda p: (b"", "the file is empty"),
    "blanked": lambda p: (b"\n  \n", "the file is empty"),
    "utf16": lambda p: (p.read_text(encoding="utf-8").encode("utf-16"),
                        "not UTF-8 text: byte 0xff at line 1, column 1 (counting bytes)"),
    "bom": lambda p: (b"\xef\xbb\xbf" + p.read_bytes(),
                      "Unexpected UTF-8 BOM (decode using utf-8-sig) at line 1, column 1"),
    "not_a_notebook": lambda p: (b'["cells"]\n', "expected a JSON object (a notebook), found a list"),
    "no_cells": lambda p: (b'{"metadata": {}}\n', 'expected a list of "cells" in the top-level object'),
}


@pytest.mark.parametrize("kind", sorted(CORRUPTIONS))
def test_a_corrupted_notebook_is_named_with_line_and_column_and_skipped(project, capsys, kind):
    bad = project.notebooks_dir / "02_other.ipynb"
    data, problem = CORRUPTIONS[kind](bad)
    bad.write_bytes(data)
    before = _reports(project)
    rc = build(project=project, with_audit=False)
    out, err = capsys.readouterr()
    assert rc == 1
    _no_traceback(out, err)
    expected = f"notebooks/02_other.ipynb: not a valid notebook: {problem}; skipped, its last reports are kept"
    assert [line for line in err.splitlines() if "02_other" in line] == [expected]  # one line, once
    assert "cached   01_ok [en]" in out and "cached   01_ok [zh]" in out  # the others still build
    assert "1 notebook(s) skipped" in out
    after = _reports(project)
    assert {k: v for k, v in after.items() if k != "index.html"} == {k: v for k, v in before.items()
                                                                     if k != "index.html"}
    index = after["index.html"].decode()
    assert 'href="en/02_other.html"' in index and 'href="zh/01_ok.html"' in index  # still linked


def test_the_bad_notebook_is_reported_on_every_build_until_fixed_and_then_built(project, capsys):
    bad = project.notebooks_dir / "02_other.ipynb"
    good = bad.read_bytes()
    bad.write_bytes(HANDMADE.encode())
    assert build(project=project, with_audit=False) == 1
    assert build(project=project, with_audit=False) == 1  # the index is not recorded as current
    err = capsys.readouterr().err
    assert err.count("notebooks/02_other.ipynb: not a valid notebook:") == 2
    bad.write_bytes(good)
    assert build(project=project, with_audit=False) == 0
    out = capsys.readouterr().out
    assert "cached   02_other [en]" in out and "0 failed in" in out


def test_a_notebook_without_a_parameters_cell_is_skipped_not_built_in_one_language(project, capsys):
    """Without the tagged cell papermill would inject the language nowhere, and every language's
    report would be written in the notebook's own language."""
    nb = nbf.read(project.notebooks_dir / "02_other.ipynb", as_version=4)
    nb.cells[0].metadata["tags"] = []
    nbf.write(nb, project.notebooks_dir / "02_other.ipynb")
    before = _reports(project)
    assert build(project=project, with_audit=False, force=True) == 1
    out, err = capsys.readouterr()
    _no_traceback(out, err)
    assert [line for line in err.splitlines() if "02_other" in line] == [
        "notebooks/02_other.ipynb: no cell is tagged `parameters` (expected the first code cell, tagged so, setting "
        'lang = "zh"): without it each language\'s report would be written in the notebook\'s own language; '
        "skipped, its last reports are kept"]
    assert _reports(project)["en/02_other.html"] == before["en/02_other.html"]


def test_a_parameters_cell_without_lang_is_named(project, capsys):
    _tiny(project.notebooks_dir / "02_other.ipynb", "print(1)", params="province = '广东'")
    assert build(project=project, with_audit=False) == 1
    assert ("notebooks/02_other.ipynb: the parameters cell (cell 1) sets no `lang` (expected a line such as "
            'lang = "zh"): the build could not tell the languages apart; skipped') in capsys.readouterr().err


def test_the_views_name_a_report_notebook_cut_in_half(tmp_path):
    """The views of the paper read where each claim is examined from the notebooks' outputs: a
    notebook cut in half is named with its line and column, never a JSON traceback."""
    from techmarket.data.notebook_json import NotebookError
    from techmarket.pages.report_locations import locations

    cut = tmp_path / "03_cut.ipynb"
    text = (PROJ_ROOT / "notebooks" / "03_structure.ipynb").read_text(encoding="utf-8")
    cut.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(NotebookError) as caught:
        locations([cut])
    assert str(caught.value).startswith(f"{cut}: not a valid notebook: ")
    assert " at line " in str(caught.value) and ", column " in str(caught.value)


def test_a_parameters_cell_that_is_not_python_is_named(project, capsys):
    _tiny(project.notebooks_dir / "02_other.ipynb", "print(1)", params='lang = "zh')
    assert build(project=project, with_audit=False) == 1
    out, err = capsys.readouterr()
    _no_traceback(out, err)
    assert err.splitlines() == [
        "notebooks/02_other.ipynb: the parameters cell (cell 1) is not valid Python: unterminated string literal "
        "(detected at line 1) at line 1, column 8 of the cell; skipped, its last reports are kept"]


def test_a_declared_data_file_that_does_not_exist_is_named(project, capsys):
    _tiny(project.notebooks_dir / "02_other.ipynb", "print(1)", data=["data/paper/nope.csv"])
    assert build(project=project, with_audit=False) == 1
    out, err = capsys.readouterr()
    _no_traceback(out, err)
    assert err.splitlines() == [
        'notebooks/02_other.ipynb: metadata "techmarket.data" names data/paper/nope.csv, which is not a file '
        "in the project; skipped, its last reports are kept"]


def test_only_the_bad_notebook_runs_nothing_and_keeps_everything(project, capsys):
    (project.notebooks_dir / "01_ok.ipynb").write_text("")
    before = _reports(project)
    assert build(project=project, only=["01_ok"], with_audit=False) == 1
    out, err = capsys.readouterr()
    _no_traceback(out, err)
    assert err.splitlines() == ["notebooks/01_ok.ipynb: not a valid notebook: the file is empty; "
                                "skipped, its last reports are kept"]
    assert "0 report(s): 0 built, 0 cached, 0 failed, 1 notebook(s) skipped" in out
    after = _reports(project)
    assert {k: v for k, v in after.items() if k != "index.html"} == {k: v for k, v in before.items()
                                                                     if k != "index.html"}


def test_planning_alone_raises_one_error_naming_the_file(project):
    (project.notebooks_dir / "02_other.ipynb").write_text(HANDMADE)
    with pytest.raises(NotebookError) as caught:
        plan(project)
    assert caught.value.shown(project.root) == ("notebooks/02_other.ipynb: not a valid notebook: Expecting property "
                                                "name enclosed in double quotes at line 3, column 26")
    skipped: list[NotebookError] = []
    assert [j.name for j in plan(project, skipped=skipped)] == ["01_ok", "01_ok"]
    assert [e.path.name for e in skipped] == ["02_other.ipynb"]


# --- 2. reports/ not writable ----------------------------------------------------------------------
def test_reports_that_is_a_file_stops_the_build_before_anything_runs(tmp_path, capsys):
    project = _new_project(tmp_path / "proj")
    project.reports_dir.write_text("not a folder")
    assert build(project=project, with_audit=False) == 1
    out, err = capsys.readouterr()
    _no_traceback(out, err)
    assert err.splitlines() == ["build: cannot write to reports/ (reports is a file, not a folder); "
                                "nothing was built, the existing reports are kept"]
    assert "running" not in out
    assert project.reports_dir.read_text() == "not a folder"


def test_a_language_folder_that_is_a_file_stops_the_build_and_keeps_the_other_reports(tmp_path, capsys):
    project = _new_project(tmp_path / "proj")
    kept = project.reports_dir / "en" / "01_ok.html"
    kept.parent.mkdir(parents=True)
    kept.write_text("last good report")
    (project.reports_dir / "zh").write_text("a file where a folder belongs")
    before = _reports(project)
    assert build(project=project, with_audit=False) == 1
    out, err = capsys.readouterr()
    _no_traceback(out, err)
    assert err.splitlines() == ["build: cannot write to reports/zh/ (reports/zh is a file, not a folder); "
                                "nothing was built, the existing reports are kept"]
    assert _reports(project) == before
    assert kept.read_text() == "last good report"


def test_a_folder_refusing_writes_stops_the_build_and_keeps_every_report(project, capsys, monkeypatch):
    """As root, chmod does not stop writes: the write check is made to fail as it would for a user."""
    real = tempfile.mkstemp

    def refuse_zh(*args, **kwargs):
        if Path(kwargs.get("dir", "")).name == "zh":
            raise PermissionError(13, "Permission denied", str(Path(kwargs["dir"]) / ".write-check.x.tmp"))
        return real(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", refuse_zh)
    before = _snapshot(project)
    assert build(project=project, force=True, with_audit=False) == 1
    out, err = capsys.readouterr()
    _no_traceback(out, err)
    assert err.splitlines() == ["build: cannot write to reports/zh/ (Permission denied); "
                                "nothing was built, the existing reports are kept"]
    assert "running" not in out
    assert _snapshot(project) == before


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="root writes into a read-only folder, so chmod 0o555 cannot make reports/zh unwritable; "
                           "the same message is tested with a refused write above")
def test_a_read_only_language_folder_stops_the_build(project, capsys):
    zh = project.reports_dir / "zh"
    before = _snapshot(project)
    zh.chmod(0o555)
    try:
        assert build(project=project, force=True, with_audit=False) == 1
    finally:
        zh.chmod(0o755)
    out, err = capsys.readouterr()
    _no_traceback(out, err)
    assert err.splitlines() == ["build: cannot write to reports/zh/ (Permission denied); "
                                "nothing was built, the existing reports are kept"]
    assert _snapshot(project) == before


def _failing_write(monkeypatch, module, name: str) -> None:
    """atomic_write, as ``module`` calls it, fails for files called ``name`` (the pool's workers are
    forked after this)."""
    real = module.atomic_write

    def write(path, data):
        if Path(path).name == name:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, data)

    monkeypatch.setattr(module, "atomic_write", write)


def test_a_failed_write_of_the_index_stops_the_build_and_keeps_the_last_index(project, capsys, monkeypatch):
    (project.cache_dir / "index.key").unlink()  # the index must be rewritten
    before = _snapshot(project)
    _failing_write(monkeypatch, build_index, "index.html")  # written by write_index
    assert build(project=project, with_audit=False) == 1
    out, err = capsys.readouterr()
    _no_traceback(out, err)
    assert err.splitlines() == ["build: cannot write reports/index.html (Permission denied); "
                                "the build stopped, the existing reports are kept"]
    assert _snapshot(project) == before


def test_a_failed_write_of_a_report_fails_that_job_and_keeps_its_last_good_report(project, capsys, monkeypatch):
    before = _reports(project)
    for lang in ("en", "zh"):  # make each report recognisable: only a rebuild would change it
        (project.reports_dir / lang / "01_ok.html").write_text(f"last good report [{lang}]")
    _failing_write(monkeypatch, html_export, "01_ok.html")  # written by export_html
    assert build(project=project, only=["01_ok"], langs=["en"], force=True, with_audit=False) == 1
    out, err = capsys.readouterr()
    _no_traceback(out, err)
    assert err.splitlines() == ["  01_ok [en] failed: cannot write reports/en/01_ok.html (Permission denied); "
                                "its last good report is kept"]
    assert (project.reports_dir / "en" / "01_ok.html").read_text() == "last good report [en]"
    assert (project.reports_dir / "en" / "01_ok.code.html").read_bytes() == before["en/01_ok.code.html"]
    assert not list(project.reports_dir.rglob("*.tmp"))


# --- 3. a data error in the audit worker -------------------------------------------------------
def test_a_data_error_in_the_audit_is_reported_once_and_the_index_still_written(project, capsys):
    facts = project.root / "data" / "paper" / "facts.csv"
    with facts.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    value = rows[0].index("value")
    rows[4][value] = "not a number"  # CSV line 5
    with facts.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    before = _reports(project)
    rc = build(project=project)  # the audit reads the copy's data
    out, err = capsys.readouterr()
    _no_traceback(out, err)
    assert rc == 1
    assert (out + err).count("claims audit could not run") == 1
    first, *problems = err[err.index("build: the claims audit"):].splitlines()
    assert first.startswith("build: the claims audit could not run, so the index has no audit summary: "
                            "data/paper/facts.csv: ")
    assert any(p.strip().startswith("- line 5") and "'value'" in p for p in problems), problems
    assert "cached   01_ok [en]" in out  # the notebooks did not depend on the facts
    index = (project.reports_dir / "index.html").read_text(encoding="utf-8")
    assert "The claims audit could not run" in index and "data/paper/facts.csv" in index
    assert "claims_audit.csv</a>" not in index
    after = _reports(project)
    assert {k: v for k, v in after.items() if k != "index.html"} == {k: v for k, v in before.items()
                                                                     if k != "index.html"}


# --- 4. outputs damaged after the build -------------------------------------------------------------
def test_a_report_damaged_after_the_build_is_not_trusted(project):
    jobs = plan(project)
    assert stale(jobs, project) == []
    report = project.reports_dir / "en" / "01_ok.html"
    report.write_bytes(report.read_bytes()[:100])  # truncated by hand
    assert [(j.name, j.lang) for j in stale(jobs, project)] == [("01_ok", "en")]
    record_built(jobs[0], project, "not the key")
    assert jobs[0] in stale(jobs, project)  # the key must match as well as the outputs
    (project.cache_dir / "01_ok.zh.key").write_text("garbage")  # a damaged cache file is not trusted either
    assert [(j.name, j.lang) for j in stale(jobs, project) if j.name == "01_ok"] == [("01_ok", "zh"), ("01_ok", "en")]


def test_a_damaged_report_and_index_are_rebuilt(project, built, capsys):
    report = project.reports_dir / "en" / "01_ok.html"
    report.write_bytes(report.read_bytes()[:100])
    assert build(project=project, with_audit=False) == 0
    out = capsys.readouterr().out
    assert "done     01_ok [en]" in out and "cached   01_ok [zh]" in out and "cached   02_other [en]" in out
    assert report.read_bytes() == (built.reports_dir / "en" / "01_ok.html").read_bytes()
    index = project.reports_dir / "index.html"
    index.write_text("")
    assert build(project=project, with_audit=False) == 0
    assert "0 built, 4 cached" in capsys.readouterr().out
    assert b'href="en/02_other.html"' in index.read_bytes()
    assert build(project=project, with_audit=False) == 0  # now current: nothing is written
    assert index.stat().st_size > 0


# --- 5. temporary files from a killed build ---------------------------------------------------------
def test_temporary_files_left_by_a_killed_build_are_removed_and_counted(project, capsys):
    left = [project.reports_dir / "en" / ".01_ok.html.k3x9q.tmp", project.reports_dir / ".index.html.a1b2c3.tmp",
            project.cache_dir / ".01_ok.en.key.zz.tmp"]
    for p in left:
        p.write_text("half written")
    reports = _reports(project)
    assert build(project=project, with_audit=False) == 0
    out, err = capsys.readouterr()
    _no_traceback(out, err)
    assert "removed  3 temporary file(s) left in reports/ by an interrupted build" in out
    assert not any(p.exists() for p in left)
    assert _reports(project) == {k: v for k, v in reports.items() if not k.endswith(".tmp")}
    assert "0 built, 4 cached" in out
    assert build(project=project, with_audit=False) == 0
    assert "temporary" not in capsys.readouterr().out


def test_a_paper_text_whose_span_moved_stops_the_views_naming_the_claim(project, paper_text, capsys):
    """The paper's text beside the project, with one registered span altered: the build says which
    claim, exits 1, and writes none of the views of the paper (the reports and the index are built)."""
    from techmarket.pages.paper_views import paper_text_path, view_files

    paper = paper_text_path(project)
    paper.parent.mkdir(parents=True)
    paper.write_text(paper_text.replace("年均增长36.36%", "年均增长36.63%"), encoding="utf-8")
    assert build(project=project) == 1
    err = capsys.readouterr().err
    assert "claim S2.1-08" in err and "not found verbatim" in err and "those built before are kept" in err
    assert not any((project.reports_dir / name).exists() for name in view_files(True))
    index = (project.reports_dir / "index.html").read_text(encoding="utf-8")
    assert "not built: <code>" in index and "claim S2.1-08" in index
