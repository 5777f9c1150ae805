"""Socket Mode: the same app over a websocket (Bolt's AsyncSocketModeHandler against the fake),
with acknowledgements and exactly-once processing of redelivered events."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from agent.deps import AgentDeps
from bot.slack.app import create_app
from bot.slack.deps import SlackDeps
from storage.db import Database
from storage.settings import Settings
from tests.bot.slack.conftest import CSM, NOW
from tests.fakes.slack_api import TEAM_ID, FakeSlackApi


@pytest.fixture
async def socket_bot(fake_slack: FakeSlackApi, seeded_db: Database) -> AsyncIterator[SlackDeps]:
    settings = Settings(
        SLACK_BOT_TOKEN="xoxb-test", SLACK_APP_TOKEN="xapp-test", SLACK_API_URL=fake_slack.base_url
    )
    deps = SlackDeps(AgentDeps(settings=settings, database=seeded_db, clock=lambda: NOW))
    handler = AsyncSocketModeHandler(create_app(deps), "xapp-test")
    await handler.connect_async()
    yield deps
    await deps.tasks.drain()
    await handler.close_async()


async def test_slash_command_over_socket_mode_is_acked_and_opens_the_modal(
    socket_bot: SlackDeps, fake_slack: FakeSlackApi
) -> None:
    command = {
        "team_id": TEAM_ID,
        "channel_id": "C0PLANS1",
        "user_id": CSM,
        "command": "/accountplan",
        "text": "",
        "trigger_id": "trigger-socket",
        "response_url": fake_slack.response_url(),
    }
    await fake_slack.socket_send("slash_commands", command, envelope_id="env-command")
    ack = await fake_slack.wait_for_socket_ack("env-command")
    assert ack["envelope_id"] == "env-command"
    (opened,) = await fake_slack.wait_for("views.open")
    assert opened.params["trigger_id"] == "trigger-socket"
    (connections,) = fake_slack.calls_to("apps.connections.open")
    assert connections.token == "xapp-test"


async def test_a_redelivered_event_is_acked_twice_and_handled_once(
    socket_bot: SlackDeps, fake_slack: FakeSlackApi
) -> None:
    event = {
        "team_id": TEAM_ID,
        "api_app_id": "A0APP001",
        "type": "event_callback",
        "event_id": "EvSOCKET1",
        "event_time": 1,
        "event": {"type": "app_home_opened", "user": CSM, "channel": "D0CSM001", "tab": "home"},
        "authorizations": [{"team_id": TEAM_ID, "user_id": "UBOT0001", "is_bot": True}],
    }
    await fake_slack.socket_send("events_api", event, envelope_id="env-1")
    await fake_slack.socket_send("events_api", event, envelope_id="env-2")
    await fake_slack.wait_for_socket_ack("env-1")
    await fake_slack.wait_for_socket_ack("env-2")
    await fake_slack.wait_for("views.publish")
    await socket_bot.tasks.wait_started(2)
    await socket_bot.tasks.drain()
    assert len(fake_slack.calls_to("views.publish")) == 1
