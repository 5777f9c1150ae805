"""Stakeholder coverage against the ideal map: an executive sponsor (VP+), 2-3 champions, a
technical buyer and an economic buyer; single-threading and departed contacts.

Single-threaded means at most one senior thread: an active contact at director level or above with
a working relationship, i.e. a relationship score of at least 60 (when scored, as in ContactInsight),
or else engagement high or medium. Losing that one person would leave nobody senior who knows the
account (the PRD's "single-threaded executive engagement").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from pydantic import BaseModel

from storage.vocabulary import ContactRole, EngagementLevel
from tools.analytics.relationships import seniority_level

EXEC_SPONSOR_MIN_SENIORITY = 4  # VP and above
SENIOR_THREAD_MIN_SENIORITY = 3  # director and above
WORKING_RELATIONSHIP_SCORE = 60
IDEAL_CHAMPIONS = (2, 3)
ENGAGED_LEVELS = frozenset({EngagementLevel.HIGH, EngagementLevel.MEDIUM})

# Ideal role key -> how a missing one is named to the user.
IDEAL_ROLES: dict[str, str] = {
    "exec_sponsor": "executive sponsor (VP+)",
    "champion": "champion",
    "technical_buyer": "technical buyer",
    "economic_buyer": "economic buyer",
}


class StakeholderFacts(Protocol):
    """What coverage needs about a contact (`ContactInsight` and the ORM `Contact` both fit)."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def title(self) -> str | None: ...
    @property
    def role(self) -> str: ...
    @property
    def engagement_level(self) -> str | None: ...
    @property
    def active(self) -> bool: ...


class ContactRef(BaseModel):
    contact_id: str
    name: str
    title: str | None
    role: str


class StakeholderCoverage(BaseModel):
    covered_roles: dict[str, list[str]]  # ideal role -> contact ids filling it
    missing_roles: list[str]  # e.g. ["executive sponsor (VP+)", "economic buyer", "2nd champion"]
    champion_count: int
    has_exec_sponsor: bool
    active_contacts: int
    engaged_contacts: int  # active with engagement high/medium
    single_threaded: bool
    departed: list[ContactRef]
    explanation: str
    # Added: the senior threads single_threaded counts (see the module docstring), by contact id.
    senior_threads: list[str] = []


def _is_engaged(contact: StakeholderFacts) -> bool:
    return (contact.engagement_level or "").lower() in ENGAGED_LEVELS


def _is_senior_thread(contact: StakeholderFacts) -> bool:
    if not contact.active or seniority_level(contact.title) < SENIOR_THREAD_MIN_SENIORITY:
        return False
    # ContactInsight carries a relationship score; plain facts (an ORM row) fall back to engagement.
    relationship = getattr(contact, "relationship", None)
    if relationship is not None:
        return bool(relationship.score >= WORKING_RELATIONSHIP_SCORE)
    return _is_engaged(contact)


def _describe(contact: StakeholderFacts) -> str:
    return f"{contact.name} ({contact.title})" if contact.title else contact.name


def assess_coverage(contacts: Sequence[StakeholderFacts]) -> StakeholderCoverage:
    """Which ideal roles active contacts fill, what is missing, and how threaded the account is."""
    active = [c for c in contacts if c.active]
    departed = [c for c in contacts if not c.active]
    covered: dict[str, list[str]] = {key: [] for key in IDEAL_ROLES}
    junior_sponsors: list[StakeholderFacts] = []
    for contact in active:
        if contact.role == ContactRole.EXEC_SPONSOR:
            if seniority_level(contact.title) >= EXEC_SPONSOR_MIN_SENIORITY:
                covered["exec_sponsor"].append(contact.id)
            else:
                junior_sponsors.append(contact)
        elif contact.role in covered:
            covered[contact.role].append(contact.id)

    champion_count = len(covered["champion"])
    missing: list[str] = []
    if not covered["exec_sponsor"]:
        missing.append(IDEAL_ROLES["exec_sponsor"])
    if champion_count == 0:
        missing.append(IDEAL_ROLES["champion"])
    if champion_count < IDEAL_CHAMPIONS[0]:
        missing.append("2nd champion")
    for key in ("technical_buyer", "economic_buyer"):
        if not covered[key]:
            missing.append(IDEAL_ROLES[key])

    engaged = [c for c in active if _is_engaged(c)]
    threads = [c for c in active if _is_senior_thread(c)]
    single_threaded = len(threads) <= 1

    notes: list[str] = [f"{len(active)} active contacts, {len(engaged)} engaged"]
    if single_threaded:
        if threads:
            notes.append(
                f"single-threaded: {_describe(threads[0])} is the only contact at director level or above "
                "with a working relationship"
            )
        else:
            notes.append("single-threaded: no contact at director level or above with a working relationship")
    else:
        notes.append(f"{len(threads)} contacts at director level or above with a working relationship")
    notes.append(
        f"{champion_count} champion{'s' if champion_count != 1 else ''} (ideal {IDEAL_CHAMPIONS[0]}-{IDEAL_CHAMPIONS[1]})"
    )
    if champion_count > IDEAL_CHAMPIONS[1]:
        notes.append("more champions than needed; consider elevating one to executive sponsor")
    for contact in junior_sponsors:
        notes.append(f"{_describe(contact)} is the named sponsor but below VP level")
    if missing:
        notes.append(f"missing: {', '.join(missing)}")
    if departed:
        notes.append(f"departed: {', '.join(f'{_describe(c)}, {c.role}' for c in departed)}")

    return StakeholderCoverage(
        covered_roles=covered,
        missing_roles=missing,
        champion_count=champion_count,
        has_exec_sponsor=bool(covered["exec_sponsor"]),
        active_contacts=len(active),
        engaged_contacts=len(engaged),
        single_threaded=single_threaded,
        departed=[ContactRef(contact_id=c.id, name=c.name, title=c.title, role=c.role) for c in departed],
        explanation="; ".join(notes),
        senior_threads=[c.id for c in threads],
    )
