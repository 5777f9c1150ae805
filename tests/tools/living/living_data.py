"""Test data for the living-plans tests: customers, contacts and approved plans with dated actions
and QBRs, built directly (no drafter) so the tests only depend on storage."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import update

from storage.db import Database
from storage.models import AccountPlan, Contact, Customer, HealthScore, Opportunity, RiskSignal, User
from storage.plan_document import AccountPlanDocument
from storage.plans import save_plan_version

FY_START = date(2026, 1, 1)


def plan_document(
    customer_id: str,
    customer_name: str,
    *,
    start: date = FY_START,
    qbr_dates: list[date] | None = None,
    contacts: list[dict[str, Any]] | None = None,
    generation_context: dict[str, Any] | None = None,
    actions: int = 6,
) -> AccountPlanDocument:
    """A valid plan whose week-N action is due `start + 7N - 1` days."""
    qbrs = qbr_dates or [date(2026, 3, 20), date(2026, 6, 19), date(2026, 9, 18), date(2026, 12, 11)]
    objectives = [
        {
            "id": f"obj-{n}",
            "objective": f"Objective number {n} for {customer_name}",
            "rationale": "Because the data says so.",
            "success_metrics": [
                {
                    "metric": "Feature utilization" if n == 1 else f"Metric {n}",
                    "current": "50%",
                    "target": "80%",
                    "measurement": "monthly report",
                }
            ],
            "quarterly_milestones": [
                {"quarter": q, "milestone": f"{q} milestone {n}", "done": False}
                for q in ("Q1", "Q2", "Q3", "Q4")
            ],
            "owner": "CSM",
            "priority": ["critical", "high", "medium"][n - 1],
        }
        for n in (1, 2, 3)
    ]
    return AccountPlanDocument.model_validate(
        {
            "plan_id": "",
            "customer_id": customer_id,
            "customer_name": customer_name,
            "fiscal_year": "FY2026",
            "ai_confidence": 0.8,
            "executive_summary": f"{customer_name} is a strategic account worth keeping healthy.",
            "business_context": {"industry_trends": "t", "customer_goals": "g", "competitive_landscape": "c"},
            "strategic_objectives": objectives,
            "stakeholder_plan": {
                "current_assessment": "ok",
                "current_map": contacts or [],
                "relationship_goals": [],
                "missing_roles": [],
                "multi_threading_target": 4,
                "exec_sponsor_strategy": "quarterly briefings",
            },
            "expansion_plan": {"current_arr": 100000, "target_arr": 150000, "opportunities": []},
            "risk_mitigation": {"identified_risks": []},
            "qbr_schedule": [
                {"quarter": f"Q{i + 1}", "date": d.isoformat(), "focus": f"Q{i + 1} review"}
                for i, d in enumerate(qbrs)
            ],
            "resource_plan": {
                "engagement_model": "high touch",
                "csm_hours_per_month": 10,
                "specialists": [],
                "executive_alignment": "VP",
                "rationale": "size",
            },
            "action_plan_90day": [
                {
                    "week": week,
                    "action": f"{customer_name} action week {week}",
                    "owner": "CSM",
                    "due_date": (start + timedelta(days=7 * week - 1)).isoformat(),
                    "objective_id": f"obj-{1 + (week - 1) % 3}",
                }
                for week in range(1, actions + 1)
            ],
            "benchmark_comparison": {
                "similar_accounts_success_rate": 0.5,
                "similar_accounts": [],
                "key_differentiators": "none",
                "missing_elements": [],
            },
            "generation_context": generation_context or {},
        }
    )


async def add_customer(
    database: Database,
    customer_id: str,
    name: str,
    *,
    csm: str = "csm@example.com",
    health: int = 70,
    renewal: date | None = None,
    utilization: float = 50.0,
    outcome: str | None = None,
    arr_change: float | None = None,
) -> None:
    async with database.session() as session:
        session.add(
            Customer(
                id=customer_id,
                name=name,
                industry="Technology",
                segment="Enterprise",
                arr=Decimal("100000"),
                health_score=health,
                renewal_date=renewal,
                feature_utilization=utilization,
                csm_email=csm,
                renewal_outcome=outcome,
                arr_change_last_year=Decimal(str(arr_change)) if arr_change is not None else None,
            )
        )


async def add_user(database: Database, email: str, slack_user_id: str, role: str = "csm") -> None:
    async with database.session() as session:
        session.add(
            User(email=email, name=email.split("@")[0].title(), role=role, slack_user_id=slack_user_id)
        )


async def add_approved_plan(
    database: Database, document: AccountPlanDocument, *, status: str = "approved"
) -> str:
    """Save `document` and approve it the way the approval workflow leaves a plan."""
    async with database.session() as session:
        saved = await save_plan_version(session, document, author="csm@example.com", reason="drafted")
        await session.execute(
            update(AccountPlan)
            .where(AccountPlan.id == saved.plan.id)
            .values(
                status=status,
                approved_by="manager@example.com",
                approved_version=saved.document.version,
                approved_at=datetime(2026, 1, 1, tzinfo=UTC),
            )
        )
        return saved.plan.id


async def add_rows(database: Database, *rows: Contact | HealthScore | Opportunity | RiskSignal) -> None:
    async with database.session() as session:
        session.add_all(rows)
