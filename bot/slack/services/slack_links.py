"""Where a plan's summary lives in Slack (channel, ts), so later changes edit that message."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select, update

from storage.db import Database
from storage.models import AccountPlan


@dataclass(frozen=True)
class PlanMessage:
    plan_id: str
    channel: str
    ts: str
    thread_ts: str | None = None  # the thread the summary was posted in (Assistant pane, DM thread)

    @property
    def thread_root(self) -> str:
        """Where replies about the plan go: its own thread, or the thread it was posted in."""
        return self.thread_ts or self.ts


async def link_plan_message(
    database: Database, plan_id: str, channel: str, ts: str, thread_ts: str | None = None
) -> None:
    """Remember (channel, ts) as the plan's summary message (the newest one posted wins), and the
    thread it was posted in, if any."""
    async with database.session() as session:
        await session.execute(
            update(AccountPlan)
            .where(AccountPlan.id == plan_id)
            .values(slack_channel=channel, slack_ts=ts, slack_thread_ts=thread_ts)
            .execution_options(synchronize_session=False)
        )


async def plan_message(database: Database, plan_id: str) -> PlanMessage | None:
    async with database.session() as session:
        row = (
            await session.execute(
                select(AccountPlan.slack_channel, AccountPlan.slack_ts, AccountPlan.slack_thread_ts).where(
                    AccountPlan.id == plan_id
                )
            )
        ).one_or_none()
    if row is None or not row.slack_channel or not row.slack_ts:
        return None
    return PlanMessage(
        plan_id=plan_id, channel=row.slack_channel, ts=row.slack_ts, thread_ts=row.slack_thread_ts or None
    )


async def plan_at_message(database: Database, channel: str, ts: str) -> str | None:
    """The plan a thread rooted at (channel, ts) is about: the plan whose summary is that message,
    or the plan most recently posted inside that thread (an Assistant-pane conversation)."""
    async with database.session() as session:
        return (
            await session.execute(
                select(AccountPlan.id)
                .where(
                    AccountPlan.slack_channel == channel,
                    or_(AccountPlan.slack_ts == ts, AccountPlan.slack_thread_ts == ts),
                )
                # The summary itself wins over a plan merely posted in the thread.
                .order_by((AccountPlan.slack_ts == ts).desc(), AccountPlan.updated_at.desc())
                .limit(1)
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
