"""`/accountplan draft-book`: the one progress message a run keeps updating (counts, a text
progress bar, rate, time left), the summary it becomes, and the list of the run's plans.

Pure functions over small view types, so they are tested without Slack and without a run; the
listener maps the run's progress and summary onto them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, SectionBlock
from slack_sdk.models.views import View

from bot.slack.blocks import symbols
from bot.slack.blocks.text import context_line, escape, mrkdwn, plain, truncate
from bot.slack.limits import (
    MAX_BLOCKS_PER_MODAL,
    MAX_BUTTON_TEXT,
    MAX_BUTTON_VALUE,
    MAX_MESSAGE_TEXT,
    MAX_MODAL_TITLE,
    MAX_SECTION_TEXT,
)

SEE_LIST = "draft_book_list"
LIST_MODAL = "draft_book_list_modal"
BAR_WIDTH = 20
BAR_DONE, BAR_LEFT = "█", "░"
REASONS_SHOWN = 3
# The list modal: a line per plan, problems first, sections of up to MAX_SECTION_TEXT each; long
# runs are cut (a view's whole payload has a size limit too).
MAX_LIST_ROWS = 300
MAX_LIST_SECTIONS = MAX_BLOCKS_PER_MODAL - 2  # beside the heading line and the "more" line
LIST_ORDER = {"failed": 0, "skipped": 1, "pending": 2, "drafted": 3}
LIST_MARKS = {
    "drafted": symbols.DONE,
    "skipped": symbols.KEPT,  # left as people made it (edited, submitted, approved)
    "failed": symbols.FAILED,
    "pending": symbols.NOT_YET,
}


@dataclass(frozen=True)
class BookRunView:
    """Where a run stands: whose book, how many accounts, and what became of them so far."""

    run_id: str
    book: str  # "your book", "Dana Smith's book", "your team's books"
    total: int
    drafted: int = 0
    skipped: int = 0
    failed: int = 0
    rate_per_second: float | None = None  # plans finished per second, once measurable
    seconds_left: float | None = None

    @property
    def done(self) -> int:
        return self.drafted + self.skipped + self.failed


@dataclass(frozen=True)
class BookRunSummary:
    """A finished run: its counts, how long it took, and why accounts were skipped or failed."""

    view: BookRunView
    seconds: float
    state: str = "finished"  # finished | failed | cancelled
    skip_reasons: Sequence[tuple[str, int]] = field(default_factory=tuple)  # (reason, accounts)
    failure_reasons: Sequence[tuple[str, int]] = field(default_factory=tuple)
    message: str | None = None  # why the run itself stopped, when it did


@dataclass(frozen=True)
class BookRunItem:
    """One account of the run, as the list shows it."""

    customer_name: str
    state: str  # drafted | skipped | failed | pending
    reason: str | None = None
    version: int | None = None
    fiscal_year: str | None = None
    link: str | None = None  # permalink of the plan's card, when there is one


def progress_bar(done: int, total: int, width: int = BAR_WIDTH) -> str:
    """`█████░░░░░ 50%`: filled in proportion, 100% only when everything is done."""
    share = 1.0 if total <= 0 else min(1.0, done / total)
    filled = int(share * width)  # rounded down, so an unfinished run never looks full
    return f"{BAR_DONE * filled}{BAR_LEFT * (width - filled)} {int(share * 100)}%"


def duration(seconds: float) -> str:
    """A short human duration: `45s`, `3 min`, `1 h 20 min`."""
    if seconds < 60:
        return f"{max(1, round(seconds))}s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


def _counts(view: BookRunView) -> str:
    return f"{view.drafted:,} drafted · {view.skipped:,} skipped · {view.failed:,} failed"


def progress_text(view: BookRunView) -> str:
    """The notification text: what a screen reader or a push notification says."""
    return truncate(
        f"Drafting {view.book}: {view.done:,} of {_plural(view.total, 'account')} done", MAX_MESSAGE_TEXT
    )


def run_progress_blocks(view: BookRunView) -> list[Block]:
    """The message a run posts once and then updates in place."""
    pace = []
    if view.rate_per_second is not None and view.done:
        pace.append(f"{view.rate_per_second:,.1f} plans/s")
    if view.seconds_left is not None and view.done < view.total:
        pace.append(f"about {duration(view.seconds_left)} left")
    footer = " · ".join([*pace, f"run `{view.run_id}`"])
    return [
        SectionBlock(
            text=mrkdwn(
                f"{symbols.IN_PROGRESS} *Drafting {escape(view.book)}* · {_plural(view.total, 'account')}\n"
                f"{progress_bar(view.done, view.total)}\n"
                f"{view.done:,} of {view.total:,} done: {_counts(view)}"
            )
        ),
        context_line(footer),
    ]


def reason_lines(reasons: Sequence[tuple[str, int]], limit: int = REASONS_SHOWN) -> list[str]:
    """The most common reasons with their counts, most frequent first, then how many others."""
    ranked = sorted(((r.strip() or "no reason given", n) for r, n in reasons), key=lambda rn: -rn[1])
    lines = [f"{escape(truncate(reason, 150))} ({count:,})" for reason, count in ranked[:limit]]
    rest = sum(count for _, count in ranked[limit:])
    if rest:
        lines.append(f"{_plural(rest, 'other')}")
    return lines


def summary_text(summary: BookRunSummary) -> str:
    view = summary.view
    if summary.state != "finished":
        return truncate(f"Drafting {view.book} stopped: {_counts(view)}", MAX_MESSAGE_TEXT)
    return truncate(f"Drafted {view.book}: {_counts(view)}", MAX_MESSAGE_TEXT)


def run_summary_blocks(summary: BookRunSummary) -> list[Block]:
    """What the progress message becomes at the end: counts, the main reasons accounts were skipped
    or failed, and a button to see every plan of the run."""
    view = summary.view
    if summary.state == "finished":
        mark = symbols.DONE if view.failed == 0 else symbols.PROBLEM
        heading = f"{mark} *Drafted {escape(view.book)}* in {duration(summary.seconds)}"
    else:
        heading = f"{symbols.FAILED} *Drafting {escape(view.book)} stopped* after {duration(summary.seconds)}"
        if summary.message:
            heading += f": {escape(summary.message)}"
    blocks: list[Block] = [
        SectionBlock(text=mrkdwn(heading)),
        SectionBlock(
            fields=[
                mrkdwn(f"*Drafted*\n{view.drafted:,}"),
                mrkdwn(f"*Skipped*\n{view.skipped:,}"),
                mrkdwn(f"*Failed*\n{view.failed:,}"),
                mrkdwn(f"*Accounts*\n{view.total:,}"),
            ]
        ),
    ]
    for label, reasons in (("Skipped", summary.skip_reasons), ("Failed", summary.failure_reasons)):
        lines = reason_lines(reasons)
        if lines:
            blocks.append(
                SectionBlock(text=mrkdwn(f"*{label}:*\n" + "\n".join(f"• {line}" for line in lines)))
            )
    blocks.append(
        ActionsBlock(
            elements=[
                ButtonElement(
                    text=plain("See the list", MAX_BUTTON_TEXT),
                    action_id=SEE_LIST,
                    value=truncate(view.run_id, MAX_BUTTON_VALUE),
                )
            ]
        )
    )
    blocks.append(
        context_line(f"run `{escape(view.run_id)}` · `accountplan runs show {escape(view.run_id)}`")
    )
    return blocks


def _item_line(item: BookRunItem) -> str:
    name = escape(item.customer_name)
    title = f"<{item.link}|{name}>" if item.link else f"*{name}*"
    parts = [f"{LIST_MARKS.get(item.state, symbols.NOT_YET)} {title}"]
    if item.state == "drafted":
        parts.append(f"drafted{f' v{item.version}' if item.version else ''}")
        command = f"/accountplan show {item.customer_name}" + (
            f" {item.fiscal_year}" if item.fiscal_year else ""
        )
        if not item.link:
            parts.append(f"`{escape(command)}`")
    else:
        parts.append(item.state + (f": {escape(truncate(item.reason, 200))}" if item.reason else ""))
    return " · ".join(parts)


def run_list_view(view: BookRunView, items: Sequence[BookRunItem]) -> View:
    """A modal listing the run's accounts, failures and skips first, each with how to open its plan
    (the first MAX_LIST_ROWS; the CLI lists a run of any size)."""
    ordered = sorted(items, key=lambda i: (LIST_ORDER.get(i.state, 9), i.customer_name.lower()))
    sections: list[str] = []
    current = ""
    shown = 0
    for item in ordered[:MAX_LIST_ROWS]:
        line = _item_line(item)
        if current and len(current) + 1 + len(line) > MAX_SECTION_TEXT:
            if len(sections) + 1 >= MAX_LIST_SECTIONS:
                break
            sections.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
        shown += 1
    if current:
        sections.append(current)
    blocks: list[Block] = [context_line(f"{escape(view.book)} · {_counts(view)}")]
    blocks += [SectionBlock(text=mrkdwn(text)) for text in sections]
    if shown < len(ordered):
        more = len(ordered) - shown
        blocks.append(
            context_line(f"…and {more:,} more: `accountplan runs show {escape(view.run_id)}` lists them all")
        )
    return View(
        type="modal",
        callback_id=LIST_MODAL,
        title=plain("Drafted plans", MAX_MODAL_TITLE),
        close=plain("Close", MAX_MODAL_TITLE),
        blocks=blocks,
    )


def refusal_text(book: str, done: int, total: int, link: str | None) -> str:
    """The ephemeral answer to a second request while a run for the same book is going."""
    where = f" <{link}|See its progress>." if link else ""
    return f"A run for {escape(book)} is already going: {done:,} of {total:,} done.{where}"
