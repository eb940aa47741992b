"""The external table is the shared CSV, byte for byte, with every provenance column."""
from techmarket.loaders import load_external
from techmarket.paths import EXTERNAL_CSV

# numbers the pages print in words or in another language's format
WORDS = {"2240": {"2.240"}, "1000": {"千億", "千亿"}}
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
    misses = []
    for r in e.itertuples():
        texts = (r.excerpt.replace(" ", ""), r.excerpt.replace(",", "").replace(" ", ""))
        v = r.value_text
        candidates = {v, v.replace(".", ","), v.rstrip("0").rstrip(".") if "." in v else v}
        candidates |= WORDS.get(v, set())
        if not any(c in t for c in candidates for t in texts):
            misses.append((r.ext_id, v, r.excerpt[:60]))
    assert not misses, misses
