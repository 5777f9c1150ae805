"""A person saves a plan while a bulk run is drafting it (SQLite and PostgreSQL): the run never
overwrites that plan; the account fails with a reason that says what to do, and the rest of its
batch (saved in one flush) is saved all the same."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from agent.bulk import DrainJob, RunScope, drain, load_summary, start_run
from agent.bulk.drain import CHANGED_WHILE_DRAFTING
from agent.deps import AgentDeps
from agent.drafter import draft_plan
from agent.regeneration import load_generation_inputs
from agent.section_writer import OfflineSectionWriter, ProgressCallback, SectionOutcome
from storage.db import Database
from storage.demo.portfolio import seed_demo_portfolio
from storage.models import AccountPlan, Customer, PlanRevision
from storage.plan_document import AccountPlanDocument
from storage.plans import save_plan_version
from tests.conftest import agent_deps
from tools.analytics.context import PlanningContext

AS_OF = date(2026, 2, 2)
ACCOUNTS = 6
PERSON = "ana@example.com"


@pytest.fixture
async def seeded(any_db: Database) -> Database:
    await seed_demo_portfolio(any_db, accounts=ACCOUNTS, as_of=AS_OF)
    return any_db


class PersonSavesMeanwhile(OfflineSectionWriter):
    """The offline writer, except that while it drafts `customer_id` a person saves that plan."""

    def __init__(self, database: Database, customer_id: str) -> None:
        self.database = database
        self.customer_id = customer_id

    async def write_sections(
        self,
        context: PlanningContext,
        fiscal_year: str,
        sections: tuple[str, ...],
        baseline: AccountPlanDocument,
        progress: ProgressCallback | None,
    ) -> SectionOutcome:
        if context.customer.id == self.customer_id:
            async with self.database.session() as session:
                await save_plan_version(session, baseline, author=PERSON, reason="my edit", kind="edited")
        return await super().write_sections(context, fiscal_year, sections, baseline, progress)


async def _run_with_a_person_saving(deps: AgentDeps, database: Database, customer_id: str) -> str:
    record = await start_run(
        deps, RunScope(offline=True, as_of=AS_OF), author="ops@example.com", surface="cli"
    )
    job = DrainJob(record.run_id, "FY2026", AS_OF, "ops@example.com", "cli", batch_size=ACCOUNTS)
    saved = await drain(deps, job, worker="w", writer=PersonSavesMeanwhile(database, customer_id))
    assert saved == ACCOUNTS - 1
    return record.run_id


async def _revisions(database: Database) -> dict[str, list[tuple[int, str]]]:
    async with database.session() as session:
        rows = await session.execute(
            select(AccountPlan.customer_id, PlanRevision.version, PlanRevision.author)
            .join(PlanRevision, PlanRevision.plan_id == AccountPlan.id)
            .order_by(PlanRevision.version)
        )
        found: dict[str, list[tuple[int, str]]] = {}
        for customer_id, version, author in rows.all():
            found.setdefault(customer_id, []).append((version, author))
        return found


async def _customers(database: Database) -> list[str]:
    async with database.session() as session:
        return list((await session.execute(select(Customer.id).order_by(Customer.id))).scalars())


async def _name(database: Database, customer_id: str) -> str:
    async with database.session() as session:
        return (await session.execute(select(Customer.name).where(Customer.id == customer_id))).scalar_one()


async def test_a_plan_created_while_the_run_drafts_it_is_kept_and_the_account_fails(seeded: Database) -> None:
    deps = agent_deps(seeded)
    customers = await _customers(seeded)
    raced = customers[2]

    run_id = await _run_with_a_person_saving(deps, seeded, raced)

    revisions = await _revisions(seeded)
    assert revisions[raced] == [(1, PERSON)]  # the person's plan, not overwritten
    assert all(revisions[c] == [(1, "ops@example.com")] for c in customers if c != raced)
    summary = await load_summary(deps, run_id, elapsed=0.0, drafted_now=ACCOUNTS - 1)
    assert (summary.run.drafted, summary.run.failed) == (ACCOUNTS - 1, 1)
    [group] = summary.failed_reasons
    assert group.reason == CHANGED_WHILE_DRAFTING and group.examples == [await _name(seeded, raced)]
    assert "run again" in group.reason


async def test_a_plan_revised_while_the_run_drafts_it_is_kept_and_the_account_fails(seeded: Database) -> None:
    deps = agent_deps(seeded)
    customers = await _customers(seeded)
    raced = customers[4]
    await _first_version(seeded, raced)

    run_id = await _run_with_a_person_saving(deps, seeded, raced)

    assert (await _revisions(seeded))[raced] == [(1, "ops@example.com"), (2, PERSON)]
    summary = await load_summary(deps, run_id, elapsed=0.0, drafted_now=ACCOUNTS - 1)
    [group] = summary.failed_reasons
    assert group.reason == CHANGED_WHILE_DRAFTING and group.examples == [await _name(seeded, raced)]


async def _first_version(database: Database, customer_id: str) -> AccountPlanDocument:
    async with database.session() as session:
        inputs = await load_generation_inputs(
            session, [customer_id], AS_OF, "FY2026", start_month=1, keep_edits=True
        )
        document = draft_plan(inputs[customer_id].context, "FY2026", start_month=1)
        saved = await save_plan_version(
            session, document, author="ops@example.com", reason="drafted", kind="generated"
        )
    return saved.document


async def test_expecting_no_plan_fails_the_flush_when_one_exists(seeded: Database) -> None:
    """`expected_version=0` inserts without looking; the unique key refuses a second plan."""
    customer_id = (await _customers(seeded))[0]
    first = await _first_version(seeded, customer_id)
    with pytest.raises(IntegrityError):
        async with seeded.session() as session:
            await save_plan_version(
                session, first, author="ops@example.com", reason="again", expected_version=0
            )
    assert (await _revisions(seeded))[customer_id] == [(1, "ops@example.com")]
