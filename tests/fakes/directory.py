"""A chat workspace's people as `tools.plans.identity.UserDirectory` sees them, from two dicts: what
tools code needs from a chat surface, without the Slack Web API (the Slack layer's own directory is
tested against the fake Slack API in tests/bot/slack/test_directory.py)."""

from __future__ import annotations


class PeopleDirectory:
    def __init__(self, emails: dict[str, str] | None = None, ids: dict[str, str] | None = None) -> None:
        self.emails = emails or {}  # user id -> profile email
        self.ids = ids or {}  # email -> user id
        self.lookups: list[str] = []

    async def email_of(self, user_id: str) -> str | None:
        self.lookups.append(user_id)
        return self.emails.get(user_id)

    async def user_id_of(self, email: str) -> str | None:
        self.lookups.append(email)
        return self.ids.get(email)
