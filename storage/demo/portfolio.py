"""`accountplan seed`: a deterministic synthetic portfolio for demos, tests and benchmarks.

Each account is generated from its own random stream (`seed` and its index), so a portfolio of N
accounts is always the first N accounts of any larger one: re-seeding adds the missing accounts and
never duplicates or changes existing ones. A latent per-account "quality" drives health, adoption,
engagement, sentiment, risks and the renewal outcome together, so similar-account benchmarks have
something real to find. TechCorp Industries (the PRD's example, `storage.demo.techcorp`) is always
account 0. Dates are relative to `as_of` so the demo looks current.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, func, select

from storage.db import Database
from storage.demo import DEFAULT_ACCOUNTS, DEFAULT_SEED
from storage.demo.accounts import ACCOUNTS_PER_CSM, account_id, account_rows
from storage.demo.names import (
    FIRST_NAMES,
    LAST_NAMES,
)
from storage.demo.techcorp import TECHCORP_ID, techcorp_rows
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
    table_of,
)

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
@dataclass(frozen=True)
class SeedSummary:
    accounts: int  # demo accounts requested (and now present)
    added: int
    already_present: int
    rows: dict[str, int]  # rows written per table
    as_of: date
    seconds: float


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


async def demo_current_as_of(database: Database) -> date | None:
    """The month the demo portfolio was generated for (TechCorp's latest health score), or None
    when there is no TechCorp. A demo older than a month reads as a stale book."""
    async with database.session() as session:
        return (
            await session.execute(select(func.max(HealthScore.date)).where(HealthScore.customer_id == TECHCORP_ID))
        ).scalar_one_or_none()


async def seed_demo_portfolio(
    database: Database,
    *,
    accounts: int = DEFAULT_ACCOUNTS,
    seed: int = DEFAULT_SEED,
    as_of: date | None = None,
    fiscal_year_start_month: int = 1,
    progress: bool = False,
    refresh: bool = False,
) -> SeedSummary:
    """Make sure the first `accounts` demo accounts exist; adds the missing ones only. With
    `refresh`, the demo accounts already there are generated again as of `as_of` (their history,
    contacts, opportunities, signals and interactions replaced), so the demo book is current."""
    if accounts < 1:
        raise BadInput(f"--accounts must be at least 1 (got {accounts})")
    started = time.perf_counter()
    as_of = as_of or date.today()
    start_month = fiscal_year_start_month
    wanted = [account_id(index) for index in range(accounts)]
    present: set[str] = set()
    async with database.session() as session:
        for start in range(0, accounts, 5000):
            chunk = wanted[start : start + 5000]
            present.update(
                (await session.execute(select(Customer.id).where(Customer.id.in_(chunk)))).scalars()
            )
        # Users first: they are shared by every batch. Existing ones (or their Slack ids) are kept.
        await bulk_upsert(session, table_of(User), demo_users(accounts), key=())
    missing = [index for index in range(accounts) if refresh or wanted[index] not in present]
    written: dict[str, int] = defaultdict(int)
    with progress_bar(
        progress and len(missing) > ACCOUNTS_PER_TRANSACTION, len(missing), "seeding"
    ) as advance:
        for start in range(0, len(missing), ACCOUNTS_PER_TRANSACTION):
            batch = missing[start : start + ACCOUNTS_PER_TRANSACTION]
            await _seed_batch(database, batch, seed, as_of, start_month, written, replace=refresh)
            advance(len(batch))
    refreshed = len(present) if refresh else 0
    return SeedSummary(
        accounts=accounts,
        added=len(missing) - refreshed,
        already_present=accounts - len(missing) + refreshed,
        rows=dict(written),
        as_of=as_of,
        seconds=time.perf_counter() - started,
    )


CHILD_TABLES = (Interaction, RiskSignal, Opportunity, UsageMonth, HealthScore, Contact)


async def _seed_batch(
    database: Database,
    indexes: list[int],
    seed: int,
    as_of: date,
    start_month: int,
    written: dict[str, int],
    *,
    replace: bool = False,
) -> None:
    """Generate and write a batch of accounts in one transaction: each account lands whole or not
    at all. With `replace`, the batch's generated rows from an earlier seeding are removed first
    (in the same transaction; the customers and their plans stay)."""
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for index in indexes:
        generated = (
            techcorp_rows(as_of, start_month) if index == 0 else account_rows(index, seed, as_of, start_month)
        )
        for table, table_rows in generated.items():
            rows[table].extend(table_rows)
    async with database.session() as session:
        if replace:
            ids = [account_id(index) for index in indexes]
            for model in CHILD_TABLES:
                await session.execute(delete(model).where(model.customer_id.in_(ids)))
        for model in TABLES:
            table = table_of(model)
            # Customers are updated in place (a refresh moves their dates); children are new rows.
            update = [c for c in rows[table.name][0] if c not in KEYS[table.name]] if model is Customer and rows[table.name] else ()
            await bulk_upsert(session, table, rows[table.name], key=KEYS[table.name], update=update)
            written[table.name] += len(rows[table.name])


