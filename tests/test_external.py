"""The external table is the shared CSV, byte for byte, with every provenance column."""
from techmarket.data.loaders import load_external
from techmarket.data.paper_checks import value_in_excerpt, values_not_in_excerpt
from techmarket.data.paths import EXTERNAL_CSV

PROVENANCE = ["qualifier", "unit", "publisher", "retrieved_from", "excerpt", "note"]


def test_copy_is_byte_identical_to_shared(shared_external_csv):
    assert EXTERNAL_CSV.read_bytes() == shared_external_csv.read_bytes()


def test_provenance_columns_kept():
    e = load_external()
    for col in PROVENANCE:
        assert col in e.columns
    assert e["publisher"].str.len().min() > 0 and e["excerpt"].str.len().min() > 0


def test_each_value_is_printed_in_its_excerpt():
    """The number in `value` appears in the page text (allowing thousands separators and the
    traditional/Italian number formats some pages use)."""
    e = load_external()
    misses = [str(p) for p in values_not_in_excerpt(e)]
    assert not misses, "values not printed in their excerpt (data/external/official_releases.csv):\n" + "\n".join(
        misses)


def test_excerpt_check_rejects_a_missing_number_and_names_the_line():
    assert value_in_excerpt("8.99", "广东地区生产总值8.99万亿元")
    assert value_in_excerpt("1234.5", "1,234.5亿元") and value_in_excerpt("2240", "2.240 billion")
    assert not value_in_excerpt("8.98", "广东地区生产总值8.99万亿元")
    e = load_external().head(3).copy()
    e.loc[1, "value_text"] = "0.123456"
    [problem] = values_not_in_excerpt(e)
    assert (problem.line, problem.column, problem.found) == (3, "value", "0.123456")
