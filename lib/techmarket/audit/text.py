"""The audit's results as text for readers: the columns of ``make verify``'s CSV that explain a
verdict (``arithmetic``, ``external_detail``), and the diagnosis as printed by ``verify``.

Written from the audit's tables (:class:`techmarket.audit.run.AuditResult`), in both languages; no
other module reads these texts back.
"""
from __future__ import annotations

import pandas as pd

from techmarket.data.i18n import Bilingual
from techmarket.data.i18n import qualifier as qualifier_label
from techmarket.data.i18n import verdict as verdict_label


def change_text(c: pd.Series, reported: str, unit: str) -> Bilingual:
    """One route that changes with a final release."""
    head = f"{c['claim_id']} ({reported} {unit})"
    via = f"（经 {', '.join(c['through'])}）" if tuple(c["through"]) != (c["fact_id"],) else ""
    via_en = f" (through {', '.join(c['through'])})" if via else ""
    return Bilingual(
        f"{head}：路径 {c['formula']}{via} 由 {c['before']} 变为 {c['after']}"
        f"（{verdict_label(c['verdict_before'], 'zh')} → {verdict_label(c['verdict_after'], 'zh')}）",
        f"{head}: route {c['formula']}{via_en} goes from {c['before']} to {c['after']} "
        f"({c['verdict_before']} → {c['verdict_after']})")


def _release(r: pd.Series) -> Bilingual:
    return Bilingual(f"{r['ext_id']} {r['value_text']} {r['unit']}（{qualifier_label(r['qualifier'], 'zh')}，"
                     f"{r['publisher']}）",
                     f"{r['ext_id']} {r['value_text']} {r['unit']} ({r['qualifier']}, {r['publisher']})")


def external_detail(claim: pd.Series, releases: pd.DataFrame, changes: pd.DataFrame,
                    shown: pd.DataFrame) -> Bilingual:
    """The releases behind a claim's external verdict (``releases``: this claim's) and, where a
    final release differs, what changes; for a claim a final release overturns, the route that no
    longer holds. ``shown``: every claim's printed value and unit, by claim id."""
    cid = claim["claim_id"]
    if claim["external_verdict"] == "overturned_by_final":
        own = changes[(changes.claim_id == cid) & (changes.verdict_after == "inconsistent")]
        return Bilingual.join([Bilingual(
            f"{c.fact_id} 改用正式数 {c.ext_id} {c.release}（{c.publisher}）：路径 {c.formula} 由 {c.before} "
            f"变为 {c.after}，论断不再成立",
            f"with the final release {c.ext_id} {c.release} for {c.fact_id} ({c.publisher}): route {c.formula} "
            f"goes from {c.before} to {c.after} and the claim no longer holds") for c in own.itertuples()])
    mine = releases
    if mine.empty:
        return Bilingual("", "")
    detail = Bilingual.join([_release(r) for r in mine.to_dict("records")])
    differing = mine[mine.final & ~mine.agrees]
    if differing.empty:
        return detail
    final = differing.iloc[0]
    then = changes[(changes.fact_id == claim["fact_id"]) & (changes.ext_id == final["ext_id"])]
    consequences = (Bilingual.join([change_text(c, *shown.loc[c["claim_id"], ["reported", "unit"]])
                                    for _, c in then.iterrows()]) if not then.empty
                    else Bilingual("没有论断由此数算出", "no claim is computed from this figure"))
    ids = ", ".join(differing["ext_id"])
    figure = f"{final['value_text']} {final['unit']}"
    return Bilingual.join([detail, Bilingual(f"不符：{ids}", f"differs: {ids}"),
                           Bilingual(f"改用正式数 {figure}：{consequences.zh}",
                                     f"with the final figure {figure}: {consequences.en}")])


def claim_texts(claims: pd.DataFrame, routes: pd.DataFrame, releases: pd.DataFrame,
                changes: pd.DataFrame) -> pd.DataFrame:
    """The claims table with its reader columns: ``arithmetic`` (every route, spelled out, with what
    it gives) and ``external_detail`` / ``external_detail_zh``."""
    out = claims.copy()
    spelled: dict[str, list[str]] = {}
    for cid, arithmetic, shown_as in zip(routes["claim_id"], routes["arithmetic"], routes["shown"], strict=True):
        spelled.setdefault(cid, []).append(f"{arithmetic} = {shown_as}")
    out["arithmetic"] = [" | ".join(spelled.get(c, [])) for c in out["claim_id"]]
    shown = out.set_index("claim_id")[["reported", "unit"]]
    mine = {cid: grp for cid, grp in releases.groupby("claim_id", sort=False)}
    none = releases.iloc[0:0]
    details = [external_detail(row, mine.get(row["claim_id"], none), changes, shown) for row in out.to_dict("records")]
    out["external_detail"] = [d.en for d in details]
    out["external_detail_zh"] = [d.zh for d in details]
    order = ["claim_id", "section", "kind", "span", "paraphrase_en", "reported", "unit", "recomputed", "routes",
             "verdict", "rounding_only", "detail", "detail_zh", "arithmetic", "external_verdict", "external_detail",
             "external_detail_zh", "needed", "restated", "fact_id"]
    return out[order]


def diagnoses_text(diagnoses: pd.DataFrame) -> str:
    """The independent problems found, one paragraph per group of connected conflicts: the
    smallest diagnoses (competing, or the one figure at fault) and the larger alternatives."""
    if diagnoses.empty:
        return "Diagnosis: every route holds; no printed figure is at fault."
    lines = [f"Diagnosis: {diagnoses.group.nunique()} independent problem(s)"]
    for g, rows in diagnoses.groupby("group", sort=True):
        smallest = rows[rows.smallest]
        fixes = [" + ".join(f"{r.fact_id} (its wording)" if r.statement else
                            f"{r.fact_id} {r.printed} {r.unit} → {r.needed}" for r in d.itertuples())
                 for _, d in smallest.groupby("diagnosis", sort=True)]
        first = smallest.iloc[0]
        head = ("competing explanations, none singled out: " + " | ".join(fixes) if first.competing
                else f"the {'claim' if first.statement else 'figure'} at fault: {fixes[0]}")
        lines.append(f"  {g}. {head}")
        if first.competing:
            lines += [f"     {first.decider_text}", f"     why the paper cannot tell: {first.why_undecided}"]
        alternatives = [" + ".join(d.fact_id) for _, d in rows[~rows.smallest].groupby("diagnosis", sort=True)]
        if alternatives:
            lines.append(f"     larger alternatives (flag nothing): {'; '.join(alternatives)}")
    return "\n".join(lines)
