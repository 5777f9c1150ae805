"""Review decisions in Slack: Approve / Request changes / Reject buttons, the comment modal, and
`/accountplan queue`. Thin: parse, ack, delegate to the lifecycle, render.

Anything that must not happen (someone else clicking, a superseded version, a second click, a plan
changed since submission) is refused by the lifecycle and explained ephemerally; nothing changes.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks.approval import (
    APPROVE,
    COMMENT_BLOCK,
    COMMENT_INPUT,
    COMMENT_VIEW,
    DECISION_BUTTONS,
    REJECT,
    REQUEST_CHANGES,
    comment_modal,
    parse_comment_metadata,
    parse_decision_value,
    queue_blocks,
)
from bot.slack.deps import SlackDeps
from bot.slack.feedback import log_failure, report_failure
from bot.slack.listeners.commands import register_subcommand
from bot.slack.review import announce_decision
from bot.slack.services.book import review_queue, slack_actor
from bot.slack.services.review_requests import check_decision, decide, review_request

WHAT = {"approve": "approve the plan", "request_changes": "request changes", "reject": "reject the plan"}


def _where(body: dict[str, Any]) -> tuple[str | None, str | None]:
    """(channel, thread) the click came from, for the ephemeral answer."""
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    message = body.get("message") or {}
    return channel, message.get("thread_ts")


async def _refuse(client: AsyncWebClient, body: dict[str, Any], action: str, error: BaseException) -> None:
    channel, thread = _where(body)
    await report_failure(
        client, WHAT[action], error, channel=channel, user=body["user"]["id"], thread_ts=thread
    )


async def _decide(
    deps: SlackDeps,
    client: AsyncWebClient,
    body: dict[str, Any],
    action: str,
    plan_id: str,
    version: int,
    comment: str | None,
) -> None:
    try:
        result = await decide(
            deps.database,
            plan_id,
            action,
            actor=body["user"]["id"],
            version=version,
            comment=comment,
            directory=deps.directory,
        )
    except Exception as error:
        await _refuse(client, body, action, error)
        return
    await announce_decision(deps, client, result)


async def queue_command(
    deps: SlackDeps, command: dict[str, Any], _text: str, _client: AsyncWebClient, respond: AsyncRespond
) -> None:
    actor = await slack_actor(deps.database, command["user_id"], deps.directory)
    if actor.role not in ("manager", "admin"):
        await respond(
            text="Only managers and admins review plans; your submitted plans show their status in App Home."
        )
        return
    rows = await review_queue(deps.database, actor, deps.today())
    await respond(text=f"{len(rows)} plan(s) waiting for your approval", blocks=queue_blocks(rows))


def register(app: AsyncApp, deps: SlackDeps) -> None:
    register_subcommand(
        "queue", queue_command, usage="queue", help="lists the plans waiting for your approval"
    )

    @app.action(APPROVE)
    async def approve_clicked(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        try:
            plan_id, version = parse_decision_value(body["actions"][0]["value"])
        except ValueError as error:
            log_failure("read an approval button", error, user=body["user"]["id"])
            return
        await _decide(deps, client, body, "approve", plan_id, version, None)

    async def ask_for_comment(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        action = DECISION_BUTTONS[body["actions"][0]["action_id"]]
        try:
            plan_id, version = parse_decision_value(body["actions"][0]["value"])
        except ValueError as error:
            log_failure("read a review button", error, user=body["user"]["id"])
            return
        try:
            # Refuse now (wrong person, stale button) rather than after they typed a comment.
            await check_decision(
                deps.database,
                plan_id,
                action,
                actor=body["user"]["id"],
                version=version,
                directory=deps.directory,
            )
            request = await review_request(deps.database, plan_id)
            await client.views_open(
                trigger_id=body["trigger_id"],
                view=comment_modal(
                    action, plan_id, version, request.document.customer_name, channel=_where(body)[0]
                ),
            )
        except Exception as error:
            await _refuse(client, body, action, error)

    app.action(REQUEST_CHANGES)(ask_for_comment)
    app.action(REJECT)(ask_for_comment)

    @app.view(COMMENT_VIEW)
    async def comment_submitted(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        view = body["view"]
        comment = ((view["state"]["values"].get(COMMENT_BLOCK) or {}).get(COMMENT_INPUT) or {}).get(
            "value"
        ) or ""
        if not comment.strip():
            await ack(
                response_action="errors", errors={COMMENT_BLOCK: "Say why, so the CSM knows what to do."}
            )
            return
        await ack()
        try:
            target = parse_comment_metadata(view["private_metadata"])
        except (ValueError, KeyError) as error:
            log_failure("read the review comment form", error, user=body["user"]["id"])
            return
        try:
            result = await decide(
                deps.database,
                target.plan_id,
                target.action,
                actor=body["user"]["id"],
                version=target.version,
                comment=comment,
                directory=deps.directory,
            )
        except Exception as error:
            # The modal is closed; answer where the button was clicked (else in a DM).
            await report_failure(
                client, WHAT[target.action], error, channel=target.channel, user=body["user"]["id"]
            )
            return
        await announce_decision(deps, client, result)
