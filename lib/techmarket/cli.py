"""Command line: ``python -m techmarket <command>``."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _fonts(args: argparse.Namespace) -> int:
    from techmarket.fonts import cjk_font_path, missing_glyphs, register_cjk_font

    family = register_cjk_font()
    probe = "广东技术市场技术合同成交额占GDP比重"
    missing = missing_glyphs(probe)
    if missing:
        print(f"font {family} lacks glyphs for {''.join(missing)!r}", file=sys.stderr)
        return 1
    print(f"CJK font ready: {family} ({cjk_font_path().name})")
    return 0


def _environment(args: argparse.Namespace) -> int:
    from techmarket.envfile import environment_yml_text

    sys.stdout.write(environment_yml_text())
    return 0


def _check_data(args: argparse.Namespace) -> int:
    from techmarket.errors import DataValidationError
    from techmarket.loaders import load_external, load_facts

    try:
        facts = load_facts()
        external = load_external()
    except DataValidationError as err:
        print(err, file=sys.stderr)
        return 1
    print(f"data/paper/facts.csv: {len(facts)} facts valid")
    print(f"data/external/official_releases.csv: {len(external)} rows valid")
    return 0


def _build(args: argparse.Namespace) -> int:
    from techmarket.build import build

    params = {}
    for item in args.param or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            print(f"build: parameters are KEY=VALUE, got {item!r}", file=sys.stderr)
            return 2
        params[key] = value
    if args.workers is not None and args.workers < 1:
        print("build: --workers must be at least 1", file=sys.stderr)
        return 2
    return build(only=args.only, langs=args.lang, params=params, workers=args.workers, force=args.force)


def _refresh(args: argparse.Namespace) -> int:
    from techmarket.build import refresh_committed

    return refresh_committed(only=args.only)


def _verify(args: argparse.Namespace) -> int:
    import pandas as pd

    from techmarket.audit import EXTERNAL_VERDICTS, SNAPSHOT_COLUMNS, VERDICTS, compare_snapshot, run_audit, summary
    from techmarket.build import atomic_write
    from techmarket.paths import AUDIT_SNAPSHOT, PROJ_ROOT, REPORTS_DIR

    unknown = set(args.verdict or []) - set(VERDICTS) - set(EXTERNAL_VERDICTS)
    if unknown:
        print(f"unknown verdict(s) {sorted(unknown)}; known: {list(VERDICTS) + list(EXTERNAL_VERDICTS)}", file=sys.stderr)
        return 2
    audit = run_audit()
    shown = audit
    if args.section:
        shown = shown[shown.section.isin(args.section) | shown.section.str.split(".").str[0].isin(args.section)]
    if args.verdict:
        shown = shown[shown.verdict.isin(args.verdict) | shown.external_verdict.isin(args.verdict)]
    table = shown[["claim_id", "section", "paraphrase_en", "reported", "unit", "recomputed", "verdict", "external_verdict"]]
    with pd.option_context("display.max_rows", None, "display.width", 200, "display.max_colwidth", 60):
        print(table.to_string(index=False))
    print()
    print(summary(audit).pivot_table(index="value", columns="table", values="claims", aggfunc="sum", fill_value=0)
          .reindex(list(VERDICTS) + list(EXTERNAL_VERDICTS)).dropna(how="all").astype(int).to_string())
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m techmarket", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("fonts", help="check that the CJK font is installed and complete")
    p.add_argument("--check", action="store_true", help="(default) check and report")
    p.set_defaults(func=_fonts)
    p = sub.add_parser("environment", help="print environment.yml generated from requirements.lock")
    p.set_defaults(func=_environment)
    p = sub.add_parser("check-data", help="validate every table in data/")
    p.set_defaults(func=_check_data)
    p = sub.add_parser("build", help="execute the notebooks and export HTML reports (parallel, incremental)")
    p.add_argument("--only", action="append", help="notebook stem to build, e.g. 03_structure (repeatable)")
    p.add_argument("--lang", action="append", help="language, zh or en (repeatable; default both)")
    p.add_argument("-p", "--param", action="append", metavar="KEY=VALUE", help="notebook parameter, e.g. province=江苏")
    p.add_argument("--workers", type=int, help="parallel notebook runs (default: number of cores)")
    p.add_argument("--force", action="store_true", help="rebuild everything, ignoring the cache")
    p.set_defaults(func=_build)
    p = sub.add_parser("refresh-notebooks", help="re-execute the committed notebooks in place (default parameters)")
    p.add_argument("--only", action="append", help="notebook stem (repeatable)")
    p.set_defaults(func=_refresh)
    p = sub.add_parser("verify", help="audit every quantitative claim of the paper")
    p.add_argument("--section", action="append", help="only claims of this section (e.g. 2.2, or 4 for all of §4)")
    p.add_argument("--verdict", action="append", help="only claims with this verdict or external verdict")
    p.add_argument("--csv", help="where to write the full audit (default reports/claims_audit.csv)")
    p.add_argument("--update-snapshot", action="store_true", help="rewrite the committed verdict snapshot")
    p.set_defaults(func=_verify)
    args = parser.parse_args(argv)
    return args.func(args)
