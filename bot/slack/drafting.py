"""Drafting a plan in Slack: post "Drafting ..." at once, tick sections off as they finish, then
turn the same message into the plan summary and remember where it is."""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block
from slack_sdk.web.async_client import AsyncWebClient

from agent.generate import GeneratedPlan, GenerationRequest
from agent.section_writer import ProgressEvent
from bot.slack.blocks.plan_summary import plan_summary_blocks, plan_summary_text
from bot.slack.blocks.progress import failure_blocks, progress_blocks, progress_text
from bot.slack.charts import post_charts_quietly
from bot.slack.deps import SlackDeps
from bot.slack.feedback import failure_reason, log_failure, report_failure
from bot.slack.services.book import CustomerChoice
from bot.slack.services.plan_cards import plan_card
from bot.slack.services.slack_links import link_plan_message
from storage.errors import BadInput
from storage.plan_document import FISCAL_YEAR_PATTERN, SECTIONS
from storage.settings import Settings
from tools.analytics.fiscal_calendar import check_fiscal_year, planning_fiscal_year
from tools.plans.policy import Actor

log = logging.getLogger(__name__)

# Rough wall times shown in the modal: the offline drafter is near-instant, Claude drafts
# sections concurrently in about half a minute.
OFFLINE_ESTIMATE_SECONDS = 2.0
CLAUDE_ESTIMATE_SECONDS = 30.0
FISCAL_YEAR_IN_TEXT = re.compile(r"\s+(fy\d{4})\s*$", re.IGNORECASE)


def estimate_seconds(settings: Settings) -> float:
    return CLAUDE_ESTIMATE_SECONDS if settings.claude_enabled else OFFLINE_ESTIMATE_SECONDS


def split_customer_and_year(text: str) -> tuple[str, str | None]:
    """`"TechCorp FY2026"` -> ("TechCorp", "FY2026"); the year is optional."""
    match = FISCAL_YEAR_IN_TEXT.search(" " + text)
    if not match:
        return text.strip(), None
    year = match.group(1).upper()
    if not FISCAL_YEAR_PATTERN.match(year):
        raise BadInput(f"fiscal year must look like FY2026 (got {match.group(1)!r})")
    return (" " + text)[: match.start()].strip(), year


def default_fiscal_year(deps: SlackDeps) -> str:
    return planning_fiscal_year(deps.today(), deps.settings.fiscal_year_start_month)


def fiscal_year_choices(deps: SlackDeps) -> list[str]:
    """The fiscal year being planned, the one after it and the one before it."""
    current = int(default_fiscal_year(deps)[2:])
    return [f"FY{year}" for year in (current, current + 1, current - 1)]


class ProgressMessage:
    """Keeps the "Drafting ..." message in step with the generator, one chat.update in flight at a
    time: a burst of events collapses into one update instead of hitting Slack's rate limit."""

    def __init__(
        self,
        client: AsyncWebClient,
        channel: str,
        ts: str,
        customer: str,
        fiscal_year: str,
        sections: tuple[str, ...],
    ) -> None:
        self.client, self.channel, self.ts = client, channel, ts
        self.customer, self.fiscal_year, self.sections = customer, fiscal_year, sections
        self.states: dict[str, str] = {}
        self._dirty = False
        self._sender: asyncio.Task[None] | None = None

    def blocks(self) -> list[Block]:
        return progress_blocks(self.customer, self.fiscal_year, self.states, self.sections)

    async def report(self, event: ProgressEvent) -> None:
        self.states[event.section] = event.state
        self._dirty = True
        if self._sender is None or self._sender.done():
            self._sender = asyncio.create_task(self._send())

    async def _send(self) -> None:
        while self._dirty:
            self._dirty = False
            try:
                await self.client.chat_update(
                    channel=self.channel,
                    ts=self.ts,
                    text=progress_text(self.customer, self.fiscal_year),
                    blocks=self.blocks(),
                )
            except SlackApiError as error:  # progress is cosmetic; the final update still happens
                log_failure("update drafting progress", error, channel=self.channel)
                return

    async def settle(self) -> None:
        """Wait for the last progress update so the final message is not overwritten by it."""
        self._dirty = False
        if self._sender is not None:
            await self._sender


@dataclass(frozen=True)
class DraftTarget:
    channel: str
    user_id: str
    thread_ts: str | None = None


async def draft_plan_in_slack(
    deps: SlackDeps,
    client: AsyncWebClient,
    target: DraftTarget,
    *,
    customer: CustomerChoice,
    fiscal_year: str,
    actor: Actor,
    sections: tuple[str, ...] = SECTIONS,
) -> GeneratedPlan | None:
    """Post the drafting message, run the generator, and leave the plan summary in its place. The
    caller has checked that `actor` may draft for this customer (the listener's gate)."""
    settings = deps.settings
    try:  # a year outside the planning window is told to the person alone, before the channel
        check_fiscal_year(
            fiscal_year,
            as_of=deps.today(),
            start_month=settings.fiscal_year_start_month,
            window_years=settings.fiscal_year_window_years,
        )
    except BadInput as error:
        await report_failure(
            client,
            f"draft {customer.name} {fiscal_year}",
            error,
            channel=target.channel,
            user=target.user_id,
            thread_ts=target.thread_ts,
        )
        return None
    try:
        async with deps.work_slots:
            posted = await client.chat_postMessage(
                channel=target.channel,
                thread_ts=target.thread_ts,
                text=progress_text(customer.name, fiscal_year),
                blocks=progress_blocks(customer.name, fiscal_year, {}, sections),
                unfurl_links=False,
                unfurl_media=False,
            )
    except SlackApiError as error:
        await report_failure(client, "post the plan", error, channel=target.channel, user=target.user_id)
        return None
    channel, ts = str(posted["channel"]), str(posted["ts"])
    progress = ProgressMessage(client, channel, ts, customer.name, fiscal_year, sections)
    request = GenerationRequest(
        customer=customer.customer_id,
        fiscal_year=fiscal_year,
        as_of=deps.today(),
        sections=sections,
        author=actor.email,
        surface="slack",
    )
    try:
        async with deps.drafting_slots:
            result = await deps.generate_plan(deps.agent, request, progress=progress.report)
    except Exception as error:  # every failure ends as a readable message in place of the checklist
        await progress.settle()
        log_failure("draft the plan", error, customer=customer.customer_id, fiscal_year=fiscal_year)
        reason = failure_reason(error)
        await _replace(
            client, channel, ts, "Drafting failed", failure_blocks(customer.name, fiscal_year, reason)
        )
        return None
    await progress.settle()
    plan_id = result.document.plan_id
    await link_plan_message(deps.database, plan_id, channel, ts, target.thread_ts)
    text, blocks = await card_message(deps, plan_id)
    await _replace(client, channel, ts, text, blocks)
    await post_charts_quietly(deps, client, plan_id)
    return result


async def card_message(
    deps: SlackDeps, plan_id: str, *, note: str | None = None, with_progress: bool | None = None
) -> tuple[str, list[Block]]:
    """The plan card (notification text and blocks) with today's account facts; progress for a
    plan in force, or when asked for."""
    card = await plan_card(deps.database, plan_id, deps.today(), with_progress=with_progress)
    blocks = plan_summary_blocks(card.document, facts=card.facts, note=note, progress=card.progress)
    return plan_summary_text(card.document, card.facts), blocks


async def _replace(client: AsyncWebClient, channel: str, ts: str, text: str, blocks: list[Block]) -> None:
    try:
        await client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
    except SlackApiError as error:
        log_failure("update the plan message", error, channel=channel, ts=ts)


async def refresh_plan_message(
    deps: SlackDeps, client: AsyncWebClient, plan_id: str, note: str | None = None
) -> bool:
    """Re-render a plan's summary message in place after it changed; False when it has none."""
    from bot.slack.services.slack_links import plan_message

    where = await plan_message(deps.database, plan_id)
    if where is None:
        return False
    text, blocks = await card_message(deps, plan_id, note=note)
    try:
        await client.chat_update(channel=where.channel, ts=where.ts, text=text, blocks=blocks)
    except SlackApiError as error:
        log_failure("update the plan message", error, plan=plan_id)
        return False
    return True
