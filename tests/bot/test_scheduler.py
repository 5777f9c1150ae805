"""The living-plans scheduler: time travel through a quarter (digests, completion, QBR and renewal
reminders on the right days), change proposals once, three replicas on PostgreSQL sending each
message exactly once, restarts in the middle of a run, catch-up of a missed run, APScheduler wiring.

Messages go through the real slack_sdk client to the fake Slack Web API on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import update

from agent.deps import AgentDeps
from bot.scheduler import LivingPlansScheduler, start_scheduler, triggers
from bot.scheduler.jobs import LivingPlansJobs, Schedule
from bot.scheduler.notify import SlackNotifier
from bot.slack.blocks.living import ACTION_DONE, parse_action_value
from bot.slack.deps import SlackDeps
from storage.db import Database
from storage.job_claims import claim
from storage.models import Customer, utcnow
from storage.settings import Settings
from tests.conftest import _truncate, agent_deps, postgres_database
from tests.fakes.slack_api import FakeSlackApi, RecordedCall
from tests.tools.living.living_data import add_approved_plan, add_customer, add_user, plan_document
from tools.living.actions import mark_action_done, snooze_action

ANA = ("ana@example.com", "U0ANA001")
BO = ("bo@example.com", "U0BO0001")


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlackApi]:
    fake = FakeSlackApi()
    await fake.start()
    yield fake
    await fake.stop()


def client_for(fake: FakeSlackApi) -> AsyncWebClient:
    return AsyncWebClient(token="xoxb-test", base_url=fake.base_url)


def jobs_for(database: Database, fake: FakeSlackApi, worker: str = "w1") -> LivingPlansJobs:
    return LivingPlansJobs(
        database, SlackNotifier(client_for(fake), database), worker=worker, schedule=Schedule()
    )


async def book(database: Database) -> str:
    """Ana's Acme plan (actions due Jan 7, 14, ... Feb 11; QBR Mar 20; renewal May 15) and Bo's
    Globex plan (QBR Mar 27, no renewal)."""
    for email, slack_id in (ANA, BO):
        await add_user(database, email, slack_id)
    await add_customer(database, "c1", "Acme", csm=ANA[0], renewal=date(2026, 5, 15))
    await add_customer(database, "c2", "Globex", csm=BO[0])
    recorded = {"as_of": "2026-01-01", "inputs": {"health_score": 70, "feature_utilization": 50.0}}
    plan_id = await add_approved_plan(database, plan_document("c1", "Acme", generation_context=recorded))
    globex = plan_document(
        "c2",
        "Globex",
        generation_context=recorded,
        qbr_dates=[date(2026, 3, 27), date(2026, 6, 26), date(2026, 9, 25), date(2026, 12, 18)],
    )
    await add_approved_plan(
        database, globex.model_copy(update={"action_plan_90day": globex.action_plan_90day[:1]})
    )
    return plan_id


def header(call: RecordedCall) -> str:
    return str(call.params["blocks"][0]["text"]["text"])


def posts(fake: FakeSlackApi, to: str | None = None) -> list[RecordedCall]:
    return [c for c in fake.calls_to("chat.postMessage") if to is None or c.params["channel"] == to]


async def test_a_quarter_of_digests_reminders_and_completion(db: Database, fake_slack: FakeSlackApi) -> None:
    plan_id = await book(db)
    jobs = jobs_for(db, fake_slack)
    digests: dict[date, list[str]] = {}
    sent_on: dict[str, list[date]] = {}
    start = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)  # the first Monday of the fiscal year
    for day in range(86):
        now = start + timedelta(days=day)
        seen = len(fake_slack.calls)
        await jobs.run_due(now, ("digest", "reminders"))
        for call in fake_slack.calls[seen:]:
            sent_on.setdefault(header(call), []).append(now.date())
            if call.params["channel"] != ANA[1] or header(call) != "Your plan actions this week":
                continue
            values = [
                element["value"]
                for block in call.params["blocks"]
                if block["type"] == "actions"
                for element in block["elements"]
                if element["action_id"] == ACTION_DONE
            ]
            digests[now.date()] = [
                call.params["blocks"][i]["text"]["text"] for i in range(2, 2 + 2 * len(values), 2)
            ]
            # Ana works through her digest: done, except week 3 which she snoozes once.
            async with db.session() as session:
                for value in values:
                    target_plan, index, fingerprint = parse_action_value(value)
                    if index == 2 and now.date() < date(2026, 2, 1):
                        await snooze_action(
                            session,
                            target_plan,
                            index,
                            actor=ANA[0],
                            as_of=now.date(),
                            days=14,
                            action_text=fingerprint,
                        )
                    else:
                        await mark_action_done(
                            session, target_plan, index, actor=ANA[0], action_text=fingerprint
                        )

    # Mondays only, and nothing once everything is done (the last action was due Feb 11).
    assert all(day.weekday() == 0 for day in digests)
    assert sorted(digests) == [
        date(2026, 1, 5),
        date(2026, 1, 12),
        date(2026, 1, 19),
        date(2026, 1, 26),
        date(2026, 2, 2),
        date(2026, 2, 9),
    ]
    assert "Acme action week 1" in digests[date(2026, 1, 5)][0]
    # Week 3 was snoozed on Jan 19 to Feb 4 and came back on Feb 2.
    assert any("week 3" in text for text in digests[date(2026, 2, 2)])
    async with db.session() as session:
        from tools.living.actions import due_actions

        assert await due_actions(session, date(2026, 3, 31), csm_email=ANA[0]) == []

    # Each reminder once, on the day it is due: QBR Mar 20 - 14 days; renewal May 15 - 90 / 60 days.
    assert sent_on["QBR in 14 days: Acme"] == [date(2026, 3, 6)]
    assert sent_on["QBR in 14 days: Globex"] == [date(2026, 3, 13)]
    assert sent_on["Renewal in 90 days: Acme"] == [date(2026, 2, 14)]
    assert sent_on["Renewal in 60 days: Acme"] == [date(2026, 3, 16)]
    assert "Renewal in 30 days: Acme" not in sent_on  # Apr 15 is after the quarter
    qbr = next(c for c in posts(fake_slack, ANA[1]) if header(c).startswith("QBR"))
    assert "Objectives" in str(qbr.params["blocks"]) and "Wins to celebrate" in str(qbr.params["blocks"])
    assert [header(c) for c in posts(fake_slack, BO[1]) if header(c).startswith("QBR")] == [
        "QBR in 14 days: Globex"
    ]
    reminder_days = {c.params["text"] for c in posts(fake_slack, ANA[1]) if "renews" in c.params["text"]}
    assert len(reminder_days) == 2
    assert plan_id


async def test_change_detection_proposes_once_with_accept_and_dismiss_buttons(
    db: Database, fake_slack: FakeSlackApi
) -> None:
    await book(db)
    async with db.session() as session:
        await session.execute(update(Customer).where(Customer.id == "c1").values(health_score=55))
    jobs = jobs_for(db, fake_slack)
    now = datetime(2026, 2, 3, 10, 0, tzinfo=UTC)
    for hour in range(5):
        await jobs.run_due(now + timedelta(hours=hour), ("changes", "proposals"))
    proposals = [c for c in posts(fake_slack, ANA[1]) if "the account changed" in header(c)]
    assert len(proposals) == 1
    blocks = str(proposals[0].params["blocks"])
    assert "Health score fell 15 points, from 70 to 55" in blocks
    assert "living_proposal_accept" in blocks and "living_proposal_dismiss" in blocks


async def test_an_import_triggers_a_check_within_the_minute(db: Database, fake_slack: FakeSlackApi) -> None:
    await book(db)
    jobs = jobs_for(db, fake_slack)
    now = datetime(2026, 2, 3, 10, 5, tzinfo=UTC)
    await jobs.run_due(now, ("proposals",))
    assert posts(fake_slack) == []
    async with db.session() as session:  # what an import does: rows change, updated_at moves on
        await session.execute(
            update(Customer)
            .where(Customer.id == "c1")
            .values(health_score=50, updated_at=utcnow() + timedelta(seconds=1))
        )
    await jobs.run_due(now + timedelta(minutes=1), ("proposals",))
    assert len([c for c in posts(fake_slack, ANA[1]) if "the account changed" in header(c)]) == 1


async def test_missed_digest_is_caught_up_once(db: Database, fake_slack: FakeSlackApi) -> None:
    await book(db)
    tuesday = datetime(2026, 1, 13, 8, 0, tzinfo=UTC)  # every replica was down Monday 09:00
    first = await jobs_for(db, fake_slack, "a").run_due(tuesday, ("digest",))
    second = await jobs_for(db, fake_slack, "b").run_due(tuesday + timedelta(minutes=3), ("digest",))
    assert first.sent == {"digest": 2} and first.ran == ["digest:2026-01-12"]  # Ana's and Bo's
    assert second.sent == {} and second.ran == []
    assert len(posts(fake_slack, ANA[1])) == 1 and len(posts(fake_slack, BO[1])) == 1


class BlockingNotifier:
    """Delegates to the real Slack notifier but stops before the n-th message until released
    (or until the process 'restarts', i.e. the task is cancelled)."""

    def __init__(self, inner: SlackNotifier, stop_before: int) -> None:
        self.inner = inner
        self.stop_before = stop_before
        self.count = 0
        self.reached = asyncio.Event()

    async def dm(self, email: str, text: str, blocks: list[Block]) -> bool:
        self.count += 1
        if self.count == self.stop_before:
            self.reached.set()
            await asyncio.Event().wait()  # never released: the process goes down here
        return await self.inner.dm(email, text, blocks)


async def test_restart_in_the_middle_of_a_run_sends_the_rest_once(
    db: Database, fake_slack: FakeSlackApi
) -> None:
    await book(db)
    now = datetime(2026, 3, 6, 10, 0, tzinfo=UTC)  # Acme's QBR reminder; Mar 16: renewal too
    blocking = BlockingNotifier(SlackNotifier(client_for(fake_slack), db), stop_before=2)
    first = LivingPlansJobs(db, blocking, worker="before-restart")
    run = asyncio.create_task(first.run_due(now + timedelta(days=10), ("reminders",)))
    await asyncio.wait_for(blocking.reached.wait(), 5)
    run.cancel()  # SIGTERM: the run stops mid-way
    with pytest.raises(asyncio.CancelledError):
        await run
    assert len(posts(fake_slack)) == 1

    restarted = await jobs_for(db, fake_slack, "after-restart").run_due(
        now + timedelta(days=10, minutes=1), ("reminders",)
    )
    texts = sorted(c.params["text"] for c in posts(fake_slack))
    assert len(texts) == len(set(texts)) == 3  # Acme QBR, Acme renewal, Globex QBR: each once
    assert sum(restarted.sent.values()) == 2


async def test_a_crashed_replica_s_claims_are_taken_over_after_the_lease(
    db: Database, fake_slack: FakeSlackApi
) -> None:
    await book(db)
    now = datetime(2026, 1, 12, 9, 30, tzinfo=UTC)
    # A replica claimed Monday's digest run and Ana's digest, then died without finishing.
    assert await claim(db, "run:digest:2026-01-12", worker="dead", now=now, lease=timedelta(minutes=15))
    assert await claim(db, f"digest:2026-01-12:{ANA[0]}", worker="dead", now=now, lease=timedelta(minutes=5))
    live = jobs_for(db, fake_slack, "live")
    assert (await live.run_due(now + timedelta(minutes=1), ("digest",))).ran == []  # lease still held
    report = await live.run_due(now + timedelta(minutes=20), ("digest",))
    assert report.ran == ["digest:2026-01-12"] and report.sent == {"digest": 2}
    assert len(posts(fake_slack, ANA[1])) == 1
    assert (await live.run_due(now + timedelta(minutes=40), ("digest",))).ran == []


@pytest.fixture
async def postgres(postgres_schema: str) -> AsyncIterator[str]:
    database = postgres_database(postgres_schema)
    await _truncate(database)
    await database.dispose()
    yield postgres_schema


async def test_three_replicas_on_postgresql_send_each_message_exactly_once(
    postgres: str, fake_slack: FakeSlackApi
) -> None:
    # Three "processes": each its own engine (connection pool), Slack client, worker name and
    # scheduler, all reading one travelling clock; their minute ticks fire at the same moment.
    replicas = [postgres_database(postgres) for _ in range(3)]
    clock = {"now": datetime(2026, 1, 5, 10, 0, tzinfo=UTC)}
    try:
        await book(replicas[0])
        async with replicas[0].session() as session:
            await session.execute(update(Customer).where(Customer.id == "c2").values(health_score=40))
        schedulers = [
            LivingPlansScheduler(jobs_for(database, fake_slack, f"replica-{n}"), clock=lambda: clock["now"])
            for n, database in enumerate(replicas)
        ]
        start = clock["now"]
        # Every Monday and the reminder days, each visited twice by all three replicas at once.
        days = {start + timedelta(days=7 * week) for week in range(11)}
        days |= {datetime(2026, m, d, 10, 0, tzinfo=UTC) for m, d in ((2, 14), (3, 6), (3, 13), (3, 16))}
        for now in sorted(days):
            for repeat in range(2):
                clock["now"] = now + timedelta(minutes=repeat)
                reports = await asyncio.gather(*(s.tick() for s in schedulers))
                assert all(r is not None and not r.failed for r in reports)
    finally:
        for database in replicas:
            await database.dispose()
    texts = [(c.params["channel"], c.params["text"]) for c in posts(fake_slack)]
    assert len(texts) == len(set(texts))
    ana = [t for ch, t in texts if ch == ANA[1]]
    bo = [t for ch, t in texts if ch == BO[1]]
    assert sum("QBR with Acme" in t for t in ana) == 1
    assert sum("renews in 90 days" in t for t in ana) == 1 and sum("renews in 60 days" in t for t in ana) == 1
    assert sum("Globex changed" in t for t in bo) == 1
    # Nobody marks anything done here, so every Monday brings each CSM one digest, never two.
    assert sum("due this week" in t for t in ana) == 11 and sum("due this week" in t for t in bo) == 11


def test_schedule_settings_are_read_the_way_people_write_them() -> None:
    from bot.scheduler import schedule_from_settings
    from storage.errors import BadInput

    assert schedule_from_settings(Settings(DIGEST_WEEKDAY="Wednesday", DIGEST_HOUR=7)).digest_weekday == "wed"
    with pytest.raises(BadInput, match="DIGEST_WEEKDAY"):
        schedule_from_settings(Settings(DIGEST_WEEKDAY="someday"))
    with pytest.raises(BadInput, match="ACCOUNTPLAN_TIMEZONE"):
        schedule_from_settings(Settings(ACCOUNTPLAN_TIMEZONE="Mars/Olympus"))


async def test_scheduler_triggers_come_from_settings(db: Database) -> None:
    schedule = Schedule(digest_weekday="wed", digest_hour=14, timezone="Europe/Paris")
    built = triggers(schedule)
    after = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)  # a Monday
    digest = built["digest"].get_next_fire_time(None, after)
    assert digest is not None and (digest.weekday(), digest.hour, str(digest.tzinfo)) == (
        2,
        14,
        "Europe/Paris",
    )
    reminders = built["reminders"].get_next_fire_time(None, after)
    assert reminders is not None and reminders.date() == date(2026, 1, 6) and reminders.hour == 9
    hourly = built["changes"].get_next_fire_time(None, after + timedelta(minutes=30))
    assert hourly is not None and hourly.astimezone(UTC) == datetime(2026, 1, 5, 13, 0, tzinfo=UTC)
    assert schedule.slot("digest", datetime(2026, 1, 7, 12, 0, tzinfo=UTC)) == "2025-12-31"
    assert schedule.slot("digest", datetime(2026, 1, 7, 13, 0, tzinfo=UTC)) == "2026-01-07"


async def test_start_scheduler_runs_the_catch_up_and_schedules_the_jobs(
    db: Database, fake_slack: FakeSlackApi
) -> None:
    await book(db)
    settings = Settings(
        SLACK_BOT_TOKEN="xoxb-test", SLACK_API_URL=fake_slack.base_url, DIGEST_WEEKDAY="mon", DIGEST_HOUR=9
    )
    now = datetime(2026, 1, 12, 11, 0, tzinfo=UTC)
    deps = SlackDeps(AgentDeps(settings=settings, database=db, clock=lambda: now))
    scheduler: LivingPlansScheduler = start_scheduler(deps, worker="serve-1")
    try:
        [digest] = await fake_slack.wait_for(
            "chat.postMessage", lambda c: "due this week" in c.params["text"]
        )
        assert digest.params["channel"] == ANA[1]
        jobs = scheduler.next_run_times()
        assert {"living:digest", "living:reminders", "living:changes", "living:proposals"} <= set(jobs)
        assert "bulk:join-runs" in jobs  # every replica helps draft bulk runs (agent.bulk.replicas)
        assert jobs["living:digest"].weekday() == 0 and jobs["living:digest"].hour == 9
    finally:
        scheduler.shutdown()


async def test_production_drafter_redrafts_the_touched_sections_and_keeps_action_history(
    db: Database,
) -> None:
    from bot.scheduler.drafting import affected_sections, agent_drafter
    from storage.models import RiskSignal
    from tests.tools.living.living_data import add_rows
    from tools.living.change_detection import propose_revisions

    plan_id = await book(db)
    async with db.session() as session:
        await mark_action_done(session, plan_id, 0, actor=ANA[0])
    async with db.session() as session:
        await session.execute(update(Customer).where(Customer.id == "c1").values(health_score=45))
    await add_rows(
        db,
        RiskSignal(
            id="r9",
            customer_id="c1",
            type="competitor",
            severity="critical",
            description="Competitor pilot in the EMEA team",
            detected_at=date(2026, 2, 1),
            status="active",
        ),
    )
    [proposal] = await propose_revisions(
        db,
        now=datetime(2026, 2, 3, 10, 0, tzinfo=UTC),
        drafter=agent_drafter(agent_deps(db)),
        customer_ids=["c1"],
    )
    assert affected_sections(proposal.reasons) == ("risk_mitigation",)
    async with db.session() as session:
        from storage.models import PlanProposal

        stored = await session.get(PlanProposal, proposal.id)
    assert stored is not None
    document = stored.proposed_document
    assert document["generation_context"]["redrafted_sections"] == ["risk_mitigation"]
    risks = " ".join(r["risk"] for r in document["risk_mitigation"]["identified_risks"])
    assert "Health score fell 25 points" in risks
    assert document["action_plan_90day"][0]["status"] == "done"  # history survives the redraft
    assert document["strategic_objectives"][0]["objective"] == "Objective number 1 for Acme"  # untouched


async def test_slack_failures_leave_the_run_open_and_the_next_tick_sends_only_the_rest(
    db: Database, fake_slack: FakeSlackApi
) -> None:
    await book(db)
    jobs = jobs_for(db, fake_slack)
    now = datetime(2026, 1, 12, 9, 30, tzinfo=UTC)
    fake_slack.fail_next("chat.postMessage", "internal_error")  # Ana's digest (sorted first) fails
    first = await jobs.run_due(now, ("digest",))
    assert first.failed == ["digest:2026-01-12"] and first.sent == {"digest": 1}  # Bo's went out
    second = await jobs.run_due(now + timedelta(minutes=1), ("digest",))
    assert second.ran == ["digest:2026-01-12"] and second.sent == {"digest": 1}
    assert len(posts(fake_slack, ANA[1])) == 2 and len(posts(fake_slack, BO[1])) == 1  # 1 refused + 1 sent
    third = await jobs.run_due(now + timedelta(minutes=2), ("digest",))
    assert third.ran == [] and third.sent == {}


async def test_a_person_slack_cannot_reach_is_not_retried_forever(
    db: Database, fake_slack: FakeSlackApi
) -> None:
    await book(db)
    jobs = jobs_for(db, fake_slack)
    now = datetime(2026, 1, 12, 9, 30, tzinfo=UTC)
    fake_slack.fail_next("chat.postMessage", "account_inactive")
    report = await jobs.run_due(now, ("digest",))
    assert report.failed == [] and report.ran == ["digest:2026-01-12"]
    assert (await jobs.run_due(now + timedelta(minutes=1), ("digest",))).ran == []
