"""One synthetic demo account: its customer row, contacts, health and usage history, opportunities,
risk signals and interactions, generated from its own random stream so the same (index, seed,
as_of) always gives the same rows, with dates relative to `as_of`: renewals ahead (or, for the
accounts that churned, behind), interactions in the last months, open opportunities closing in the
fiscal year being planned, and a share of new accounts still onboarding."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from storage.demo.names import (
    COMPETITORS,
    FIRST_NAMES,
    GOALS,
    INDUSTRIES,
    INTERACTION_KINDS,
    LAST_NAMES,
    OPPORTUNITY_TEMPLATES,
    RISK_TEMPLATES,
    SUMMARIES,
    TITLES,
    company_name,
    email_domain,
)
from storage.demo.techcorp import TECHCORP_ID
from storage.fiscal_year import fiscal_year_bounds, planning_fiscal_year
from storage.vocabulary import OpportunityStage

ACCOUNTS_PER_CSM = 25
SEGMENTS = (  # name, weight, ARR range, list price per seat, contacts range
    ("smb", 35, (6_000, 40_000), 600, (2, 4)),
    ("mid-market", 35, (30_000, 160_000), 800, (3, 5)),
    ("enterprise", 22, (120_000, 650_000), 1000, (4, 7)),
    ("strategic", 8, (300_000, 1_500_000), 1200, (5, 8)),
)
ENGAGEMENT_WEIGHT = {"high": 4.0, "medium": 2.0, "low": 1.0, "none": 0.3}
ONBOARDING_SHARE = 0.45  # of the accounts in their first contract year, the share signed recently
ONBOARDING_AGE_DAYS = (10, 110)
CLOSE_NOTICE_DAYS = 14  # an open opportunity closes at least this long after as_of


def account_id(index: int) -> str:
    return TECHCORP_ID if index == 0 else f"demo-{index:06d}"


def csm_email(index: int) -> str:
    return f"csm{index // ACCOUNTS_PER_CSM + 1:03d}@demo.accountplan.test"


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _months_back(as_of: date, count: int) -> list[date]:
    """First days of the `count` months ending with as_of's month, oldest first."""
    index = as_of.year * 12 + as_of.month - 1
    return [date((index - back) // 12, (index - back) % 12 + 1, 1) for back in range(count - 1, -1, -1)]


def plan_year_window(as_of: date, start_month: int) -> tuple[date, date]:
    """The days an open opportunity may close on: from two weeks out to the end of the fiscal
    year being planned on as_of (the current one, or the next once its last quarter has begun)."""
    start, end = fiscal_year_bounds(planning_fiscal_year(as_of, start_month), start_month)
    return max(start, as_of + timedelta(days=CLOSE_NOTICE_DAYS)), end


def account_rows(index: int, seed: int, as_of: date, start_month: int = 1) -> dict[str, list[dict[str, Any]]]:
    """Every row of one synthetic account; the same (index, seed, as_of) always gives the same rows."""
    rng = random.Random(f"{seed}:{index}")
    stage_rng = random.Random(f"{seed}:{index}:stage")  # its own stream: the main one stays as it was
    customer_id = account_id(index)
    quality = rng.gauss(0.0, 1.0)  # the hidden driver: good accounts are healthy, engaged, and renew
    segment, _, (arr_low, arr_high), seat_price, (contacts_low, contacts_high) = rng.choices(
        SEGMENTS, weights=[s[1] for s in SEGMENTS]
    )[0]
    industry = rng.choice(INDUSTRIES)
    arr = round(math.exp(rng.uniform(math.log(arr_low), math.log(arr_high))) / 500) * 500
    seats = max(5, round(arr / (seat_price * rng.uniform(0.8, 1.2))))
    seats_active = max(1, round(seats * _clamp(0.72 + 0.12 * quality + rng.gauss(0, 0.08), 0.2, 1.05)))
    utilization = round(_clamp(55 + 14 * quality + rng.gauss(0, 8), 5, 98), 1)
    health = round(_clamp(66 + 13 * quality + rng.gauss(0, 6), 5, 99))

    roll = rng.random()
    onboarding_age: int | None = None
    if roll < 0.2:
        outcome, change = "pending", None
        contract_start = as_of - timedelta(days=rng.randint(60, 330))
        if stage_rng.random() < ONBOARDING_SHARE:
            onboarding_age = stage_rng.randint(*ONBOARDING_AGE_DAYS)
            contract_start = as_of - timedelta(days=onboarding_age)
            # Still ramping up: part of the seats active, the basic features in use.
            seats_active = max(1, round(seats * stage_rng.uniform(0.25, 0.7)))
            utilization = round(_clamp(utilization * stage_rng.uniform(0.4, 0.8), 5, 70), 1)
        renewal = contract_start + timedelta(days=365)
        ends = as_of
    elif rng.random() < 1 / (1 + math.exp(-(1.4 + 1.6 * quality))):
        outcome = "renewed"
        renewal = as_of + timedelta(days=rng.randint(15, 365))
        contract_start = renewal - timedelta(days=365 * rng.randint(2, 4))
        growth = rng.gauss(0.04 + 0.10 * quality, 0.08)
        change = Decimal(round(arr - arr / (1 + max(growth, -0.6)))).quantize(Decimal("0.01"))
        ends = as_of
    else:
        outcome = "churned"
        renewal = as_of - timedelta(days=rng.randint(10, 300))
        contract_start = renewal - timedelta(days=365 * rng.randint(1, 3))
        change = Decimal(-arr).quantize(Decimal("0.01"))
        ends = renewal  # nothing happens after a customer leaves

    name = company_name(index)
    customer = {
        "id": customer_id,
        "name": name,
        "industry": industry,
        "segment": segment,
        "arr": Decimal(arr).quantize(Decimal("0.01")),
        "health_score": health,
        "renewal_date": renewal,
        "contract_start": contract_start,
        "seats_purchased": seats,
        "seats_active": seats_active,
        "feature_utilization": utilization,
        "csm_email": csm_email(index),
        "goals": "; ".join(rng.sample(GOALS[industry], 2)),
        "competitors": ", ".join(rng.sample(COMPETITORS, rng.randint(0, 2))) or None,
        "renewal_outcome": outcome,
        "arr_change_last_year": change,
    }
    contacts = _contacts(
        rng, customer_id, email_domain(name), quality, rng.randint(contacts_low, contacts_high)
    )
    interactions = _interactions(rng, customer_id, contacts, quality, ends, contract_start)
    months = _months_back(ends, rng.randint(12, 18))
    # No history from before the contract began.
    months = [m for m in months if m >= date(contract_start.year, contract_start.month, 1)] or months[-1:]
    slope = _clamp(rng.gauss(0.4 * quality, 0.8), -3, 3)  # health points per month
    health_rows = [
        {
            "customer_id": customer_id,
            "date": day,
            "score": health
            if step == len(months) - 1
            else round(_clamp(health - slope * (len(months) - 1 - step) + rng.gauss(0, 2), 1, 100)),
        }
        for step, day in enumerate(months)
    ]
    usage_rows = [
        {
            "customer_id": customer_id,
            "month": day.strftime("%Y-%m"),
            "active_users": max(0, round(seats_active * (1 - 0.012 * slope * (len(months) - 1 - step)))),
            "feature_utilization": round(
                _clamp(utilization - 0.6 * slope * (len(months) - 1 - step) + rng.gauss(0, 1.5), 0, 100), 1
            ),
        }
        for step, day in enumerate(months)
    ]
    return {
        "customers": [customer],
        "contacts": contacts,
        "health_history": health_rows,
        "usage_monthly": usage_rows,
        "opportunities": _opportunities(rng, customer_id, arr, quality, as_of, plan_year_window(as_of, start_month)),
        "risk_signals": _risks(rng, customer_id, quality, ends, contract_start),
        "interactions": interactions,
    }


def _engagement(rng: random.Random, quality: float) -> str:
    draw = quality + rng.gauss(0, 0.8)
    return "high" if draw > 1.0 else "medium" if draw > -0.4 else "low" if draw > -1.4 else "none"


def _contacts(
    rng: random.Random, customer_id: str, domain: str, quality: float, count: int
) -> list[dict[str, Any]]:
    others = [
        "exec_sponsor",
        "technical_buyer",
        "user",
        "economic_buyer",
        "champion",
        "user",
        "user",
        "other",
    ]
    roles = ["champion", *rng.sample(others, count - 1)]
    rows: list[dict[str, Any]] = []
    for number, role in enumerate(roles, start=1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        rows.append(
            {
                "id": f"{customer_id}-p{number}",
                "customer_id": customer_id,
                "name": f"{first} {last}",
                "title": rng.choice(TITLES[role]),
                "role": role,
                "email": f"{first}.{last}@{domain}".lower().replace(" ", "").replace("'", ""),
                "engagement_level": _engagement(rng, quality),
                "last_contacted": None,  # filled from the interactions below
                "active": rng.random() > (0.12 if quality < -0.5 else 0.05),
            }
        )
    return rows


def _interactions(
    rng: random.Random,
    customer_id: str,
    contacts: list[dict[str, Any]],
    quality: float,
    ends: date,
    contract_start: date,
) -> list[dict[str, Any]]:
    count = max(0, round(rng.gauss(6 + 2 * quality, 2.5)))
    weights = [ENGAGEMENT_WEIGHT[c["engagement_level"]] * (1.0 if c["active"] else 0.4) for c in contacts]
    # Nothing logged before the sales hand-off, a month ahead of the contract.
    oldest = min(364, max(0, (ends - contract_start).days + 30))
    rows: list[dict[str, Any]] = []
    for number in range(1, count + 1):
        contact = rng.choices(contacts, weights=weights)[0]
        day = ends - timedelta(days=min(oldest, int(rng.expovariate(1 / 60))))
        kind = rng.choice(INTERACTION_KINDS)
        # Most touches are routine or good; the unhappy ones cluster on the weak accounts.
        sentiment = round(_clamp(rng.gauss(0.25 + 0.3 * quality, 0.25), -1, 1), 2)
        tone = "positive" if sentiment > 0.2 else "negative" if sentiment < -0.2 else "neutral"
        rows.append(
            {
                "id": f"{customer_id}-i{number}",
                "customer_id": customer_id,
                "contact_id": contact["id"],
                "date": day,
                "kind": kind,
                "sentiment": sentiment,
                "summary": rng.choice(SUMMARIES[tone]).format(name=contact["name"].split()[0], kind=kind),
            }
        )
        if contact["last_contacted"] is None or day > contact["last_contacted"]:
            contact["last_contacted"] = day
    return rows


def _opportunities(
    rng: random.Random, customer_id: str, arr: int, quality: float, as_of: date, window: tuple[date, date]
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    first, last = window
    for number in range(1, rng.choices((0, 1, 2, 3), weights=(25, 40, 25, 10))[0] + 1):
        kind, description = rng.choice(OPPORTUNITY_TEMPLATES)
        stage = rng.choices(("open", "won", "lost"), weights=(50, 30 + 10 * quality, 20 - 10 * quality))[0]
        draw = rng.randint(20, 330)
        # Open ones close inside the year being planned (spread over it), closed ones in the past.
        closes = (
            first + timedelta(days=round((draw - 20) / 310 * max(0, (last - first).days)))
            if stage == OpportunityStage.OPEN
            else as_of - timedelta(days=draw + 10)
        )
        rows.append(
            {
                "id": f"{customer_id}-o{number}",
                "customer_id": customer_id,
                "type": kind,
                "description": description,
                "value": Decimal(max(1000, round(arr * rng.uniform(0.05, 0.3) / 1000) * 1000)),
                "probability": {"won": 1.0, "lost": 0.0}.get(
                    stage, rng.choice((0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8))
                ),
                "expected_close": closes,
                "stage": stage,
            }
        )
    return rows


def _risks(
    rng: random.Random, customer_id: str, quality: float, ends: date, contract_start: date
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    oldest = max(5, min(300, (ends - contract_start).days))
    for number in range(1, max(0, round(rng.gauss(0.5 - 0.9 * quality, 0.7))) + 1):
        kind, description = rng.choice(RISK_TEMPLATES)
        severity_draw = -quality + rng.gauss(0, 0.7)
        severity = (
            "critical"
            if severity_draw > 1.6
            else "high"
            if severity_draw > 0.6
            else "medium"
            if severity_draw > -0.4
            else "low"
        )
        rows.append(
            {
                "id": f"{customer_id}-r{number}",
                "customer_id": customer_id,
                "type": kind,
                "severity": severity,
                "description": description,
                "detected_at": ends - timedelta(days=min(oldest, rng.randint(5, 300))),
                "status": "active" if rng.random() < 0.5 else "resolved",
            }
        )
    return rows
