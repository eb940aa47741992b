"""Command line: ``python -m techmarket <command>``."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from techmarket.cli.verify import verify
from techmarket.data.errors import TechmarketError
from techmarket.data.paths import SHARED_PAPER


def _fonts(args: argparse.Namespace) -> int:
    from techmarket.pages.fonts import cjk_font_path, missing_glyphs, register_cjk_font

    family = register_cjk_font()
    probe = "广东技术市场技术合同成交额占GDP比重"
    missing = missing_glyphs(probe)
    if missing:
        print(f"font {family} lacks glyphs for {''.join(missing)!r}", file=sys.stderr)
        return 1
    print(f"CJK font ready: {family} ({cjk_font_path().name})")
    return 0


def _environment(args: argparse.Namespace) -> int:
    from techmarket.site.envfile import environment_yml_text

    sys.stdout.write(environment_yml_text())
    return 0


def _check_data(args: argparse.Namespace) -> int:
    from techmarket.data import descriptor
    from techmarket.data.errors import DataValidationError, InputError, TechmarketError
    from techmarket.data.loaders import data_files, load_claims, load_external, load_facts
    from techmarket.data.paper_checks import (
        addresses_not_on_the_web,
        items_not_beside_span,
        read_paper,
        spans_not_in_paper,
    )
    from techmarket.data.paths import relative

    files = data_files(args.data_dir)
    paper_path = Path(args.paper) if args.paper is not None else SHARED_PAPER
    if args.paper is not None and not paper_path.is_file():
        raise InputError(f"--paper {args.paper}: no such file (expected the paper's text); nothing was checked")
    # the one place the package reads beside the project: optional, and said so when skipped
    paper = read_paper(paper_path) if args.paper is not None or SHARED_PAPER.is_file() else None
    descriptor.check_descriptor(files.datapackage)
    print(f"{relative(files.datapackage)}: descriptor has every table and column the loaders need")
    failures: list[DataValidationError] = []
    mismatch = "the rows load but do not match the text they were read from"

    def attempt(load):
        try:
            return load()
        except DataValidationError as err:
            failures.append(err)
            return None

    def check(path: Path, problems: list, valid: str) -> None:
        if problems:
            failures.append(DataValidationError(path, problems, consequence=mismatch))
        else:
            print(f"{relative(path)}: {valid}")

    in_paper = f" and is verbatim in the paper ({paper_path})" if paper is not None else ""
    facts = attempt(lambda: load_facts(files.facts, datapackage=files.datapackage))
    if facts is not None:
        problems = spans_not_in_paper(facts, paper) if paper is not None else []
        check(files.facts, problems, f"{len(facts)} facts valid; every span states its value{in_paper}")
        claims = attempt(lambda: load_claims(files.claims, facts=facts, datapackage=files.datapackage))
        if claims is not None:
            against_paper, verbatim = [], ""
            if paper is not None:
                against_paper = spans_not_in_paper(claims, paper) + items_not_beside_span(claims, paper)
                verbatim = f"; every span and listed item is verbatim in the paper ({paper_path})"
            check(files.claims, against_paper,
                  f"{len(claims)} claims valid; every claim on a printed number names an existing fact and "
                  f"repeats its span, value and unit; every count states its number{verbatim}")
    else:
        print(f"{relative(files.claims)}: NOT checked (each claim is checked against the facts, "
              f"and {relative(files.facts)} did not load)", file=sys.stderr)
    external = attempt(lambda: load_external(files.external, datapackage=files.datapackage))
    if external is not None:
        check(files.external, addresses_not_on_the_web(external),
              f"{len(external)} rows valid; every value is printed in its excerpt; every address is a web address")
    if paper is None:
        print(f"paper: NOT checked: the paper's text is not at {paper_path}, so the checks that every span is "
              "verbatim in the paper were NOT run (give the text with --paper PATH)", file=sys.stderr)
    if failures:
        raise TechmarketError("\n\n".join(str(err) for err in failures))
    return 0


def _build(args: argparse.Namespace) -> int:
    from techmarket.site.build import build

    params = {}
    for item in args.param or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            print(f"build: parameters are KEY=VALUE, got {item!r}", file=sys.stderr)
            return 2
        if key in params and params[key] != value:
            print(f"build: parameter {key!r} given twice ({params[key]!r} and {value!r}); give it once",
                  file=sys.stderr)
            return 2
        params[key] = value
    if args.workers is not None and args.workers < 1:
        print("build: --workers must be at least 1", file=sys.stderr)
        return 2
    if not args.timeout > 0:
        print(f"build: --timeout must be a positive number of seconds, got {args.timeout:g}", file=sys.stderr)
        return 2
    return build(only=args.only, langs=args.lang, params=params, workers=args.workers, force=args.force,
                 time_limit=args.timeout)


def _annotate(args: argparse.Namespace) -> int:
    from techmarket.audit.cache import cached_audit
    from techmarket.audit.derive import derived_values
    from techmarket.data.errors import InputError
    from techmarket.data.files import atomic_write
    from techmarket.data.loaders import load_claims, load_external, load_facts
    from techmarket.pages.paper_text import locate, read_paper
    from techmarket.pages.paper_views import write_paper_views
    from techmarket.site.export import base_font, page_identity
    from techmarket.site.index import summary_rows, write_index
    from techmarket.site.plan import Project

    paper = Path(args.paper) if args.paper is not None else SHARED_PAPER
    if not paper.is_file():
        given = f"--paper {args.paper}" if args.paper is not None else f"the paper's text at {SHARED_PAPER}"
        raise InputError(f"{given}: no such file (expected the paper's text as UTF-8); nothing was written")
    project = Project()
    facts, external = load_facts(), load_external()
    claims = load_claims(facts=facts)
    text = read_paper(paper)
    located = locate(text, claims, facts)  # a span not in the text stops here, before the audit
    derived = derived_values(facts, external)
    result = cached_audit(facts, external, derived, claims=claims)
    written = write_paper_views(project, facts, claims, derived, result, page_identity(project), base_font(project),
                                text, located)
    atomic_write(project.reports_dir / "claims_audit.csv", result.claims.to_csv(index=False))
    write_index(project, summary_rows(result))
    for path in written:
        print(f"  wrote    {path.relative_to(project.root)}")
    print(f"annotated paper: {(project.reports_dir / 'annotated_paper.html').relative_to(project.root)} "
          f"(中文: annotated_paper.zh.html), built from {paper}")
    return 0


def _refresh(args: argparse.Namespace) -> int:
    from techmarket.site.notebook_run import refresh_committed

    return refresh_committed(only=args.only)


def main(argv: list[str] | None = None) -> int:
    from techmarket.site.notebook_run import TIME_LIMIT

    parser = argparse.ArgumentParser(prog="python -m techmarket", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("fonts", help="check that the CJK font is installed and complete")
    p.add_argument("--check", action="store_true", help="(default) check and report")
    p.set_defaults(func=_fonts)
    p = sub.add_parser("environment", help="print environment.yml generated from requirements.lock")
    p.set_defaults(func=_environment)
    p = sub.add_parser("check-data", help="validate every table in data/ (and its spans against the paper)")
    p.add_argument("--data-dir", metavar="DIR",
                   help="check this folder (laid out as data/ is) instead of data/")
    p.add_argument("--paper", metavar="PATH",
                   help="the paper's text, to check every span against it (default: ../shared/paper/"
                        f"{SHARED_PAPER.name} beside the project, if present; without it that check is skipped)")
    p.set_defaults(func=_check_data)
    p = sub.add_parser("build", help="execute the notebooks and export HTML reports (parallel, incremental)")
    p.add_argument("--only", action="append", help="notebook stem to build, e.g. 03_structure (repeatable)")
    p.add_argument("--lang", action="append", help="language, zh or en (repeatable; default both)")
    p.add_argument("-p", "--param", action="append", metavar="KEY=VALUE", help="notebook parameter, e.g. province=江苏")
    p.add_argument("--workers", type=int, help="parallel notebook runs (default: number of cores)")
    p.add_argument("--force", action="store_true", help="rebuild everything, ignoring the cache")
    p.add_argument("--timeout", type=float, default=TIME_LIMIT, metavar="SECONDS",
                   help=f"how long one notebook may run in all (default {TIME_LIMIT:g} s); past it the build names "
                        "the cell still running and keeps that report's last good version")
    p.set_defaults(func=_build)
    p = sub.add_parser("annotate", help="the paper's text annotated with every claim's verdict, and the "
                                        "replication report and erratum (into reports/)")
    p.add_argument("--paper", metavar="PATH",
                   help=f"the paper's text (default: ../shared/paper/{SHARED_PAPER.name} beside the project)")
    p.set_defaults(func=_annotate)
    p = sub.add_parser("refresh-notebooks", help="re-execute the committed notebooks in place (default parameters)")
    p.add_argument("--only", action="append", help="notebook stem (repeatable)")
    p.set_defaults(func=_refresh)
    p = sub.add_parser("verify", help="audit every quantitative claim of the paper")
    p.add_argument("--section", action="append", help="only claims of this section (e.g. 2.2, or 4 for all of §4)")
    p.add_argument("--verdict", action="append", help="only claims with this verdict or external verdict")
    p.add_argument("--csv", help="where to write the full audit (default reports/claims_audit.csv)")
    p.add_argument("--update-snapshot", action="store_true", help="rewrite the committed verdict snapshot")
    p.add_argument("--data-dir", metavar="DIR",
                   help="audit the tables of this folder (laid out as data/ is) instead of data/")
    p.set_defaults(func=verify)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except TechmarketError as err:
        # bad data, a missing input file: the message says what and where; no traceback
        print(err, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{args.command}: interrupted; nothing half-written is left", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader of the output went away (``... | head``): stop quietly, as other commands do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
