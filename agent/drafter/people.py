"""Who a plan names, and how: only contacts on record are named; a role nobody holds is something to
find ("identify the economic buyer"), never someone to meet; nobody is asked to introduce
themselves; departed or disengaged contacts are never proposed to carry the account.

Also the placeholder phrases the playbook's texts use (see agent/drafter/playbook.yml).
"""

from __future__ import annotations

from agent.drafter.register import competitors_phrase
from agent.drafter.situation import ENGAGED_LEVELS, Situation
from agent.drafter.text import names, person
from tools.analytics.snapshot import ContactInsight

ROLE_NAMES = {
    "exec_sponsor": "executive sponsor",
    "economic_buyer": "economic buyer",
    "technical_buyer": "technical buyer",
    "champion": "champion",
}


def engaged(contact: ContactInsight) -> bool:
    return (contact.engagement_level or "") in ENGAGED_LEVELS


def missing_exec_roles(situation: Situation) -> list[str]:
    """The senior roles nobody on record holds: 'executive sponsor (VP+)', 'economic buyer'."""
    return [
        role
        for role in situation.context.coverage.missing_roles
        if "sponsor" in role.lower() or "economic" in role.lower()
    ]


def with_champion(situation: Situation) -> str:
    champion = situation.champion
    return f" with {champion.name}" if champion is not None else ""


def champion_name(situation: Situation) -> str:
    champion = situation.champion
    return champion.name if champion is not None else "the main contact"


def sponsor_phrase(situation: Situation) -> str:
    """The senior person who decides: the sponsor or economic buyer on record, else a role to find."""
    sponsor = situation.exec_sponsor or situation.economic_buyer
    if sponsor is not None:
        return sponsor.name
    return "the economic buyer (to identify)"


def buyer_phrase(situation: Situation) -> str:
    """The economic buyer by name, or the role to identify."""
    buyer = situation.economic_buyer
    return buyer.name if buyer is not None else "the economic buyer (to identify)"


def multi_thread_phrase(situation: Situation) -> str:
    """How to widen the relationship, with the people actually on record."""
    anchor = situation.anchor_contact
    missing = missing_exec_roles(situation)
    disengaged = [c for c in situation.contacts_in("exec_sponsor", "economic_buyer") if not engaged(c)]
    if anchor is None:
        return (
            "identify the executive sponsor and the economic buyer with the account executive "
            "(order form signatory, org chart)"
        )
    if missing:
        if anchor.role == "exec_sponsor" and any("sponsor" in role for role in missing):
            # A sponsor below VP on record: they bring in their own leadership, never "introduce" themselves.
            others = [role for role in missing if "sponsor" not in role]
            ask = f"ask {anchor.name} for a meeting with their VP-level leadership"
            return ask + (f" and an introduction to the {names(others)}" if others else "")
        return f"ask {anchor.name} to introduce the {names(missing)}"
    if disengaged:
        return f"re-engage {names([person(c.name, c.title) for c in disengaged[:2]])} with a short executive briefing"
    second = next((c for c in situation.active_contacts[1:] if c.id != anchor.id), None)
    if second is not None:
        return f"bring {second.name} into the recurring meetings alongside {anchor.name}"
    return f"ask {anchor.name} who else should be part of the working relationship"


def successor_candidates(situation: Situation) -> list[ContactInsight]:
    """Engaged active contacts who could carry the account after a champion left."""
    return [
        c
        for c in situation.contacts_in("champion", "user", "technical_buyer")
        if engaged(c) and c.relationship.score >= 40
    ][:2]


def successors_phrase(situation: Situation) -> str:
    candidates = successor_candidates(situation)
    if candidates:
        return f" (engaged candidates on record: {names([c.name for c in candidates])})"
    return " (no engaged successor on record yet: find one with the account executive)"


def departed_phrase(situation: Situation) -> str:
    # "(champion, left)" beside every name: nobody reads a departed person as the one to carry on.
    departed = [f"{ref.name} ({ref.role.replace('_', ' ')}, left)" for ref in situation.departed_key_refs]
    return names(departed) if departed else "the key contact who is leaving"


def placeholders(situation: Situation, threatened: str | None = None) -> dict[str, str]:
    """Every playbook placeholder for this account (see agent/drafter/playbook.yml); the phrases
    about people are worked out once per draft."""
    cache = situation.__dict__.setdefault("_placeholders", {})
    if threatened not in cache:
        cache[threatened] = _placeholders(situation, threatened)
    return cache[threatened]


def _placeholders(situation: Situation, threatened: str | None) -> dict[str, str]:
    return {
        "account": situation.name,
        "with_champion": with_champion(situation),
        "champion": champion_name(situation),
        "sponsor": sponsor_phrase(situation),
        "multi_thread": multi_thread_phrase(situation),
        "successors": successors_phrase(situation),
        "departed": departed_phrase(situation),
        "threatened": threatened or situation.renewal_label or "the account",
        "competitors": competitors_phrase(situation.context),
        "renewal": situation.renewal_label or "the renewal",
    }


def fill(template: str, values: dict[str, str]) -> str:
    """A playbook text with its placeholders filled (validated when the playbook was loaded)."""
    text = template.format(**values)
    return text[:1].upper() + text[1:]
