"""Import throughput: 10k customers with 5 contacts each, from CSV, into SQLite and PostgreSQL.

    .venv/bin/python -m bench.import_bench [--customers 10000] [--contacts-per-customer 5]

Prints seconds and rows/s for a first import (all inserts) and a re-import (all updates).
Target (issue 2): 10k customers with their contacts in under 30 s.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import random
import socket
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import text

from storage.db import Database
from storage.importer import import_path

DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
TARGET_SECONDS = 30.0
INDUSTRIES = (
    "technology",
    "healthcare",
    "financial services",
    "retail",
    "manufacturing",
    "education",
    "media",
)
SEGMENTS = ("smb", "mid-market", "enterprise", "strategic")
TITLES = ("VP Product", "CFO", "Director of Engineering", "Support Team Lead", "Operations Analyst", "")
ENGAGEMENT = ("high", "medium", "low", "none")


def write_csv(folder: Path, customers: int, contacts_per_customer: int) -> int:
    """customers.csv and contacts.csv with every column filled; returns the number of rows."""
    rng = random.Random(235)
    today = date(2026, 1, 29)
    with (folder / "customers.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["id", "name", "industry", "segment", "arr", "health_score", "renewal_date", "contract_start",
             "seats_purchased", "seats_active", "feature_utilization", "csm_email", "goals", "competitors",
             "renewal_outcome", "arr_change_last_year"]
        )  # fmt: skip
        for number in range(customers):
            seats = rng.randint(10, 2000)
            writer.writerow(
                [f"c{number:06d}", f"Customer {number:06d}", rng.choice(INDUSTRIES), rng.choice(SEGMENTS),
                 rng.randint(5, 1500) * 1000, rng.randint(10, 99), today + timedelta(days=rng.randint(1, 365)),
                 today - timedelta(days=rng.randint(30, 1000)), seats, rng.randint(1, seats),
                 round(rng.uniform(5, 95), 1), f"csm{number % 400:03d}@example.com", "Grow adoption",
                 "Gainsight", rng.choice(("renewed", "churned", "pending")), rng.randint(-50, 80) * 1000]
            )  # fmt: skip
    with (folder / "contacts.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "id",
                "customer_id",
                "name",
                "title",
                "role",
                "email",
                "engagement_level",
                "last_contacted",
                "active",
            ]
        )
        for number in range(customers):
            for contact in range(contacts_per_customer):
                writer.writerow(
                    [f"c{number:06d}-p{contact}", f"c{number:06d}", f"Person {number}-{contact}",
                     rng.choice(TITLES), "", f"p{number}.{contact}@example.com", rng.choice(ENGAGEMENT),
                     today - timedelta(days=rng.randint(0, 400)), rng.random() > 0.05]
                )  # fmt: skip
    return customers * (1 + contacts_per_customer)


async def time_imports(database: Database, folder: Path, rows: int, label: str) -> None:
    await database.ensure_schema()
    for run in ("first import", "re-import"):
        started = time.perf_counter()
        summary = await import_path(database, folder)
        seconds = time.perf_counter() - started
        assert summary.total_rows == rows
        verdict = "ok" if seconds < TARGET_SECONDS else f"OVER the {TARGET_SECONDS:.0f} s target"
        print(
            f"{label:<11} {run:<13} {rows:>8} rows {seconds:>7.2f} s {rows / seconds:>10,.0f} rows/s  {verdict}"
        )


def postgres_reachable(host: str = "127.0.0.1", port: int = 5432) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


async def bench_postgres(url: str, folder: Path, rows: int) -> None:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = Database(url)
    async with admin.engine.begin() as connection:
        await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    database = Database(url, connect_args={"server_settings": {"search_path": schema}})
    try:
        await time_imports(database, folder, rows, "postgresql")
    finally:
        await database.dispose()
        async with admin.engine.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--contacts-per-customer", type=int, default=5)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="import-bench-") as temp:
        folder = Path(temp) / "crm"
        folder.mkdir()
        rows = write_csv(folder, args.customers, args.contacts_per_customer)
        print(f"{args.customers} customers x {args.contacts_per_customer} contacts = {rows} rows (CSV)")
        sqlite = Database(f"sqlite+aiosqlite:///{Path(temp) / 'bench.db'}")
        try:
            await time_imports(sqlite, folder, rows, "sqlite")
        finally:
            await sqlite.dispose()
        if postgres_reachable():
            await bench_postgres(args.postgres_url, folder, rows)
        else:
            print("postgresql  skipped: nothing listening on 127.0.0.1:5432")


if __name__ == "__main__":
    asyncio.run(main())
