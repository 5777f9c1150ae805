"""Living plans at portfolio scale: what one scheduler tick costs, and exactly-once claims.

    .venv/bin/python -m bench.living_bench [--accounts 300] [--dir PATH] [--postgres URL]

Seeds the demo portfolio into a SQLite file, drafts every account's plan offline and approves
80% of them, then times: the weekly digest computation (due/overdue actions for every CSM), the
daily QBR + renewal reminder scan, a change-detection pass with nothing changed and with 10% of
accounts changed (proposals drafted with the deterministic adjustment), the outcome statistics,
the chart, a full scheduler day (all jobs, messages to a counting notifier), and the claim rate:
one worker, and three workers racing for the same keys (SQLite, and PostgreSQL when reachable).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select, update

from agent.deps import AgentDeps
from agent.generate import GenerationRequest, generate_plan
from bot.scheduler.jobs import LivingPlansJobs
from bot.stats_chart import stats_chart_png
from storage.db import Database
from storage.demo.portfolio import seed_demo_portfolio
from storage.job_claims import claim
from storage.models import AccountPlan, Customer
from storage.settings import Settings
from tools.living.actions import due_actions_by_csm
from tools.living.change_detection import propose_revisions
from tools.living.outcomes import outcome_stats
from tools.living.reminders import due_qbr_reminders, due_renewal_reminders

AS_OF = date(2026, 1, 5)
NOW = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)
APPROVED_SHARE = 0.8
CHANGED_SHARE = 0.1
T = TypeVar("T")


class CountingNotifier:
    def __init__(self) -> None:
        self.sent = 0

    async def dm(self, email: str, text: str, blocks: list[Any]) -> bool:
        self.sent += 1
        return True


async def timed(label: str, work: Callable[[], Awaitable[T]]) -> T:
    started = time.perf_counter()
    result = await work()
    print(f"{label:<58} {(time.perf_counter() - started) * 1000:9.1f} ms")
    return result


async def _portfolio(deps: AgentDeps, accounts: int) -> list[str]:
    database = deps.database
    await database.ensure_schema()
    await seed_demo_portfolio(database, accounts=accounts, as_of=AS_OF)
    async with database.session() as session:
        ids = list((await session.execute(select(Customer.id).order_by(Customer.id))).scalars())
    started = time.perf_counter()
    for customer_id in ids:
        await generate_plan(
            deps,
            GenerationRequest(
                customer=customer_id, fiscal_year="FY2026", as_of=AS_OF, offline=True, author="bench"
            ),
        )
    approved = ids[: int(len(ids) * APPROVED_SHARE)]
    async with database.session() as session:
        await session.execute(
            update(AccountPlan)
            .where(AccountPlan.customer_id.in_(approved))
            .values(status="approved", approved_version=AccountPlan.version, approved_by="bench")
        )
    print(
        f"{'setup: drafted ' + str(len(ids)) + ' plans offline, approved ' + str(len(approved)):<58} "
        f"{(time.perf_counter() - started) * 1000:9.1f} ms"
    )
    return approved


async def _claim_rate(database: Database, label: str, keys: int = 500) -> None:
    run = f"{label}:{uuid.uuid4().hex[:8]}"  # fresh keys on a database that already ran the bench
    started = time.perf_counter()
    for n in range(keys):
        await claim(database, f"bench:{run}:solo:{n}", worker="solo", now=NOW)
    solo = keys / (time.perf_counter() - started)
    started = time.perf_counter()
    results = await asyncio.gather(
        *(claim(database, f"bench:{run}:race:{n}", worker=w, now=NOW) for n in range(keys) for w in "abc")
    )
    raced = (time.perf_counter() - started) * 1000
    print(f"{'claims/s, one worker (' + label + ')':<58} {solo:9.0f}")
    print(
        f"{'3 workers x ' + str(keys) + ' keys: winners / time (' + label + ')':<58} "
        f"{sum(results):5d} / {raced:.0f} ms"
    )


async def run(accounts: int, folder: Path, postgres_url: str | None) -> None:
    database = Database(f"sqlite+aiosqlite:///{folder / 'living_bench.db'}")
    try:
        # The process's one set of agent dependencies (offline: no Claude client).
        approved = await _portfolio(AgentDeps(settings=Settings(), database=database), accounts)

        async def digest() -> dict[str, Any]:
            async with database.session() as session:
                return await due_actions_by_csm(session, NOW.date())

        by_csm = await timed("weekly digest: due/overdue actions for every CSM", digest)
        print(
            f"{'  CSMs with something due / actions due':<58} {len(by_csm):5d} / {sum(map(len, by_csm.values()))}"
        )

        async def reminders() -> int:
            async with database.session() as session:
                return len(await due_qbr_reminders(session, NOW.date())) + len(
                    await due_renewal_reminders(session, NOW.date())
                )

        found = await timed("daily reminders: QBRs in 14 days + renewals 90/60/30", reminders)
        print(f"{'  reminders due today':<58} {found:5d}")
        none = await timed(
            f"change detection, nothing changed ({len(approved)} plans)",
            lambda: propose_revisions(database, now=NOW),
        )
        changed = approved[: max(1, int(len(approved) * CHANGED_SHARE))]
        async with database.session() as session:
            await session.execute(update(Customer).where(Customer.id.in_(changed)).values(health_score=5))
        made = await timed(
            f"change detection, {len(changed)} accounts changed (proposals drafted)",
            lambda: propose_revisions(database, now=NOW),
        )
        print(f"{'  proposals: unchanged pass / changed pass':<58} {len(none):5d} / {len(made)}")

        async def stats() -> Any:
            async with database.session() as session:
                return await outcome_stats(session, NOW.date())

        result = await timed("outcome stats (coverage, completion, overdue, outcomes)", stats)
        await timed("chart PNG (matplotlib Agg)", lambda: asyncio.to_thread(stats_chart_png, result))
        notifier = CountingNotifier()
        jobs = LivingPlansJobs(database, notifier, worker="bench")
        await timed("scheduler catch-up: every job's slot, messages included", lambda: jobs.run_due(NOW))
        print(f"{'  messages sent by the catch-up':<58} {notifier.sent:5d}")
        again = await timed("scheduler tick again (everything already claimed)", lambda: jobs.run_due(NOW))
        print(f"{'  messages sent by the repeated tick':<58} {sum(again.sent.values()):5d}")
        await _claim_rate(database, "sqlite")
    finally:
        await database.dispose()
    if postgres_url:
        pg = Database(postgres_url)
        try:
            await pg.ensure_schema()
            await _claim_rate(pg, "postgresql")
        except Exception as error:  # a bench reports, it does not fail on a missing server
            print(f"postgresql claims skipped: {str(error).splitlines()[0][:120]}")
        finally:
            await pg.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=300)
    parser.add_argument(
        "--dir", type=Path, default=None, help="Where the SQLite file goes (default: a temp dir)."
    )
    parser.add_argument(
        "--postgres", default=None, help="e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        folder = args.dir or Path(temp)
        folder.mkdir(parents=True, exist_ok=True)
        print(f"living plans bench: {args.accounts} accounts, SQLite in {folder}")
        asyncio.run(run(args.accounts, folder, args.postgres))


if __name__ == "__main__":
    main()
