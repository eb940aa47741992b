"""What each report is, in a line, for the index: its description in both languages (the title
comes from the report's own first heading)."""
from __future__ import annotations

DESCRIPTIONS: dict[str, tuple[str, str]] = {
    "01_scale": ("合同数、成交额、倍数与年均增长率；重建图1（2017—2019年为推算值）",
                 "Contracts, turnover, the 2016-2020 multiple and growth rate; Figure 1 rebuilt (2017-2019 derived)"),
    "02_economic_contribution": ("成交额占GDP与R&D经费的比重，与官方发布对照；重建图2",
                                 "Turnover as a share of GDP and of R&D, against official releases; "
                                 "Figure 2 rebuilt"),
    "03_structure": ("四类合同的金额、占比与变化", "The four contract types: levels, shares and how they changed"),
    "04_sectors": ("技术领域：电子信息的增长与占比",
                   "Technology fields: the growth and share of electronic information"),
    "05_regions": ("城市：广州、深圳、东莞与集中度", "Cities: Guangzhou, Shenzhen, Dongguan, and concentration"),
    "06_provincial_benchmarking": ("十省市对标：重建表1、排名与规模",
                                   "Ten-province benchmark: Table 1 rebuilt, rankings and size"),
    "07_institutions_and_talent": ("机构与人才：高校、科研机构与国家技术转移机构",
                                   "Institutions and talent: universities, research institutes, national "
                                   "technology-transfer institutions"),
    "08_claims_audit": ("论文每个数字与比较的核查：诊断、官方发布、改用正式数的影响",
                        "Every number and comparison of the paper checked: diagnosis, official releases, "
                        "what the final figures change"),
}

VERDICT_MEANINGS: dict[str, tuple[str, str]] = {
    "inconsistent": ("按论文印出的精度，与其他数字无法同时成立（已诊断出的误印）",
                     "cannot hold together with the paper's other figures at their printed precision "
                     "(a diagnosed misprint)"),
    "ambiguous_wording": ("措辞有两种读法，只有一种与数字相符",
                          "the wording has two readings and only one fits the figures"),
    "undecidable": ("四舍五入使比较无法判定", "rounding leaves the comparison open"),
    "consistent": ("由其他数字或官方发布独立重算，结果相符",
                   "recomputed from other figures or official releases, and it fits"),
    "primary": ("原始数字：论文和官方发布中没有可用来核对它的数字",
                "a primary figure: nothing in the paper or the releases can check it"),
    "contradicted": ("正式发布的数字与论文不同", "a final release differs from the paper"),
    "overturned_by_final": ("由一个被正式发布推翻的数字算出，改用正式数后不成立",
                            "computed from a figure a final release contradicts; with the final figure it fails"),
    "disputed": ("正式发布之间互相矛盾，论文与其中之一相同",
                 "final releases disagree with each other; the paper matches one"),
    "differs_from_preliminary": ("只有初步数，且与论文不同", "only a preliminary release, and it differs"),
    "confirmed": ("正式发布与论文相符", "a final release agrees with the paper"),
    "confirmed_preliminary": ("只有初步数或取整数，且相符", "only preliminary or rounded releases, and they agree"),
    "not_covered": ("没有可对照的官方发布", "no official release to compare with"),
}
