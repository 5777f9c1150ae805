"""Bulk drafting (`accountplan generate --all --offline`) on a seeded portfolio.

    .venv/bin/python -m bench.bulk_bench [--accounts 10000] [--workers 1,2] [--dir PATH]
                                         [--postgres URL] [--no-kill] [--claude]

Seeds the demo portfolio (default 10k accounts) into a SQLite file once, then for each worker
count runs `accountplan generate --all --offline --workers N` as a subprocess on a fresh copy (no
plans yet) and prints plans/s (the run's own clock, workers' start-up included) and the wall time
of the whole command; extrapolates to 100k accounts; the speed-up from 1 to 2 workers.
Then kills a run with SIGKILL (its whole process group: parent and workers) at about half,
resumes it with `--resume RUN`, and checks every account got exactly one new plan version.
Targets (issue 16): 10k plans in under 60 s with 2 workers; speed-up 1 -> 2 workers >= 1.7x.
With `--postgres URL` the same runs on PostgreSQL (seeded into that database; it must be empty).
`--claude` runs bench/bulk_claude.py's `main()` when that module exists.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Select, func, select

from storage.db import Database
from storage.demo.portfolio import seed_demo_portfolio
from storage.models import AccountPlan, DraftRunItem, PlanRevision
from storage.vocabulary import RunItemState

AS_OF = date(2026, 2, 2)
TARGET_SECONDS_10K = 60.0
TARGET_SPEEDUP = 1.7


def _cli(url: str, *args: str, new_session: bool = False) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("ANTHROPIC_API_KEY", None)
    return subprocess.Popen(
        [sys.executable, "-c", "from bot.cli import main; main()", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=new_session,
    )


async def _seed(url: str, accounts: int) -> float:
    database = Database(url)
    started = time.perf_counter()
    try:
        await database.ensure_schema()
        await seed_demo_portfolio(database, accounts=accounts, as_of=AS_OF)
    finally:
        await database.dispose()
    return time.perf_counter() - started


async def _scalar(url: str, statement: Select[Any]) -> int:
    database = Database(url)
    try:
        async with database.session() as session:
            return int((await session.execute(statement)).scalar_one())
    finally:
        await database.dispose()


def _generate(url: str, workers: int) -> tuple[dict[str, object], float]:
    started = time.perf_counter()
    process = _cli(
        url,
        "generate",
        "--all",
        "--offline",
        "--workers",
        str(workers),
        "--as-of",
        AS_OF.isoformat(),
        "--format",
        "json",
    )
    out, err = process.communicate()
    wall = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"generate --all failed: {err.decode()[-2000:]}")
    return json.loads(out), wall


def _throughput(
    url: str, workers_list: list[int], accounts: int, fresh: Callable[[], None]
) -> dict[int, float]:
    rates: dict[int, float] = {}
    for workers in workers_list:
        fresh()
        summary, wall = _generate(url, workers)
        drafted = int(str(summary["drafted"]))
        rate = drafted / wall
        rates[workers] = rate
        print(
            f"  {workers} worker(s): {drafted} plans in {wall:.1f} s wall (whole command) = {rate:.0f} plans/s; "
            f"10k in {10_000 / rate:.0f} s, 100k in {100_000 / rate / 60:.1f} min (extrapolated)",
            flush=True,
        )
    if 1 in rates and 2 in rates:
        speedup = rates[2] / rates[1]
        seconds = accounts / rates[2]
        print(f"  speed-up 1 -> 2 workers: {speedup:.2f}x (target >= {TARGET_SPEEDUP}x)")
        print(
            f"  {accounts} accounts with 2 workers: {seconds:.1f} s (target 10k < {TARGET_SECONDS_10K:.0f} s)"
        )
    return rates


def _kill_and_resume(url: str, accounts: int, workers: int) -> None:
    process = _cli(
        url,
        "generate",
        "--all",
        "--offline",
        "--workers",
        str(workers),
        "--as-of",
        AS_OF.isoformat(),
        new_session=True,
    )
    drafted_items = (
        select(func.count()).select_from(DraftRunItem).where(DraftRunItem.state == RunItemState.DRAFTED)
    )
    while asyncio.run(_scalar(url, drafted_items)) < accounts // 2:
        if process.poll() is not None:
            raise SystemExit("the run finished before it could be killed; use more --accounts")
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    at_kill = asyncio.run(_scalar(url, drafted_items))
    run_id = asyncio.run(_run_id(url))
    print(f"  killed run {run_id} (SIGKILL, parent and workers) with {at_kill}/{accounts} drafted")
    started = time.perf_counter()
    resumed = _cli(url, "generate", "--resume", run_id, "--workers", str(workers), "--format", "json")
    out, err = resumed.communicate()
    if resumed.returncode != 0:
        raise SystemExit(f"resume failed: {err.decode()[-2000:]}")
    summary = json.loads(out)
    plans = asyncio.run(_scalar(url, select(func.count()).select_from(AccountPlan)))
    revisions = asyncio.run(_scalar(url, select(func.count()).select_from(PlanRevision)))
    most = asyncio.run(_scalar(url, select(func.coalesce(func.max(AccountPlan.version), 0))))
    ok = summary["state"] == "finished" and plans == accounts and revisions == accounts and most == 1
    print(
        f"  resumed in {time.perf_counter() - started:.1f} s: run {summary['state']}, {summary['drafted']} drafted "
        f"in all; {plans} plans, {revisions} versions, highest version {most}: "
        f"{'every account exactly one new version' if ok else 'MISMATCH'}"
    )
    if not ok:
        raise SystemExit(1)


async def _run_id(url: str) -> str:
    from storage.models import DraftRun

    database = Database(url)
    try:
        async with database.session() as session:
            return str(
                (
                    await session.execute(select(DraftRun.id).order_by(DraftRun.created_at.desc()).limit(1))
                ).scalar_one()
            )
    finally:
        await database.dispose()


def _sqlite(args: argparse.Namespace, workers_list: list[int]) -> None:
    folder = Path(args.dir or tempfile.mkdtemp(prefix="bulk-bench-"))
    template = folder / f"seeded-{args.accounts}.db"
    if not template.exists():
        seconds = asyncio.run(_seed(f"sqlite+aiosqlite:///{template}", args.accounts))
        print(f"seeded {args.accounts} accounts in {seconds:.0f} s ({template})")
    work = folder / "work.db"
    url = f"sqlite+aiosqlite:///{work}"

    def fresh() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{work}{suffix}").unlink(missing_ok=True)
        shutil.copy(template, work)

    print(f"SQLite, {args.accounts} accounts, offline, on {os.cpu_count()} CPUs:")
    _throughput(url, workers_list, args.accounts, fresh)
    if not args.no_kill:
        fresh()
        _kill_and_resume(url, args.accounts, max(workers_list))


def _postgres(args: argparse.Namespace, workers_list: list[int]) -> None:
    url = args.postgres
    seconds = asyncio.run(_seed(url, args.accounts))
    print(f"PostgreSQL, {args.accounts} accounts (seeded in {seconds:.0f} s):")

    def fresh() -> None:
        async def clear() -> None:
            from sqlalchemy import delete

            from storage.models import AuditEvent, DraftRun, JobClaim

            database = Database(url)
            try:
                async with database.session() as session:
                    for model in (AuditEvent, PlanRevision, AccountPlan, DraftRunItem, DraftRun, JobClaim):
                        await session.execute(delete(model))
            finally:
                await database.dispose()

        asyncio.run(clear())

    _throughput(url, workers_list, args.accounts, fresh)
    if not args.no_kill:
        fresh()
        _kill_and_resume(url, args.accounts, max(workers_list))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--workers", default="1,2", help="worker counts to time, comma-separated")
    parser.add_argument("--dir", help="where the seeded SQLite file is kept (reused when there)")
    parser.add_argument("--postgres", metavar="URL", help="also run on this (empty) PostgreSQL database")
    parser.add_argument("--no-kill", action="store_true", help="skip the kill -9 and resume check")
    parser.add_argument("--claude", action="store_true", help="also run bench/bulk_claude.py (if present)")
    args = parser.parse_args()
    workers_list = [int(w) for w in args.workers.split(",") if w.strip()]
    _sqlite(args, workers_list)
    if args.postgres:
        _postgres(args, workers_list)
    if args.claude:
        if importlib.util.find_spec("bench.bulk_claude") is None:
            print("claude: bench/bulk_claude.py is not there")
        else:
            from importlib import import_module

            claude = import_module("bench.bulk_claude")
            print("Claude in bulk (bench.bulk_claude, 20 plans against the fake API):", flush=True)
            if hasattr(claude, "main"):
                claude.main()
            else:
                asyncio.run(claude.figures(20, 1.0))


if __name__ == "__main__":
    main()
