"""The README's two commands exist and are what CI runs; make help lists every target."""
import re
import subprocess

from techmarket.data.paths import PROJ_ROOT

README = (PROJ_ROOT / "README.md").read_text(encoding="utf-8")
MAKEFILE = (PROJ_ROOT / "Makefile").read_text(encoding="utf-8")


def first_code_block() -> list[str]:
    block = re.search(r"```bash\n(.*?)```", README, re.S).group(1)
    return [line.split("#")[0].strip() for line in block.strip().splitlines()]


def test_readme_opens_with_exactly_the_two_commands():
    assert first_code_block() == ["make reports", "make test"]
    assert README.index("```bash") < 300


def test_ci_runs_the_readme_test_command_then_the_output_checks_under_other_blas_kernels():
    lines = [ln.strip() for ln in (PROJ_ROOT / ".ci" / "run").read_text().splitlines()
             if ln.strip() and not ln.startswith("#")]
    after = lines[lines.index("make test") + 1:]
    kernels = [re.search(r"OPENBLAS_CORETYPE=(\w+) .*make test-outputs$", ln) for ln in after]
    assert sorted(k.group(1) for k in kernels if k) == ["Prescott", "Sandybridge"]


def test_every_make_target_is_documented_and_listed_by_help():
    targets = re.findall(r"^([a-zA-Z_.-]+):.*?## ", MAKEFILE, re.M)
    assert {"reports", "test", "lab", "help", "lock"} <= set(targets)
    out = subprocess.run(["make", "-s", "help"], cwd=PROJ_ROOT, capture_output=True, text=True, check=True).stdout
    for t in targets:
        assert f"make {t}" in out


def test_readme_commands_resolve_in_make():
    subprocess.run(["make", "-n", "reports", "test"], cwd=PROJ_ROOT, capture_output=True, check=True)


def test_top_level_layout():
    for name in ("environment.yml", "notebooks", "data", "lib", "reports", "tests", "pyproject.toml",
                 "Makefile", "README.md", "CITATION.cff", "LICENSE", ".ci/run"):
        assert (PROJ_ROOT / name).exists(), name


def test_readme_layout_names_every_module_notebook_and_table():
    """The Layout block of the README stays true: each module of lib/techmarket, each notebook,
    each table under data/ and each benchmark is named there (as a whole word)."""
    block = re.search(r"## Layout\n+```\n(.*?)```", README, re.S).group(1)
    words = set(re.findall(r"[\w.]+/?", block)) | set(re.findall(r"[\w.]+", block))
    package = PROJ_ROOT / "lib" / "techmarket"
    expected = {f"{room.name}/" for room in package.iterdir() if (room / "__init__.py").is_file()}
    expected |= {p.stem for p in package.rglob("*.py") if not p.stem.startswith("__")}
    expected |= {p.stem for p in (PROJ_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")}
    expected |= {p.name for p in (PROJ_ROOT / "data").rglob("*") if p.suffix in (".csv", ".json")}
    expected |= {p.name for p in (PROJ_ROOT / "benchmarks").glob("*.py")}
    assert not sorted(expected - words), f"not named in the README's layout: {sorted(expected - words)}"


def test_make_lab_allows_root_only_when_run_as_root():
    import os

    out = subprocess.run(["make", "-n", "lab"], cwd=PROJ_ROOT, capture_output=True, text=True, check=True).stdout
    lab = [ln for ln in out.splitlines() if "jupyter lab" in ln]
    assert lab and ("--allow-root" in lab[0]) == (os.geteuid() == 0)
