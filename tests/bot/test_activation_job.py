"""The scheduler's daily activation job: approved plans become active when their fiscal year starts."""

from __future__ import annotations

from datetime import UTC, datetime

from slack_sdk.models.blocks import Block

from bot.scheduler.jobs import LivingPlansJobs
from storage.db import Database
from storage.plans import get_plan
from tests.fakes.review_org import CARL, MAYA, seed_org
from tools.plans.lifecycle import approve, submit_for_approval


class NoMessages:
    """The activation job sends nothing; any DM would be a bug."""

    async def dm(self, email: str, text: str, blocks: list[Block]) -> bool:
        raise AssertionError(f"unexpected DM to {email}: {text}")


async def test_activation_job_runs_once_per_day_across_replicas(db: Database) -> None:
    org = await seed_org(db)
    async with db.session() as session:
        await submit_for_approval(session, org.plan_id, actor=CARL, surface="slack")
        await approve(session, org.plan_id, actor=MAYA, surface="slack")

    before = await LivingPlansJobs(db, NoMessages(), worker="a").run_due(
        datetime(2025, 12, 31, 23, 0, tzinfo=UTC), ("activation",)
    )
    assert before.ran == ["activation:2025-12-31"] and before.sent == {"activated": 0}

    new_year = datetime(2026, 1, 1, 0, 5, tzinfo=UTC)
    first = await LivingPlansJobs(db, NoMessages(), worker="a").run_due(new_year, ("activation",))
    second = await LivingPlansJobs(db, NoMessages(), worker="b").run_due(new_year, ("activation",))
    assert first.sent == {"activated": 1} and second.ran == []
    async with db.session() as session:
        plan = await get_plan(session, org.plan_id)
        assert (plan.status, plan.approved_version) == ("active", 1)
