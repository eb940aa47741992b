"""What the whole-site checks share (tests/test_accessibility.py, tests/test_html_validity.py): the
list of every page of a build, and how a missing tool is reported."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from techmarket.pages.paper_pages import PAGES as VIEWS
from techmarket.pages.paper_pages import file_name


def every_page(reports: Path) -> list[Path]:
    """Every page the build writes: 48 with the annotated paper."""
    pages = [reports / "index.html", reports / "data_dictionary.html",
             *sorted(p for lang in ("en", "zh") for p in (reports / lang).rglob("*.html")),
             *(reports / file_name(stem, lang) for stem in VIEWS for lang in ("en", "zh"))]
    return [p for p in pages if p.is_file()]


def need(path: Path | str | None, what: str) -> None:
    """Skip (outside CI) or fail (in CI) when a tool the checks need is missing."""
    if path and Path(path).exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing")
    pytest.skip(f"{what} is missing")
