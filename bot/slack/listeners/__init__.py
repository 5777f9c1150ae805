"""Listeners grouped by Slack surface. Each module exposes `register(app)`: module-level handlers,
registered with their authorization gate through `registry` (the deps and the person asking come
from the middleware in `bot.slack.middleware`, through Bolt's context).

Other features plug in by appending their module to `LISTENER_MODULES` (order matters only where
two listeners match the same request: the first registered wins).
"""

from __future__ import annotations

import importlib

from slack_bolt.async_app import AsyncApp

LISTENER_MODULES: list[str] = [
    "bot.slack.listeners.commands",
    "bot.slack.listeners.actions",
    "bot.slack.listeners.views",
    "bot.slack.listeners.assistant",
    "bot.slack.listeners.events",
    "bot.slack.listeners.approvals",
    "bot.slack.listeners.living",
    "bot.slack.listeners.book_runs",
]


def register_all(app: AsyncApp) -> None:
    for name in LISTENER_MODULES:
        importlib.import_module(name).register(app)
