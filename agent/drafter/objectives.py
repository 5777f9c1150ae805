"""Strategic objectives chosen and ordered by the account's situation.

Retention comes first (critical) when the account is at risk; adoption when utilization is low or
the account is onboarding; growth only when it is expansion-ready and not at risk; executive
multi-threading when it rests on one person. Builders return None when the data contradicts
their objective, so no such objective is ever drafted. Every metric starts from a real value.
"""

from __future__ import annotations

from agent.drafter.objective_draft import ObjectiveDraft, milestones
from agent.drafter.objectives_grow import adoption, growth
from agent.drafter.objectives_outcomes import data_baseline, expansion_discovery, value_realization
from agent.drafter.objectives_protect import (
    champion_replacement,
    executive_sponsorship,
    relationship_depth,
    renewal_readiness,
    retention,
)
from agent.drafter.situation import Situation
from storage.plan_document import StrategicObjective
from storage.vocabulary import Priority

MAX_OBJECTIVES = 5
MAX_CRITICAL = 2  # priorities keep their meaning: more than two "critical" means none is
PRIORITY_RANK: dict[Priority, int] = {Priority.CRITICAL: 0, Priority.HIGH: 1, Priority.MEDIUM: 2}

# Order breaks ties between objectives of equal priority.
BUILDERS = (
    retention,
    champion_replacement,
    executive_sponsorship,
    adoption,
    data_baseline,
    growth,
    value_realization,
    renewal_readiness,
    expansion_discovery,
    relationship_depth,
)


def choose_objectives(situation: Situation) -> list[ObjectiveDraft]:
    """Up to 5 objectives: the situation's must-haves first (by priority, then the order above).
    value_realization always applies and at least two others do in every situation."""
    drafts = [draft for draft in (build(situation) for build in BUILDERS) if draft is not None]
    # While onboarding, the onboarding play leads among objectives of its priority.
    lead = "adoption" if situation.onboarding else None
    ordered = sorted(
        enumerate(drafts),
        key=lambda pair: (PRIORITY_RANK[pair[1].priority], pair[1].key != lead, pair[0]),
    )
    chosen = [draft for _, draft in ordered][:MAX_OBJECTIVES]
    for draft in [d for d in chosen if d.priority == Priority.CRITICAL][MAX_CRITICAL:]:
        draft.priority = Priority.HIGH
    return _one_target_per_measure(chosen)


def _one_target_per_measure(drafts: list[ObjectiveDraft]) -> list[ObjectiveDraft]:
    """Each measure (health, utilization, ARR ...) gets its target in one objective only: the
    highest-priority one that tracks it. Every builder has a measure of its own, so no objective
    is left without a metric."""
    seen: set[str] = set()
    for draft in drafts:
        kept = [m for m in draft.metrics if m.metric.lower() not in seen]
        seen.update(m.metric.lower() for m in draft.metrics)
        draft.metrics = kept or draft.metrics[-1:]
    return drafts


def to_objectives(situation: Situation, drafts: list[ObjectiveDraft]) -> list[StrategicObjective]:
    return [
        StrategicObjective(
            id=f"obj-{index}",
            objective=draft.objective,
            rationale=draft.rationale,
            success_metrics=draft.metrics[:4],
            quarterly_milestones=milestones(situation, draft.milestones),
            owner=draft.owner,
            priority=draft.priority,
        )
        for index, draft in enumerate(drafts, start=1)
    ]
