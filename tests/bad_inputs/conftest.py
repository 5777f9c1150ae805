"""The Slack harness (a running bot against the fake Slack) for the bad-input table."""

from tests.bot.slack.conftest import fake_slack, seeded_db, slack  # noqa: F401 - fixtures, by name
