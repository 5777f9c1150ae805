"""Objectives that protect the base: the renewal, champions, executive sponsorship, relationships."""

from __future__ import annotations

from agent.drafter.objective_draft import (
    FirstAction,
    ObjectiveDraft,
    health_target,
    multi_threading_target,
    quarter_plan,
    renewal_label,
    within_reach,
)
from agent.drafter.situation import ENGAGED_LEVELS, EXEC_ROLES, Situation
from agent.drafter.text import day, money, names, person, round_to
from storage.plan_document import Priority, SuccessMetric
from storage.vocabulary import Severity
from tools.analytics.snapshot import ContactInsight


def retention(situation: Situation) -> ObjectiveDraft | None:
    customer = situation.context.customer
    in_year = situation.renewal_quarter is not None
    if not situation.at_risk and not in_year:
        return None
    risks = situation.context.risks.risks
    health = situation.health
    metrics: list[SuccessMetric] = []
    if health is not None:
        metrics.append(
            SuccessMetric(
                metric="Health score",
                current=health,
                target=health_target(health, recovering=situation.at_risk, year_left=situation.year_left),
                measurement="Health score on the 1st of each month",
            )
        )
    open_high = sum(1 for r in risks if r.severity in (Severity.HIGH, Severity.CRITICAL))
    if situation.at_risk:
        metrics.append(
            SuccessMetric(
                metric="Open high/critical risks",
                current=open_high,
                target=0,
                measurement="Risk review in the weekly account sync",
            )
        )
    renewal = customer.renewal_date
    if renewal is not None:
        metrics.append(
            SuccessMetric(
                metric="Renewal committed",
                current="not started",
                target=f"signed by {day(renewal)}",
                measurement="Signed order form in the CRM",
            )
        )
    at_stake = money(situation.arr) if situation.arr is not None else "the contract"
    champion = situation.exec_sponsor or situation.champion
    with_whom = f" with {champion.name}" if champion else ""
    if situation.at_risk:
        top = risks[:2]
        evidence = "; ".join(f"{r.title} ({r.evidence})" for r in top) or f"health {health}"
        renewal_note = (
            f", renewal in {situation.days_to_renewal} days" if situation.days_to_renewal is not None else ""
        )
        rationale = f"{at_stake} ARR at risk{renewal_note}: {evidence}."
        objective = f"Secure the {renewal_label(situation)} renewal by resolving the open risks"
        if health is not None:
            objective = f"Secure the {renewal_label(situation)} renewal and lift health from {health} to {health_target(health, recovering=True, year_left=situation.year_left)}"
        priority: Priority = Priority.CRITICAL
        first = [
            FirstAction(
                1,
                f"Run a risk review{with_whom}: agree a recovery plan for {names([r.title.lower() for r in top]) or 'the health decline'}",
                "CSM",
            ),
            FirstAction(
                3, "Share a written recovery plan with owners and dates; confirm it in the weekly sync", "CSM"
            ),
        ]
    else:
        term = "a multi-year" if (health or 0) >= 70 else "an on-time"
        objective = f"Secure {term} renewal of the {at_stake} contract by {renewal_label(situation)}"
        rationale = f"The renewal falls in {situation.renewal_quarter} of {situation.fiscal_year}; health {health if health is not None else 'unknown'} supports starting the renewal case early."
        priority = Priority.HIGH
        first = [
            FirstAction(
                4,
                f"Outline the renewal business case{with_whom}: outcomes to date and {situation.fiscal_year} goals",
                "CSM",
            )
        ]
    plan = quarter_plan(
        situation.renewal_quarter,
        early=(
            "Renewal success criteria agreed with the sponsor",
            "Value review with the economic buyer: outcomes against goals",
        ),
        just_before="Renewal proposal agreed with the economic buyer",
        at=f"Renewal signed by {renewal_label(situation)}",
        just_after="Post-renewal success plan kicked off with the sponsor",
        later=(
            "Health held at target for two consecutive months",
            "Next year's goals agreed with the sponsor",
        ),
    ) or {
        "Q1": "Recovery plan agreed; weekly risk review running",
        "Q2": "Top risks closed; health trending up",
        "Q3": "Value review with the economic buyer",
        "Q4": "Renewal proposal agreed for the coming year",
    }
    if situation.at_risk:
        plan[situation.start_quarter] = (
            "Recovery plan agreed and the weekly risk review running; " + plan[situation.start_quarter]
        )
    return ObjectiveDraft("retention", priority, objective, rationale, metrics, plan, "CSM", first)


def champion_replacement(situation: Situation) -> ObjectiveDraft | None:
    departed = situation.departed_key_contacts
    if not departed:
        return None
    coverage = situation.context.coverage
    candidates = [c.name for c in situation.contacts_in("champion", "user", "technical_buyer")[:2]]
    via = f"; candidates on record: {names(candidates)}" if candidates else "; no successor on record yet"
    return ObjectiveDraft(
        "champion",
        Priority.CRITICAL if situation.at_risk else Priority.HIGH,
        f"Replace the departed {names(departed)} with a new champion",
        f"Key relationships left the company{via}. Champions today: {coverage.champion_count}.",
        [
            SuccessMetric(
                metric="Active champions",
                current=coverage.champion_count,
                target=max(2, coverage.champion_count + 1),
                measurement="Contacts in the champion role with high or medium engagement",
            )
        ],
        {
            "Q1": "Successor champion identified and briefed",
            "Q2": "New champion leads a usage review",
            "Q3": "Champion co-presents the QBR",
            "Q4": "Second champion engaged",
        },
        "CSM",
        [FirstAction(1, f"Map who inherited the work of {names(departed)}; request an intro", "CSM")],
    )


def _first_exec_step(
    situation: Situation, exec_missing: list[str], disengaged: list[ContactInsight]
) -> tuple[str, str]:
    """(Q1 milestone, week-1 action): reach a missing executive through the strongest
    relationship, or re-engage the executives on record who have gone quiet."""
    anchor = situation.anchor_contact
    if exec_missing and anchor is not None:
        role = exec_missing[0]
        return (
            f"Intro meeting with the {role} via {anchor.name}",
            f"Ask {anchor.name} for an introduction to the {role}",
        )
    if exec_missing:
        return (
            f"{exec_missing[0][0].upper()}{exec_missing[0][1:]} identified and met",
            "Find the executive sponsor and economic buyer with the account executive (order form signatory, org chart)",
        )
    if disengaged:
        who = names([person(c.name, c.title) for c in disengaged[:2]])
        return (
            f"Executive briefing held with {who}",
            f"Request a 30-minute executive briefing with {who}: outcomes to date and this plan",
        )
    return "Second executive engaged", "Map a second executive to engage alongside the current sponsor"


def executive_sponsorship(situation: Situation) -> ObjectiveDraft | None:
    if not situation.needs_exec_coverage:
        return None
    coverage = situation.context.coverage
    anchor = situation.anchor_contact
    missing = coverage.missing_roles
    exec_missing = [r for r in missing if "exec" in r.lower() or "economic" in r.lower()]
    disengaged = [
        c for c in situation.contacts_in(*EXEC_ROLES) if (c.engagement_level or "") not in ENGAGED_LEVELS
    ]
    first_step, first_action = _first_exec_step(situation, exec_missing, disengaged)
    target_execs = 1 if situation.segment == "smb" else 2
    if anchor is None:
        reliance = "No active contact on record"
    elif coverage.single_threaded:
        reliance = f"Currently reliant on {person(anchor.name, anchor.title)}"
    else:
        reliance = (
            f"{coverage.engaged_contacts} engaged contacts, strongest {person(anchor.name, anchor.title)}"
        )
    gap = f"; missing {names(exec_missing)}" if exec_missing else ""
    if disengaged:
        gap += f"; not engaged: {names([person(c.name, c.title) for c in disengaged[:2]])}"
    if anchor is None:
        objective = "Build the stakeholder map: an executive sponsor, a champion and the economic buyer"
    elif coverage.single_threaded:
        objective = "Expand executive engagement from single-threaded to multi-level"
    elif not coverage.has_exec_sponsor:
        objective = "Win a VP+ executive sponsor" + (
            " and engage the economic buyer" if situation.economic_buyer is None else ""
        )
    else:
        objective = "Engage the economic buyer alongside the executive sponsor"
    urgent = situation.at_risk or (situation.days_to_renewal is not None and situation.days_to_renewal <= 180)
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
                target=within_reach(
                    coverage.engaged_contacts, multi_threading_target(situation), situation.year_left
                ),
                measurement="Active contacts with high or medium engagement",
            ),
        ],
        {
            "Q1": first_step,
            "Q2": "Economic buyer briefed on value delivered",
            "Q3": "Joint executive planning session",
            "Q4": f"Executive sponsor endorses the {situation.fiscal_year} outcomes and renewal",
        },
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
    target = min(90, round_to(average + 10, 5))
    below = [c for c in contacts if c.relationship.score < max(average, 60)]
    weakest = sorted(below or contacts, key=lambda c: (c.relationship.score, c.name))[:2]
    return ObjectiveDraft(
        "relationships",
        Priority.MEDIUM,
        f"Strengthen relationships across {len(contacts)} active contacts",
        f"Average relationship score is {average:.0f}; weakest: {names([f'{c.name} ({c.relationship.score})' for c in weakest])}.",
        [
            SuccessMetric(
                metric="Average relationship score",
                current=round(average),
                target=int(target),
                measurement="Relationship score (recency, frequency, sentiment, seniority, engagement)",
            )
        ],
        {
            "Q1": f"Touchpoint plan for {names([c.name for c in weakest])}",
            "Q2": "Every active contact met at least once",
            "Q3": "Relationship scores reviewed at the QBR",
            "Q4": "Average score at target",
        },
        "CSM",
        [FirstAction(4, f"Schedule 1:1s with {names([c.name for c in weakest])}", "CSM")],
    )


def renewal_readiness(situation: Situation) -> ObjectiveDraft | None:
    renewal = situation.context.customer.renewal_date
    if (
        renewal is None
        or situation.at_risk
        or situation.renewal_quarter is not None
        or renewal < situation.plan_start
    ):
        return None
    return ObjectiveDraft(
        "renewal_readiness",
        Priority.MEDIUM,
        f"Build the case for the {day(renewal)} renewal during {situation.fiscal_year}",
        f"The renewal falls after this fiscal year ({situation.days_to_renewal} days out); outcomes documented now make it a formality.",
        [
            SuccessMetric(
                metric="Renewal risks open at year end",
                current=len(situation.context.risks.risks),
                target=0,
                measurement="Detected risks in the year-end plan review",
            )
        ],
        {
            "Q1": "Renewal criteria confirmed with the economic buyer",
            "Q2": "Mid-year value review",
            "Q3": "Renewal stakeholders mapped",
            "Q4": "Renewal proposal outline shared",
        },
        "CSM",
    )
