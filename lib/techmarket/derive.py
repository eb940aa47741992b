"""Values the paper only implies, derived in code with their lineage.

Each derivation names its inputs by what they are (indicator, area, year, measure, ...), not by
row number; an input must match exactly one row of data/paper/facts.csv or
data/external/official_releases.csv. Inputs enter as rounding intervals in canonical units
(lib/techmarket/units.py), and the result is an ``Interval``: every value the printed inputs allow.

Where several routes lead to the same quantity (Guangdong's 2016 turnover from the 4.39
multiple, from the 44.73 % CAGR, from the GDP share, from the R&D share and from the
electronic-information share) every route is kept as its own row so they can be compared.

Each derived row records ``route`` (a sentence), ``formula`` (with input ids), ``inputs``
(fact_ids and ext_ids) and ``origins`` (paper locators and external publishers): a derived value
never loses where its inputs came from.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from techmarket.errors import TechmarketError
from techmarket.i18n import Bilingual
from techmarket.metrics import Interval, printed_value

FACT_KEYS = ("indicator", "geo", "year", "base_year", "category", "measure", "locator", "relative_to", "qualifier")
EXT_KEYS = ("series", "geo", "year", "unit", "publisher", "qualifier", "publisher_prefix")


@dataclass(frozen=True)
class Ref:
    """One input: a selector that must match exactly one row of a source table."""

    source: str  # "fact" or "ext"
    where: tuple[tuple[str, object], ...]

    def describe(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.where)


def fact(indicator: str, geo: str, year: int | None, measure: str = "level", category: str = "",
         **more: object) -> Ref:
    """Select one row of the paper's facts (``category=""`` selects the total)."""
    where = dict(indicator=indicator, geo=geo, year=year, measure=measure, category=category, **more)
    unknown = set(where) - set(FACT_KEYS)
    if unknown:
        raise TypeError(f"unknown fact selector keys {unknown}")
    return Ref("fact", tuple(where.items()))


def ext(series: str, geo: str, year: int, **more: object) -> Ref:
    """Select one row of the official releases."""
    where = dict(series=series, geo=geo, year=year, **more)
    unknown = set(where) - set(EXT_KEYS)  # publisher_prefix: publisher starts with this text
    if unknown:
        raise TypeError(f"unknown external selector keys {unknown}")
    return Ref("ext", tuple(where.items()))


@dataclass(frozen=True)
class Derivation:
    """How one implied value is computed from named inputs."""

    indicator: str
    geo: str
    year: int
    unit: str
    route: Bilingual  # a sentence; ``{name}`` stands for input ``name`` as printed (value and unit)
    inputs: dict[str, Ref]
    compute: Callable[..., Interval]
    category: str = ""
    measure: str = "level"
    formula: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.route, Bilingual):
            raise TypeError(f"route must be given in both languages (i18n.Bilingual), got {self.route!r}")


class DerivationError(TechmarketError, ValueError):
    """An input selector that matches no row or several rows, or an input that cannot be used."""


def _match(table: pd.DataFrame, ref: Ref) -> pd.Series:
    mask = pd.Series(True, index=table.index)
    for key, value in ref.where:
        if key.endswith("_prefix"):
            mask &= table[key.removesuffix("_prefix")].astype(str).str.startswith(str(value))
            continue
        col = table[key]
        if value is None:
            mask &= col.isna() | (col.astype("string") == "")
        else:
            mask &= (col == value).fillna(False).astype(bool)
    rows = table[mask]
    if len(rows) != 1:
        raise DerivationError(f"{ref.source} selector ({ref.describe()}) matches {len(rows)} rows, expected 1")
    return rows.iloc[0]


def _short_unit(unit: str) -> str:
    """A unit as it follows a number in a sentence: '% of GDP' and its kin as '%'."""
    return "%" if unit.startswith("%") else unit


@dataclass(frozen=True)
class _Input:
    """One matched row as a derivation uses it."""

    interval: Interval  # what the printed value can be, in the canonical unit
    point: Interval  # the printed value itself, in the canonical unit
    printed: str  # value and unit as a route sentence quotes them
    ident: str
    origin: str
    approximate: bool
    preliminary: bool


def _input(row: pd.Series, source: str) -> _Input:
    """Read one matched row (a fact or an official release) for a derivation."""
    if source == "fact":
        text, unit, qualifier = str(row["value"]), str(row["unit"]), str(row["qualifier"])
        ident, origin = str(row["fact_id"]), f"paper {row['locator']}"
    else:
        text, unit, qualifier = str(row["value_text"]), str(row["unit"]), str(row["qualifier"])
        ident, origin = (str(row["ext_id"]),
                         f"{row['publisher']} (read at {row['retrieved_from'] or 'address not recorded'})")
    if qualifier in ("lower_bound", "upper_bound"):
        raise DerivationError(f"{ident} is only a {qualifier.replace('_', ' ')} and cannot enter a derivation")
    return _Input(printed_value(text, unit), printed_value(text, unit, exact=True), text + _short_unit(unit),
                  ident, origin, qualifier == "approximate", qualifier == "rounded_or_preliminary")


def evaluate(d: Derivation, facts: pd.DataFrame, external: pd.DataFrame) -> dict:
    """Compute one derivation: a row of the derived table."""
    inputs = {name: _input(_match(facts if ref.source == "fact" else external, ref), ref.source)
              for name, ref in d.inputs.items()}
    ids = [i.ident for i in inputs.values()]
    origins = list(dict.fromkeys(i.origin for i in inputs.values()))
    result = d.compute(**{name: i.interval for name, i in inputs.items()})
    point = d.compute(**{name: i.point for name, i in inputs.items()}).mid  # the same arithmetic on the printed values
    printed = {name: i.printed for name, i in inputs.items()}
    try:  # the numbers in a route sentence come from its inputs
        route = Bilingual(zh=d.route.zh.format_map(printed), en=d.route.en.format_map(printed))
    except (KeyError, IndexError, ValueError) as err:
        raise DerivationError(f"route {d.route.en!r} names {err}, "
                              f"which is not one of its inputs {list(d.inputs)}") from None
    formula = d.formula
    for name, ident in zip(d.inputs, ids, strict=True):
        formula = formula.replace(f"{{{name}}}", ident)
    return {
        "indicator": d.indicator, "geo": d.geo, "year": d.year, "category": d.category,
        "measure": d.measure, "unit": d.unit,
        "value": result.mid, "point": point, "lo": float(result.lo), "hi": float(result.hi), "interval": result,
        "route": route.en, "route_zh": route.zh, "formula": formula,
        "inputs": ";".join(ids), "origins": " | ".join(origins),
        "approximate_input": any(i.approximate for i in inputs.values()),
        "preliminary_input": any(i.preliminary for i in inputs.values()),
    }


# -------------------------------------------------------------------------------------------
# The derivations. Units: money 亿元, counts 项, shares and ratios in %.
# -------------------------------------------------------------------------------------------
T20 = fact("turnover", "广东", 2020, locator="§2.1")
GD = "广东"


def _turnover_2016_routes() -> list[Derivation]:
    common = dict(indicator="turnover", geo=GD, year=2016, unit="亿元")
    return [
        Derivation(**common, route=Bilingual(zh="2020年成交额 ÷ 论文所述2020/2016年倍数（{m}）",
                                             en="2020 turnover ÷ stated multiple 2020/2016 ({m})"),
                   formula="{t} / {m}", inputs={"t": T20, "m": fact("turnover", GD, 2020, "multiple", base_year=2016)},
                   compute=lambda t, m: t / m),
        Derivation(**common, route=Bilingual(zh="2020年成交额 ÷ (1 + 论文所述年均增长率)^4（{g}）",
                                             en="2020 turnover ÷ (1 + stated CAGR)^4 ({g})"),
                   formula="{t} / (1 + {g}/100)^4",
                   inputs={"t": T20, "g": fact("turnover", GD, 2020, "cagr", base_year=2016)},
                   compute=lambda t, g: t / (1 + g / 100) ** 4),
        Derivation(**common, route=Bilingual(zh="2016年成交额占GDP比重 × 2016年GDP（{gdp}的{r}）",
                                             en="2016 turnover/GDP × 2016 GDP ({r} of {gdp})"),
                   formula="{r}/100 × {gdp}", inputs={"r": fact("turnover_to_gdp", GD, 2016, locator="§2.2"),
                                                    "gdp": fact("gdp", GD, 2016)},
                   compute=lambda r, gdp: r / 100 * gdp),
        Derivation(**common, route=Bilingual(zh="2016年成交额占R&D经费比重 × 2016年R&D经费（{rd}的{r}）",
                                             en="2016 turnover/R&D × 2016 R&D ({r} of {rd})"),
                   formula="{r}/100 × {rd}", inputs={"r": fact("turnover_to_rd", GD, 2016, locator="§2.2"),
                                                   "rd": fact("rd_expenditure", GD, 2016)},
                   compute=lambda r, rd: r / 100 * rd),
        Derivation(**common, route=Bilingual(zh="2016年电子信息领域成交额 ÷ 其2016年占比（{e} = {s}）",
                                             en="2016 electronic-information turnover ÷ its 2016 share ({e} = {s})"),
                   formula="{e} / ({s}/100)", inputs={"e": fact("turnover", GD, 2016, category="电子信息"),
                                                     "s": fact("turnover", GD, 2016, "share", category="电子信息")},
                   compute=lambda e, s: e / (s / 100)),
    ]


def _other_guangdong() -> list[Derivation]:
    ttv20 = fact("tech_transaction_value", GD, 2020)
    avg16 = fact("avg_turnover_per_contract", GD, 2016)
    m = fact("turnover", GD, 2020, "multiple", base_year=2016)
    r16 = fact("turnover_to_gdp", GD, 2016, locator="§2.2")
    gdp16 = fact("gdp", GD, 2016)
    out = [
        Derivation("tech_transaction_value", GD, 2016, "亿元",
                   Bilingual(zh="2020年技术交易额 ÷ 论文所述倍数（{m}）",
                             en="2020 技术交易额 ÷ stated multiple ({m})"),
                   {"v": ttv20, "m": fact("tech_transaction_value", GD, 2020, "multiple", base_year=2016)},
                   lambda v, m: v / m, formula="{v} / {m}"),
        Derivation("tech_transaction_value", GD, 2016, "亿元",
                   Bilingual(zh="2020年技术交易额 ÷ (1 + 论文所述年均增长率)^4（{g}）",
                             en="2020 技术交易额 ÷ (1 + stated CAGR)^4 ({g})"),
                   {"v": ttv20, "g": fact("tech_transaction_value", GD, 2020, "cagr", base_year=2016)},
                   lambda v, g: v / (1 + g / 100) ** 4, formula="{v} / (1 + {g}/100)^4"),
        Derivation("contracts", GD, 2016, "项",
                   Bilingual(zh="2016年成交额（2020年 ÷ {m}）÷ 2016年平均每项合同成交额（{a}）",
                             en="2016 turnover (2020 ÷ {m}) ÷ 2016 average per contract ({a})"),
                   {"t": T20, "m": m, "a": avg16}, lambda t, m, a: t / m / a, formula="{t} / {m} / {a}"),
        Derivation("contracts", GD, 2016, "项",
                   Bilingual(zh="2016年成交额（GDP的{r}）÷ 2016年平均每项合同成交额（{a}）",
                             en="2016 turnover ({r} of GDP) ÷ 2016 average per contract ({a})"),
                   {"r": r16, "gdp": gdp16, "a": avg16}, lambda r, gdp, a: r / 100 * gdp / a,
                   formula="{r}/100 × {gdp} / {a}"),
    ]
    # Figure 1's 2017-2019 bars: the text never states them; Figure 2's chart data gives
    # turnover/GDP for every year, and official releases give GDP (rounded or preliminary).
    for year, gdp in GDP_EXT.items():
        out.append(Derivation(
            "turnover", GD, year, "亿元",
            Bilingual(zh=f"图2数据中{year}年成交额占GDP比重 × 官方{year}年GDP",
                      en=f"Figure 2 chart data turnover/GDP {year} × official {year} GDP"),
            {"r": fact("turnover_to_gdp", GD, year, locator="Figure 2 data"), "gdp": gdp},
            lambda r, gdp: r / 100 * gdp, formula="{r}/100 × {gdp}"))
    return out


# Official GDP for the years the paper does not give (2017-2019; rounded or preliminary).
GDP_EXT = {
    2017: ext("gdp", GD, 2017, unit="万亿元"),
    2018: ext("gdp", GD, 2018, unit="万亿元"),
    2019: ext("gdp", GD, 2019, unit="亿元"),
}

# Official R&D expenditure for the years the paper does not give (2017-2019). Where several
# releases give a year, the national R&D bulletin (NBS/MOST/MOF) is preferred to reposts of
# provincial summaries; 2017 has a single, low-quality source and is flagged in its origins.
RD_EXT = {
    2017: ext("rd_expenditure", GD, 2017),
    2018: ext("rd_expenditure", GD, 2018, unit="billion CNY"),
    2019: ext("rd_expenditure", GD, 2019, publisher_prefix="《2019年全国科技经费投入统计公报》全文"),
}


def _turnover_to_rd() -> list[Derivation]:
    """Figure 2's turnover/R&D series survives only for 2016; the middle years are derived from
    Figure 2's turnover/GDP × official GDP, divided by official R&D expenditure."""
    return [
        Derivation("turnover_to_rd", GD, year, "%",
                   Bilingual(zh=f"（图2中{year}年成交额占GDP比重 × 官方GDP）÷ 官方{year}年R&D经费",
                             en=f"(Figure 2 turnover/GDP {year} × official GDP) ÷ official R&D {year}"),
                   {"r": fact("turnover_to_gdp", GD, year, locator="Figure 2 data"), "gdp": GDP_EXT[year],
                    "rd": RD_EXT[year]},
                   lambda r, gdp, rd: r / 100 * gdp / rd * 100, formula="{r}/100 × {gdp} ÷ {rd} × 100")
        for year in (2017, 2018, 2019)
    ]


def _contract_types() -> list[Derivation]:
    def ct(cat: str, year: int, measure: str = "level", **k: object) -> Ref:
        return fact("turnover", GD, year, measure, category=cat, **k)

    m = fact("turnover", GD, 2020, "multiple", base_year=2016)
    svc, dev, tra = "技术服务", "技术开发", "技术转让"
    # 技术服务 and 技术开发 are stated alike (2020 level and share, multiple and share change since
    # 2016), so the same routes reach their 2016 level and share
    return [
        *(Derivation("turnover", GD, 2016, "亿元",
                     Bilingual(zh=f"2020年{cat} ÷ 论文所述倍数（{{k}}）", en=f"2020 {cat} ÷ stated multiple ({{k}})"),
                     {"v": ct(cat, 2020), "k": ct(cat, 2020, "multiple", base_year=2016)},
                     lambda v, k: v / k, category=cat, formula="{v} / {k}")
          for cat in (svc, dev)),
        Derivation("turnover", GD, 2020, "亿元",
                   Bilingual(zh="2020年技术转让占比 × 2020年成交额",
                             en="2020 技术转让 share × 2020 turnover"),
                   {"s": ct(tra, 2020, "share"), "t": T20},
                   lambda s, t: s / 100 * t, category=tra, formula="{s}/100 × {t}"),
        Derivation("turnover", GD, 2016, "亿元",
                   Bilingual(zh="2016年技术转让占比 × 2016年成交额（2020年 ÷ {m}）",
                             en="2016 技术转让 share × 2016 turnover (2020 ÷ {m})"),
                   {"s": ct(tra, 2016, "share"), "t": T20, "m": m},
                   lambda s, t, m: s / 100 * t / m, category=tra, formula="{s}/100 × {t} / {m}"),
        Derivation("turnover", GD, 2020, "%",
                   Bilingual(zh="2020年技术咨询占比 = 100 − 其他三类占比",
                             en="技术咨询 2020 share = 100 − the other three shares"),
                   {"a": ct(svc, 2020, "share"), "b": ct(dev, 2020, "share"), "c": ct(tra, 2020, "share")},
                   lambda a, b, c: 100 - a - b - c, category="技术咨询", measure="share",
                   formula="100 − {a} − {b} − {c}"),
        Derivation("turnover", GD, 2020, "亿元",
                   Bilingual(zh="2020年技术咨询 = 成交额 − 技术服务 − 技术开发 − 技术转让（占比 × 成交额）",
                             en="技术咨询 2020 = turnover − 技术服务 − 技术开发 − 技术转让 (share × turnover)"),
                   {"t": T20, "a": ct(svc, 2020), "b": ct(dev, 2020), "s": ct(tra, 2020, "share")},
                   lambda t, a, b, s: t - a - b - s / 100 * t, category="技术咨询",
                   formula="{t} − {a} − {b} − {s}/100 × {t}"),
        *(route for cat in (svc, dev) for route in (
            Derivation("turnover", GD, 2016, "%",
                       Bilingual(zh=f"2016年{cat}占比 = 2020年占比 − 论文所述变化（{{d}}）",
                                 en=f"{cat} 2016 share = 2020 share − stated pp change ({{d}})"),
                       {"s": ct(cat, 2020, "share"), "d": ct(cat, 2020, "pp_change", base_year=2016)},
                       lambda s, d: s - d, category=cat, measure="share", formula="{s} − ({d})"),
            Derivation("turnover", GD, 2016, "%",
                       Bilingual(zh=f"2016年{cat}占比 = (2020年金额 ÷ {{k}}) ÷ (2020年成交额 ÷ {{m}})",
                                 en=f"{cat} 2016 share = (2020 level ÷ {{k}}) ÷ (2020 turnover ÷ {{m}})"),
                       {"v": ct(cat, 2020), "k": ct(cat, 2020, "multiple", base_year=2016), "t": T20, "m": m},
                       lambda v, k, t, m: (v / k) / (t / m) * 100, category=cat, measure="share",
                       formula="({v} / {k}) / ({t} / {m}) × 100"))),
        Derivation("turnover", GD, 2016, "%",
                   Bilingual(zh="2016年技术咨询占比 = 100 − 技术转让 − 技术服务（{s} − {ds}）"
                                "− 技术开发（{d} − ({dd})）",
                             en="技术咨询 2016 share = 100 − 技术转让 − 技术服务 ({s} − {ds}) "
                                "− 技术开发 ({d} − ({dd}))"),
                   {"tr": ct(tra, 2016, "share"), "s": ct(svc, 2020, "share"),
                    "ds": ct(svc, 2020, "pp_change", base_year=2016),
                    "d": ct(dev, 2020, "share"), "dd": ct(dev, 2020, "pp_change", base_year=2016)},
                   lambda tr, s, ds, d, dd: 100 - tr - (s - ds) - (d - dd), category="技术咨询", measure="share",
                   formula="100 − {tr} − ({s} − {ds}) − ({d} − ({dd}))"),
    ]


def _fields_and_cities() -> list[Derivation]:
    out = []
    for cat in ("城市建设与社会发展", "现代交通"):
        out.append(Derivation("turnover", GD, 2020, "亿元",
                              Bilingual(zh=f"2020年{cat}占比 × 2020年成交额", en=f"{cat} 2020 share × 2020 turnover"),
                              {"s": fact("turnover", GD, 2020, "share", category=cat), "t": T20},
                              lambda s, t: s / 100 * t, category=cat, formula="{s}/100 × {t}"))
    gz20 = fact("turnover", "广州", 2020, qualifier="exact")
    out += [
        Derivation("turnover", "深圳", 2020, "亿元",
                   Bilingual(zh="三市占比（广深莞 {s}）× 2020年成交额 − 广州 − 东莞",
                             en="three-city share (广深莞 {s}) × 2020 turnover − 广州 − 东莞"),
                   {"s": fact("turnover", "广州+深圳+东莞", 2020, "share"), "t": T20,
                    "g": gz20, "d": fact("turnover", "东莞", 2020)},
                   lambda s, t, g, d: s / 100 * t - g - d, formula="{s}/100 × {t} − {g} − {d}"),
        Derivation("turnover", "东莞", 2016, "亿元",
                   Bilingual(zh="2020年金额 ÷ (1 + 论文所述增长率 {g})",
                             en="2020 level ÷ (1 + stated growth {g})"),
                   {"v": fact("turnover", "东莞", 2020),
                    "g": fact("turnover", "东莞", 2020, "growth_pct", base_year=2016)},
                   lambda v, g: v / (1 + g / 100), formula="{v} / (1 + {g}/100)"),
        Derivation("turnover", "清远", 2016, "亿元",
                   Bilingual(zh="2020年金额 ÷ 论文所述倍数（{k}）",
                             en="2020 level ÷ stated multiple ({k})"),
                   {"v": fact("turnover", "清远", 2020),
                    "k": fact("turnover", "清远", 2020, "multiple", base_year=2016)},
                   lambda v, k: v / k, formula="{v} / {k}"),
        Derivation("turnover", "清远", 2016, "亿元",
                   Bilingual(zh="2020年金额 ÷ (1 + 论文所述增长率 {g})",
                             en="2020 level ÷ (1 + stated growth {g})"),
                   {"v": fact("turnover", "清远", 2020),
                    "g": fact("turnover", "清远", 2020, "growth_pct", base_year=2016)},
                   lambda v, g: v / (1 + g / 100), formula="{v} / (1 + {g}/100)"),
    ]
    return out


TABLE1_GEOS = ("全国", "北京", "广东", "江苏", "山东", "上海", "陕西", "湖北", "浙江", "四川", "天津")


def _table1_gdp() -> list[Derivation]:
    """2020 GDP of each Table 1 row: turnover ÷ turnover/GDP (used for the size cross-section)."""
    return [
        Derivation("gdp", g, 2020, "亿元",
                   Bilingual(zh="表1成交额 ÷ 表1成交额占GDP比重",
                             en="Table 1 turnover ÷ Table 1 turnover/GDP"),
                   {"t": fact("turnover", g, 2020, locator="Table 1"),
                    "r": fact("turnover_to_gdp", g, 2020, locator="Table 1")},
                   lambda t, r: t / (r / 100), formula="{t} / ({r}/100)")
        for g in TABLE1_GEOS
    ]


def derivations() -> list[Derivation]:
    """Every derivation the package makes, in a stable order."""
    return (_turnover_2016_routes() + _other_guangdong() + _turnover_to_rd() + _contract_types()
            + _fields_and_cities() + _table1_gdp())


def derived_values(facts: pd.DataFrame | None = None, external: pd.DataFrame | None = None) -> pd.DataFrame:
    """The derived table: one row per (quantity, route), with interval, lineage and origins."""
    from techmarket.loaders import load_external, load_facts

    facts = load_facts() if facts is None else facts
    external = load_external() if external is None else external
    rows = [evaluate(d, facts, external) for d in derivations()]
    df = pd.DataFrame(rows)
    key = df[["indicator", "geo", "year", "category", "measure"]].astype(str).agg("|".join, axis=1)
    df.insert(0, "derived_id", [f"D-{i + 1:02d}" for i in range(len(df))])
    df.insert(1, "route_no", key.groupby(key).cumcount() + 1)
    return df


def compare_routes(derived: pd.DataFrame) -> pd.DataFrame:
    """One row per derived quantity: how many routes, their hull, and whether all routes agree
    (some value lies inside every route's interval)."""
    out = []
    for keys, grp in derived.groupby(["indicator", "geo", "year", "category", "measure", "unit"], sort=False):
        intervals = list(grp["interval"])
        # in one dimension, pairwise overlap means one value lies in all of them (Helly)
        common = all(a.intersects(b) for i, a in enumerate(intervals) for b in intervals[i + 1:])
        out.append(dict(zip(["indicator", "geo", "year", "category", "measure", "unit"], keys, strict=True),
                        routes=len(grp), lo=min(grp["lo"]), hi=max(grp["hi"]),
                        routes_agree=common if len(grp) > 1 else pd.NA,
                        derived_ids=";".join(grp["derived_id"])))
    return pd.DataFrame(out)
