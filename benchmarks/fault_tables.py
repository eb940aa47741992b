"""The faults benchmark's results as tables: outcomes by kind, by section and for pairs, sizes of
candidate sets, undetected misprints with their reasons, and the targets.

``summary_table`` is what the replication report shows (saved by ``--write`` as
``lib/techmarket/pages/faults_table.csv``: one row per line of a table, ``part`` naming the table);
``markdown`` is what the benchmark prints.
"""
from __future__ import annotations

import statistics
from collections import Counter
from datetime import date

import pandas as pd
from fault_outcomes import OUTCOMES

from techmarket.data.files import atomic_write
from techmarket.data.paths import PROJ_ROOT

TABLE = PROJ_ROOT / "lib" / "techmarket" / "pages" / "faults_table.csv"  # beside the page that shows it
COLUMNS = ["part", "row", *OUTCOMES, "total", "value", "target", "met", "measured"]
PAIR_OUTCOMES = {"alone": "alone", "competing": "competing"}


REASONS = ("no route reads the figure", "every route that reads it still holds")


def why_missed(m, reads: dict) -> str:
    """Why a misprint went undetected: nothing reads the figure (no route computes it, none reads it,
    no partition holds it), or every route that reads it still holds with the misprint (within
    rounding, or on the same side of a comparison)."""
    return REASONS[0] if m.fact_id not in reads else REASONS[1]


def _counts(part: str, row: str, outcomes: list[str]) -> dict:
    c = Counter(outcomes)
    return {"part": part, "row": row, **{o: c.get(o, 0) for o in OUTCOMES}, "total": len(outcomes)}


def _section(fact_id: str) -> str:
    head = fact_id.split("-")[0]
    return {"T1": "Table 1", "F2": "Figure 2"}.get(head, "§" + head[1:].split(".")[0])


def summary_table(done: list, paired: list, reads: dict, elapsed: float, cpu_per_worker: float) -> pd.DataFrame:
    """Every table of the benchmark in one frame (``part``: kind, section, pairs, size, target)."""
    rows = []
    singles = [(case[0], out) for case, out, _ in done]
    for kind in dict.fromkeys(m.kind for m, _ in singles):
        rows.append(_counts("kind", kind, [o.outcome for m, o in singles if m.kind == kind]))
    rows.append(_counts("kind", "all", [o.outcome for _, o in singles]))
    for sec in sorted({_section(m.fact_id) for m, _ in singles}, key=lambda s: (s[0] != "§", s)):
        rows.append(_counts("section", sec, [o.outcome for m, o in singles if _section(m.fact_id) == sec]))
    pair_out = [o.outcome for _, o, _ in paired]
    rows.append(_counts("pairs", "pairs", pair_out))
    for reason in REASONS:
        n = sum(1 for m, o in singles if o.outcome == "undetected" and why_missed(m, reads) == reason)
        rows.append({"part": "undetected", "row": reason, "total": n})
    sizes = [len(o.candidates) for _, o in singles if o.outcome in ("alone", "competing", "cascade")]
    for size, n in sorted(Counter(sizes).items()):
        rows.append({"part": "size", "row": str(size), "total": n})
    big = [o for _, o in singles if len(o.candidates) > 3]
    tracebacks = sum(1 for *_, tb in done + paired if tb)
    both = sum(1 for o in pair_out if o in ("alone", "competing"))
    detected_pairs = sum(1 for o in pair_out if o != "undetected")
    median = statistics.median(sizes) if sizes else 0
    every = Counter(o.outcome for _, o in singles) + Counter(pair_out)
    targets = [("cascades", every["cascade"], "0", every["cascade"] == 0),
               ("wrong blames", every["wrong_blame"], "0", every["wrong_blame"] == 0),
               ("stopped audits", every["stopped"], "0", every["stopped"] == 0),
               ("tracebacks", tracebacks, "0", tracebacks == 0),
               ("pairs with both figures named", f"{both} of {detected_pairs}", "all detected",
                both == detected_pairs),
               ("median candidate set", median, "≤ 2", median <= 2),
               ("sets larger than 3 that say why", f"{sum(1 for o in big if o.why)} of {len(big)}", "all",
                all(o.why for o in big)),
               ("wall time (s)", round(elapsed), f"≤ {600}", elapsed <= 600),
               ("CPU time per worker (s)", round(cpu_per_worker), "", True)]
    today = date.today().isoformat()
    rows += [{"part": "target", "row": name, "value": str(v), "target": t, "met": "yes" if ok else "no",
              "measured": today} for name, v, t, ok in targets]
    table = pd.DataFrame(rows, columns=COLUMNS)
    for col in [*OUTCOMES, "total"]:
        table[col] = table[col].astype("Int64")  # counts stay whole numbers in the CSV
    return table.astype(object).where(table.notna(), "")


def markdown(table: pd.DataFrame, done: list, paired: list, reads: dict, elapsed: float) -> str:
    """The benchmark's report, as Markdown tables."""
    out = []
    for part, head in (("kind", "kind"), ("section", "section"), ("pairs", "")):
        t = table[table["part"] == part]
        out.append(f"| {head} | " + " | ".join(OUTCOMES) + " | total |")
        out.append("|---" * (len(OUTCOMES) + 2) + "|")
        out += [f"| {r['row']} | " + " | ".join(str(int(r[o])) for o in OUTCOMES) + f" | {int(r['total'])} |"
                for _, r in t.iterrows()]
        out.append("")
    sizes = table[table["part"] == "size"]
    out.append("candidate-set sizes (detected single misprints): "
               + ", ".join(f"{r['row']}: {int(r['total'])}" for _, r in sizes.iterrows()))
    for (m,), o, _ in done:
        if len(o.candidates) > 3:
            out.append(f"- {m.fact_id} {m.printed} → {m.seeded}: {len(o.candidates)} candidates; {o.why}")
    out.append("\nundetected:")
    for (m,), o, _ in done:
        if o.outcome == "undetected":
            out.append(f"- {m.fact_id} {m.kind} {m.printed} → {m.seeded}: {why_missed(m, reads)}")
    out.append("\nnot located:")
    for case, o, tb in done + paired:
        if o.outcome in ("cascade", "wrong_blame", "stopped"):
            what = ", ".join(f"{m.fact_id} {m.printed} → {m.seeded}" for m in case)
            out.append(f"- {o.outcome}: {what}; candidates {', '.join(o.candidates) or '-'}; "
                       f"cascade {', '.join(o.cascade) or '-'}{'; ' + o.error if o.error else ''}"
                       f"{' (traceback)' if tb else ''}")
    out.append("\n| target | value | goal | met |\n|---|---|---|---|")
    for _, r in table[table["part"] == "target"].iterrows():
        out.append(f"| {r['row']} | {r['value']} | {r['target']} | {r['met']} |")
    return "\n".join(out)


def write_summary(table: pd.DataFrame) -> None:
    atomic_write(TABLE, table.to_csv(index=False))
