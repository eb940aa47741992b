"""What the audit made of a seeded misprint: one outcome per case, from the audit's tables.

A case is one misprint, or a pair in unrelated parts of the paper. Against the audit of the paper
as printed (the *baseline*, which has problems of its own):

- ``flagged``: claims whose verdict is ``inconsistent`` or ``ambiguous_wording`` and was not;
- ``candidates``: the suspects (figures and worded claims) of every smallest diagnosis of a group
  that changed, less the baseline's own suspects;
- outcome, first that applies: ``stopped`` (the audit ended with an error), ``undetected`` (no
  claim flagged and no new candidate), ``wrong_blame`` (a seeded figure is not among the
  candidates), ``cascade`` (a flagged claim is neither a candidate nor explained), ``alone`` (the
  seeded figures are the only candidates), ``competing`` (named among others, each of which alone
  would explain every failure).

Undetected single misprints get their reason: no route reads the figure (it computes nothing and
nothing computes it), or the misprint is within the rounding of every route that reads it.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

OUTCOMES = ("alone", "competing", "cascade", "wrong_blame", "stopped", "undetected")
FLAGS = ("inconsistent", "ambiguous_wording")


@dataclass(frozen=True)
class Baseline:
    """The audit of the paper as printed: what each claim's verdict is, and its problems."""

    verdicts: dict[str, str]
    problems: frozenset[frozenset[str]]  # each group's smallest diagnoses, as sets of suspects
    suspects: frozenset[str]


def problems(diagnoses: pd.DataFrame) -> frozenset[frozenset[str]]:
    """Each group's smallest diagnoses (as sets of suspects), as one set per group."""
    small = diagnoses[diagnoses["smallest"]]
    return frozenset(frozenset(frozenset(d["suspect"]) for _, d in g.groupby("diagnosis"))
                     for _, g in small.groupby("group"))


def baseline(result) -> Baseline:
    p = problems(result.diagnoses)
    return Baseline(dict(zip(result.claims["claim_id"], result.claims["verdict"], strict=True)), p,
                    frozenset(s for grp in p for d in grp for s in d))


@dataclass(frozen=True)
class Outcome:
    outcome: str
    candidates: tuple[str, ...] = ()
    cascade: tuple[str, ...] = ()  # flagged claims neither candidates nor explained
    groups: int = 0  # new or changed problems
    decider: str = ""  # what would decide between competing candidates, as the audit says it
    why: str = ""  # why the paper cannot decide between them, as the audit says it
    error: str = ""


def classify(result, base: Baseline, seeded: tuple[str, ...]) -> Outcome:
    """The outcome of one audited case (``result`` an :class:`AuditResult`, ``seeded`` the fact ids)."""
    claims = result.claims
    flagged = {c for c, v in zip(claims["claim_id"], claims["verdict"], strict=True)
               if v in FLAGS and base.verdicts.get(c) != v}
    changed = problems(result.diagnoses) - base.problems
    cands = sorted({s for grp in changed for d in grp for s in d} - base.suspects)
    if not flagged and not cands:
        return Outcome("undetected")
    cascade = tuple(sorted(flagged - set(cands)))
    mine = result.diagnoses[result.diagnoses["suspect"].isin(cands)]
    decider = next((d for d in mine["decider_text"] if d), "")
    why = next((d for d in mine["why_undecided"] if d), "")
    common = dict(candidates=tuple(cands), cascade=cascade, groups=len(changed), decider=decider, why=why)
    if not set(seeded) <= set(cands):
        return Outcome("wrong_blame", **common)
    if cascade:
        return Outcome("cascade", **common)
    return Outcome("alone" if set(cands) == set(seeded) else "competing", **common)
