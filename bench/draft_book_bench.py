"""`/accountplan draft-book` against `accountplan serve` over HTTP: how fast a book is drafted from
Slack, how often its message is updated, and whether other commands are still acknowledged quickly
while the run's worker processes draft (acks of 50 concurrent `/accountplan help` before and during
the run).

Run: .venv/bin/python -m bench.draft_book_bench [--book 2000] [--concurrent 50]
The demo CSM's book is made `--book` accounts large (the demo gives each CSM 25).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select, update

from bench.slack_bench import Bot, percentile, send_from_another_process

CSM_SLACK_ID = "U0CSM001"
CSM_EMAIL = "csm001@demo.accountplan.test"
SEE_LIST = "draft_book_list"


def _acks(results: list[dict[str, float]]) -> str:
    acks = [r["ack_ms"] for r in results]
    return f"p50 {statistics.median(acks):6.1f} ms   p99 {percentile(acks, 0.99):6.1f} ms   max {max(acks):6.1f} ms"


async def main(book: int, concurrent: int) -> None:
    from storage.db import Database
    from storage.demo.portfolio import seed_demo_portfolio
    from storage.models import Customer
    from tests.fakes.slack_api import FakeSlackApi

    workdir = Path(tempfile.mkdtemp(prefix="draft-book-bench-"))
    os.chdir(workdir)
    url = f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
    database = Database(url)
    await database.ensure_schema()
    await seed_demo_portfolio(database, accounts=book, as_of=datetime.now(UTC).date())
    async with database.session() as session:  # the whole portfolio becomes one CSM's book
        ids = list((await session.execute(select(Customer.id).order_by(Customer.id).limit(book))).scalars())
        await session.execute(update(Customer).where(Customer.id.in_(ids)).values(csm_email=CSM_EMAIL))
    await database.dispose()
    print(
        f"draft_book_bench: SQLite, a book of {len(ids):,} accounts, `accountplan serve` over HTTP (worker "
        f"processes: one per CPU), fake Slack Web API; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    fake = FakeSlackApi()
    await fake.start()
    try:
        async with Bot(url, fake, workdir) as bot:
            await send_from_another_process(bot, ["help"])  # warm-up
            idle = await send_from_another_process(bot, ["help"] * concurrent)
            started = time.monotonic()
            response = await bot.sender.command("draft-book", user_id=CSM_SLACK_ID, channel_id="C0BENCH1")
            await fake.wait_for("chat.update", timeout=120)  # the run is recorded and drafting
            during = await send_from_another_process(bot, ["help"] * concurrent)
            still_running = not any(
                SEE_LIST in str(c.params.get("blocks")) for c in fake.calls_to("chat.update")
            )
            (summary,) = await fake.wait_for(
                "chat.update", lambda c: SEE_LIST in str(c.params.get("blocks")), timeout=900
            )
            seconds = summary.at - started
            updates = [c.at for c in fake.calls_to("chat.update")]
            # Between progress updates (the summary follows the last one at once, as it should).
            gaps = [b - a for a, b in itertools.pairwise(updates[:-1])]
        print(
            f"\ndraft-book ack: {response.elapsed_ms:.1f} ms; summary after {seconds:.1f} s "
            f"({len(ids) / seconds:.0f} plans/s, all of it: recording the run, worker start-up, drafting)"
        )
        print(f"  {summary.params['text']}")
        print(
            f"  message updates: {len(updates)} (min gap between progress updates {min(gaps, default=0):.1f} s)"
        )
        print(f"\n{concurrent} concurrent /accountplan help, before the run: {_acks(idle)}")
        print(
            f"{concurrent} concurrent /accountplan help, during the run: {_acks(during)}"
            f"{'' if still_running else '  (the run had finished before they were all answered)'}"
        )
    finally:
        await fake.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--book", type=int, default=2000, help="accounts in the CSM's book")
    parser.add_argument("--concurrent", type=int, default=50)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.book, arguments.concurrent))
