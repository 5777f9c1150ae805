"""Review and approval: lifecycle transition cost, racing reviewers, and REST latency.

    .venv/bin/python -m bench.approval_bench [--plans 40] [--racers 8] [--requests 300] [--postgres]

Seeds the demo portfolio into a SQLite file (or the PostgreSQL test database with --postgres),
drafts plans offline, then prints:
  * median / p95 ms of one submit and one approve (each its own transaction, audit included);
  * for `--racers` reviewers (the manager and admins) approving the same plan at the same moment:
    how many won per round (must be exactly 1) and the median time until all had their answer;
  * REST GET /api/account-plans/{id} and POST .../approve latency over HTTP on 127.0.0.1 (p50/p99).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import select, text

from agent.deps import AgentDeps
from agent.generate import GenerationRequest, generate_plan
from bot.api import register_api
from bot.http_server import build_web_app
from bot.slack.deps import SlackDeps
from storage.db import Database
from storage.demo.portfolio import seed_demo_portfolio
from storage.errors import Conflict
from storage.models import Customer, User
from storage.settings import get_settings
from storage.users import create_token
from tools.plans.lifecycle import approve, submit_for_approval

AS_OF = date(2026, 2, 2)
POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _ms(values: list[float]) -> str:
    return f"median {statistics.median(values):.2f} ms, p95 {_pct(values, 0.95):.2f} ms"


async def _postgres(schema: str) -> Database:
    """A database in its own schema, so the bench never touches anyone else's tables."""
    admin = Database(POSTGRES_URL)
    async with admin.engine.begin() as connection:
        await connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    await admin.dispose()
    database = Database(POSTGRES_URL, connect_args={"server_settings": {"search_path": schema}})
    await database.ensure_schema()
    return database


async def _drop_postgres(schema: str) -> None:
    admin = Database(POSTGRES_URL)
    async with admin.engine.begin() as connection:
        await connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    await admin.dispose()


async def _plans(deps: AgentDeps, count: int) -> list[tuple[str, str, str]]:
    database = deps.database
    """(plan id, CSM email, manager email) for `count` freshly drafted plans."""
    await seed_demo_portfolio(database, accounts=max(count, 30), as_of=AS_OF)
    async with database.session() as session:
        rows = (
            await session.execute(
                select(Customer.id, Customer.csm_email, User.manager_email)
                .join(User, User.email == Customer.csm_email)
                .where(User.manager_email.is_not(None))
                .order_by(Customer.id)
                .limit(count)
            )
        ).all()
    plans = []
    for customer_id, csm, manager in rows:
        generated = await generate_plan(
            deps,
            GenerationRequest(
                customer=customer_id, fiscal_year="FY2026", as_of=AS_OF, author=csm, offline=True
            ),
        )
        plans.append((generated.document.plan_id, csm, manager))
    return plans


async def _admins(database: Database) -> list[str]:
    async with database.session() as session:
        return list((await session.execute(select(User.email).where(User.role == "admin"))).scalars())


async def bench_transitions(database: Database, plans: list[tuple[str, str, str]]) -> None:
    submits: list[float] = []
    approvals: list[float] = []
    for plan_id, csm, manager in plans:
        started = time.perf_counter()
        async with database.session() as session:
            await submit_for_approval(session, plan_id, actor=csm, surface="cli")
        submits.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        async with database.session() as session:
            await approve(session, plan_id, actor=manager, surface="cli")
        approvals.append((time.perf_counter() - started) * 1000)
    print(f"submit  ({len(submits)} plans): {_ms(submits)}")
    print(f"approve ({len(approvals)} plans): {_ms(approvals)}")


async def bench_race(database: Database, plans: list[tuple[str, str, str]], racers: int) -> None:
    reviewers_extra = await _admins(database)
    winners: list[int] = []
    settle: list[float] = []
    for plan_id, csm, manager in plans:
        async with database.session() as session:
            await submit_for_approval(session, plan_id, actor=csm, surface="cli")
        reviewers = ([manager, *reviewers_extra] * racers)[:racers]

        async def one(reviewer: str, plan: str = plan_id) -> bool:
            try:
                async with database.session() as session:
                    await approve(session, plan, actor=reviewer, surface="cli", expected_version=None)
                return True
            except Conflict:
                return False

        started = time.perf_counter()
        results = await asyncio.gather(*(one(r) for r in reviewers))
        settle.append((time.perf_counter() - started) * 1000)
        winners.append(sum(results))
    exact = sum(1 for w in winners if w == 1)
    print(
        f"race: {racers} reviewers x {len(winners)} plans: exactly one winner in {exact}/{len(winners)} rounds; "
        f"all answered in {_ms(settle)}"
    )


async def bench_rest(agent: AgentDeps, plans: list[tuple[str, str, str]], requests: int) -> None:
    database = agent.database
    plan_id, csm, manager = plans[0]
    async with database.session() as session:
        csm_token = await create_token(session, csm)
        manager_token = await create_token(session, manager)
    deps = SlackDeps(agent)
    runner = web.AppRunner(build_web_app(None, deps, registrars=[register_api]), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    base = f"http://127.0.0.1:{port}/api/account-plans"
    gets: list[float] = []
    decisions: list[float] = []
    async with aiohttp.ClientSession() as http:
        for _ in range(requests):
            started = time.perf_counter()
            async with http.get(f"{base}/{plan_id}", headers={"Authorization": f"Bearer {csm_token}"}) as r:
                await r.read()
                assert r.status == 200, r.status
            gets.append((time.perf_counter() - started) * 1000)
        for other_id, other_csm, other_manager in plans[1:]:
            async with database.session() as session:
                await submit_for_approval(session, other_id, actor=other_csm, surface="cli")
            headers: dict[str, Any] = {"Authorization": f"Bearer {manager_token}"}
            if other_manager != manager:
                continue
            started = time.perf_counter()
            async with http.post(f"{base}/{other_id}/approve", headers=headers) as r:
                await r.read()
                assert r.status == 200, r.status
            decisions.append((time.perf_counter() - started) * 1000)
    await runner.cleanup()
    print(
        f"REST GET plan ({len(gets)} requests): p50 {_pct(gets, 0.5):.2f} ms, p99 {_pct(gets, 0.99):.2f} ms"
    )
    if decisions:
        print(
            f"REST POST approve ({len(decisions)} plans): p50 {_pct(decisions, 0.5):.2f} ms, "
            f"p99 {_pct(decisions, 0.99):.2f} ms"
        )


async def main(args: argparse.Namespace) -> None:
    schema = f"bench_approvals_{os.getpid()}"
    with tempfile.TemporaryDirectory() as folder:
        if args.postgres:
            database = await _postgres(schema)
        else:
            database = Database(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
            await database.ensure_schema()
        try:
            print(f"database: {database.dialect}")
            deps = AgentDeps(settings=get_settings(), database=database)  # offline: no Claude client
            plans = await _plans(deps, args.plans * 3)
            third = len(plans) // 3
            await bench_transitions(database, plans[:third])
            await bench_race(database, plans[third : 2 * third], args.racers)
            await bench_rest(deps, plans[2 * third :], args.requests)
        finally:
            await database.dispose()
            if args.postgres:
                await _drop_postgres(schema)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=40, help="plans per measurement")
    parser.add_argument("--racers", type=int, default=8, help="reviewers racing on one plan")
    parser.add_argument("--requests", type=int, default=300, help="REST GET requests")
    parser.add_argument("--postgres", action="store_true", help="use PostgreSQL on 127.0.0.1:5432/test")
    asyncio.run(main(parser.parse_args()))
