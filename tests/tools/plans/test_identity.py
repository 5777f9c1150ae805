"""Who is asking: emails, Slack ids (through a chat directory), tokens, and the terminal."""

from __future__ import annotations

import pytest

from storage.db import Database
from storage.errors import PermissionDenied
from storage.users import create_token, find_user, revoke_tokens
from tests.fakes.directory import PeopleDirectory
from tests.fakes.review_org import CARL, MAYA, seed_org
from tools.plans.identity import (
    Unauthenticated,
    actor_from_token,
    looks_like_slack_id,
    resolve_actor,
    slack_id_for,
)


async def test_slack_id_for_looks_up_by_email_once_and_remembers(any_db: Database) -> None:
    await seed_org(any_db, slack_ids=False)
    directory = PeopleDirectory(ids={MAYA: "U0MAYA"})
    async with any_db.session() as session:
        assert await slack_id_for(session, MAYA, directory) == "U0MAYA"
        assert await slack_id_for(session, "nobody@example.com", directory) is None
    async with any_db.session() as session:
        user = await find_user(session, MAYA)
        assert user is not None and user.slack_user_id == "U0MAYA"
        assert await slack_id_for(session, MAYA, None) == "U0MAYA"  # stored: no directory needed
        assert (await resolve_actor(session, "U0MAYA")).email == MAYA
    assert directory.lookups == [MAYA, "nobody@example.com"]


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
