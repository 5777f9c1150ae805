"""Objectives that build value: adoption, growth, outcomes, data gaps, expansion discovery."""

from __future__ import annotations

from datetime import date, timedelta
from typing import cast

from agent.drafter.evidence import measurable_goals
from agent.drafter.expansion import (
    current_arr,
    in_year_candidates,
    later_candidates,
    target_arr,
    timeline_of,
    weighted_in_year,
)
from agent.drafter.objective_draft import FirstAction, ObjectiveDraft, health_target, sequence, within_reach
from agent.drafter.people import champion_name, with_champion
from agent.drafter.situation import HIGH_UTILIZATION, Situation
from agent.drafter.text import clip, day, money, pct, plural, quote, round_to
from storage.plan_document import QUARTERS, Priority, Quarter, SuccessMetric
from tools.analytics.expansion import ExpansionCandidate

ONBOARDING_FIRST_VALUE_DAYS = 90  # first value is due this long after the contract starts at the latest

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
    if situation.onboarding:
        return _onboarding(situation, metrics, target, reasons)
    joined = with_champion(situation)
    objective = (
        f"Increase platform adoption to {pct(target)} feature utilization"
        if target
        else "Establish and raise platform adoption"
    )
    plan = sequence(
        situation,
        [
            f"Usage review{joined}; enablement plan for the least-used features",
            "Role-based training delivered to inactive users",
            "Adoption reviewed against target at the QBR",
            f"{pct(target) if target else 'Target'} utilization sustained for a full month",
        ],
    )
    priority: Priority = Priority.CRITICAL if situation.at_risk and "usage_decline" in situation.risk_kinds else Priority.HIGH
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
                f"Pull the usage report and hold a usage review{joined}: which teams and features lag",
                "CSM",
            ),
            FirstAction(5, "Run the first role-based enablement session for low-usage teams", "Both"),
        ],
    )


KICKOFF_DAYS = 30  # a contract younger than this still starts with a kick-off


def _days_in(situation: Situation) -> int:
    start = situation.context.customer.contract_start
    return (situation.context.as_of - start).days if start is not None else 0


def first_value_date(situation: Situation) -> date:
    """When first value is due: 90 days after the contract start, or 90 days into the plan if
    that leaves under four weeks."""
    start = situation.context.customer.contract_start
    due = start + timedelta(days=ONBOARDING_FIRST_VALUE_DAYS) if start is not None else None
    earliest = situation.plan_start + timedelta(days=28)
    if due is None or due < earliest:
        due = situation.plan_start + timedelta(days=ONBOARDING_FIRST_VALUE_DAYS)
    return min(due, situation.quarters[-1].end)


def first_value_due(situation: Situation) -> str:
    return day(first_value_date(situation))


def _onboarding(
    situation: Situation, metrics: list[SuccessMetric], target: float | None, reasons: list[str]
) -> ObjectiveDraft:
    """The onboarding play: seats provisioned, admins trained, time to first value."""
    customer = situation.context.customer
    due = first_value_due(situation)
    joined = with_champion(situation)
    metrics = [
        SuccessMetric(
            metric="First value milestone",
            current="not reached",
            target=f"documented by {due}",
            measurement=f"Outcome agreed at kick-off, confirmed in writing by {champion_name(situation)}",
        ),
        *metrics,
    ]
    open_seats = (customer.seats_purchased or 0) - (customer.seats_active or 0)
    provision = (
        f"Provision the remaining {plural(open_seats, 'seat')} with the customer's admin"
        if customer.seats_purchased and customer.seats_active is not None and open_seats > 0
        else "Confirm every purchased seat is provisioned with the customer's admin"
    )
    return ObjectiveDraft(
        "adoption",
        Priority.CRITICAL if situation.at_risk else Priority.HIGH,
        f"Complete onboarding and reach first value by {due}",
        f"Onboarding: {situation.assessment.reasons[0].removeprefix('onboarding: ')}; "
        f"{'; '.join(reasons)}. Time to first value decides whether the account adopts.",
        metrics[:3],
        sequence(
            situation,
            [
                "Purchased seats provisioned; admins trained"
                if customer.seats_purchased is not None and customer.seats_active is not None
                else "Users provisioned; admins trained",
                f"First value milestone documented{joined}",
                "Adoption reviewed against target at the QBR",
                f"{pct(target) if target else 'Target'} utilization sustained for a full month",
            ],
        ),
        "Both",
        [
            FirstAction(
                1,
                f"Onboarding {'kick-off' if _days_in(situation) <= KICKOFF_DAYS else 'review'}{joined}: "
                "success criteria and the first-value milestone",
                "CSM",
            ),
            FirstAction(2, provision, "Both"),
            FirstAction(3, "Admin training session for the customer's administrators", "Both"),
            # Two weeks ahead of the date, while there is still time to act on the answer.
            FirstAction(
                max(2, ((first_value_date(situation) - situation.plan_start).days - 14) // 7 + 1),
                f"First value check{joined}: is the milestone on track for {due}?",
                "CSM",
            ),
        ],
    )


def _threat_note(situation: Situation, descriptions: set[str]) -> str:
    """' Threatened: competitive evaluation (...)' when a risk on the register is about one of these
    opportunities, so the plan says what could cost the deal."""
    threats = [c for c in situation.register if c.threatened_opportunity in descriptions]
    if not threats:
        return ""
    cause = threats[0]
    title = situation.plays.play(cause.cause).title.lower()
    evidence = cause.evidence[0] if cause.evidence else ""
    return f" At risk from a {title}: {evidence}." if evidence else f" At risk from a {title}."


def deal_name(deal: ExpansionCandidate) -> str:
    """A deal as the plan names it: the CRM's words, quoted; an unnamed one says so."""
    return quote(deal.description, 60) or "an unnamed expansion deal"


def _deal_milestones(
    situation: Situation, deals: list[ExpansionCandidate]
) -> tuple[dict[Quarter, str], ExpansionCandidate]:
    """Each deal closes in its quarter; the quarters before a close prepare that deal (the
    business case, then the proposal), the ones after the last close follow through. Returns the
    milestones and the deal that closes first (the one to start on)."""
    buyer = situation.economic_buyer
    closing: dict[Quarter, ExpansionCandidate] = {}
    # In-year deals: each one's timeline is an open quarter.
    dated: list[tuple[Quarter, ExpansionCandidate]] = [(cast(Quarter, timeline_of(situation, d)), d) for d in deals]
    for closes_in, deal in sorted(dated, key=lambda pair: (QUARTERS.index(pair[0]), -pair[1].value)):
        closing.setdefault(closes_in, deal)
    after = iter(
        ["Expansion adoption reviewed at the QBR", "Next year's expansion pipeline qualified", "Expansion outcomes in the annual review"]
    )
    plan: dict[Quarter, str] = {}

    name_of = deal_name
    for index, quarter in enumerate(QUARTERS):
        if quarter in closing:
            deal = closing[quarter]
            text = f"Close {name_of(deal)} ({money(deal.value)})"
            # Two CRM deals may share a name: the milestones still say different things.
            plan[quarter] = text if text not in plan.values() else f"{text}, the second one"
            continue
        upcoming: list[Quarter] = [q for q in QUARTERS[index + 1 :] if q in closing]
        if not upcoming:
            plan[quarter] = next(after, "Expansion results reviewed")
            continue
        deal = closing[upcoming[0]]
        # The quarters since the last close prepare this deal: the case first, the proposal last.
        previous_close = max((QUARTERS.index(q) for q in closing if QUARTERS.index(q) < index), default=-1)
        prep = [i for i in range(previous_close + 1, QUARTERS.index(upcoming[0])) if QUARTERS[i] in situation.open_quarters]
        position = prep.index(index) if index in prep else 0
        if position == 0:
            plan[quarter] = (
                f"Business case for {name_of(deal)} reviewed with {buyer.name}"
                if buyer is not None
                else f"Business case for {name_of(deal)} built; economic buyer identified"
            )
        elif position == len(prep) - 1:
            plan[quarter] = f"Proposal for {name_of(deal)} agreed"
        else:
            plan[quarter] = f"Reference call or pilot for {name_of(deal)} completed"
    return plan, closing[min(closing, key=QUARTERS.index)]


def growth(situation: Situation) -> ObjectiveDraft | None:
    if not situation.expansion_ready or situation.arr is None:
        return None  # no ARR on record: no ARR target (the data gap objective asks for it)
    current = current_arr(situation)
    goal = target_arr(situation)
    # Only opportunities worth something weighted make the growth case.
    candidates = [c for c in in_year_candidates(situation) if c.value * c.probability > 0]
    if goal <= current or not candidates:
        return None
    lead = candidates[0]
    # Opportunity names are the CRM's words: quoted, so nobody reads "Seats for ..." as a seat target.
    lead_name = deal_name(lead)
    buyer = situation.economic_buyer
    plan, first_deal = _deal_milestones(situation, candidates[:3])
    first_name = deal_name(first_deal)
    uplift = round(goal - current, 2)
    factor = situation.pipeline_factor
    discount = f", counted at {pct(factor * 100)} while the account is on watch" if factor < 1 else ""
    return ObjectiveDraft(
        "growth",
        Priority.MEDIUM if situation.onboarding else Priority.HIGH,
        f"Grow ARR from {money(current)} to {money(goal)}",
        f"{plural(len(candidates), 'opportunity', 'opportunities')} can close in {situation.fiscal_year}: "
        f"{money(weighted_in_year(situation))} probability-weighted{discount}. Largest: {lead_name} "
        f"({money(lead.value)}, p={lead.probability:.0%})."
        + _threat_note(situation, {c.description for c in candidates}),
        [
            SuccessMetric(metric="ARR", current=current, target=goal, measurement="Contracted ARR in the CRM"),
            SuccessMetric(
                metric="Expansion value closed-won",
                current=0,
                target=uplift,
                measurement="Closed-won expansion value in the CRM",
            ),
        ],
        plan,
        "CSM",
        [
            FirstAction(
                3,
                f"Build the business case for {first_name}"
                + (f" with {buyer.name}" if buyer else "; identify the economic buyer")
                + " with the account executive",
                "CSM",
            )
        ],
    )


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
