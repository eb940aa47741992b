"""The CJK font used for Chinese text in figures.

The font file ships inside the ``mplfonts`` wheel (pinned in requirements.lock), so the
project's own set-up installs it: no system font package is needed. Only the font file is
used; mplfonts' own configuration functions are not called.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

CJK_FONT_FILE = "NotoSansCJKsc-Regular.otf"
CJK_FONT_FAMILY = "Noto Sans CJK SC"


def cjk_font_path() -> Path:
    """Return the path of the Noto Sans CJK SC font file shipped by ``mplfonts``."""
    path = Path(str(resources.files("mplfonts") / "fonts" / CJK_FONT_FILE))
    if not path.is_file():
        raise FileNotFoundError(
            f"CJK font {CJK_FONT_FILE} not found at {path}; "
            "reinstall the environment with `make clean-venv venv`."
        )
    return path


def register_cjk_font() -> str:
    """Register the CJK font with matplotlib and return its family name."""
    from matplotlib import font_manager

    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    family = font_manager.FontProperties(fname=str(path)).get_name()
    if family != CJK_FONT_FAMILY:
        raise RuntimeError(f"{path} declares family {family!r}, expected {CJK_FONT_FAMILY!r}")
    return family


def missing_glyphs(text: str) -> list[str]:
    """Characters of ``text`` that the CJK font has no glyph for (whitespace ignored)."""
    from matplotlib.ft2font import FT2Font

    font = FT2Font(str(cjk_font_path()))
    charmap = font.get_charmap()
    return sorted({ch for ch in text if not ch.isspace() and ord(ch) not in charmap})
