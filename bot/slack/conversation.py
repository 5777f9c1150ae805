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

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks.text import escape, truncate
from bot.slack.deps import SlackDeps
from bot.slack.drafting import (
    DraftTarget,
    default_fiscal_year,
    draft_plan_in_slack,
    refresh_plan_message,
    split_customer_and_year,
)
from bot.slack.feedback import log_failure, report_failure
from bot.slack.limits import MAX_MESSAGE_TEXT
from bot.slack.review import request_review
from bot.slack.services.book import (
    changes_since_approval,
    customer_choice,
    customer_named_in,
    latest_plan_id,
    riskiest_accounts,
    slack_actor,
)
from bot.slack.services.plan_requests import check_may_generate
from bot.slack.services.slack_links import latest_plan_in_channel
from storage.errors import AccountPlanError
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
        if draft and (message.plan_id is None or message.direct):
            await _draft(deps, client, message, actor, draft.group(1))
        elif RISKIEST.search(text):
            await _riskiest(deps, client, message, actor)
        elif SINCE_APPROVAL.search(text):
            await _since_approval(deps, client, message, actor, text)
        else:
            await _revise(deps, client, message, actor, text, set_status)
    except Exception as error:  # the user always hears back; details go to the log
        await report_failure(
            client,
            "answer that",
            error,
            channel=message.channel,
            user=message.user_id,
            thread_ts=message.thread_ts,
        )


async def _reply(client: AsyncWebClient, message: ChatMessage, text: str) -> None:
    try:
        await client.chat_postMessage(
            channel=message.channel,
            thread_ts=message.thread_ts,
            text=truncate(text, MAX_MESSAGE_TEXT),
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


async def _plan_for(deps: SlackDeps, message: ChatMessage, text: str) -> str | None:
    if message.plan_id:
        return message.plan_id
    customer = await customer_named_in(deps.database, text)
    if customer is not None:
        return await latest_plan_id(deps.database, customer.customer_id)
    if message.direct:  # in a DM, "it" is the plan most recently posted there
        return await latest_plan_in_channel(deps.database, message.channel)
    return None


async def _since_approval(
    deps: SlackDeps, client: AsyncWebClient, message: ChatMessage, actor: Actor, text: str
) -> None:
    plan_id = await _plan_for(deps, message, text)
    if plan_id is None:
        await _reply(client, message, "Which plan? Name the customer, or ask in the plan's thread.")
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
    plan_id = await _plan_for(deps, message, text)
    if plan_id is None:
        await _reply(
            client,
            message,
            "Which plan do you mean? Name the customer (e.g. _make objective 2 critical for ACME_), "
            "or reply in the thread under the plan.",
        )
        return
    await _thinking(client, message, set_status)
    outcome = await deps.revise_plan(deps.agent, plan_id, text, actor=actor.email, surface="slack")
    reply = escape(outcome.reply)
    if outcome.changed and outcome.diff:
        reply += "\n*What changed*\n" + "\n".join(f"• {escape(line)}" for line in outcome.diff)
    await _reply(client, message, reply)
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
