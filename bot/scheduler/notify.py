"""Direct messages to a person named by email: the one thing the scheduled jobs need from Slack."""

from __future__ import annotations

import logging
from typing import Protocol

from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.directory import SlackDirectory
from storage.db import Database
from tools.plans.identity import slack_id_for

log = logging.getLogger(__name__)


class Notifier(Protocol):
    async def dm(self, email: str, text: str, blocks: list[Block]) -> bool:
        """Send; False when the person cannot be reached in Slack (nobody to retry for)."""
        ...


class SlackNotifier:
    """DMs through the real Web API client; emails map to Slack ids via the users table, else
    `users.lookupByEmail` (cached and remembered)."""

    def __init__(self, client: AsyncWebClient, database: Database) -> None:
        self.client = client
        self.database = database
        self.directory = SlackDirectory(user_of_email=self._lookup)

    async def _lookup(self, email: str) -> str | None:
        try:
            response = await self.client.users_lookupByEmail(email=email)
        except SlackApiError as error:
            if error.response.get("error") == "users_not_found":
                return None
            raise
        user = response.get("user") or {}
        return user.get("id")

    async def dm(self, email: str, text: str, blocks: list[Block]) -> bool:
        async with self.database.session() as session:
            slack_id = await slack_id_for(session, email, self.directory)
        if not slack_id:
            log.warning("no Slack user for %s; skipped a living-plans message", email)
            return False
        # A user id as the channel posts into the app's DM with them.
        await self.client.chat_postMessage(channel=slack_id, text=text, blocks=blocks)
        return True
