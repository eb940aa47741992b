"""The catalogue of values the paper only implies, each one formula in the package's formula
language (:mod:`techmarket.audit.formula`), evaluated by :mod:`techmarket.audit.derive`.

Where several routes lead to the same quantity (Guangdong's 2016 turnover from the 4.39
multiple, from the 44.73 % CAGR, from the GDP share, from the R&D share and from the
electronic-information share) every route is its own entry so they can be compared.

A route sentence quotes its inputs with the same references as the formula: ``{S2.1-04}`` in a
sentence is replaced by the printed value (``4.39倍``). Units: money 亿元, counts 项, shares %.
"""
from __future__ import annotations

from dataclasses import dataclass

from techmarket.data.i18n import Bilingual

T20 = "{S2.1-03}"  # Guangdong's 2020 turnover (§2.1, 亿元)


@dataclass(frozen=True)
class Derivation:
    """How one implied value is computed."""

    indicator: str
    geo: str
    year: int
    unit: str
    route: Bilingual  # a sentence, in both languages
    formula: str
    category: str = ""
    measure: str = "level"

    def __post_init__(self) -> None:
        if not isinstance(self.route, Bilingual):
            raise TypeError(f"route must be given in both languages (i18n.Bilingual), got {self.route!r}")


def _d(indicator: str, geo: str, year: int, unit: str, zh: str, en: str, formula: str, **more: str) -> Derivation:
    return Derivation(indicator, geo, year, unit, Bilingual(zh=zh, en=en), formula, **more)


GD = "广东"


def _back_from_2020(indicator: str, zh: str, en: str, level: str, multiple: str, cagr: str) -> list[Derivation]:
    """A 2016 level from its 2020 level by the stated multiple, and by the stated annual growth."""
    return [
        _d(indicator, GD, 2016, "亿元", f"2020年{zh} ÷ 论文所述2020/2016年倍数（{multiple}）",
           f"2020 {en} ÷ stated multiple 2020/2016 ({multiple})", f"{level} / {multiple}"),
        _d(indicator, GD, 2016, "亿元", f"2020年{zh} ÷ (1 + 论文所述年均增长率)^4（{cagr}）",
           f"2020 {en} ÷ (1 + stated CAGR)^4 ({cagr})",
           f"{level} / (1 + {cagr} / 100) ** {{years:{cagr[1:-1]}}}"),
    ]


TURNOVER_2016 = [
    *_back_from_2020("turnover", "成交额", "turnover", T20, "{S2.1-04}", "{S2.1-05}"),
    _d("turnover", GD, 2016, "亿元", "2016年成交额占GDP比重 × 2016年GDP（{S2.2-01}的{S2.2-05}）",
       "2016 turnover/GDP × 2016 GDP ({S2.2-05} of {S2.2-01})", "{S2.2-05} / 100 * {S2.2-01}"),
    _d("turnover", GD, 2016, "亿元", "2016年成交额占R&D经费比重 × 2016年R&D经费（{S2.2-09}的{S2.2-13}）",
       "2016 turnover/R&D × 2016 R&D ({S2.2-13} of {S2.2-09})", "{S2.2-13} / 100 * {S2.2-09}"),
    _d("turnover", GD, 2016, "亿元", "2016年电子信息领域成交额 ÷ 其2016年占比（{S2.4-02} = {S2.4-05}）",
       "2016 electronic-information turnover ÷ its 2016 share ({S2.4-02} = {S2.4-05})",
       "{S2.4-02} / ({S2.4-05} / 100)"),
]

OTHER_GUANGDONG = [
    *_back_from_2020("tech_transaction_value", "技术交易额", "technology transaction value", "{S2.1-06}",
                     "{S2.1-07}", "{S2.1-08}"),
    _d("contracts", GD, 2016, "项", "2016年成交额（2020年 ÷ {S2.1-04}）÷ 2016年平均每项合同成交额（{S2.1-09}）",
       "2016 turnover (2020 ÷ {S2.1-04}) ÷ 2016 average per contract ({S2.1-09})",
       "{S2.1-03 in 万元} / {S2.1-04} / {S2.1-09}"),
    _d("contracts", GD, 2016, "项", "2016年成交额（GDP的{S2.2-05}）÷ 2016年平均每项合同成交额（{S2.1-09}）",
       "2016 turnover ({S2.2-05} of GDP) ÷ 2016 average per contract ({S2.1-09})",
       "{S2.2-05} / 100 * {S2.2-01 in 万元} / {S2.1-09}"),
]

# Official GDP and R&D for the years the paper does not give (2017-2019; rounded or preliminary).
# Where several releases give a year's R&D, the national R&D bulletin (NBS/MOST/MOF) is preferred
# to reposts of provincial summaries; 2017 has a single, low-quality source.
GDP_EXT = {y: f"{{EXT:gdp|广东|{y} in 亿元}}" for y in (2017, 2018, 2019)}
RD_EXT = {2017: "{EXT:rd_expenditure|广东|2017 in 亿元}",
          2018: "{EXT:rd_expenditure|广东|2018|unit=billion CNY in 亿元}",
          2019: "{EXT:rd_expenditure|广东|2019|publisher^=《2019年全国科技经费投入统计公报》 in 亿元}"}
FIGURE2_RATIO = {2017: "{F2-02}", 2018: "{F2-03}", 2019: "{F2-04}"}  # Figure 2's chart data, turnover/GDP

# Figure 1's 2017-2019 bars: the text never states them; Figure 2's chart data gives turnover/GDP
# for every year, and official releases give GDP. Figure 2's turnover/R&D series survives only for
# 2016; the middle years are that turnover divided by official R&D expenditure.
MIDDLE_YEARS = [
    *(_d("turnover", GD, y, "亿元", f"图2数据中{y}年成交额占GDP比重 × 官方{y}年GDP",
         f"Figure 2 chart data turnover/GDP {y} × official {y} GDP", f"{FIGURE2_RATIO[y]} / 100 * {GDP_EXT[y]}")
      for y in (2017, 2018, 2019)),
    *(_d("turnover_to_rd", GD, y, "%", f"（图2中{y}年成交额占GDP比重 × 官方GDP）÷ 官方{y}年R&D经费",
         f"(Figure 2 turnover/GDP {y} × official GDP) ÷ official R&D {y}",
         f"{FIGURE2_RATIO[y]} / 100 * {GDP_EXT[y]} / {RD_EXT[y]} * 100")
      for y in (2017, 2018, 2019)),
]

SVC, DEV, TRA, CON = "技术服务", "技术开发", "技术转让", "技术咨询"
EN = {SVC: "services", DEV: "development", TRA: "transfer", CON: "consulting",
      "城市建设与社会发展": "urban construction and social development", "现代交通": "modern transport"}
LEVEL_SHARE = {SVC: ("{S2.3-01}", "{S2.3-02}", "{S2.3-03}", "{S2.3-04}"),  # 2020 level, multiple, share, pp change
               DEV: ("{S2.3-07}", "{S2.3-08}", "{S2.3-09}", "{S2.3-10}")}
CONTRACT_TYPES = [
    *(_d("turnover", GD, 2016, "亿元", f"2020年{c} ÷ 论文所述倍数（{k}）", f"2020 {EN[c]} ÷ stated multiple ({k})",
         f"{v} / {k}", category=c) for c, (v, k, _, _) in LEVEL_SHARE.items()),
    _d("turnover", GD, 2020, "亿元", "2020年技术转让占比 × 2020年成交额", "2020 transfer share × 2020 turnover",
       "{S2.3-12} / 100 * " + T20, category=TRA),
    _d("turnover", GD, 2016, "亿元", "2016年技术转让占比 × 2016年成交额（2020年 ÷ {S2.1-04}）",
       "2016 transfer share × 2016 turnover (2020 ÷ {S2.1-04})", "{S2.3-11} / 100 * " + T20 + " / {S2.1-04}",
       category=TRA),
    _d("turnover", GD, 2020, "%", "2020年技术咨询占比 = 100 − 其他三类占比",
       "consulting 2020 share = 100 − the other three shares", "100 - {S2.3-03} - {S2.3-09} - {S2.3-12}",
       category=CON, measure="share"),
    _d("turnover", GD, 2020, "亿元", "2020年技术咨询 = 成交额 − 技术服务 − 技术开发 − 技术转让（占比 × 成交额）",
       "consulting 2020 = turnover − services − development − transfer (share × turnover)",
       T20 + " - {S2.3-01} - {S2.3-07} - {S2.3-12} / 100 * " + T20, category=CON),
    *(route for c, (v, k, s, d) in LEVEL_SHARE.items() for route in (
        _d("turnover", GD, 2016, "%", f"2016年{c}占比 = 2020年占比 − 论文所述变化（{d}）",
           f"{EN[c]} 2016 share = 2020 share − stated change in points ({d})", f"{s} - {d}", category=c,
           measure="share"),
        _d("turnover", GD, 2016, "%", f"2016年{c}占比 = (2020年金额 ÷ {k}) ÷ (2020年成交额 ÷ {{S2.1-04}})",
           f"{EN[c]} 2016 share = (2020 level ÷ {k}) ÷ (2020 turnover ÷ {{S2.1-04}})",
           f"({v} / {k}) / ({T20} / {{S2.1-04}}) * 100", category=c, measure="share"))),
    _d("turnover", GD, 2016, "%", "2016年技术咨询占比 = 100 − 技术转让 − 技术服务（{S2.3-03} − {S2.3-04}）"
       "− 技术开发（{S2.3-09} − ({S2.3-10})）",
       "consulting 2016 share = 100 − transfer − services ({S2.3-03} − {S2.3-04}) − development "
       "({S2.3-09} − ({S2.3-10}))",
       "100 - {S2.3-11} - ({S2.3-03} - {S2.3-04}) - ({S2.3-09} - {S2.3-10})", category=CON, measure="share"),
]

FIELDS_AND_CITIES = [
    *(_d("turnover", GD, 2020, "亿元", f"2020年{c}占比 × 2020年成交额", f"{EN[c]} 2020 share × 2020 turnover",
         f"{s} / 100 * {T20}", category=c)
      for c, s in (("城市建设与社会发展", "{S2.4-07}"), ("现代交通", "{S2.4-08}"))),
    _d("turnover", "深圳", 2020, "亿元", "三市占比（广深莞 {S2.5-13}）× 2020年成交额 − 广州 − 东莞",
       "three-city share (Guangzhou, Shenzhen, Dongguan: {S2.5-13}) × 2020 turnover − Guangzhou − Dongguan",
       "{S2.5-13} / 100 * " + T20 + " - {S2.5-02} - {S2.5-08}"),
    _d("turnover", "东莞", 2016, "亿元", "2020年金额 ÷ (1 + 论文所述增长率 {S2.5-09})",
       "2020 level ÷ (1 + stated growth {S2.5-09})", "{S2.5-08} / (1 + {S2.5-09} / 100)"),
    _d("turnover", "清远", 2016, "亿元", "2020年金额 ÷ 论文所述倍数（{S2.5-18}）",
       "2020 level ÷ stated multiple ({S2.5-18})", "{S2.5-17} / {S2.5-18}"),
    _d("turnover", "清远", 2016, "亿元", "2020年金额 ÷ (1 + 论文所述增长率 {S2.5-19})",
       "2020 level ÷ (1 + stated growth {S2.5-19})", "{S2.5-17} / (1 + {S2.5-19} / 100)"),
]

TABLE1_GEOS = ("全国", "北京", "广东", "江苏", "山东", "上海", "陕西", "湖北", "浙江", "四川", "天津")
TABLE1_GDP = [  # 2020 GDP of each Table 1 row (for the size cross-section)
    _d("gdp", g, 2020, "亿元", "表1成交额 ÷ 表1成交额占GDP比重", "Table 1 turnover ÷ Table 1 turnover/GDP",
       f"{{T1:{g}|turnover}} / ({{T1:{g}|turnover_to_gdp}} / 100)") for g in TABLE1_GEOS]

DERIVATIONS: list[Derivation] = (TURNOVER_2016 + OTHER_GUANGDONG + MIDDLE_YEARS + CONTRACT_TYPES + FIELDS_AND_CITIES
                                 + TABLE1_GDP)
