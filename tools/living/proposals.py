"""Deciding on change proposals: Accept applies the proposed revision as a new draft version (which
goes through approval again), Dismiss keeps the plan; either happens once, however many clicks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database, rows_affected
from storage.errors import Conflict, NotFound
from storage.models import AccountPlan, AuditEvent, Customer, PlanProposal
from storage.plan_document import AccountPlanDocument
from storage.plans import save_plan_version
from storage.vocabulary import ProposalStatus
from tools.living.actions import ensure_may_track
from tools.living.change_detection import Proposal
from tools.living.tracked_inputs import ChangeReason
from tools.plans.policy import Actor


async def get_proposal(session: AsyncSession, proposal_id: str) -> Proposal:
    row = (
        await session.execute(
            select(PlanProposal, AccountPlan, Customer)
            .join(AccountPlan, AccountPlan.id == PlanProposal.plan_id)
            .join(Customer, Customer.id == AccountPlan.customer_id)
            .where(PlanProposal.id == proposal_id)
        )
    ).one_or_none()
    if row is None:
        raise NotFound("that change proposal no longer exists")
    proposal, _plan, customer = row
    return Proposal(
        id=proposal.id,
        plan_id=proposal.plan_id,
        customer_id=customer.id,
        customer_name=customer.name,
        csm_email=customer.csm_email,
        base_version=proposal.base_version,
        reasons=[ChangeReason.model_validate(r) for r in proposal.reasons],
        diff=[line for line in (proposal.diff or "").splitlines() if line],
        status=proposal.status,
    )


async def _decide(session: AsyncSession, proposal_id: str, status: str, now: datetime) -> PlanProposal:
    """Move a proposal out of "proposed" exactly once, even when two clicks race."""
    result = await session.execute(
        update(PlanProposal)
        .where(PlanProposal.id == proposal_id, PlanProposal.status == ProposalStatus.PROPOSED)
        .values(status=status, decided_at=now)
        .execution_options(synchronize_session=False)
    )
    proposal = await session.get(PlanProposal, proposal_id, populate_existing=True)
    if proposal is None:
        raise NotFound("that change proposal no longer exists")
    if rows_affected(result) != 1:
        raise Conflict(f"this proposal was already {proposal.status}")
    return proposal


async def accept_proposal(
    session: AsyncSession, proposal_id: str, *, actor: str, now: datetime, surface: str
) -> AccountPlanDocument:
    """Apply the proposed revision as a new draft version, which then goes through approval."""
    pending = await session.get(PlanProposal, proposal_id)
    plan = await session.get(AccountPlan, pending.plan_id) if pending is not None else None
    if (
        pending is not None
        and plan is not None
        and pending.status == ProposalStatus.PROPOSED
        and plan.version != pending.base_version
    ):
        raise Conflict(
            f"the plan changed since this proposal (version {pending.base_version} -> {plan.version}); "
            "dismiss it and the next check proposes against the current plan"
        )
    proposal = await _decide(session, proposal_id, "accepted", now)
    reasons = "; ".join(str(r.get("text")) for r in proposal.reasons)
    saved = await save_plan_version(
        session,
        AccountPlanDocument.model_validate(proposal.proposed_document),
        author=actor,
        reason=f"accepted change proposal: {reasons}",
        surface=surface,
        diff=proposal.diff,
        expected_version=proposal.base_version,
        kind="proposal",  # drafted by the bot, accepted by a person: not a person's own edit
    )
    return saved.document


async def dismiss_proposal(
    session: AsyncSession, proposal_id: str, *, actor: str, now: datetime, surface: str
) -> None:
    """Keep the plan as it is; the same changes will not be proposed again."""
    proposal = await _decide(session, proposal_id, "dismissed", now)
    session.add(
        AuditEvent(
            plan_id=proposal.plan_id,
            actor=actor,
            action="change_dismissed",
            surface=surface,
            version=proposal.base_version,
            details={"proposal_id": proposal.id},
        )
    )


async def decide_proposal(
    database: Database,
    proposal_id: str,
    decision: str,
    *,
    actor: Actor,
    now: datetime,
    surface: str,
) -> AccountPlanDocument | None:
    """An Accept / Dismiss click by the account's CSM (or a manager): the new draft, or None."""
    async with database.session() as session:
        proposal = await get_proposal(session, proposal_id)
        await ensure_may_track(session, proposal.plan_id, actor)
        if decision == "accept":
            return await accept_proposal(session, proposal_id, actor=actor.email, now=now, surface=surface)
        await dismiss_proposal(session, proposal_id, actor=actor.email, now=now, surface=surface)
        return None
