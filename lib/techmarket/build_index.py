"""reports/index.html: every report in both languages, the claims-audit summary (or why the audit
could not run) and the build's identity (commit, data hash, pinned versions, date)."""
from __future__ import annotations

import datetime as _dt
import html
import os
import subprocess
import sys
from pathlib import Path

from techmarket.build_files import _cannot_write, atomic_write, tree_hash
from techmarket.build_plan import LANGS, Job, Project
from techmarket.html_export import base_font, embed_font
from techmarket.paths import CLAIMS_CSV, EXTERNAL_CSV, FACTS_CSV, PROJ_ROOT

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
    data = [p for p in (project.root / "data").rglob("*") if p.is_file()]
    from techmarket.envfile import locked_pins

    pins = locked_pins(project.root / "requirements.lock")
    return {
        "commit": commit + (" (with uncommitted changes to data, lib or notebooks)" if dirty else ""),
        "data_sha256": tree_hash(project.root, data),
        "versions": ", ".join(f"{p} {pins[p]}" for p in KEY_PACKAGES if p in pins),
        "python": sys.version.split()[0],
        "built": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def write_index(project: Project, audit_counts: list[tuple[str, str, int]] | None, audit_error: str = "") -> Path:
    """reports/index.html: every report in both languages, the audit summary (or, with
    ``audit_error``, why the audit could not run), the build identity."""
    rows = []
    for nb in project.notebooks():
        cells = []
        for lang in LANGS:
            job = Job(nb, lang)
            if job.outputs(project)["html"].is_file():
                code = "代码" if lang == "zh" else "code"
                cells.append(f'<a href="{lang}/{html.escape(job.name)}.html">{lang}</a> '
                             f'(<a href="{lang}/{html.escape(job.name)}.code.html">{code}</a>)')
            else:
                cells.append("—")
        rows.append(f"<tr><td>{html.escape(nb.stem)}</td><td>{cells[0]}</td><td>{cells[1]}</td></tr>")
    audit = ""
    if audit_counts:
        audit = "".join(f"<tr><td>{html.escape(t)}</td><td>{html.escape(v)}</td><td>{n}</td></tr>"
                        for t, v, n in audit_counts)
        audit = ("<h2>论文数字核查 · Claims audit</h2><table><tr><th>table</th><th>verdict</th><th>claims</th></tr>"
                 f"{audit}</table><p><a href=\"claims_audit.csv\">claims_audit.csv</a></p>")
    elif audit_error:
        audit = ("<h2>论文数字核查 · Claims audit</h2><p>核查未能运行，故无汇总 · "
                 "The claims audit could not run, so its summary is missing:</p>"
                 f"<pre>{html.escape(audit_error)}</pre>")
    ident = build_identity(project)
    ident_rows = "".join(f"<tr><th>{k}</th><td>{html.escape(v)}</td></tr>" for k, v in ident.items())
    page = f"""<!DOCTYPE html>
<html lang="zh"><head><meta charset="utf-8"><title>广东技术市场 · Guangdong technology market — reports</title>
<!--font-->
<style>body{{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;max-width:60em;\
margin:2em auto;padding:0 1em}}
table{{border-collapse:collapse}}td,th{{border-bottom:1px solid #ddd;padding:.3em .8em;text-align:left}}</style></head>
<body><h1>广东技术市场 2016—2020 · Guangdong technology market 2016-2020</h1>
<h2>报告 · Reports</h2>
<table><tr><th>notebook</th><th>中文</th><th>English</th></tr>
{"".join(rows)}
</table>
{audit}
<h2>构建信息 · Build</h2>
<table>{ident_rows}</table>
</body></html>
"""
    page = embed_font([page.replace("<!--font-->", "")], base_font(project))[0]
    index = project.reports_dir / "index.html"
    atomic_write(index, page)
    return index


def _audit_counts(project: Project) -> tuple[list[tuple[str, str, int]] | None, str]:
    """The claims-audit summary for the index, from the project's data (and ``claims_audit.csv``
    written beside it): ``(counts, "")``, or ``(None, why the audit could not run)``.

    It runs in a pool worker, so it returns its error as text instead of raising it: the
    package's ``DataValidationError`` does not survive pickling (unpickling it in the parent
    fails, and the pool is then broken) and its message is what the user needs."""
    root = project.root
    try:
        from techmarket.audit import run_audit, summary
        from techmarket.loaders import load_claims, load_external, load_facts

        facts = load_facts(root / FACTS_CSV.relative_to(PROJ_ROOT))
        external = load_external(root / EXTERNAL_CSV.relative_to(PROJ_ROOT))
        claims = load_claims(root / CLAIMS_CSV.relative_to(PROJ_ROOT), facts=facts)
        audit = run_audit(claims, facts, external).claims
        atomic_write(project.reports_dir / "claims_audit.csv", audit.to_csv(index=False))
        return [(r.table, r.value, int(r.claims)) for r in summary(audit).itertuples()], ""
    except OSError as err:
        if err.filename and Path(err.filename).is_relative_to(project.reports_dir):
            return None, _cannot_write(err, project)
        return None, f"{type(err).__name__}: {err}".replace(f"{root}{os.sep}", "")
    except Exception as err:  # a data error (file, line, column) or a bug: the message, not a traceback
        text = str(err) if type(err).__name__ == "DataValidationError" else f"{type(err).__name__}: {err}"
        return None, text.replace(f"{root}{os.sep}", "")
