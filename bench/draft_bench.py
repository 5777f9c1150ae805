"""Offline plan drafting on the demo portfolio, context included.

    .venv/bin/python -m bench.draft_bench [--accounts 200] [--rounds 3] [--dir PATH]

Seeds the demo portfolio (default 200 accounts, as `accountplan demo` does) into a SQLite file,
then for every customer times what a plan costs offline: gathering its planning context (one
session, similar accounts included) plus drafting every section. Prints median and p95 per plan,
the drafting share alone, plans per second for the whole portfolio (sequential, one process),
and the full `generate_plan` path (resolve, gather, draft, validate, save) for TechCorp.
Target: median <= 20 ms per plan, context included.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import select

from agent.deps import AgentDeps
from agent.drafter import draft_plan
from agent.generate import GenerationRequest, generate_plan
from storage.db import Database
from storage.demo.portfolio import seed_demo_portfolio
from storage.demo.techcorp import TECHCORP_ID
from storage.models import Customer
from storage.settings import Settings
from tools.analytics.context import gather_planning_context
from tools.analytics.fiscal_calendar import fiscal_year_of

AS_OF = date(2026, 2, 2)
START_MONTH = 1
TARGET_MEDIAN_MS = 20.0


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


async def _portfolio(database: Database, accounts: int) -> list[str]:
    await database.ensure_schema()
    await seed_demo_portfolio(database, accounts=accounts, as_of=AS_OF, fiscal_year_start_month=START_MONTH)
    async with database.session() as session:
        return list((await session.execute(select(Customer.id).order_by(Customer.id))).scalars())


async def _one_plan(database: Database, customer_id: str, fiscal_year: str) -> tuple[float, float]:
    """(total ms with context, drafting ms alone) for one customer."""
    started = time.perf_counter()
    async with database.session() as session:
        context = await gather_planning_context(
            session, customer_id, AS_OF, fiscal_year=fiscal_year, fiscal_year_start_month=START_MONTH
        )
    drafted = time.perf_counter()
    draft_plan(context, fiscal_year, start_month=START_MONTH)
    done = time.perf_counter()
    return (done - started) * 1000, (done - drafted) * 1000


async def run(accounts: int, rounds: int, folder: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{folder / f'draft-bench-{accounts}.db'}")
    # The process's one set of agent dependencies (offline: no Claude client).
    deps = AgentDeps(settings=Settings(FISCAL_YEAR_START_MONTH=START_MONTH), database=database)
    try:
        customer_ids = await _portfolio(database, accounts)
        fiscal_year = fiscal_year_of(AS_OF, START_MONTH)
        await _one_plan(database, customer_ids[0], fiscal_year)  # warm-up: imports, feature index, pool

        totals: list[float] = []
        drafting: list[float] = []
        portfolio_seconds: list[float] = []
        for _ in range(rounds):
            started = time.perf_counter()
            for customer_id in customer_ids:
                total, draft = await _one_plan(database, customer_id, fiscal_year)
                totals.append(total)
                drafting.append(draft)
            portfolio_seconds.append(time.perf_counter() - started)

        generate_ms: list[float] = []
        for _ in range(20):
            result = await generate_plan(
                deps, GenerationRequest(customer=TECHCORP_ID, as_of=AS_OF, offline=True)
            )
            generate_ms.append(result.elapsed_ms)
    finally:
        await database.dispose()

    median = statistics.median(totals)
    best_round = min(portfolio_seconds)
    print(f"offline drafting, demo portfolio of {len(customer_ids)} accounts, {rounds} rounds, {fiscal_year}")
    print(
        f"  per plan, context included: median {median:.1f} ms   p95 {_p95(totals):.1f} ms   max {max(totals):.1f} ms"
    )
    print(
        f"  drafting alone:             median {statistics.median(drafting):.2f} ms   p95 {_p95(drafting):.2f} ms"
    )
    print(
        f"  whole portfolio:            {len(customer_ids) / best_round:.0f} plans/s ({best_round:.2f} s per pass, best of {rounds})"
    )
    print(
        f"  generate_plan (TechCorp, saved, 20 runs): median {statistics.median(generate_ms):.1f} ms   p95 {_p95(generate_ms):.1f} ms"
    )
    verdict = "meets" if median <= TARGET_MEDIAN_MS else "MISSES"
    print(f"  target median <= {TARGET_MEDIAN_MS:.0f} ms per plan: {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--dir", type=Path, default=None, help="Keep the SQLite file here (default: a temp folder)."
    )
    args = parser.parse_args()
    if args.dir is not None:
        args.dir.mkdir(parents=True, exist_ok=True)
        asyncio.run(run(args.accounts, args.rounds, args.dir))
        return
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(run(args.accounts, args.rounds, Path(folder)))


if __name__ == "__main__":
    main()
