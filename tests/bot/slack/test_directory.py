"""The Slack directory: cached `users.info` / `users.lookupByEmail` lookups through the real client
against the fake Slack Web API."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.directory import SlackDirectory, slack_directory
from tests.fakes.slack_api import FakeSlackApi


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_slack_lookups_are_cached_for_the_ttl() -> None:
    calls: list[str] = []

    async def user_of_email(email: str) -> str | None:
        calls.append(email)
        return "U0MAYA"

    clock = Clock()
    directory = SlackDirectory(user_of_email=user_of_email, ttl_seconds=60, clock=clock)
    assert await directory.user_id_of("Maya@Example.com") == "U0MAYA"
    assert await directory.user_id_of("maya@example.com") == "U0MAYA"
    assert calls == ["maya@example.com"]  # one call, case-insensitively
    clock.now += 61
    assert await directory.user_id_of("maya@example.com") == "U0MAYA"
    assert len(calls) == 2 and directory.calls == 2
    assert await SlackDirectory().email_of("U0MAYA") is None  # nothing injected: no lookup at all


async def test_the_apps_directory_asks_the_web_api_once_and_reads_not_found_as_none(
    fake_slack: FakeSlackApi,
) -> None:
    fake_slack.add_user("U0MAYA", email="maya@example.com", name="Maya Manager")
    directory = slack_directory(AsyncWebClient(token="xoxb-test", base_url=fake_slack.base_url))
    assert await directory.email_of("U0MAYA") == "maya@example.com"
    assert await directory.email_of("U0MAYA") == "maya@example.com"
    assert await directory.user_id_of("maya@example.com") == "U0MAYA"
    assert await directory.email_of("U0NOBODY") is None  # users.info says user_not_found
    assert await directory.user_id_of("nobody@example.com") is None
    assert (
        len(fake_slack.calls_to("users.info")) == 2 and len(fake_slack.calls_to("users.lookupByEmail")) == 2
    )
