"""`accountplan serve` refuses to start half-configured and says exactly what is missing."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.cli.serve import MissingConfiguration, check_configuration
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
