"""The section notebooks: parameters, both languages, no typed numbers, clear parameter errors,
deterministic outputs. (nbval, run by the same `make test`, checks the committed outputs.)"""
from __future__ import annotations

import re
import warnings

import nbformat
import papermill
import pytest

from techmarket.data.paths import NOTEBOOKS_DIR
from techmarket.site.export import strip_volatile_metadata
from techmarket.site.expressions import execute
from techmarket.site.kernel_fork import kernel_manager_for
from techmarket.site.plan import KERNEL, Job, notebooks
from techmarket.site.prose import cell_lang, page_notebook

from notebook_rules import discarded_outputs, typed_numbers

EXPECTED = ["01_scale", "02_economic_contribution", "03_structure", "04_sectors", "05_regions",
            "06_provincial_benchmarking", "07_institutions_and_talent", "08_claims_audit"]
CJK = re.compile(r"[\u4e00-\u9fff]")


def load(stem: str):
    return nbformat.read(NOTEBOOKS_DIR / f"{stem}.ipynb", as_version=4)


def run(stem: str, tmp_path, server=None, **params):
    """Execute a notebook with papermill: in an ordinary kernel, or forked from ``server``."""
    out = tmp_path / f"{stem}.{params.get('lang', 'zh')}.ipynb"
    forked = {"kernel_manager_class": kernel_manager_for(server), "shutdown_kernel": "immediate"} if server else {}
    execute(NOTEBOOKS_DIR / f"{stem}.ipynb", out, parameters=params, kernel_name=KERNEL, cwd=str(NOTEBOOKS_DIR),
            progress_bar=False, **forked)
    return nbformat.read(out, as_version=4)


def texts(nb, mime: str = "text/plain") -> list[str]:
    return [o["data"][mime] for c in nb.cells for o in c.get("outputs", []) if mime in o.get("data", {})]


def test_one_notebook_per_section_in_order():
    assert [nb.stem for nb in notebooks()] == EXPECTED


@pytest.mark.parametrize("stem", EXPECTED)
def test_parameters_cell(stem):
    nb = load(stem)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and nb.cells[0] is tagged[0]
    assert re.search(r'^lang = "zh"', tagged[0].source, re.M)
    if stem == "06_provincial_benchmarking":
        assert re.search(r'^province = "广东"', tagged[0].source, re.M)


@pytest.mark.parametrize("stem", EXPECTED)
def test_no_number_is_typed_into_a_notebook(stem):
    nb = load(stem)
    hits = [(i, *h) for i, c in enumerate(nb.cells) if c.cell_type == "code" for h in typed_numbers(c.source)]
    assert not hits, f"numbers typed into {stem}: {hits}"


@pytest.mark.parametrize("stem", EXPECTED)
def test_no_output_is_built_and_then_discarded(stem):
    nb = load(stem)
    lost = [(i, line) for i, c in enumerate(nb.cells) if c.cell_type == "code" for line in discarded_outputs(c.source)]
    assert not lost, f"{stem}: outputs built but not shown (cell, line): {lost}"


def test_discarded_output_rule():
    assert discarded_outputs('report.table(a, "x")\nctx.say(zh="a", en="b")') == [1]
    assert discarded_outputs('t = report.table(a, "x")\nreport.table(b, "y")') == []


def test_typed_number_rule_catches_years_and_values():
    assert typed_numbers('x = 2020') == [("code", "2020", 1)]
    assert typed_numbers('s = f"{LAST}年成交额3465.92亿元"') == [("text", "3465.92", 1)]
    assert typed_numbers('s = f"{ctx.printed(\'S2.1-04\')}倍"') == []
    assert typed_numbers('fig, ax = plt.subplots(figsize=(7.6, 4.2))') == []


@pytest.mark.parametrize("stem", EXPECTED)
def test_committed_outputs_are_clean(stem):
    text = (NOTEBOOKS_DIR / f"{stem}.ipynb").read_text(encoding="utf-8")
    assert not re.search(r"0x[0-9a-f]{6,}", text), "memory address in outputs"
    assert "<Figure size" not in text and "object at" not in text
    assert '"start_time"' not in text and '"duration"' not in text
    nb = load(stem)
    assert all(c.get("execution_count") for c in nb.cells if c.cell_type == "code"), "not executed"
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") in ("error", "stream")]


def built_english(built_reports, stem: str):
    """The build's English execution of a notebook (reports/en/<stem>.ipynb)."""
    return nbformat.read(Job(NOTEBOOKS_DIR / f"{stem}.ipynb", "en").outputs(built_reports)["ipynb"], as_version=4)


@pytest.mark.parametrize("stem", EXPECTED)
def test_runs_in_english_with_english_headings_and_no_stray_output(stem, built_reports):
    nb = built_english(built_reports, stem)  # executed by the build with lang="en"
    assert nb.metadata["papermill"]["parameters"] == {"lang": "en"}
    streams = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "stream"]
    assert not streams, f"stray output (warnings?) in {stem}: {streams}"
    headings = prose_headings(nb, "en")
    assert headings and not [h for h in headings if CJK.search(h)], headings
    captions = [t for t in texts(nb) if t.startswith("[figure]")]
    assert not [c for c in captions if CJK.search(c)], captions
    zh_headings = prose_headings(load(stem), "zh")
    assert len(zh_headings) == len(headings) and all(CJK.search(h) for h in zh_headings)


def prose_headings(nb, lang: str) -> list[str]:
    """The headings of the Markdown cells in ``lang``."""
    return [line for c in nb.cells if c.cell_type == "markdown" and cell_lang(c) == lang
            for line in c.source.splitlines() if line.startswith("#")]


def same_outputs(built_reports, nb, stem: str) -> None:
    """``nb`` (just executed in English) has exactly the outputs of the build's English report."""
    strip_volatile_metadata(nb)
    report = built_english(built_reports, stem)
    assert [(c.id, c.get("outputs")) for c in report.cells] == [(c.id, c.get("outputs")) for c in nb.cells]


def test_an_ordinary_kernel_gives_the_outputs_of_the_builds_forked_kernel(tmp_path, built_reports):
    """The build forks its kernels from a warm server; an ordinary kernel, launched here on the same
    machine, gives its report's outputs to the byte (06 has a statsmodels fit and two figures).
    Every notebook's text is compared so too, on this machine: nbval runs the committed notebooks
    in ordinary kernels and test_outputs.py compares the build's reports with the same notebooks."""
    stem = "06_provincial_benchmarking"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        nb = run(stem, tmp_path, lang="en")
    assert any("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))
    same_outputs(built_reports, nb, stem)


def _raises_at_setup(stem, tmp_path, server, message, **params):
    with pytest.raises(papermill.PapermillExecutionError) as info:
        run(stem, tmp_path, server, **params)
    err = info.value
    assert message in str(err.evalue)
    # cell 0: parameters, cell 1: injected parameters, cell 2: setup(...) stops the run
    assert err.cell_index == 2 and "setup(" in err.source


def test_unknown_language_stops_at_the_parameters(tmp_path, fork_server):
    _raises_at_setup("01_scale", tmp_path, fork_server, "parameter lang must be one of ['zh', 'en'], got 'fr'",
                     lang="fr")


def test_unknown_province_stops_at_the_parameters(tmp_path, fork_server):
    _raises_at_setup("06_provincial_benchmarking", tmp_path, fork_server,
                     "parameter province must be one of the Table 1 provinces", province="火星")


def test_benchmark_centres_on_another_province(tmp_path, fork_server):
    nb = run("06_provincial_benchmarking", tmp_path, fork_server, lang="en", province="江苏")
    out = "\n".join(texts(nb))
    prose = "\n".join(c.source for c in page_notebook(nb, "en").cells if c.cell_type == "markdown")
    assert "## Benchmark centred on Jiangsu" in prose and "Multiple of Jiangsu" in out


def test_reruns_are_byte_identical(tmp_path, fork_server, built_reports):
    """A second execution writes the build's notebook file byte for byte, metadata included."""
    nb = run("04_sectors", tmp_path, fork_server, lang="en")
    strip_volatile_metadata(nb)
    built = Job(NOTEBOOKS_DIR / "04_sectors.ipynb", "en").outputs(built_reports)["ipynb"]
    assert nbformat.v4.writes(nb) + "\n" == built.read_text(encoding="utf-8")
