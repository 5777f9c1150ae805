"""Objective progress: the share of quarterly milestones done and the metrics' progress towards
their targets, with live values (utilization, health, active seats) read from today's data."""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AccountPlan, Customer
from storage.plan_document import AccountPlanDocument, StrategicObjective
from storage.plans import document_of, get_plan
from tools.analytics.fiscal_calendar import fiscal_quarters


class ObjectiveProgress(BaseModel):
    objective_id: str
    objective: str
    priority: str
    metric_progress: float | None  # 0-1, mean of current/target over the measurable metrics
    milestones_done: int
    milestones_total: int
    milestones_overdue: int  # milestones of quarters already over that are not done
    progress: float  # 0-1, what the bar shows
    complete: bool
    status: str  # complete | on_track | behind (a milestone of a quarter that is over is not done)


_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")


def metric_number(value: object) -> float | None:
    """55, 0.55, "55%", "$250K" -> a comparable number; None when the value carries none."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    match = _NUMBER.search(str(value))
    if not match:
        return None
    number = float(match.group().replace(",", "."))
    suffix = str(value)[match.end() : match.end() + 1].lower()
    return number * {"k": 1e3, "m": 1e6}.get(suffix, 1.0)


def _live_metric(metric_name: str, customer: Customer | None) -> float | None:
    """Today's value for the metrics the data tracks, so progress moves without anyone editing it."""
    if customer is None:
        return None
    name = metric_name.lower()
    if "utilization" in name or "adoption" in name:
        return customer.feature_utilization
    if "health" in name:
        return float(customer.health_score) if customer.health_score is not None else None
    if "active seat" in name or "seats active" in name:
        return float(customer.seats_active) if customer.seats_active is not None else None
    return None


def _metric_ratio(current: float | None, target: float | None, baseline: float | None) -> float | None:
    if current is None or target is None:
        return None
    if baseline is not None and baseline != target:
        # Progress from where the plan started towards the target (works for "reduce" targets too).
        return max(0.0, min(1.0, (current - baseline) / (target - baseline)))
    if target == 0:
        return 1.0 if current <= 0 else 0.0
    return max(0.0, min(1.0, current / target))


def quarters_over(document: AccountPlanDocument, as_of: date) -> frozenset[str]:
    """The plan's fiscal quarters that ended before `as_of` (none before the fiscal year starts)."""
    quarters = fiscal_quarters(document.fiscal_year, document.start_month())
    return frozenset(q.name for q in quarters if q.end < as_of)


def objective_progress(
    objective: StrategicObjective, customer: Customer | None = None, *, quarters_done: frozenset[str] = frozenset()
) -> ObjectiveProgress:
    """Progress of one objective: metrics (live where the data tracks them) and milestones done.
    Behind means a milestone of a quarter that is already over (`quarters_done`) is not done: a
    plan whose year has not started is never behind."""
    ratios: list[float] = []
    for metric in objective.success_metrics:
        recorded = metric_number(metric.current)
        live = _live_metric(metric.metric, customer)
        target = metric_number(metric.target)
        # With a live value the recorded one is the starting point; otherwise it is the latest known.
        if live is not None:
            ratio = _metric_ratio(live, target, recorded)
        else:
            ratio = _metric_ratio(recorded, target, None)
        if ratio is not None:
            ratios.append(ratio)
    metric_progress = sum(ratios) / len(ratios) if ratios else None
    milestones_total = len(objective.quarterly_milestones)
    milestones_done = sum(1 for m in objective.quarterly_milestones if m.done)
    milestone_share = milestones_done / milestones_total if milestones_total else 0.0
    parts = [milestone_share] + ([metric_progress] if metric_progress is not None else [])
    progress = sum(parts) / len(parts)
    complete = milestones_done == milestones_total or (bool(ratios) and all(r >= 1.0 for r in ratios))
    overdue = sum(1 for m in objective.quarterly_milestones if m.quarter in quarters_done and not m.done)
    status = "complete" if complete else "behind" if overdue else "on_track"
    return ObjectiveProgress(
        objective_id=objective.id,
        objective=objective.objective,
        priority=objective.priority,
        metric_progress=metric_progress,
        milestones_done=milestones_done,
        milestones_total=milestones_total,
        milestones_overdue=0 if complete else overdue,
        progress=1.0 if complete else progress,
        complete=complete,
        status=status,
    )


def document_progress(
    document: AccountPlanDocument, customer: Customer | None, as_of: date
) -> list[ObjectiveProgress]:
    """Every objective's progress in the plan's order, as of a date."""
    done = quarters_over(document, as_of)
    return [objective_progress(o, customer, quarters_done=done) for o in document.strategic_objectives]


async def plan_progress(session: AsyncSession, plan_id: str, as_of: date) -> list[ObjectiveProgress]:
    """Every objective's progress for `/accountplan show` and App Home."""
    plan = await get_plan(session, plan_id)
    customer = await session.get(Customer, plan.customer_id)
    return document_progress(document_of(plan), customer, as_of)


async def plans_progress(
    session: AsyncSession, plan_ids: list[str], as_of: date
) -> dict[str, list[ObjectiveProgress]]:
    """Objective progress of several plans in one query (App Home lists many); a stored document
    that no longer validates is left out rather than failing the whole list."""
    if not plan_ids:
        return {}
    rows = await session.execute(
        select(AccountPlan, Customer)
        .join(Customer, Customer.id == AccountPlan.customer_id)
        .where(AccountPlan.id.in_(set(plan_ids)))
    )
    found: dict[str, list[ObjectiveProgress]] = {}
    for plan, customer in rows.all():
        try:
            found[plan.id] = document_progress(document_of(plan), customer, as_of)
        except ValueError:
            continue
    return found
