"""`accountplan serve` refuses to start half-configured and says exactly what is missing."""

from __future__ import annotations

import asyncio
import logging
import socket
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner

from agent.deps import AgentDeps
from bot.cli import cli
from bot.cli.serve import (
    SOCKET_MODE_LOGGER,
    MissingConfiguration,
    SlackRejected,
    check_configuration,
    check_slack,
    forget_old_event_ids,
)
from bot.slack.app import BotIdentity
from bot.slack.deps import SlackDeps
from bot.slack.services.event_dedupe import claim_event
from bot.slack.web_client import create_web_client
from storage.db import Database
from storage.settings import Settings
from tests.fakes.slack_api import FakeSlackApi


def test_nothing_configured_names_every_missing_variable() -> None:
    result = CliRunner().invoke(cli, ["serve", "--port", "0"])
    assert result.exit_code == 2
    assert "SLACK_BOT_TOKEN" in result.output and "SLACK_SIGNING_SECRET" in result.output
    assert "SLACK_APP_TOKEN" in result.output


def test_http_mode_needs_the_signing_secret() -> None:
    with pytest.raises(MissingConfiguration) as error:
        check_configuration(Settings(SLACK_BOT_TOKEN="xoxb-1"))
    assert "SLACK_SIGNING_SECRET" in error.value.message and "SLACK_BOT_TOKEN (" not in error.value.message


def test_modes_and_token_shapes() -> None:
    assert check_configuration(Settings(SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s")) == "http"
    assert check_configuration(Settings(SLACK_BOT_TOKEN="xoxb-1", SLACK_APP_TOKEN="xapp-1")) == "socket"
    with pytest.raises(MissingConfiguration, match="xapp-"):
        check_configuration(Settings(SLACK_BOT_TOKEN="xoxb-1", SLACK_APP_TOKEN="xoxb-wrong"))
    with pytest.raises(MissingConfiguration, match="must be a bot token"):
        check_configuration(Settings(SLACK_BOT_TOKEN="xoxp-user", SLACK_SIGNING_SECRET="s"))


async def test_old_event_ids_are_pruned(db: Database) -> None:
    from agent.deps import AgentDeps
    from bot.slack.deps import SlackDeps

    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    await claim_event(db, "EvAncient", now=now - timedelta(days=3))
    await claim_event(db, "EvRecent", now=now)
    deps = SlackDeps(AgentDeps(settings=Settings(), database=db, clock=lambda: now))
    assert await forget_old_event_ids(deps) == 1
    assert await claim_event(db, "EvAncient", now=now) is True  # forgotten, so claimable again
    assert await claim_event(db, "EvRecent", now=now) is False


# --- startup that checks the real thing -------------------------------------------------------


def _serve_in_thread(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], *args: str) -> Any:
    """`accountplan serve` through the CLI in a thread, so this test's loop keeps serving the fake."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    from storage.settings import get_settings

    get_settings.cache_clear()
    return asyncio.to_thread(CliRunner().invoke, cli, ["serve", *args])


async def test_serve_exits_3_in_one_line_when_slack_rejects_the_token(
    fake_slack: FakeSlackApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: serve started, reported healthy, then answered every command with a 500."""
    fake_slack.fail_next("auth.test", "invalid_auth")
    env = {"SLACK_BOT_TOKEN": "xoxb-revoked", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": fake_slack.base_url}
    result = await _serve_in_thread(monkeypatch, env, "--port", "0")
    assert result.exit_code == 3, result.output
    assert result.stderr.strip().splitlines()[-1] == (
        "error: Slack rejected SLACK_BOT_TOKEN (invalid_auth); copy it again from the app's settings "
        "(OAuth & Permissions for xoxb-, Basic Information for xapp-) or reinstall the app"
    )
    assert "Traceback" not in result.output


async def test_serve_exits_3_when_slack_rejects_the_app_token(
    fake_slack: FakeSlackApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_slack.fail_next("apps.connections.open", "invalid_auth")
    env = {"SLACK_BOT_TOKEN": "xoxb-ok", "SLACK_APP_TOKEN": "xapp-revoked", "SLACK_API_URL": fake_slack.base_url}
    result = await _serve_in_thread(monkeypatch, env, "--port", "0")
    assert result.exit_code == 3
    assert "Slack rejected SLACK_APP_TOKEN (invalid_auth)" in result.stderr


async def test_serve_on_a_busy_port_is_one_line_exit_2(
    fake_slack: FakeSlackApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: an OSError traceback."""
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    port = busy.getsockname()[1]
    try:
        env = {"SLACK_BOT_TOKEN": "xoxb-ok", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": fake_slack.base_url}
        result = await _serve_in_thread(monkeypatch, env, "--port", str(port), "--host", "127.0.0.1")
    finally:
        busy.close()
    assert result.exit_code == 2, result.output
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert line.startswith(f"error: cannot listen on 127.0.0.1:{port}: ") and "choose another --port" in line
    assert "Traceback" not in result.output


async def test_unreachable_slack_is_retried_with_backoff_one_line_per_attempt(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    settings = Settings(SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s", SLACK_API_URL="http://127.0.0.1:1/api/")
    deps = SlackDeps(AgentDeps(settings=settings, database=None))  # type: ignore[arg-type]
    identity = BotIdentity(create_web_client(deps))
    with pytest.raises(SlackRejected) as caught:
        await check_slack(identity, settings, attempts=3, first_delay=0.01, max_delay=0.02)
    assert caught.value.exit_code == 3
    assert caught.value.message.startswith("cannot reach Slack at http://127.0.0.1:1/api/ (ClientConnectorError")
    retries = [r for r in caplog.records if "retrying in" in r.getMessage()]
    assert len(retries) == 2  # attempts 1 and 2; the third gives up
    for record in retries:
        assert record.exc_info is None and "\n" not in record.getMessage()
    assert "(attempt 1)" in retries[0].getMessage() and "(attempt 2)" in retries[1].getMessage()


async def test_slack_checked_once_then_cached(fake_slack: FakeSlackApi) -> None:
    settings = Settings(SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s", SLACK_API_URL=fake_slack.base_url)
    deps = SlackDeps(AgentDeps(settings=settings, database=None))  # type: ignore[arg-type]
    identity = BotIdentity(create_web_client(deps))
    answer = await check_slack(identity, settings, attempts=1)
    assert answer["user_id"] == "UBOT0001"
    await asyncio.gather(*(identity.authorize(None, "T0000001", f"U{i}") for i in range(10)))
    assert len(fake_slack.calls_to("auth.test")) == 1
    result = await identity.authorize(None, "T0000001", "U0CSM001")
    assert (result.bot_user_id, result.user_id, result.bot_token) == ("UBOT0001", "U0CSM001", "xoxb-1")


def test_socket_mode_logs_are_one_line_and_say_reconnected(caplog: pytest.LogCaptureFixture) -> None:
    """Before: a traceback every ~10 s while Slack was away, and silence when it came back."""
    caplog.set_level(logging.INFO)
    try:
        raise ConnectionResetError("Cannot connect to host wss-primary.slack.com:443")
    except ConnectionResetError:
        SOCKET_MODE_LOGGER.exception("Failed to connect (error: Cannot connect to host); Retrying...")
    SOCKET_MODE_LOGGER.info("A new session (s-2) has been established")
    records = [r for r in caplog.records if r.name == SOCKET_MODE_LOGGER.name]
    assert [r.getMessage() for r in records] == [
        "Socket Mode: Failed to connect (error: Cannot connect to host); Retrying...",
        "Socket Mode: reconnected to Slack (A new session (s-2) has been established)",
    ]
    assert all(r.exc_info is None and r.levelno == logging.WARNING for r in records)
