"""reports/index.html: every report in both languages, the claims-audit summary (or why the audit
could not run) and the build's identity (commit, data hash, pinned versions, date)."""
from __future__ import annotations

import datetime as _dt
import html
import os
import re
import subprocess
import sys
from pathlib import Path

from techmarket.data.files import atomic_write, cannot_write, tree_hash
from techmarket.data.paths import CLAIMS_CSV, EXTERNAL_CSV, FACTS_CSV, PROJ_ROOT, SHARED_PAPER, files_under
from techmarket.pages.data_pages import PAGES as DATA_PAGES
from techmarket.pages.fonts import embed_font
from techmarket.pages.shell import scroll_box, style_sheet, with_csp
from techmarket.pages.untrusted import escape
from techmarket.site.export import base_font
from techmarket.site.plan import LANGS, Project

SHARED_DOC = f"../shared/paper/{SHARED_PAPER.name}"  # where the README documents the paper's text

IDENTITY_LABELS = {"commit": "commit", "data_sha256": "data SHA-256", "versions": "pinned versions",
                   "python": "Python", "built": "built"}  # how the index names each line of the build's identity
KEY_PACKAGES = ("pandas", "numpy", "statsmodels", "pandera", "matplotlib", "seaborn", "papermill", "nbconvert",
                "nbclient", "ipykernel", "mplfonts")


def build_identity(project: Project) -> dict[str, str]:
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=project.root, capture_output=True, text=True,
                                  check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return ""

    commit = git("rev-parse", "HEAD") or "unknown (not a git checkout)"
    dirty = git("status", "--porcelain", "--", "data", "lib", "notebooks")
    data = files_under(project.root / "data")
    from techmarket.site.envfile import locked_pins

    pins = locked_pins(project.root / "requirements.lock")
    return {
        "commit": commit + (" (with uncommitted changes to data, lib or notebooks)" if dirty else ""),
        "data_sha256": tree_hash(project.root, data),
        "versions": ", ".join(f"{p} {pins[p]}" for p in KEY_PACKAGES if p in pins),
        "python": sys.version.split()[0],
        "built": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def _reports(project: Project) -> list[tuple[str, str, dict[str, str]]]:
    """Every built report, default first then its variants: (notebook stem, file stem, title by
    language, read from the page's <title>)."""

    out = []
    for nb in project.notebooks():
        names = sorted({p.name.removesuffix(".html") for lang in LANGS
                        for p in (project.reports_dir / lang).glob(f"{nb.stem}*.html")
                        if not p.name.endswith(".code.html") and not p.name.endswith(".failed.html")})
        for name in sorted(names, key=lambda n: (n != nb.stem, n)):
            titles = {}
            for lang in LANGS:
                page = project.reports_dir / lang / f"{name}.html"
                text = page.read_text(encoding="utf-8") if page.is_file() else ""
                m = re.search(r"<title>(.*?)</title>", text, re.S)
                titles[lang] = html.unescape(m.group(1).strip()) if m else name
            out.append((nb.stem, name, titles))
    return out


def _variant(name: str, stem: str) -> str:
    """'06_provincial_benchmarking.province-江苏' -> 'province 江苏' (the parameters it was built with)."""
    return ", ".join(p.replace("-", " ", 1) for p in name.removeprefix(stem).split(".") if p)


def _report_rows(project: Project) -> str:
    from techmarket.site.report_catalogue import DESCRIPTIONS

    rows = []
    for stem, name, titles in _reports(project):
        zh, en = DESCRIPTIONS.get(stem, ("", ""))
        variant = _variant(name, stem)
        cells = []
        for lang in LANGS:
            title = escape(titles[lang] + (f" · {variant}" if variant else ""))
            if (project.reports_dir / lang / f"{name}.html").is_file():
                code = "含代码" if lang == "zh" else "with code"
                cells.append(f'<td lang="{lang}"><a href="{lang}/{escape(name)}.html">{title}</a><br>'
                             f'<small>{escape(zh if lang == "zh" else en)} · '
                             f'<a href="{lang}/{escape(name)}.code.html">{code}</a></small></td>')
            else:
                cells.append(f'<td lang="{lang}">—</td>')
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return "".join(rows)


def _audit_words(audit_counts: list[tuple[str, str, int]]) -> str:
    """The audit summary as sentences, each verdict with its meaning, in both languages."""
    from techmarket.data.i18n import verdict
    from techmarket.site.report_catalogue import VERDICT_MEANINGS

    def items(table: str, lang: str) -> str:
        return "".join(f"<li><b>{escape(verdict(v, lang))}</b>: {n} · "
                       f"{escape(VERDICT_MEANINGS[v][0 if lang == 'zh' else 1])}</li>"
                       for t, v, n in audit_counts if t == table and n)
    total = sum(n for t, _, n in audit_counts if t == "verdict")
    return (f'<div lang="zh"><p>核查登记了论文的{total}条论断（每个数字和每个数量比较）：</p>'
            f'<ul>{items("verdict", "zh")}</ul>'
            f'<p>与官方发布对照：</p><ul>{items("external", "zh")}</ul></div>'
            f'<div lang="en"><p>The audit registers {total} claims of the paper (every number and every '
            f'quantitative comparison):</p><ul>{items("verdict", "en")}</ul>'
            f'<p>Against official releases:</p><ul>{items("external", "en")}</ul></div>')


def _view_links(project: Project, views_error: str = "") -> str:
    """The views of the paper as a whole: each page in both languages; for a page not built, why
    (``views_error``), or how to build the annotated paper when the paper's text was not found."""
    from techmarket.pages.paper_pages import PAGES, file_name

    rows = []
    for stem, (zh, en) in PAGES.items():
        if (project.reports_dir / file_name(stem, "en")).is_file():
            rows.append(f'<tr><td><a href="{file_name(stem, "zh")}">{zh}</a></td>'
                        f'<td lang="en"><a href="{file_name(stem, "en")}">{en}</a></td></tr>')
        elif views_error:
            rows.append(f'<tr><td>{zh}：未生成，见右。</td><td lang="en">{en}: not built: '
                        f"<code>{escape(views_error)}</code></td></tr>")
        else:
            rows.append(f"<tr><td>{zh}：未生成，需要论文文本。把文本放在项目旁的 <code>{SHARED_DOC}</code>，"
                        f"或运行 <code>make annotate PAPER=路径</code>。</td><td lang=\"en\">{en}: not built, it needs "
                        f"the paper's text. Put the text at <code>{SHARED_DOC}</code> beside the project, or run "
                        "<code>make annotate PAPER=path</code>.</td></tr>")
    return ('<h2>逐句核查论文 · <span lang="en">The paper, checked</span></h2>'
            + scroll_box(f"<table>{''.join(rows)}</table>", "逐句核查论文 · The paper, checked")
            + '<p><a href="replication.csv">replication.csv</a> · <span lang="en">every exhibit and every number '
            "of the paper with its replication status</span></p>")


def write_index(project: Project, audit_counts: list[tuple[str, str, int]] | None, audit_error: str = "",
                views_error: str = "") -> Path:
    """reports/index.html: every report (and every variant built with parameters) by title and
    description in both languages, the audit summary in words (or, with ``audit_error``, why the
    audit could not run), the data pages, the data dictionary, and the build identity."""
    audit = ""
    if audit_counts:
        audit = ('<h2>论文数字核查 · <span lang="en">Claims audit</span></h2>' + _audit_words(audit_counts)
                 + '<p><a href="claims_audit.csv">claims_audit.csv</a> · <span lang="en">every claim, one row each, '
                 "with its verdicts and arithmetic</span></p>")
    elif audit_error:
        audit = ('<h2>论文数字核查 · <span lang="en">Claims audit</span></h2><p>核查未能运行，故无汇总 · '
                 '<span lang="en">The claims audit could not run, so its summary is missing:</span></p>'
                 f"<pre>{escape(audit_error)}</pre>")
    views = _view_links(project, views_error) if audit_counts else ""
    data_links = " · ".join(
        f'<a href="{lang}/data/{stem}.html" lang="{lang}">{escape(t[0] if lang == "zh" else t[1])}</a>'
        for lang in LANGS for stem, t in DATA_PAGES.items()
        if (project.reports_dir / lang / "data" / f"{stem}.html").is_file())
    dictionary = ('<p><a href="data_dictionary.html">数据字典 · <span lang="en">data dictionary</span></a></p>'
                  if (project.reports_dir / "data_dictionary.html").is_file() else "")
    ident = build_identity(project)
    ident_rows = "".join(f'<tr><th scope="row">{IDENTITY_LABELS[k]}</th><td>{escape(v)}</td></tr>'
                         for k, v in ident.items())
    reports = scroll_box('<table><tr><th scope="col">中文</th><th scope="col" lang="en">English</th></tr>'
                         f"{_report_rows(project)}</table>", "报告 · Reports")
    page = f"""<!DOCTYPE html>
<html lang="zh"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>广东技术市场 · Guangdong technology market — reports</title>
<!--font-->
<style>{style_sheet()}</style></head>
<body class="tm-page tm-index">
<main>
<h1>广东技术市场 2016—2020 · <span lang="en">Guangdong technology market 2016-2020</span></h1>
<h2>报告 · <span lang="en">Reports</span></h2>
{reports}
{audit}
{views}
<h2>数据 · <span lang="en">Data</span></h2>
<p>{data_links or "—"}</p>
{dictionary}
<h2>构建信息 · <span lang="en">Build</span></h2>
{scroll_box(f'<table lang="en">{ident_rows}</table>', "构建信息 · Build")}
</main>
</body></html>
"""
    page = embed_font([page.replace("<!--font-->", "")], base_font(project), whole=True)[0]
    index = project.reports_dir / "index.html"
    atomic_write(index, with_csp(page))
    return index


def summary_rows(result) -> list[tuple[str, str, int]]:
    """The audit's summary as the index shows it: (table, verdict, claims) per verdict."""
    from techmarket.audit.run import summary

    return [(r.table, r.value, int(r.claims)) for r in summary(result.claims).itertuples()]


def _audit_counts(project: Project) -> tuple[list[tuple[str, str, int]] | None, str, tuple | None]:
    """The claims-audit summary for the index, from the project's data (and ``claims_audit.csv``
    written beside it): ``(counts, "", tables)``, or ``(None, why the audit could not run, None)``;
    ``tables`` (facts, claims, derived, the audit's result) serve the views of the paper, which wait
    for the reports' figures (:func:`write_paper_views`).

    It runs in a pool worker, so it returns its error as text instead of raising it: the
    package's ``DataValidationError`` does not survive pickling (unpickling it in the parent
    fails, and the pool is then broken) and its message is what the user needs."""
    root = project.root
    try:
        from techmarket.audit.cache import cached_audit
        from techmarket.audit.derive import derived_values
        from techmarket.data.loaders import load_claims, load_external, load_facts

        facts = load_facts(root / FACTS_CSV.relative_to(PROJ_ROOT))
        external = load_external(root / EXTERNAL_CSV.relative_to(PROJ_ROOT))
        claims = load_claims(root / CLAIMS_CSV.relative_to(PROJ_ROOT), facts=facts)
        derived = derived_values(facts, external)
        # the notebooks' audit too: computed once, here or by the first notebook that needs it
        result = cached_audit(facts, external, derived, claims=claims, cache_dir=project.cache_dir)
        atomic_write(project.reports_dir / "claims_audit.csv", result.claims.to_csv(index=False))
        from techmarket.site.data_site import write_data_pages

        write_data_pages(project, facts, external, derived, result)
        return summary_rows(result), "", (facts, claims, derived, result)
    except OSError as err:
        if err.filename and Path(err.filename).is_relative_to(project.reports_dir):
            return None, cannot_write(err, project.root), None
        return None, f"{type(err).__name__}: {err}".replace(f"{root}{os.sep}", ""), None
    except Exception as err:  # a data error (file, line, column) or a bug: the message, not a traceback
        text = str(err) if type(err).__name__ == "DataValidationError" else f"{type(err).__name__}: {err}"
        return None, text.replace(f"{root}{os.sep}", ""), None

