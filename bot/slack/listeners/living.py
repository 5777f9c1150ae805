"""Living plans in Slack: Done / Snooze on the weekly digest and Accept / Dismiss on change
proposals (each answered by editing that same message in place), and `/accountplan stats` with
its chart. Thin: parse, ack, delegate to tools, render."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

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
from bot.slack.deps import SlackDeps
from bot.slack.feedback import log_failure, report_failure
from bot.slack.listeners.commands import register_subcommand
from bot.slack.services.book import slack_actor
from bot.stats_chart import stats_chart_png
from tools.living.actions import DEFAULT_SNOOZE_DAYS, action_fingerprint, complete_action, postpone_action
from tools.living.outcomes import stats_for
from tools.living.proposals import decide_proposal

log = logging.getLogger(__name__)

CHART_FILENAME = "plan-outcomes.png"


async def _update_in_place(client: AsyncWebClient, body: dict[str, Any], block_id: str, note: str) -> None:
    """Replace the clicked buttons with `note`, keeping the rest of the message as it was."""
    message = body.get("message") or {}
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    if not channel or not message.get("ts"):
        return
    await client.chat_update(
        channel=channel,
        ts=message["ts"],
        text=message.get("text") or "Plan actions",
        blocks=replace_buttons(message.get("blocks") or [], block_id, note),
    )


async def _refuse(client: AsyncWebClient, body: dict[str, Any], what: str, error: BaseException) -> None:
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    await report_failure(client, what, error, channel=channel, user=body["user"]["id"])


async def stats_command(
    deps: SlackDeps, command: dict[str, Any], _text: str, client: AsyncWebClient, respond: AsyncRespond
) -> None:
    """The numbers as an ephemeral answer; the chart as a file in the asker's DM (files can only be
    shared into conversations, and the DM is the one the bot can always post in)."""
    user = command["user_id"]
    try:
        actor = await slack_actor(deps.database, user, deps.directory)
        stats = await stats_for(deps.database, actor, deps.today())
    except Exception as error:
        await report_failure(
            client, "show plan outcomes", error, channel=command.get("channel_id"), user=user
        )
        return
    await respond(text=stats_text(stats), blocks=stats_blocks(stats))
    if not stats.by_csm:
        return
    try:
        opened = await client.conversations_open(users=user)
        await client.files_upload_v2(
            channel=opened["channel"]["id"],
            content=stats_chart_png(stats),
            filename=CHART_FILENAME,
            title=f"Plan coverage and objective completion by CSM ({stats.as_of.isoformat()})",
            alt_txt="Bar chart of plan coverage and objective completion per CSM against the 70% and 60% targets",
            initial_comment="Coverage and completion by CSM",
            request_file_info=False,
        )
    except SlackApiError as error:
        log_failure("upload the outcomes chart", error, user=user)


def register(app: AsyncApp, deps: SlackDeps) -> None:
    register_subcommand(
        "stats",
        stats_command,
        usage="stats",
        help="shows plan coverage, objective completion, overdue actions and renewal outcomes",
    )

    async def action_clicked(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        clicked = body["actions"][0]
        done = clicked["action_id"] == ACTION_DONE
        what = "mark the action done" if done else "snooze the action"
        user = body["user"]["id"]
        try:
            plan_id, index, fingerprint = parse_action_value(clicked["value"])
            actor = await slack_actor(deps.database, user, deps.directory)
            if done:
                await complete_action(deps.database, plan_id, index, fingerprint, actor=actor)
                note = f":white_check_mark: Done · marked by <@{user}>"
            else:
                document = await postpone_action(
                    deps.database, plan_id, index, fingerprint, actor=actor, as_of=deps.today()
                )
                due = next(
                    (
                        a.due_date
                        for a in document.action_plan_90day
                        if action_fingerprint(a.action) == fingerprint
                    ),
                    None,
                )
                note = f":zzz: Snoozed {DEFAULT_SNOOZE_DAYS} days by <@{user}>" + (
                    f" · next due {due.strftime('%b %-d')}" if due else ""
                )
        except Exception as error:
            await _refuse(client, body, what, error)
            return
        await _update_in_place(client, body, clicked["block_id"], note)

    app.action(ACTION_DONE)(action_clicked)
    app.action(ACTION_SNOOZE)(action_clicked)

    async def proposal_clicked(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        clicked = body["actions"][0]
        accept = clicked["action_id"] == PROPOSAL_ACCEPT
        user = body["user"]["id"]
        try:
            actor = await slack_actor(deps.database, user, deps.directory)
            document = await decide_proposal(
                deps.database,
                clicked["value"],
                "accept" if accept else "dismiss",
                actor=actor,
                now=deps.clock(),
            )
        except Exception as error:
            await _refuse(client, body, "accept the proposal" if accept else "dismiss the proposal", error)
            return
        if document is not None:
            note = (
                f":white_check_mark: Accepted by <@{user}>: version {document.version} is a draft now; "
                "submit it for approval when it reads right."
            )
        else:
            note = f":no_entry_sign: Dismissed by <@{user}>; the plan stays as approved."
        await _update_in_place(client, body, PROPOSAL_ACTIONS_BLOCK, note)

    app.action(PROPOSAL_ACCEPT)(proposal_clicked)
    app.action(PROPOSAL_DISMISS)(proposal_clicked)
