"""Language, display objects, checks and figure helpers used by the notebooks."""
import base64

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from techmarket.audit import external_checks  # noqa: E402
from techmarket.data import i18n  # noqa: E402
from techmarket.data.loaders import load_external, load_facts  # noqa: E402
from techmarket.data.metrics import Interval  # noqa: E402
from techmarket.notebook import checks, figures, report  # noqa: E402
from techmarket.notebook.context import setup, study_period  # noqa: E402


def test_check_lang():
    assert i18n.check_lang("en") == "en"
    with pytest.raises(ValueError, match=r"parameter lang must be one of \['zh', 'en'\], got 'fr'"):
        i18n.check_lang("fr")


def test_every_area_and_category_in_the_data_has_an_english_label():
    f, e = load_facts(), load_external()
    geos = set(f.geo) | set(e.geo) | set(f.relative_to[f.measure.isin(["share", "rank"])]) - {"contract_type"}
    assert not [g for g in geos if g and g not in i18n.GEO_EN]
    cats = set(f.category[f.dimension.isin(["contract_type", "tech_field", "performer",
                                             "evaluation_grade", "channel"])])
    assert not [c for c in cats if c not in i18n.CATEGORY_EN]


def test_labels_switch_language():
    assert i18n.geo("广东", "en") == "Guangdong" and i18n.geo("广东", "zh") == "广东"
    assert i18n.indicator("turnover", "en") == "Technology-contract turnover"
    assert i18n.qualifier("rounded_or_preliminary", "zh") == "取整数或初步数"


def test_say_and_table_have_readable_text_forms():
    out = report.say("en", zh="# 中文", en="# English")
    assert out._repr_mimebundle_() == {"text/markdown": "# English", "text/plain": "# English"}
    t = report.table(pd.DataFrame({"a": ["1"]}), "Caption")
    bundle = t._repr_mimebundle_()
    assert bundle["text/plain"].startswith("Caption\n") and "<caption>Caption</caption>" in bundle["text/html"]


def test_fmt():
    assert report.fmt(3465.92, 2, "en") == "3,465.92"
    assert report.fmt(3465.92, 2, "zh") == "3465.92"
    assert report.fmt(None) == "—" and report.fmt(float("nan")) == "—"


def test_figure_output_is_png_with_caption_and_deterministic():
    def draw():
        fig, ax = plt.subplots()
        ax.plot([1, 2], [3, 4])
        return report.figure(fig, "a caption")

    (a, meta), (b, _) = draw()._repr_mimebundle_(), draw()._repr_mimebundle_()
    assert a == b and a["text/plain"] == "[figure] a caption"
    png = base64.b64decode(a["image/png"])
    assert png.startswith(b"\x89PNG")
    # drawn at twice the density it is shown at: the PNG's own width (bytes 16-20 of its header)
    # is twice the display width the metadata states
    width = int.from_bytes(png[16:20], "big")
    assert meta["image/png"]["width"] * 2 in (width, width + 1) and meta["image/png"]["height"] > 0


def test_external_agreement():
    assert external_checks.external_agreement("110760.94", "亿元", "110760.94", "亿元") == external_checks.SAME
    assert external_checks.external_agreement("110760.94", "亿元", "11.076", "万亿元") == external_checks.WITHIN
    assert external_checks.external_agreement("3200", "亿元", "3479.9", "亿元") == external_checks.EXT_DIFFERS
    # the same number, printed differently
    assert external_checks.external_agreement("2.90", "%", "2.9", "% of GDP") == external_checks.SAME


def test_setup_validates_parameters():
    with pytest.raises(ValueError, match="lang"):
        setup(lang="de")
    with pytest.raises(ValueError, match="Table 1 provinces"):
        setup(lang="zh", province="香港")
    ctx = setup(lang="en", province="江苏")
    assert ctx.geo("江苏") == "Jiangsu" and ctx.printed("S2.2-13") == "38.80"
    assert ctx.interval("S2.1-02") == Interval.point(39845)  # a count is exact
    assert "(§2.1)" in ctx.quote("S2.1-03")


def test_study_period_is_read_from_the_paper():
    assert study_period(load_facts()) == (2016, 2020)  # “是2016年4.39倍” about 2020


def test_bars_by_origin_leaves_gaps_visible():
    series = pd.DataFrame({"label": [1, 2], "value": [1.0, float("nan")], "lo": [0.9, float("nan")],
                           "hi": [1.1, float("nan")], "origin": ["derived", "gap"]})
    fig = figures.bars_by_origin(series, "t", "y", "en")
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "no data" in texts
    plt.close(fig)


def test_a_notebook_check_table_is_a_view_of_the_audit():
    """The table shows, for each claim id, the printed value, what the named route of the audit
    recomputes and the audit's own verdict; it judges nothing itself."""
    ctx = setup(lang="en")
    table = checks.check_table(ctx, [("average", "average per contract", "S2.1-10"),
                                     ("GDP via R&D", "2020 GDP through R&D / GDP", "S2.2-02", 2),
                                     ("restated", "Beijing restated", "S4.2-05"),
                                     ("misprint", "2020 R&D / GDP", "S2.2-12")])
    assert list(table.columns) == ["Item", "Fact", "Paper", "Recomputed", "Verdict"]
    rows = table.set_index("Fact")
    # 3465.915万…3465.925万 yuan×10⁴ / 39 845 contracts = 869.8494…869.8519 万元, shown at one more decimal
    assert rows.loc["S2.1-10", "Recomputed"] == "[869.849, 869.852]"
    assert rows.loc["S2.1-10", "Verdict"] == "✓ consistent"
    # 3200 / 2.90 % = 110 344.8 ≠ 110 760.94, but the audit blames the 2.90 %, not the GDP
    assert rows.loc["S2.2-02", "Verdict"] == "✓ consistent (this route reads the diagnosed misprint S2.2-12)"
    assert rows.loc["S4.2-05", "Verdict"] == "✓ consistent (restated)"
    assert rows.loc["S2.2-12", "Verdict"] == "✗ inconsistent"
    with pytest.raises(KeyError, match="no route 3 for claim S2.1-10"):
        checks.check_table(ctx, [("x", "x", "S2.1-10", 3)])


def test_a_notebook_release_table_is_a_view_of_the_audit():
    """The paper against official releases, by claim id: what the audit compared, in its words."""
    ctx = setup(lang="en")
    table = checks.release_view(ctx, ["S2.2-10"])
    assert list(table.columns) == ["Fact", "Paper", "Release", "Qualifier", "Publisher", "Verdict"]
    rows = list(zip(table.Release, table.Qualifier, table.Verdict, strict=True))
    # the 2021 work report's preliminary 3200 is the paper's figure; the national bulletin's 3479.9 is not
    assert ("3200 (100 million yuan)", "rounded or preliminary", "same") in rows
    assert ("3479.9 (100 million yuan)", "exact", "differs") in rows
    assert set(table.Fact) == {"S2.2-10"} and set(table.Paper) == {"3200 (100 million yuan)"}
