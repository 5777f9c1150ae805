"""`accountplan seed`: a deterministic synthetic portfolio for demos, tests and benchmarks.

Each account is generated from its own random stream (`seed` and its index), so a portfolio of N
accounts is always the first N accounts of any larger one: re-seeding adds the missing accounts and
never duplicates or changes existing ones. A latent per-account "quality" drives health, adoption,
engagement, sentiment, risks and the renewal outcome together, so similar-account benchmarks have
something real to find. TechCorp Industries (the PRD's example, `storage.seed_techcorp`) is always
account 0. Dates are relative to `as_of` so the demo looks current.
"""

from __future__ import annotations

import math
import random
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from storage.db import Database
from storage.errors import BadInput
from storage.importer import bulk_upsert, progress_bar
from storage.models import (
    Contact,
    Customer,
    HealthScore,
    Interaction,
    Opportunity,
    RiskSignal,
    UsageMonth,
    User,
)
from storage.seed_names import (
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
from storage.seed_techcorp import TECHCORP_ID, techcorp_rows
from storage.settings import get_settings

DEFAULT_ACCOUNTS = 200
DEFAULT_SEED = 235
ACCOUNTS_PER_CSM = 25
CSMS_PER_MANAGER = 6
ACCOUNTS_PER_TRANSACTION = 2000  # bounds memory at 100k accounts; each batch is atomic

# Written parent-first so foreign keys hold inside every batch.
TABLES = (Customer, Contact, HealthScore, UsageMonth, Opportunity, RiskSignal, Interaction)
KEYS: dict[str, tuple[str, ...]] = {
    "customers": ("id",),
    "contacts": ("id",),
    "health_history": ("customer_id", "date"),
    "usage_monthly": ("customer_id", "month"),
    "opportunities": ("id",),
    "risk_signals": ("id",),
    "interactions": ("id",),
}
SEGMENTS = (  # name, weight, ARR range, list price per seat, contacts range
    ("smb", 35, (6_000, 40_000), 600, (2, 4)),
    ("mid-market", 35, (30_000, 160_000), 800, (3, 5)),
    ("enterprise", 22, (120_000, 650_000), 1000, (4, 7)),
    ("strategic", 8, (300_000, 1_500_000), 1200, (5, 8)),
)
ENGAGEMENT_WEIGHT = {"high": 4.0, "medium": 2.0, "low": 1.0, "none": 0.3}


@dataclass(frozen=True)
class SeedSummary:
    accounts: int  # demo accounts requested (and now present)
    added: int
    already_present: int
    rows: dict[str, int]  # rows written per table
    as_of: date
    seconds: float


def account_id(index: int) -> str:
    return TECHCORP_ID if index == 0 else f"demo-{index:06d}"


def csm_email(index: int) -> str:
    return f"csm{index // ACCOUNTS_PER_CSM + 1:03d}@demo.accountplan.test"


def demo_users(accounts: int) -> list[dict[str, Any]]:
    """The CSMs who own the accounts, their managers, and one admin."""
    csms = math.ceil(accounts / ACCOUNTS_PER_CSM)
    managers = math.ceil(csms / CSMS_PER_MANAGER)
    rows = [_user(f"admin{1:03d}", "Avery Admin", "admin", None, "U0ADM001")]
    for number in range(1, managers + 1):
        rows.append(
            _user(f"mgr{number:03d}", _person_name(number * 7), "manager", None, f"U0MGR{number:03d}")
        )
    for number in range(1, csms + 1):
        manager = f"mgr{(number - 1) // CSMS_PER_MANAGER + 1:03d}@demo.accountplan.test"
        rows.append(
            _user(f"csm{number:03d}", _person_name(number * 13 + 1), "csm", manager, f"U0CSM{number:03d}")
        )
    return rows


def _user(handle: str, name: str, role: str, manager: str | None, slack_id: str) -> dict[str, Any]:
    return {
        "email": f"{handle}@demo.accountplan.test",
        "name": name,
        "role": role,
        "manager_email": manager,
        "slack_user_id": slack_id,
    }


def _person_name(number: int) -> str:
    return f"{FIRST_NAMES[number % len(FIRST_NAMES)]} {LAST_NAMES[(number * 7) % len(LAST_NAMES)]}"


async def seed_demo_portfolio(
    database: Database,
    *,
    accounts: int = DEFAULT_ACCOUNTS,
    seed: int = DEFAULT_SEED,
    as_of: date | None = None,
    fiscal_year_start_month: int | None = None,
    progress: bool = False,
) -> SeedSummary:
    """Make sure the first `accounts` demo accounts exist; adds the missing ones only."""
    if accounts < 1:
        raise BadInput(f"--accounts must be at least 1 (got {accounts})")
    started = time.perf_counter()
    as_of = as_of or date.today()
    start_month = fiscal_year_start_month or get_settings().fiscal_year_start_month
    wanted = [account_id(index) for index in range(accounts)]
    present: set[str] = set()
    async with database.session() as session:
        for start in range(0, accounts, 5000):
            chunk = wanted[start : start + 5000]
            present.update(
                (await session.execute(select(Customer.id).where(Customer.id.in_(chunk)))).scalars()
            )
        # Users first: they are shared by every batch. Existing ones (or their Slack ids) are kept.
        await bulk_upsert(session, User.__table__, demo_users(accounts), key=())
    missing = [index for index in range(accounts) if wanted[index] not in present]
    written: dict[str, int] = defaultdict(int)
    with progress_bar(
        progress and len(missing) > ACCOUNTS_PER_TRANSACTION, len(missing), "seeding"
    ) as advance:
        for start in range(0, len(missing), ACCOUNTS_PER_TRANSACTION):
            batch = missing[start : start + ACCOUNTS_PER_TRANSACTION]
            await _seed_batch(database, batch, seed, as_of, start_month, written)
            advance(len(batch))
    return SeedSummary(
        accounts=accounts,
        added=len(missing),
        already_present=accounts - len(missing),
        rows=dict(written),
        as_of=as_of,
        seconds=time.perf_counter() - started,
    )


async def _seed_batch(
    database: Database, indexes: list[int], seed: int, as_of: date, start_month: int, written: dict[str, int]
) -> None:
    """Generate and write a batch of accounts in one transaction: each account lands whole or not at all."""
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for index in indexes:
        generated = techcorp_rows(as_of, start_month) if index == 0 else account_rows(index, seed, as_of)
        for table, table_rows in generated.items():
            rows[table].extend(table_rows)
    async with database.session() as session:
        for model in TABLES:
            table = model.__table__
            await bulk_upsert(session, table, rows[table.name], key=KEYS[table.name])
            written[table.name] += len(rows[table.name])


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _months_back(as_of: date, count: int) -> list[date]:
    """First days of the `count` months ending with as_of's month, oldest first."""
    index = as_of.year * 12 + as_of.month - 1
    return [date((index - back) // 12, (index - back) % 12 + 1, 1) for back in range(count - 1, -1, -1)]


def account_rows(index: int, seed: int, as_of: date) -> dict[str, list[dict[str, Any]]]:
    """Every row of one synthetic account; the same (index, seed, as_of) always gives the same rows."""
    rng = random.Random(f"{seed}:{index}")
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
    if roll < 0.2:
        outcome, change = "pending", None
        contract_start = as_of - timedelta(days=rng.randint(60, 330))
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
    interactions = _interactions(rng, customer_id, contacts, quality, ends)
    months = _months_back(ends, rng.randint(12, 18))
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
        "opportunities": _opportunities(rng, customer_id, arr, quality, as_of),
        "risk_signals": _risks(rng, customer_id, quality, ends),
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
    rows = []
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
    rng: random.Random, customer_id: str, contacts: list[dict[str, Any]], quality: float, ends: date
) -> list[dict[str, Any]]:
    count = max(0, round(rng.gauss(6 + 2 * quality, 2.5)))
    weights = [ENGAGEMENT_WEIGHT[c["engagement_level"]] * (1.0 if c["active"] else 0.4) for c in contacts]
    rows = []
    for number in range(1, count + 1):
        contact = rng.choices(contacts, weights=weights)[0]
        day = ends - timedelta(days=min(364, int(rng.expovariate(1 / 60))))
        kind = rng.choice(INTERACTION_KINDS)
        sentiment = round(_clamp(rng.gauss(0.15 + 0.3 * quality, 0.3), -1, 1), 2)
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
    rng: random.Random, customer_id: str, arr: int, quality: float, as_of: date
) -> list[dict[str, Any]]:
    rows = []
    for number in range(1, rng.choices((0, 1, 2, 3), weights=(25, 40, 25, 10))[0] + 1):
        kind, description = rng.choice(OPPORTUNITY_TEMPLATES)
        stage = rng.choices(("open", "won", "lost"), weights=(50, 30 + 10 * quality, 20 - 10 * quality))[0]
        closes = (
            as_of + timedelta(days=rng.randint(20, 330))
            if stage == "open"
            else as_of - timedelta(days=rng.randint(10, 360))
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


def _risks(rng: random.Random, customer_id: str, quality: float, ends: date) -> list[dict[str, Any]]:
    rows = []
    for number in range(1, max(0, round(rng.gauss(0.8 - 0.8 * quality, 0.8))) + 1):
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
                "detected_at": ends - timedelta(days=rng.randint(5, 300)),
                "status": "active" if rng.random() < 0.6 else "resolved",
            }
        )
    return rows
