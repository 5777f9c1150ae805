"""Objectives that build value: adoption (the onboarding play while onboarding) and growth."""

from __future__ import annotations

from datetime import date, timedelta
from typing import cast

from agent.drafter.expansion import (
    current_arr,
    in_year_candidates,
    target_arr,
    timeline_of,
    weighted_in_year,
)
from agent.drafter.objective_draft import FirstAction, ObjectiveDraft, sequence, within_reach
from agent.drafter.people import champion_name, with_champion
from agent.drafter.situation import HIGH_UTILIZATION, Situation
from agent.drafter.text import day, money, pct, plural, quote, round_to
from storage.plan_document import QUARTERS, Priority, Quarter, SuccessMetric
from tools.analytics.expansion import ExpansionCandidate

ONBOARDING_FIRST_VALUE_DAYS = 90  # first value is due this long after the contract starts at the latest

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


def _onboarding_steps(situation: Situation, target: float | None) -> list[str]:
    """Quarterly milestones of the onboarding play. First value lands in the quarter its date falls
    in: when that is the first open quarter, provisioning and first value are one milestone there
    (a "by Feb 16" objective with first value as its Q2 milestone contradicts itself)."""
    customer = situation.context.customer
    provisioned = (
        "Purchased seats provisioned; admins trained"
        if customer.seats_purchased is not None and customer.seats_active is not None
        else "Users provisioned; admins trained"
    )
    first_value = f"First value milestone documented{with_champion(situation)}"
    sustained = f"{pct(target) if target else 'Target'} utilization sustained for a full month"
    open_quarters = situation.open_quarters
    if open_quarters and situation.quarter_of(first_value_date(situation)) == open_quarters[0]:
        return [
            # The objective's title carries the date; a date beside "utilization" in a one-quarter
            # plan's joined milestone would read as a utilization level.
            f"{provisioned}; {first_value[0].lower()}{first_value[1:]}",
            "Adoption reviewed against target at the QBR",
            "Adoption gaps from the review closed with the customer's admins",
            sustained,
        ]
    return [provisioned, first_value, "Adoption reviewed against target at the QBR", sustained]


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
        sequence(situation, _onboarding_steps(situation, target)),
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
            step = (
                f"Business case for {name_of(deal)} reviewed with {buyer.name}"
                if buyer is not None
                else f"Business case for {name_of(deal)} built; economic buyer identified"
            )
        elif position == len(prep) - 1:
            step = f"Proposal for {name_of(deal)} agreed"
        else:
            step = f"Reference call or pilot for {name_of(deal)} completed"
        # Namesake deals: say which close the step prepares.
        plan[quarter] = step if step not in plan.values() else f"{step}, ahead of the {upcoming[0]} close"
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
            SuccessMetric(
                metric="ARR",
                current=current,
                target=goal,
                measurement="Contracted ARR in the CRM, expansions closed-won included",
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
