"""The one Bolt middleware every request passes before any listener.

It puts the deps and the person asking (a `Requester`, resolved to an accountplan user after the
ack, on first use) into Bolt's context, so listeners take both from there and nothing else builds
them. It also drops interactive requests (buttons, selects, modal submissions, shortcuts, slash
commands) that no gated registration declares: a listener registered around
`bot.slack.listeners.registry` never runs, so none can skip the authorization gate.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.response import BoltResponse

from bot.slack.deps import SlackDeps
from bot.slack.gate import Requester
from bot.slack.listeners.registry import declaration_for

log = logging.getLogger(__name__)

Middleware = Callable[..., Awaitable[BoltResponse | None]]


def interactive_id(body: dict[str, Any]) -> tuple[str, str] | None:
    """(kind, id) of an interactive request, as registrations declare them; None for events."""
    if isinstance(body.get("command"), str):  # slash commands are forms without a "type"
        return "command", body["command"]
    kind = body.get("type")
    if kind == "block_actions":
        return "action", str((body.get("actions") or [{}])[0].get("action_id", ""))
    if kind == "block_suggestion":
        return "options", str(body.get("action_id", ""))
    if kind in ("view_submission", "view_closed"):
        return "view", str((body.get("view") or {}).get("callback_id", ""))
    if kind in ("shortcut", "message_action"):
        return "shortcut", str(body.get("callback_id", ""))
    return None


def attach_deps(deps: SlackDeps) -> Middleware:
    async def accountplan_context(
        context: AsyncBoltContext, body: dict[str, Any], next_: Callable[[], Awaitable[None]]
    ) -> BoltResponse | None:
        context["deps"] = deps
        context["requester"] = Requester(deps, context.user_id or "")
        interactive = interactive_id(body)
        if interactive is not None and declaration_for(*interactive) is None:
            # Acknowledged so Slack does not retry; nothing runs.
            log.warning("no gated listener declares %s %r; ignored", *interactive)
            return BoltResponse(status=200, body="")
        await next_()
        return None

    return accountplan_context
