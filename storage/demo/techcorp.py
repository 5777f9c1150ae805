"""TechCorp Industries, the PRD-235 example account, exactly as the PRD describes it.

$250K strategic technology account, health 68, 55% feature utilization, seats about 90% used,
five contacts with Sarah Chen (VP Product) the one engaged champion and no CTO or CFO on record
(single-threaded executive engagement), two open opportunities including the "Premium analytics
tier" upsell ($50K, p=0.7, closing in Q2 of the year being planned), one active risk: the customer
is "currently evaluating alternatives for analytics", and a renewal pending later in the coming
year. Dates are relative to `as_of`.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from storage.fiscal_year import fiscal_quarters, planning_fiscal_year

TECHCORP_ID = "techcorp"
TECHCORP_NAME = "TechCorp Industries"
TECHCORP_CSM = "csm001@demo.accountplan.test"
RENEWAL_IN_DAYS = 270
# Sarah's touches: days before as_of and sentiment. Five recent, warm interactions put her
# relationship score near 78 (PRD example) with tools.analytics.relationships' weights.
SARAH_TOUCHES = ((5, 0.5), (19, 0.4), (41, 0.3), (76, 0.3), (130, 0.25))
HEALTH_TREND = (74, 75, 74, 73, 74, 72, 72, 71, 71, 70, 70, 69, 69, 68, 68)  # monthly, oldest first
UTILIZATION_TREND = (47, 48, 48, 49, 50, 50, 51, 52, 52, 53, 53, 54, 54, 55, 55)
ACTIVE_USERS_TREND = (236, 240, 241, 245, 248, 250, 252, 255, 257, 259, 262, 264, 266, 268, 270)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def quarter_close(as_of: date, start_month: int, quarter: int) -> date:
    """The middle of `quarter` (1-4) of the fiscal year being planned on as_of (the current one,
    or the next once its last quarter has begun); when that quarter is over, the middle of the
    first later one still ahead: an open opportunity never closes in the past, and always inside
    the year the plan is for."""
    soonest = as_of + timedelta(days=14)
    quarters = fiscal_quarters(planning_fiscal_year(as_of, start_month), start_month)
    for candidate in quarters[quarter - 1 :]:
        if candidate.end >= soonest:
            return min(candidate.end, max(_add_months(candidate.start, 1) + timedelta(days=14), soonest))
    return quarters[-1].end


def _contact(
    number: int, name: str, title: str, role: str, engagement: str, last: date | None
) -> dict[str, Any]:
    first, _, last_name = name.partition(" ")
    return {
        "id": f"{TECHCORP_ID}-p{number}",
        "customer_id": TECHCORP_ID,
        "name": name,
        "title": title,
        "role": role,
        "email": f"{first}.{last_name}@techcorp.example".lower(),
        "engagement_level": engagement,
        "last_contacted": last,
        "active": True,
    }


def techcorp_rows(as_of: date, start_month: int = 1) -> dict[str, list[dict[str, Any]]]:
    """Every row of TechCorp Industries, keyed by table name."""

    def days(n: int) -> date:
        return as_of - timedelta(days=n)

    renewal = as_of + timedelta(days=RENEWAL_IN_DAYS)
    customer = {
        "id": TECHCORP_ID,
        "name": TECHCORP_NAME,
        "industry": "technology",
        "segment": "strategic",
        "arr": Decimal("250000.00"),
        "health_score": 68,
        "renewal_date": renewal,
        "contract_start": renewal - timedelta(days=730),
        "seats_purchased": 300,
        "seats_active": 270,
        "feature_utilization": 55.0,
        "csm_email": TECHCORP_CSM,
        "goals": "Scale customer success operations across EMEA; consolidate support tooling; "
        "cut time-to-resolution by 20%",
        "competitors": "Gainsight, Totango",
        "renewal_outcome": "pending",
        "arr_change_last_year": None,
    }
    contacts = [
        _contact(1, "Sarah Chen", "VP Product", "champion", "high", days(SARAH_TOUCHES[0][0])),
        _contact(2, "Marcus Webb", "Director of Engineering", "technical_buyer", "medium", days(34)),
        _contact(3, "Priya Patel", "Customer Success Operations Manager", "user", "medium", days(27)),
        _contact(4, "David Kim", "Senior Data Analyst", "user", "low", days(95)),
        _contact(5, "Rachel Torres", "IT Administrator", "user", "low", None),
    ]
    touches = [(1, day, sentiment, "meeting") for day, sentiment in SARAH_TOUCHES]
    touches += [(2, 34, 0.2, "call"), (2, 120, 0.1, "workshop"), (3, 27, 0.3, "call"), (4, 95, -0.1, "email")]
    summaries = {
        1: "roadmap review with Sarah: wants deeper analytics for the product org; they are currently "
        "evaluating alternatives for analytics",
        2: "integration check-in with Marcus: API limits raised, no blockers",
        3: "adoption review with Priya: two teams still on the legacy workflow",
        4: "reporting question from David: export limits frustrating the analysts",
    }
    interactions = [
        {
            "id": f"{TECHCORP_ID}-i{number}",
            "customer_id": TECHCORP_ID,
            "contact_id": f"{TECHCORP_ID}-p{contact}",
            "date": days(ago),
            "kind": kind,
            "sentiment": sentiment,
            "summary": summaries[contact],
        }
        for number, (contact, ago, sentiment, kind) in enumerate(sorted(touches, key=lambda t: t[1]), start=1)
    ]
    months = [_add_months(date(as_of.year, as_of.month, 1), offset) for offset in range(-14, 1)]
    opportunities = [
        _opportunity(1, "upsell", "Premium analytics tier", 50000, 0.7, quarter_close(as_of, start_month, 2)),
        _opportunity(
            2,
            "seat_expansion",
            "Seat expansion for the EMEA support team",
            50000,
            0.5,
            quarter_close(as_of, start_month, 3),
        ),
        _opportunity(3, "cross_sell", "Workflow automation module", 25000, 1.0, days(200), stage="won"),
    ]
    risks = [
        _risk(1, "competitor_evaluation", "medium", "Currently evaluating alternatives for analytics; "
              "the product org asked Gainsight and Totango for a pricing comparison", days(21), "active"),
        _risk(2, "support_escalation", "low", "P2 ticket backlog escalated by the support team; resolved "
              "after a hotfix", days(160), "resolved"),
    ]  # fmt: skip
    return {
        "customers": [customer],
        "contacts": contacts,
        "health_history": [
            {"customer_id": TECHCORP_ID, "date": month, "score": score}
            for month, score in zip(months, HEALTH_TREND, strict=True)
        ],
        "usage_monthly": [
            {
                "customer_id": TECHCORP_ID,
                "month": month.strftime("%Y-%m"),
                "active_users": users,
                "feature_utilization": float(utilization),
            }
            for month, users, utilization in zip(months, ACTIVE_USERS_TREND, UTILIZATION_TREND, strict=True)
        ],
        "opportunities": opportunities,
        "risk_signals": risks,
        "interactions": interactions,
    }


def _opportunity(
    number: int,
    kind: str,
    description: str,
    value: int,
    probability: float,
    closes: date,
    stage: str = "open",
) -> dict[str, Any]:
    return {
        "id": f"{TECHCORP_ID}-o{number}",
        "customer_id": TECHCORP_ID,
        "type": kind,
        "description": description,
        "value": Decimal(value),
        "probability": probability,
        "expected_close": closes,
        "stage": stage,
    }


def _risk(
    number: int, kind: str, severity: str, description: str, detected: date, status: str
) -> dict[str, Any]:
    return {
        "id": f"{TECHCORP_ID}-r{number}",
        "customer_id": TECHCORP_ID,
        "type": kind,
        "severity": severity,
        "description": description,
        "detected_at": detected,
        "status": status,
    }
