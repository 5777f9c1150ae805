"""How a listener is registered: a module-level handler plus its gate and what it does, in words.

`on_action`, `on_view`, `on_options` and `register_subcommand` each take a `Gate` (no default, so a
new listener cannot leave it out) and wrap the handler the same way: acknowledge first (a view
checks its form before that), open the gate, run the handler; any failure becomes one ephemeral
"Could not <doing>: <why>" for the person and a log line, never a stack trace. Every declaration is
recorded in `DECLARED`; the middleware drops interactive requests no declaration covers, and a test
checks that every id the app sends is declared.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks.text import escape
from bot.slack.feedback import StepFailed, describe_failure, log_failure, report_failure
from bot.slack.gate import ANYONE, Gate, Interaction, Requester, open_gate

log = logging.getLogger(__name__)

Handler = Callable[[Interaction], Awaitable[None]]
OptionsHandler = Callable[[Interaction], Awaitable[dict[str, Any]]]
Validator = Callable[[dict[str, Any]], dict[str, str] | None]
Doing = str | Callable[[dict[str, Any]], str]
Constraint = str | re.Pattern[str]


@dataclass(frozen=True)
class Declaration:
    kind: str  # action | view | options | subcommand
    constraint: Constraint
    gate: Gate
    doing: Doing

    def matches(self, value: str) -> bool:
        if isinstance(self.constraint, str):
            return self.constraint == value
        return self.constraint.fullmatch(value) is not None


# (kind, constraint as text) -> declaration. Registration is the same for every app in a process.
DECLARED: dict[tuple[str, str], Declaration] = {}


def _declare(kind: str, constraint: Constraint, gate: Gate, doing: Doing) -> None:
    if not isinstance(gate, Gate):
        raise TypeError(f"{kind} {constraint!r} must declare a Gate")
    key = constraint if isinstance(constraint, str) else constraint.pattern
    DECLARED[(kind, key)] = Declaration(kind, constraint, gate, doing)


def declaration_for(kind: str, value: str) -> Declaration | None:
    return next((d for d in DECLARED.values() if d.kind == kind and d.matches(value)), None)


def channel_of(body: dict[str, Any]) -> str | None:
    """Where a click came from (a message, or App Home's DM)."""
    return (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")


def _interaction(
    context: AsyncBoltContext,
    client: AsyncWebClient,
    body: dict[str, Any],
    *,
    channel: str | None,
    thread_ts: str | None = None,
    respond: AsyncRespond | None = None,
    text: str = "",
) -> Interaction:
    requester: Requester = context["requester"]
    return Interaction(
        deps=requester.deps,
        client=client,
        body=body,
        requester=requester,
        channel=channel,
        thread_ts=thread_ts,
        respond=respond,
        text=text,
    )


async def run_gated(
    it: Interaction,
    gate: Gate,
    handler: Handler,
    doing: str,
    *,
    admission: asyncio.Semaphore | None = None,
    admit_handler: bool = True,
) -> None:
    """Open the gate and run the handler; failures become the person's ephemeral. With
    `admission`, the gate (and the handler, unless it admits its own steps) waits for a slot."""
    try:
        async with admission or contextlib.nullcontext():
            await open_gate(gate, it)
            if admit_handler:
                await handler(it)
        if not admit_handler:
            await handler(it)
    except Exception as error:
        what, cause = (error.what, error.cause) if isinstance(error, StepFailed) else (doing, error)
        if it.respond is not None:  # a slash command: answer through its response_url
            log_failure(what, cause, user=it.user_id, channel=it.channel)
            await it.respond(text=describe_failure(what, cause))
        else:
            await report_failure(
                it.client, what, cause, channel=it.channel, user=it.user_id, thread_ts=it.thread_ts
            )


def _doing(doing: Doing, body: dict[str, Any]) -> str:
    return doing if isinstance(doing, str) else doing(body)


def on_action(
    app: AsyncApp, constraint: Constraint, *, gate: Gate, doing: Doing
) -> Callable[[Handler], Handler]:
    """A button or select: ack at once, then gate and handler."""

    def register(handler: Handler) -> Handler:
        _declare("action", constraint, gate, doing)

        async def listener(
            ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
        ) -> None:
            await ack()
            it = _interaction(
                context,
                client,
                body,
                channel=channel_of(body),
                thread_ts=(body.get("message") or {}).get("thread_ts"),
            )
            await run_gated(it, gate, handler, _doing(doing, body))

        listener.__name__ = handler.__name__
        app.action(constraint)(listener)
        return handler

    return register


def on_view(
    app: AsyncApp,
    callback_id: str,
    *,
    gate: Gate,
    doing: Doing,
    validate: Validator | None = None,
    reply_channel: Callable[[dict[str, Any]], str | None] | None = None,
) -> Callable[[Handler], Handler]:
    """A modal submission: `validate(view)` answers form errors in the form itself (no database
    work), then ack, gate and handler. `reply_channel(view)` says where failures go (else a DM)."""

    def register(handler: Handler) -> Handler:
        _declare("view", callback_id, gate, doing)

        async def listener(
            ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
        ) -> None:
            view = body["view"]
            errors = validate(view) if validate is not None else None
            if errors:
                await ack(response_action="errors", errors=errors)
                return
            await ack()
            it = _interaction(context, client, body, channel=reply_channel(view) if reply_channel else None)
            await run_gated(it, gate, handler, _doing(doing, body))

        listener.__name__ = handler.__name__
        app.view(callback_id)(listener)
        return handler

    return register


def on_options(app: AsyncApp, action_id: str, *, gate: Gate) -> Callable[[OptionsHandler], OptionsHandler]:
    """An external select's type-ahead: the options are the acknowledgement, so the gate and the
    handler run before it; anyone refused, or any failure, gets no options."""

    def register(handler: OptionsHandler) -> OptionsHandler:
        _declare("options", action_id, gate, "load the options")

        async def listener(
            ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
        ) -> None:
            it = _interaction(context, client, body, channel=None)
            try:
                await open_gate(gate, it)
                answer = await handler(it)
            except Exception as error:
                log_failure("load the options", error, user=it.user_id, action=action_id)
                answer = {"options": []}
            await ack(**answer)

        listener.__name__ = handler.__name__
        app.options(action_id)(listener)
        return handler

    return register


@dataclass(frozen=True)
class Subcommand:
    handler: Handler
    usage: str
    help: str
    gate: Gate
    doing: str | None = None  # None: "run `/accountplan ...`"
    # Short work holds one of `deps.work_slots`; drafting admits its own steps (only its gate waits).
    admits_itself: bool = False


# `/accountplan WORD ...` -> its subcommand, in the order `help` lists them. "" is the command
# alone, "*" anything that names no subcommand. Features add theirs from their own listener module.
SUBCOMMANDS: dict[str, Subcommand] = {}
NO_TEXT, ANY_TEXT = "", "*"


def register_subcommand(
    name: str,
    handler: Handler,
    *,
    usage: str,
    help: str,
    gate: Gate,
    doing: str | None = None,
    admits_itself: bool = False,
) -> None:
    """`/accountplan NAME ...` runs `handler` (with `it.text` = the rest) after ack and the gate."""
    _declare("subcommand", name.lower(), gate, doing or "run /accountplan")
    SUBCOMMANDS[name.lower()] = Subcommand(handler, usage, help, gate, doing, admits_itself)


def subcommand_for(text: str) -> tuple[Subcommand, str]:
    """The subcommand `text` asks for, and the text it works on."""
    word, _, rest = text.partition(" ")
    if not text:
        return SUBCOMMANDS[NO_TEXT], ""
    if word.lower() in SUBCOMMANDS and word.lower() not in (NO_TEXT, ANY_TEXT):
        return SUBCOMMANDS[word.lower()], rest.strip()
    return SUBCOMMANDS[ANY_TEXT], text


def on_command(app: AsyncApp, command: str) -> None:
    """A slash command whose first word picks the subcommand; each subcommand has its own gate."""
    _declare("command", command, ANYONE, f"run {command}")

    async def listener(
        ack: AsyncAck,
        body: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
        respond: AsyncRespond,
    ) -> None:
        await ack()
        text = (body.get("text") or "").strip()
        sub, rest = subcommand_for(text)
        it = _interaction(context, client, body, channel=body.get("channel_id"), respond=respond, text=rest)
        await run_gated(
            it,
            sub.gate,
            sub.handler,
            sub.doing or f"run `{command} {escape(text)}`",
            admission=it.deps.work_slots,
            admit_handler=not sub.admits_itself,
        )

    app.command(command)(listener)
