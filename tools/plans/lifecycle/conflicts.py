"""Why a transition did not apply, explained from the plan's state as it is now (who decided first,
what changed since), so the person who lost a race knows what happened."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import Conflict
from storage.models import AccountPlan
from storage.users import find_user
from storage.vocabulary import PlanStatus
from tools.plans.lifecycle.parties import last_event

DECISION_ACTIONS = frozenset({"approve", "request_changes", "reject"})


async def explain_conflict(
    session: AsyncSession, plan_id: str, action: str, sources: frozenset[str], expected_version: int
) -> Conflict:
    """Why `action` (allowed from `sources`) did not apply, from the plan's state as it is now."""
    plan = (
        await session.execute(
            select(AccountPlan).where(AccountPlan.id == plan_id).execution_options(populate_existing=True)
        )
    ).scalar_one()
    status, version = plan.status, plan.version
    if version != expected_version:
        return Conflict(
            f"this is about version {expected_version}, but the plan has changed since "
            f"(it is now version {version}, {status.replace('_', ' ')}); nothing was changed"
        )
    if action in DECISION_ACTIONS and status != PlanStatus.PENDING_REVIEW:
        decided = None
        for action in ("approved", "changes_requested", "rejected"):
            event = await last_event(session, plan_id, action)
            if event and event.version == version and (decided is None or event.id > decided.id):
                decided = event
        if decided is not None:
            when = f"{decided.created_at:%b} {decided.created_at.day} at {decided.created_at:%H:%M} UTC"
            decider = await find_user(session, decided.actor) if "@" in decided.actor else None
            who = decider.name if decider is not None and decider.name else decided.actor
            return Conflict(
                f"{who} already {decided.action.replace('_', ' ')} version {version} on {when}; "
                "nothing was changed"
            )
        return Conflict(f"the plan is not waiting for review (it is {status.replace('_', ' ')})")
    if action == "submit" and status == PlanStatus.PENDING_REVIEW:
        return Conflict("the plan is already waiting for review")
    if action == "submit" and status in (PlanStatus.CHANGES_REQUESTED, PlanStatus.REJECTED):
        return Conflict(
            f"the plan has not changed since it was {status.replace('_', ' ')}; edit it first "
            "(or reopen it as a draft), then submit it again"
        )
    allowed = " or ".join(sorted(s.replace("_", " ") for s in sources))
    return Conflict(
        f"cannot {action.replace('_', ' ')} a plan that is {status.replace('_', ' ')} "
        f"(only when {allowed})"
    )
