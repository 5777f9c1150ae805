"""Drafting a whole book from Slack: one progress message, updated in place at most every
UPDATE_SECONDS while the run's worker processes draft, that becomes the run's summary.

The slash command has been acknowledged before any of this runs; the run itself is a background
task whose CPU work happens in worker processes (`agent.bulk`), so this event loop keeps
acknowledging everyone else. One run per book at a time: a second request is told how far the
running one is, with a link to its message.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block, SectionBlock
from slack_sdk.web.async_client import AsyncWebClient

from agent.bulk import RunProgress, RunRecord, RunScope, RunSummary, execute_run, start_run
from bot.slack.blocks import symbols
from bot.slack.blocks.draft_book import (
    BookRunSummary,
    BookRunView,
    progress_text,
    refusal_text,
    run_progress_blocks,
    run_summary_blocks,
    summary_text,
)
from bot.slack.blocks.text import escape, mrkdwn
from bot.slack.deps import SlackDeps
from bot.slack.feedback import describe_failure, failure_reason, log_failure
from bot.slack.services.book_runs import (
    MessageAt,
    active_run_for,
    progress_message_of,
    remember_progress_message,
)
from storage import draft_runs
from storage.vocabulary import RunState
from tools.plans.books import Book
from tools.plans.policy import Actor

log = logging.getLogger(__name__)

UPDATE_SECONDS = 2.0  # chat.update at most this often (Slack allows about one a second per message)


class Throttle:
    """True at most once per `every` seconds (the first call always)."""

    def __init__(self, every: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.every, self.clock = every, clock
        self._last: float | None = None

    def due(self) -> bool:
        now = self.clock()
        if self._last is not None and now - self._last < self.every:
            return False
        self._last = now
        return True


def progress_view(run_id: str, label: str, progress: RunProgress) -> BookRunView:
    return BookRunView(
        run_id=run_id,
        book=label,
        total=progress.total,
        drafted=progress.drafted,
        skipped=progress.skipped,
        failed=progress.failed,
        rate_per_second=progress.rate or None,
        seconds_left=progress.eta_seconds,
    )


def record_view(record: RunRecord, label: str) -> BookRunView:
    return BookRunView(
        run_id=record.run_id,
        book=label,
        total=record.total,
        drafted=record.drafted,
        skipped=record.skipped,
        failed=record.failed,
    )


def summary_view(summary: RunSummary, label: str) -> BookRunSummary:
    return BookRunSummary(
        view=record_view(summary.run, label),
        seconds=summary.elapsed_seconds,
        state="finished" if summary.state == RunState.FINISHED else summary.state,
        skip_reasons=[(group.reason, group.count) for group in summary.skipped_reasons],
        failure_reasons=[(group.reason, group.count) for group in summary.failed_reasons],
    )


@dataclass(frozen=True)
class BookRequest:
    book: Book
    actor: Actor
    channel: str
    fiscal_year: str | None = None


def scope_for(book: Book, fiscal_year: str | None) -> RunScope:
    if book.team:
        return RunScope(csms=book.csm_emails, fiscal_year=fiscal_year)
    return RunScope(csm=book.csm_emails[0], fiscal_year=fiscal_year)


async def _permalink(client: AsyncWebClient, where: MessageAt | None) -> str | None:
    if where is None:
        return None
    try:
        answer = await client.chat_getPermalink(channel=where.channel, message_ts=where.ts)
    except SlackApiError as error:  # the refusal still says how far the run is
        log_failure("link the running draft-book message", error, channel=where.channel)
        return None
    link = answer.get("permalink")
    return str(link) if link else None


async def start_book_run(
    deps: SlackDeps, client: AsyncWebClient, request: BookRequest, respond: AsyncRespond
) -> str | None:
    """Refuse when a run drafts any of the book's accounts; else post the progress message, record
    the run and start drafting it in the background. The run id, or None when refused."""
    running = await active_run_for(deps.agent, request.book)
    if running is not None:
        link = await _permalink(client, progress_message_of(running))
        done = running.drafted + running.skipped + running.failed
        await respond(text=refusal_text(request.book.label, done, running.total, link))
        return None
    posted = await client.chat_postMessage(
        channel=request.channel,
        text=f"Drafting {request.book.label} …",
        blocks=[
            SectionBlock(
                text=mrkdwn(f"{symbols.IN_PROGRESS} Finding the accounts of {escape(request.book.label)} …")
            )
        ],
        unfurl_links=False,
        unfurl_media=False,
    )
    where = MessageAt(str(posted["channel"]), str(posted["ts"]))
    try:
        record = await start_run(
            deps.agent,
            scope_for(request.book, request.fiscal_year),
            author=request.actor.email,
            surface="slack",
            workers=deps.bulk_workers,
        )
        await remember_progress_message(deps.agent, record.run_id, where)
    except Exception as error:  # the message says what happened; no run was left behind
        await _show(client, where, describe_failure(f"draft {request.book.label}", error), None)
        raise
    view = record_view(record, request.book.label)
    await _show(client, where, progress_text(view), run_progress_blocks(view))
    deps.tasks.start(
        _execute(deps, client, where, record, request.book.label), name=f"draft-book {record.run_id}"
    )
    return record.run_id


async def _show(client: AsyncWebClient, where: MessageAt, text: str, blocks: list[Block] | None) -> None:
    try:
        await client.chat_update(
            channel=where.channel,
            ts=where.ts,
            text=text,
            blocks=blocks or [SectionBlock(text=mrkdwn(text))],
        )
    except SlackApiError as error:  # progress is cosmetic; the run goes on
        log_failure("update the draft-book message", error, channel=where.channel)


async def _execute(
    deps: SlackDeps, client: AsyncWebClient, where: MessageAt, record: RunRecord, label: str
) -> None:
    throttle = Throttle(UPDATE_SECONDS)
    throttle.due()  # the message already shows the start

    async def show_progress(progress: RunProgress) -> None:
        if progress.pending and throttle.due():  # the last one is the summary's to show
            view = progress_view(record.run_id, label, progress)
            await _show(client, where, progress_text(view), run_progress_blocks(view))

    started = time.monotonic()
    try:
        summary = await execute_run(
            deps.agent,
            record.run_id,
            workers=deps.bulk_workers,
            on_progress=show_progress,
            in_process=deps.bulk_in_process,
        )
        final = summary_view(summary, label)
    except Exception as error:
        log_failure("draft a book", error, run=record.run_id)
        final = BookRunSummary(
            view=await _stopped(deps, record, label),
            seconds=time.monotonic() - started,
            state="failed",
            message=failure_reason(error),
        )
    await _show(client, where, summary_text(final), run_summary_blocks(final))


async def _stopped(deps: SlackDeps, record: RunRecord, label: str) -> BookRunView:
    """Mark a run that failed as failed (so the book is not blocked; `--resume` finishes it) and
    return how far it got."""
    try:
        async with deps.database.session() as session:
            await draft_runs.mark_state(session, record.run_id, RunState.FAILED)
            counts = await draft_runs.run_counts(session, record.run_id)
    except Exception as error:
        log_failure("mark a failed run", error, run=record.run_id)
        return record_view(record, label)
    return BookRunView(
        run_id=record.run_id,
        book=label,
        total=counts.total,
        drafted=counts.drafted,
        skipped=counts.skipped,
        failed=counts.failed,
    )
