"""Who is asking: emails, Slack ids (with the cached Slack lookups), tokens, and the terminal."""

from __future__ import annotations

import pytest

from storage.db import Database
from storage.errors import PermissionDenied
from storage.users import create_token, find_user, revoke_tokens
from tests.fakes.review_org import CARL, MAYA, seed_org
from tools.plans.identity import (
    SlackDirectory,
    Unauthenticated,
    actor_from_token,
    looks_like_slack_id,
    resolve_actor,
    slack_id_for,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_slack_lookups_are_cached_for_the_ttl() -> None:
    calls: list[str] = []

    async def user_of_email(email: str) -> str | None:
        calls.append(email)
        return "U0MAYA"

    clock = Clock()
    directory = SlackDirectory(user_of_email=user_of_email, ttl_seconds=60, clock=clock)
    assert await directory.slack_id_of("Maya@Example.com") == "U0MAYA"
    assert await directory.slack_id_of("maya@example.com") == "U0MAYA"
    assert calls == ["maya@example.com"]  # one call, case-insensitively
    clock.now += 61
    assert await directory.slack_id_of("maya@example.com") == "U0MAYA"
    assert len(calls) == 2 and directory.calls == 2
    assert await SlackDirectory().email_of("U0MAYA") is None  # nothing injected: no lookup at all


async def test_slack_id_for_looks_up_by_email_once_and_remembers(any_db: Database) -> None:
    await seed_org(any_db, slack_ids=False)
    calls: list[str] = []

    async def user_of_email(email: str) -> str | None:
        calls.append(email)
        return {MAYA: "U0MAYA"}.get(email)

    directory = SlackDirectory(user_of_email=user_of_email)
    async with any_db.session() as session:
        assert await slack_id_for(session, MAYA, directory) == "U0MAYA"
        assert await slack_id_for(session, "nobody@example.com", directory) is None
    async with any_db.session() as session:
        user = await find_user(session, MAYA)
        assert user is not None and user.slack_user_id == "U0MAYA"
        assert await slack_id_for(session, MAYA, None) == "U0MAYA"  # stored: no directory needed
        assert (await resolve_actor(session, "U0MAYA")).email == MAYA
    assert calls == [MAYA, "nobody@example.com"]


async def test_tokens_and_unknown_people(any_db: Database) -> None:
    await seed_org(any_db)
    async with any_db.session() as session:
        token = await create_token(session, CARL, label="ci")
        assert (await actor_from_token(session, token)).email == CARL
        with pytest.raises(Unauthenticated, match="Bearer"):
            await actor_from_token(session, None)
        with pytest.raises(Unauthenticated, match="unknown or revoked"):
            await actor_from_token(session, token + "x")
        assert await revoke_tokens(session, CARL) == 1
        with pytest.raises(Unauthenticated, match="unknown or revoked"):
            await actor_from_token(session, token)
        with pytest.raises(PermissionDenied, match="not a known user"):
            await resolve_actor(session, "ghost@example.com")
        with pytest.raises(PermissionDenied, match="cannot tell who"):
            await resolve_actor(session, "carl")
        assert (await resolve_actor(session, "cli")).role == "operator"
        assert (await resolve_actor(session, " CARL@example.com ")).email == CARL


def test_slack_id_shape() -> None:
    assert looks_like_slack_id("U0CARL") and looks_like_slack_id("W012ABC")
    assert (
        not looks_like_slack_id("carl")
        and not looks_like_slack_id("C0PLANS1")
        and not looks_like_slack_id("")
    )
