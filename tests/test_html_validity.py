"""Every page is valid HTML (a whole-site check: ``make test-site``).

The Nu Html Checker (vnu, the W3C's checker, pinned as npm's ``vnu-jar`` in package.json and
installed by ``make test-site`` with ``npm ci``; it runs on Java: Debian's ``default-jre-headless``,
which .ci/run installs) checks every page of the build, the inline CSS included, and reports no
error. Its warnings (a ``type`` attribute on a style element, a trailing slash on a void element:
nbconvert's template) are not errors and are left to nbconvert.

The checker starts once, for the whole site and for pages with seeded defects, which must show
the checker finds what these pages were fixed for: nbconvert's invalid theme CSS and skipped
heading levels.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from techmarket.data.paths import PROJ_ROOT

from site_pages import every_page, need

pytestmark = [pytest.mark.site, pytest.mark.xdist_group("vnu-site")]  # one Java start

VNU = PROJ_ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
THEME_CSS = ".jp-scrollbar-tiny::-webkit-scrollbar-track:horizontal {\n  border-left: 0 solid transparent;\n}\n" \
            ".x {\n  box-shadow: '0px 4px 4px rgba(0, 0, 0, 0.25)';\n  overflow: overlay;\n}\n"
SEEDS = {  # name of the seeded page -> (built page, edit, what the checker must say)
    "theme_css.html": ("en/01_scale.html", lambda t: t.replace("</style>", THEME_CSS + "</style>", 1),
                       ["“:horizontal”", "“box-shadow”", "“overflow”: “overlay”"]),
    "skipped_heading.html": ("erratum.html", lambda t: t.replace("<h2>", "<h3>").replace("</h2>", "</h3>"),
                             ["follows the heading “h1”"]),
}


@pytest.fixture(scope="module")
def checked(built_reports, tmp_path_factory) -> tuple[Path, dict[str, list[str]]]:
    """The checker's errors (``line: message``) by page, for every page of the build and the seeded
    pages, from one run of the checker."""
    java = shutil.which("java")
    need(java, "Java (apt-get install default-jre-headless)")
    need(VNU, f"the Nu Html Checker ({VNU.relative_to(PROJ_ROOT)}: run make test-site, which runs npm ci)")
    reports = built_reports.reports_dir
    seeds = tmp_path_factory.mktemp("seeded")
    for name, (page, edit, _) in SEEDS.items():
        (seeds / name).write_text(edit((reports / page).read_text(encoding="utf-8")), encoding="utf-8")
    pages = [*every_page(reports), *(seeds / name for name in SEEDS)]
    run = subprocess.run([java, "-jar", str(VNU), "--errors-only", "--format", "json", "--stdout", *map(str, pages)],
                         capture_output=True, text=True, timeout=600, env={**os.environ, "LC_ALL": "C.UTF-8"})
    messages = json.loads(run.stdout)["messages"]
    errors: dict[str, list[str]] = {}
    for m in messages:
        if m["type"] == "error" or m.get("subType") == "fatal":
            name = Path(m.get("url", "").removeprefix("file:")).resolve()
            errors.setdefault(str(name), []).append(f"{m.get('lastLine', '?')}: {m['message']}")
    assert run.returncode in (0, 1), run.stderr[-2000:]
    return seeds, errors


def test_every_page_is_valid_html(built_reports, checked):
    seeds, errors = checked
    pages = every_page(built_reports.reports_dir)
    assert len(pages) >= 46  # the annotated paper only when the paper's text is beside the project
    found = {name: found[:5] for name, found in errors.items() if not name.startswith(str(seeds.resolve()))}
    assert not found, found


def test_the_checker_finds_defects_seeded_into_built_pages(checked):
    seeds, errors = checked
    for name, (_, _, expected) in SEEDS.items():
        said = " ".join(errors.get(str((seeds / name).resolve()), []))
        assert all(e in said for e in expected), (name, expected, said[:1000])
