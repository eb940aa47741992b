"""What a build runs: the project's folders, one job per (notebook, language, parameters), and the
plan, which validates every option before anything runs."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from techmarket.data.errors import TechmarketError
from techmarket.data.notebook_json import NotebookError
from techmarket.data.paths import PROJ_ROOT, relative
from techmarket.site.notebook_files import _check_data_files, notebook_parameters

LANGS = ("zh", "en")
KERNEL = "techmarket"


@dataclass(frozen=True)
class Project:
    """Where a build reads and writes (the repository by default; a copy in tests)."""

    root: Path = PROJ_ROOT

    @property
    def notebooks_dir(self) -> Path:
        return self.root / "notebooks"

    @property
    def reports_dir(self) -> Path:
        return self.root / "reports"

    @property
    def cache_dir(self) -> Path:
        return self.reports_dir / ".cache"

    def notebooks(self) -> list[Path]:
        """The numbered notebooks, in order (``NN_name.ipynb``)."""
        return sorted(self.notebooks_dir.glob("[0-9][0-9]_*.ipynb"))


def notebooks() -> list[Path]:
    return Project().notebooks()


@dataclass(frozen=True)
class Job:
    notebook: Path
    lang: str
    params: tuple[tuple[str, str], ...] = ()

    @property
    def name(self) -> str:
        return self.notebook.stem + "".join(f".{k}-{v}" for k, v in self.params)

    @property
    def label(self) -> str:
        return f"{self.name} [{self.lang}]"

    def outputs(self, project: Project) -> dict[str, Path]:
        base = project.reports_dir / self.lang
        return {"ipynb": base / f"{self.name}.ipynb", "html": base / f"{self.name}.html",
                "code": base / f"{self.name}.code.html"}

    def parameters(self) -> dict[str, str]:
        return {"lang": self.lang, **dict(self.params)}


class BuildError(TechmarketError, ValueError):
    """Invalid build options, reported before anything runs."""


def plan(project: Project, only: list[str] | None = None, langs: list[str] | None = None,
         params: dict[str, str] | None = None, skipped: list[NotebookError] | None = None) -> list[Job]:
    """The jobs to consider, after validating every option. A chosen notebook that cannot be
    planned raises :class:`NotebookError`; with a ``skipped`` list, it is added there and left out."""
    available = {nb.stem: nb for nb in project.notebooks()}
    unknown = sorted(set(only or []) - set(available))
    if unknown:
        raise BuildError(f"unknown notebook(s) {unknown}; known: {sorted(available)}")
    langs = list(langs or LANGS)
    bad_langs = sorted(set(langs) - set(LANGS))
    if bad_langs:
        raise BuildError(f"unknown language(s) {bad_langs}; known: {list(LANGS)}")
    chosen = [available[s] for s in sorted(only)] if only else list(available.values())
    params = dict(params or {})
    if "lang" in params:
        raise BuildError("choose languages with --lang, not as a parameter")
    jobs = []
    used: set[str] = set()
    bad: list[NotebookError] = []
    for nb in chosen:
        try:
            defaults = notebook_parameters(nb)
            _check_data_files(nb, project.root)
        except NotebookError as err:
            if skipped is None:
                raise
            bad.append(err)
            continue
        mine = tuple(sorted((k, v) for k, v in params.items() if k in defaults and str(defaults[k]) != v))
        used |= {k for k in params if k in defaults}
        jobs += [Job(nb, lang, mine) for lang in langs]
    if skipped is not None:
        skipped += bad
    unused = sorted(set(params) - used)
    if unused:
        unread = f" (not checked in {', '.join(relative(e.path, project.root) for e in bad)})" if bad else ""
        raise BuildError(f"parameter(s) {unused} are not parameters of the chosen notebook(s){unread}")
    if params:
        _validate_values(params)
    return jobs


def _validate_values(params: dict[str, str]) -> None:
    """Check parameter values the way the notebooks will (an unknown province fails here)."""
    from techmarket.notebook.context import validate_parameters

    try:
        validate_parameters(**params)
    except ValueError as err:
        raise BuildError(str(err)) from None
