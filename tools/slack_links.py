"""Where a plan's summary lives in Slack (channel, ts), so later changes edit that message."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from storage.db import Database
from storage.models import AccountPlan


@dataclass(frozen=True)
class PlanMessage:
    plan_id: str
    channel: str
    ts: str


async def link_plan_message(database: Database, plan_id: str, channel: str, ts: str) -> None:
    """Remember (channel, ts) as the plan's summary message (the newest one posted wins)."""
    async with database.session() as session:
        await session.execute(
            update(AccountPlan)
            .where(AccountPlan.id == plan_id)
            .values(slack_channel=channel, slack_ts=ts)
            .execution_options(synchronize_session=False)
        )


async def plan_message(database: Database, plan_id: str) -> PlanMessage | None:
    async with database.session() as session:
        row = (
            await session.execute(
                select(AccountPlan.slack_channel, AccountPlan.slack_ts).where(AccountPlan.id == plan_id)
            )
        ).one_or_none()
    if row is None or not row.slack_channel or not row.slack_ts:
        return None
    return PlanMessage(plan_id=plan_id, channel=row.slack_channel, ts=row.slack_ts)


async def plan_at_message(database: Database, channel: str, ts: str) -> str | None:
    """The plan whose summary message is (channel, ts): a thread under it is about that plan."""
    async with database.session() as session:
        return (
            await session.execute(
                select(AccountPlan.id).where(AccountPlan.slack_channel == channel, AccountPlan.slack_ts == ts)
            )
        ).scalar_one_or_none()


async def latest_plan_in_channel(database: Database, channel: str) -> str | None:
    """The plan most recently updated among those whose summary was posted in `channel`."""
    async with database.session() as session:
        return (
            await session.execute(
                select(AccountPlan.id)
                .where(AccountPlan.slack_channel == channel)
                .order_by(AccountPlan.updated_at.desc())
                .limit(1)
            )
        ).scalar_one_or_none()
