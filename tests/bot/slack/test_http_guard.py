"""What reaches /slack/events before Bolt: signatures checked by hand (401, one log line, no
traceback), payloads that are not Slack's (400), replayed slash commands (dropped), and failures
that used to be HTTP 500s (now the person reads a sentence)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import urllib.parse
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from bot.http_server import ReplayGuard, build_web_app, slack_signature
from bot.slack.app import create_app
from bot.slack.deps import SlackDeps
from storage.db import Database
from storage.settings import Settings
from tests.bot.slack.conftest import CSM, NOW, SIGNING_SECRET, SlackHarness
from tests.conftest import agent_deps
from tests.fakes.slack_api import TEAM_ID, SlackSender


def _no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    for record in caplog.records:
        assert record.exc_info is None and record.exc_text is None, record.getMessage()
        assert "Traceback" not in record.getMessage()
        assert "\n" not in record.getMessage()


def _command_form(text: str, trigger: str = "trigger-x") -> str:
    return urllib.parse.urlencode(
        {
            "team_id": TEAM_ID,
            "channel_id": "C0PLANS1",
            "user_id": CSM,
            "command": "/accountplan",
            "text": text,
            "response_url": "http://127.0.0.1:9/",
            "trigger_id": trigger,
        }
    )


FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        ({}, "no X-Slack-Signature"),
        ({"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=" + "0" * 64}, "not a Unix time"),
        ({"X-Slack-Request-Timestamp": "１２３", "X-Slack-Signature": "v0=" + "0" * 64}, "not a Unix time"),
        ({"X-Slack-Request-Timestamp": "NOW", "X-Slack-Signature": "v0=abc"}, "not a Unix time"),
        ({"X-Slack-Request-Timestamp": "123", "X-Slack-Signature": "v1=whatever"}, "not a v0 signature"),
        (
            {"X-Slack-Request-Timestamp": "1000000000", "X-Slack-Signature": "v0=" + "0" * 64},
            "older than five",
        ),
        ({"X-Slack-Request-Timestamp": "NOWTS", "X-Slack-Signature": "v0=" + "0" * 64}, "does not match"),
    ],
)
async def test_unsigned_or_malformed_signatures_are_401_without_a_traceback(
    slack: SlackHarness, caplog: pytest.LogCaptureFixture, headers: dict[str, str], why: str
) -> None:
    """Before: a non-numeric timestamp was a 500 with a stack trace in the log."""
    caplog.set_level(logging.INFO)
    stamp = str(int(time.time()))
    headers = {k: v.replace("NOWTS", stamp) for k, v in headers.items()}
    async with slack.sender.session.post(
        slack.sender.url, data=_command_form("TechCorp"), headers={"Content-Type": FORM, **headers}
    ) as response:
        assert response.status == 401
        assert why in (await response.json())["message"]
    _no_tracebacks(caplog)
    assert slack.fake.calls == []


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("payload=not-json", FORM),
        ("payload=" + urllib.parse.quote("[1, 2]"), FORM),
        ("[1, 2]", "application/json"),
        ('{"type": "event_callback", "event": "x"}', "application/json"),
        ('{"no": "type"}', "application/json"),
        ("{", "application/json"),
        ("command=%2Faccountplan", FORM),  # a slash command without a user or channel
    ],
)
async def test_signed_bodies_that_are_not_slack_payloads_are_400(
    slack: SlackHarness, caplog: pytest.LogCaptureFixture, body: str, content_type: str
) -> None:
    """Before: a plain 500 page (JSONDecodeError / AttributeError inside Bolt)."""
    caplog.set_level(logging.INFO)
    response = await slack.sender.post(body, content_type)
    assert response.status == 400, response.body
    assert response.json()["error"] == "malformed_payload"
    _no_tracebacks(caplog)


async def test_a_signed_body_that_is_not_utf8_is_400(slack: SlackHarness) -> None:
    body = b"payload=\xff\xfe"
    stamp = str(int(time.time()))
    headers = {
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": slack_signature(SIGNING_SECRET, stamp, body),
    }
    async with slack.sender.session.post(
        slack.sender.url, data=body, headers={"Content-Type": FORM, **headers}
    ) as response:
        assert response.status == 400


async def test_a_replayed_slash_command_does_not_draft_again(slack: SlackHarness) -> None:
    """Before: the same signed request sent twice inside the five-minute window drafted twice."""
    body = _command_form("TechCorp Industries", trigger="trigger-once")
    stamp = int(time.time())
    first = await slack.sender.post(body, FORM, timestamp=stamp)
    assert first.status == 200
    await slack.fake.wait_for("chat.postMessage", timeout=10)
    replay = await slack.sender.post(body, FORM, timestamp=stamp)
    assert (replay.status, replay.body) == (200, "")  # acknowledged, and dropped
    # A new request (a new timestamp, so a new signature) is served as usual; had the replay been
    # dispatched, its draft would have started before this one.
    again = await slack.sender.post(body, FORM, timestamp=stamp + 1)
    assert again.status == 200
    await slack.fake.wait_for("chat.postMessage", count=2, timeout=10)
    await slack.settle()
    assert len(slack.fake.calls_to("chat.postMessage")) == 2


async def test_a_burst_after_start_makes_one_auth_test(slack: SlackHarness) -> None:
    """Before: each request of the first burst called auth.test (100 commands, 100 calls)."""
    responses = await asyncio.gather(*(slack.sender.command("help") for _ in range(20)))
    assert {response.status for response in responses} == {200}
    assert len(slack.fake.calls_to("auth.test")) == 1


@pytest.fixture
async def unreachable_slack(seeded_db: Database) -> AsyncIterator[SlackSender]:
    """The bot with Slack's Web API unreachable (nothing listens on port 1)."""
    settings = Settings(
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL="http://127.0.0.1:1/api/",
    )
    deps = SlackDeps(agent_deps(seeded_db, settings, clock=lambda: NOW))
    runner = web.AppRunner(build_web_app(create_app(deps), deps, registrars=[]), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    async with aiohttp.ClientSession() as session:
        yield SlackSender(f"http://127.0.0.1:{port}/slack/events", SIGNING_SECRET, session)
    await deps.tasks.drain()
    await runner.cleanup()


async def test_slack_unreachable_gives_the_person_a_sentence_not_a_500(
    unreachable_slack: SlackSender, caplog: pytest.LogCaptureFixture
) -> None:
    """Before: HTTP 500 and a 65-line traceback for every signed command."""
    caplog.set_level(logging.INFO)
    response = await unreachable_slack.command("TechCorp Industries")
    assert response.status == 200
    reply = response.json()
    assert reply["response_type"] == "ephemeral"
    assert reply["text"].startswith(":warning: Could not run `/accountplan`")
    _no_tracebacks(caplog)
    assert any("ClientConnectorError" in record.getMessage() for record in caplog.records)
    json.dumps(reply)


async def test_replays_are_caught_across_replicas_on_postgresql(any_db: Database) -> None:
    """Each process remembers what it handled; with PostgreSQL (the database replicas share) a
    replay sent to another replica is caught too. SQLite serves one process: memory is enough, and
    a write per command there slowed every acknowledgement of a burst."""
    headers = {"X-Slack-Request-Timestamp": "1796400000", "X-Slack-Signature": "v0=" + "ab" * 32}
    one, other = (ReplayGuard(SlackDeps(agent_deps(any_db, clock=lambda: NOW))) for _ in range(2))
    assert await one.first_time(headers) is True
    assert await one.first_time(headers) is False  # the same process
    assert await other.first_time(headers) is (any_db.dialect != "postgresql")
    assert await one.first_time({**headers, "X-Slack-Request-Timestamp": "1796400001"}) is True
