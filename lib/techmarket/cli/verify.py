"""``python -m techmarket verify``: audit every quantitative claim of the paper (or of a copy of
``data/``), print the table and the diagnoses, write the full audit, and compare the verdicts with
the committed snapshot."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from techmarket.data.errors import TechmarketError


def verify(args: argparse.Namespace) -> int:
    """``python -m techmarket verify``: the claims audit printed, written and checked against the
    committed snapshot; a selection that matches nothing says so."""
    import pandas as pd

    from techmarket.audit.derive import DerivationError
    from techmarket.audit.external_checks import EXTERNAL_VERDICTS
    from techmarket.audit.formula import FormulaError
    from techmarket.audit.run import SNAPSHOT_COLUMNS, VERDICTS, compare_snapshot, run_audit, summary
    from techmarket.audit.text import diagnoses_text
    from techmarket.data.files import atomic_write
    from techmarket.data.loaders import data_files, load_claims, load_external, load_facts
    from techmarket.data.paths import AUDIT_SNAPSHOT, PROJ_ROOT, REPORTS_DIR, relative

    known = list(VERDICTS) + list(EXTERNAL_VERDICTS)
    unknown = set(args.verdict or []) - set(known)
    if unknown:
        print(f"unknown verdict(s) {sorted(unknown)}; known: {known}", file=sys.stderr)
        return 2
    if args.data_dir is not None and args.update_snapshot:
        print("verify: --update-snapshot refreshes the snapshot of data/ and cannot be used with --data-dir",
              file=sys.stderr)
        return 2
    files = data_files(args.data_dir)
    facts = load_facts(files.facts, datapackage=files.datapackage)
    external = load_external(files.external, datapackage=files.datapackage)
    claims = load_claims(files.claims, facts=facts, datapackage=files.datapackage)
    sections = sorted(set(claims["section"]))
    unknown = [s for s in args.section or [] if s not in sections and s not in {x.split(".")[0] for x in sections}]
    if unknown:
        print(f"verify: --section {', '.join(unknown)} names no section with claims; the sections are "
              f"{', '.join(sections)} (or 1-5 for a whole chapter)", file=sys.stderr)
        return 2
    try:
        result = run_audit(claims, facts, external)
    except (DerivationError, FormulaError) as err:
        # valid tables that lack (or changed) a row a derivation or a claim's route reads
        raise TechmarketError(
            f"{relative(files.facts)}, {relative(files.external)}: the tables are valid, but the audit cannot "
            f"run on them: {err} (a row that lib/techmarket/audit/derivations.py or claim_routes.py reads is "
            f"missing or changed)"
        ) from None
    audit = result.claims
    shown = audit
    if args.section:
        shown = shown[shown.section.isin(args.section) | shown.section.str.split(".").str[0].isin(args.section)]
    if args.verdict:
        shown = shown[shown.verdict.isin(args.verdict) | shown.external_verdict.isin(args.verdict)]
    if shown.empty:
        asked = " and ".join(f"--{name} {', '.join(getattr(args, name))}" for name in ("section", "verdict")
                             if getattr(args, name))
        print(f"verify: no claim matches {asked}; nothing to show", file=sys.stderr)
        return 1
    table = shown[["claim_id", "section", "paraphrase_en", "reported", "unit", "recomputed", "verdict",
                   "external_verdict"]]
    with pd.option_context("display.max_rows", None, "display.width", 200, "display.max_colwidth", 60):
        print(table.to_string(index=False))
    print()
    print(summary(audit).pivot_table(index="value", columns="table", values="claims", aggfunc="sum", fill_value=0)
          .reindex(known).dropna(how="all").astype(int).to_string())
    print(f"\n{diagnoses_text(result.diagnoses)}")
    if args.csv is None and args.data_dir is not None:
        # reports/ holds the audit of data/; an audit of another folder is written only where asked
        print("\nfull audit not written (give --csv PATH to write it)")
    else:
        out = Path(args.csv) if args.csv else REPORTS_DIR / "claims_audit.csv"
        atomic_write(out, audit.to_csv(index=False))
        print(f"\nfull audit written to {out.relative_to(PROJ_ROOT) if out.is_relative_to(PROJ_ROOT) else out}")
    if args.update_snapshot:
        atomic_write(AUDIT_SNAPSHOT, audit[SNAPSHOT_COLUMNS].to_csv(index=False))
        print(f"snapshot refreshed: {AUDIT_SNAPSHOT.relative_to(PROJ_ROOT)}")
        return 0
    if not AUDIT_SNAPSHOT.is_file():
        print(f"no snapshot at {AUDIT_SNAPSHOT}; run with --update-snapshot to create it", file=sys.stderr)
        return 1
    changes = compare_snapshot(audit, pd.read_csv(AUDIT_SNAPSHOT, dtype=str, keep_default_na=False))
    if changes:
        print(f"{len(changes)} verdict(s) differ from the snapshot:", file=sys.stderr)
        for line in changes:
            print(f"  {line}", file=sys.stderr)
        return 1
    print("verdicts match the snapshot")
    return 0
