"""The Slack workspace's people, as `tools.plans.identity.UserDirectory` needs them: a user id's
profile email (`users.info`) and the user id behind an email (`users.lookupByEmail`), cached."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)

# One Slack API call per id per ten minutes at most; people rarely change their email.
SLACK_LOOKUP_TTL_SECONDS = 600.0

LookupFn = Callable[[str], Awaitable[str | None]]


class SlackDirectory:
    """Cached Slack lookups: user id -> email and email -> user id. The two Web API calls are passed
    in, so the notifier and the app can each decide how a failed call reads."""

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

    async def email_of(self, user_id: str) -> str | None:
        return await self._cached("email", user_id, self._email_of_user)

    async def user_id_of(self, email: str) -> str | None:
        return await self._cached("id", email.lower(), self._user_of_email)


def slack_directory(client: AsyncWebClient) -> SlackDirectory:
    """The app's directory: a failed lookup means "not found" (logged), never an error for the person."""

    async def email_of_user(user_id: str) -> str | None:
        try:
            response = await client.users_info(user=user_id)
        except SlackApiError as error:
            log.warning("users.info failed for %s: %s", user_id, error.response.get("error"))
            return None
        return (response.get("user") or {}).get("profile", {}).get("email")

    async def user_of_email(email: str) -> str | None:
        try:
            response = await client.users_lookupByEmail(email=email)
        except SlackApiError:
            return None
        return (response.get("user") or {}).get("id")

    return SlackDirectory(email_of_user, user_of_email)
