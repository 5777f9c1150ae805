"""QBR reminders two weeks ahead with a prep summary (objectives' status, risks, wins), and renewal
reminders 90, 60 and 30 days ahead for accounts with plans. Each reminder has a stable key, so the
scheduler can send it exactly once however often (and on however many replicas) it checks."""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AccountPlan, Customer, Opportunity, RiskSignal
from storage.plans import document_of
from storage.vocabulary import ActionStatus, OpportunityStage, PlanStatus, RiskStatus, Severity
from tools.living.actions import plans_in_force
from tools.living.progress import ObjectiveProgress, objective_progress

QBR_LEAD_DAYS = 14
RENEWAL_THRESHOLDS = (30, 60, 90)  # tightest first
MAX_PREP_ITEMS = 5


class QBRPrep(BaseModel):
    objectives: list[ObjectiveProgress]
    risks: list[str]
    wins: list[str]


class QBRReminder(BaseModel):
    key: str
    plan_id: str
    customer_id: str
    customer_name: str
    csm_email: str | None
    quarter: str
    qbr_date: date
    focus: str
    days_until: int
    prep: QBRPrep


class RenewalReminder(BaseModel):
    key: str
    plan_id: str
    customer_id: str
    customer_name: str
    csm_email: str | None
    renewal_date: date
    days_left: int
    threshold: int  # 90 | 60 | 30
    arr: float | None
    health_score: int | None
    open_high_risks: int
    plan_status: str


async def _prep(session: AsyncSession, plan: AccountPlan, customer: Customer) -> QBRPrep:
    document = document_of(plan)
    signals = (
        await session.execute(
            select(RiskSignal)
            .where(RiskSignal.customer_id == customer.id, RiskSignal.status == RiskStatus.ACTIVE)
            .order_by(RiskSignal.detected_at.desc())
        )
    ).scalars()
    severity_rank = {"critical": 0, "high": 1, "medium": 2, "low": 3}
    risks = sorted(
        (f"{s.severity}: {s.description}" for s in signals),
        key=lambda text: severity_rank.get(text.split(":")[0], 4),
    )
    risks += [
        f"{r.severity}: {r.risk}"
        for r in document.risk_mitigation.identified_risks
        if r.severity in (Severity.HIGH, Severity.CRITICAL)
    ]
    won = (
        await session.execute(
            select(Opportunity).where(Opportunity.customer_id == customer.id, Opportunity.stage == OpportunityStage.WON)
        )
    ).scalars()
    wins = [f"Won: {o.description} (${float(o.value):,.0f})" for o in won]
    wins += [
        f"{m.quarter} milestone done: {m.milestone}"
        for o in document.strategic_objectives
        for m in o.quarterly_milestones
        if m.done
    ]
    wins += [f"Done: {a.action}" for a in document.action_plan_90day if a.status == ActionStatus.DONE]
    return QBRPrep(
        objectives=[objective_progress(o, customer) for o in document.strategic_objectives],
        risks=list(dict.fromkeys(risks))[:MAX_PREP_ITEMS],
        wins=wins[:MAX_PREP_ITEMS],
    )


async def due_qbr_reminders(session: AsyncSession, today: date) -> list[QBRReminder]:
    """QBRs of plans in force happening within the next two weeks. The window (rather than the
    exact day) lets a scheduler that was down on day -14 still remind once when it is back."""
    reminders: list[QBRReminder] = []
    for plan, customer in await plans_in_force(session):
        upcoming = [
            q
            for q in document_of(plan).qbr_schedule
            if today <= q.date <= today + timedelta(days=QBR_LEAD_DAYS)
        ]
        for qbr in upcoming:
            reminders.append(
                QBRReminder(
                    key=f"qbr:{plan.id}:{qbr.date.isoformat()}",
                    plan_id=plan.id,
                    customer_id=customer.id,
                    customer_name=customer.name,
                    csm_email=customer.csm_email,
                    quarter=qbr.quarter,
                    qbr_date=qbr.date,
                    focus=qbr.focus,
                    days_until=(qbr.date - today).days,
                    prep=await _prep(session, plan, customer),
                )
            )
    return sorted(reminders, key=lambda r: (r.qbr_date, r.customer_name))


def renewal_threshold(days_left: int) -> int | None:
    """The reminder a renewal this far away calls for: 90, 60 or 30 days (the tightest reached)."""
    if days_left < 0:
        return None
    return next((t for t in RENEWAL_THRESHOLDS if days_left <= t), None)


async def due_renewal_reminders(session: AsyncSession, today: date) -> list[RenewalReminder]:
    """Accounts with a plan whose renewal is 90, 60 or 30 days away (or closer). Only the tightest
    threshold reached is due, so a scheduler back from a long outage sends one reminder, not three."""
    rows = (
        await session.execute(
            select(AccountPlan, Customer)
            .join(Customer, Customer.id == AccountPlan.customer_id)
            .where(
                Customer.renewal_date.is_not(None),
                Customer.renewal_date >= today,
                Customer.renewal_date <= today + timedelta(days=max(RENEWAL_THRESHOLDS)),
                AccountPlan.status != PlanStatus.REJECTED,
            )
            .order_by(Customer.renewal_date, Customer.name, AccountPlan.fiscal_year.desc())
        )
    ).all()
    reminders: list[RenewalReminder] = []
    seen: set[str] = set()
    for plan, customer in rows:
        if customer.id in seen:  # one reminder per account, about its newest plan
            continue
        seen.add(customer.id)
        assert customer.renewal_date is not None
        days_left = (customer.renewal_date - today).days
        threshold = renewal_threshold(days_left)
        if threshold is None:
            continue
        high_risks = (
            await session.execute(
                select(RiskSignal.id).where(
                    RiskSignal.customer_id == customer.id,
                    RiskSignal.status == RiskStatus.ACTIVE,
                    RiskSignal.severity.in_(("high", "critical")),
                )
            )
        ).all()
        reminders.append(
            RenewalReminder(
                key=f"renewal:{customer.id}:{customer.renewal_date.isoformat()}:{threshold}",
                plan_id=plan.id,
                customer_id=customer.id,
                customer_name=customer.name,
                csm_email=customer.csm_email,
                renewal_date=customer.renewal_date,
                days_left=days_left,
                threshold=threshold,
                arr=float(customer.arr) if customer.arr is not None else None,
                health_score=customer.health_score,
                open_high_risks=len(high_risks),
                plan_status=plan.status,
            )
        )
    return reminders
