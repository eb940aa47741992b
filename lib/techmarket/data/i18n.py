"""Chinese and English: labels for areas, categories, indicators and units, and the language check.

Every figure title, axis label, legend, table header and narrative heading goes through
``tr(lang, zh=..., en=...)`` or one of the label functions, so both languages always exist.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

LANGS = ("zh", "en")


def check_lang(lang: object) -> str:
    """Return ``lang`` if it is a supported language, else raise a clear ValueError."""
    if lang not in LANGS:
        raise ValueError(f"parameter lang must be one of {list(LANGS)}, got {lang!r}")
    return lang  # type: ignore[return-value]


def tr(lang: str, zh: str, en: str) -> str:
    """Pick the text for ``lang``."""
    return zh if check_lang(lang) == "zh" else en


def paren(text: str, lang: str) -> str:
    """``text`` in brackets of the language: full-width in Chinese."""
    return tr(lang, f"（{text}）", f"({text})")


GEO_EN = {
    "全国": "China", "广东": "Guangdong", "北京": "Beijing", "江苏": "Jiangsu", "山东": "Shandong",
    "上海": "Shanghai", "陕西": "Shaanxi", "湖北": "Hubei", "浙江": "Zhejiang", "四川": "Sichuan",
    "天津": "Tianjin", "湖南": "Hunan", "河南": "Henan", "海南": "Hainan", "广州": "Guangzhou",
    "深圳": "Shenzhen", "东莞": "Dongguan", "韶关": "Shaoguan", "清远": "Qingyuan", "苏州": "Suzhou",
    "武汉": "Wuhan", "西安": "Xi'an", "大连": "Dalian", "广州+深圳+东莞": "Guangzhou+Shenzhen+Dongguan",
    "广东地级市": "Guangdong prefecture-level cities", "全国城市": "Chinese cities",
}

CATEGORY_EN = {
    "技术开发": "Technology development", "技术转让": "Technology transfer",
    "技术咨询": "Technology consulting", "技术服务": "Technology services",
    "电子信息": "Electronic information", "城市建设与社会发展": "Urban construction & social development",
    "现代交通": "Modern transport", "其他领域": "Other fields",
    "高校": "Universities", "科研机构": "Research institutes", "高校和科研机构": "Universities and research institutes",
    "优秀": "Excellent", "良好": "Good", "合格": "Pass", "不合格": "Fail", "取消资格": "Disqualified",
    "参评": "Evaluated", "国家技术转移机构": "National technology-transfer institutions",
    "成交金额500万元以下（含500万元）": "with turnover at or below the threshold the paper names",
    "设立超过半年仍无登记量": "no registration more than half a year after being set up",
    "全年没有登记量": "no registration in the whole year",
    "首次认定为省级科技成果转移转化示范机构": "first recognised as provincial demonstration institutions",
    "承担重大科技成果转化任务、被评为国家技术转移示范机构":
        "undertaking major transfer tasks and rated national demonstration institutions",
    "考核优秀国家技术转移示范机构": "national demonstration institutions rated excellent",
    "技术转移机构": "technology-transfer institutions",
    "技术合同认定登记机构": "technology-contract registration bodies",
    "技术转移输出方": "technology-transfer sellers", "技术交易吸纳方": "technology buyers",
    "技术经纪（经理）人": "technology brokers (managers)",
    "技术合同登记点": "technology-contract registration points",
    "技术交易输出方": "technology sellers",
}

INDICATORS = {
    "turnover": ("技术合同成交额", "Technology-contract turnover"),
    "contracts": ("技术合同数", "Technology contracts"),
    "tech_transaction_value": ("技术交易额", "Technology transaction value"),
    "avg_turnover_per_contract": ("平均每项合同成交额", "Average turnover per contract"),
    "gdp": ("地区生产总值", "GDP"),
    "rd_expenditure": ("研发经费支出", "R&D expenditure"),
    "turnover_to_gdp": ("成交额占GDP比重", "Turnover / GDP"),
    "turnover_to_rd": ("成交额占R&D经费比重", "Turnover / R&D"),
    "rd_to_gdp": ("R&D占GDP比重", "R&D / GDP"),
}

UNITS_EN = {
    "亿元": "100 million yuan", "万元": "10,000 yuan", "万亿元": "trillion yuan", "项": "contracts",
    "万项": "10,000 contracts", "%": "%", "百分点": "percentage points", "倍": "times", "位": "rank",
    "年": "years", "家": "institutions", "人": "people", "次": "rounds", "支": "funds", "个": "",
}


def geo(name: str, lang: str) -> str:
    return name if check_lang(lang) == "zh" else GEO_EN.get(name, name)


def category(name: str, lang: str) -> str:
    return name if check_lang(lang) == "zh" else CATEGORY_EN.get(name, name)


CJK_CHARS = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"  # CJK punctuation, ideographs, full-width forms
CJK = re.compile(f"[{CJK_CHARS}]")
CJK_RUN = re.compile(rf"[{CJK_CHARS}]+(?:[\w.%/]*[{CJK_CHARS}]+)*")


KEEP = re.compile(r'(`[^`]*`|<(q|span)\b[^>]*\blang="zh"[^>]*>.*?</\2>)', re.S)  # code, and what is marked


def mark_terms(text: str) -> str:
    """An English text (HTML or Markdown) with each Chinese term it quotes from the paper or a
    source marked ``lang="zh"`` ("技术交易额", "大而不强", a publisher's name); code spans and
    quotations already marked are left as they are."""
    parts = KEEP.split(text)
    out, i = [], 0
    while i < len(parts):
        out.append(CJK_RUN.sub(lambda m: f'<span lang="zh">{m.group(0)}</span>', parts[i]))
        if i + 1 < len(parts):
            out.append(parts[i + 1])  # the kept piece (the group after it is its tag name)
        i += 3
    return "".join(out)


def span_text(span: str) -> str:
    """A span as shown: the cells of Figure 2's chart data, tab-separated in the paper's text, are
    shown separated by a middle dot (the span in data/ stays verbatim)."""
    return " · ".join(part for part in str(span).split("\t"))


def pick(pairs: dict[str, tuple[str, str]], name: str, lang: str) -> str:
    """The label of ``name`` in ``lang`` from a table of (zh, en) pairs."""
    return tr(lang, *pairs[name])


def indicator(name: str, lang: str) -> str:
    return pick(INDICATORS, name, lang)


SERIES = {  # the series of data/external/official_releases.csv
    "turnover": ("技术合同成交额", "Technology-contract turnover"),
    "contracts": ("技术合同数", "Technology contracts"),
    "tech_transaction_value": ("技术交易额", "Technology transaction value"),
    "gdp": ("地区生产总值", "GDP"),
    "rd_expenditure": ("研发经费支出", "R&D expenditure"),
    "rd_intensity": ("R&D占GDP比重", "R&D / GDP"),
    "rd_share_of_national": ("R&D经费占全国比重", "R&D as a share of the national total"),
    "turnover_absorbed": ("吸纳技术成交额", "Turnover absorbed (technology bought)"),
    "turnover_by_type": ("按合同类型的成交额", "Turnover by contract type"),
    "turnover_output": ("输出技术成交额", "Turnover output (technology sold)"),
}


def series(name: str, lang: str) -> str:
    """An official-release series as a reader sees it."""
    return pick(SERIES, name, lang)


def unit(name: str, lang: str) -> str:
    return name if check_lang(lang) == "zh" else UNITS_EN.get(name, name)


def amount(value: str, unit_name: str, lang: str) -> str:
    """A value with its unit as a reader of ``lang`` sees it, one rendering per unit: 4.39×,
    2.15 percentage points, 3465.92 (100 million yuan), 33 institutions, rank 2, 12.27%."""
    value = str(value)
    if check_lang(lang) == "zh" or not unit_name:
        return f"{value} {unit_name}".strip()
    if unit_name == "倍":
        return f"{value}×"
    if unit_name.startswith("%"):
        return f"{value}{unit_name}"
    if unit_name == "位":
        return f"rank {value}"
    if unit_name in ("亿元", "万元", "万亿元", "万项"):
        return f"{value} ({UNITS_EN[unit_name]})"
    return f"{value} {UNITS_EN.get(unit_name, unit_name)}".strip()

QUALIFIERS = {
    "exact": ("确数", "exact"),
    "rounded_or_preliminary": ("取整数或初步数", "rounded or preliminary"),
    "approximate": ("约数", "approximate"),
    "lower_bound": ("下限", "lower bound"),
    "upper_bound": ("上限", "upper bound"),
}


KINDS = {  # what a claim asserts (claims.csv, column kind)
    "level": ("水平值", "level"), "count": ("计数", "count"), "share": ("占比", "share"),
    "multiple": ("倍数", "multiple"), "growth_multiple": ("增长倍数", "growth multiple"),
    "growth_pct": ("增长率", "growth rate"), "cagr": ("年均增长率", "annual growth rate"),
    "pp_change": ("百分点变化", "change in points"), "rank": ("排名", "rank"), "streak": ("连续年数", "streak"),
    "threshold": ("阈值比较", "threshold"), "order": ("大小比较", "comparison"),
}


def kind(name: str, lang: str) -> str:
    return pick(KINDS, name, lang)


def qualifier(name: str, lang: str) -> str:
    return pick(QUALIFIERS, name, lang)


VERDICTS_ZH = {
    "inconsistent": "不一致", "ambiguous_wording": "表述有歧义", "undecidable": "四舍五入后无法判定",
    "consistent": "一致", "primary": "原始数字（无从核对）", "contradicted": "与正式发布不符",
    "overturned_by_final": "改用正式数后不成立",
    "disputed": "各发布互相矛盾", "differs_from_preliminary": "与初步数不同", "confirmed": "与正式发布一致",
    "confirmed_preliminary": "与初步数一致", "not_covered": "无外部数据",
}


def verdict(name: str, lang: str, restated: bool = False) -> str:
    """A verdict of the claims audit (``techmarket.audit.run``) as a reader sees it; a consistent claim
    checked only against its own restatement reads "consistent (restated)"."""
    text = VERDICTS_ZH[name] if check_lang(lang) == "zh" else name.replace("_", " ")
    if restated:
        text += tr(lang, "（仅复述）", " (restated)")
    return text


@dataclass(frozen=True)
class Bilingual:
    """One text in both languages, for explanations built in code (the audit's details)."""

    zh: str
    en: str

    @staticmethod
    def join(parts: list[Bilingual], zh: str = "；", en: str = "; ") -> Bilingual:
        return Bilingual(zh.join(p.zh for p in parts), en.join(p.en for p in parts))
