"""The replication report says how far the audit can be trusted: the faults benchmark's table, in
both languages, read from the file ``make faults --write`` saves (a small table written here)."""
from __future__ import annotations

import re

from techmarket.pages.replication import trust_html

TABLE = """part,row,alone,competing,cascade,wrong_blame,stopped,undetected,total,value,target,met,measured
kind,point_left,7,2,0,0,0,1,10,,,,
kind,all,7,2,0,0,0,1,10,,,,
section,§2,5,1,0,0,0,1,7,,,,
section,Table 1,2,1,0,0,0,0,3,,,,
pairs,pairs,3,1,0,0,0,0,4,,,,
size,1,,,,,,,7,,,,
size,2,,,,,,,2,,,,
target,cascades,,,,,,,,0,0,yes,2026-12-06
target,pairs with both figures named,,,,,,,,4 of 4,all detected,yes,2026-12-06
target,wall time (s),,,,,,,,700,≤ 600,no,2026-12-06
"""


def test_the_benchmark_table_is_shown_in_both_languages(tmp_path):
    path = tmp_path / "faults_table.csv"
    path.write_text(TABLE, encoding="utf-8")
    en, zh = trust_html("en", path), trust_html("zh", path)
    assert "How far the audit can be trusted" in en and "审计能被信任到什么程度" in zh
    assert "decimal point one place left" in en and "小数点左移一位" in zh
    assert "第2节" in zh and "表1" in zh and "Table 1" in en
    # the counts as measured, the missed target as missed
    assert re.search(r"located alone.*?</th>", en) and '<td class="num">7</td>' in en
    assert "<td>no</td>" in en and "<td>否</td>" in zh
    assert "1: 7, 2: 2" in en
    assert "4 of 4" in en and "all detected" in en and "4中4" in zh and "被发现的全部" in zh
    # a Chinese page shows no code identifiers
    for ident in ("point_left", "wrong_blame", "undetected", "pairs"):
        assert ident not in re.sub(r"<[^>]+>", "", zh), ident


def test_without_a_measurement_the_page_says_so(tmp_path):
    assert "Not measured yet" in trust_html("en", tmp_path / "none.csv")
    assert "尚未测量" in trust_html("zh", tmp_path / "none.csv")

