"""`/accountplan`: no text opens the generator; `CUSTOMER [FY2026]` drafts directly; `list`,
`show CUSTOMER`, `help`; other features add subcommands with `register_subcommand`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, SectionBlock
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import ids
from bot.slack.blocks.generator_modal import generator_modal_payload
from bot.slack.blocks.plan_summary import plan_summary_blocks, plan_summary_text, status_label
from bot.slack.blocks.text import escape, mrkdwn, percent, plain
from bot.slack.deps import SlackDeps
from bot.slack.drafting import (
    DraftTarget,
    default_fiscal_year,
    draft_plan_in_slack,
    fiscal_year_choices,
    split_customer_and_year,
)
from bot.slack.feedback import describe_failure, log_failure
from bot.slack.limits import MAX_BUTTON_TEXT
from bot.slack.services.book import customer_plan_progress, plans_for, slack_actor
from bot.slack.services.plan_requests import draft_request, suggested_choices
from storage.errors import UnknownCustomer

COMMAND = "/accountplan"
DID_YOU_MEAN_BLOCK = "did_you_mean"

SubcommandHandler = Callable[[SlackDeps, dict[str, Any], str, AsyncWebClient, AsyncRespond], Awaitable[None]]


@dataclass(frozen=True)
class Subcommand:
    handler: SubcommandHandler
    usage: str
    help: str


# Other features register theirs (e.g. `queue`, `stats`) from their own listener module.
SUBCOMMANDS: dict[str, Subcommand] = {}


def register_subcommand(name: str, handler: SubcommandHandler, *, usage: str, help: str) -> None:
    """`/accountplan NAME ...` calls `handler(deps, command, rest_of_text, client, respond)` after ack."""
    SUBCOMMANDS[name.lower()] = Subcommand(handler, usage, help)


def help_text() -> str:
    lines = [
        "*/accountplan* drafts and maintains account plans.",
        "• `/accountplan` opens the plan generator",
        "• `/accountplan CUSTOMER [FY2026]` drafts a plan right here",
        "• `/accountplan list` shows your plans",
        "• `/accountplan show CUSTOMER [FY2026]` shows a plan",
        "• `/accountplan help` shows this",
    ]
    lines += [f"• `/accountplan {sub.usage}` {sub.help}" for sub in SUBCOMMANDS.values()]
    lines.append("Reply in a plan's thread, DM me, or @mention me to change a plan in plain words.")
    return "\n".join(lines)


def did_you_mean_blocks(
    error: UnknownCustomer, choices: list[tuple[str, str]], fiscal_year: str | None = None
) -> list[Block]:
    """`choices`: (customer id, name). Buttons carry the customer id only; the fiscal year asked
    for rides in the block id."""
    blocks: list[Block] = [
        SectionBlock(text=mrkdwn(f"I could not find a customer named *{escape(error.query)}*. Did you mean:"))
    ]
    if choices:
        blocks.append(
            ActionsBlock(
                block_id=f"{DID_YOU_MEAN_BLOCK}:{fiscal_year or ''}",
                elements=[
                    ButtonElement(
                        text=plain(name, MAX_BUTTON_TEXT), action_id=f"{ids.PICK_CUSTOMER}_{i}", value=cid
                    )
                    for i, (cid, name) in enumerate(choices)
                ],
            )
        )
    else:
        blocks = [SectionBlock(text=mrkdwn(f"I could not find a customer named *{escape(error.query)}*."))]
    return blocks


async def _list(deps: SlackDeps, command: dict[str, Any], respond: AsyncRespond) -> None:
    actor = await slack_actor(deps.database, command["user_id"], deps.directory)
    rows = await plans_for(deps.database, actor, deps.today())
    if not rows:
        await respond(text="No plans yet. Draft one with `/accountplan CUSTOMER`.")
        return
    lines = [
        f"• *{escape(r.customer_name)} {escape(r.fiscal_year)}*: {status_label(r.status)}, v{r.version}, "
        f"confidence {percent(r.confidence)}"
        for r in rows
    ]
    await respond(text="Your plans:\n" + "\n".join(lines))


async def _show(deps: SlackDeps, command: dict[str, Any], text: str, respond: AsyncRespond) -> None:
    name, fiscal_year = split_customer_and_year(text)
    document, progress = await customer_plan_progress(
        deps.database, name, fiscal_year, slack_user_id=command["user_id"], directory=deps.directory
    )
    await respond(text=plan_summary_text(document), blocks=plan_summary_blocks(document, progress=progress))


async def _draft(
    deps: SlackDeps, command: dict[str, Any], text: str, client: AsyncWebClient, respond: AsyncRespond
) -> None:
    name, fiscal_year = split_customer_and_year(text)
    async with deps.work_slots:
        try:
            actor, customer = await draft_request(deps.database, command["user_id"], name, deps.directory)
        except UnknownCustomer as error:
            choices = await suggested_choices(deps.database, error.suggestions)
            await respond(
                text=f"No customer named {escape(name)}.",
                blocks=did_you_mean_blocks(error, [(c.customer_id, c.name) for c in choices], fiscal_year),
            )
            return
    target = DraftTarget(channel=command["channel_id"], user_id=command["user_id"])
    await draft_plan_in_slack(
        deps,
        client,
        target,
        customer=customer,
        fiscal_year=fiscal_year or default_fiscal_year(deps),
        actor=actor,
    )


async def open_generator(deps: SlackDeps, client: AsyncWebClient, trigger_id: str, channel_id: str) -> None:
    await client.views_open(
        trigger_id=trigger_id,
        view=generator_modal_payload(
            fiscal_year_choices(deps), default_fiscal_year(deps), channel_id=channel_id
        ),
    )


def register(app: AsyncApp, deps: SlackDeps) -> None:
    @app.command(COMMAND)
    async def accountplan(
        ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        await ack()
        text = (command.get("text") or "").strip()
        word, _, rest = text.partition(" ")
        try:
            if text and word.lower() not in ("help", "list", "show", *SUBCOMMANDS):
                await _draft(deps, command, text, client, respond)  # admits its own steps
                return
            async with deps.work_slots:
                if not text:
                    await open_generator(deps, client, command["trigger_id"], command["channel_id"])
                elif word.lower() == "help":
                    await respond(text=help_text())
                elif word.lower() == "list":
                    await _list(deps, command, respond)
                elif word.lower() == "show":
                    if not rest.strip():
                        await respond(text="Which customer? `/accountplan show CUSTOMER [FY2026]`")
                    else:
                        await _show(deps, command, rest.strip(), respond)
                else:
                    await SUBCOMMANDS[word.lower()].handler(deps, command, rest.strip(), client, respond)
        except Exception as error:  # every failure becomes an ephemeral "what failed, what to do"
            log_failure("run /accountplan", error, user=command.get("user_id"), text=text[:80])
            await respond(text=describe_failure(f"run `/accountplan {escape(text)}`", error))
