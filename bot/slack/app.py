"""The Bolt app factory: builds the Web API client and the app, then wires the middleware and the
listeners. Nothing else."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp

from bot.slack.deps import SlackDeps
from bot.slack.directory import slack_directory
from bot.slack.listeners import register_all
from bot.slack.middleware import attach_deps
from bot.slack.web_client import create_web_client


class _ClientTokenNotice(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN itself and warns that it is unused when a client is passed; we
    pass the client on purpose (base URL, retry handlers), so the warning would only mislead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


BOLT_LOGGER = logging.getLogger("bot.slack.bolt")
BOLT_LOGGER.addFilter(_ClientTokenNotice())


def create_app(deps: SlackDeps) -> AsyncApp:
    """The Bolt app with every listener registered.

    `process_before_response=False`: Bolt answers Slack as soon as a listener calls `ack()` and the
    rest of the listener runs afterwards, so slow work never delays the acknowledgement.
    """
    secret = deps.settings.slack_signing_secret
    client = create_web_client(deps)
    if deps.directory is None:
        deps.directory = slack_directory(client)
    app = AsyncApp(
        client=client,
        signing_secret=secret.get_secret_value() if secret else None,
        # Socket Mode has no signatures to check; HTTP mode always verifies them.
        request_verification_enabled=secret is not None,
        process_before_response=False,
        logger=BOLT_LOGGER,
    )
    # One middleware puts the deps and the person asking into Bolt's context for every listener.
    app.middleware(attach_deps(deps))
    register_all(app)
    return app
