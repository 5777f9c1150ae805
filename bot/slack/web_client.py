"""The one Slack Web API client a process uses. Apart from the Bolt app so that jobs, the CLI and
REST hooks can post to Slack without importing the listeners (and the listeners' announcements
without importing the app that registers them)."""

from __future__ import annotations

from typing import Any

from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.deps import SlackDeps

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


async def open_dm(client: AsyncWebClient, user_id: str) -> str:
    """The channel id of the app's DM with `user_id` (conversations.open)."""
    opened = await client.conversations_open(users=user_id)
    channel: dict[str, Any] = opened.get("channel", {})
    return str(channel["id"])
