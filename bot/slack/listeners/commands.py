"""Listeners: commands (being filled in)."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.slack.deps import SlackDeps


def register(app: AsyncApp, deps: SlackDeps) -> None:
    return None
