"""Telling people about reviews in Slack: the reviewer's DM on submission, and on a decision the DM
updated in place, the plan's summary message refreshed and the CSM told in the plan's thread.

Called by the Slack listeners and, through `announce_transition`, by the REST API, so a decision
taken on any surface shows up the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks.approval import (
    DecisionNote,
    csm_notice,
    csm_notice_blocks,
    csm_notice_text,
    decided_blocks,
    decided_text,
    review_request_blocks,
    review_request_text,
)
from bot.slack.deps import SlackDeps
from bot.slack.drafting import refresh_plan_message
from bot.slack.feedback import log_failure
from bot.slack.home_tab import publish_home
from bot.slack.services.review_requests import (
    PostedMessage,
    chat_id_for,
    record_review_message,
    review_message,
    review_request,
)
from bot.slack.services.slack_links import plan_message
from bot.slack.web_client import open_dm
from storage.vocabulary import PlanStatus
from tools.plans.lifecycle import DECISION_ACTIONS, TransitionResult

log = logging.getLogger(__name__)


async def _dm(client: AsyncWebClient, slack_id: str, **message: Any) -> PostedMessage:
    channel = await open_dm(client, slack_id)
    posted = await client.chat_postMessage(channel=channel, unfurl_links=False, unfurl_media=False, **message)
    return PostedMessage(channel=str(posted["channel"]), ts=str(posted["ts"]))


async def refresh_homes(deps: SlackDeps, client: AsyncWebClient, *slack_ids: str | None) -> None:
    """Re-publish App Home for people whose queue or plan list just changed (best effort)."""
    for slack_id in dict.fromkeys(i for i in slack_ids if i):
        try:
            await publish_home(deps, client, slack_id)
        except SlackApiError as error:
            log_failure("refresh App Home", error, user=slack_id)


async def request_review(deps: SlackDeps, client: AsyncWebClient, plan_id: str) -> PostedMessage | None:
    """DM the plan's reviewer (the CSM's manager) the review request; None when there is nobody to
    DM (no manager set, or not on Slack). Failures are logged: the submission itself stands."""
    try:
        request = await review_request(deps.database, plan_id, deps.today())
        if request.status != PlanStatus.PENDING_REVIEW or request.reviewer is None:
            log.info(
                "plan %s: no review DM (status %s, reviewer %s)", plan_id, request.status, request.reviewer
            )
            return None
        reviewer_id = await chat_id_for(deps.database, request.reviewer.email, deps.directory)
        if reviewer_id is None:
            log.info("plan %s: reviewer %s is not on Slack", plan_id, request.reviewer.email)
            return None
        csm_id = await chat_id_for(deps.database, request.csm.email, deps.directory) if request.csm else None
        posted = await _dm(
            client,
            reviewer_id,
            text=review_request_text(request),
            blocks=review_request_blocks(request, csm_slack_id=csm_id),
        )
        await record_review_message(deps.database, plan_id, request.version, request.reviewer.email, posted)
        await refresh_homes(deps, client, reviewer_id)
        return posted
    except Exception as error:  # the plan is submitted either way; the reviewer also has App Home
        log_failure("send the review request", error, plan=plan_id)
        return None


async def announce_decision(deps: SlackDeps, client: AsyncWebClient, result: TransitionResult) -> None:
    """After approve / request changes / reject: the DM in place, the summary, the CSM's thread."""
    plan = result.plan
    decider_id = result.actor.slack_user_id or await chat_id_for(
        deps.database, result.actor.email, deps.directory
    )
    note = DecisionNote(
        action=result.action,
        decider_slack_id=decider_id,
        decider_name=result.actor.label,
        at=result.decided_at,
        comment=result.comment,
    )
    csm_id = (
        await chat_id_for(deps.database, result.csm_to_notify.email, deps.directory)
        if result.csm_to_notify
        else None
    )
    dm = await review_message(deps.database, plan.id, result.version)
    if dm is not None:
        try:
            request = await review_request(deps.database, plan.id, deps.today())
            await client.chat_update(
                channel=dm.channel,
                ts=dm.ts,
                text=decided_text(note, result.customer_name, plan.fiscal_year, result.version),
                blocks=decided_blocks(request, note, csm_slack_id=csm_id),
            )
        except SlackApiError as error:
            log_failure("update the review message", error, plan=plan.id)
    await refresh_plan_message(deps, client, plan.id)
    try:
        where = await plan_message(deps.database, plan.id)
        if where is not None:
            text = csm_notice(result.customer_name, plan.fiscal_year, result.version, note)
            await client.chat_postMessage(
                channel=where.channel,
                thread_ts=where.thread_root,
                text=csm_notice_text(result.customer_name, plan.fiscal_year, result.version, note),
                blocks=csm_notice_blocks(plan.id, text, result.action),
                unfurl_links=False,
                unfurl_media=False,
            )
        elif csm_id is not None:
            text = csm_notice(result.customer_name, plan.fiscal_year, result.version, note, direct=True)
            await _dm(
                client,
                csm_id,
                text=csm_notice_text(result.customer_name, plan.fiscal_year, result.version, note),
                blocks=csm_notice_blocks(plan.id, text, result.action),
            )
    except SlackApiError as error:
        log_failure("tell the CSM about the decision", error, plan=plan.id)
    await refresh_homes(deps, client, decider_id, csm_id)


async def announce(deps: SlackDeps, client: AsyncWebClient, result: TransitionResult) -> None:
    """Whatever Slack should show after `result`, wherever the transition was made."""
    if result.action == "submit":
        await refresh_plan_message(deps, client, result.plan.id)
        await request_review(deps, client, result.plan.id)
    elif result.action in DECISION_ACTIONS:
        await announce_decision(deps, client, result)
    else:
        await refresh_plan_message(deps, client, result.plan.id)


def slack_announcer(
    deps: SlackDeps,
) -> Callable[[SlackDeps, TransitionResult], Coroutine[Any, Any, None]] | None:
    """A REST `on_transition` hook sharing one Web API client, or None when Slack is not set up."""
    if deps.settings.slack_bot_token is None:
        return None
    from bot.slack.web_client import create_web_client

    client = create_web_client(deps)

    async def announce_transition(hook_deps: SlackDeps, result: TransitionResult) -> None:
        try:
            await announce(hook_deps, client, result)
        except Exception as error:
            log_failure("announce a REST decision in Slack", error, plan=result.plan.id)

    return announce_transition
