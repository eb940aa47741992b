"""Command line: ``python -m techmarket <command>``."""
from __future__ import annotations

import argparse
import sys


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
    from techmarket.loaders import load_external, load_facts
    from techmarket.errors import DataValidationError

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

    return build(only=args.only, langs=args.lang)


def _refresh(args: argparse.Namespace) -> int:
    from techmarket.build import refresh_committed

    return refresh_committed(only=args.only)


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
    p = sub.add_parser("build", help="execute the notebooks and export HTML reports")
    p.add_argument("--only", action="append", help="notebook stem to build (repeatable)")
    p.add_argument("--lang", action="append", choices=["zh", "en"], help="language (repeatable)")
    p.set_defaults(func=_build)
    p = sub.add_parser("refresh-notebooks", help="re-execute the committed notebooks in place (default parameters)")
    p.add_argument("--only", action="append", help="notebook stem (repeatable)")
    p.set_defaults(func=_refresh)
    args = parser.parse_args(argv)
    return args.func(args)
