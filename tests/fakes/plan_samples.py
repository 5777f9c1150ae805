"""A small, valid account plan and a matching customer for tests of edits, diffs and the agent."""

from __future__ import annotations

import copy
import re
from datetime import date
from decimal import Decimal
from typing import Any

from storage.db import Database
from storage.models import Contact, Customer, Opportunity, User
from storage.plan_document import AccountPlanDocument
from storage.plans import save_plan_version
from tests.fakes.anthropic_api import Call, Reply, Responder, text, tokens, tool_use
from tools.analytics.context import PlanningContext
from tools.analytics.expansion import ExpansionAssessment, ExpansionCandidate
from tools.analytics.relationships import RelationshipScore
from tools.analytics.risks import DetectedRisk, RiskAssessment
from tools.analytics.similar_accounts import SimilarAccounts
from tools.analytics.snapshot import (
    ContactInsight,
    CustomerSnapshot,
    InteractionSummary,
    OpportunityFact,
    Trend,
    TrendPoint,
)
from tools.analytics.stakeholders import StakeholderCoverage

CUSTOMER_ID = "cust-techcorp"


def objective(number: int, priority: str = "high", text: str | None = None) -> dict[str, Any]:
    return {
        "id": f"obj-{number}",
        "objective": text or f"Objective number {number} for the account",
        "rationale": "Because the data says so",
        "success_metrics": [
            {
                "metric": "Feature utilization",
                "current": "55%",
                "target": "80%",
                "measurement": "Monthly report",
            }
        ],
        "quarterly_milestones": [
            {"quarter": "Q1", "milestone": "Intro meeting with CTO"},
            {"quarter": "Q2", "milestone": "CFO value review"},
            {"quarter": "Q3", "milestone": "Joint exec planning session"},
            {"quarter": "Q4", "milestone": "Renewal approval secured"},
        ],
        "owner": "CSM",
        "priority": priority,
    }


def plan_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "plan_id": "",
        "status": "draft",
        "customer_id": CUSTOMER_ID,
        "customer_name": "TechCorp Industries",
        "fiscal_year": "FY2026",
        "ai_confidence": 0.8,
        "executive_summary": "TechCorp Industries is a $250,000 account with 55% feature utilization.",
        "business_context": {
            "industry_trends": "Technology budgets are steady.",
            "customer_goals": "Scale customer success operations.",
            "competitive_landscape": "Evaluating one alternative.",
        },
        "strategic_objectives": [
            objective(1, "critical", "Expand executive engagement to multi-level"),
            objective(2, "high", "Increase platform adoption to 80% feature utilization"),
            objective(3, "medium", "Secure a multi-year renewal"),
        ],
        "stakeholder_plan": {
            "current_assessment": "Strong champion, limited breadth.",
            "current_map": [
                {
                    "stakeholder_id": "c-sarah",
                    "name": "Sarah Chen",
                    "title": "VP Product",
                    "role": "champion",
                    "relationship_score": 78,
                    "engagement_level": "high",
                    "active": True,
                }
            ],
            "relationship_goals": [
                {
                    "stakeholder_id": "c-sarah",
                    "name": "Sarah Chen",
                    "current_score": 78,
                    "target_score": 90,
                    "strategy": "Elevate to executive sponsor",
                }
            ],
            "missing_roles": ["economic buyer"],
            "multi_threading_target": 4,
            "exec_sponsor_strategy": "Quarterly executive briefings.",
        },
        "expansion_plan": {
            "current_arr": 250000,
            "target_arr": 300000,
            "opportunities": [
                {
                    "type": "upsell",
                    "description": "Premium analytics tier",
                    "value": 50000,
                    "probability": 0.7,
                    "timeline": "Q2",
                }
            ],
        },
        "risk_mitigation": {
            "identified_risks": [
                {
                    "risk": "Single executive sponsor",
                    "severity": "high",
                    "mitigation": "Multi-thread to CTO",
                    "owner": "CSM",
                }
            ]
        },
        "qbr_schedule": [
            {"quarter": "Q1", "date": "2026-02-15", "focus": "Kickoff", "attendees": ["Sarah Chen"]},
        ],
        "resource_plan": {
            "engagement_model": "high-touch",
            "csm_hours_per_month": 12,
            "specialists": ["Solutions engineer"],
            "executive_alignment": "VP CS sponsors the account.",
            "rationale": "Strategic account.",
        },
        "action_plan_90day": [
            {
                "week": 1,
                "action": "Request intro to CTO from Sarah",
                "owner": "CSM",
                "due_date": "2026-01-09",
            },
            {
                "week": 2,
                "action": "Prepare executive briefing materials",
                "owner": "CSM",
                "due_date": "2026-01-16",
            },
        ],
        "benchmark_comparison": {
            "similar_accounts_success_rate": 0.75,
            "similar_accounts": [],
            "key_differentiators": "Exec strategy like top performers.",
            "missing_elements": ["training objective"],
        },
        "version": 1,
        "ai_generated": False,
        "generation_context": {},
    }
    data.update(overrides)
    return data


def sample_plan(**overrides: Any) -> AccountPlanDocument:
    return AccountPlanDocument.model_validate(plan_data(**overrides))


async def seed_customer(database: Database, *, goals: str = "Scale customer success operations") -> None:
    """TechCorp with one champion and one open opportunity, matching `sample_plan`."""
    async with database.session() as session:
        session.add(User(email="mgr@example.com", name="Morgan Manager", role="manager"))
        session.add(
            User(email="csm@example.com", name="Casey CSM", role="csm", manager_email="mgr@example.com")
        )
        session.add(
            Customer(
                id=CUSTOMER_ID,
                name="TechCorp Industries",
                industry="Technology",
                segment="enterprise",
                arr=Decimal("250000"),
                health_score=68,
                renewal_date=date(2026, 9, 30),
                contract_start=date(2024, 10, 1),
                seats_purchased=100,
                seats_active=90,
                feature_utilization=55.0,
                csm_email="csm@example.com",
                goals=goals,
            )
        )
        await session.flush()
        session.add(
            Contact(
                id="c-sarah",
                customer_id=CUSTOMER_ID,
                name="Sarah Chen",
                title="VP Product",
                role="champion",
                engagement_level="high",
                active=True,
            )
        )
        session.add(
            Opportunity(
                id="opp-1",
                customer_id=CUSTOMER_ID,
                type="upsell",
                description="Premium analytics tier",
                value=Decimal("50000"),
                probability=0.7,
                stage="open",
            )
        )


async def seed_plan(database: Database, **overrides: Any) -> AccountPlanDocument:
    """The customer plus a stored version-1 plan; returns the stored document."""
    await seed_customer(database)
    async with database.session() as session:
        saved = await save_plan_version(
            session, sample_plan(**overrides), author="csm@example.com", reason="test"
        )
    return saved.document


def sample_context(*, goals: str = "Scale customer success operations") -> PlanningContext:
    """TechCorp's planning context, built directly (matches `seed_customer` and `sample_plan`)."""
    score = RelationshipScore(contact_id="c-sarah", score=78, components={}, weights={}, explanation="strong")
    flat = Trend(
        points=[TrendPoint(period="2025-12", value=68.0)], latest=68.0, change_90d=-4.0, change_pct_90d=-5.6
    )
    return PlanningContext(
        as_of=date(2026, 1, 2),
        customer=CustomerSnapshot(
            id=CUSTOMER_ID,
            name="TechCorp Industries",
            industry="Technology",
            segment="enterprise",
            arr=250000.0,
            health_score=68,
            renewal_date=date(2026, 9, 30),
            contract_start=date(2024, 10, 1),
            seats_purchased=100,
            seats_active=90,
            feature_utilization=55.0,
            csm_email="csm@example.com",
            goals=goals,
            competitors=None,
            renewal_outcome="pending",
            arr_change_last_year=None,
        ),
        contacts=[
            ContactInsight(
                id="c-sarah",
                name="Sarah Chen",
                title="VP Product",
                role="champion",
                email=None,
                engagement_level="high",
                last_contacted=date(2025, 12, 1),
                active=True,
                relationship=score,
            )
        ],
        health=flat,
        usage_active_users=flat,
        usage_utilization=flat,
        opportunities=[
            OpportunityFact(
                id="opp-1",
                type="upsell",
                description="Premium analytics tier",
                value=50000.0,
                probability=0.7,
                expected_close=date(2026, 5, 1),
                stage="open",
            )
        ],
        risk_signals=[],
        interactions=InteractionSummary(
            count_90d=3,
            count_total=10,
            average_sentiment_90d=0.4,
            last_interaction=date(2025, 12, 1),
            recent=[],
        ),
        days_to_renewal=271,
        coverage=StakeholderCoverage(
            covered_roles={"champion": ["c-sarah"]},
            missing_roles=["economic buyer"],
            champion_count=1,
            has_exec_sponsor=False,
            active_contacts=1,
            engaged_contacts=1,
            single_threaded=True,
            departed=[],
            explanation="single-threaded through Sarah Chen",
        ),
        expansion=ExpansionAssessment(
            candidates=[
                ExpansionCandidate(
                    source="crm",
                    opportunity_id="opp-1",
                    type="upsell",
                    description="Premium analytics tier",
                    value=50000.0,
                    probability=0.7,
                    expected_close=date(2026, 5, 1),
                    expected_quarter="Q2",
                    evidence="CRM",
                )
            ],
            total_pipeline=50000.0,
            weighted_pipeline=35000.0,
            arr_per_seat=2500.0,
            seat_utilization=0.9,
            expansion_ready=True,
            explanation="seats 90% used",
        ),
        risks=RiskAssessment(
            risks=[
                DetectedRisk(
                    kind="single_threaded",
                    severity="high",
                    title="Single-threaded",
                    evidence="only Sarah Chen is engaged",
                )
            ],
            highest_severity="high",
            at_risk=True,
        ),
        similar=SimilarAccounts(
            accounts=[],
            sample_size=4,
            success_rate=0.75,
            distinguishing_factors=[],
            successful_profile={},
            explanation="3 of 4 similar accounts renewed and grew",
        ),
        data_gaps=[],
    )


def tool_answer(plan: dict[str, Any], call: Call) -> dict[str, Any]:
    """What a well-behaved model would send to the call's forced tool: the matching part of `plan`."""
    from agent.claude.section_jobs import SPECS
    from tests.fakes.model_answers import section_piece

    tool = call.forced_tool or ""
    request = call.body["messages"][0]["content"]
    if tool == "write_objective":
        slot = re.search(r"objective (obj-\d+)", request).group(1)  # type: ignore[union-attr]
        return {"objective": copy.deepcopy(next(o for o in plan["strategic_objectives"] if o["id"] == slot))}
    if tool == "write_actions":
        first, last = map(int, re.search(r"weeks (\d+)-(\d+)", request).groups())  # type: ignore[union-attr]
        return {
            "actions": [copy.deepcopy(a) for a in plan["action_plan_90day"] if first <= a["week"] <= last]
        }
    section = SPECS[tool].section
    if section is not None:
        return section_piece(tool, request, plan[section])
    return {field: copy.deepcopy(plan[field]) for field in SPECS[tool].fields}


def plan_author(
    plan: dict[str, Any] | None = None,
    *,
    seconds_per_output_token: float = 0.0,
    base_latency: float = 0.0,
) -> Responder:
    """A responder that drafts every forced section group from `plan` (default: the sample plan),
    answers the cache warm-up, and takes time proportional to the output it writes."""
    source = plan or plan_data()

    def respond(call: Call) -> Reply:
        tool = call.forced_tool
        if tool is None:
            return Reply([text("OK")], stop_reason="max_tokens", output_tokens=1, delay=base_latency)
        content = [tool_use(tool, tool_answer(source, call))]
        out = tokens(content)
        return Reply(
            content,
            stop_reason="tool_use",
            output_tokens=out,
            delay=base_latency + out * seconds_per_output_token,
        )

    return respond
