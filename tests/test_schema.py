"""The Frictionless descriptor: valid, describes every table and column, and the data passes it.
The same corruptions fail both Frictionless and the pandera loaders (one source of truth)."""
from __future__ import annotations

import json
import re
import shutil

import pytest
from frictionless import Package

from techmarket.data import descriptor, schema
from techmarket.data.errors import DataValidationError
from techmarket.data.loaders import load_external, load_facts
from techmarket.data.paths import DATA_DIR, DATAPACKAGE

from conftest import read_rows, set_cell, write_rows


def test_datapackage_is_valid_and_data_passes():
    report = Package(str(DATAPACKAGE)).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_every_csv_under_data_is_a_resource():
    paths = {r["path"] for r in descriptor.descriptor()["resources"]}
    csvs = {p.relative_to(DATA_DIR).as_posix() for p in DATA_DIR.rglob("*.csv")}
    assert csvs == paths


def test_every_field_is_described():
    for res in descriptor.descriptor()["resources"]:
        for f in res["schema"]["fields"]:
            assert f.get("description"), (res["name"], f["name"])


def test_data_readme_documents_every_table_and_column():
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    for res in descriptor.descriptor()["resources"]:
        assert res["path"] in readme, res["path"]
        for f in res["schema"]["fields"]:
            assert re.search(rf"`{re.escape(f['name'])}`", readme), (res["name"], f["name"])
    for unit in descriptor.resource("facts")["schema"]["fields"][11]["constraints"]["enum"]:
        assert unit in readme, unit


def _corrupted_package(tmp_path, table: str, edit) -> Package:
    pkg_dir = tmp_path / "data"
    shutil.copytree(DATA_DIR, pkg_dir)
    path = pkg_dir / descriptor.resource(table)["path"]
    rows = read_rows(path)
    edit(rows)
    write_rows(path, rows)
    return Package(str(pkg_dir / "datapackage.json")), path


@pytest.mark.parametrize(
    "table, edit, frictionless_type",
    [
        ("facts", lambda rows: set_cell(rows, "S2.1-03", "unit", "亿圆"), "constraint-error"),
        ("facts", lambda rows: set_cell(rows, "S2.1-03", "year", "2030"), "constraint-error"),
        ("facts", lambda rows: set_cell(rows, "S2.1-03", "year", "2020年"), "type-error"),
        ("facts", lambda rows: set_cell(rows, "S2.1-04", "fact_id", "S2.1-03"), "primary-key"),
        ("facts", lambda rows: set_cell(rows, "S4.2-05", "span", ""), "constraint-error"),
        ("official_releases", lambda rows: rows[5].__setitem__(3, "-1"), "constraint-error"),
    ],
)
def test_frictionless_and_loaders_reject_the_same_corruption(tmp_path, table, edit, frictionless_type):
    pkg, path = _corrupted_package(tmp_path, table, edit)
    report = pkg.validate()
    assert not report.valid
    types = {e.type for task in report.tasks for e in task.errors}
    assert frictionless_type in types, types
    loader = load_facts if table == "facts" else load_external
    with pytest.raises(DataValidationError):
        loader(path)


def test_descriptor_keys_are_the_loader_keys():
    res = descriptor.resource("facts")
    assert schema.facts_schema().unique == res["schema"]["uniqueKeys"][0]
    assert json.loads(DATAPACKAGE.read_text(encoding="utf-8"))["resources"][0]["schema"]["primaryKey"] == ["fact_id"]
