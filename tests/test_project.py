"""The README's two commands exist and are what CI runs; make help lists every target."""
import re
import subprocess

from techmarket.paths import PROJ_ROOT

README = (PROJ_ROOT / "README.md").read_text(encoding="utf-8")
MAKEFILE = (PROJ_ROOT / "Makefile").read_text(encoding="utf-8")


def first_code_block() -> list[str]:
    block = re.search(r"```bash\n(.*?)```", README, re.S).group(1)
    return [line.split("#")[0].strip() for line in block.strip().splitlines()]


def test_readme_opens_with_exactly_the_two_commands():
    assert first_code_block() == ["make reports", "make test"]
    assert README.index("```bash") < 300


def test_ci_runs_the_readme_test_command():
    lines = [ln for ln in (PROJ_ROOT / ".ci" / "run").read_text().splitlines() if ln and not ln.startswith("#")]
    assert lines[-1] == "make test"


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
