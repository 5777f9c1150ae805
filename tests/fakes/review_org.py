"""A small team for review and approval tests: two managers, their CSMs, an admin, and a plan.

maya (manager) <- carl (CSM, owns TechCorp) ; mo (manager) <- dina (CSM, owns Globex) ; ada (admin).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from storage.db import Database
from storage.models import Customer
from storage.plan_document import AccountPlanDocument
from storage.plans import save_plan_version
from storage.users import save_user

ADMIN = "ada@example.com"
MAYA = "maya@example.com"
MO = "mo@example.com"
CARL = "carl@example.com"
DINA = "dina@example.com"
SLACK_IDS = {ADMIN: "U0ADA", MAYA: "U0MAYA", MO: "U0MO", CARL: "U0CARL", DINA: "U0DINA"}
CUSTOMER_ID = "cust-techcorp"
OTHER_CUSTOMER_ID = "cust-globex"


def _objective(number: int, priority: str) -> dict[str, Any]:
    return {
        "id": f"obj-{number}",
        "objective": f"Objective {number}: grow adoption across the account",
        "rationale": "Feature utilization is 55%, below similar renewed accounts.",
        "success_metrics": [
            {
                "metric": "Feature utilization",
                "current": "55%",
                "target": "80%",
                "measurement": "Monthly report",
            }
        ],
        "quarterly_milestones": [
            {"quarter": q, "milestone": f"{q} milestone for objective {number}"}
            for q in ("Q1", "Q2", "Q3", "Q4")
        ],
        "owner": "CSM",
        "priority": priority,
    }


PLAN_DATA: dict[str, Any] = {
    "plan_id": "",
    "status": "draft",
    "customer_id": CUSTOMER_ID,
    "customer_name": "TechCorp Industries",
    "fiscal_year": "FY2026",
    "ai_confidence": 0.82,
    "executive_summary": "TechCorp Industries is a $250K strategic account with single-threaded engagement.",
    "business_context": {
        "industry_trends": "Technology budgets are steady.",
        "customer_goals": "Scale customer success operations.",
        "competitive_landscape": "Evaluating one alternative.",
    },
    "strategic_objectives": [_objective(1, "critical"), _objective(2, "high"), _objective(3, "medium")],
    "stakeholder_plan": {
        "current_assessment": "Strong champion, limited breadth.",
        "current_map": [],
        "relationship_goals": [],
        "missing_roles": ["economic buyer"],
        "multi_threading_target": 4,
        "exec_sponsor_strategy": "Quarterly executive briefings.",
    },
    "expansion_plan": {"current_arr": 250000, "target_arr": 285000, "opportunities": []},
    "risk_mitigation": {"identified_risks": []},
    "qbr_schedule": [],
    "resource_plan": {
        "engagement_model": "high-touch",
        "csm_hours_per_month": 12,
        "specialists": [],
        "executive_alignment": "VP CS sponsors the account.",
        "rationale": "Strategic account.",
    },
    "action_plan_90day": [
        {"week": 1, "action": "Request intro to CTO", "owner": "CSM", "due_date": "2026-01-09"}
    ],
    "benchmark_comparison": {
        "similar_accounts_success_rate": 0.75,
        "similar_accounts": [],
        "key_differentiators": "Exec strategy like top performers.",
        "missing_elements": [],
    },
    "version": 1,
    "ai_generated": False,
    "generation_context": {},
}


def plan_document(**overrides: Any) -> AccountPlanDocument:
    data = copy.deepcopy(PLAN_DATA)
    data.update(overrides)
    return AccountPlanDocument.model_validate(data)


def plan_json(**overrides: Any) -> dict[str, Any]:
    return plan_document(**overrides).to_json_dict()


@dataclass(frozen=True)
class Org:
    plan_id: str
    other_plan_id: str


async def seed_org(database: Database, *, slack_ids: bool = True) -> Org:
    """The team, two customers and a draft plan (version 1) for each."""
    async with database.session() as session:
        await save_user(session, ADMIN, name="Ada Admin", role="admin", slack_user_id=SLACK_IDS[ADMIN])
        for manager, name in ((MAYA, "Maya Manager"), (MO, "Mo Manager")):
            await save_user(
                session,
                manager,
                name=name,
                role="manager",
                slack_user_id=SLACK_IDS[manager] if slack_ids else None,
            )
        await save_user(
            session, CARL, name="Carl CSM", role="csm", manager_email=MAYA,
            slack_user_id=SLACK_IDS[CARL] if slack_ids else None,
        )  # fmt: skip
        await save_user(
            session, DINA, name="Dina CSM", role="csm", manager_email=MO,
            slack_user_id=SLACK_IDS[DINA] if slack_ids else None,
        )  # fmt: skip
        session.add(Customer(id=CUSTOMER_ID, name="TechCorp Industries", arr=Decimal(250000), csm_email=CARL))
        session.add(Customer(id=OTHER_CUSTOMER_ID, name="Globex", arr=Decimal(90000), csm_email=DINA))
        await session.flush()
        first = await save_plan_version(session, plan_document(), author=CARL, reason="generated")
        second = await save_plan_version(
            session,
            plan_document(customer_id=OTHER_CUSTOMER_ID, customer_name="Globex"),
            author=DINA,
            reason="generated",
        )
    return Org(plan_id=first.plan.id, other_plan_id=second.plan.id)
