"""Benchmark of the test suite: how long a reviewer waits for ``make test``.

Prints a Markdown table of wall times of the README's test command on a warm environment (the
virtual environment made, the reports current, as after ``make reports``), repeated
``--repeat`` times, against the target of 60 s on a quiet 2-core machine. The first run also
brings the reports up to date if they are not (it is listed, but the target is judged on the best
of the warm runs, so that a slow spell of a shared machine does not decide it). The test suite
itself never times anything: speed targets live here.

Run: ``make benchmark-tests`` (or ``.venv/bin/python benchmarks/suite_benchmark.py [--repeat N]``).
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time

from techmarket.data.paths import PROJ_ROOT

TARGET_SECONDS = 60.0
SUMMARY = re.compile(r"=+ (.*(?:passed|failed).*) in [\d.]+s")


def run_suite() -> tuple[float, str, int]:
    """One ``make test`` (lint and the whole pytest suite): (seconds, pytest's summary, exit code)."""
    t0 = time.perf_counter()
    proc = subprocess.run(["make", "-s", "test"], cwd=PROJ_ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    found = SUMMARY.findall(proc.stdout)
    return seconds, (found[-1] if found else "no pytest summary"), proc.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="warm runs after the first (default 3)")
    args = parser.parse_args()
    if args.repeat < 1:
        print("--repeat must be at least 1", file=sys.stderr)
        return 2
    runs = [run_suite() for _ in range(args.repeat + 1)]
    failed = [r for r in runs if r[2] != 0]
    warm = [s for s, _, _ in runs[1:]]
    best = min(warm)
    print(f"`make test` on {os.cpu_count()} core(s), {time.strftime('%Y-%m-%d')}\n")
    print("| run | wall time (s) | tests | target | met |")
    print("|---|---|---|---|---|")
    print(f"| first (brings reports up to date if needed) | {runs[0][0]:.1f} | {runs[0][1]} |  |  |")
    print(f"| warm, best of {len(warm)} | {best:.1f} | {runs[-1][1]} | ≤ {TARGET_SECONDS:.0f} s | "
          f"{'yes' if best <= TARGET_SECONDS else 'no'} |")
    print(f"| warm runs | {', '.join(f'{s:.1f}' for s in warm)} |  |  |  |")
    if failed:
        print(f"\n{len(failed)} run(s) failed: the timing is not meaningful", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
