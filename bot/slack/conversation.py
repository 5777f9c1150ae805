"""Chatting with the bot about plans: thread replies, DMs, @mentions and the Assistant pane.

One entry point, `answer_message`, decides what the message asks for (draft a plan, the riskiest
accounts, what changed since approval, or a change to a plan) and answers in the same thread. Each
is policy-checked like the buttons are: drafting needs "generate" on the customer, what changed
needs "view" and a change "edit" on the plan (the revision agent checks that one).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks.did_you_mean import (
    did_you_mean_blocks,
    parse_request_value,
    question_text,
    which_customer_blocks,
)
from bot.slack.blocks.revision_reply import revision_reply_blocks
from bot.slack.blocks.text import escape, truncate
from bot.slack.deps import SlackDeps
from bot.slack.drafting import (
    DraftTarget,
    default_fiscal_year,
    draft_plan_in_slack,
    refresh_plan_message,
    split_customer_and_year,
)
from bot.slack.feedback import log_failure, report_failure, tell_user
from bot.slack.limits import MAX_MESSAGE_TEXT
from bot.slack.review import request_review
from bot.slack.services.book import (
    CustomerChoice,
    changes_since_approval,
    customer_choice,
    customer_named_in,
    latest_plan_id,
    riskiest_accounts,
    slack_actor,
)
from bot.slack.services.event_dedupe import claim_event
from bot.slack.services.plan_requests import check_may_generate
from bot.slack.services.slack_links import latest_plan_in_channel
from storage.errors import AccountPlanError, UnknownCustomer
from tools.plans.policy import Actor

log = logging.getLogger(__name__)

MENTION = re.compile(r"<@[A-Z0-9]+>")
DRAFT_REQUEST = re.compile(
    r"^\s*(?:please\s+)?(?:draft|generate|create|write)\s+(?:an?\s+)?(?:account\s+)?(?:plan\s+)?(?:for\s+)?(.+?)\s*[.!?]?\s*$",
    re.IGNORECASE,
)
RISKIEST = re.compile(r"\briskiest\b|\bmost at risk\b|\bat[- ]risk accounts\b", re.IGNORECASE)
SINCE_APPROVAL = re.compile(r"\bchanged since (?:the )?approv|\bsince (?:it was )?approved\b", re.IGNORECASE)
THINKING_STATUS = "is thinking…"

RISKIEST_PROMPT = {"title": "What are my riskiest accounts?", "message": "What are my riskiest accounts?"}


def suggested_prompts(customer_name: str | None) -> list[dict[str, str]]:
    """The Assistant pane's prompts, about one of the person's own accounts when we know one."""
    if not customer_name:
        return [RISKIEST_PROMPT]
    return [
        {"title": f"Draft a plan for {customer_name}", "message": f"Draft a plan for {customer_name}"},
        RISKIEST_PROMPT,
        {
            "title": "What changed since approval?",
            "message": f"What changed since approval for {customer_name}?",
        },
    ]


async def prompts_for(deps: SlackDeps, user_id: str) -> list[dict[str, str]]:
    """Suggested prompts naming the person's riskiest account (the generic one for strangers)."""
    try:
        actor = await slack_actor(deps.database, user_id, deps.directory)
        riskiest = await riskiest_accounts(deps.database, actor, limit=1)
    except AccountPlanError:
        return suggested_prompts(None)
    return suggested_prompts(riskiest[0].name if riskiest else None)


SetStatus = Callable[[str], Awaitable[object]]


@dataclass(frozen=True)
class ChatMessage:
    channel: str
    user_id: str
    text: str
    thread_ts: str  # where the answer goes (the message's own ts starts a thread)
    plan_id: str | None = None  # the plan the thread is about, when it hangs under a plan summary
    direct: bool = False  # a DM or the Assistant pane: one person's conversation with the bot
    customer_id: str | None = None  # picked with a "which customer?" button: the request is about it


def clean_text(text: str) -> str:
    return MENTION.sub("", text or "").strip()


async def answer_message(
    deps: SlackDeps, client: AsyncWebClient, message: ChatMessage, set_status: SetStatus | None = None
) -> None:
    """Answer one chat message in its thread; failures become a reply saying what to do."""
    text = clean_text(message.text)
    if not text:
        await _reply(client, message, "Ask me to draft a plan (`draft a plan for ACME`) or to change one.")
        return
    try:
        actor = await slack_actor(deps.database, message.user_id, deps.directory)
        draft = DRAFT_REQUEST.match(text)
        # Under a plan summary "draft ..." is an edit; in one's own conversation it asks for a plan.
        if draft and (message.plan_id is None or message.direct) and message.customer_id is None:
            try:
                await _draft(deps, client, message, actor, draft.group(1))
            except UnknownCustomer as error:  # ask, never guess; a button drafts the one picked
                await _reply(client, message, question_text(error), did_you_mean_blocks(error, error.choices))
        elif RISKIEST.search(text):
            await _riskiest(deps, client, message, actor)
        elif SINCE_APPROVAL.search(text):
            await _since_approval(deps, client, message, actor, text)
        else:
            await _revise(deps, client, message, actor, text, set_status)
    except UnknownCustomer as error:  # the request named several customers, or only came close
        await _reply(
            client, message, question_text(error, in_message=True), which_customer_blocks(error, text)
        )
    except Exception as error:  # the user always hears back; details go to the log
        await report_failure(
            client,
            "answer that",
            error,
            channel=message.channel,
            user=message.user_id,
            thread_ts=message.thread_ts,
        )


async def _reply(
    client: AsyncWebClient, message: ChatMessage, text: str, blocks: list[Block] | None = None
) -> None:
    try:
        await client.chat_postMessage(
            channel=message.channel,
            thread_ts=message.thread_ts,
            text=truncate(text, MAX_MESSAGE_TEXT),
            blocks=blocks,
            unfurl_links=False,
            unfurl_media=False,
        )
    except SlackApiError as error:
        log_failure("reply in thread", error, channel=message.channel)


async def _draft(
    deps: SlackDeps, client: AsyncWebClient, message: ChatMessage, actor: Actor, what: str
) -> None:
    name, fiscal_year = split_customer_and_year(what)
    customer = await customer_choice(deps.database, name, actor)
    await check_may_generate(deps.database, actor, customer.customer_id)
    await draft_plan_in_slack(
        deps,
        client,
        DraftTarget(channel=message.channel, user_id=message.user_id, thread_ts=message.thread_ts),
        customer=customer,
        fiscal_year=fiscal_year or default_fiscal_year(deps),
        actor=actor,
    )


async def _riskiest(deps: SlackDeps, client: AsyncWebClient, message: ChatMessage, actor: Actor) -> None:
    accounts = await riskiest_accounts(deps.database, actor)
    if not accounts:
        await _reply(client, message, "You have no accounts in your book yet.")
        return
    lines = [
        f"{i}. *{escape(a.name)}*: health {a.health_score if a.health_score is not None else 'n/a'}, "
        f"{a.active_risks} active risk{'s' if a.active_risks != 1 else ''}"
        + (f" (worst: {escape(a.worst_risk)})" if a.worst_risk else "")
        for i, a in enumerate(accounts, 1)
    ]
    await _reply(client, message, "Your riskiest accounts:\n" + "\n".join(lines))


@dataclass(frozen=True)
class _Target:
    plan_id: str | None
    customer: CustomerChoice | None = None  # the customer the message named, when it named one


async def _plan_for(deps: SlackDeps, message: ChatMessage, actor: Actor, text: str) -> _Target:
    """The plan a message is about: the thread's plan, the customer picked or named in it (their
    newest plan), else in a DM the plan most recently posted there. UnknownCustomer when the
    message names several customers or only comes close to some: the caller asks which."""
    if message.plan_id:
        return _Target(message.plan_id)
    if message.customer_id:
        customer = await customer_choice(deps.database, message.customer_id, actor)
    else:
        customer = await customer_named_in(deps.database, text, actor)
    if customer is not None:
        return _Target(await latest_plan_id(deps.database, customer.customer_id), customer)
    if message.direct:  # in a DM, "it" is the plan most recently posted there
        return _Target(await latest_plan_in_channel(deps.database, message.channel))
    return _Target(None)


def _no_plan(target: _Target, ask: str) -> str:
    if target.customer is None:
        return ask
    name = escape(target.customer.name)
    return f"*{name}* has no plan yet; `draft a plan for {name}` starts one."


async def _since_approval(
    deps: SlackDeps, client: AsyncWebClient, message: ChatMessage, actor: Actor, text: str
) -> None:
    target = await _plan_for(deps, message, actor, text)
    plan_id = target.plan_id
    if plan_id is None:
        await _reply(
            client, message, _no_plan(target, "Which plan? Name the customer, or ask in the plan's thread.")
        )
        return
    document, changes = await changes_since_approval(deps.database, plan_id, actor)
    title = f"*{escape(document.customer_name)} {escape(document.fiscal_year)}*"
    if not changes:
        await _reply(client, message, f"{title}: nothing changed since the approved version.")
        return
    await _reply(
        client, message, f"{title} changed since approval:\n" + "\n".join(f"• {escape(c)}" for c in changes)
    )


async def _revise(
    deps: SlackDeps,
    client: AsyncWebClient,
    message: ChatMessage,
    actor: Actor,
    text: str,
    set_status: SetStatus | None,
) -> None:
    target = await _plan_for(deps, message, actor, text)
    plan_id = target.plan_id
    if plan_id is None:
        await _reply(
            client,
            message,
            _no_plan(
                target,
                "Which plan do you mean? Name the customer (e.g. _make objective 2 critical for ACME_), "
                "or reply in the thread under the plan.",
            ),
        )
        return
    await _thinking(client, message, set_status)
    outcome = await deps.revise_plan(deps.agent, plan_id, text, actor=actor.email, surface="slack")
    # Always say which plan the request went to, so a wrong guess cannot pass unnoticed (the
    # offline reply names it already; a model's reply may not).
    title = f"{outcome.document.customer_name} {outcome.document.fiscal_year}"
    reply = escape(outcome.reply)
    if title not in outcome.reply:
        plan = f"*{escape(title)}*"
        reply = (f"Updated {plan} (v{outcome.document.version}): " if outcome.changed else f"{plan}: ") + reply
    blocks = revision_reply_blocks(
        outcome.reply, outcome.diff, title=title, version=outcome.document.version, changed=outcome.changed
    )
    await _reply(client, message, reply, blocks)
    if outcome.changed or outcome.submitted:
        await refresh_plan_message(deps, client, plan_id)
    if outcome.submitted:
        await request_review(deps, client, plan_id)


async def _thinking(client: AsyncWebClient, message: ChatMessage, set_status: SetStatus | None) -> None:
    """The "is thinking…" status; cosmetic, so a refusal (e.g. outside an app thread) is ignored."""
    try:
        if set_status is not None:
            await set_status(THINKING_STATUS)
        else:
            await client.assistant_threads_setStatus(
                channel_id=message.channel, thread_ts=message.thread_ts, status=THINKING_STATUS
            )
    except SlackApiError as error:
        log.debug("thinking status not shown: %s", error.response.get("error") if error.response else error)


async def answer_for_picked_customer(deps: SlackDeps, client: AsyncWebClient, body: dict[str, Any]) -> None:
    """A "which customer?" button: answer the original request about the customer picked, once
    (the first click on that question wins; the buttons are then replaced by the choice)."""
    user_id = body["user"]["id"]
    container = body.get("container") or {}
    question = body.get("message") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id") or user_id
    question_ts = str(question.get("ts") or container.get("message_ts") or "")
    try:
        customer_id, request = parse_request_value(str(body["actions"][0].get("value") or ""))
    except (ValueError, KeyError, IndexError):
        await tell_user(
            client, channel=channel, user=user_id, text="That button no longer works; ask me again."
        )
        return
    if question_ts and not await claim_event(
        deps.database, f"pick:{channel}:{question_ts}"[:64], now=deps.clock()
    ):
        await tell_user(client, channel=channel, user=user_id, text="That question was already answered.")
        return
    thread_ts = str(question.get("thread_ts") or container.get("thread_ts") or question_ts)
    message = ChatMessage(
        channel=channel,
        user_id=user_id,
        text=request,
        thread_ts=thread_ts,
        direct=str(channel).startswith("D"),
        customer_id=customer_id,
    )
    await _mark_answered(client, channel, question_ts, body["actions"][0])
    await answer_message(deps, client, message)


async def _mark_answered(client: AsyncWebClient, channel: str, ts: str, action: dict[str, Any]) -> None:
    """Replace the question's buttons with the choice, so nobody answers it twice."""
    if not ts:
        return
    picked = ((action.get("text") or {}).get("text")) or "that customer"
    try:
        await client.chat_update(channel=channel, ts=ts, text=f"Picked *{escape(picked)}*.", blocks=[])
    except SlackApiError as error:  # cosmetic: the request is answered either way
        log_failure("replace the customer question", error, channel=channel)
