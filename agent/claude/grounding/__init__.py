"""Grounding: the figures, people, quotes and dates in a plan come from the account's data, typed
(money grounds money, a percentage a percentage), with one-step derivations accepted and what
every accepted claim rests on recorded as the plan's provenance.

`check_sections` / `ground_sections` check model-written sections; `grounding_check` guards plan
edits; `plan_provenance` traces a finished plan (whoever drafted it) for its "Sources".
"""

from __future__ import annotations

from typing import Any

from agent.claude.grounding.account import GroundingFacts, metric_kind
from agent.claude.grounding.check import Checker
from agent.claude.grounding.facts import Fact, show
from agent.claude.grounding.structured import Grounding, GroundingProblem
from storage.plan_document import SECTIONS, AccountPlanDocument
from tools.analytics.context import PlanningContext
from tools.plans.revisions import GroundingCheck

__all__ = [
    "Fact",
    "Grounding",
    "GroundingFacts",
    "GroundingProblem",
    "check_sections",
    "ground_sections",
    "grounding_check",
    "metric_kind",
    "plan_provenance",
    "show",
]


def ground_sections(
    sections: dict[str, Any], facts: GroundingFacts, *, plan_targets: list[Fact] | None = None
) -> Grounding:
    """Problems and provenance for `sections` (section name -> JSON value)."""
    checker = Checker(facts, plan_targets)
    for name, value in sections.items():
        checker.section(name, value)
    return checker.result


def check_sections(sections: dict[str, Any], facts: GroundingFacts, *, teach: bool = False) -> list[str]:
    """Grounding problems in `sections` as `where: what` lines (with what is allowed instead when
    `teach`, for a model); empty when all is grounded."""
    problems = ground_sections(sections, facts).problems
    return [f"{p.path}: {p.teaching()}" if teach else str(p) for p in problems]


def grounding_check(facts: GroundingFacts, *, teach: bool = False) -> GroundingCheck:
    """A check for plan edits: changed sections must be grounded in the data or the plan as it was."""

    def check(before: AccountPlanDocument, after: AccountPlanDocument) -> list[str]:
        old, new = before.to_json_dict(), after.to_json_dict()
        changed = {s: new[s] for s in SECTIONS if old[s] != new[s]}
        return check_sections(changed, facts.with_document(before), teach=teach) if changed else []

    return check


def plan_provenance(document: AccountPlanDocument, context: PlanningContext | GroundingFacts) -> dict[str, Any]:
    """What every figure and person in a finished plan rests on, keyed by document path (figures in
    text: `path:"$35K"`). Figures nothing supports are simply absent (the review reports those)."""
    facts = context if isinstance(context, GroundingFacts) else GroundingFacts.from_context(context)
    traced = facts.with_document(document, texts=False)
    data = document.to_json_dict()
    grounding = ground_sections({s: data[s] for s in SECTIONS}, traced)
    return dict(sorted(grounding.provenance.items()))
