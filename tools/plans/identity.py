"""Who is asking: an `Actor` from an email (`--as`), a Slack user id, or a REST API token.

Slack ids map to users through `users.slack_user_id`; failing that, through the Slack profile's
email (a Slack Web API call the Slack layer injects, cached here), after which the id is stored.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import AccountPlanError, PermissionDenied
from storage.users import find_user, find_user_by_slack_id, remember_slack_id, user_for_token
from tools.plans.policy import OPERATOR_EMAIL, Actor

# One Slack API call per id per ten minutes at most; people rarely change their email.
SLACK_LOOKUP_TTL_SECONDS = 600.0
SLACK_ID_PREFIXES = ("U", "W")

LookupFn = Callable[[str], Awaitable[str | None]]


class Unauthenticated(AccountPlanError):
    """No credentials, or credentials nobody issued (HTTP 401)."""

    exit_code = 5


class SlackDirectory:
    """Cached Slack lookups: user id -> email (`users.info`) and email -> user id
    (`users.lookupByEmail`). The Slack layer passes the two Web API calls in."""

    def __init__(
        self,
        email_of_user: LookupFn | None = None,
        user_of_email: LookupFn | None = None,
        *,
        ttl_seconds: float = SLACK_LOOKUP_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._email_of_user = email_of_user
        self._user_of_email = user_of_email
        self._ttl = ttl_seconds
        self._clock = clock
        self._cache: dict[tuple[str, str], tuple[float, str | None]] = {}
        self.calls = 0

    async def _cached(self, kind: str, key: str, fetch: LookupFn | None) -> str | None:
        if fetch is None:
            return None
        hit = self._cache.get((kind, key))
        now = self._clock()
        if hit is not None and now - hit[0] < self._ttl:
            return hit[1]
        self.calls += 1
        value = await fetch(key)
        self._cache[(kind, key)] = (now, value)
        return value

    async def email_of(self, slack_user_id: str) -> str | None:
        return await self._cached("email", slack_user_id, self._email_of_user)

    async def slack_id_of(self, email: str) -> str | None:
        return await self._cached("id", email.lower(), self._user_of_email)


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
    session: AsyncSession, slack_user_id: str, directory: SlackDirectory | None = None
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
        raise PermissionDenied(
            f"<@{slack_user_id}> is not set up in accountplan yet; ask an admin to add you "
            "(`accountplan users add EMAIL --slack-id ...`)"
        )
    return Actor.from_user(user)


async def slack_id_for(session: AsyncSession, email: str, directory: SlackDirectory | None) -> str | None:
    """Where to DM `email`: their stored Slack id, else `users.lookupByEmail` (then stored)."""
    user = await find_user(session, email)
    if user is not None and user.slack_user_id:
        return user.slack_user_id
    if directory is None:
        return None
    slack_id = await directory.slack_id_of(email)
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
    session: AsyncSession, actor: str | Actor, directory: SlackDirectory | None = None
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
