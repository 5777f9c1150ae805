"""Books of business as a bulk run drafts them: one CSM's accounts, or a manager's team's (their
reports' books and their own), with the ownership the policy's `draft_book` action checks."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import BadInput
from storage.models import User
from storage.users import find_user
from storage.vocabulary import Role
from tools.plans.identity import UserDirectory, resolve_actor
from tools.plans.policy import Actor, PlanOwnership

# What Slack sends for "@Dana" and for a typed email address.
_MENTION = re.compile(r"^<@([A-Z0-9]+)(?:\|[^>]*)?>$")
_MAILTO = re.compile(r"^<mailto:([^|>]+)(?:\|[^>]*)?>$")


@dataclass(frozen=True)
class Book:
    """The accounts of `csm_emails`; `team` when they are a manager's team's books."""

    label: str  # "your book", "Dana Smith's book", "your team's books"
    csm_emails: tuple[str, ...]
    ownership: PlanOwnership
    team: bool = False

    def overlaps(self, emails: list[str]) -> bool:
        """Whether a run over `emails` drafts any account of this book."""
        mine = {e.lower() for e in self.csm_emails}
        return any(e.lower() in mine for e in emails)


def named_person(text: str) -> str:
    """The Slack id or email a person typed (`<@U123|dana>`, `<mailto:a@b|a@b>`, `a@b`)."""
    value = text.strip()
    for pattern in (_MENTION, _MAILTO):
        match = pattern.match(value)
        if match:
            return match.group(1)
    if value.startswith("@") or " " in value or not value:
        raise BadInput("name the person by their email: `/accountplan draft-book dana@example.com`")
    return value


async def _team_of(session: AsyncSession, manager: Actor) -> tuple[str, ...]:
    reports = await session.execute(
        select(User.email).where(func.lower(User.manager_email) == manager.email.lower()).order_by(User.email)
    )
    return (manager.email, *reports.scalars())


async def book_of(
    session: AsyncSession, actor: Actor, named: str = "", directory: UserDirectory | None = None
) -> Book:
    """The book a request means: the named person's, else the asker's own (a manager's: their
    team's). Who may draft it is the policy's question, not this one's."""
    if not named.strip():
        if actor.role == Role.MANAGER:
            return Book(
                label="your team's books",
                csm_emails=await _team_of(session, actor),
                ownership=PlanOwnership(
                    csm_email=None, csm_manager_email=actor.email, csm_manager_name=actor.name or None
                ),
                team=True,
            )
        person = actor
    else:
        person = await resolve_actor(session, named_person(named), directory)
    return await csm_book(session, person, asker=actor)


async def csm_book(session: AsyncSession, person: Actor, *, asker: Actor | None = None) -> Book:
    """One person's own book (named as `asker` would say it)."""
    manager = await find_user(session, person.manager_email) if person.manager_email else None
    mine = asker is not None and person.email.lower() == asker.email.lower()
    return Book(
        label="your book" if mine else f"{person.label}'s book",
        csm_emails=(person.email,),
        ownership=PlanOwnership(
            csm_email=person.email,
            csm_manager_email=person.manager_email,
            csm_name=person.name or None,
            csm_manager_name=manager.name if manager and manager.name else None,
        ),
    )
