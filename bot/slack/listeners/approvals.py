"""Review decisions in Slack: Approve / Request changes / Reject buttons, the comment modal, and
`/accountplan queue`. Thin: parse, ack, delegate to the lifecycle, render.

The gate lets only a reviewer of the plan through; anything else that must not happen (a superseded
version, a second click, a plan changed since submission) is refused by the lifecycle and explained
ephemerally; nothing changes.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

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
    queue_text,
)
from bot.slack.gate import MEMBER, Gate, Interaction, Subject
from bot.slack.listeners.registry import on_action, on_view, register_subcommand
from bot.slack.review import announce_decision
from bot.slack.services.book import review_queue
from bot.slack.services.review_requests import check_decision, decide, review_request
from storage.errors import BadInput
from storage.vocabulary import Role
from tools.plans.policy import as_decision

WHAT = {"approve": "approve the plan", "request_changes": "request changes", "reject": "reject the plan"}


def _decision_button(it: Interaction) -> tuple[str, str, int]:
    """(decision, plan id, version) from a decision button."""
    clicked = it.body["actions"][0]
    try:
        plan_id, version = parse_decision_value(str(clicked.get("value") or ""))
    except ValueError:
        raise BadInput("this review button is damaged; use the buttons on the review message") from None
    return DECISION_BUTTONS[clicked["action_id"]], plan_id, version


def _comment_form(body: dict[str, Any]) -> tuple[str, str, int, str | None]:
    """(decision, plan id, version, channel of the click) from the comment modal's metadata."""
    try:
        target = parse_comment_metadata(body["view"]["private_metadata"])
    except (ValueError, KeyError):
        raise BadInput("this review form is damaged; use the buttons on the review message") from None
    return target.action, target.plan_id, target.version, target.channel


async def decision_in_button(it: Interaction) -> Subject:
    decision, plan_id, _version = _decision_button(it)
    return Subject(plan_id=plan_id, decision=as_decision(decision))


async def decision_in_comment_form(it: Interaction) -> Subject:
    decision, plan_id, _version, _channel = _comment_form(it.body)
    return Subject(plan_id=plan_id, decision=as_decision(decision))


async def _decide(it: Interaction, action: str, plan_id: str, version: int, comment: str | None) -> None:
    result = await decide(
        it.deps.database,
        plan_id,
        action,
        actor=it.actor,
        version=version,
        comment=comment,
    )
    await announce_decision(it.deps, it.client, result)


async def approve_clicked(it: Interaction) -> None:
    _action, plan_id, version = _decision_button(it)
    await _decide(it, "approve", plan_id, version, None)


async def ask_for_comment(it: Interaction) -> None:
    action, plan_id, version = _decision_button(it)
    # Refuse now (stale button, already decided) rather than after they typed a comment.
    await check_decision(it.deps.database, plan_id, action, actor=it.actor, version=version)
    request = await review_request(it.deps.database, plan_id)
    await it.client.views_open(
        trigger_id=it.body["trigger_id"],
        view=comment_modal(action, plan_id, version, request.document.customer_name, channel=it.channel),
    )


def comment_form_errors(view: dict[str, Any]) -> dict[str, str] | None:
    comment = ((view["state"]["values"].get(COMMENT_BLOCK) or {}).get(COMMENT_INPUT) or {}).get("value") or ""
    return None if comment.strip() else {COMMENT_BLOCK: "Say why, so the CSM knows what to do."}


async def comment_submitted(it: Interaction) -> None:
    view = it.body["view"]
    comment = (view["state"]["values"][COMMENT_BLOCK][COMMENT_INPUT]).get("value") or ""
    action, plan_id, version, _channel = _comment_form(it.body)
    await _decide(it, action, plan_id, version, comment)


def _comment_channel(view: dict[str, Any]) -> str | None:
    """The modal is closed by then: answer where the button was clicked (else in a DM)."""
    try:
        return parse_comment_metadata(view["private_metadata"]).channel
    except (ValueError, KeyError):
        return None


def _comment_doing(body: dict[str, Any]) -> str:
    try:
        return WHAT[parse_comment_metadata(body["view"]["private_metadata"]).action]
    except (ValueError, KeyError):
        return "record the review decision"


async def queue_command(it: Interaction) -> None:
    assert it.respond is not None
    if it.actor.role not in (Role.MANAGER, Role.ADMIN):
        await it.respond(
            text="Only managers and admins review plans; your submitted plans show their status in App Home."
        )
        return
    today = it.deps.today()
    rows = await review_queue(it.deps.database, it.actor, today)
    await it.respond(text=queue_text(rows), blocks=queue_blocks(rows, today))


def register(app: AsyncApp) -> None:
    register_subcommand(
        "queue", queue_command, usage="queue", help="lists the plans waiting for your approval", gate=MEMBER
    )
    decide_gate = Gate("decide", decision_in_button)
    on_action(app, APPROVE, gate=decide_gate, doing=WHAT["approve"])(approve_clicked)
    on_action(app, REQUEST_CHANGES, gate=decide_gate, doing=WHAT["request_changes"])(ask_for_comment)
    on_action(app, REJECT, gate=decide_gate, doing=WHAT["reject"])(ask_for_comment)
    on_view(
        app,
        COMMENT_VIEW,
        gate=Gate("decide", decision_in_comment_form),
        doing=_comment_doing,
        validate=comment_form_errors,
        reply_channel=_comment_channel,
    )(comment_submitted)
