"""What the notebooks show of the checks: views of the claims audit (paper versus recomputation,
selected by claim id) and the agreement of a paper figure with an official release.

The notebooks never judge a claim themselves: :func:`check_table` shows the verdict the audit
(:mod:`techmarket.audit.run`, the one rule of :mod:`techmarket.audit.verdict_rule`) gives it.
"""
from __future__ import annotations

import pandas as pd

from techmarket.audit.external_checks import EXTERNAL_MARKS
from techmarket.data import i18n
from techmarket.data.i18n import tr

MARK_OF = {"consistent": "✓", "inconsistent": "✗", "ambiguous_wording": "?", "undecidable": "?"}


def check_table(ctx, rows: list[tuple]) -> pd.DataFrame:
    """A view of the claims audit (``ctx.audit``): rows of (label zh, label en, claim id[, route
    number, default 1]) -> a display table with the claim, the printed value, what that route
    recomputes, and the claim's verdict as ``make verify`` gives it. Nothing is judged here.
    """
    claims = ctx.audit.claims.set_index("claim_id")
    routes = ctx.audit.routes.set_index(["claim_id", "route_no"])
    out = []
    for zh, en, claim_id, *rest in rows:
        route_no = rest[0] if rest else 1
        if (claim_id, route_no) not in routes.index:
            raise KeyError(f"the audit has no route {route_no} for claim {claim_id}")
        c, r = claims.loc[claim_id], routes.loc[(claim_id, route_no)]
        verdict = f"{MARK_OF[c['verdict']]} {i18n.verdict(c['verdict'], ctx.lang, bool(c['restated']))}"
        if r["holds"] == "fails" and c["verdict"] == "consistent" and r["explained_by"]:
            figures = ", ".join(r["explained_by"])
            verdict += tr(ctx.lang, f"（此路径读入诊断出的误印 {figures}）",
                          f" (this route reads the diagnosed misprint {figures})")
        out.append({
            tr(ctx.lang, "项目", "Item"): tr(ctx.lang, zh, en),
            tr(ctx.lang, "出处", "Fact"): claim_id,
            tr(ctx.lang, "论文数值", "Paper"): i18n.amount(c["reported"], c["unit"], ctx.lang),
            tr(ctx.lang, "重算", "Recomputed"): r["shown"],
            tr(ctx.lang, "判断", "Verdict"): verdict,
        })
    return pd.DataFrame(out)


def release_view(ctx, claim_ids: list[str]) -> pd.DataFrame:
    """A view of the audit's comparison with official releases (``ctx.audit.releases``) for the
    given claims, in their order: the claim, the paper's value, each release, its status, its
    publisher and how it compares with the paper."""
    claims = ctx.audit.claims.set_index("claim_id")
    rel = ctx.audit.releases
    rows = [r for cid in claim_ids for _, r in rel[rel.claim_id == cid].iterrows()]
    return pd.DataFrame({
        tr(ctx.lang, "出处", "Fact"): [r["claim_id"] for r in rows],
        tr(ctx.lang, "论文", "Paper"): [i18n.amount(*claims.loc[r["claim_id"], ["reported", "unit"]], ctx.lang)
                                      for r in rows],
        tr(ctx.lang, "官方发布", "Release"): [i18n.amount(r["value_text"], r["unit"], ctx.lang) for r in rows],
        tr(ctx.lang, "类型", "Qualifier"): [i18n.qualifier(r["qualifier"], ctx.lang) for r in rows],
        tr(ctx.lang, "发布机构", "Publisher"): [r["publisher"] for r in rows],
        tr(ctx.lang, "结论", "Verdict"): [tr(ctx.lang, *EXTERNAL_MARKS[r["agreement"]]) for r in rows],
    })


def release_table(ctx, claim_ids: list[str], caption: str):
    """:func:`release_view` as a report table (publishers' Chinese names marked as such)."""
    from techmarket.notebook import report

    return report.table(release_view(ctx, claim_ids), caption, quoted=(tr(ctx.lang, "发布机构", "Publisher"),))
