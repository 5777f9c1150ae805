"""Change detection: material changes to an approved plan's inputs become one proposal each, never
twice; accept makes a new draft revision, dismiss keeps the plan."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from storage.db import Database
from storage.errors import Conflict
from storage.models import AccountPlan, Contact, Customer, Opportunity, PlanProposal, RiskSignal
from storage.plans import get_plan, list_revisions
from tests.conftest import agent_deps
from tests.tools.living.living_data import add_approved_plan, add_customer, add_rows, plan_document
from tools.living.change_detection import propose_revisions
from tools.living.proposals import accept_proposal, dismiss_proposal, get_proposal

NOW = datetime(2026, 2, 10, 10, 0, tzinfo=UTC)
CONTACTS = [
    {"stakeholder_id": "k1", "name": "Sarah Chen", "role": "champion", "active": True},
    {"stakeholder_id": "k2", "name": "Raj Patel", "role": "exec_sponsor", "active": True},
]


async def _approved_plan(database: Database) -> str:
    await add_customer(database, "c1", "Acme", health=72, utilization=50.0)
    await add_rows(
        database,
        Contact(id="k1", customer_id="c1", name="Sarah Chen", role="champion", active=True),
        Contact(id="k2", customer_id="c1", name="Raj Patel", role="exec_sponsor", active=True),
        Opportunity(
            id="o1",
            customer_id="c1",
            type="upsell",
            description="Premium analytics tier",
            value=Decimal("50000"),
            probability=0.6,
            stage="open",
        ),
    )
    document = plan_document(
        "c1",
        "Acme",
        contacts=CONTACTS,
        generation_context={
            "as_of": "2026-01-01",
            "inputs": {"health_score": 72, "feature_utilization": 50.0},
        },
    )
    data = document.to_json_dict()
    data["expansion_plan"]["opportunities"] = [
        {
            "type": "upsell",
            "description": "Premium analytics tier",
            "value": 50000,
            "probability": 0.6,
            "timeline": "Q2",
        }
    ]
    from storage.plan_document import AccountPlanDocument

    return await add_approved_plan(database, AccountPlanDocument.model_validate(data))


async def _set_customer(database: Database, **values: object) -> None:
    async with database.session() as session:
        await session.execute(update(Customer).where(Customer.id == "c1").values(**values))


async def test_no_change_no_proposal(any_db: Database) -> None:
    await _approved_plan(any_db)
    await _set_customer(any_db, health_score=65, feature_utilization=58.0)  # below both thresholds
    assert await propose_revisions(any_db, now=NOW) == []


async def test_health_drop_fires_once_and_again_only_when_it_falls_further(any_db: Database) -> None:
    await _approved_plan(any_db)
    await _set_customer(any_db, health_score=60)
    first = await propose_revisions(any_db, now=NOW)
    assert len(first) == 1
    assert [r.kind for r in first[0].reasons] == ["health_drop"]
    assert first[0].reasons[0].text == "Health score fell 12 points, from 72 to 60"
    assert any("risk" in line.lower() for line in first[0].diff)
    assert await propose_revisions(any_db, now=NOW) == []  # still waiting for the CSM

    async with any_db.session() as session:
        await dismiss_proposal(session, first[0].id, actor="csm@example.com", now=NOW, surface="slack")
    await _set_customer(any_db, health_score=55)  # same 10-point band
    assert await propose_revisions(any_db, now=NOW) == []
    await _set_customer(any_db, health_score=50)  # 22 points down: news again
    again = await propose_revisions(any_db, now=NOW)
    assert len(again) == 1 and "from 72 to 50" in again[0].reasons[0].text
    async with any_db.session() as session:
        plan = await get_plan(session, first[0].plan_id)
    assert plan.status == "approved" and plan.version == 1  # dismissing left the plan alone


async def test_every_kind_of_change_lands_in_one_proposal_and_accept_makes_a_draft(any_db: Database) -> None:
    plan_id = await _approved_plan(any_db)
    # Known when the plan was drafted; the first hourly check records it in the baseline.
    await add_rows(
        any_db,
        RiskSignal(
            id="r-old",
            customer_id="c1",
            type="x",
            severity="high",
            description="Known before",
            detected_at=date(2025, 12, 1),
            status="active",
        ),
    )
    assert await propose_revisions(any_db, now=NOW) == []
    await _set_customer(any_db, feature_utilization=30.0)
    await add_rows(
        any_db,
        RiskSignal(
            id="r-new",
            customer_id="c1",
            type="competitor",
            severity="critical",
            description="Competitor pilot started",
            detected_at=date(2026, 2, 1),
            status="active",
        ),
        RiskSignal(
            id="r-low",
            customer_id="c1",
            type="x",
            severity="medium",
            description="Minor",
            detected_at=date(2026, 2, 1),
            status="active",
        ),
        Opportunity(
            id="o2",
            customer_id="c1",
            type="cross_sell",
            description="Data connector add-on",
            value=Decimal("20000"),
            probability=0.5,
            expected_close=date(2026, 8, 1),
            stage="open",
        ),
    )
    async with any_db.session() as session:
        await session.execute(update(Contact).where(Contact.id == "k1").values(active=False))
        await session.execute(update(Opportunity).where(Opportunity.id == "o1").values(stage="lost"))

    [proposal] = await propose_revisions(any_db, now=NOW)
    kinds = sorted(r.kind for r in proposal.reasons)
    assert kinds == [
        "departed_stakeholder",
        "lost_opportunity",
        "new_opportunity",
        "new_risk",
        "utilization_swing",
    ]
    texts = " | ".join(r.text for r in proposal.reasons)
    assert "Sarah Chen (champion) has left Acme" in texts and "Competitor pilot started" in texts
    assert "Known before" not in texts and "Minor" not in texts

    async with any_db.session() as session:
        document = await accept_proposal(session, proposal.id, actor="csm@example.com", now=NOW, surface="slack")
    assert document.status == "draft" and document.version == 2
    assert [e.active for e in document.stakeholder_plan.current_map] == [False, True]
    assert "champion" in document.stakeholder_plan.missing_roles
    assert [o.description for o in document.expansion_plan.opportunities] == ["Data connector add-on"]
    assert any(
        r.severity == "critical" and "Competitor" in r.risk for r in document.risk_mitigation.identified_risks
    )
    new_actions = [a for a in document.action_plan_90day if a.due_date == date(2026, 2, 17)]
    assert len(new_actions) == 5 and all(a.status == "open" for a in new_actions)
    assert document.generation_context["tracked_inputs"]["key_contact_ids"] == ["k2"]
    async with any_db.session() as session:
        plan = await get_plan(session, plan_id)
        revisions = await list_revisions(session, plan_id)
        stored = await get_proposal(session, proposal.id)
    assert plan.status == "draft" and plan.approved_version == 1  # the approved version stays in force
    assert revisions[-1].reason.startswith("accepted change proposal") and revisions[-1].diff
    assert stored.status == "accepted"

    # Once approved again, the revised plan is the new baseline: nothing left to propose.
    async with any_db.session() as session:
        await session.execute(update(AccountPlan).where(AccountPlan.id == plan_id).values(status="approved"))
    assert await propose_revisions(any_db, now=NOW) == []


async def test_a_proposal_is_decided_once(db: Database) -> None:
    await _approved_plan(db)
    await _set_customer(db, health_score=40)
    [proposal] = await propose_revisions(db, now=NOW)
    async with db.session() as session:
        await dismiss_proposal(session, proposal.id, actor="csm", now=NOW, surface="slack")
    async with db.session() as session:
        with pytest.raises(Conflict, match="already dismissed"):
            await accept_proposal(session, proposal.id, actor="csm", now=NOW, surface="slack")


async def test_accepting_a_stale_proposal_is_refused(db: Database) -> None:
    plan_id = await _approved_plan(db)
    await _set_customer(db, health_score=40)
    [proposal] = await propose_revisions(db, now=NOW)
    async with db.session() as session:
        await session.execute(update(AccountPlan).where(AccountPlan.id == plan_id).values(version=5))
    async with db.session() as session:
        with pytest.raises(Conflict, match="plan changed since this proposal"):
            await accept_proposal(session, proposal.id, actor="csm", now=NOW, surface="slack")
    async with db.session() as session:
        assert (await get_proposal(session, proposal.id)).status == "proposed"


async def test_replicas_checking_at_once_create_one_proposal(any_db: Database) -> None:
    await _approved_plan(any_db)
    await _set_customer(any_db, health_score=50)
    results = await asyncio.gather(*(propose_revisions(any_db, now=NOW) for _ in range(3)))
    assert sum(len(r) for r in results) == 1
    async with any_db.session() as session:
        assert len((await session.execute(select(PlanProposal))).scalars().all()) == 1


async def test_first_check_records_a_baseline_so_only_later_opportunities_are_new(any_db: Database) -> None:
    plan_id = await _approved_plan(any_db)
    # Open when the plan was drafted, but the drafter left it out of the plan: not a change.
    await add_rows(
        any_db,
        Opportunity(
            id="o-old",
            customer_id="c1",
            type="renewal",
            description="Multi-year renewal",
            value=Decimal("10000"),
            probability=0.3,
            stage="open",
        ),
    )
    assert await propose_revisions(any_db, now=NOW) == []
    async with any_db.session() as session:
        plan = await get_plan(session, plan_id)
    baseline = plan.generation_context["tracked_inputs"]
    assert baseline["open_opportunity_ids"] == ["o-old", "o1"] and baseline["health_score"] == 72

    # Marking an action done keeps the baseline; a health dip below the threshold does not move it.
    from tools.living.actions import mark_action_done

    async with any_db.session() as session:
        await mark_action_done(session, plan_id, 0, actor="csm@example.com")
    await _set_customer(any_db, health_score=66)
    assert await propose_revisions(any_db, now=NOW) == []

    await add_rows(
        any_db,
        Opportunity(
            id="o-new",
            customer_id="c1",
            type="upsell",
            description="Premium support",
            value=Decimal("30000"),
            probability=0.5,
            stage="open",
        ),
    )
    await _set_customer(any_db, health_score=61)  # 11 below the drafted 72
    [proposal] = await propose_revisions(any_db, now=NOW)
    assert sorted(r.key for r in proposal.reasons) == ["health:72:1", "opportunity-new:o-new"]


async def test_an_opportunity_opened_after_drafting_is_news_even_before_the_first_check(db: Database) -> None:
    """A generated plan records what it knew (`tracked_inputs`), so a deal opened between drafting
    and the scheduler's first hourly check is still a change."""
    from agent.generate import GenerationRequest, generate_plan

    await add_customer(db, "c1", "Acme", health=72, utilization=50.0)
    generated = await generate_plan(agent_deps(db), GenerationRequest(customer="c1", as_of=date(2026, 2, 1), author="test"))
    assert generated.document.generation_context["tracked_inputs"]["open_opportunity_ids"] == []
    async with db.session() as session:
        await session.execute(
            update(AccountPlan).where(AccountPlan.id == generated.document.plan_id).values(status="approved")
        )
    await add_rows(
        db,
        Opportunity(
            id="o-late",
            customer_id="c1",
            type="upsell",
            description="Premium support",
            value=Decimal("30000"),
            probability=0.5,
            stage="open",
        ),
    )
    [proposal] = await propose_revisions(db, now=NOW)
    assert [r.key for r in proposal.reasons] == ["opportunity-new:o-late"]
