"""From an executed notebook to what a reader gets: metadata that changes from run to run removed
(reruns are byte-identical), and self-contained HTML (without and with code) from the offline
template, with a subset of the CJK font embedded."""
from __future__ import annotations

import re
from pathlib import Path

from techmarket.data.files import atomic_write, code_hash, content_hash, tree_hash
from techmarket.data.paths import files_under
from techmarket.pages.fonts import embed_font
from techmarket.pages.shell import Page, align_numbers, footer_html, header_html, link_ids, style_sheet, with_csp
from techmarket.pages.untrusted import clean_html
from techmarket.site.plan import Project

TEMPLATES = Path(__file__).resolve().parent / "templates"
ANCHOR_MARK = "¶"  # nbconvert's heading anchors (drawn by its Python code, not in any template)
_EXPORTERS: dict[tuple[bool, str], object] = {}  # one per worker, variant and language: templates load once


def strip_volatile_metadata(nb) -> None:
    """Remove what changes from run to run (timings, paths, the random id papermill gives the
    injected-parameters cell), so that reruns are byte-identical."""
    for key in ("start_time", "end_time", "duration", "input_path", "output_path", "environment_variables"):
        nb.metadata.get("papermill", {}).pop(key, None)
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"  # papermill gives it a random id on every run
        cell.metadata.pop("execution", None)
        pm = cell.metadata.get("papermill")
        if pm is not None:
            for key in ("start_time", "end_time", "duration", "exception", "status"):
                pm.pop(key, None)


# nbconvert's theme CSS (JupyterLab's, inlined in the head of every report) holds four declarations that no
# CSS specification defines, which the Nu Html Checker reports as errors: they are removed or replaced by
# what browsers already do with them, so the page looks the same.
INVALID_THEME_CSS = (
    # rules for the tracks of JupyterLab's tiny scroll bars (a WebKit-only pseudo-class), which no report has
    (re.compile(r"\n[^{}\n]*::-webkit-scrollbar-track:(?:horizontal|vertical) *\{[^}]*\}\n"), "\n"),
    (re.compile(r"\n *box-shadow: '[^'\n]*';"), ""),  # a quoted value, which browsers ignore
    (re.compile(r"\boverflow: overlay;"), "overflow: auto;"),  # the value Chromium reads overlay as
)


def valid_theme_css(page_html: str) -> str:
    """``page_html`` with the invalid declarations of nbconvert's theme CSS (:data:`INVALID_THEME_CSS`)
    removed or replaced, in the page's head only."""
    head, sep, body = page_html.partition("<body")
    for pattern, replacement in INVALID_THEME_CSS:
        head = pattern.sub(replacement, head)
    return head + sep + body


def render_html(nb, with_code: bool, page: Page | None = None) -> str:
    """An executed notebook as HTML from the offline template (figures as data URIs). With ``page``:
    its title and language, the header and footer of :mod:`techmarket.pages.shell`, and every id
    linked to the data pages."""
    from nbconvert import HTMLExporter

    lang = page.lang if page is not None else "en"
    exporter = _EXPORTERS.get((with_code, lang))
    if exporter is None:
        exporter = HTMLExporter(template_name="offline", extra_template_basedirs=[str(TEMPLATES)])
        exporter.exclude_input = not with_code
        exporter.exclude_input_prompt = True
        exporter.exclude_output_prompt = True
        exporter.language_code = lang
        exporter.register_filter("tm_clean_html", clean_html)
        _EXPORTERS[(with_code, lang)] = exporter
    if page is None:
        return valid_theme_css(exporter.from_notebook_node(nb, resources={"tm_css": style_sheet()})[0])
    nb.metadata["title"] = page.title  # the executed notebook is already written: this is for the page only
    body, _ = exporter.from_notebook_node(nb, resources={"tm_header": header_html(page, with_code),
                                                          "tm_footer": footer_html(page),
                                                          "tm_css": style_sheet()})
    return link_ids(align_numbers(valid_theme_css(body)))


def base_font(project: Project) -> Path:
    """A subset of the CJK font with every character the project's sources use (notebooks, data,
    lib): reports subset it again, much faster than the full 16 MB font. Cached by content."""
    from jupyter_core.paths import jupyter_path

    from techmarket.pages.fonts import subset_font

    templates = [p for d in jupyter_path("nbconvert", "templates") for name in ("base", "lab")
                 for p in sorted(Path(d, name).rglob("*")) if p.is_file()]
    lib = [p for suffix in ("py", "css", "js") for p in sorted((project.root / "lib").rglob(f"*.{suffix}"))]
    data = [p for p in files_under(project.root / "data") if p.suffix == ".csv"]
    sources = [*project.notebooks(), *data, *lib, *TEMPLATES.rglob("*.j2"), *templates]
    chars = {ch for p in sources for ch in set(p.read_text(encoding="utf-8", errors="ignore")) if ord(ch) > 127}
    text = ANCHOR_MARK + "".join(sorted(chars))
    path = project.cache_dir / f"cjk-base-{content_hash(text.encode())[:16]}.otf"
    if not path.is_file():
        atomic_write(path, subset_font(text))
    return path


def page_identity(project: Project, env_hash: str | None = None) -> str:
    """What made a page, the same on every machine: the SHA-256 of the data and of the code
    (``env_hash``: :func:`techmarket.data.files.code_hash`, when the caller has it already)."""

    data = files_under(project.root / "data")
    code = env_hash or code_hash(project.root)
    return f"data SHA-256 {tree_hash(project.root, data)[:16]}, code SHA-256 {code[:16]}"


def export_html(nb, outputs: dict[str, Path], base: Path | None = None, page: Page | None = None) -> None:
    """Write the report without code and with code, each self-contained and offline."""
    plain, code = embed_font([render_html(nb, False, page), render_html(nb, True, page)], base)
    atomic_write(outputs["html"], with_csp(plain))
    atomic_write(outputs["code"], with_csp(code))
