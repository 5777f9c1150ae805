"""`/accountplan draft-book [EMAIL] [FY2027]` and the "See the list" button of its summary.

Both go through the policy's `draft_book` action: a CSM drafts their own book, a manager their
team's books (or one report's), admins anyone's. The drafting itself is `bot.slack.book_drafting`.
"""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.slack.blocks.draft_book import SEE_LIST, BookRunItem, BookRunView, run_list_view
from bot.slack.book_drafting import BookRequest, start_book_run
from bot.slack.drafting import split_customer_and_year
from bot.slack.gate import Gate, Interaction, Subject
from bot.slack.listeners.registry import on_action, register_subcommand
from bot.slack.services.book_runs import books_of_run, resolve_book, run_ownership, run_plans

SUBCOMMAND = "draft-book"


async def book_in_text(it: Interaction) -> Subject:
    """`draft-book [EMAIL] [FY2027]`: that person's book, else the asker's (a manager's team)."""
    named, _fiscal_year = split_customer_and_year(it.text)
    book = await resolve_book(it.deps.agent, it.actor, named, it.deps.directory)
    return Subject(book=book, ownership=book.ownership)


async def run_in_value(it: Interaction) -> Subject:
    """The run a "See the list" button carries: the books it drafted."""
    return Subject(ownership=await run_ownership(it.deps.agent, it.action_value))


async def draft_book(it: Interaction) -> None:
    assert it.respond is not None and it.subject.book is not None
    _named, fiscal_year = split_customer_and_year(it.text)
    request = BookRequest(
        book=it.subject.book, actor=it.actor, channel=it.body["channel_id"], fiscal_year=fiscal_year
    )
    await start_book_run(it.deps, it.client, request, it.respond)


async def see_list(it: Interaction) -> None:
    run, items = await run_plans(it.deps.agent, it.action_value)
    books = books_of_run(run)
    mine = books == [it.actor.email]
    label = "your book" if mine else f"{books[0]}'s book" if len(books) == 1 else "the team's books"
    view = BookRunView(
        run_id=run.run_id,
        book=label,
        total=run.total,
        drafted=run.drafted,
        skipped=run.skipped,
        failed=run.failed,
    )
    rows = [
        BookRunItem(i.customer_name, i.state, reason=i.reason, version=i.version, fiscal_year=i.fiscal_year)
        for i in items
    ]
    await it.client.views_open(trigger_id=it.body["trigger_id"], view=run_list_view(view, rows))


def register(app: AsyncApp) -> None:
    register_subcommand(
        SUBCOMMAND,
        draft_book,
        usage="draft-book [EMAIL] [FY2026]",
        help="drafts every plan of your book (a manager: your team's) in one run",
        gate=Gate("draft_book", book_in_text),
        doing="draft the book",
    )
    on_action(app, SEE_LIST, gate=Gate("draft_book", run_in_value), doing="show the run's plans")(see_list)
