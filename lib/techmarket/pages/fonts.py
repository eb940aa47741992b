"""The CJK font used for Chinese text in figures.

The font file ships inside the ``mplfonts`` wheel (pinned in requirements.lock), so the
project's own set-up installs it: no system font package is needed. Only the font file is
used; mplfonts' own configuration functions are not called.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

CJK_FONT_FILE = "NotoSansCJKsc-Regular.otf"
CJK_FONT_FAMILY = "Noto Sans CJK SC"


def cjk_font_path() -> Path:
    """Return the path of the Noto Sans CJK SC font file shipped by ``mplfonts``."""
    path = Path(str(resources.files("mplfonts") / "fonts" / CJK_FONT_FILE))
    if not path.is_file():
        from techmarket.data.errors import InputError

        raise InputError(
            f"CJK font {CJK_FONT_FILE} not found at {path}; "
            "reinstall the environment with `make clean-venv venv`."
        )
    return path


def register_cjk_font() -> str:
    """Register the bundled CJK font with matplotlib and return its family name.

    The family name then resolves to the bundled file, whatever the system has installed: a
    system copy of the same family (Debian's ``fonts-noto-cjk``, say) is dropped from
    matplotlib's font list in this process, so that figures are drawn with the same glyphs,
    hence the same pixels, on every machine.
    """
    from matplotlib import font_manager

    path = cjk_font_path()
    family = font_manager.FontProperties(fname=str(path)).get_name()
    if family != CJK_FONT_FAMILY:
        raise RuntimeError(f"{path} declares family {family!r}, expected {CJK_FONT_FAMILY!r}")
    manager = font_manager.fontManager
    others = [f for f in manager.ttflist if f.name == family and Path(f.fname) != path]
    if others or not any(Path(f.fname) == path for f in manager.ttflist):
        manager.ttflist = [f for f in manager.ttflist if f.name != family]
        manager.addfont(str(path))  # also forgets earlier look-ups, which may have found a system copy
    return family


def missing_glyphs(text: str) -> list[str]:
    """Characters of ``text`` that the CJK font has no glyph for (whitespace ignored)."""
    from matplotlib.ft2font import FT2Font

    font = FT2Font(str(cjk_font_path()))
    charmap = font.get_charmap()
    return sorted({ch for ch in set(text) if not ch.isspace() and ord(ch) not in charmap})


WEB_FONT_FAMILY = "TM Noto Sans CJK SC"


def _subset_options():
    from fontTools import subset

    opts = subset.Options()
    # fontTools' default OpenType features are those a browser applies to text by default (locl,
    # ccmp, kern, liga, vert, ...); keeping every feature ("*") made each report's subset half as
    # large again and 60 % slower, for alternates no page asks for
    opts.notdef_outline = True
    opts.recalc_timestamp = False
    return opts


@lru_cache(maxsize=1)
def font_codepoints() -> frozenset[int]:
    """Code points the CJK font has a glyph for."""
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(str(cjk_font_path()), lazy=True).getBestCmap())


def _chars(text: str) -> str:
    """Printable ASCII and every other character of ``text`` the CJK font can draw (others,
    such as emoji, fall back to the reader's fonts in any case)."""
    cmap = font_codepoints()
    wanted = {ch for ch in set(text) if not ch.isspace() and ord(ch) in cmap} | {chr(c) for c in range(32, 127)}
    return "".join(sorted(wanted))


def subset_font(text: str, source: Path | None = None) -> bytes:
    """The CJK font (or ``source``, an earlier subset of it) reduced to the characters of ``text``
    plus printable ASCII. Timestamps are kept, so the same input gives the same bytes."""
    import io

    from fontTools import subset

    opts = _subset_options()
    font = subset.load_font(str(source or cjk_font_path()), opts)
    sub = subset.Subsetter(opts)
    sub.populate(text=_chars(text))
    sub.subset(font)
    buf = io.BytesIO()
    subset.save_font(font, buf, opts)
    return buf.getvalue()


def covers(font_file: Path, text: str) -> bool:
    """Does ``font_file`` have a glyph for every character of ``text``?"""
    stat = Path(font_file).stat()
    cmap = _code_points(str(font_file), stat.st_mtime_ns, stat.st_size)
    return all(ord(ch) in cmap for ch in _chars(text))


@lru_cache(maxsize=4)
def _code_points(path: str, mtime_ns: int, size: int) -> frozenset[int]:
    """The characters a font file has glyphs for (read once per file version and process: a
    build's workers, forked after the parent read the base subset, share it)."""
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(path, lazy=True).getBestCmap())


def font_face_css(text: str, base: Path | None = None, whole: bool = False) -> str:
    """A CSS @font-face with the CJK font subset to the characters of ``text`` (plus printable
    ASCII), embedded as a data URI, so a report renders Chinese offline on any machine.

    ``base`` is an optional earlier subset (a build makes one for every character its sources
    use, which is much faster to subset again); it is used only when it covers ``text``. With
    ``whole``, ``base`` itself is embedded (for pages that use most of its characters anyway,
    such as the data pages: subsetting would take time and save little).
    """
    import base64

    source = base if base is not None and covers(base, text) else None
    if whole and source is not None:
        return _css(base64.b64encode(source.read_bytes()).decode("ascii"))
    return _css(base64.b64encode(subset_font(text, source)).decode("ascii"))


def _css(data: str) -> str:
    """The @font-face rule for the embedded font (base64 ``data``) and the rules that use it."""
    # code keeps a monospace face for Latin text; Chinese in it falls back to the embedded font
    mono = f'"DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, "{WEB_FONT_FAMILY}", monospace'
    return (f'@font-face{{font-family:"{WEB_FONT_FAMILY}";src:url(data:font/otf;base64,{data}) format("opentype");}}\n'
            'body, .jp-RenderedHTMLCommon, .jp-RenderedText pre, table, caption '
            f'{{font-family:"{WEB_FONT_FAMILY}", sans-serif;}}\n'
            f':root{{--jp-code-font-family:{mono};--jp-code-font-family-default:{mono};}}\n'
            'code, pre, kbd, samp, .highlight pre, .jp-InputArea-editor, .jp-RenderedText pre, '
            f'.jp-RenderedHTMLCommon code, .jp-RenderedHTMLCommon pre {{font-family:{mono};}}')


def embed_font(pages: list[str], base: Path | None = None, whole: bool = False) -> list[str]:
    """Put one subset of the CJK font, covering every page's characters, into each page's head
    (with ``whole``, the ``base`` subset itself: see :func:`fonts.font_face_css`)."""
    css = f"<style type=\"text/css\">\n{font_face_css(''.join(pages), base, whole)}\n</style>\n"
    return [p.replace("</head>", css + "</head>", 1) for p in pages]
