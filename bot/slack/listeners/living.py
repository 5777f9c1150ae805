"""Living plans in Slack: Done / Snooze on the weekly digest and Accept / Dismiss on change
proposals (each answered by editing that same message in place), and `/accountplan stats` with
its chart. Thin: parse, ack, delegate to tools, render."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.slack.blocks import symbols
from bot.slack.blocks.living import (
    ACTION_DONE,
    ACTION_SNOOZE,
    PROPOSAL_ACCEPT,
    PROPOSAL_ACTIONS_BLOCK,
    PROPOSAL_DISMISS,
    PROPOSAL_VIEW,
    accepted_blocks,
    parse_action_value,
    replace_block,
    replace_buttons,
    settle_digest_item,
    stats_blocks,
    stats_text,
)
from bot.slack.blocks.words import day
from bot.slack.feedback import log_failure
from bot.slack.gate import MEMBER, Gate, Interaction, Subject
from bot.slack.listeners.registry import on_action, register_subcommand
from bot.slack.services.access import plan_id_of_proposal
from bot.slack.viewing import proposal_view
from bot.slack.web_client import open_dm
from bot.stats_chart import stats_chart_png
from storage.errors import BadInput
from tools.living.actions import DEFAULT_SNOOZE_DAYS, action_fingerprint, complete_action, postpone_action
from tools.living.outcomes import stats_for
from tools.living.proposals import decide_proposal

log = logging.getLogger(__name__)

CHART_FILENAME = "plan-outcomes.png"


def _digest_item(it: Interaction) -> tuple[str, int, str]:
    """(plan id, action index, action fingerprint) from a Done / Snooze button."""
    try:
        return parse_action_value(it.action_value)
    except (ValueError, KeyError, TypeError):
        raise BadInput("this button is damaged; use the buttons on your latest digest") from None


async def plan_of_digest_item(it: Interaction) -> Subject:
    return Subject(plan_id=_digest_item(it)[0])


async def plan_of_proposal(it: Interaction) -> Subject:
    return Subject(plan_id=await plan_id_of_proposal(it.deps.database, it.action_value))


async def _update_in_place(it: Interaction, change: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]) -> None:
    """The clicked message with `change` applied to its blocks, the rest kept as it was."""
    message = it.body.get("message") or {}
    if not it.channel or not message.get("ts"):
        return
    await it.client.chat_update(
        channel=it.channel,
        ts=message["ts"],
        text=message.get("text") or "Plan actions",
        blocks=change(message.get("blocks") or []),
    )


async def action_done(it: Interaction) -> None:
    plan_id, index, fingerprint = _digest_item(it)
    await complete_action(it.deps.database, plan_id, index, fingerprint, actor=it.actor, surface="slack")
    note = f"{symbols.DONE} Done · marked by <@{it.user_id}>"
    block_id = it.body["actions"][0]["block_id"]
    await _update_in_place(it, lambda blocks: settle_digest_item(blocks, block_id, note, done=True))


async def action_snoozed(it: Interaction) -> None:
    plan_id, index, fingerprint = _digest_item(it)
    document = await postpone_action(
        it.deps.database, plan_id, index, fingerprint, actor=it.actor, as_of=it.deps.today(), surface="slack"
    )
    due = next(
        (a.due_date for a in document.action_plan_90day if action_fingerprint(a.action) == fingerprint),
        None,
    )
    note = f"{symbols.SNOOZED} Snoozed {DEFAULT_SNOOZE_DAYS} days by <@{it.user_id}>" + (
        f" · next due {day(due)}" if due else ""
    )
    block_id = it.body["actions"][0]["block_id"]
    await _update_in_place(it, lambda blocks: settle_digest_item(blocks, block_id, note, done=False))


async def proposal_viewed(it: Interaction) -> None:
    await it.client.views_open(trigger_id=it.body["trigger_id"], view=await proposal_view(it.deps, it.action_value))


async def proposal_accepted(it: Interaction) -> None:
    document = await decide_proposal(
        it.deps.database, it.action_value, "accept", actor=it.actor, now=it.deps.clock(), surface="slack"
    )
    assert it.subject.plan_id is not None
    version = f"version {document.version}" if document is not None else "the new version"
    note = f"{symbols.DONE} Accepted by <@{it.user_id}>: {version} is a draft now. Submit it when it reads right."
    next_step = accepted_blocks(it.subject.plan_id, note)
    await _update_in_place(it, lambda blocks: replace_block(blocks, PROPOSAL_ACTIONS_BLOCK, next_step))


async def proposal_dismissed(it: Interaction) -> None:
    await decide_proposal(
        it.deps.database, it.action_value, "dismiss", actor=it.actor, now=it.deps.clock(), surface="slack"
    )
    note = f"{symbols.DISMISSED} Dismissed by <@{it.user_id}>; the plan stays as approved."
    await _update_in_place(it, lambda blocks: replace_buttons(blocks, PROPOSAL_ACTIONS_BLOCK, note))


async def stats_command(it: Interaction) -> None:
    """The numbers as an ephemeral answer; the chart as a file in the asker's DM (files can only be
    shared into conversations, and the DM is the one the bot can always post in)."""
    assert it.respond is not None
    stats = await stats_for(it.deps.database, it.actor, it.deps.today())
    await it.respond(text=stats_text(stats), blocks=stats_blocks(stats))
    if not stats.by_csm:
        return
    try:
        async with it.deps.chart_slots:  # drawing holds the GIL: off the event loop, one at a time
            png = await asyncio.to_thread(stats_chart_png, stats)
        await it.client.files_upload_v2(
            channel=await open_dm(it.client, it.user_id),
            content=png,
            filename=CHART_FILENAME,
            title=f"Plan coverage and objective completion by CSM ({day(stats.as_of)})",
            alt_txt="Bar chart of plan coverage and objective completion per CSM against the 70% and 60% targets",
            initial_comment="Coverage and completion by CSM",
            request_file_info=False,
        )
    except SlackApiError as error:
        log_failure("upload the outcomes chart", error, user=it.user_id)


def register(app: AsyncApp) -> None:
    register_subcommand(
        "stats",
        stats_command,
        usage="stats",
        help="shows plan coverage, objective completion, overdue actions and renewal outcomes",
        gate=MEMBER,
        doing="show plan outcomes",
    )
    on_action(app, ACTION_DONE, gate=Gate("track", plan_of_digest_item), doing="mark the action done")(
        action_done
    )
    on_action(app, ACTION_SNOOZE, gate=Gate("track", plan_of_digest_item), doing="snooze the action")(
        action_snoozed
    )
    on_action(app, PROPOSAL_ACCEPT, gate=Gate("track", plan_of_proposal), doing="accept the proposal")(
        proposal_accepted
    )
    on_action(app, PROPOSAL_DISMISS, gate=Gate("track", plan_of_proposal), doing="dismiss the proposal")(
        proposal_dismissed
    )
    on_action(app, PROPOSAL_VIEW, gate=Gate("view", plan_of_proposal), doing="open the proposed plan")(
        proposal_viewed
    )
