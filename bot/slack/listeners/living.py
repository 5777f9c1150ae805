"""Living plans in Slack: Done / Snooze on the weekly digest and Accept / Dismiss on change
proposals (each answered by editing that same message in place), and `/accountplan stats` with
its chart. Thin: parse, ack, delegate to tools, render."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.slack.blocks.living import (
    ACTION_DONE,
    ACTION_SNOOZE,
    PROPOSAL_ACCEPT,
    PROPOSAL_ACTIONS_BLOCK,
    PROPOSAL_DISMISS,
    parse_action_value,
    replace_buttons,
    stats_blocks,
    stats_text,
)
from bot.slack.feedback import log_failure
from bot.slack.gate import MEMBER, Gate, Interaction, Subject
from bot.slack.listeners.registry import on_action, register_subcommand
from bot.slack.services.access import plan_id_of_proposal
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


async def _update_in_place(it: Interaction, block_id: str, note: str) -> None:
    """Replace the clicked buttons with `note`, keeping the rest of the message as it was."""
    message = it.body.get("message") or {}
    if not it.channel or not message.get("ts"):
        return
    await it.client.chat_update(
        channel=it.channel,
        ts=message["ts"],
        text=message.get("text") or "Plan actions",
        blocks=replace_buttons(message.get("blocks") or [], block_id, note),
    )


async def action_done(it: Interaction) -> None:
    plan_id, index, fingerprint = _digest_item(it)
    await complete_action(it.deps.database, plan_id, index, fingerprint, actor=it.actor, surface="slack")
    note = f":white_check_mark: Done · marked by <@{it.user_id}>"
    await _update_in_place(it, it.body["actions"][0]["block_id"], note)


async def action_snoozed(it: Interaction) -> None:
    plan_id, index, fingerprint = _digest_item(it)
    document = await postpone_action(
        it.deps.database, plan_id, index, fingerprint, actor=it.actor, as_of=it.deps.today(), surface="slack"
    )
    due = next(
        (a.due_date for a in document.action_plan_90day if action_fingerprint(a.action) == fingerprint),
        None,
    )
    note = f":zzz: Snoozed {DEFAULT_SNOOZE_DAYS} days by <@{it.user_id}>" + (
        f" · next due {due.strftime('%b %-d')}" if due else ""
    )
    await _update_in_place(it, it.body["actions"][0]["block_id"], note)


async def proposal_accepted(it: Interaction) -> None:
    document = await decide_proposal(
        it.deps.database, it.action_value, "accept", actor=it.actor, now=it.deps.clock(), surface="slack"
    )
    version = document.version if document is not None else "?"
    note = (
        f":white_check_mark: Accepted by <@{it.user_id}>: version {version} is a draft now; "
        "submit it for approval when it reads right."
    )
    await _update_in_place(it, PROPOSAL_ACTIONS_BLOCK, note)


async def proposal_dismissed(it: Interaction) -> None:
    await decide_proposal(
        it.deps.database, it.action_value, "dismiss", actor=it.actor, now=it.deps.clock(), surface="slack"
    )
    note = f":no_entry_sign: Dismissed by <@{it.user_id}>; the plan stays as approved."
    await _update_in_place(it, PROPOSAL_ACTIONS_BLOCK, note)


async def stats_command(it: Interaction) -> None:
    """The numbers as an ephemeral answer; the chart as a file in the asker's DM (files can only be
    shared into conversations, and the DM is the one the bot can always post in)."""
    assert it.respond is not None
    stats = await stats_for(it.deps.database, it.actor, it.deps.today())
    await it.respond(text=stats_text(stats), blocks=stats_blocks(stats))
    if not stats.by_csm:
        return
    try:
        await it.client.files_upload_v2(
            channel=await open_dm(it.client, it.user_id),
            content=stats_chart_png(stats),
            filename=CHART_FILENAME,
            title=f"Plan coverage and objective completion by CSM ({stats.as_of.isoformat()})",
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
