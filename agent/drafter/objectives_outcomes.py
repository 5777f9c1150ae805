"""Objectives about outcomes and the data behind them: the customer's (measurable) goals, closing
the data gaps that limit the plan, and qualifying the next expansion when none can close this year."""

from __future__ import annotations

from agent.drafter.evidence import measurable_goals
from agent.drafter.expansion import current_arr, in_year_candidates, later_candidates, target_arr
from agent.drafter.objective_draft import FirstAction, ObjectiveDraft, health_target, sequence, within_reach
from agent.drafter.situation import Situation
from agent.drafter.text import clip, plural, quote
from storage.plan_document import Priority, SuccessMetric

OUTCOMES_PER_YEAR = 3  # one business outcome signed off per remaining QBR after the first


def value_realization(situation: Situation) -> ObjectiveDraft:
    goals = quote(situation.context.customer.goals)
    health = situation.health
    measurable = measurable_goals(situation.context.customer.goals)
    metrics = [
        SuccessMetric(
            metric=f"{clip(goal.measure, 50)} (customer goal)",
            current=None,
            target=goal.target,
            measurement="The customer's own report; baseline agreed at the first goals review",
        )
        for goal in measurable
    ]
    if health is not None:
        metrics.append(
            SuccessMetric(
                metric="Health score",
                current=health,
                target=health_target(health, year_left=situation.year_left),
                measurement="Health score on the 1st of each month",
            )
        )
    metrics.append(
        SuccessMetric(
            metric="Documented business outcomes",
            current=0,
            target=within_reach(0, OUTCOMES_PER_YEAR, situation.year_left),
            measurement="Outcomes signed off by the customer at QBRs",
        )
    )
    rationale = (
        f"The customer's stated goals: {goals}."
        if goals
        else "No customer goals on record: they must be confirmed before outcomes can be measured."
    )
    if measurable:
        objective = f"Deliver the customer's measurable goals: {'; '.join(clip(g.statement, 80) or '' for g in measurable)}"
        if len(objective) > 160:
            objective = "Deliver the customer's measurable goals and document the outcomes"
    else:
        objective = "Document measurable business outcomes against the customer's goals"
    return ObjectiveDraft(
        "value",
        Priority.MEDIUM,
        objective,
        rationale,
        metrics,
        sequence(
            situation,
            [
                "Goals and baselines confirmed in writing" if measurable else "Goals and success criteria confirmed in writing",
                "First outcome quantified and shared",
                "Outcomes reviewed at the QBR",
                "Annual value summary delivered",
            ],
        ),
        "Both",
        [
            FirstAction(
                2,
                "Confirm the customer's goals, their baselines and how they measure success"
                if goals
                else f"Ask for the customer's {situation.fiscal_year} goals: none are on record",
                "CSM",
            )
        ],
    )


# Missing stakeholder roles are the stakeholder plan's business, not a data-collection task.
ROLE_WORDS = ("sponsor", "buyer", "champion")


# Gaps that leave a plan's targets unfounded; others (e.g. no interaction log) are hygiene and
# become a 90-day action instead of an objective.
MATERIAL_WORDS = (
    "arr",
    "health",
    "usage",
    "utilization",
    "renewal",
    "contact",
    "seat",
    "goal",
    "stakeholder",
)


def open_data_gaps(situation: Situation) -> list[str]:
    """Data gaps the CSM can close for this account (missing stakeholder roles are the
    stakeholder plan's; the lack of comparable accounts is nobody's to fill; a new account's short
    history fills itself)."""
    return [
        gap
        for gap in situation.data_gaps
        if not any(word in gap.lower() for word in ROLE_WORDS)
        and "similar accounts" not in gap
        and not (situation.onboarding and ("history" in gap or "interactions" in gap))
    ]


def data_baseline(situation: Situation) -> ObjectiveDraft | None:
    gaps = open_data_gaps(situation)
    if not any(word in gap.lower() for gap in gaps for word in MATERIAL_WORDS):
        return None
    captured = "; ".join(
        g.removeprefix("no ").removesuffix(" on record").removesuffix(" unknown") for g in gaps[:3]
    )
    return ObjectiveDraft(
        "baseline",
        Priority.HIGH if len(gaps) >= 3 else Priority.MEDIUM,
        "Close the data gaps that limit this plan",
        f"{plural(len(gaps), 'gap')} on record: {'; '.join(gaps[:4])}"
        + (f"; and {len(gaps) - 4} more" if len(gaps) > 4 else "")
        + ". Targets resting on missing data are left open, not guessed.",
        [
            SuccessMetric(
                metric="Open data gaps",
                current=len(gaps),
                target=0,
                measurement="Data gaps listed in the regenerated plan",
            )
        ],
        sequence(
            situation,
            [
                f"Baselines established: {captured}",
                "Plan regenerated with complete data; targets set",
                "Data reviewed at the QBR",
                "No open data gaps",
            ],
        ),
        "Both",
        [FirstAction(1, f"Collect the missing data: {'; '.join(gaps[:3])}", "CSM")],
    )


def expansion_discovery(situation: Situation) -> ObjectiveDraft | None:
    """A healthy account without an in-year growth case: find one (never at risk or onboarding)."""
    if situation.at_risk or situation.onboarding or situation.health is None or situation.arr is None:
        return None
    if in_year_candidates(situation) and target_arr(situation) > current_arr(situation):
        return None
    later = later_candidates(situation)
    open_count = sum(1 for c in situation.context.expansion.candidates if c.type != "renewal")
    why = []
    if later["after"]:
        why.append(f"{plural(later['after'], 'opportunity', 'opportunities')} on record close{'s' if later['after'] == 1 else ''} after {situation.fiscal_year}")
    if later["stale"]:
        why.append(f"{plural(later['stale'], 'opportunity', 'opportunities')} past {'its' if later['stale'] == 1 else 'their'} close date")
    if later["undated"]:
        why.append(f"{plural(later['undated'], 'opportunity', 'opportunities')} without a close date")
    detail = f" ({'; '.join(why)})" if why else " (none on record)"
    in_year = in_year_candidates(situation)
    rationale = (
        f"Health {situation.health} and not at risk; the {plural(len(in_year), 'opportunity', 'opportunities')} "
        f"that can close in {situation.fiscal_year} carry no probability-weighted value yet."
        if in_year
        else f"Health {situation.health} and not at risk, but no growth opportunity on record closes in time for {situation.fiscal_year}{detail}."
    )
    champion = situation.champion
    return ObjectiveDraft(
        "discovery",
        Priority.MEDIUM,
        "Qualify the next expansion opportunity",
        rationale,
        [
            SuccessMetric(
                metric="Qualified expansion opportunities",
                current=open_count,
                target=open_count + 1,
                measurement="Open opportunities in the CRM",
            )
        ],
        sequence(
            situation,
            [
                "Growth themes explored at the QBR",
                f"One use case scoped with {champion.name}" if champion else "One use case scoped with the main user team",
                f"Opportunity qualified with {situation.economic_buyer.name}"
                if situation.economic_buyer is not None
                else "Opportunity qualified; economic buyer identified",
                "Proposal in next year's plan",
            ],
        ),
        "CSM",
    )
