"""data/ is data, not trusted: an address that is no web address is reported by check-data (file,
line, column, id) and shown as text on the pages; a descriptor that points outside the data folder
and a symbolic link that leaves it are refused by every command that reads data, with one message
and exit 1, and nothing already built is lost."""
from __future__ import annotations

import json
import os

import pytest

from techmarket.cli.main import main
from techmarket.data.loaders import data_files, load_facts
from techmarket.data.paths import PROJ_ROOT
from techmarket.site.build import build
from techmarket.site.plan import Project

from conftest import copy_project, read_rows, write_rows


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@pytest.fixture
def data_dir(copy_tree):
    return copy_tree(PROJ_ROOT / "data")


@pytest.mark.parametrize("address", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>",
                                     "//evil.example/x", "file:///etc/passwd"])
def test_check_data_reports_an_address_that_is_no_web_address(data_dir, capsys, address):
    files = data_files(data_dir)
    rows = read_rows(files.external)
    column = rows[0].index("retrieved_from")
    rows[3][column] = address  # the release on CSV line 4
    write_rows(files.external, rows)
    code, out, err = run_cli(capsys, "check-data", "--data-dir", str(data_dir))
    assert code == 1
    assert f"{files.external}: 1 problem(s)" in err
    assert (f"line 4 (EXT-004), column 'retrieved_from': address: expected an http:// or https:// address with a "
            f"host; a page shows any other as text, never as a link (found {address!r})") in err


@pytest.mark.parametrize("path, rule", [
    ("../../etc/passwd", "'path' leaves the data folder"),
    ("/etc/passwd", "'path' leaves the data folder"),
    ("C:\\\\Windows\\\\win.ini", "'path' leaves the data folder"),
    ("paper/other.csv", "'path' must be 'paper/facts.csv', where the loaders read it"),
])
def test_a_resource_path_outside_the_data_folder_is_refused(data_dir, capsys, path, rule):
    descriptor = data_dir / "datapackage.json"
    text = descriptor.read_text(encoding="utf-8")
    needle = '"path": "paper/facts.csv"'
    line = text.count("\n", 0, text.index(needle)) + 1
    descriptor.write_text(text.replace(needle, f'"path": {json.dumps(path)}', 1), encoding="utf-8")
    for command in ("check-data", "verify"):
        extra = ["--csv", os.devnull] if command == "verify" else []
        code, out, err = run_cli(capsys, command, "--data-dir", str(data_dir), *extra)
        assert code == 1, command
        assert f"{descriptor}: 1 problem(s); nothing was loaded." in err
        assert f"line {line}, column" in err and f"resource 'facts': {rule}" in err, err


def test_a_symbolic_link_that_leaves_data_is_refused_by_every_reader(data_dir, tmp_path, capsys):
    outside = tmp_path / "elsewhere.csv"
    outside.write_bytes((PROJ_ROOT / "data" / "paper" / "facts.csv").read_bytes())  # valid, but not in data/
    facts = data_files(data_dir).facts
    facts.unlink()
    facts.symlink_to(outside)
    expected = f"{facts}: a symbolic link to {outside}, outside {data_dir}/; refused"
    for argv in (["check-data"], ["verify", "--csv", str(tmp_path / "a.csv")]):
        code, out, err = run_cli(capsys, *argv, "--data-dir", str(data_dir))
        assert code == 1 and expected in err, (argv, err)
    with pytest.raises(Exception, match="outside .*; refused"):
        load_facts(facts, datapackage=data_dir / "datapackage.json")
    assert not (tmp_path / "a.csv").exists()


def test_a_link_inside_the_data_folder_is_followed(data_dir, capsys):
    files = data_files(data_dir)
    real = files.facts.with_name("facts.real.csv")
    files.facts.rename(real)
    files.facts.symlink_to(real.name)
    code, out, err = run_cli(capsys, "check-data", "--data-dir", str(data_dir))
    assert code == 0, err


def test_the_build_refuses_a_link_that_leaves_data_and_keeps_what_it_built(tmp_path, capsys):
    root = copy_project(tmp_path / "project", notebooks=False)
    project = Project(root)
    index = project.reports_dir / "index.html"
    index.parent.mkdir(parents=True)
    index.write_text("the last good index", encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("not data", encoding="utf-8")
    (root / "data" / "notes.txt").symlink_to(secret)
    assert build(project=project, with_audit=False) == 1
    err = capsys.readouterr().err
    assert f"build: {root / 'data' / 'notes.txt'}: a symbolic link to {secret}" in err and "refused" in err
    assert "Traceback" not in err
    assert index.read_text(encoding="utf-8") == "the last good index"


# --- rows that contradict themselves or each other are refused by every command ----------------
def _set(path, key_column: str, key: str, column: str, value: str) -> int:
    rows = read_rows(path)
    i = next(n for n, r in enumerate(rows) if r[rows[0].index(key_column)] == key)
    rows[i][rows[0].index(column)] = value
    write_rows(path, rows)
    return i + 1


@pytest.mark.parametrize("edit, expected", [
    # a span that no longer states its value (the claims row changed alike)
    (lambda f: [_set(f.facts, "fact_id", "S2.1-03", "value", "3465.93"),
                _set(f.claims, "claim_id", "S2.1-03", "reported", "3465.93")],
     ("facts", "line 8 (S2.1-03), column 'span': span: must print the row's value 3465.93")),
    # a release whose excerpt does not print its value
    (lambda f: _set(f.external, "excerpt", "2018年成交额719.38亿元,同比增长逾一倍", "value", "791.38"),
     ("external", "line 3 (EXT-003), column 'value': value: not printed in the row's excerpt (found '791.38')")),
    # an area that is no known area
    (lambda f: _set(f.external, "excerpt", "2018年成交额719.38亿元,同比增长逾一倍", "geo", "廣州"),
     ("external", "line 3 (EXT-003), column 'geo': enum: expected one of")),
    # a locator that fits its pattern but names another part of the paper than the row's section
    (lambda f: _set(f.facts, "fact_id", "S2.1-03", "locator", "§4.5"),
     ("facts", "line 8 (S2.1-03), column 'locator': locator: names another part of the paper than the row's "
               "section 2.1 (expected §2.1) (found '§4.5')")),
])
def test_verify_refuses_rows_that_contradict_themselves(data_dir, tmp_path, capsys, edit, expected):
    files = data_files(data_dir)
    edit(files)
    table, message = expected
    code, out, err = run_cli(capsys, "verify", "--data-dir", str(data_dir), "--csv", str(tmp_path / "a.csv"))
    assert code == 1
    assert err.startswith(f"{getattr(files, table)}: ") and message in err, err
    assert not (tmp_path / "a.csv").exists()


def test_two_releases_of_one_figure_with_different_values_are_refused(data_dir, capsys):
    files = data_files(data_dir)
    rows = read_rows(files.external)
    rows.append(list(rows[2]))  # line 3 again (Guangzhou 2018, 719.38) ...
    rows[-1][rows[0].index("value")] = "719.83"  # ... with another value, printed in its own excerpt
    rows[-1][rows[0].index("excerpt")] = "2018年成交额719.83亿元"
    write_rows(files.external, rows)
    code, out, err = run_cli(capsys, "check-data", "--data-dir", str(data_dir))
    assert code == 1
    last = len(rows)
    assert (f"line 3 (EXT-003), column 'value': conflicting releases: EXT-003 (719.38), EXT-{last:03d} (719.83) are "
            "one series, area, year, unit and publisher with different values") in err, err
    assert f"line {last} (EXT-{last:03d}), column 'value': conflicting releases" in err


@pytest.mark.parametrize("argv, code, message", [
    (["--section", "9.9"], 2, "verify: --section 9.9 names no section with claims; the sections are 1, 2.1,"),
    (["--section", "3", "--verdict", "inconsistent"], 1,
     "verify: no claim matches --section 3 and --verdict inconsistent; nothing to show"),
])
def test_a_selection_that_matches_nothing_says_so(capsys, tmp_path, argv, code, message):
    got, out, err = run_cli(capsys, "verify", *argv, "--csv", str(tmp_path / "a.csv"))
    assert got == code and message in err, err
    assert not out.strip()
