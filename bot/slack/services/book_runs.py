"""What `/accountplan draft-book` needs from the database: which book a request means, a run
already drafting any of its accounts, where a run's progress message is, and the run's plans for
the list. Each function runs its own short transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from agent.bulk import RunRecord, list_run_records
from agent.deps import AgentDeps
from storage import draft_runs
from storage.models import AccountPlan, Customer, DraftRunItem
from storage.users import find_user
from tools.plans.books import Book, book_of, csm_book
from tools.plans.identity import UserDirectory
from tools.plans.policy import Actor, PlanOwnership

ACTIVE_STATES = ("pending", "running")
# Runs looked at for "one run per book at a time": far more than can be active at once.
RECENT_RUNS = 200
SLACK_MESSAGE_KEY = "slack_message"  # in the run's scope: where its progress message is


@dataclass(frozen=True)
class RunPlan:
    """One account of a run and what became of it."""

    customer_name: str
    state: str
    reason: str | None
    version: int | None
    fiscal_year: str | None


@dataclass(frozen=True)
class MessageAt:
    channel: str
    ts: str


def books_of_run(run: RunRecord) -> list[str]:
    scope = run.scope
    return [*([scope["csm"]] if scope.get("csm") else []), *(scope.get("csms") or [])]


def progress_message_of(run: RunRecord) -> MessageAt | None:
    where = run.scope.get(SLACK_MESSAGE_KEY) or {}
    if where.get("channel") and where.get("ts"):
        return MessageAt(str(where["channel"]), str(where["ts"]))
    return None


async def resolve_book(deps: AgentDeps, actor: Actor, named: str, directory: UserDirectory | None) -> Book:
    async with deps.database.session() as session:
        return await book_of(session, actor, named, directory)


async def active_run_for(deps: AgentDeps, book: Book) -> RunRecord | None:
    """A pending or running run that drafts any account of `book` (live counts), else None. A
    run over every account (no books in its scope) covers every book."""
    for run in await list_run_records(deps, limit=RECENT_RUNS):
        if run.state in ACTIVE_STATES:
            books = books_of_run(run)
            if not books or book.overlaps(books):
                return run
    return None


async def remember_progress_message(deps: AgentDeps, run_id: str, where: MessageAt) -> None:
    """Keep the progress message's place with the run, so a second request can link to it (from
    any replica)."""
    async with deps.database.session() as session:
        run = await draft_runs.get_run(session, run_id)
        run.scope = {**run.scope, SLACK_MESSAGE_KEY: {"channel": where.channel, "ts": where.ts}}


async def run_ownership(deps: AgentDeps, run_id: str) -> PlanOwnership:
    """Whose books a run drafted, as the policy sees them: one CSM's book, or the team of the
    manager who started it."""
    async with deps.database.session() as session:
        run = RunRecord.of(await draft_runs.get_run(session, run_id))
        books = books_of_run(run)
        if run.scope.get("csm") and len(books) == 1:
            person = await find_user(session, books[0])
            if person is None:  # no longer a user: only admins pass
                return PlanOwnership(csm_email=books[0])
            return (await csm_book(session, Actor.from_user(person))).ownership
        return PlanOwnership(csm_email=None, csm_manager_email=run.author)


async def run_plans(deps: AgentDeps, run_id: str) -> tuple[RunRecord, list[RunPlan]]:
    """The run (live counts) and every account in it with its outcome, for the list."""
    async with deps.database.session() as session:
        run = RunRecord.of(await draft_runs.get_run(session, run_id))
        run = run.with_counts(await draft_runs.run_counts(session, run_id))
        rows = (
            await session.execute(
                select(
                    DraftRunItem.customer_id,
                    DraftRunItem.state,
                    DraftRunItem.reason,
                    DraftRunItem.version,
                    Customer.name,
                    AccountPlan.fiscal_year,
                )
                .outerjoin(Customer, Customer.id == DraftRunItem.customer_id)
                .outerjoin(AccountPlan, AccountPlan.id == DraftRunItem.plan_id)
                .where(DraftRunItem.run_id == run_id)
            )
        ).all()
    items = [
        RunPlan(
            customer_name=name or customer_id,
            state=str(state),
            reason=reason,
            version=version,
            fiscal_year=fiscal_year,
        )
        for customer_id, state, reason, version, name, fiscal_year in rows
    ]
    return run, items
