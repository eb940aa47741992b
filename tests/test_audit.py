"""The claims audit: hand-built claims at the rounding edge, both readings of 增长了X倍,
circular routes refused, external contradictions reported, the registry complete, and the
verify command's snapshot comparison."""
from __future__ import annotations

import pandas as pd
import pytest

from techmarket.audit import run as audit
from techmarket.audit.claim_routes import routes as claim_routes
from techmarket.audit.derive import derived_values
from techmarket.audit.formula import FormulaError
from techmarket.audit.judge import RouteResult, judge
from techmarket.audit.run import CircularRouteError, evaluate_route
from techmarket.audit.sources import Sources
from techmarket.data.errors import DataValidationError
from techmarket.data.loaders import load_claims, load_external, load_facts
from techmarket.data.metrics import Interval

from conftest import set_cell


@pytest.fixture(scope="module")
def sources():
    f, e = load_facts(), load_external()
    return Sources(f, e, derived_values(f, e))


@pytest.fixture(scope="module")
def result():
    return audit.run_audit()


def claim(kind="level", reported="44.73", unit="%"):
    return pd.Series({"claim_id": "X-01", "fact_id": "", "kind": kind, "reported": reported, "unit": unit})


def route(lo, hi, point=None):
    lo, hi = str(lo), str(hi)
    return RouteResult("hand", Interval(lo, hi), float(point if point is not None else lo), "hand", frozenset())


# --- verdicts on hand-built claims -----------------------------------------------------------
def test_value_at_the_edge_of_its_rounding_interval_is_consistent():
    # 44.73 stands for [44.725, 44.735): a recomputation of exactly 44.725 fits
    v = judge(claim(reported="44.73"), "exact", [route("44.725", "44.725")])
    assert v.verdict == "consistent" and not v.rounding_only


def test_value_just_past_the_upper_edge_is_inconsistent():
    v = judge(claim(reported="44.73"), "exact", [route("44.735", "44.735")])
    assert v.verdict == "inconsistent" and "would need 44.74" in v.detail.en
    assert "论文应印 44.74" in v.detail.zh


def test_a_digit_off_is_inconsistent_with_the_miss_reported():
    v = judge(claim(reported="44.74"), "exact", [route("44.72", "44.73")])
    assert v.verdict == "inconsistent"
    assert "missed by 0.005" in v.detail.en and "相差 0.005" in v.detail.zh


def test_consistent_only_thanks_to_rounding_is_flagged():
    # the point estimate 2.8896 prints as 2.89, yet its interval reaches 2.895
    v = judge(claim(reported="2.90"), "exact", [route("2.8890", "2.8951", "2.8896")])
    assert v.verdict == "consistent" and v.rounding_only


def test_both_readings_of_zengzhang_le_x_bei():
    c = claim(kind="growth_multiple", reported="7.79", unit="倍")
    ratio_reading = judge(c, "exact", [route("7.791", "7.792")])  # 2020/2016 = 7.79
    assert ratio_reading.verdict == "ambiguous_wording" and "is X times the base" in ratio_reading.detail.en
    assert "是基数的X倍" in ratio_reading.detail.zh
    plus_one = judge(c, "exact", [route("8.789", "8.791")])  # 2020/2016 = 8.79: grew by 7.79 times
    assert plus_one.verdict == "ambiguous_wording" and "X+1" in plus_one.detail.en and "X+1倍" in plus_one.detail.zh
    neither = judge(c, "exact", [route("5.0", "5.1")])
    assert neither.verdict == "inconsistent"


def test_comparisons_and_ranks():
    assert judge(claim("threshold", "> 100"), "exact", [route("108.29", "108.33")]).verdict == "consistent"
    assert judge(claim("threshold", "> 100"), "exact", [route("99.5", "99.7")]).verdict == "inconsistent"
    assert judge(claim("threshold", "> 100"), "exact", [route("99.9", "100.1")]).verdict == "undecidable"
    assert judge(claim("rank", "2", "位"), "exact", [route(2, 2)]).verdict == "consistent"
    assert judge(claim("rank", "2", "位"), "exact", [route(1, 3)]).verdict == "undecidable"
    assert judge(claim("rank", "2", "位"), "exact", [route(3, 3)]).verdict == "inconsistent"


def test_no_route_means_primary():
    assert judge(claim(), "exact", []).verdict == "primary"


def test_bounds_are_judged_on_their_side():
    c = claim(reported="2000", unit="亿元")
    assert judge(c, "lower_bound", [route("2256.52", "2256.54")]).verdict == "consistent"
    assert judge(c, "lower_bound", [route("1999", "1999.5")]).verdict == "inconsistent"


# --- routes ---------------------------------------------------------------------------------
def test_route_arithmetic_by_hand(sources):
    r = evaluate_route("{S2.1-03 in 万元} / {S2.1-02}", sources, own_fact="S2.1-10")
    # 3465.92亿元 = 34 659 200万元 ± 50; 39 845 contracts exactly
    assert r.interval.lo == Interval.printed("3465.92").lo * 10000 / 39845
    assert round(r.point, 2) == 869.85 and r.lineage == {"S2.1-03", "S2.1-02"}
    assert "S2.1-03 3465.92 亿元 → 万元" in r.arithmetic


def test_a_route_through_the_claims_own_figure_is_refused(sources):
    with pytest.raises(CircularRouteError):
        evaluate_route("{S2.1-03} / {S2.1-04}", sources, own_fact="S2.1-04")


def test_a_route_through_a_value_derived_from_the_claim_is_refused(sources):
    # the 2017 turnover/R&D is derived from Figure 2's 2017 turnover/GDP (F2-02)
    with pytest.raises(CircularRouteError):
        evaluate_route("{D:turnover_to_rd|广东|2017}", sources, own_fact="F2-02")


def test_every_registered_route_evaluates_and_is_not_circular(result):
    assert (result.claims.routes > 0).sum() >= 90
    assert len(result.routes) == result.claims.routes.sum()


def test_every_route_belongs_to_a_claim(sources):
    ids = set(load_claims()["claim_id"])
    assert set(claim_routes(sources)) <= ids


def test_table1_cells_are_referenced_by_province_and_column(sources):
    """Table 1's routes name cells, not fact ids: 江苏's share is its turnover over the nation's."""
    routes = claim_routes(sources)
    jiangsu_share = sources.facts[(sources.facts.locator == "Table 1") & (sources.facts.geo == "江苏")
                                  & (sources.facts.measure == "share")].fact_id.iloc[0]
    assert routes[jiangsu_share] == ["{T1:江苏|turnover} / {T1:全国|turnover} * 100"]
    r = evaluate_route(routes[jiangsu_share][0], sources, own_fact=jiangsu_share)
    # Table 1 prints 江苏 2 335.81 and 全国 28 251.51 (each ± 0.005): 8.268 %, printed 8.27
    assert r.interval.lo == Interval.printed("2335.81").lo / Interval.printed("28251.51").hi * 100
    with pytest.raises(FormulaError, match=r"Table 1 has no row 广西"):
        evaluate_route("{T1:广西|turnover}", sources, claim_id="X-01")


def test_a_route_error_names_the_claim_and_the_formula_as_written(sources):
    with pytest.raises(FormulaError) as info:
        evaluate_route("{S2.1-03} / {GDP2020}", sources, claim_id="S2.1-99")
    assert str(info.value).startswith("claim S2.1-99, route '{S2.1-03} / {GDP2020}': {GDP2020} is neither a fact id")
    with pytest.raises(FormulaError, match=r"claim C-99, route 'sqrt\({S2.1-03}\)': 'sqrt' is neither a function"):
        evaluate_route("sqrt({S2.1-03})", sources, claim_id="C-99")


# --- the registry ---------------------------------------------------------------------------
def test_registry_has_every_fact_and_the_comparisons():
    claims, facts = load_claims(), load_facts()
    assert set(facts.fact_id) <= set(claims.fact_id)
    assert len(claims) > 150 and claims.claim_id.str.startswith("C-").sum() >= 10


def test_registry_spans_are_verbatim(paper_text):
    missing = [c for c, s in zip(load_claims().claim_id, load_claims().span, strict=True) if s not in paper_text]
    assert not missing


def test_claim_must_repeat_its_facts_value(tmp_path):
    from techmarket.data.paths import CLAIMS_CSV

    from conftest import read_rows, write_rows

    rows = read_rows(CLAIMS_CSV)
    set_cell(rows, "S2.1-04", "reported", "4.38")
    set_cell(rows, "S2.1-05", "kind", "multiple")
    path = write_rows(tmp_path / "claims.csv", rows)
    with pytest.raises(DataValidationError) as info:
        load_claims(path)
    msg = str(info.value)
    assert "line 9 (S2.1-04), column 'reported': must equal the fact's value '4.39'" in msg
    assert "line 10 (S2.1-05), column 'kind'" in msg


# --- what the audit finds -------------------------------------------------------------------
def test_the_known_inconsistencies_are_found(result):
    by_id = result.claims.set_index("claim_id")
    # 3.36× in four years is 35.4% a year, not 36.36%
    assert by_id.loc["S2.1-08", "verdict"] == "inconsistent" and by_id.loc["S2.1-07", "verdict"] == "inconsistent"
    # 3200 / 110 760.94 = 2.889%: printed 2.90
    assert by_id.loc["S2.2-12", "verdict"] == "inconsistent"
    assert by_id.loc["S2.5-03", "verdict"] == "ambiguous_wording"


def test_one_misprint_is_blamed_once_and_its_cascade_is_explained(result):
    """2.90% is the one figure at fault in §2.2: the 2020 GDP and R&D agree with every route that
    does not read it (the turnover/GDP ratio and the turnover pin the GDP), so they stay consistent,
    with the failing route explained by the diagnosed figure; the size-2 alternative flags nothing."""
    by_id = result.claims.set_index("claim_id")
    assert by_id.loc["S2.2-12", "needed"] == "2.89" and "diagnosed misprint" in by_id.loc["S2.2-12", "detail"]
    for cid in ("S2.2-02", "S2.2-10"):
        assert by_id.loc[cid, "verdict"] == "consistent", cid
        assert "fail only through the diagnosed figure S2.2-12" in by_id.loc[cid, "detail"], cid
    claims = result.claims
    assert set(claims[claims.verdict == "inconsistent"].claim_id) == {"S2.1-07", "S2.1-08", "S2.2-12"}
    routes = result.routes.set_index(["claim_id", "route_no"])  # the failing routes, and what explains them
    assert routes.loc[("S2.2-02", 2), "holds"] == "fails" and routes.loc[("S2.2-02", 2), "explained_by"] == ("S2.2-12",)
    assert routes.loc[("S2.2-02", 1), "holds"] == "holds" and routes.loc[("S2.2-02", 1), "explained_by"] == ()
    d = result.diagnoses
    assert sorted(d.group.unique()) == [1, 2]  # two independent problems, each diagnosed on its own
    g = {tuple(sorted(rows.fact_id)): rows for _, rows in d[d.smallest].groupby(["group", "diagnosis"])}
    assert set(g) == {("S2.1-07",), ("S2.1-08",), ("S2.2-12",)}
    assert d[d.fact_id == "S2.1-07"].competing.all() and not d[d.fact_id == "S2.2-12"].competing.any()
    alternative = d[(d.group == d[d.fact_id == "S2.2-12"].group.iloc[0]) & ~d.smallest]
    assert sorted(alternative.fact_id) == ["S2.2-10", "S2.2-14"]


def test_competing_misprints_are_both_named_and_neither_singled_out(result):
    by_id = result.claims.set_index("claim_id")
    for cid, other in (("S2.1-07", "S2.1-08"), ("S2.1-08", "S2.1-07")):
        assert "one of competing diagnoses" in by_id.loc[cid, "detail"] and other in by_id.loc[cid, "detail"]
    assert by_id.loc["S2.1-07", "needed"] == "3.46"  # (1.3636)^4 = 3.457…


def test_contradicted_external_figure_is_reported_with_its_consequences(result):
    by_id = result.claims.set_index("claim_id")
    assert by_id.loc["S2.2-10", "external_verdict"] == "contradicted"
    detail = by_id.loc["S2.2-10", "external_detail"]
    assert "3479.9" in detail and "C-01 (> 100 %): route {S2.1-03} / {S2.2-10} * 100 goes from" in detail
    assert "to 99.60 (consistent → inconsistent)" in detail  # 3465.92 / 3479.9 = 99.598 %
    detail_zh = by_id.loc["S2.2-10", "external_detail_zh"]
    assert "改用正式数 3479.9 亿元" in detail_zh and "（一致 → 不一致）" in detail_zh
    assert by_id.loc["S2.2-02", "external_verdict"] == "confirmed"
    # the revision lands on the claims computed from the R&D figure, in their own rows, and only there:
    # the 2020 turnover (a primary figure that merely appears in a check route of R&D) is untouched
    for cid in ("C-01", "S2.2-14"):
        assert by_id.loc[cid, "external_verdict"] == "overturned_by_final", cid
        own = by_id.loc[cid, "external_detail"]
        assert "EXT-110 3479.9" in own and "no longer holds" in own, own
    assert "S2.1-03 (" not in detail and by_id.loc["S2.1-03", "external_verdict"] == "not_covered"
    assert by_id.loc["S2.2-01", "external_verdict"] == "differs_from_preliminary"


def test_the_what_if_follows_the_computation_transitively(result):
    """With the final 2020 R&D (3479.9 亿元), turnover/R&D is restated as 3465.92 / 3479.9 = 99.598…
    → 99.60 %, and the claim computed from *it*, its change since 2016 (S2.2-15: 108.31 / 38.80 = 2.79
    times), becomes 99.60 / 38.80 = 2.567 → 2.57: no longer the printed 2.79."""
    c = result.changes[result.changes.fact_id == "S2.2-10"].set_index("claim_id")
    # every claim computed from the R&D figure: R&D/GDP, turnover/R&D, "exceeded R&D", "R&D rose every
    # year", "R&D intensity rose" (3479.9 / 110 760.94 = 3.14 % > 2.52 %: still holds), "turnover/R&D
    # rose" (99.60 % > 38.80 %: still holds), and, through turnover/R&D, its change since 2016
    assert set(c.index) == {"S2.2-12", "S2.2-14", "C-01", "C-04", "C-19", "C-20", "S2.2-15"}
    assert (c.loc[["C-19", "C-20"], "verdict_after"] == "consistent").all()
    assert (c.fact_id == "S2.2-10").all() and (c.ext_id == "EXT-110").all() and (c.release == "3479.9 亿元").all()
    assert c.loc["S2.2-14", "restated_as"] == "99.60" and c.loc["S2.2-14", "through"] == ("S2.2-10",)
    assert c.loc["S2.2-15", "through"] == ("S2.2-14",) and c.loc["S2.2-15", "after"] == "2.57"
    assert (c.loc["S2.2-15", "verdict_before"], c.loc["S2.2-15", "verdict_after"]) == ("consistent", "inconsistent")
    assert c.loc["C-01", "restated_as"] == ""  # a comparison is judged, not restated
    by_id = result.claims.set_index("claim_id")
    assert by_id.loc["S2.2-15", "external_verdict"] == "overturned_by_final"
    assert "through S2.2-14" not in by_id.loc["S2.2-15", "external_detail"]  # its own route reads S2.2-14 itself
    assert "S2.2-15 (2.79 倍): route {S2.2-14} / {S2.2-13} (through S2.2-14)" in by_id.loc["S2.2-10", "external_detail"]


def test_a_claim_checked_only_against_its_restatement_is_marked(result):
    by_id = result.claims.set_index("claim_id")
    # §4.2 restates Beijing's turnover from Table 1; §2.1's average per contract is recomputed
    assert by_id.loc["S4.2-05", "verdict"] == "consistent" and by_id.loc["S4.2-05", "restated"]
    assert "restated elsewhere in the paper" in by_id.loc["S4.2-05", "detail"]
    assert by_id.loc["S2.1-10", "verdict"] == "consistent" and not by_id.loc["S2.1-10", "restated"]
    # a claim with one restatement and one recomputation is an independent check
    assert by_id.loc["S2.2-06", "verdict"] == "consistent" and not by_id.loc["S2.2-06", "restated"]


# --- the command ----------------------------------------------------------------------------
def test_verify_matches_the_committed_snapshot(tmp_path, capsys):
    from techmarket.cli.main import main

    assert main(["verify", "--csv", str(tmp_path / "a.csv")]) == 0
    out = capsys.readouterr().out
    assert "verdicts match the snapshot" in out and (tmp_path / "a.csv").is_file()


def test_verify_fails_and_lists_changes_when_a_verdict_moves(tmp_path, monkeypatch, capsys):
    import techmarket.data.paths as paths
    from techmarket.cli.main import main

    snap = pd.read_csv(paths.AUDIT_SNAPSHOT, dtype=str, keep_default_na=False)
    snap.loc[snap.claim_id == "S2.2-12", "verdict"] = "consistent"
    fake = tmp_path / "snap.csv"
    snap.to_csv(fake, index=False)
    monkeypatch.setattr(paths, "AUDIT_SNAPSHOT", fake)
    assert main(["verify", "--csv", str(tmp_path / "a.csv")]) == 1
    assert "S2.2-12: verdict consistent → inconsistent" in capsys.readouterr().err


def test_verify_filters(tmp_path, capsys):
    from techmarket.cli.main import main

    main(["verify", "--section", "2.5", "--verdict", "ambiguous_wording", "--csv", str(tmp_path / "a.csv")])
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.strip().startswith(("S", "T", "F", "C-"))]
    assert [ln.split()[0] for ln in lines] == ["S2.5-03"]
    assert main(["verify", "--verdict", "nonsense"]) == 2


def test_readme_states_the_current_result(result):
    import re

    from techmarket.data.paths import PROJ_ROOT

    readme = (PROJ_ROOT / "README.md").read_text(encoding="utf-8")
    flat = " ".join(readme.split())
    line = re.search(r"Current result: (.*?)\. ", flat).group(1)
    counts = result.claims.verdict.value_counts()
    for verdict, label in [("inconsistent", "inconsistent"), ("ambiguous_wording", "ambiguous wording"),
                           ("consistent", "consistent"), ("primary", "primary")]:
        assert f"{counts.get(verdict, 0)} {label}" in line, (verdict, line)


ENGLISH_WORDING = ("route ", "gives", "would need", "missed by", "reading", "rounding", "differs", "final figure",
                   "recomputed", "agree", "does not hold", "comparison", "primary figure", "rounded_or_preliminary")


def test_chinese_details_are_written_in_chinese(result):
    # formulas, ids, units and publishers' own names stay as they are; the explanations do not
    for column in ("detail_zh", "external_detail_zh"):
        for claim_id, text in result.claims.set_index("claim_id")[column].items():
            assert not [w for w in ENGLISH_WORDING if w in text], (claim_id, column, text)
    claims = result.claims
    assert (claims.detail_zh != "").all() and (
        (claims.external_detail_zh != "") == (claims.external_detail != "")).all()


def notebook_verdicts() -> list[tuple[str, str, str]]:
    """(notebook, claim id, verdict shown) of every row of the committed notebooks' "paper versus
    recomputation" tables (Chinese: columns 出处 and 判断)."""
    import nbformat
    from bs4 import BeautifulSoup

    from techmarket.data.paths import NOTEBOOKS_DIR

    rows = []
    for path in sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            for out in cell.get("outputs", []):
                html = out.get("data", {}).get("text/html", "")
                if "出处" not in html or "判断" not in html:
                    continue
                table = BeautifulSoup(html, "html.parser").find("table")
                heads = [th.get_text() for th in table.find("thead").find_all("th")]
                for tr in table.find("tbody").find_all("tr"):
                    cells = dict(zip(heads[-len(tr.find_all(["td", "th"])):],
                                     (c.get_text() for c in tr.find_all(["td", "th"])), strict=True))
                    rows.append((path.stem, cells["出处"], cells["判断"]))
    return rows


def test_every_verdict_a_notebook_displays_is_verifys(result):
    """Every row of a notebook's "paper versus recomputation" table shows the verdict ``verify``
    gives its claim, in verify's words (a route that reads a diagnosed misprint may say so)."""
    from techmarket.data.i18n import verdict as label

    claims = result.claims.set_index("claim_id")
    marks = {"consistent": "✓", "inconsistent": "✗", "ambiguous_wording": "?", "undecidable": "?"}
    rows = notebook_verdicts()
    assert len(rows) >= 40
    wrong = []
    for notebook, claim_id, shown in rows:
        c = claims.loc[claim_id]
        expected = f"{marks[c.verdict]} {label(c.verdict, 'zh', bool(c.restated))}"
        if not (shown == expected or shown.startswith(expected + "（此路径读入诊断出的误印")):
            wrong.append((notebook, claim_id, shown, expected))
    assert not wrong, wrong
    assert {r[1] for r in rows} >= {"S2.1-08", "S2.2-12", "S2.5-03", "S2.2-02"}  # each kind of verdict is shown
