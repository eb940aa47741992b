"""Chinese renders: the project's own font has every glyph the data and figures use, and a
figure drawn with Chinese text emits no missing-glyph warning."""
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from techmarket.data.loaders import load_external, load_facts  # noqa: E402
from techmarket.pages.fonts import CJK_FONT_FAMILY, missing_glyphs, register_cjk_font  # noqa: E402


def test_font_comes_from_the_locked_environment():
    assert register_cjk_font() == CJK_FONT_FAMILY


def test_font_covers_every_label_in_the_data():
    f, e = load_facts(), load_external()
    text = "".join(set("".join(f["geo"]) + "".join(f["category"]) + "".join(e["geo"])))
    assert missing_glyphs(text) == []


def test_missing_glyphs_detects_a_missing_character():
    assert missing_glyphs("\U0010fffd广东") == ["\U0010fffd"]


def test_drawing_chinese_emits_no_missing_glyph_warning(tmp_path):
    family = register_cjk_font()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with plt.rc_context({"font.family": [family]}):
            fig, ax = plt.subplots()
            ax.set_title("广东技术合同成交额（亿元）")
            ax.set_xlabel("年份")
            fig.savefig(tmp_path / "zh.png")
            plt.close(fig)


def test_default_font_would_warn(tmp_path):
    """The check above can fail: DejaVu Sans lacks CJK glyphs and matplotlib warns."""
    import pytest

    with pytest.warns(UserWarning, match="missing from font"):
        with plt.rc_context({"font.family": ["DejaVu Sans"]}):
            fig, ax = plt.subplots()
            ax.set_title("广东")
            fig.savefig(tmp_path / "tofu.png")
            plt.close(fig)


def test_embedded_font_subset_covers_the_page_and_is_deterministic(tmp_path):
    import base64
    import io
    import re

    from fontTools.ttLib import TTFont

    from techmarket.pages.fonts import WEB_FONT_FAMILY, covers, font_face_css, subset_font

    text = "广东技术市场 Guangdong 3 465.92亿元"
    css = font_face_css(text)
    assert css == font_face_css(text) and WEB_FONT_FAMILY in css
    data = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", css).group(1))
    cmap = TTFont(io.BytesIO(data)).getBestCmap()
    assert all(ord(ch) in cmap for ch in text if not ch.isspace())
    assert len(data) < 200_000  # a subset, not the 16 MB font
    base = tmp_path / "base.otf"
    base.write_bytes(subset_font("广东技术市场"))
    assert covers(base, "广东") and not covers(base, "北京")
    # a base that lacks a character is not used: the page still gets every glyph
    css2 = font_face_css("北京", base)
    cmap2 = TTFont(io.BytesIO(base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", css2).group(1)))).getBestCmap()
    assert ord("北") in cmap2 and ord("京") in cmap2


def test_the_family_resolves_to_the_bundled_file_even_beside_a_system_copy(tmp_path):
    """A machine with Debian's fonts-noto-cjk lists a second "Noto Sans CJK SC"; matplotlib would
    pick either file by name. A copy of the font in another folder stands in for the system one."""
    import shutil

    from matplotlib import font_manager

    from techmarket.pages.fonts import cjk_font_path

    system_copy = shutil.copy(cjk_font_path(), tmp_path / "NotoSansCJK-Regular.otf")
    manager = font_manager.fontManager
    saved = list(manager.ttflist)
    try:
        manager.ttflist = [f for f in manager.ttflist if f.name != CJK_FONT_FAMILY]
        manager.addfont(str(system_copy))  # listed first, as a system font is
        manager.addfont(str(cjk_font_path()))
        assert font_manager.findfont(CJK_FONT_FAMILY) == str(system_copy)  # the trap
        register_cjk_font()
        assert font_manager.findfont(CJK_FONT_FAMILY) == str(cjk_font_path())
        assert [f.fname for f in manager.ttflist if f.name == CJK_FONT_FAMILY] == [str(cjk_font_path())]
    finally:
        manager.ttflist = saved
        manager.addfont(str(cjk_font_path()))
