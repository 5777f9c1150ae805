"""Objectives that build value: adoption, growth, outcomes, data gaps, expansion discovery."""

from __future__ import annotations

from agent.drafter.expansion import current_arr, in_year_candidates, target_arr, timeline_of, weighted_in_year
from agent.drafter.objective_draft import FirstAction, ObjectiveDraft, health_target, within_reach
from agent.drafter.situation import HIGH_UTILIZATION, Situation
from agent.drafter.text import money, pct, plural, quote, round_to
from storage.plan_document import QUARTERS, Priority, Quarter, SuccessMetric
from storage.vocabulary import OpportunityType

OUTCOMES_PER_YEAR = 3  # one business outcome signed off per remaining QBR after the first
SEAT_TARGET = 0.85  # share of purchased seats active that makes the licence count defensible at renewal
MAX_LIFT = 25  # utilization points a year of enablement can realistically add
ONBOARDING_LIFT = 35


def utilization_target(
    utilization: float, peer: float | None, *, onboarding: bool, year_left: float = 1.0
) -> float:
    """Successful peers' level when known (else +15), within reach of the time left in the year
    (a full year adds at most 25 points, 35 while onboarding), never above 85%."""
    ambition = max(round_to(utilization + 15, 5), round_to(peer, 5) if peer else 0.0)
    lift = (ONBOARDING_LIFT if onboarding else MAX_LIFT) * max(0.25, year_left)
    reach = max(utilization + 5, round_to(utilization + lift - 2.5, 5))
    return min(max(utilization + 5, min(ambition, reach)), max(utilization, HIGH_UTILIZATION + 5))


def adoption(situation: Situation) -> ObjectiveDraft | None:
    if not (situation.low_adoption or situation.onboarding):
        return None
    utilization = situation.utilization
    customer = situation.context.customer
    metrics: list[SuccessMetric] = []
    peer = situation.peer_utilization
    reasons: list[str] = []
    target: float | None = None
    if utilization is not None:
        target = utilization_target(
            utilization, peer, onboarding=situation.onboarding, year_left=situation.year_left
        )
        metrics.append(
            SuccessMetric(
                metric="Feature utilization",
                current=pct(utilization),
                target=pct(target),
                measurement="Monthly adoption report",
            )
        )
        reasons.append(f"utilization is {pct(utilization)}")
        change = situation.context.usage_utilization.change_90d
        if change is not None and change <= -5:
            reasons.append(f"down {abs(change):.0f} points in 90 days")
        if peer is not None and peer > utilization:
            reasons.append(f"successful similar accounts average {pct(peer)}")
    activation = situation.seat_activation
    if (
        customer.seats_purchased
        and customer.seats_active is not None
        and activation is not None
        and activation < SEAT_TARGET
    ):
        seats_target = within_reach(
            customer.seats_active, round(customer.seats_purchased * SEAT_TARGET), situation.year_left
        )
        metrics.append(
            SuccessMetric(
                metric="Active seats",
                current=customer.seats_active,
                target=seats_target,
                measurement="Licensed seats active in the last 30 days",
            )
        )
        reasons.append(f"{customer.seats_active} of {customer.seats_purchased} seats active")
    if not metrics:
        metrics.append(
            SuccessMetric(
                metric="Feature utilization",
                current=None,
                target="baseline set in Q1",
                measurement="Monthly adoption report (no usage data on record yet)",
            )
        )
        reasons.append("no usage data on record yet")
    champion = situation.champion
    with_champion = f" with {champion.name}" if champion else ""
    plan: dict[Quarter, str]
    if situation.onboarding:
        objective = "Complete onboarding and reach first value" + (
            f": {pct(target)} feature utilization" if target else ""
        )
        plan = {
            "Q1": f"Onboarding plan and success criteria agreed{with_champion}",
            "Q2": "All purchased seats provisioned; admins trained",
            "Q3": "First value milestone documented",
            "Q4": "Adoption review feeds the renewal case",
        }
    else:
        objective = (
            f"Increase platform adoption to {pct(target)} feature utilization"
            if target
            else "Establish and raise platform adoption"
        )
        plan = {
            "Q1": f"Usage review{with_champion}; enablement plan for the least-used features",
            "Q2": "Role-based training delivered to inactive users",
            "Q3": "Adoption reviewed against target at the QBR",
            "Q4": f"{pct(target) if target else 'Target'} utilization sustained for a full month",
        }
    priority: Priority = (
        Priority.CRITICAL if situation.at_risk and "usage_decline" in situation.risk_kinds else Priority.HIGH
    )
    return ObjectiveDraft(
        "adoption",
        priority,
        objective,
        f"{'; '.join(reasons).capitalize()}. Higher adoption is the strongest renewal signal we track.",
        metrics[:3],
        plan,
        "Both",
        [
            FirstAction(
                2,
                f"Pull the usage report and hold a usage review{with_champion}: which teams and features lag",
                "CSM",
            ),
            FirstAction(5, "Run the first role-based enablement session for low-usage teams", "Both"),
        ],
    )


def growth(situation: Situation) -> ObjectiveDraft | None:
    if not situation.expansion_ready:
        return None
    current = current_arr(situation)
    goal = target_arr(situation)
    candidates = in_year_candidates(situation)
    if goal <= current or not candidates:
        return None
    lead = candidates[0]
    buyer = situation.economic_buyer
    closes: dict[Quarter, str] = {}
    for candidate in candidates[:3]:
        timeline = timeline_of(situation, candidate)  # in-year candidates: always an open quarter
        quarter: Quarter | None = next((q for q in situation.open_quarters if q == timeline), None)
        if quarter is not None and quarter not in closes:
            closes[quarter] = f"Close {candidate.description} ({money(candidate.value)})"
    first_close = min((QUARTERS.index(q) for q in closes), default=None)
    who = buyer.name if buyer else "the economic buyer"
    plan: dict[Quarter, str] = {}
    for index, quarter in enumerate(QUARTERS):
        if quarter in closes:
            plan[quarter] = closes[quarter]
        elif first_close is None or index < first_close:
            plan[quarter] = f"Business case for {lead.description} reviewed with {who}"
        else:
            plan[quarter] = "Expansion adoption reviewed; next year's pipeline qualified"
    return ObjectiveDraft(
        "growth",
        Priority.HIGH,
        f"Grow ARR from {money(current)} to {money(goal)}",
        f"Expansion-ready: {situation.context.expansion.explanation.rstrip('.')}. Largest opportunity: {lead.description} ({money(lead.value)}, p={lead.probability:.0%}).",
        [
            SuccessMetric(
                metric="ARR", current=current, target=goal, measurement="Contracted ARR in the CRM"
            ),
            SuccessMetric(
                metric="Weighted pipeline closed",
                current=0,
                target=round(weighted_in_year(situation)),
                measurement="Closed-won expansion value",
            ),
        ],
        plan,
        "CSM",
        [
            FirstAction(
                3,
                f"Build the business case for {lead.description}"
                + (f" with {buyer.name}" if buyer else "")
                + " and align with the account executive",
                "CSM",
            )
        ],
    )


def value_realization(situation: Situation) -> ObjectiveDraft:
    goals = quote(situation.context.customer.goals)
    health = situation.health
    metrics = [
        SuccessMetric(
            metric="Documented business outcomes",
            current=0,
            target=within_reach(0, OUTCOMES_PER_YEAR, situation.year_left),
            measurement="Outcomes signed off by the customer at QBRs",
        )
    ]
    if health is not None:
        metrics.insert(
            0,
            SuccessMetric(
                metric="Health score",
                current=health,
                target=health_target(health, year_left=situation.year_left),
                measurement="Health score on the 1st of each month",
            ),
        )
    rationale = (
        f"The customer's stated goals: {goals}."
        if goals
        else "No customer goals on record: they must be confirmed before outcomes can be measured."
    )
    return ObjectiveDraft(
        "value",
        Priority.MEDIUM,
        "Document measurable business outcomes against the customer's goals",
        rationale,
        metrics,
        {
            "Q1": "Goals and success criteria confirmed in writing",
            "Q2": "First outcome quantified and shared",
            "Q3": "Outcomes reviewed at the QBR",
            "Q4": "Annual value summary delivered",
        },
        "Both",
        [
            FirstAction(
                2,
                "Confirm the customer's goals and how they measure success"
                if goals
                else "Ask for the customer's FY goals: none are on record",
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
    """Data gaps the plan should close (missing stakeholder roles are the stakeholder plan's)."""
    return [gap for gap in situation.data_gaps if not any(word in gap.lower() for word in ROLE_WORDS)]


def data_baseline(situation: Situation) -> ObjectiveDraft | None:
    gaps = open_data_gaps(situation)
    if not any(word in gap.lower() for gap in gaps for word in MATERIAL_WORDS):
        return None
    first = f"Captured: {'; '.join(g.removeprefix('no ').removesuffix(' on record') for g in gaps[:3])}"
    return ObjectiveDraft(
        "baseline",
        Priority.HIGH if len(gaps) >= 3 else Priority.MEDIUM,
        "Close the data gaps that limit this plan",
        f"{plural(len(gaps), 'gap')} on record: {'; '.join(gaps[:4])}. Targets resting on missing data are left open, not guessed.",
        [
            SuccessMetric(
                metric="Open data gaps",
                current=len(gaps),
                target=0,
                measurement="Data gaps listed in the regenerated plan",
            )
        ],
        {
            "Q1": first,
            "Q2": "Plan regenerated with complete data; targets set",
            "Q3": "Data reviewed at the QBR",
            "Q4": "No open data gaps",
        },
        "Both",
        [FirstAction(1, f"Collect the missing data: {'; '.join(gaps[:3])}", "CSM")],
    )


def expansion_discovery(situation: Situation) -> ObjectiveDraft | None:
    """A healthy account without a growth case yet: find one (never on an account at risk)."""
    if situation.at_risk or situation.onboarding or situation.health is None or situation.arr is None:
        return None
    if situation.expansion_ready and target_arr(situation) > current_arr(situation):
        return None
    open_count = sum(1 for c in situation.context.expansion.candidates if c.type != OpportunityType.RENEWAL)
    return ObjectiveDraft(
        "discovery",
        Priority.MEDIUM,
        "Qualify the next expansion opportunity",
        (
            f"Health {situation.health} and not at risk, but no expansion can close in {situation.fiscal_year}"
            + (
                f" ({plural(open_count, 'opportunity', 'opportunities')} on record close later)."
                if open_count
                else " (none on record)."
            )
        ),
        [
            SuccessMetric(
                metric="Qualified expansion opportunities",
                current=open_count,
                target=open_count + 1,
                measurement="Open opportunities in the CRM",
            )
        ],
        {
            "Q1": "Growth themes explored at the QBR",
            "Q2": "One use case scoped with the champion",
            "Q3": "Opportunity qualified with the economic buyer",
            "Q4": "Proposal in next year's plan",
        },
        "CSM",
    )
