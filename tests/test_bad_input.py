"""Bad input never reaches the user as a traceback: each corrupted copy (never data/ itself) fails
with one message naming the file, the line and the column, and what was expected; the command
line prints it and exits 1."""
from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from techmarket.cli.main import main
from techmarket.data import descriptor
from techmarket.data.errors import DataPackageError, DataValidationError, Problem
from techmarket.data.loaders import data_files, load_claims, load_external, load_facts
from techmarket.data.paths import CLAIMS_CSV, DATAPACKAGE, EXTERNAL_CSV, FACTS_CSV, PROJ_ROOT, SHARED_PAPER

from conftest import read_rows, set_cell, write_rows

BOM = b"\xef\xbb\xbf"
LOADERS = {"facts": (FACTS_CSV, load_facts), "claims": (CLAIMS_CSV, load_claims),
           "official_releases": (EXTERNAL_CSV, load_external)}


def failure(load, *args, **kwargs) -> DataValidationError:
    with pytest.raises(DataValidationError) as info:
        load(*args, **kwargs)
    return info.value


def assert_names(err: DataValidationError, path, text: str) -> None:
    """The message starts with the file and contains ``text`` (line, column, rule) verbatim."""
    msg = str(err)
    assert msg.startswith(f"{path}: "), msg
    assert text in msg, f"{text!r} not in:\n{msg}"


def same_frame(a: pd.DataFrame, b: pd.DataFrame) -> None:
    a, b = a.copy(), b.copy()
    a.attrs, b.attrs = {}, {}
    pd.testing.assert_frame_equal(a, b)


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


# --- data/datapackage.json ------------------------------------------------------------------
def where(path, needle: str) -> tuple[int, int]:
    """(line, column), 1-based, of the first ``needle`` in the text of ``path``."""
    text = path.read_text(encoding="utf-8-sig")
    i = text.index(needle)
    return text.count("\n", 0, i) + 1, i - (text.rfind("\n", 0, i) + 1) + 1


def descriptor_copy(tmp_path, edit=None, data: bytes | None = None):
    path = tmp_path / "datapackage.json"
    if data is None:
        text = DATAPACKAGE.read_text(encoding="utf-8")
        data = (edit(text) if edit else text).encode("utf-8")
    path.write_bytes(data)
    return path


def test_descriptor_missing(tmp_path):
    path = tmp_path / "datapackage.json"
    err = failure(load_facts, datapackage=path)
    assert isinstance(err, DataPackageError)
    assert_names(err, path, "file: file not found: expected the data package descriptor")


def test_descriptor_not_json_names_line_and_column(tmp_path):
    # line 15 is `"name": "facts",`; without its comma the parser stops at `"path"` on line 16
    lines = DATAPACKAGE.read_text(encoding="utf-8").split("\n")
    assert lines[14] == '      "name": "facts",'
    lines[14] = lines[14].rstrip(",")
    path = descriptor_copy(tmp_path, data="\n".join(lines).encode("utf-8"))
    err = failure(load_facts, datapackage=path)
    assert_names(err, path, "line 16, column 7: JSON syntax: Expecting ',' delimiter")
    assert (err.problems[0].line, err.problems[0].position) == (16, 7)


def test_descriptor_truncated(tmp_path):
    text = DATAPACKAGE.read_text(encoding="utf-8")
    path = descriptor_copy(tmp_path, data=text[:200].encode("utf-8"))
    quote = text[:200].rindex('"')  # the file ends inside the string this quote opens
    line = text[:quote].count("\n") + 1
    col = quote - text.rfind("\n", 0, quote)
    assert_names(failure(load_facts, datapackage=path), path,
                 f"line {line}, column {col}: JSON syntax: Unterminated string starting here")


def test_descriptor_with_byte_order_mark_is_accepted(tmp_path):
    path = descriptor_copy(tmp_path, data=BOM + DATAPACKAGE.read_bytes())
    assert descriptor.descriptor(path) == descriptor.descriptor()
    same_frame(load_facts(datapackage=path), load_facts())


def test_descriptor_not_utf8_names_line_and_byte_column(tmp_path):
    text = DATAPACKAGE.read_text(encoding="utf-8")
    path = descriptor_copy(tmp_path, data=text.encode("gb18030"))
    line_no, line = next((i, ln) for i, ln in enumerate(text.split("\n"), start=1) if not ln.isascii())
    col = next(i for i, c in enumerate(line, start=1) if not c.isascii())  # ASCII before it: bytes = characters
    assert_names(failure(load_facts, datapackage=path), path,
                 f"line {line_no}, byte column {col}: encoding: expected UTF-8")


def test_descriptor_not_an_object(tmp_path):
    path = descriptor_copy(tmp_path, data=b"[]\n")
    assert_names(failure(load_facts, datapackage=path), path,
                 "line 1, column 1: expected a JSON object with a list of 'resources'")


def test_descriptor_without_a_resource_the_loaders_need(tmp_path):
    def edit(text):
        d = json.loads(text)
        d["resources"] = [r for r in d["resources"] if r["name"] != "claims"]
        return json.dumps(d, indent=2, ensure_ascii=False)
    path = descriptor_copy(tmp_path, edit)
    line, col = where(path, '"resources":')
    err = failure(load_claims, CLAIMS_CSV, datapackage=path)
    assert_names(err, path, f"line {line}, column {col}: no resource named 'claims': the loaders need the resources "
                            "['facts', 'claims', 'official_releases'] (found \"['facts', 'official_releases']\")")
    load_facts(datapackage=path)  # the other tables still load
    with pytest.raises(DataPackageError, match="no resource named 'claims'"):
        descriptor.check_descriptor(path)


def test_resource_without_schema_or_fields(tmp_path):
    def edit(text):
        d = json.loads(text)
        del d["resources"][0]["schema"]
        d["resources"][1]["schema"]["fields"] = []
        return json.dumps(d, indent=2, ensure_ascii=False)
    path = descriptor_copy(tmp_path, edit)
    facts_line, facts_col = where(path, '"name": "facts"')
    ext_line, ext_col = where(path, '"name": "official_releases"')
    assert_names(failure(load_facts, datapackage=path), path,
                 f"line {facts_line}, column {facts_col}: resource 'facts' has no 'schema' "
                 "(expected an object with a list of 'fields')")
    assert_names(failure(load_external, datapackage=path), path,
                 f"line {ext_line}, column {ext_col}: resource 'official_releases': its 'schema' has no 'fields'")
    err = failure(descriptor.check_descriptor, path)
    assert {p.line for p in err.problems} == {facts_line, ext_line}


def test_field_with_a_broken_pattern(tmp_path):
    path = descriptor_copy(tmp_path, lambda t: t.replace('"pattern": "^(S[1-5]', '"pattern": "^((S[1-5]', 1))
    line, col = where(path, '"name": "fact_id"')
    err = failure(load_facts, datapackage=path)
    assert_names(err, path, f"line {line}, column {col}: resource 'facts', field 'fact_id': 'pattern' is not a "
                            "regular expression (missing ), unterminated subpattern")


def test_descriptor_cache_follows_the_file_and_leaks_nothing(tmp_path):
    path = descriptor_copy(tmp_path)
    assert descriptor.field_names("facts", path) == descriptor.field_names("facts")
    d = descriptor.descriptor(path)
    d["resources"].clear()  # a caller's edit stays with the caller
    assert descriptor.descriptor(path)["resources"]
    path.write_text("{", encoding="utf-8")  # rewritten in place: read again
    assert_names(failure(descriptor.descriptor, path), path, "line 1, column 2: JSON syntax")
    assert descriptor.field_names("facts")[0] == "fact_id"  # data/datapackage.json is unaffected


# --- CSV encoding -----------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(LOADERS))
def test_csv_with_byte_order_mark_loads_unchanged(tmp_path, name):
    src, load = LOADERS[name]
    path = tmp_path / src.name
    path.write_bytes(BOM + src.read_bytes())
    same_frame(load(path), load())


def test_invalid_utf8_further_down_names_line_and_byte_column(tmp_path):
    lines = FACTS_CSV.read_bytes().split(b"\n")
    target = lines[101].decode("utf-8")  # line 102, S4.2-05
    i = next(i for i, c in enumerate(target) if not c.isascii())
    lines[101] = (target[:i].encode("utf-8") + target[i].encode("gb18030")
                  + target[i + 1:].encode("utf-8"))
    path = tmp_path / "facts.csv"
    path.write_bytes(b"\n".join(lines))
    err = failure(load_facts, path)
    assert_names(err, path, f"line 102, byte column {i + 1}: encoding: expected UTF-8; byte(s)")
    assert err.problems == [Problem(102, None, err.problems[0].rule, position=i + 1, position_unit="byte column")]


def test_invalid_utf8_after_a_byte_order_mark_counts_the_mark(tmp_path):
    path = tmp_path / "facts.csv"
    path.write_bytes(BOM + b"\xff" + FACTS_CSV.read_bytes())
    assert_names(failure(load_facts, path), path, "line 1, byte column 4: encoding: expected UTF-8")


# --- CSV syntax -----------------------------------------------------------------------------
def test_quoted_field_cut_at_end_of_file_uses_the_files_line(tmp_path):
    rows = read_rows(FACTS_CSV)
    span = rows[0].index("span")
    text = "".join(",".join(r) + "\n" for r in rows[:6])  # header and 5 rows: lines 1-6, no quoting needed
    start = ",".join(rows[6][:span]) + ","
    path = tmp_path / "facts.csv"
    path.write_text(text + start + '"' + rows[6][span], encoding="utf-8")  # line 7: the quote never closes
    err = failure(load_facts, path)
    assert_names(err, path, f"line 7, character {len(start) + 1}, column 'span': CSV syntax: a quoted field is "
                            "never closed: the file ends inside it")
    assert "row 6" not in str(err)


def test_text_after_a_closing_quote(tmp_path):
    lines = FACTS_CSV.read_text(encoding="utf-8").split("\n")
    assert lines[7].startswith("S2.1-03,") and lines[7].endswith(",合同成交额3 465.92亿元,")
    lines[7] = lines[7][:-len("合同成交额3 465.92亿元,")] + '"合同成交额"3 465.92亿元,'
    path = tmp_path / "facts.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    col = len(lines[7]) - len("3 465.92亿元,") + 1
    assert_names(failure(load_facts, path), path,
                 f"line 8, character {col}, column 'span': CSV syntax: a quoted field must end at its closing quote")


def test_line_numbers_count_blank_lines_and_multiline_cells(facts_copy, tmp_path):
    def edit(rows):
        set_cell(rows, "S1-01", "note", "first line\nsecond line")  # line 2 now spans lines 2-3
        set_cell(rows, "S2.1-03", "unit", "亿圆")
    path = facts_copy(edit)
    data = path.read_text(encoding="utf-8").split("\n")
    data.insert(4, "")  # a blank line
    path.write_text("\n".join(data), encoding="utf-8")
    # S2.1-03 was line 8: one more for the cell's line break, one for the blank line
    assert_names(failure(load_facts, path), path, "line 10 (S2.1-03), column 'unit': enum: expected one of")
    set_cell_path = tmp_path / "ok.csv"
    rows = read_rows(FACTS_CSV)
    set_cell(rows, "S1-01", "note", "first line\nsecond line")
    f = load_facts(write_rows(set_cell_path, rows)).set_index("fact_id")
    assert f.loc["S1-01", "line"] == 2 and f.loc["S1-02", "line"] == 4


def test_row_with_too_few_or_too_many_fields(tmp_path):
    lines = FACTS_CSV.read_text(encoding="utf-8").split("\n")
    lines[7] = lines[7].rsplit(",", 1)[0]  # line 8 loses its last field, 'note'
    lines[8] = lines[8] + ",extra"
    path = tmp_path / "facts.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    err = failure(load_facts, path)
    assert_names(err, path, "line 8 (S2.1-03), column 'note': too few fields: 15 where the header has 16")
    assert_names(err, path, "line 9 (S2.1-04): too many fields: 17 where the header has 16")


# --- empty tables and headers -----------------------------------------------------------------
@pytest.mark.parametrize("name", list(LOADERS))
def test_empty_file(tmp_path, name):
    src, load = LOADERS[name]
    path = tmp_path / src.name
    path.write_bytes(b"")
    assert_names(failure(load, path), path, "file: the file is empty (0 bytes)")


@pytest.mark.parametrize("name", list(LOADERS))
def test_header_only(tmp_path, name):
    src, load = LOADERS[name]
    path = tmp_path / src.name
    path.write_text(src.read_text(encoding="utf-8").split("\n")[0] + "\n", encoding="utf-8")
    assert_names(failure(load, path), path, "file: no data rows: the file has a header (line 1) and nothing else")


def test_swapped_columns_are_named(facts_copy):
    def edit(rows):
        for r in rows:
            r[4], r[5] = r[5], r[4]  # geo <-> year, header and data alike
    path = facts_copy(edit)
    assert_names(failure(load_facts, path), path,
                 "line 1: header: columns in the wrong order: 'geo' and 'year' are swapped (columns 5 and 6)")


def test_reordered_columns_are_listed(external_copy):
    def edit(rows):
        for r in rows:
            r[0], r[1], r[2] = r[1], r[2], r[0]  # series, geo, year -> geo, year, series
    path = external_copy(edit)
    assert_names(failure(load_external, path), path,
                 "line 1: header: columns in the wrong order: column 1 is 'geo' where 'series' belongs, "
                 "column 2 is 'year' where 'geo' belongs, column 3 is 'series' where 'year' belongs")


# --- values -----------------------------------------------------------------------------------
def test_zero_denominator(facts_copy):
    path = facts_copy(lambda rows: set_cell(rows, "S2.4-01", "value", "1/0"))
    err = failure(load_facts, path)
    assert_names(err, path, "line 45 (S2.4-01), column 'value': value: a fraction's denominator must not be zero "
                            "(found '1/0')")


def test_claim_naming_a_missing_fact(tmp_path):
    rows = read_rows(CLAIMS_CSV)
    line = set_cell(rows, "S2.1-03", "fact_id", "S5-99")
    set_cell(rows, "S2.1-03", "claim_id", "S5-99")
    path = write_rows(tmp_path / "claims.csv", rows)
    assert_names(failure(load_claims, path), path,
                 f"line {line} (S5-99), column 'fact_id': no such fact in data/paper/facts.csv (found 'S5-99')")


# --- the command line -------------------------------------------------------------------------
@pytest.fixture
def data_dir(copy_tree):
    """A copy of data/ to corrupt; the command line reads it with --data-dir."""
    return copy_tree(PROJ_ROOT / "data")


def test_check_data_on_a_clean_copy(data_dir, capsys):
    code, out, err = run_cli(capsys, "check-data", "--data-dir", str(data_dir))
    assert code == 0, err
    files = data_files(data_dir)
    assert f"{files.facts}: 195 facts valid; every span states its value" in out
    assert f"{files.claims}: 254 claims valid" in out
    assert f"{files.external}: 134 rows valid; every value is printed in its excerpt" in out


def test_check_data_reads_claims(data_dir, capsys):
    path = data_files(data_dir).claims
    rows = read_rows(path)
    line = set_cell(rows, "S2.1-03", "fact_id", "S5-99")
    set_cell(rows, "S2.1-03", "claim_id", "S5-99")
    write_rows(path, rows)
    code, out, err = run_cli(capsys, "check-data", "--data-dir", str(data_dir))
    assert code == 1
    assert f"{path}: 1 problem(s); nothing was loaded." in err
    assert f"line {line} (S5-99), column 'fact_id': no such fact in {data_files(data_dir).facts}" in err


def test_check_data_finds_a_span_that_does_not_state_its_value(data_dir, capsys):
    files = data_files(data_dir)
    rows = read_rows(files.facts)
    line = set_cell(rows, "S2.1-03", "value", "3465.93")
    write_rows(files.facts, rows)
    code, out, err = run_cli(capsys, "check-data", "--data-dir", str(data_dir))
    assert code == 1
    # a row that contradicts itself is refused by every command that reads it (the loaders)
    assert f"{files.facts}: 1 problem(s); nothing was loaded." in err
    assert (f"line {line} (S2.1-03), column 'span': span: must print the row's value 3465.93 (as digits or in words)"
            in err)
    assert f"{files.claims}: NOT checked" in err


def test_check_data_finds_a_value_missing_from_its_excerpt(data_dir, capsys):
    files = data_files(data_dir)
    rows = read_rows(files.external)
    rows[5][rows[0].index("value")] = "12345.6"
    write_rows(files.external, rows)
    code, out, err = run_cli(capsys, "check-data", "--data-dir", str(data_dir))
    assert code == 1
    assert f"{files.external}: 1 problem(s)" in err
    assert "line 6 (EXT-006), column 'value': value: not printed in the row's excerpt (found '12345.6')" in err


def test_check_data_against_the_paper(data_dir, paper_text, capsys):
    code, out, err = run_cli(capsys, "check-data", "--data-dir", str(data_dir), "--paper", str(SHARED_PAPER))
    assert code == 0, err
    assert f"every span states its value and is verbatim in the paper ({SHARED_PAPER})" in out
    assert "NOT" not in out + err


def test_check_data_against_a_paper_missing_a_span(data_dir, tmp_path, paper_text, capsys):
    paper = tmp_path / "paper.txt"
    paper.write_text(paper_text.replace("合同成交额3 465.92亿元", "合同成交额"), encoding="utf-8")
    code, out, err = run_cli(capsys, "check-data", "--data-dir", str(data_dir), "--paper", str(paper))
    assert code == 1
    assert ("line 8 (S2.1-03), column 'span': span: not found verbatim in the paper (found '合同成交额3 465.92亿元')"
            in err)


def test_check_data_says_when_the_paper_is_not_there(data_dir, tmp_path, capsys, monkeypatch):
    import techmarket.cli.main

    monkeypatch.setattr(techmarket.cli.main, "SHARED_PAPER", tmp_path / "no-paper.txt")
    code, out, err = run_cli(capsys, "check-data", "--data-dir", str(data_dir))
    assert code == 0
    assert f"paper: NOT checked: the paper's text is not at {tmp_path / 'no-paper.txt'}" in err
    assert "verbatim in the paper were NOT run" in err


def test_check_data_with_a_missing_paper_given_explicitly(capsys, tmp_path):
    code, out, err = run_cli(capsys, "check-data", "--paper", str(tmp_path / "nope.txt"))
    assert code == 1
    assert f"--paper {tmp_path / 'nope.txt'}: no such file" in err


def test_check_data_with_a_missing_data_dir(capsys, tmp_path):
    code, out, err = run_cli(capsys, "check-data", "--data-dir", str(tmp_path / "nope"))
    assert code == 1 and f"{tmp_path / 'nope'}: no such data folder" in err


def test_check_data_with_a_broken_descriptor(data_dir, capsys):
    path = data_files(data_dir).datapackage
    path.write_text(path.read_text(encoding="utf-8").replace('"name": "facts",', '"name": "facts"', 1),
                    encoding="utf-8")
    code, out, err = run_cli(capsys, "check-data", "--data-dir", str(data_dir))
    assert code == 1
    assert err.startswith(f"{path}: 1 problem(s)")
    assert "line 16, column 7: JSON syntax: Expecting ',' delimiter" in err


def test_check_data_reports_every_table_at_once(data_dir, capsys):
    files = data_files(data_dir)
    files.external.write_bytes(b"")
    rows = read_rows(files.facts)
    set_cell(rows, "S2.4-01", "value", "1/0")
    write_rows(files.facts, rows)
    code, out, err = run_cli(capsys, "check-data", "--data-dir", str(data_dir))
    assert code == 1
    assert f"{files.facts}: 1 problem(s)" in err and "line 45 (S2.4-01), column 'value'" in err
    assert f"{files.external}: 1 problem(s); nothing was loaded.\n  - file: the file is empty (0 bytes)" in err
    assert f"{files.claims}: NOT checked" in err


def test_verify_prints_bad_data_without_a_traceback(data_dir, tmp_path, capsys):
    files = data_files(data_dir)
    rows = read_rows(files.claims)
    line = set_cell(rows, "S2.1-04", "reported", "4.38")
    write_rows(files.claims, rows)
    code, out, err = run_cli(capsys, "verify", "--data-dir", str(data_dir), "--csv", str(tmp_path / "a.csv"))
    assert code == 1
    assert err.startswith(f"{files.claims}: 1 problem(s); nothing was loaded.")
    assert f"line {line} (S2.1-04), column 'reported': must equal the fact's value '4.39' (found '4.38')" in err
    assert not (tmp_path / "a.csv").exists()


def test_verify_on_valid_tables_missing_a_row_the_audit_needs(data_dir, capsys):
    files = data_files(data_dir)
    for path in (files.facts, files.claims):
        write_rows(path, [r for r in read_rows(path) if r[0] != "S2.1-03"])
    code, out, err = run_cli(capsys, "verify", "--data-dir", str(data_dir))
    assert code == 1
    assert err.startswith(f"{files.facts}, {files.external}: the tables are valid, but the audit cannot run on them: "
                          "derivation of turnover 广东 2016 level, formula '{S2.1-03} / {S2.1-04}': "
                          "{S2.1-03}: no fact S2.1-03 in facts.csv")


def test_verify_refuses_to_refresh_the_snapshot_from_another_folder(data_dir, capsys):
    code, out, err = run_cli(capsys, "verify", "--data-dir", str(data_dir), "--update-snapshot")
    assert code == 2 and "cannot be used with --data-dir" in err


def test_argparse_errors_keep_exit_code_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["check-data", "--no-such-option"])
    assert info.value.code == 2


def test_python_m_techmarket_exits_1_without_traceback(data_dir):
    files = data_files(data_dir)
    head = b"\n".join(files.facts.read_bytes().split(b"\n")[:7])  # header and 6 rows: lines 1-7
    files.facts.write_bytes(BOM + head + b'\nS9-99,"cut')
    proc = subprocess.run([sys.executable, "-m", "techmarket", "check-data", "--data-dir", str(data_dir)],
                          capture_output=True, text=True, cwd=PROJ_ROOT, timeout=300)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert f"{files.facts}: 1 problem(s); nothing was loaded." in proc.stderr
    assert ("line 8, character 7, column 'section': CSV syntax: a quoted field is never closed: the file ends "
            "inside it") in proc.stderr


# --- shares of one whole: a finding of the audit, not bad input ------------------------------------
def _shares_copy(tmp_path, edit):
    """A copy of data/ whose facts (and the claims that repeat them) are edited."""
    import shutil

    root = tmp_path / "data"
    shutil.copytree(PROJ_ROOT / "data", root)
    facts, claims = read_rows(root / "paper" / "facts.csv"), read_rows(root / "paper" / "claims.csv")
    edit(facts, claims)
    write_rows(root / "paper" / "facts.csv", facts)
    write_rows(root / "paper" / "claims.csv", claims)
    return root


def test_shares_past_100_load_and_the_audit_names_the_figure(tmp_path, capsys):
    """62.57 + 27.13 + 16.88 = 106.58 %: the paper would assert more than the whole. The tables load
    (the schema checks what a value is), and verify names S2.3-03 (its route, 1822.07 / 3465.92, needs
    52.57) instead of stopping."""
    def edit(facts, claims):
        for table, col in ((facts, "value"), (claims, "reported")):
            set_cell(table, "S2.3-03", col, "62.57")
            set_cell(table, "S2.3-03", "span", "占比62.57%")
    root = _shares_copy(tmp_path, edit)
    assert load_facts(data_files(root).facts).set_index("fact_id").loc["S2.3-03", "value"] == "62.57"
    code, out, err = run_cli(capsys, "verify", "--data-dir", str(root))
    assert code == 1 and "S2.3-03: verdict consistent → inconsistent" in err  # against data/'s snapshot
    assert "the figure at fault: S2.3-03 62.57 % → 52.57" in out


def test_a_complete_partition_short_of_100_is_an_audit_finding(tmp_path, capsys):
    """With consulting printed at 1.00 %, the four contract types make the whole turnover, and add up
    to 52.57 + 27.13 + 16.88 + 1.00 = 97.58 %, not 100: the audit flags it and names the new row among
    its suspects; nothing stops."""
    def edit(facts, claims):
        head = facts[0]
        new = dict.fromkeys(head, "")
        new.update(fact_id="S2.3-99", section="2.3", locator="§2.3", indicator="turnover", geo="广东",
                   year="2020", category="技术咨询", dimension="contract_type", measure="share",
                   value="1.00", unit="%", qualifier="exact", relative_to="广东", span="技术咨询占1.00%")
        facts.append([new[c] for c in head])
        row = dict.fromkeys(claims[0], "")
        row.update(claim_id="S2.3-99", fact_id="S2.3-99", section="2.3", kind="share", reported="1.00", unit="%",
                   span="技术咨询占1.00%", paraphrase_en="consulting share, 2020")
        claims.append([row[c] for c in claims[0]])
    root = _shares_copy(tmp_path, edit)
    code, out, err = run_cli(capsys, "verify", "--data-dir", str(root))
    assert code == 1 and "S2.3-99: new claim (inconsistent" in err
    assert "S2.3-99" in out.split("Diagnosis:")[1]
