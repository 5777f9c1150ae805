"""The Bolt app factory: builds the Web API client and the app, then wires the middleware and the
listeners. Nothing else."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.deps import SlackDeps
from bot.slack.directory import slack_directory
from bot.slack.listeners import register_all
from bot.slack.middleware import attach_deps

log = logging.getLogger(__name__)

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
RATE_LIMIT_RETRIES = 3


def slack_api_url(configured: str | None) -> str:
    """`SLACK_API_URL` (GovSlack, a proxy, the fake in tests) with the trailing slash slack_sdk needs."""
    url = configured or DEFAULT_SLACK_API_URL
    return url if url.endswith("/") else url + "/"


def create_web_client(deps: SlackDeps) -> AsyncWebClient:
    """One client for the whole process; 429s wait for Retry-After, connection blips retry once."""
    token = deps.settings.slack_bot_token
    return AsyncWebClient(
        token=token.get_secret_value() if token else None,
        base_url=slack_api_url(deps.settings.slack_api_url),
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=1),
            AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
            AsyncServerErrorRetryHandler(max_retry_count=1),
        ],
    )


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
