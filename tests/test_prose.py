"""The notebooks' prose: Markdown cells in both languages, every number from an inline expression,
and the build that evaluates the expressions and keeps one language per page.

Unit tests of :mod:`techmarket.site.prose` and :mod:`techmarket.site.expressions` (each rule shown
to fail on a broken input), then checks of the committed notebooks and of the built pages.
"""
from __future__ import annotations

import ast
import re

import nbformat
import pytest
from prose_rules import data_values, data_years, typed_data_numbers, visible_myst

from techmarket.data.paths import NOTEBOOKS_DIR
from techmarket.pages.untrusted import markdown_text
from techmarket.site.expressions import ExpressionError, execute, expressions_in
from techmarket.site.plan import KERNEL, Job
from techmarket.site.prose import LANGS, ProseError, cell_lang, fill_in, for_language, page_notebook, shown

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
CJK = re.compile(r"[\u4e00-\u9fff]")


def load(path):
    return nbformat.read(path, as_version=4)


def prose_cells(nb, lang=None):
    return [c for c in nb.cells if c.cell_type == "markdown" and (lang is None or cell_lang(c) == lang)]


def _markdown(source: str, lang: str | None, results: dict | None = None):
    cell = nbformat.v4.new_markdown_cell(source)
    if lang:
        cell.metadata["tags"] = [f"lang-{lang}"]
    if results is not None:
        cell.metadata["user_expressions"] = [
            {"expression": e, "result": r if "status" in r else {"status": "ok", "data": r, "metadata": {}}}
            for e, r in results.items()]
    return cell


# --- showing a stored result ----------------------------------------------------------------------
def test_a_string_result_is_shown_as_its_text_without_the_quotes_of_its_repr():
    assert shown({"data": {"text/plain": "'3,465.92'"}}) == "3,465.92"
    assert shown({"data": {"text/plain": '"it\'s"'}}) == markdown_text("it's")
    assert shown({"data": {"text/plain": "2020"}}) == "2020"


def test_a_result_from_data_is_text_not_markup():
    hostile = "<script>alert(1)</script> *x* [a](javascript:b)"
    md = shown({"data": {"text/plain": repr(hostile)}})
    assert "<script>" not in md and md == markdown_text(hostile)
    html = shown({"data": {"text/html": '<q lang="zh">引文</q><script>alert(1)</script><img src=x onerror=y>',
                           "text/plain": "x"}})
    assert html == '<q lang="zh">引文</q>'  # the sanitizer keeps the quotation, drops the rest


def test_a_number_at_the_start_of_a_line_renders_without_a_backslash():
    from nbconvert.filters.markdown import markdown2html

    for text in ("3.36", "1) x", "-0.5", "# x", "2016"):
        assert markdown2html(markdown_text(text)).strip() == f"<p>{text}</p>"


# --- one language per page ---------------------------------------------------------------------------
def _notebook():
    nb = nbformat.v4.new_notebook()
    nb.cells = [_markdown("# 标题 {eval}`zh.x`", "zh", {"zh.x": {"text/plain": "'一'"}}),
                _markdown("# Title {eval}`en.x` for 技术市场", "en", {"en.x": {"text/plain": "'one'"}}),
                nbformat.v4.new_code_cell("x = 1"),
                _markdown("Both: {eval}`n`", None, {"n": {"text/plain": "3"}})]
    return nb


def test_each_page_keeps_its_language_and_the_untagged_cells():
    zh, en = page_notebook(_notebook(), "zh"), page_notebook(_notebook(), "en")
    assert [c.source for c in prose_cells(zh)] == ["# 标题 一", "Both: 3"]
    assert [c.source for c in prose_cells(en)] == ['# Title one for <span lang="zh">技术市场</span>', "Both: 3"]
    assert [c.cell_type for c in en.cells] == ["markdown", "code", "markdown"]
    assert not any("user_expressions" in c.metadata for c in en.cells)


def test_the_original_notebook_is_left_as_it_was():
    nb = _notebook()
    page_notebook(nb, "en")
    assert len(nb.cells) == 4 and "{eval}" in nb.cells[1].source


def test_an_expression_without_a_stored_result_names_the_cell():
    nb = _notebook()
    nb.cells[1].metadata.pop("user_expressions")
    with pytest.raises(ProseError, match=r"nb\.ipynb, Markdown cell id .*: \{eval\}`en\.x` has no stored result"):
        page_notebook(nb, "en", "nb.ipynb")


def test_a_stored_error_names_the_expression():
    nb = _notebook()
    nb.cells[0].metadata["user_expressions"][0]["result"] = {"status": "error", "ename": "NameError",
                                                              "evalue": "name 'x' is not defined"}
    with pytest.raises(ProseError, match=r"\{eval\}`zh\.x` raised NameError: name 'x' is not defined"):
        page_notebook(nb, "zh")


@pytest.mark.parametrize("directive", [":::{note}\nx\n:::", "```{tab-set}\nx\n```", "see {cite}`paper`"])
def test_myst_syntax_the_export_cannot_render_stops_the_page(directive):
    page = for_language(nbformat.v4.new_notebook(cells=[_markdown("intro\n" + directive, "en", {})]), "en")
    with pytest.raises(ProseError, match="MyST syntax"):
        fill_in(page, "en")


def test_expressions_are_found_in_order_one_per_occurrence():
    assert expressions_in("a {eval}`x` b {eval}`f('y')` c {eval}`x` {cite}`z`") == ["x", "f('y')", "x"]


# --- evaluated by the kernel, as jupyterlab-myst does --------------------------------------------
def test_the_run_stores_each_result_at_its_place_and_a_raising_expression_is_named(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("x = 2"),
        _markdown("x is {eval}`x`, a word {eval}`'two'`", "en"),
        nbformat.v4.new_code_cell("x = 3"),
        _markdown("now {eval}`x`; missing {eval}`y`", "en")])
    nb.cells[3].id = "later"
    src = tmp_path / "in.ipynb"
    nbformat.write(nb, src)
    with pytest.raises(ExpressionError) as info:
        execute(src, tmp_path / "out.ipynb", kernel_name=KERNEL, progress_bar=False)
    assert str(info.value) == "Markdown cell 3 (id later): {eval}`y` raised NameError: name 'y' is not defined"
    nb.cells[3].source = "now {eval}`x`"
    nbformat.write(nb, src)
    out = execute(src, tmp_path / "out.ipynb", kernel_name=KERNEL, progress_bar=False)
    first = {e["expression"]: e["result"] for e in out.cells[1].metadata["user_expressions"]}
    assert first["x"]["data"]["text/plain"] == "2" and first["'two'"]["data"]["text/plain"] == "'two'"
    assert out.cells[3].metadata["user_expressions"][0]["result"]["data"]["text/plain"] == "3"  # at its place
    assert [c.execution_count for c in out.cells if c.cell_type == "code"] == [1, 2]  # no history entry


# --- the committed notebooks ---------------------------------------------------------------------------
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_prose_is_in_markdown_cells_in_both_languages_in_pairs(path):
    nb = load(path)
    md = prose_cells(nb)
    assert md, "no prose cells"
    assert [cell_lang(c) for c in md] == ["zh", "en"] * (len(md) // 2), "each Chinese cell followed by its English"
    for zh, en in zip(md[::2], md[1::2], strict=True):
        assert zh.id.removesuffix("-zh") == en.id.removesuffix("-en"), (zh.id, en.id)
        heads = [re.match(r"#+", line).group(0) for line in zh.source.splitlines() if line.startswith("#")]
        assert heads == [re.match(r"#+", line).group(0) for line in en.source.splitlines() if line.startswith("#")]
    assert md[0].source.startswith("# ") and md[1].source.startswith("# "), "a notebook opens with its title"
    assert not [c.id for c in nb.cells if c.cell_type == "code" and prose_in_code(c.source)], "prose left in code"


def prose_in_code(code: str) -> bool:
    """Whether code hands written prose (a string or f-string literal) to ``ctx.say``."""
    calls = [n for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Call)
             and isinstance(n.func, ast.Attribute) and n.func.attr == "say"]
    return any(isinstance(k.value, (ast.Constant, ast.JoinedStr)) for c in calls for k in c.keywords)


def test_prose_in_code_rule():
    assert prose_in_code('ctx.say(zh=f"# {x}", en="# y")')
    assert not prose_in_code('ctx.say(zh="\\n".join(blocks), en="\\n".join(blocks))')


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_figure_from_the_data_is_typed_into_prose(path):
    nb = load(path)
    hits = [(c.id, n) for c in prose_cells(nb) for n in typed_data_numbers(c.source, data_values(), data_years())]
    assert not hits, f"numbers from the data typed into prose (cell, number): {hits}"


def test_the_typed_number_rule_sees_a_figure_and_spares_locators_titles_and_expressions():
    values = data_values()
    assert typed_data_numbers("turnover was 3465.92 (100 million yuan)", values) == ["3465.92"]
    assert typed_data_numbers("about 3,466", values) == ["3,466"]  # within rounding, with a separator
    assert typed_data_numbers("# 01 Scale (§2.1), Table 1, 图2, 十三五, S2.1-03", values) == []
    assert typed_data_numbers("turnover was {eval}`en.fmt(en.value('S2.1-03'))`", values) == []
    years = data_years()
    assert typed_data_numbers("## Figure 1: turnover 2016-2020", values, years) == []
    assert typed_data_numbers("## Figure 1: turnover 2016-2031", values, years) == ["2031"]  # not a year of the data


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_expression_has_a_result_shown_as_a_value(path):
    for cell in prose_cells(load(path)):
        stored = {e["expression"]: e["result"] for e in cell.metadata.get("user_expressions", [])}
        assert expressions_in(cell.source) == [e["expression"] for e in cell.metadata.get("user_expressions", [])]
        for expression, result in stored.items():
            assert result["status"] == "ok", (cell.id, expression)
            plain = result["data"]["text/plain"]
            assert not re.search(r"^(np|numpy|pd)\.|^<.*object|^\w+\(", plain), (cell.id, expression, plain)


def built(built_reports, path, lang):
    return load(Job(built_reports.notebooks_dir / path.name, lang).outputs(built_reports)["ipynb"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_results_are_those_of_a_fresh_run_and_prose_does_not_depend_on_lang(built_reports, path):
    """nbval skips Markdown cells: the results stored in the committed notebooks (lang="zh") are
    compared with the build's fresh runs; the English prose gives the same in the English run."""
    committed = {c.id: c.metadata.get("user_expressions") for c in prose_cells(load(path))}
    for lang in LANGS:
        fresh = {c.id: c.metadata.get("user_expressions") for c in prose_cells(built(built_reports, path, lang))}
        same = committed if lang == "zh" else {k: v for k, v in committed.items() if k.endswith("-en")}
        assert {k: fresh[k] for k in same} == same, f"{path.stem}: stored results differ from the {lang} run"


# --- the built pages ------------------------------------------------------------------------------------
def test_no_myst_syntax_reaches_a_built_page(built_reports):
    pages = sorted(built_reports.reports_dir.glob("*/[0-9][0-9]_*.html"))
    assert len(pages) >= 4 * len(NOTEBOOKS)
    found = {p.name: visible_myst(p.read_text(encoding="utf-8")) for p in pages}
    assert not {k: v for k, v in found.items() if v}


def test_the_page_scan_sees_an_unrendered_expression_or_directive():
    assert visible_myst("<p>x {eval}`LAST` y</p>") == ["{eval}`"]
    assert visible_myst("<p>:::{note}</p>") == [":::{note}"]
    assert visible_myst('<p>ok</p><script>"{eval}`x`"</script>') == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_an_english_page_keeps_only_the_english_prose(built_reports, path):
    page = (built_reports.reports_dir / "en" / f"{path.stem}.html").read_text(encoding="utf-8")
    headings = re.findall(r"<h[1-3][^>]*>(.*?)<", page)
    assert headings and not [h for h in headings if CJK.search(h)], headings
    zh = (built_reports.reports_dir / "zh" / f"{path.stem}.html").read_text(encoding="utf-8")
    assert all(CJK.search(h) for h in re.findall(r"<h1[^>]*>(.*?)<", zh))
