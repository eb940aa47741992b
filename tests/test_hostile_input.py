"""Hostile input by kind, beyond the examples of tests/test_bad_input.py: inputs that are not
readable files, absurd values, and repeated inputs. Each is answered by the command line with one
message naming the file (and line, column and id where there is a row), exit 1, no traceback."""
from __future__ import annotations

import os

import pytest

from techmarket.cli.main import main
from techmarket.data.loaders import data_files
from techmarket.data.paths import PROJ_ROOT

from conftest import read_rows, write_rows


@pytest.fixture
def data_dir(copy_tree):
    return copy_tree(PROJ_ROOT / "data")


def check_data(capsys, data_dir) -> tuple[int, str]:
    code = main(["check-data", "--data-dir", str(data_dir)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, err


# --- inputs that are not readable files ------------------------------------------------------
@pytest.mark.parametrize("table", ["facts", "claims", "external", "datapackage"])
def test_a_folder_where_a_file_belongs(data_dir, capsys, table):
    path = getattr(data_files(data_dir), table)
    path.unlink()
    path.mkdir()
    code, err = check_data(capsys, data_dir)
    assert code == 1 and f"{path}: 1 problem(s)" in err and "is a folder, not a file: expected the" in err, err


def test_a_named_pipe_where_a_file_belongs_is_not_read(data_dir, capsys):
    """A FIFO would block a reader forever: it is refused before it is opened."""
    path = data_files(data_dir).external
    path.unlink()
    os.mkfifo(path)
    code, err = check_data(capsys, data_dir)
    assert code == 1 and f"{path}: 1 problem(s)" in err and "is not a regular file" in err, err


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file whatever its mode")
def test_an_unreadable_file(data_dir, capsys):
    path = data_files(data_dir).facts
    path.chmod(0)
    code, err = check_data(capsys, data_dir)
    assert code == 1 and f"{path}: 1 problem(s)" in err and "cannot be read (Permission denied)" in err


# --- absurd values -----------------------------------------------------------------------------
def _set(path, line: int, column: str, value: str) -> None:
    rows = read_rows(path)
    rows[line - 1][rows[0].index(column)] = value
    write_rows(path, rows)


@pytest.mark.parametrize("table, line, column, value, expected", [
    ("facts", 2, "value", "9" * 5000, "line 2 (S1-01), column 'value': pattern: expected text matching"),
    ("claims", 2, "reported", "9" * 5000, "line 2 (S1-01), column 'reported': pattern: expected text matching"),
    ("external", 4, "value", "9" * 5000, "line 4 (EXT-004), column 'value': range: expected a number of at most 24 "
                                         "characters and below 1e+15 in magnitude"),
    ("external", 4, "value", "1e400", "line 4 (EXT-004), column 'value': range: expected a number of at most 24"),
    ("external", 4, "year", "9" * 5000, "line 4 (EXT-004), column 'year': range: expected a number of at most 24"),
    ("external", 4, "value", "-719.38", "line 4 (EXT-004), column 'value': range: expected at least 0"),
    ("facts", 7, "value", "-39845", "line 7 (S2.1-02), column 'value': value: must be non-negative"),
    ("facts", 2, "year", "99999", "line 2 (S1-01), column 'year': range: expected at most 2020"),
])
def test_an_absurd_value_is_refused_with_its_row(data_dir, capsys, table, line, column, value, expected):
    path = getattr(data_files(data_dir), table)
    _set(path, line, column, value)
    code, err = check_data(capsys, data_dir)
    assert code == 1 and f"{path}: " in err and expected in err, err


def test_ctrl_c_in_any_command_ends_it_with_one_line(capsys, monkeypatch):
    import techmarket.cli.main as cli

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_check_data", interrupted)
    assert main(["check-data"]) == 130
    out, err = capsys.readouterr()
    assert err == "check-data: interrupted; nothing half-written is left\n" and "Traceback" not in out
