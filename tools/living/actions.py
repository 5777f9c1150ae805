"""90-day action tracking: which actions are due or overdue for whom, and marking them done or
snoozing them (each a new plan revision)."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

from pydantic import BaseModel
from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.errors import BadInput, Conflict, NotFound
from storage.models import AccountPlan, Customer
from storage.plan_document import AccountPlanDocument, ActionItem
from storage.plans import document_of, get_plan, save_plan_version
from storage.vocabulary import ActionStatus, PlanStatus, Priority
from tools.plans.policy import Actor, PlanOwnership, authorize

# An action is "due" this many days before its due date, so the weekly digest shows the week ahead.
DUE_HORIZON_DAYS = 7
DEFAULT_SNOOZE_DAYS = 7
MAX_SNOOZE_DAYS = 90
IN_FORCE_STATUSES = (PlanStatus.APPROVED, PlanStatus.ACTIVE)
PRIORITY_RANK = {Priority.CRITICAL: 0, Priority.HIGH: 1, Priority.MEDIUM: 2}


class TrackedAction(BaseModel):
    """One 90-day action of a plan in force, as the digest and the buttons refer to it."""

    plan_id: str
    plan_version: int
    customer_id: str
    customer_name: str
    csm_email: str | None
    index: int  # position in action_plan_90day
    action: str
    owner: str
    week: int
    due_date: date
    status: str
    objective_id: str | None
    days_overdue: int  # negative: days until due

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


def plans_in_force_filter() -> ColumnElement[bool]:
    """Plans whose actions are being worked: approved/active, or revised after an approval."""
    return or_(AccountPlan.status.in_(IN_FORCE_STATUSES), AccountPlan.approved_version.is_not(None))


async def plans_in_force(
    session: AsyncSession, *, csm_email: str | None = None
) -> list[tuple[AccountPlan, Customer]]:
    query = select(AccountPlan, Customer).join(Customer, Customer.id == AccountPlan.customer_id)
    query = query.where(plans_in_force_filter())
    if csm_email:
        query = query.where(Customer.csm_email == csm_email)
    rows = await session.execute(query.order_by(Customer.name, AccountPlan.fiscal_year))
    return [(plan, customer) for plan, customer in rows.all()]


def _tracked(
    plan: AccountPlan, customer: Customer, index: int, item: ActionItem, as_of: date
) -> TrackedAction:
    return TrackedAction(
        plan_id=plan.id,
        plan_version=plan.version,
        customer_id=customer.id,
        customer_name=customer.name,
        csm_email=customer.csm_email,
        index=index,
        action=item.action,
        owner=item.owner,
        week=item.week,
        due_date=item.due_date,
        status=item.status,
        objective_id=item.objective_id,
        days_overdue=(as_of - item.due_date).days,
    )


async def due_actions(
    session: AsyncSession,
    as_of: date,
    *,
    csm_email: str | None = None,
    horizon_days: int = DUE_HORIZON_DAYS,
) -> list[TrackedAction]:
    """Open or snoozed actions due within `horizon_days` of `as_of` (overdue included), most urgent
    first: most overdue, then soonest due, then by the priority of their objective."""
    found: list[tuple[int, TrackedAction]] = []
    for plan, customer in await plans_in_force(session, csm_email=csm_email):
        document = document_of(plan)
        priorities = {o.id: PRIORITY_RANK[o.priority] for o in document.strategic_objectives}
        for index, item in enumerate(document.action_plan_90day):
            if item.status == ActionStatus.DONE or item.due_date > as_of + timedelta(days=horizon_days):
                continue
            found.append(
                (priorities.get(item.objective_id or "", 3), _tracked(plan, customer, index, item, as_of))
            )
    found.sort(key=lambda pair: (-pair[1].days_overdue, pair[0], pair[1].customer_name, pair[1].index))
    return [tracked for _, tracked in found]


async def due_actions_by_csm(
    session: AsyncSession, as_of: date, *, horizon_days: int = DUE_HORIZON_DAYS
) -> dict[str, list[TrackedAction]]:
    """The digest's input: each CSM's due and overdue actions, most urgent first (no empty lists)."""
    grouped: dict[str, list[TrackedAction]] = {}
    for tracked in await due_actions(session, as_of, horizon_days=horizon_days):
        if tracked.csm_email:
            grouped.setdefault(tracked.csm_email, []).append(tracked)
    return grouped


def action_fingerprint(text: str) -> str:
    """A short, stable stand-in for an action's text (Slack button values are size-limited)."""
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _locate(document: AccountPlanDocument, index: int, action_text: str | None) -> int:
    """The action's current position: buttons carry the index they were rendered with, and the
    text (or its fingerprint) guards against the plan having been reordered since."""
    actions = document.action_plan_90day

    def matches(item: ActionItem) -> bool:
        return action_text is None or action_text in (item.action, action_fingerprint(item.action))

    if 0 <= index < len(actions) and matches(actions[index]):
        return index
    if action_text is not None:
        for position, item in enumerate(actions):
            if matches(item):
                return position
    raise NotFound("that action is no longer in the plan; it was edited since this message was sent")


async def _save_tracking_update(
    session: AsyncSession,
    plan: AccountPlan,
    document: AccountPlanDocument,
    *,
    actor: str,
    surface: str,
    reason: str,
) -> AccountPlanDocument:
    was_in_force = plan.status in IN_FORCE_STATUSES
    status_before = plan.status
    baseline = (plan.generation_context or {}).get("tracked_inputs")
    if baseline and "tracked_inputs" not in document.generation_context:
        # Keep the change-detection baseline recorded on the plan row (see change_detection).
        context = {**document.generation_context, "tracked_inputs": baseline}
        document = document.model_copy(update={"generation_context": context})
    saved = await save_plan_version(
        session, document, author=actor, reason=reason, surface=surface, expected_version=plan.version
    )
    if was_in_force:
        # Progress on an approved plan is not a change of plan: it stays approved (at the new
        # version) instead of dropping back to draft and into the approval queue.
        await session.execute(
            update(AccountPlan)
            .where(AccountPlan.id == plan.id)
            .values(status=status_before, approved_version=saved.document.version)
            .execution_options(synchronize_session=False)
        )
        await session.refresh(plan)
        return saved.document.model_copy(update={"status": status_before})
    return saved.document


async def mark_action_done(
    session: AsyncSession,
    plan_id: str,
    index: int,
    *,
    actor: str,
    surface: str = "cli",
    action_text: str | None = None,
) -> AccountPlanDocument:
    """Mark one 90-day action done; a new revision records who did it."""
    plan = await get_plan(session, plan_id)
    document = document_of(plan)
    position = _locate(document, index, action_text)
    item = document.action_plan_90day[position]
    if item.status == ActionStatus.DONE:
        raise Conflict(f"“{item.action}” is already marked done")
    return await _save_tracking_update(
        session,
        plan,
        _with_action(document, position, item.model_copy(update={"status": "done"})),
        actor=actor,
        surface=surface,
        reason=f"action done: {item.action}",
    )


async def snooze_action(
    session: AsyncSession,
    plan_id: str,
    index: int,
    *,
    actor: str,
    as_of: date,
    days: int = DEFAULT_SNOOZE_DAYS,
    surface: str = "cli",
    action_text: str | None = None,
) -> AccountPlanDocument:
    """Push an action's due date `days` past today (or past its due date, whichever is later)."""
    if not 1 <= days <= MAX_SNOOZE_DAYS:
        raise BadInput(f"snooze for 1 to {MAX_SNOOZE_DAYS} days, not {days}")
    plan = await get_plan(session, plan_id)
    document = document_of(plan)
    position = _locate(document, index, action_text)
    item = document.action_plan_90day[position]
    if item.status == ActionStatus.DONE:
        raise Conflict(f"“{item.action}” is already done; there is nothing to snooze")
    new_due = max(as_of, item.due_date) + timedelta(days=days)
    return await _save_tracking_update(
        session,
        plan,
        _with_action(document, position, item.model_copy(update={"status": "snoozed", "due_date": new_due})),
        actor=actor,
        surface=surface,
        reason=f"action snoozed to {new_due.isoformat()}: {item.action}",
    )


def _with_action(document: AccountPlanDocument, position: int, item: ActionItem) -> AccountPlanDocument:
    actions = list(document.action_plan_90day)
    actions[position] = item
    return document.model_copy(update={"action_plan_90day": actions})


async def ensure_may_track(session: AsyncSession, plan_id: str, actor: Actor) -> None:
    """Only the account's CSM, a manager or an admin updates its actions and proposals (the policy's
    "track")."""
    plan = await get_plan(session, plan_id)
    customer = await session.get(Customer, plan.customer_id)
    authorize("track", actor, PlanOwnership(csm_email=customer.csm_email if customer else None))


async def complete_action(
    database: Database, plan_id: str, index: int, fingerprint: str, *, actor: Actor, surface: str
) -> AccountPlanDocument:
    """A Done click: checked against who may, then saved as a revision, in one transaction."""
    async with database.session() as session:
        await ensure_may_track(session, plan_id, actor)
        return await mark_action_done(
            session, plan_id, index, actor=actor.email, surface=surface, action_text=fingerprint
        )


async def postpone_action(
    database: Database,
    plan_id: str,
    index: int,
    fingerprint: str,
    *,
    actor: Actor,
    as_of: date,
    days: int = DEFAULT_SNOOZE_DAYS,
    surface: str,
) -> AccountPlanDocument:
    """A Snooze click: like `complete_action`, pushing the due date instead."""
    async with database.session() as session:
        await ensure_may_track(session, plan_id, actor)
        return await snooze_action(
            session,
            plan_id,
            index,
            actor=actor.email,
            as_of=as_of,
            days=days,
            surface=surface,
            action_text=fingerprint,
        )
