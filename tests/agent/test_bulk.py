"""Bulk runs on SQLite and PostgreSQL: scope and skip rules, every account drafted once (also by two
executors sharing a run, and after a crash), one account's failure recorded, the same content as a
single generation."""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, update

from agent.bulk import DrainJob, RunProgress, RunScope, drain, execute_run, find_active_run, start_run
from agent.bulk.scope import SKIP_APPROVED, SKIP_EDITED, SKIP_SUBMITTED
from agent.deps import AgentDeps
from agent.generate import GenerationRequest, draft_generation, generate_plan
from agent.regeneration import load_generation_inputs
from storage import draft_runs
from storage.db import Database
from storage.demo.portfolio import seed_demo_portfolio
from storage.errors import Conflict
from storage.models import AccountPlan, Customer, PlanRevision
from storage.plans import document_of, save_plan_version
from storage.settings import Settings
from storage.vocabulary import PlanStatus, RunItemState, RunState
from tests.conftest import agent_deps

AS_OF = date(2026, 2, 2)
ACCOUNTS = 12
SCOPE = RunScope(offline=True, as_of=AS_OF)


@pytest.fixture
async def seeded(any_db: Database) -> Database:
    await seed_demo_portfolio(any_db, accounts=ACCOUNTS, as_of=AS_OF)
    return any_db


async def customer_ids(db: Database) -> list[str]:
    async with db.session() as session:
        return list((await session.execute(select(Customer.id).order_by(Customer.id))).scalars())


async def versions(db: Database) -> dict[str, int]:
    """Customer id -> how many revisions its FY2026 plan has."""
    async with db.session() as session:
        rows = await session.execute(
            select(AccountPlan.customer_id, func.count(PlanRevision.id))
            .join(PlanRevision, PlanRevision.plan_id == AccountPlan.id)
            .where(AccountPlan.fiscal_year == "FY2026")
            .group_by(AccountPlan.customer_id)
        )
        return {customer: int(n) for customer, n in rows.all()}


async def test_a_run_drafts_every_account_once_with_the_single_generation_content(seeded: Database) -> None:
    deps = agent_deps(seeded)
    seen: list[RunProgress] = []

    async def progress(event: RunProgress) -> None:
        seen.append(event)

    record = await start_run(deps, SCOPE, author="ops@example.com", surface="cli")
    assert (record.state, record.total, record.skipped, record.scope["fiscal_year"]) == (
        "pending",
        ACCOUNTS,
        0,
        "FY2026",
    )
    summary = await execute_run(deps, record.run_id, workers=1, on_progress=progress, in_process=True)

    assert (summary.state, summary.run.drafted, summary.run.failed, summary.drafted_now) == (
        "finished",
        ACCOUNTS,
        0,
        ACCOUNTS,
    )
    assert await versions(seeded) == dict.fromkeys(await customer_ids(seeded), 1)
    assert seen[-1].pending == 0 and seen[-1].drafted == ACCOUNTS
    async with seeded.session() as session:
        items = await draft_runs.list_items(session, record.run_id)
        plan = (
            await session.execute(select(AccountPlan).where(AccountPlan.customer_id == items[0].customer_id))
        ).scalar_one()
        bulk_document = document_of(plan)
    assert {(i.state, i.version) for i in items} == {(RunItemState.DRAFTED, 1)}
    # The same content as one `generate` of that account (the next version, same inputs).
    single = await generate_plan(
        deps,
        GenerationRequest(customer=plan.customer_id, as_of=AS_OF, author="ops@example.com", offline=True),
    )
    strip = {"plan_id", "version", "generation_context"}
    assert single.document.model_dump(exclude=strip) == bulk_document.model_dump(exclude=strip)
    context = dict(bulk_document.generation_context)
    assert context["provenance"] and context["review"] and context["drafter"] == "offline"


async def test_plans_people_approved_submitted_or_edited_are_skipped_unless_asked(seeded: Database) -> None:
    deps = agent_deps(seeded)
    ids = await customer_ids(seeded)
    for customer_id in ids[:4]:
        await generate_plan(deps, GenerationRequest(customer=customer_id, as_of=AS_OF, offline=True))
    async with seeded.session() as session:
        await session.execute(
            update(AccountPlan)
            .where(AccountPlan.customer_id == ids[0])
            .values(status=PlanStatus.APPROVED, approved_version=1)
        )
        await session.execute(
            update(AccountPlan)
            .where(AccountPlan.customer_id == ids[1])
            .values(status=PlanStatus.PENDING_REVIEW, submitted_version=1)
        )
        plan = (
            await session.execute(select(AccountPlan).where(AccountPlan.customer_id == ids[2]))
        ).scalar_one()
        edited = document_of(plan).model_copy(update={"executive_summary": "Rewritten by Ana."})
        await save_plan_version(
            session, edited, author="ana@example.com", reason="edited summary", kind="edited"
        )

    record = await start_run(deps, SCOPE, author="cli", surface="cli")
    summary = await execute_run(deps, record.run_id, workers=1, in_process=True)
    assert (summary.run.drafted, summary.run.skipped) == (ACCOUNTS - 3, 3)
    assert sorted((g.reason, g.count) for g in summary.skipped_reasons) == sorted(
        [(SKIP_APPROVED, 1), (SKIP_SUBMITTED, 1), (SKIP_EDITED, 1)]
    )
    assert all(g.examples for g in summary.skipped_reasons)

    everything = await start_run(
        deps, RunScope(offline=True, as_of=AS_OF, include_edited=True), author="cli", surface="cli"
    )
    assert (everything.total, everything.skipped) == (ACCOUNTS, 0)
    missing = await start_run(
        deps,
        RunScope(offline=True, as_of=AS_OF, missing_only=True, csm="nobody@example.com"),
        author="cli",
        surface="cli",
    )
    assert missing.total == 0


async def test_one_accounts_failure_is_recorded_and_the_run_goes_on(seeded: Database) -> None:
    deps = agent_deps(seeded)
    record = await start_run(deps, SCOPE, author="cli", surface="cli")
    gone = (await customer_ids(seeded))[3]
    async with seeded.session() as session:  # deleted after the run was planned
        await session.execute(delete(Customer).where(Customer.id == gone))

    summary = await execute_run(deps, record.run_id, workers=1, in_process=True)

    assert (summary.state, summary.run.drafted, summary.run.failed) == ("finished", ACCOUNTS - 1, 1)
    [group] = summary.failed_reasons
    assert group.count == 1 and gone in group.reason and group.examples == [gone]


async def test_a_crashed_run_resumes_with_only_what_is_left(seeded: Database) -> None:
    """Simulated kill -9: some accounts drafted, some claimed by a dead process on this host, one
    claimed elsewhere with an expired lease, the rest pending: resuming drafts each remaining
    account once and none twice."""
    deps = agent_deps(seeded)
    record = await start_run(deps, SCOPE, author="cli", surface="cli")
    run_id = record.run_id
    now = datetime.now(UTC)
    job = DrainJob(run_id, "FY2026", AS_OF, "cli", "cli", batch_size=5)
    await drain(deps, job, worker="first", keep_going=iter([True, False]).__next__)
    dead = f"{socket.gethostname()}:999999999"
    await draft_runs.claim_items(seeded, run_id, worker=dead, now=now, limit=3)
    await draft_runs.claim_items(seeded, run_id, worker="elsewhere:1", now=now - timedelta(hours=1), limit=2)
    async with seeded.session() as session:
        assert (await draft_runs.run_counts(session, run_id)).drafted == 5

    summary = await execute_run(deps, run_id, workers=1, in_process=True)

    assert (summary.state, summary.run.drafted, summary.drafted_now) == ("finished", ACCOUNTS, ACCOUNTS - 5)
    assert await versions(seeded) == dict.fromkeys(await customer_ids(seeded), 1)


async def test_two_executors_with_their_own_engines_share_one_run(seeded: Database) -> None:
    other = Database(seeded.url, **seeded.engine_kwargs)
    try:
        first, second = agent_deps(seeded), agent_deps(other)
        record = await start_run(first, SCOPE, author="cli", surface="cli")
        a, b = await asyncio.gather(
            execute_run(first, record.run_id, workers=1, in_process=True),
            execute_run(second, record.run_id, workers=1, in_process=True),
        )
    finally:
        await other.dispose()
    assert a.drafted_now + b.drafted_now == ACCOUNTS
    assert {a.state, b.state} == {"finished"}
    assert await versions(seeded) == dict.fromkeys(await customer_ids(seeded), 1)


async def test_one_active_run_per_book(seeded: Database) -> None:
    deps = agent_deps(seeded)
    async with seeded.session() as session:
        csm = (
            await session.execute(select(Customer.csm_email).where(Customer.csm_email.is_not(None)).limit(1))
        ).scalar_one()
        book = (await session.execute(select(func.count()).where(Customer.csm_email == csm))).scalar_one()
    assert csm is not None
    scope = RunScope(offline=True, as_of=AS_OF, csm=csm.upper())
    record = await start_run(deps, scope, author="cli", surface="slack")
    assert record.total == book
    active = await find_active_run(deps, RunScope(csm=csm).scope_key)
    assert active is not None and active.run_id == record.run_id
    with pytest.raises(Conflict, match=record.run_id):
        await start_run(deps, scope, author="cli", surface="slack")
    await execute_run(deps, record.run_id, workers=1, in_process=True)
    assert await find_active_run(deps, scope.scope_key) is None
    async with deps.database.session() as session:
        assert (await draft_runs.get_run(session, record.run_id)).state == RunState.FINISHED


async def test_claude_mode_drafts_through_the_interactive_writer_and_records_usage(db: Database) -> None:
    from tests.agent.test_claude_generate import draft_echo
    from tests.fakes.anthropic_api import FakeAnthropic
    from tests.fakes.plan_samples import CUSTOMER_ID, seed_customer

    await seed_customer(db)
    async with FakeAnthropic(draft_echo) as fake:
        settings = Settings(ANTHROPIC_API_KEY="sk-test", ANTHROPIC_BASE_URL=fake.url, ANTHROPIC_MAX_RETRIES=1)
        deps = AgentDeps.create(settings, db)
        try:
            record = await start_run(
                deps, RunScope(fiscal_year="FY2026", as_of=date(2026, 1, 2)), author="cli", surface="cli"
            )
            assert record.mode == "claude"
            summary = await execute_run(deps, record.run_id, workers=2)
        finally:
            await deps.close()
    assert (summary.state, summary.run.drafted) == ("finished", 1)
    async with db.session() as session:
        [item] = await draft_runs.list_items(session, record.run_id)
        plan = await session.get(AccountPlan, item.plan_id)
    assert item.customer_id == CUSTOMER_ID and item.usage and item.usage["calls"] == len(fake.calls)
    assert plan is not None and plan.document["executive_summary"].startswith("Claude's sharper summary: ")


async def test_a_batch_read_in_set_queries_drafts_exactly_what_each_account_reads_alone(seeded: Database) -> None:
    deps = agent_deps(seeded)
    ids = await customer_ids(seeded)
    # One account has a saved plan a person edited: its stored version and edits come with the batch too.
    first = await generate_plan(deps, GenerationRequest(customer=ids[0], as_of=AS_OF, offline=True))
    edited = first.document.model_copy(update={"executive_summary": "Renewal first; expansion after."})
    async with seeded.session() as session:
        await save_plan_version(session, edited, author="csm@example.com", reason="edit", kind="edited")
        inputs = await load_generation_inputs(
            session, [*ids, "nobody"], AS_OF, "FY2026", start_month=1, keep_edits=True
        )
    assert list(inputs) == ids
    for customer_id in ids:
        request = GenerationRequest(customer=customer_id, as_of=AS_OF, offline=True)
        alone = await draft_generation(deps, request, customer_id)
        batched = await draft_generation(deps, request, customer_id, inputs=inputs[customer_id])
        assert batched.document.model_dump(mode="json") == alone.document.model_dump(mode="json")
        assert (batched.reason, batched.kept, batched.stored_version) == (alone.reason, alone.kept, alone.stored_version)
    assert inputs[ids[0]].stored is not None and inputs[ids[1]].stored is None
