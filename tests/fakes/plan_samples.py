"""A small, valid account plan and a matching customer for tests of edits, diffs and the agent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from storage.db import Database
from storage.models import Contact, Customer, Opportunity, User
from storage.plan_document import AccountPlanDocument
from storage.plans import save_plan_version

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
