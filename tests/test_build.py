"""The batch build's building blocks: atomic writes and metadata that would break determinism."""
import stat

import nbformat
import pytest

from techmarket.data.files import atomic_write
from techmarket.site.export import strip_volatile_metadata


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


# --- planning, cache, failure isolation --------------------------------------------------------

import nbformat as nbf  # noqa: E402

from techmarket.data.files import code_hash  # noqa: E402
from techmarket.site.build import build  # noqa: E402
from techmarket.site.cache import job_key, record_built, stale  # noqa: E402
from techmarket.site.plan import BuildError, Project, plan  # noqa: E402


def test_plan_validates_everything_before_running():
    project = Project()
    with pytest.raises(BuildError, match="unknown notebook"):
        plan(project, only=["99_nothing"])
    with pytest.raises(BuildError, match="unknown language"):
        plan(project, langs=["fr"])
    with pytest.raises(BuildError, match="not parameters of the chosen notebook"):
        plan(project, only=["01_scale"], params={"province": "江苏"})
    with pytest.raises(BuildError, match="Table 1 provinces"):
        plan(project, params={"province": "火星"})
    with pytest.raises(BuildError, match="--lang"):
        plan(project, params={"lang": "en"})
    jobs = plan(project, only=["06_provincial_benchmarking"], langs=["en"], params={"province": "江苏"})
    assert [j.name for j in jobs] == ["06_provincial_benchmarking.province-江苏"]
    assert jobs[0].parameters() == {"lang": "en", "province": "江苏"}


def test_cli_rejects_malformed_options(capsys):
    from techmarket.cli.main import main

    assert main(["build", "-p", "province"]) == 2
    assert main(["build", "--workers", "0"]) == 2
    assert main(["build", "--only", "nope"]) == 2
    assert "unknown notebook" in capsys.readouterr().err


def _copy_project(tmp_path, notebooks=True):
    from conftest import copy_project

    return Project(copy_project(tmp_path / "proj", notebooks))


def _mark_built(project, jobs):
    env = code_hash(project.root)
    for j in jobs:
        for p in j.outputs(project).values():
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text("built")
        record_built(j, project, job_key(j, project, env))


def test_cache_reruns_only_what_depends_on_a_change(tmp_path):
    project = _copy_project(tmp_path)
    jobs = plan(project)
    _mark_built(project, jobs)
    assert stale(jobs, project) == []
    claims = project.root / "data" / "paper" / "claims.csv"
    claims.write_text(claims.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert sorted({j.name for j in stale(jobs, project)}) == ["08_claims_audit"]
    _mark_built(project, jobs)
    facts = project.root / "data" / "paper" / "facts.csv"
    facts.write_text(facts.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert len(stale(jobs, project)) == len(jobs)
    _mark_built(project, jobs)
    (project.root / "lib" / "techmarket" / "report.py").write_text("# changed\n", encoding="utf-8")
    assert len(stale(jobs, project)) == len(jobs)
    _mark_built(project, jobs)
    (jobs[0].outputs(project)["html"]).unlink()  # a lost output is rebuilt
    assert stale(jobs, project) == [jobs[0]]
    _mark_built(project, jobs)
    (jobs[1].outputs(project)["code"]).write_text("bui")  # and so is a damaged one (truncated by hand)
    assert stale(jobs, project) == [jobs[1]]


def _tiny(path, body):
    nb = nbf.v4.new_notebook()
    params = nbf.v4.new_code_cell('lang = "zh"')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbf.v4.new_code_cell(body)]
    nb.metadata["kernelspec"] = {"name": "techmarket", "display_name": "Python (techmarket)", "language": "python"}
    nbf.write(nb, path)


def test_a_failing_notebook_does_not_stop_the_others_and_keeps_its_last_good_report(tmp_path, capsys):
    project = _copy_project(tmp_path, notebooks=False)
    _tiny(project.notebooks_dir / "01_ok.ipynb", 'print("ok", lang)')
    _tiny(project.notebooks_dir / "02_fail.ipynb", 'raise ValueError("deliberate")')
    good = project.reports_dir / "en" / "02_fail.html"
    good.parent.mkdir(parents=True)
    good.write_text("last good report")
    rc = build(project=project, workers=2, with_audit=False)
    err = capsys.readouterr().err
    assert rc == 1
    failing = nbformat.read(project.notebooks_dir / "02_fail.ipynb", as_version=4).cells[1].id
    assert f"02_fail [en] failed at cell 2 of 2 ({failing}): ValueError: deliberate" in err
    assert good.read_text() == "last good report"
    assert (project.reports_dir / "en" / "02_fail.failed.ipynb").is_file()
    for lang in ("zh", "en"):
        assert (project.reports_dir / lang / "01_ok.html").is_file()
    first = (project.reports_dir / "en" / "01_ok.html").read_bytes()
    assert build(project=project, only=["01_ok"], force=True, with_audit=False) == 0
    assert (project.reports_dir / "en" / "01_ok.html").read_bytes() == first  # byte-identical rebuild
    assert b"https://cdn" not in first and b"<script src=" not in first
