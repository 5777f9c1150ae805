"""Who is asking: an `Actor` from an email (`--as`), a Slack user id, or a REST API token.

Slack ids map to users through `users.slack_user_id`; failing that, through the email of the chat
profile, which a `UserDirectory` the chat surface passes in looks up (the Slack layer's is a cache
of Web API calls), after which the id is stored.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import AccountPlanError, PermissionDenied
from storage.users import find_user, find_user_by_slack_id, remember_slack_id, user_for_token
from tools.plans.policy import OPERATOR_EMAIL, Actor

SLACK_ID_PREFIXES = ("U", "W")


class Unauthenticated(AccountPlanError):
    """No credentials, or credentials nobody issued (HTTP 401)."""

    exit_code = 5


class UnknownChatUser(PermissionDenied):
    """Someone in the chat workspace who is not an accountplan user."""

    def __init__(self, user_id: str) -> None:
        super().__init__(
            "you are not set up in accountplan yet; ask an admin to add you "
            f"(`accountplan users add YOUR_EMAIL --slack-id {user_id}`)"
        )
        self.user_id = user_id


class UserDirectory(Protocol):
    """The chat workspace's people: a user id's profile email, and the user id behind an email."""

    async def email_of(self, user_id: str) -> str | None: ...

    async def user_id_of(self, email: str) -> str | None: ...


def looks_like_slack_id(value: str) -> bool:
    return value[:1] in SLACK_ID_PREFIXES and value.isalnum() and value.upper() == value


async def actor_from_email(session: AsyncSession, email: str) -> Actor:
    user = await find_user(session, email)
    if user is None:
        raise PermissionDenied(
            f"{email} is not a known user; an admin adds people with `accountplan users add`"
        )
    return Actor.from_user(user)


async def actor_from_slack(
    session: AsyncSession, slack_user_id: str, directory: UserDirectory | None = None
) -> Actor:
    """The user behind a Slack id: by stored id, else by their Slack profile's email."""
    user = await find_user_by_slack_id(session, slack_user_id)
    if user is None and directory is not None:
        email = await directory.email_of(slack_user_id)
        if email:
            user = await find_user(session, email)
            if user is not None:
                await remember_slack_id(session, user, slack_user_id)
    if user is None:
        raise UnknownChatUser(slack_user_id)
    return Actor.from_user(user)


async def slack_id_for(session: AsyncSession, email: str, directory: UserDirectory | None) -> str | None:
    """Where to DM `email`: their stored Slack id, else `users.lookupByEmail` (then stored)."""
    user = await find_user(session, email)
    if user is not None and user.slack_user_id:
        return user.slack_user_id
    if directory is None:
        return None
    slack_id = await directory.user_id_of(email)
    if slack_id and user is not None:
        await remember_slack_id(session, user, slack_id)
    return slack_id


async def actor_from_token(session: AsyncSession, token: str | None) -> Actor:
    if not token:
        raise Unauthenticated(
            "send `Authorization: Bearer <token>`; `accountplan tokens create USER` makes one"
        )
    user = await user_for_token(session, token)
    if user is None:
        raise Unauthenticated("that API token is unknown or revoked")
    return Actor.from_user(user)


async def resolve_actor(
    session: AsyncSession, actor: str | Actor, directory: UserDirectory | None = None
) -> Actor:
    """An `Actor` from whatever a surface knows: an Actor, an email, a Slack user id, or "cli"."""
    if isinstance(actor, Actor):
        return actor
    value = actor.strip()
    if value == OPERATOR_EMAIL:
        return Actor.operator()
    if "@" in value:
        return await actor_from_email(session, value)
    if looks_like_slack_id(value):
        return await actor_from_slack(session, value, directory)
    raise PermissionDenied(f"cannot tell who {value!r} is; use an email address")
