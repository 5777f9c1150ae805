"""A plan an experienced CS leader would sign off as it is, for the PRD's TechCorp as of
2026-01-15 (FY2026, renewal Sep 30 in Q3, no executive sponsor or economic buyer on record):
the review finds nothing in it. Each review test breaks one thing in a copy of it."""

from __future__ import annotations

import copy
from typing import Any

from storage.plan_document import AccountPlanDocument
from tests.agent.context_factory import techcorp
from tools.analytics.context import PlanningContext


def milestones(*texts: str) -> list[dict[str, Any]]:
    return [{"quarter": f"Q{n}", "milestone": text} for n, text in enumerate(texts, start=1)]


def action(
    week: int, due: str, text: str, objective: str | None = None, owner: str = "CSM"
) -> dict[str, Any]:
    return {"week": week, "due_date": due, "action": text, "owner": owner, "objective_id": objective}


CLEAN: dict[str, Any] = {
    "plan_id": "plan-techcorp-fy2026",
    "status": "draft",
    "customer_id": "cust-techcorp",
    "customer_name": "TechCorp Industries",
    "fiscal_year": "FY2026",
    "ai_confidence": 0.82,
    "executive_summary": (
        "TechCorp Industries is a $250K enterprise account with health 68 and 55% feature utilization; "
        "the renewal is on Sep 30, 2026. FY2026 priorities: secure the renewal, build executive coverage "
        "beyond Sarah Chen and lift feature utilization to 70%. Target ARR $285K: $35K probability-weighted "
        "pipeline from the premium analytics upsell."
    ),
    "business_context": {
        "industry_trends": "Technology buyers are consolidating their support tooling.",
        "customer_goals": "In the customer's words: \u201cScale customer success operations to 3 regions\u201d",
        "competitive_landscape": "Competitors on record: \u201cGainsight\u201d",
    },
    "strategic_objectives": [
        {
            "id": "obj-1",
            "objective": "Secure the renewal of the $250K contract by Sep 30, 2026",
            "rationale": "The renewal falls in Q3; health 68 supports starting the renewal case early.",
            "success_metrics": [
                {
                    "metric": "Health score",
                    "current": 68,
                    "target": 78,
                    "measurement": "Monthly health score",
                },
                {
                    "metric": "Renewal committed",
                    "current": "not started",
                    "target": "signed by Sep 30, 2026",
                    "measurement": "Signed order form in the CRM",
                },
            ],
            "quarterly_milestones": milestones(
                "Value review with Sarah Chen: outcomes against goals",
                "Renewal proposal agreed with Sarah Chen",
                "Renewal signed by Sep 30, 2026",
                "Post-renewal success plan kicked off with Sarah Chen",
            ),
            "owner": "CSM",
            "priority": "critical",
        },
        {
            "id": "obj-2",
            "objective": "Build executive coverage beyond Sarah Chen",
            "rationale": "The account rests on Sarah Chen; the renewal needs an executive sponsor and the budget owner.",
            "success_metrics": [
                {
                    "metric": "Executives engaged",
                    "current": 0,
                    "target": 2,
                    "measurement": "Met once a quarter",
                }
            ],
            "quarterly_milestones": milestones(
                "Identify the economic buyer and an executive sponsor through Sarah Chen",
                "Economic buyer briefed on value delivered",
                "Executive sponsor joins the pre-renewal review",
                "Quarterly executive review held",
            ),
            "owner": "CSM",
            "priority": "high",
        },
        {
            "id": "obj-3",
            "objective": "Increase platform adoption to 70% feature utilization",
            "rationale": "Utilization is 55%; successful similar accounts average 74%.",
            "success_metrics": [
                {
                    "metric": "Feature utilization",
                    "current": "55%",
                    "target": "70%",
                    "measurement": "Monthly report",
                }
            ],
            "quarterly_milestones": milestones(
                "Usage review with Mike Ross",
                "Role-based training for inactive users",
                "Adoption reviewed at the QBR",
                "70% utilization sustained for a full month",
            ),
            "owner": "Both",
            "priority": "high",
        },
    ],
    "stakeholder_plan": {
        "current_assessment": "5 active contacts, 2 engaged; strongest relationship: Sarah Chen (VP Product) at 78.",
        "current_map": [
            {"stakeholder_id": "c-sarah", "name": "Sarah Chen", "title": "VP Product", "role": "champion"},
            {
                "stakeholder_id": "c-mike",
                "name": "Mike Ross",
                "title": "Director of Engineering",
                "role": "technical_buyer",
            },
            {"stakeholder_id": "c-ana", "name": "Ana Lopez", "title": "Ops Manager", "role": "user"},
            {"stakeholder_id": "c-raj", "name": "Raj Patel", "title": "Analyst", "role": "user"},
            {"stakeholder_id": "c-lee", "name": "Lee Kim", "title": "Team Lead", "role": "champion"},
        ],
        "relationship_goals": [
            {
                "stakeholder_id": "c-sarah",
                "name": "Sarah Chen",
                "current_score": 78,
                "target_score": 85,
                "strategy": "Involve her in strategic planning and ask for the executive introductions",
            },
            {
                "stakeholder_id": "c-mike",
                "name": "Mike Ross",
                "current_score": 61,
                "target_score": 70,
                "strategy": "Monthly technical review of integrations and the adoption roadmap",
            },
        ],
        "missing_roles": ["executive sponsor (VP+)", "economic buyer"],
        "multi_threading_target": 4,
        "exec_sponsor_strategy": (
            "No executive sponsor on record. Ask Sarah Chen to introduce a VP+ sponsor, then propose quarterly "
            "executive reviews."
        ),
    },
    "expansion_plan": {
        "current_arr": 250000,
        "target_arr": 285000,
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
                "risk": "Single-threaded relationship: only Sarah Chen is engaged at director level or above",
                "severity": "medium",
                "mitigation": "Ask Sarah Chen to introduce the economic buyer and an executive sponsor this quarter",
                "owner": "CSM",
            }
        ]
    },
    "qbr_schedule": [
        {
            "quarter": "Q1",
            "date": "2026-02-16",
            "focus": "Value review and adoption plan",
            "attendees": ["Sarah Chen", "Mike Ross", "CSM"],
        },
        {
            "quarter": "Q2",
            "date": "2026-05-15",
            "focus": "Renewal proposal and training results",
            "attendees": ["Sarah Chen", "CSM"],
        },
        {
            "quarter": "Q3",
            "date": "2026-07-17",
            "focus": "Pre-renewal review: value delivered",
            "attendees": ["Sarah Chen", "CSM"],
        },
        {
            "quarter": "Q4",
            "date": "2026-11-16",
            "focus": "Post-renewal goals for next year",
            "attendees": ["Sarah Chen", "CSM"],
        },
    ],
    "resource_plan": {
        "engagement_model": "Dedicated CSM, high-touch: weekly syncs and quarterly executive QBRs",
        "csm_hours_per_month": 20,
        "specialists": [
            "Solutions engineer for enablement sessions",
            "Account executive for the premium analytics upsell",
        ],
        "executive_alignment": "Our VP Customer Success meets the executive sponsor quarterly, once identified",
        "rationale": "Enterprise segment baseline of 20 hours a month for a $250K account.",
    },
    "action_plan_90day": [
        action(
            1,
            "2026-01-21",
            "Ask Sarah Chen for introductions to the economic buyer and an executive sponsor",
            "obj-2",
        ),
        action(2, "2026-01-28", "Pull the usage report and review it with Mike Ross", "obj-3"),
        action(3, "2026-02-04", "Outline the renewal business case with Sarah Chen", "obj-1"),
        action(4, "2026-02-11", "Prepare the Q1 QBR deck and agenda; confirm Sarah Chen and Mike Ross"),
        action(5, "2026-02-16", "Hold the Q1 QBR on Feb 16, 2026", None, "Both"),
        action(
            6, "2026-02-25", "Run the first role-based training session for inactive users", "obj-3", "Both"
        ),
        action(8, "2026-03-11", "Brief the economic buyer on value delivered", "obj-2"),
        action(10, "2026-03-25", "Send the value review summary to Sarah Chen", "obj-1"),
        action(12, "2026-04-08", "Draft the renewal proposal with the account executive", "obj-1"),
        action(13, "2026-04-15", "90-day review: report every success metric against its target"),
    ],
    "benchmark_comparison": {
        "similar_accounts_success_rate": 0.75,
        "similar_accounts": [],
        "key_differentiators": "Successful peers average 74% feature utilization.",
        "missing_elements": ["An executive sponsor (VP+)"],
    },
    "version": 1,
    "ai_generated": False,
    "generation_context": {"as_of": "2026-01-15", "fiscal_year_start_month": 1, "drafter": "offline"},
}


def clean_data() -> dict[str, Any]:
    return copy.deepcopy(CLEAN)


def document(data: dict[str, Any] | None = None) -> AccountPlanDocument:
    return AccountPlanDocument.model_validate(data if data is not None else clean_data())


def context(**customer: Any) -> PlanningContext:
    return techcorp(**customer)
