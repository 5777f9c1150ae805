"""Context aggregation and similar-account search at 1k, 10k and 100k accounts.

    .venv/bin/python -m bench.context_bench [--sizes 1000,10000] [--samples 50] [--dir PATH]

Each portfolio is generated with `seed_demo_portfolio` into a SQLite file (kept under --dir, so a
second run reuses it; seeding only adds what is missing). Prints, per size: median and p95 time
to gather one customer's planning context (without and with similar accounts), SQL statements per
context (min-max over the sampled customers, whose contact counts differ), and median / p95
similar-account search time once the feature index is loaded; and the index's build time (it is
then saved next to the database) against loading the saved index in a fresh engine (as a new process
does: signature query, file read, parse), median of LOAD_SAMPLES loads.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select

from storage.db import Database
from storage.demo.portfolio import seed_demo_portfolio
from storage.models import Contact, Customer
from tools.analytics.context import gather_planning_context
from tools.analytics.feature_index import SAVED_NAME, SIGNATURE_MAX_AGE_SECONDS, load_feature_index
from tools.analytics.similar_accounts import find_similar_accounts

AS_OF = date(2026, 1, 15)
SEED = 235
LOAD_SAMPLES = 9


def _ms(seconds: float) -> float:
    return seconds * 1000.0


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


class StatementCounter:
    """Counts SQL statements the engine sends (what "round trips" means here)."""

    def __init__(self, database: Database) -> None:
        self.count = 0
        self._engine = database.engine.sync_engine
        event.listen(self._engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: Any) -> None:
        self.count += 1

    def close(self) -> None:
        event.remove(self._engine, "before_cursor_execute", self._seen)


async def _timed(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    await call()
    return time.perf_counter() - started


def _forget_saved_index(database: Database) -> Path:
    saved = Path(f"{database.engine.url.database}.{SAVED_NAME}.idx")
    saved.unlink(missing_ok=True)
    return saved


async def _fresh_load(database: Database) -> float:
    """Load the saved index through a new engine, which has nothing loaded in-process."""
    fresh = Database(database.engine.url.render_as_string(hide_password=False))
    try:
        async with fresh.session() as session:
            return await _timed(lambda: load_feature_index(session))
    finally:
        await fresh.dispose()


async def bench_size(size: int, directory: Path, samples: int) -> dict[str, Any]:
    database = Database(f"sqlite+aiosqlite:///{directory / f'portfolio_{size}.db'}")
    await database.ensure_schema()
    started = time.perf_counter()
    seeded = await seed_demo_portfolio(database, accounts=size, seed=SEED, as_of=AS_OF, progress=True)
    seed_seconds = time.perf_counter() - started

    async with database.session() as session:
        ids = list((await session.execute(select(Customer.id).order_by(Customer.id))).scalars())
        contact_counts = dict(
            (
                await session.execute(select(Contact.customer_id, func.count()).group_by(Contact.customer_id))
            ).all()
        )
        saved = _forget_saved_index(database)  # a build, not a load of an earlier run's index
        build_seconds = await _timed(lambda: load_feature_index(session))
    load_seconds = [await _fresh_load(database) for _ in range(LOAD_SAMPLES)]
    chosen = random.Random(SEED).sample(ids, min(samples, len(ids)))

    context_times: list[float] = []
    full_times: list[float] = []
    similar_times: list[float] = []
    checked_times: list[float] = []
    statements: list[int] = []
    for customer_id in chosen:
        counter = StatementCounter(database)
        try:
            async with database.session() as session:
                context_times.append(
                    await _timed(
                        lambda cid=customer_id, s=session: gather_planning_context(
                            s, cid, AS_OF, include_similar=False
                        )
                    )
                )
        finally:
            counter.close()
        statements.append(counter.count)
        async with database.session() as session:
            full_times.append(
                await _timed(lambda cid=customer_id, s=session: gather_planning_context(s, cid, AS_OF))
            )
            similar_times.append(
                await _timed(lambda cid=customer_id, s=session: find_similar_accounts(s, cid, AS_OF))
            )
            checked_times.append(
                await _timed(
                    lambda cid=customer_id, s=session: find_similar_accounts(s, cid, AS_OF, max_index_age=0)
                )
            )
    await database.dispose()
    sampled_contacts = [contact_counts.get(cid, 0) for cid in chosen]
    return {
        "accounts": size,
        "seeded": seeded.added,
        "seed_s": seed_seconds,
        "build_ms": _ms(build_seconds),
        "load_ms": _ms(statistics.median(load_seconds)),
        "saved_mb": saved.stat().st_size / 1e6,
        "context_ms": _ms(statistics.median(context_times)),
        "context_p95_ms": _ms(_p95(context_times)),
        "full_ms": _ms(statistics.median(full_times)),
        "statements": (min(statements), max(statements)),
        "contacts": (min(sampled_contacts), max(sampled_contacts)),
        "similar_ms": _ms(statistics.median(similar_times)),
        "similar_p95_ms": _ms(_p95(similar_times)),
        "checked_ms": _ms(statistics.median(checked_times)),
    }


def _print_table(rows: list[dict[str, Any]]) -> None:
    header = (
        f"{'accounts':>9} {'seed s':>8} {'index ms':>9} {'load ms':>8} {'MB':>5} {'context ms':>11} {'p95':>7} {'+similar ms':>12} "
        f"{'stmts/ctx':>10} {'contacts':>9} {'similar ms':>11} {'p95':>7} {'checked ms':>11}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        low, high = row["statements"]
        stmts = f"{low}-{high}" if low != high else str(low)
        contacts = "{}-{}".format(*row["contacts"])
        print(
            f"{row['accounts']:>9,} {row['seed_s']:>8.1f} {row['build_ms']:>9.0f} {row['load_ms']:>8.0f} "
            f"{row['saved_mb']:>5.1f} {row['context_ms']:>11.2f} "
            f"{row['context_p95_ms']:>7.2f} {row['full_ms']:>12.2f} {stmts:>10} {contacts:>9} "
            f"{row['similar_ms']:>11.2f} {row['similar_p95_ms']:>7.2f} {row['checked_ms']:>11.2f}"
        )
    print(
        "\ncontext ms: gather_planning_context without similar accounts (median, then p95); +similar ms: with "
        "them; stmts/ctx: SQL statements per context without similar accounts, min-max over the sampled "
        "customers; contacts: their contact counts (min-max); similar ms: find_similar_accounts as used "
        "(the customer's own row + vectorized search; the index signature re-checked at most every "
        f"{SIGNATURE_MAX_AGE_SECONDS:.0f} s); checked ms: the same with the signature re-checked on every call; "
        "index ms: building the index (then saved, MB on disk); load ms: loading the saved index in a fresh "
        f"engine, as a new process does (median of {LOAD_SAMPLES}); seed s: ~0 when the portfolio file "
        "already existed."
    )


async def main(sizes: list[int], samples: int, directory: Path) -> None:
    rows = []
    for size in sizes:
        row = await bench_size(size, directory, samples)
        rows.append(row)
        print(
            f"done: {size:,} accounts ({row['seeded']:,} newly seeded in {row['seed_s']:.1f} s)", flush=True
        )
    print()
    _print_table(rows)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated portfolio sizes")
    parser.add_argument("--samples", type=int, default=50, help="customers timed per portfolio")
    parser.add_argument(
        "--dir", type=Path, default=None, help="where the portfolio files live (default: temp)"
    )
    return parser.parse_args()


if __name__ == "__main__":
    arguments = parse_args()
    chosen_sizes = [int(part) for part in arguments.sizes.split(",") if part.strip()]
    if arguments.dir is None:
        with tempfile.TemporaryDirectory(prefix="accountplan-bench-") as temporary:
            asyncio.run(main(chosen_sizes, arguments.samples, Path(temporary)))
    else:
        arguments.dir.mkdir(parents=True, exist_ok=True)
        asyncio.run(main(chosen_sizes, arguments.samples, arguments.dir))
