"""What each claim's verdicts mean for a reader of the paper: the highlight it gets in the
annotated paper, its flag against official releases, and its status in the AEA's terms for the
replication report. One table, :func:`statuses`, computed from the audit's tables; the annotated
paper, the replication report and the erratum all read it, so none of them judges anything.

Highlights (``HIGHLIGHTS``), from the audit's verdict:

- ``consistent``: an independent route recomputes the printed value;
- ``rounding``: consistent, but only within the printed rounding;
- ``restated``: consistent with the same figure printed elsewhere in the paper, nothing more;
- ``diagnosed``: inconsistent, and the diagnosis's only smallest explanation is this misprint;
- ``competing``: inconsistent, one of competing diagnoses (another figure would do as well);
- ``inconsistent``: inconsistent in some other way (a comparison that fails at every input);
- ``ambiguous_wording``, ``undecidable``, ``primary``: as the audit says.

Flags (``FLAGS``) come from the external verdict: an official release contradicts or disputes the
figure, or the claim no longer holds with a final figure, or only a differing preliminary exists.

Replication statuses (``REPLICATION``) follow the AEA Data Editor's report: reproduced;
reproduced within rounding; reproduced with a discrepancy; not reproducible, with one of
``REASONS``. A claim with no route inside the paper is reproduced by an official release when a
release agrees with it.
"""
from __future__ import annotations

import pandas as pd

HIGHLIGHTS = ("consistent", "rounding", "restated", "diagnosed", "competing", "inconsistent", "ambiguous_wording",
              "undecidable", "primary")
AUDIT_VERDICT_OF = {"consistent": ("consistent", "rounding", "restated"),
                    "inconsistent": ("diagnosed", "competing", "inconsistent"),
                    "ambiguous_wording": ("ambiguous_wording",), "undecidable": ("undecidable",),
                    "primary": ("primary",)}  # the audit's verdict -> the highlights it splits into
FLAGS = ("contradicted", "disputed", "overturned_by_final", "differs_from_preliminary")
REPLICATION = ("reproduced", "within_rounding", "discrepancy", "not_reproducible")
REASONS = ("caption_only", "data_unpublished", "primary", "undecided")

# The paper's footnote to §2 says where that section's figures come from; those figures are not
# published anywhere a reader can check. (Quoted from the paper; a test finds it in the text.)
UNPUBLISHED_FOOTNOTE = "本节数据根据省科技厅组织开展广东技术市场年度统计数据整理"
UNPUBLISHED_SECTION = "2"  # the footnote stands on the heading of §2, so it covers §2.1-§2.5

STATUS_COLUMNS = ["claim_id", "highlight", "flag", "group", "replication", "reason"]


def _highlight(row: pd.Series, diagnosed: dict[str, bool]) -> str:
    verdict = row["verdict"]
    if verdict == "consistent":
        return "restated" if row["restated"] else "rounding" if row["rounding_only"] else "consistent"
    if verdict == "inconsistent":
        fid = str(row["fact_id"])
        if fid in diagnosed:
            return "competing" if diagnosed[fid] else "diagnosed"
        return "inconsistent"
    return verdict


def _replication(row: pd.Series, highlight: str) -> tuple[str, str]:
    if highlight in ("consistent", "restated"):
        return "reproduced", ""
    if highlight == "rounding":
        return "within_rounding", ""
    if highlight in ("diagnosed", "competing", "inconsistent", "ambiguous_wording"):
        return "discrepancy", ""
    if highlight == "undecidable":
        return "not_reproducible", "undecided"
    external = row["external_verdict"]  # a primary figure: only an official release can check it
    if external in ("confirmed", "disputed"):
        return "reproduced", ""
    if external == "confirmed_preliminary":
        return "within_rounding", ""
    if external in ("contradicted", "differs_from_preliminary"):
        return "discrepancy", ""
    section = str(row["section"])
    if section == UNPUBLISHED_SECTION or section.startswith(UNPUBLISHED_SECTION + "."):
        return "not_reproducible", "data_unpublished"
    return "not_reproducible", "primary"


def statuses(claims: pd.DataFrame, diagnoses: pd.DataFrame) -> pd.DataFrame:
    """One row per claim of the audit's claims table: its ``highlight``, its ``flag`` ("" when no
    release speaks against it), the diagnosis ``group`` its figure belongs to (0 if none), and its
    ``replication`` status with the ``reason`` when it is not reproducible."""
    smallest = diagnoses[diagnoses["smallest"]]
    diagnosed = dict(zip(smallest["fact_id"], smallest["competing"], strict=True))
    group = dict(zip(diagnoses["fact_id"], diagnoses["group"], strict=True))
    rows = []
    for _, row in claims.iterrows():
        highlight = _highlight(row, diagnosed)
        replication, reason = _replication(row, highlight)
        flag = row["external_verdict"] if row["external_verdict"] in FLAGS else ""
        in_group = group.get(str(row["fact_id"]), 0) if highlight in ("diagnosed", "competing") else 0
        rows.append({"claim_id": row["claim_id"], "highlight": highlight, "flag": flag, "group": int(in_group),
                     "replication": replication, "reason": reason})
    return pd.DataFrame(rows, columns=STATUS_COLUMNS)


# What each status is called and means, (zh, en)
HIGHLIGHT_LABELS = {
    "consistent": (("一致", "consistent"), ("独立的重算路径得出论文印出的数值。",
                                          "An independent route recomputes the printed value.")),
    "rounding": (("四舍五入内一致", "consistent within rounding"),
                 ("重算值只在印出精度的四舍五入范围内与论文相符。",
                  "The recomputation agrees only within the printed rounding.")),
    "restated": (("一致（仅复述）", "consistent (restated)"),
                 ("只能与论文他处印出的同一数字核对，没有独立重算。",
                  "Checked only against the same figure printed elsewhere in the paper.")),
    "diagnosed": (("诊断出的误印", "diagnosed misprint"),
                  ("与其他数字矛盾；只改这一个数字就能让所有路径成立。",
                   "Contradicts other figures; changing this one figure alone makes every route hold.")),
    "competing": (("互相竞争的诊断之一", "one of competing diagnoses"),
                  ("与其他数字矛盾；改它或改另一个数字都能让所有路径成立，无法确定哪个印错。",
                   "Contradicts other figures; changing it, or instead another figure, makes every route "
                   "hold, so which one is misprinted cannot be told.")),
    "inconsistent": (("其他不一致", "inconsistent otherwise"), ("不是误印诊断的对象，但在任何允许的输入下都不成立。",
                                                        "Not a diagnosed figure, but does not hold for any "
                                                        "admissible input.")),
    "ambiguous_wording": (("表述有歧义", "ambiguous wording"),
                          ("“增长了X倍”的两种读法中只有一种相符。",
                           "Only one of the two readings of 'increased X times' fits.")),
    "undecidable": (("无法判定", "undecidable"), ("四舍五入使比较无法判定。", "Rounding leaves the comparison open.")),
    "primary": (("原始数字", "primary"), ("论文和官方发布中没有能核对它的数据。",
                                        "Nothing in the paper or in the official releases can check it.")),
}
FLAG_LABELS = {
    "contradicted": (("与正式发布不符", "contradicted by a final release"),
                     ("正式发布的数字不同（论文用的是初步数）。", "A final release prints a different figure.")),
    "disputed": (("各发布互相矛盾", "disputed"),
                 ("正式发布之间互不一致，论文与其中之一相符。",
                  "Final releases disagree among themselves; the paper matches one of them.")),
    "overturned_by_final": (("改用正式数后不成立", "overturned by a final figure"),
                            ("它由一个被正式发布否定的数字算出，改用正式数后不再成立。",
                             "Computed from a figure a final release contradicts; with the final figure it no "
                             "longer holds.")),
    "differs_from_preliminary": (("与初步数不同", "differs from a preliminary release"),
                                 ("只有初步或取整的发布，且与论文不同。",
                                  "Only a preliminary or rounded release exists, and it differs.")),
}
REPLICATION_LABELS = {
    "reproduced": ("已重现", "reproduced"),
    "within_rounding": ("在四舍五入内重现", "reproduced within rounding"),
    "discrepancy": ("重现但有出入", "reproduced with a discrepancy"),
    "not_reproducible": ("无法重现", "not reproducible"),
}
REASON_LABELS = {
    "caption_only": ("只留下图题", "only a caption survives"),
    "data_unpublished": ("所依据的数据未公开", "the data behind it are not published"),
    "primary": ("原始数字，无从核对", "primary figure with nothing to check it against"),
    "undecided": ("四舍五入使其无法判定", "rounding leaves it undecided"),
}
