"""Objectives that protect the base: the renewal, champions, executive sponsorship, relationships.

Milestones that lead to the renewal land in or before its quarter; people are named only when on
record (a missing role is something to identify).
"""

from __future__ import annotations

from agent.drafter.objective_draft import (
    FirstAction,
    ObjectiveDraft,
    health_target,
    multi_threading_target,
    renewal_day,
    sequence,
    within_reach,
)
from agent.drafter.people import (
    buyer_phrase,
    champion_name,
    engaged,
    missing_exec_roles,
    multi_thread_phrase,
    successor_candidates,
)
from agent.drafter.register import RiskCause
from agent.drafter.situation import EXEC_ROLES, Situation
from agent.drafter.stakeholders import relationship_target
from agent.drafter.text import capitalized, days_phrase, money, names, person, plural
from storage.plan_document import Priority, SuccessMetric

RISKS_SHOWN = 2


def _buyer_step(situation: Situation, named: str, unnamed: str) -> str:
    """A step with the economic buyer: `named` (with {buyer}) when one is on record, else
    `unnamed` (with {who}: the sponsor or champion on record), never "with the economic buyer"."""
    buyer = situation.economic_buyer
    if buyer is not None:
        return named.format(buyer=buyer.name)
    who = situation.exec_sponsor or situation.champion
    return unnamed.format(who=who.name if who else "the main contact")


def _cause_titles(situation: Situation, causes: list[RiskCause]) -> list[str]:
    return [situation.plays.play(c.cause).title.lower() for c in causes]


def retention(situation: Situation) -> ObjectiveDraft | None:
    in_year = situation.renewal_quarter is not None
    if not situation.at_risk and not in_year:
        return None
    health = situation.health
    renewal = renewal_day(situation)
    metrics: list[SuccessMetric] = []
    target = None
    if health is not None:
        target = health_target(health, recovering=situation.at_risk, year_left=situation.year_left)
        metrics.append(
            SuccessMetric(
                metric="Health score",
                current=health,
                target=target,
                measurement="Health score on the 1st of each month",
            )
        )
    if situation.at_risk:
        metrics.append(
            SuccessMetric(
                metric="Open risks",
                current=len(situation.register),
                target=0,
                measurement="Risks on this plan's register, reviewed every two weeks",
            )
        )
    if renewal is not None:
        metrics.append(
            SuccessMetric(
                metric="Renewal committed",
                current="not started",
                target=f"signed by {renewal}",
                measurement="Signed order form in the CRM",
            )
        )
    elif situation.renewal_stale:
        metrics.append(
            SuccessMetric(
                metric="Renewal status on record",
                current="date passed",
                target="outcome and new date recorded",
                measurement="Customer record in the CRM",
            )
        )
    at_stake = money(situation.arr) if situation.arr is not None else "the contract"
    champion = situation.exec_sponsor or situation.champion
    with_whom = f" with {champion.name}" if champion else ""
    the_renewal = situation.renewal_label or "the next renewal"
    if situation.at_risk:
        top = situation.register[:RISKS_SHOWN]
        reasons = "; ".join(situation.assessment.reasons[1:4])
        when = f", renewal {days_phrase(situation.days_to_renewal)}" if situation.days_to_renewal is not None else ""
        rationale = f"{at_stake} ARR at risk{when}: {reasons}."
        lift = f" and lift health from {health} to {target}" if health is not None else ""
        if situation.renewal_label:
            objective = f"Secure {the_renewal}{lift}"
        elif situation.renewal_stale:
            objective = f"Confirm the renewal status{lift}"
        else:
            objective = f"Stabilise the account{lift}" if lift else "Stabilise the account and close the open risks"
        priority: Priority = Priority.CRITICAL
        about = names([f"the {title}" for title in _cause_titles(situation, top)]) or "the open risks"
        if situation.onboarding:
            first = [
                FirstAction(1, f"Onboarding reset{with_whom}: agree how to address {about}", "CSM"),
                FirstAction(3, "Share the reset onboarding plan with owners and dates", "CSM"),
            ]
            start_step = "Onboarding reset agreed with owners and dates"
        else:
            first = [
                FirstAction(1, f"Risk review{with_whom}: agree a recovery plan for {about}", "CSM"),
                FirstAction(3, "Share the written recovery plan with owners and dates", "CSM"),
            ]
            start_step = "Recovery plan agreed; risks reviewed every two weeks"
    else:
        term = "a multi-year" if (health or 0) >= 70 else "an on-time"
        objective = f"Secure {term} renewal of the {at_stake} contract by {renewal}"
        rationale = (
            f"The renewal falls in {situation.renewal_quarter} of {situation.fiscal_year}"
            + (f" ({days_phrase(situation.days_to_renewal)})" if situation.days_to_renewal is not None else "")
            + (f"; health {health} supports starting the renewal case early." if health is not None else ".")
        )
        priority = Priority.HIGH
        first = [
            FirstAction(
                2 if situation.stage == "renewal" else 4,
                f"Outline the renewal business case{with_whom}: outcomes to date and {situation.fiscal_year} goals",
                "CSM",
            )
        ]
        start_step = f"Renewal success criteria agreed with {champion_name(situation)}"
    if situation.renewal_quarter is not None:
        plan = sequence(
            situation,
            [
                start_step,
                _buyer_step(
                    situation,
                    "Value review with {buyer}: outcomes against goals",
                    "Value review with {who}: outcomes against goals",
                ),
                f"Renewal proposal agreed with {buyer_phrase(situation)}",
                f"Renewal signed by {renewal}",
            ],
            before=situation.renewal_quarter,
            after=(
                "Post-renewal success plan kicked off",
                "Health held at target for two consecutive months",
                "Next year's goals agreed",
            ),
        )
    else:
        plan = sequence(
            situation,
            [
                start_step,
                "Top risks closed; health trending up",
                _buyer_step(
                    situation,
                    "Value review with {buyer}: outcomes against goals",
                    "Value review with {who}: outcomes against goals",
                ),
                "Next renewal approach agreed" if situation.renewal_label or situation.renewal_stale
                else "Contract dates and next renewal approach confirmed",
            ],
        )
    return ObjectiveDraft("retention", priority, objective, rationale, metrics, plan, "CSM", first)


def champion_replacement(situation: Situation) -> ObjectiveDraft | None:
    departed = situation.departed_key_contacts
    if not departed:
        return None
    coverage = situation.context.coverage
    candidates = successor_candidates(situation)
    via = (
        f"; engaged candidates on record: {names([c.name for c in candidates])}"
        if candidates
        else "; no engaged successor on record yet"
    )
    current = coverage.champion_count
    gone = [ref.name for ref in situation.departed_key_refs]
    who = names(gone[:2]) + (f" and {plural(len(gone) - 2, 'other')}" if len(gone) > 2 else "")
    return ObjectiveDraft(
        "champion",
        Priority.CRITICAL if situation.at_risk else Priority.HIGH,
        # The departed are named right beside "after ... left": nobody reads them as the new champion.
        f"Win a new champion after {who} left",
        f"Key relationships left the company{via}. Champions today: {current}.",
        [
            SuccessMetric(
                metric="Active champions",
                current=current,
                target=within_reach(current, max(2, current + 1), situation.year_left),
                # What coverage counts (and the benchmark and risk register quote): the role on record.
                measurement="Active contacts in the champion role on record",
            )
        ],
        sequence(
            situation,
            [
                "Successor champion identified and briefed" if not candidates else f"{candidates[0].name} briefed as successor champion",
                "New champion leads a usage review",
                "Champion co-presents the QBR",
                "Second champion engaged",
            ],
        ),
        "CSM",
        [FirstAction(1, f"Find out who takes over from {names(departed)} and meet them", "CSM")],
    )


def _exec_steps(situation: Situation, exec_missing: list[str], disengaged: list[str]) -> tuple[str, str]:
    """(first milestone, week-1 action) for widening the executive relationship."""
    phrase = multi_thread_phrase(situation)
    anchor = situation.anchor_contact
    if anchor is None:
        return "Executive sponsor and economic buyer identified and met", capitalized(phrase)
    if exec_missing:
        return f"{capitalized(names(exec_missing))} identified and met", capitalized(phrase)
    if disengaged:
        return f"Executive briefing held with {names(disengaged)}", capitalized(phrase)
    return "Second senior contact engaged in the recurring meetings", capitalized(phrase)


def executive_sponsorship(situation: Situation) -> ObjectiveDraft | None:
    if not situation.needs_exec_coverage:
        return None
    coverage = situation.context.coverage
    anchor = situation.anchor_contact
    exec_missing = missing_exec_roles(situation)
    disengaged = [person(c.name, c.title) for c in situation.contacts_in(*EXEC_ROLES) if not engaged(c)][:2]
    first_step, first_action = _exec_steps(situation, exec_missing, disengaged)
    target_execs = 1 if situation.segment == "smb" else 2
    if anchor is None:
        reliance = "No active contact on record"
    elif coverage.single_threaded:
        reliance = f"Currently reliant on {person(anchor.name, anchor.title)}"
    else:
        reliance = f"{plural(coverage.engaged_contacts, 'engaged contact')}, strongest {person(anchor.name, anchor.title)}"
    gap = f"; missing {names(exec_missing)}" if exec_missing else ""
    if disengaged:
        gap += f"; not engaged: {names(disengaged)}"
    if anchor is None:
        objective = "Build the stakeholder map: identify an executive sponsor, a champion and the economic buyer"
    elif coverage.single_threaded:
        objective = "Expand executive engagement from single-threaded to multi-level"
    elif not coverage.has_exec_sponsor:
        objective = "Win a VP+ executive sponsor" + (
            " and identify the economic buyer" if situation.economic_buyer is None else ""
        )
    elif situation.economic_buyer is None:
        objective = "Identify the economic buyer and engage them alongside the executive sponsor"
    else:
        objective = "Re-engage the executive sponsor and the economic buyer"
    soon = situation.days_to_renewal is not None and situation.days_to_renewal <= 180
    urgent = situation.at_risk or (soon and situation.risk_level != "on_track")
    renewal = renewal_day(situation)
    # Until a sponsor is on record, the one endorsing is whoever the first step identifies: said
    # so when both fall in one quarter; in a later quarter they are simply the executive sponsor.
    one_quarter = (
        situation.renewal_quarter == situation.start_quarter
        if situation.renewal_quarter is not None
        else len(situation.open_quarters) == 1
    )
    sponsor = (
        "Newly identified executive sponsor"
        if situation.exec_sponsor is None and one_quarter
        else "Executive sponsor"
    )
    briefing = _buyer_step(
        situation, "{buyer} briefed on value delivered", "Value briefing for the newly identified economic buyer"
    )
    if situation.renewal_quarter is not None:
        plan = sequence(
            situation,
            [first_step, briefing, "Joint executive planning session", f"{sponsor} endorses the {renewal} renewal"],
            before=situation.renewal_quarter,
            after=(
                "Joint executive planning session for next year",
                "Quarterly executive briefing held",
                f"Executive sponsor endorses the {situation.fiscal_year} outcomes",
            ),
        )
    else:
        plan = sequence(
            situation,
            [
                first_step,
                briefing,
                "Joint executive planning session",
                f"{sponsor} endorses the {situation.fiscal_year} outcomes and next year's goals",
            ],
        )
    target_engaged = multi_threading_target(situation)
    return ObjectiveDraft(
        "executive",
        Priority.CRITICAL if coverage.single_threaded and urgent else Priority.HIGH,
        objective,
        f"{reliance}{gap}. Renewal decisions need an executive sponsor and the economic buyer engaged.",
        [
            SuccessMetric(
                metric="Executive sponsors engaged",
                current=situation.engaged_execs,
                target=within_reach(situation.engaged_execs, target_execs, situation.year_left),
                measurement="Exec sponsor / economic buyer met at least once a quarter",
            ),
            SuccessMetric(
                metric="Engaged contacts",
                current=coverage.engaged_contacts,
                target=target_engaged,
                measurement="Active contacts with high or medium engagement",
            ),
        ],
        plan,
        "CSM",
        [
            FirstAction(1, first_action, "CSM"),
            FirstAction(
                2, "Prepare a one-page executive briefing: outcomes to date and the plan's objectives", "CSM"
            ),
        ],
    )


def relationship_depth(situation: Situation) -> ObjectiveDraft | None:
    contacts = situation.active_contacts
    if not contacts:
        return None
    average = sum(c.relationship.score for c in contacts) / len(contacts)
    # The average of the stakeholder plan's own goals, so the objective and the map agree.
    goal_average = sum(max(0, min(100, relationship_target(c))) for c in contacts) / len(contacts)
    target = max(round(average) + 1, round(goal_average))
    below = [c for c in contacts if c.relationship.score < max(average, 60)]
    weakest = sorted(below or contacts, key=lambda c: (c.relationship.score, c.name))[:2]
    return ObjectiveDraft(
        "relationships",
        Priority.MEDIUM,
        f"Strengthen relationships across {plural(len(contacts), 'active contact')}",
        f"Average relationship score is {average:.0f}; weakest: {names([f'{c.name} ({c.relationship.score})' for c in weakest])}.",
        [
            SuccessMetric(
                metric="Average relationship score",
                current=round(average),
                target=int(target),
                measurement="Relationship score (recency, frequency, sentiment, seniority, engagement)",
            )
        ],
        sequence(
            situation,
            [
                f"Touchpoint plan for {names([c.name for c in weakest])}",
                "Every active contact met at least once",
                "Relationship scores reviewed at the QBR",
                "Average score at target",
            ],
        ),
        "CSM",
        [FirstAction(4, f"Schedule 1:1s with {names([c.name for c in weakest])}", "CSM")],
    )


def renewal_readiness(situation: Situation) -> ObjectiveDraft | None:
    renewal = renewal_day(situation)
    if renewal is None or situation.at_risk or situation.renewal_quarter is not None:
        return None
    renewal_date = situation.context.customer.renewal_date
    if renewal_date is None or renewal_date < situation.plan_start:
        return None  # renews before this plan year starts: last year's plan's business
    return ObjectiveDraft(
        "renewal_readiness",
        Priority.MEDIUM,
        f"Build the case for the {renewal} renewal during {situation.fiscal_year}",
        f"The renewal falls after this fiscal year ({days_phrase(situation.days_to_renewal or 0)}); outcomes documented now make it a formality.",
        [
            SuccessMetric(
                metric="Open risks at year end",
                current=len(situation.register),
                target=0,
                measurement="Risks on this plan's register at the year-end review",
            )
        ],
        sequence(
            situation,
            [
                _buyer_step(
                    situation,
                    "Renewal criteria confirmed with {buyer}",
                    "Renewal criteria confirmed with {who}; economic buyer identified",
                ),
                "Mid-year value review",
                "Renewal stakeholders mapped",
                "Renewal proposal outline shared",
            ],
        ),
        "CSM",
    )
