"""Stakeholder plan: the real contacts on record (never invented people), a relationship goal
for each active one, the roles still missing, and how to win or keep an executive sponsor."""

from __future__ import annotations

from agent.drafter.objective_draft import multi_threading_target
from agent.drafter.people import multi_thread_phrase
from agent.drafter.situation import ENGAGED_LEVELS, Situation
from agent.drafter.text import names, person, plural
from storage.plan_document import RelationshipGoal, StakeholderMapEntry, StakeholderPlan
from storage.vocabulary import ContactRole
from tools.analytics.snapshot import ContactInsight

ENGAGEMENT_WORDS = {"low": "low", "none": "no"}
STRONG = 75
WEAK = 50
TARGET_CAP = 95


def relationship_target(contact: ContactInsight) -> int:
    """The relationship score the plan aims for with this contact by the end of the year."""
    score = contact.relationship.score
    lift = 12 if contact.role in (ContactRole.EXEC_SPONSOR, ContactRole.ECONOMIC_BUYER, ContactRole.CHAMPION) else 10
    if score < WEAK:
        lift = max(lift, min(25, 60 - score))
    return min(TARGET_CAP, score + lift)


def _strategy(situation: Situation, contact: ContactInsight) -> str:
    """How to work with this person, addressed to them (two people in one role get their own line)."""
    score = contact.relationship.score
    role = contact.role
    first = contact.name  # the full name: two contacts may share a first name
    if role == "exec_sponsor":
        return f"Quarterly executive briefing with {first}; co-own the plan's outcomes and the renewal decision"
    if role == "economic_buyer":
        return f"Value review with {first} each half-year tying spend to outcomes; preview the renewal case early"
    engaged = (contact.engagement_level or "") in ENGAGED_LEVELS
    if role == "champion" and engaged and score >= STRONG and not situation.context.coverage.has_exec_sponsor:
        return f"Elevate to executive sponsor: involve {first} in strategic planning and ask for the exec introduction"
    if role == "champion":
        return f"Bi-weekly check-in with {first}; early access to roadmap items; {first} co-presents the QBR"
    if role == "technical_buyer":
        return f"Monthly technical review with {first}: integrations, security and the adoption roadmap"
    if score < WEAK:
        return f"Short usage review of their team with {first} to re-engage them; agree one concrete next step"
    return f"Enablement sessions and the QBR invite for {first}; collect their feedback each quarter"


def _assessment(situation: Situation) -> str:
    coverage = situation.context.coverage
    active = situation.active_contacts
    if not active:
        return "No active contacts on record: the stakeholder map must be built from scratch before anything else."
    strongest = active[0]
    parts = [
        f"{plural(coverage.active_contacts, 'active contact')}, {coverage.engaged_contacts} engaged; "
        f"strongest relationship: {person(strongest.name, strongest.title)} at {strongest.relationship.score}."
    ]
    if coverage.single_threaded:
        parts.append(f"Single-threaded: the account rests on {strongest.name}.")
    if coverage.missing_roles:
        parts.append(f"Missing: {names(coverage.missing_roles)}.")
    if coverage.departed:
        parts.append(f"Departed: {names([person(d.name, d.title) for d in coverage.departed])}.")
    return " ".join(parts)


def _exec_strategy(situation: Situation) -> str:
    sponsor = situation.exec_sponsor
    buyer = situation.economic_buyer
    if sponsor is not None:
        engaged = (sponsor.engagement_level or "") in ENGAGED_LEVELS
        who = f"{person(sponsor.name, sponsor.title)}, the executive sponsor on record (score {sponsor.relationship.score})"
        strategy = (
            f"{who}: keep them close with quarterly executive briefings with our VP Customer Success"
            if engaged
            else f"{who}, shows {ENGAGEMENT_WORDS.get(sponsor.engagement_level or '', 'no recorded')} engagement: "
            "win back their attention "
            "with a short outcomes briefing, then quarterly executive reviews"
        )
        if buyer is None:
            strategy += "; ask them to sponsor an introduction to the economic buyer"
        return strategy + "."
    if situation.anchor_contact is not None:
        return (
            f"No executive sponsor on record: {multi_thread_phrase(situation)}; open with a briefing on "
            "outcomes to date, then propose quarterly executive reviews."
        )
    return "No contacts on record: identify the executive sponsor through the account executive and the order form signatory."


def draft_stakeholder_plan(situation: Situation) -> StakeholderPlan:
    contacts = sorted(
        situation.context.contacts, key=lambda c: (not c.active, -c.relationship.score, c.name, c.id)
    )
    current_map = [
        StakeholderMapEntry(
            stakeholder_id=c.id,
            name=c.name,
            title=c.title,
            role=c.role,
            relationship_score=max(0, min(100, c.relationship.score)),
            engagement_level=c.engagement_level,
            active=c.active,
        )
        for c in contacts
    ]
    goals = [
        RelationshipGoal(
            stakeholder_id=c.id,
            name=c.name,
            current_score=max(0, min(100, c.relationship.score)),
            target_score=max(0, min(100, relationship_target(c))),
            strategy=_strategy(situation, c),
        )
        for c in situation.active_contacts
    ]
    return StakeholderPlan(
        current_assessment=_assessment(situation),
        current_map=current_map,
        relationship_goals=goals,
        missing_roles=list(situation.context.coverage.missing_roles),
        multi_threading_target=multi_threading_target(situation),
        exec_sponsor_strategy=_exec_strategy(situation),
    )
