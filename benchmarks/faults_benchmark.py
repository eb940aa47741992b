"""How far the claims audit can be trusted: misprints seeded into every printed figure, audited.

Like statcheck's validity study, this measures the instrument on cases whose truth is known. Every
printed figure of ``data/paper/facts.csv`` is misprinted the ways printers err
(:mod:`misprints`: last digit off by one, adjacent digits swapped, decimal point moved right or left,
a digit dropped, a number in words off by one), one at a time, in a scratch copy of ``data/``
(value, span and claim row alike); each copy is read by the package's loaders and audited in-process
(:func:`techmarket.audit.run.run_audit`, what ``verify`` runs). Then 100 pairs of detected misprints
in unrelated parts of the paper (different sections, no constraint reading both), drawn with a
fixed seed. Each case gets an outcome (:mod:`fault_outcomes`).

Prints Markdown tables: outcomes by kind and by section, the pairs, the sizes of candidate sets
(with why the paper cannot decide, for sets larger than 3), each undetected misprint with its
reason, and the targets: 0 cascades, 0 wrong blames, 0 stopped audits, 0 tracebacks, both figures
named for every detected pair, median candidate set ≤ 2, every set larger than 3 explained, at
most 600 s. ``--write`` saves the summary the replication report shows
(``lib/techmarket/pages/faults_table.csv``). Exit status 1 when a target is missed.
Run: ``make faults`` (or ``.venv/bin/python benchmarks/faults_benchmark.py [--workers N] [--write]``).
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import resource
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

from fault_outcomes import Outcome, baseline, classify
from fault_tables import markdown, summary_table, write_summary
from misprints import KINDS, Misprint, misprints, read_rows, seed

from techmarket.audit.run import run_audit
from techmarket.data.errors import TechmarketError
from techmarket.data.loaders import data_files, load_claims, load_external, load_facts
from techmarket.data.paths import DATA_DIR

PAIRS, SEED, LIMIT_S = 100, 18, 600
_state: dict = {}


def audit(data_dir: Path | None):
    files = data_files(data_dir)
    facts = load_facts(files.facts, datapackage=files.datapackage)
    external = load_external(files.external, datapackage=files.datapackage)
    return run_audit(load_claims(files.claims, facts=facts, datapackage=files.datapackage), facts, external)


def _init(base, root: str) -> None:
    """A worker: its own scratch copy of ``data/`` under ``root``, and the baseline."""
    scratch = Path(tempfile.mkdtemp(prefix="worker-", dir=root))
    shutil.copytree(DATA_DIR, scratch / "data")
    _state.update(dir=scratch / "data", base=base, facts=read_rows(DATA_DIR / "paper" / "facts.csv"),
                  claims=read_rows(DATA_DIR / "paper" / "claims.csv"))


def run_case(slips: tuple[Misprint, ...]) -> tuple[tuple[Misprint, ...], Outcome, bool]:
    """One case: seeded, audited, classified; (case, outcome, ended in a traceback)."""
    seed(_state["dir"], _state["facts"], _state["claims"], list(slips))
    try:
        result = audit(_state["dir"])
    except TechmarketError as err:
        return slips, Outcome("stopped", error=str(err).splitlines()[0][:200]), False
    except Exception:  # noqa: BLE001 - a traceback is what the benchmark counts
        return slips, Outcome("stopped", error=traceback.format_exc().splitlines()[-1][:200]), True
    return slips, classify(result, _state["base"], tuple(m.fact_id for m in slips)), False


def related(a: str, b: str, model_figures: dict[str, frozenset[str]]) -> bool:
    """Whether some constraint reads both figures."""
    return bool(model_figures.get(a, frozenset()) & model_figures.get(b, frozenset()))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--kinds", nargs="*", choices=KINDS, default=list(KINDS))
    ap.add_argument("--only", nargs="*", help="only these fact ids (a quick look; no pairs)")
    ap.add_argument("--write", action="store_true", help="save the summary the replication report shows")
    args = ap.parse_args(argv)
    start = time.perf_counter()
    base_result = audit(None)
    base = baseline(base_result)
    facts = read_rows(DATA_DIR / "paper" / "facts.csv")[1]
    singles = [m for m in misprints(facts) if m.kind in args.kinds and (not args.only or m.fact_id in args.only)]
    with tempfile.TemporaryDirectory(prefix="faults-") as root, \
            mp.get_context("fork").Pool(args.workers, _init, (base, root)) as pool:
        done = _mapped(pool, [(m,) for m in singles], "single misprints")
        reads = _reads(base_result)
        detected = [c[0][0] for c in done if c[1].outcome not in ("undetected", "stopped")]
        rng = random.Random(SEED)
        pairs: list[tuple[Misprint, Misprint]] = []
        tries = 0
        while not args.only and len(pairs) < PAIRS and tries < 100_000 and len(detected) > 1:
            tries += 1
            a, b = rng.sample(detected, 2)
            if a.section != b.section and not related(a.fact_id, b.fact_id, reads):
                pairs.append((a, b))
        paired = _mapped(pool, pairs, "pairs")
    elapsed = time.perf_counter() - start
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_s = cpu.ru_utime + cpu.ru_stime + time.process_time()
    print(f"wall {elapsed:.0f} s; CPU {cpu_s:.0f} s in all ({cpu_s / args.workers:.0f} s per worker); "
          f"load average at the end {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", file=sys.stderr)
    table = summary_table(done, paired, reads, elapsed, cpu_s / args.workers)
    print(markdown(table, done, paired, reads, elapsed))
    if args.write and not args.only:
        write_summary(table)
    missed = table[(table["target"] != "") & (table["met"] == "no")]
    return 1 if len(missed) else 0


def _mapped(pool, cases: list, what: str) -> list:
    """``run_case`` over ``cases`` in the pool, in order, with progress on stderr."""
    out = []
    for i, case in enumerate(pool.imap(run_case, cases, chunksize=4), start=1):
        out.append(case)
        if i % 100 == 0 or i == len(cases):
            print(f"{what}: {i} of {len(cases)} audited", file=sys.stderr, flush=True)
    return out


def _reads(result) -> dict[str, frozenset[str]]:
    """For each figure, the constraints (routes and partitions) that involve it, from the model."""
    from techmarket.audit.claim_routes import routes
    from techmarket.audit.derive import derived_values
    from techmarket.audit.model import build
    from techmarket.audit.sources import Sources

    facts, external = load_facts(), load_external()
    claims = load_claims(facts=facts)
    sources = Sources(facts, external, derived_values(facts, external), claims)
    model = build(claims, sources, routes(sources))
    out: dict[str, set[str]] = {}
    for c in model.constraints:
        for f in c.figures:
            out.setdefault(f, set()).add(c.route_id)
    return {k: frozenset(v) for k, v in out.items()}


if __name__ == "__main__":
    sys.exit(main())
