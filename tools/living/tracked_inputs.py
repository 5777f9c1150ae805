"""The inputs a living plan is checked against: a snapshot of the facts change detection compares
(health, utilization, which high risks, key stakeholders and open opportunities it knew about)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Contact, Customer, Opportunity, RiskSignal
from storage.vocabulary import ContactRole, OpportunityStage, RiskStatus, Severity

if TYPE_CHECKING:
    from tools.analytics.context import PlanningContext

KEY_CONTACT_ROLES = (ContactRole.CHAMPION, ContactRole.EXEC_SPONSOR)
MATERIAL_SEVERITIES = (Severity.HIGH, Severity.CRITICAL)
IN_CHUNK = 500  # ids per IN (...) list, well under every driver's parameter limit


class ChangeReason(BaseModel):
    """One material change: `key` identifies it for good, `text` is what the CSM reads."""

    key: str
    kind: str  # health_drop | utilization_swing | new_risk | departed_stakeholder | new_opportunity | lost_opportunity
    text: str
    detail: dict[str, Any] = Field(default_factory=dict)


class TrackedInputs(BaseModel):
    """Stored in a plan's generation_context["tracked_inputs"] when a proposal is drafted, so the
    next check compares against what the revised plan knew."""

    as_of: date
    health_score: int | None
    feature_utilization: float | None
    risk_signal_ids: list[str]
    key_contact_ids: list[str]
    open_opportunity_ids: list[str]
    # The facts themselves, for the drafter that writes the revision.
    risks: list[dict[str, Any]] = Field(default_factory=list[dict[str, Any]])
    departed_contacts: list[dict[str, Any]] = Field(default_factory=list[dict[str, Any]])
    opportunities: list[dict[str, Any]] = Field(default_factory=list[dict[str, Any]])


async def tracked_inputs(session: AsyncSession, customer: Customer, *, as_of: date) -> TrackedInputs:
    """Today's values of everything change detection watches, for one customer."""
    risks = list(
        (
            await session.execute(
                select(RiskSignal).where(
                    RiskSignal.customer_id == customer.id,
                    RiskSignal.status == RiskStatus.ACTIVE,
                    RiskSignal.severity.in_(MATERIAL_SEVERITIES),
                )
            )
        ).scalars()
    )
    contacts = list(
        (
            await session.execute(
                select(Contact).where(Contact.customer_id == customer.id, Contact.role.in_(KEY_CONTACT_ROLES))
            )
        ).scalars()
    )
    opportunities = list(
        (await session.execute(select(Opportunity).where(Opportunity.customer_id == customer.id))).scalars()
    )
    return snapshot_inputs(
        as_of=as_of,
        health_score=customer.health_score,
        feature_utilization=customer.feature_utilization,
        risks=risks,
        contacts=contacts,
        opportunities=opportunities,
    )


def tracked_inputs_from_context(context: PlanningContext) -> TrackedInputs:
    """The same snapshot from a planning context the drafter already gathered (no SQL), stored
    with every generated plan so change detection compares against what the plan knew."""
    return snapshot_inputs(
        as_of=context.as_of,
        health_score=context.customer.health_score,
        feature_utilization=context.customer.feature_utilization,
        risks=[r for r in context.risk_signals if r.status == RiskStatus.ACTIVE and r.severity in MATERIAL_SEVERITIES],
        contacts=[c for c in context.contacts if c.role in KEY_CONTACT_ROLES],
        opportunities=context.opportunities,
    )


def snapshot_inputs(
    *,
    as_of: date,
    health_score: int | None,
    feature_utilization: float | None,
    risks: Sequence[Any],
    contacts: Sequence[Any],
    opportunities: Sequence[Any],
) -> TrackedInputs:
    """Build the snapshot from rows or context facts (both carry the same attribute names)."""
    return TrackedInputs(
        as_of=as_of,
        health_score=health_score,
        feature_utilization=feature_utilization,
        risk_signal_ids=sorted(r.id for r in risks),
        key_contact_ids=sorted(c.id for c in contacts if c.active),
        open_opportunity_ids=sorted(o.id for o in opportunities if o.stage == OpportunityStage.OPEN),
        risks=[
            {"id": r.id, "type": r.type, "severity": r.severity, "description": r.description} for r in risks
        ],
        departed_contacts=[
            {"id": c.id, "name": c.name, "role": c.role, "title": c.title} for c in contacts if not c.active
        ],
        opportunities=[
            {
                "id": o.id,
                "type": o.type,
                "description": o.description,
                "value": float(o.value),
                "probability": o.probability,
                "expected_close": o.expected_close.isoformat() if o.expected_close else None,
                "stage": o.stage,
            }
            for o in opportunities
        ],
    )


@dataclass
class CustomerFacts:
    """Today's rows change detection compares against, loaded for many customers at once."""

    material_signals: list[RiskSignal] = field(default_factory=list[RiskSignal])  # active high/critical
    departed_key_contacts: dict[str, Contact] = field(default_factory=dict[str, Contact])  # inactive, by id
    opportunities: list[Opportunity] = field(default_factory=list[Opportunity])


async def load_facts(session: AsyncSession, customer_ids: list[str]) -> dict[str, CustomerFacts]:
    """Three queries per chunk of customers, whatever their number."""
    facts = {customer_id: CustomerFacts() for customer_id in customer_ids}
    for start in range(0, len(customer_ids), IN_CHUNK):
        chunk = customer_ids[start : start + IN_CHUNK]
        signals = await session.execute(
            select(RiskSignal).where(
                RiskSignal.customer_id.in_(chunk),
                RiskSignal.status == RiskStatus.ACTIVE,
                RiskSignal.severity.in_(MATERIAL_SEVERITIES),
            )
        )
        for signal in signals.scalars():
            facts[signal.customer_id].material_signals.append(signal)
        departed = await session.execute(
            select(Contact).where(
                Contact.customer_id.in_(chunk), Contact.active.is_(False), Contact.role.in_(KEY_CONTACT_ROLES)
            )
        )
        for contact in departed.scalars():
            facts[contact.customer_id].departed_key_contacts[contact.id] = contact
        opportunities = await session.execute(select(Opportunity).where(Opportunity.customer_id.in_(chunk)))
        for opportunity in opportunities.scalars():
            facts[opportunity.customer_id].opportunities.append(opportunity)
    return facts
