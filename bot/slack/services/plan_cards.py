"""What a plan's card shows besides the plan itself: today's account facts (health and its trend,
renewal date), the people around it (CSM, who asked for the draft, the reviewer and their last
comment), each read in one short transaction. People carry their Slack id only when it is stored,
so building a card never waits for a directory lookup."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.charts.inputs import ChartInputs, chart_inputs
from storage.db import Database
from storage.models import AccountPlan, AuditEvent, Customer, HealthScore
from storage.plan_document import AccountPlanDocument
from storage.plans import document_of, get_plan
from storage.users import find_user
from tools.living.progress import ObjectiveProgress, document_progress

TREND_DAYS = 90
# A trend needs a baseline near 90 days back; one far older says nothing about the last quarter.
OLDEST_BASELINE_DAYS = 150
SENT_BACK = ("changes_requested", "rejected")


@dataclass(frozen=True)
class Person:
    name: str
    slack_id: str | None = None


@dataclass(frozen=True)
class ReviewerNote:
    """The reviewer's comment on a plan sent back (changes requested or rejected)."""

    action: str
    reviewer: Person
    comment: str


@dataclass(frozen=True)
class AccountFacts:
    today: date
    health_score: int | None = None
    health_change_90d: int | None = None
    renewal_date: date | None = None
    arr: float | None = None
    csm: Person | None = None
    requested_by: Person | None = None
    sent_back: ReviewerNote | None = None
    approved_by: Person | None = None  # who approved the version in force


async def person(session: AsyncSession, email: str | None) -> Person | None:
    """A user by email as a Person (their name; the email's local part when not a user)."""
    if not email or "@" not in email:
        return None
    user = await find_user(session, email)
    if user is None:
        return Person(name=email.split("@")[0])
    return Person(name=user.name or email.split("@")[0], slack_id=user.slack_user_id)


async def health_change(session: AsyncSession, customer_id: str, today: date) -> int | None:
    """Points gained or lost over about 90 days (None without a usable baseline)."""
    rows = (
        await session.execute(
            select(HealthScore.date, HealthScore.score)
            .where(
                HealthScore.customer_id == customer_id,
                HealthScore.date >= today - timedelta(days=OLDEST_BASELINE_DAYS),
                HealthScore.date <= today,
            )
            .order_by(HealthScore.date)
        )
    ).all()
    if len(rows) < 2:
        return None
    latest_day, latest = rows[-1]
    target = latest_day - timedelta(days=TREND_DAYS)
    before = [row for row in rows if row[0] <= target] or [rows[0]]
    baseline_day, baseline = before[-1]
    if (latest_day - baseline_day).days < TREND_DAYS // 2:
        return None
    return int(latest) - int(baseline)


async def sent_back_note(session: AsyncSession, plan: AccountPlan) -> ReviewerNote | None:
    """The reviewer's comment when the plan was sent back and not yet reworked."""
    if plan.status not in SENT_BACK:
        return None
    event = (
        await session.execute(
            select(AuditEvent)
            .where(AuditEvent.plan_id == plan.id, AuditEvent.action.in_(SENT_BACK))
            .order_by(AuditEvent.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    if event is None or not event.comment:
        return None
    reviewer = await person(session, event.actor) or Person(name=event.actor)
    return ReviewerNote(action=event.action, reviewer=reviewer, comment=event.comment)


async def approver(session: AsyncSession, plan: AccountPlan) -> Person | None:
    """Who approved the plan's approved version (its latest approval)."""
    if plan.approved_version is None:
        return None
    event = (
        await session.execute(
            select(AuditEvent)
            .where(AuditEvent.plan_id == plan.id, AuditEvent.action == "approved")
            .order_by(AuditEvent.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    return await person(session, event.actor) if event is not None else None


async def facts_of(session: AsyncSession, plan: AccountPlan, document: AccountPlanDocument, today: date) -> AccountFacts:
    customer = await session.get(Customer, plan.customer_id)
    requested = document.generation_context.get("requested_by")
    if customer is None:
        return AccountFacts(today=today, requested_by=await person(session, requested))
    return AccountFacts(
        today=today,
        health_score=customer.health_score,
        health_change_90d=await health_change(session, customer.id, today),
        renewal_date=customer.renewal_date,
        arr=float(customer.arr) if customer.arr is not None else None,
        csm=await person(session, customer.csm_email),
        requested_by=await person(session, requested if isinstance(requested, str) else None),
        sent_back=await sent_back_note(session, plan),
        approved_by=await approver(session, plan),
    )


@dataclass(frozen=True)
class PlanCard:
    document: AccountPlanDocument
    facts: AccountFacts
    progress: list[ObjectiveProgress] | None


async def plan_card(database: Database, plan_id: str, today: date, *, with_progress: bool | None = None) -> PlanCard:
    """The plan, its account facts and (for a plan in force, or when asked) objective progress."""
    async with database.session() as session:
        plan = await get_plan(session, plan_id)
        document = document_of(plan)
        facts = await facts_of(session, plan, document, today)
        in_force = plan.status in ("approved", "active") or plan.approved_version is not None
        progress = None
        if with_progress or (with_progress is None and in_force):
            customer = await session.get(Customer, plan.customer_id)
            progress = document_progress(document, customer)
        return PlanCard(document=document, facts=facts, progress=progress)


async def plan_chart_inputs(database: Database, plan_id: str, today: date, *, start_month: int) -> ChartInputs:
    """What the plan's pictures are drawn from (the plan, its fiscal calendar, renewal date, today)."""
    async with database.session() as session:
        return await chart_inputs(session, plan_id, today, start_month=start_month)
