"""The batch build's building blocks: atomic writes and metadata that would break determinism."""
import stat

import nbformat
import pytest

from techmarket.build import atomic_write, strip_volatile_metadata


def test_atomic_write_replaces_whole_file_and_keeps_normal_permissions(tmp_path):
    target = tmp_path / "r.html"
    atomic_write(target, "old")
    atomic_write(target, "new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) & 0o044, "reports must be readable by others"
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]  # no temporary file left


def test_failed_write_keeps_the_last_good_file(tmp_path):
    target = tmp_path / "r.html"
    atomic_write(target, "good")

    with pytest.raises(TypeError):
        atomic_write(target, 12345)  # not str or bytes: fails while writing
    assert target.read_text() == "good"
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]


def test_strip_volatile_metadata():
    nb = nbformat.v4.new_notebook()
    nb.metadata["papermill"] = {"start_time": "x", "end_time": "y", "duration": 1.0, "parameters": {"lang": "en"}}
    cell = nbformat.v4.new_code_cell("lang = 'en'")
    cell.metadata["tags"] = ["injected-parameters"]
    cell.metadata["execution"] = {"iopub.status.busy": "t"}
    cell.metadata["papermill"] = {"start_time": "x", "duration": 1.0, "status": "completed"}
    nb.cells.append(cell)
    strip_volatile_metadata(nb)
    assert nb.metadata["papermill"] == {"parameters": {"lang": "en"}}
    assert cell["id"] == "injected-parameters" and "execution" not in cell.metadata
    assert cell.metadata["papermill"] == {}
