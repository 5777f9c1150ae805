"""Change detection: compare each approved or active plan's recorded inputs with today's data and,
when something material changed, store a proposed revision (reasons + diff) for the CSM to accept
or dismiss. Every change has a stable key, so the same change never triggers twice."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any, cast

from pydantic import BaseModel
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database, rows_affected
from storage.models import (
    AccountPlan,
    AuditEvent,
    Customer,
    HealthScore,
    PlanProposal,
    new_uuid,
)
from storage.plan_diff import diff_plans
from storage.plan_document import AccountPlanDocument
from storage.plans import document_of
from storage.vocabulary import ContactRole, OpportunityStage, PlanStatus, ProposalStatus
from tools.living.adjustments import adjust_plan_for_changes
from tools.living.tracked_inputs import (
    IN_CHUNK,
    ChangeReason,
    CustomerFacts,
    TrackedInputs,
    load_facts,
    tracked_inputs,
)

HEALTH_DROP_POINTS = 10
UTILIZATION_SWING_POINTS = 15.0
KEY_ROLES = {ContactRole.CHAMPION: "champion", ContactRole.EXEC_SPONSOR: "executive sponsor"}
TRACKED_STATUSES = (PlanStatus.APPROVED, PlanStatus.ACTIVE)

# Drafts the proposed document from the plan, the reasons and today's inputs: the deterministic
# adjustment by default, the generation agent when the bot wires it in.
ProposalDrafter = Callable[
    [AccountPlanDocument, list[ChangeReason], TrackedInputs], Awaitable[AccountPlanDocument]
]


class Proposal(BaseModel):
    id: str
    plan_id: str
    customer_id: str
    customer_name: str
    csm_email: str | None
    base_version: int
    reasons: list[ChangeReason]
    diff: list[str]
    status: str


async def default_drafter(
    document: AccountPlanDocument, reasons: list[ChangeReason], current: TrackedInputs
) -> AccountPlanDocument:
    return adjust_plan_for_changes(document, reasons, current)


async def _health_at(session: AsyncSession, customer_id: str, day: date | None) -> int | None:
    if day is None:
        return None
    return (
        await session.execute(
            select(HealthScore.score)
            .where(HealthScore.customer_id == customer_id, HealthScore.date <= day)
            .order_by(HealthScore.date.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


def _as_of(plan: AccountPlan) -> date:
    recorded = (plan.generation_context or {}).get("as_of")
    if isinstance(recorded, str):
        try:
            return date.fromisoformat(recorded[:10])
        except ValueError:
            pass
    return plan.created_at.date()


async def _baseline_numbers(
    session: AsyncSession, plan: AccountPlan, customer: Customer
) -> tuple[int | float | None, int | float | None]:
    """Health and utilization the plan was based on: recorded, else (health) the history then."""
    context = plan.generation_context or {}
    recorded: dict[str, Any] = dict(context.get("tracked_inputs") or {})
    inputs: dict[str, Any] = dict(context.get("inputs") or {})
    health = recorded.get("health_score", inputs.get("health_score"))
    if health is None:
        health = await _health_at(session, customer.id, _as_of(plan))
    return health, recorded.get("feature_utilization", inputs.get("feature_utilization"))


async def record_baseline(
    session: AsyncSession, plan: AccountPlan, customer: Customer, facts: CustomerFacts
) -> None:
    """Plans drafted without a `tracked_inputs` snapshot get one at their first check: which risks,
    key contacts and open opportunities exist (the changes found in that same check are proposed,
    so nothing is lost), keeping the health and utilization the plan was drafted on."""
    health, utilization = await _baseline_numbers(session, plan, customer)
    snapshot = {
        "as_of": _as_of(plan).isoformat(),
        "health_score": health,
        "feature_utilization": utilization,
        "risk_signal_ids": sorted(s.id for s in facts.material_signals),
        "key_contact_ids": sorted(
            e.stakeholder_id
            for e in document_of(plan).stakeholder_plan.current_map
            if e.active and e.role in KEY_ROLES and e.stakeholder_id not in facts.departed_key_contacts
        ),
        "open_opportunity_ids": sorted(o.id for o in facts.opportunities if o.stage == OpportunityStage.OPEN),
        "recorded": "first check",
    }
    await session.execute(
        update(AccountPlan)
        .where(AccountPlan.id == plan.id, AccountPlan.version == plan.version)
        .values(generation_context={**(plan.generation_context or {}), "tracked_inputs": snapshot})
        .execution_options(synchronize_session=False)
    )


async def detect_changes(
    session: AsyncSession, plan: AccountPlan, customer: Customer, facts: CustomerFacts | None = None
) -> list[ChangeReason]:
    """Material changes since the plan's inputs were recorded, each with a stable key."""
    if facts is None:
        facts = (await load_facts(session, [customer.id]))[customer.id]
    document = document_of(plan)
    context = plan.generation_context or {}
    recorded: dict[str, object] = dict(context.get("tracked_inputs") or {})
    as_of = _as_of(plan)
    reasons: list[ChangeReason] = []

    base_health, base_util = await _baseline_numbers(session, plan, customer)
    if isinstance(base_health, int | float) and customer.health_score is not None:
        drop = int(base_health) - customer.health_score
        if drop >= HEALTH_DROP_POINTS:
            # One key per 10-point band: a further fall after a dismissal is news again.
            reasons.append(
                ChangeReason(
                    key=f"health:{int(base_health)}:{drop // HEALTH_DROP_POINTS}",
                    kind="health_drop",
                    text=f"Health score fell {drop} points, from {int(base_health)} to {customer.health_score}",
                    detail={"from": int(base_health), "to": customer.health_score},
                )
            )

    if isinstance(base_util, int | float) and customer.feature_utilization is not None:
        swing = customer.feature_utilization - float(base_util)
        if abs(swing) >= UTILIZATION_SWING_POINTS:
            direction = "up" if swing > 0 else "down"
            reasons.append(
                ChangeReason(
                    key=f"utilization:{float(base_util):.0f}:{direction}{int(abs(swing) // UTILIZATION_SWING_POINTS)}",
                    kind="utilization_swing",
                    text=(
                        f"Feature utilization went {direction} from {float(base_util):.0f}% "
                        f"to {customer.feature_utilization:.0f}%"
                    ),
                    detail={"from": float(base_util), "to": customer.feature_utilization},
                )
            )

    known_risks = recorded.get("risk_signal_ids")
    for signal in sorted(facts.material_signals, key=lambda item: item.id):
        if isinstance(known_risks, list):
            new = signal.id not in known_risks
        else:
            # Without recorded ids, "new" means detected after the plan was drafted.
            new = signal.detected_at is not None and signal.detected_at > as_of
        if new:
            reasons.append(
                ChangeReason(
                    key=f"risk:{signal.id}",
                    kind="new_risk",
                    text=f"New {signal.severity} risk: {signal.description}",
                    detail={"signal_id": signal.id, "severity": signal.severity, "type": signal.type},
                )
            )

    recorded_contacts = recorded.get("key_contact_ids")
    if isinstance(recorded_contacts, list):
        key_contacts = [str(c) for c in cast(list[object], recorded_contacts)]
    else:
        key_contacts = [
            entry.stakeholder_id
            for entry in document.stakeholder_plan.current_map
            if entry.active and entry.role in KEY_ROLES
        ]
    departed = [
        facts.departed_key_contacts[c] for c in sorted(set(key_contacts)) if c in facts.departed_key_contacts
    ]
    if departed:
        for contact in departed:
            role = KEY_ROLES.get(contact.role, contact.role)
            reasons.append(
                ChangeReason(
                    key=f"departed:{contact.id}",
                    kind="departed_stakeholder",
                    text=f"{contact.name} ({role}) has left {customer.name}",
                    detail={"contact_id": contact.id, "name": contact.name, "role": contact.role},
                )
            )

    reasons += _opportunity_changes(facts, recorded)
    return reasons


def _opportunity_changes(facts: CustomerFacts, recorded: dict[str, object]) -> list[ChangeReason]:
    """New = open now but not open at the baseline; lost = open at the baseline, lost now.

    Only a recorded snapshot can tell: without one, an open opportunity missing from the plan may
    just have been left out by the drafter, and a lost one may have been lost long before."""
    known_open = recorded.get("open_opportunity_ids")
    if not isinstance(known_open, list):
        return []
    reasons: list[ChangeReason] = []
    for opportunity in sorted(facts.opportunities, key=lambda item: item.id):
        value = f"${float(opportunity.value):,.0f}"
        if opportunity.stage == OpportunityStage.OPEN and opportunity.id not in known_open:
            reasons.append(
                ChangeReason(
                    key=f"opportunity-new:{opportunity.id}",
                    kind="new_opportunity",
                    text=f"New opportunity: {opportunity.description} ({value})",
                    detail={"opportunity_id": opportunity.id},
                )
            )
        elif opportunity.stage == OpportunityStage.LOST and opportunity.id in known_open:
            reasons.append(
                ChangeReason(
                    key=f"opportunity-lost:{opportunity.id}",
                    kind="lost_opportunity",
                    text=f"Opportunity lost: {opportunity.description} ({value})",
                    detail={"opportunity_id": opportunity.id},
                )
            )
    return reasons


def change_key(plan_id: str, reasons: list[ChangeReason]) -> str:
    """The same set of changes to the same plan always gives the same key."""
    digest = hashlib.sha256("|".join(sorted(r.key for r in reasons)).encode()).hexdigest()[:24]
    return f"{plan_id}:{digest}"


async def _proposal_history(session: AsyncSession, plan_ids: list[str]) -> dict[str, tuple[set[str], bool]]:
    """Per plan: reason keys already proposed (whatever became of them), and whether a proposal is
    still waiting for the CSM."""
    history: dict[str, tuple[set[str], bool]] = {plan_id: (set(), False) for plan_id in plan_ids}
    for start in range(0, len(plan_ids), IN_CHUNK):
        rows = await session.execute(
            select(PlanProposal.plan_id, PlanProposal.reasons, PlanProposal.status).where(
                PlanProposal.plan_id.in_(plan_ids[start : start + IN_CHUNK])
            )
        )
        for plan_id, reasons, status in rows.all():
            seen, waiting = history[plan_id]
            seen.update(str(r.get("key")) for r in reasons)
            history[plan_id] = (seen, waiting or status == ProposalStatus.PROPOSED)
    return history


async def propose_revisions(
    database: Database,
    *,
    now: datetime,
    drafter: ProposalDrafter = default_drafter,
    customer_ids: list[str] | None = None,
) -> list[Proposal]:
    """Check every approved/active plan and store a proposal for each one whose data changed.

    Replicas may run this at the same time: the unique change key lets exactly one insert win, and
    only the proposals this call created are returned (so only their creator notifies the CSM).
    """
    async with database.session() as session:
        query = (
            select(AccountPlan, Customer)
            .join(Customer, Customer.id == AccountPlan.customer_id)
            .where(AccountPlan.status.in_(TRACKED_STATUSES))
        )
        if customer_ids is not None:
            query = query.where(AccountPlan.customer_id.in_(customer_ids))
        rows = (await session.execute(query.order_by(Customer.name))).all()
        history = await _proposal_history(session, [plan.id for plan, _ in rows])
        facts = await load_facts(session, sorted({customer.id for _, customer in rows}))
        candidates: list[
            tuple[AccountPlan, Customer, AccountPlanDocument, list[ChangeReason], TrackedInputs]
        ] = []
        for plan, customer in rows:
            seen, waiting = history[plan.id]
            if waiting:
                continue
            changes = await detect_changes(session, plan, customer, facts[customer.id])
            if not (plan.generation_context or {}).get("tracked_inputs"):
                await record_baseline(session, plan, customer, facts[customer.id])
            fresh = [r for r in changes if r.key not in seen]
            if fresh:
                current = await tracked_inputs(session, customer, as_of=now.date())
                candidates.append((plan, customer, document_of(plan), fresh, current))

    created: list[Proposal] = []
    for plan, customer, document, reasons, current in candidates:
        proposed = await drafter(document, reasons, current)
        proposed = proposed.model_copy(
            update={
                "generation_context": {
                    **proposed.generation_context,
                    "tracked_inputs": current.model_dump(mode="json"),
                    "change_reasons": [r.text for r in reasons],
                }
            }
        )
        diff = diff_plans(document, proposed)
        proposal = await _insert_proposal(database, plan, customer, reasons, proposed, diff, now)
        if proposal is not None:
            created.append(proposal)
    return created


async def _insert_proposal(
    database: Database,
    plan: AccountPlan,
    customer: Customer,
    reasons: list[ChangeReason],
    proposed: AccountPlanDocument,
    diff: list[str],
    now: datetime,
) -> Proposal | None:
    async with database.session() as session:
        insert = pg_insert if database.dialect == "postgresql" else sqlite_insert
        key = change_key(plan.id, reasons)
        values = {
            "plan_id": plan.id,
            "change_key": key,
            "base_version": plan.version,
            "reasons": [r.model_dump(mode="json") for r in reasons],
            "proposed_document": proposed.to_json_dict(),
            "diff": "\n".join(diff),
            "status": "proposed",
            "created_at": now,
        }
        proposal_id = new_uuid()
        result = await session.execute(
            insert(PlanProposal)
            .values(id=proposal_id, **values)
            .on_conflict_do_nothing(index_elements=[PlanProposal.change_key])
        )
        if rows_affected(result) != 1:
            return None
        session.add(
            AuditEvent(
                plan_id=plan.id,
                actor="accountplan",
                action="change_proposed",
                surface="scheduler",
                version=plan.version,
                comment="; ".join(r.text for r in reasons),
                details={"proposal_id": proposal_id, "change_key": key},
            )
        )
    return Proposal(
        id=proposal_id,
        plan_id=plan.id,
        customer_id=customer.id,
        customer_name=customer.name,
        csm_email=customer.csm_email,
        base_version=plan.version,
        reasons=reasons,
        diff=diff,
        status="proposed",
    )
