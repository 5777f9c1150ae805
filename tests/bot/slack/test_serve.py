"""`accountplan serve` refuses to start half-configured and says exactly what is missing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.cli.serve import MissingConfiguration, check_configuration, forget_old_event_ids
from bot.slack.services.event_dedupe import claim_event
from storage.db import Database
from storage.settings import Settings


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
