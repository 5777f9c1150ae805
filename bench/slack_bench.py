"""Slack bot latency over HTTP: acknowledgement of 50 concurrent `/accountplan` commands (p50/p99),
time from the command to the first visible message and to the finished plan summary, with the
offline drafter and with Claude (the fake Messages API on 127.0.0.1, answering with latency).

Run: .venv/bin/python -m bench.slack_bench [--concurrent 50] [--accounts 300]
Targets (issue 5): ack p99 <= 100 ms; first message <= 1 s; finished offline plan <= 2 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import select

SIGNING_SECRET = "bench-signing-secret"
ADMIN = "U0ADM001"  # the demo admin may plan for every account


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


class Bot:
    """`accountplan serve` in its own process (as in production), against the fake Slack API in
    this one; `extra_env` adds e.g. the fake Anthropic API's URL."""

    def __init__(
        self, database_url: str, fake: Any, workdir: Path, extra_env: dict[str, str] | None = None
    ) -> None:
        self.database_url, self.fake, self.workdir = database_url, fake, workdir
        self.extra_env = extra_env or {}
        self.log = workdir / "serve.log"  # the server's stderr, shown when something goes wrong

    async def __aenter__(self) -> Bot:
        from tests.fakes.slack_api import SlackSender

        port = free_port()
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("SLACK_", "ANTHROPIC_", "DATABASE_URL"))
        }
        env |= {
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": self.fake.base_url,
            "DATABASE_URL": self.database_url,
            "ACCOUNTPLAN_DATA_DIR": str(self.workdir),
        } | self.extra_env
        self.process = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).with_name("accountplan")),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            env=env,
            cwd=str(self.workdir),
            stderr=self.log.open("ab"),
        )
        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=200))
        await wait_healthy(self.session, f"http://127.0.0.1:{port}/healthz")
        self.sender = SlackSender(
            f"http://127.0.0.1:{port}/slack/events",
            SIGNING_SECRET,
            self.session,
            response_url=self.fake.response_url(),
        )
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.session.close()
        self.process.terminate()
        await self.process.wait()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def wait_healthy(session: aiohttp.ClientSession, url: str) -> None:
    async with asyncio.timeout(60):
        while True:
            try:
                async with session.get(url) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)  # polling a starting process; no event to wait on


async def send_commands(url: str, texts: list[str], user_id: str) -> list[dict[str, Any]]:
    """Send the commands at once as Slack would; each result has its send time (CLOCK_MONOTONIC,
    comparable across processes on Linux), HTTP status and acknowledgement latency."""
    from tests.fakes.slack_api import SlackSender

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=200)) as session:
        sender = SlackSender(url, SIGNING_SECRET, session, response_url="http://127.0.0.1:9/")

        async def send(text: str) -> dict[str, Any]:
            sent = time.monotonic()
            response = await sender.command(text, user_id=user_id, channel_id="C0BENCH1")
            return {"text": text, "sent": sent, "status": response.status, "ack_ms": response.elapsed_ms}

        return list(await asyncio.gather(*(send(text) for text in texts)))


async def send_from_another_process(bot: Bot, texts: list[str]) -> list[dict[str, Any]]:
    """Slack's side of the wire runs in its own process, so its CPU does not count against the bot's
    acknowledgements (nor does the fake Web API's, which lives in this process)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.slack_bench",
        "--send",
        bot.sender.url,
        "--user",
        ADMIN,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        cwd=str(Path(__file__).parents[1]),
    )
    out, _ = await process.communicate(json.dumps(texts).encode())
    results = json.loads(out)
    assert all(r["status"] == 200 for r in results), results
    return results


async def timed_commands(bot: Bot, names: list[str]) -> dict[str, float | list[float]]:
    """Send one command per name at once; returns ack, first-message and finished-plan times (ms)."""
    from bot.slack.blocks.text import escape

    results = await send_from_another_process(bot, names)
    sent = {r["text"]: r["sent"] for r in results}

    def for_name(name: str, finished: bool) -> Callable[[Any], bool]:
        def match(call: Any) -> bool:
            text = str(call.params.get("text", ""))
            if finished:
                return escape(name) in text and "header" in str(call.params.get("blocks"))
            return text.startswith(f"Drafting {escape(name)} ")

        return match

    first, done = [], []
    for name in names:
        try:
            (posted,) = await bot.fake.wait_for("chat.postMessage", for_name(name, False), timeout=120)
            (summary,) = await bot.fake.wait_for("chat.update", for_name(name, True), timeout=120)
        except TimeoutError:
            failures = [
                c.params.get("blocks")
                for c in bot.fake.calls_to("chat.update")
                if "Could not draft" in str(c.params)
            ]
            log_tail = bot.log.read_text()[-3000:] if bot.log.exists() else ""
            raise SystemExit(
                f"no finished plan for {name!r}; failures: {failures[-1:]}\n{log_tail}"
            ) from None
        first.append((posted.at - sent[name]) * 1000)
        done.append((summary.at - sent[name]) * 1000)
    return {"ack": [r["ack_ms"] for r in results], "first": first, "done": done}


def report(title: str, figures: dict[str, Any]) -> None:
    ack, first, done = figures["ack"], figures["first"], figures["done"]
    print(f"\n{title} ({len(ack)} command{'s' if len(ack) != 1 else ''})")
    print(
        f"  ack          p50 {percentile(ack, 0.5):7.1f} ms   p99 {percentile(ack, 0.99):7.1f} ms   max {max(ack):7.1f} ms"
    )
    print(
        f"  first message p50 {percentile(first, 0.5):7.1f} ms   p99 {percentile(first, 0.99):7.1f} ms   max {max(first):7.1f} ms"
    )
    print(
        f"  finished plan p50 {percentile(done, 0.5):7.1f} ms   p99 {percentile(done, 0.99):7.1f} ms   max {max(done):7.1f} ms"
    )


async def claude_run(
    database: Any, url: str, fake_slack: Any, workdir: Path, customer: Any, as_of: date
) -> dict[str, Any]:
    """One command drafted by Claude: the fake answers every section with the grounded offline
    draft of that account, after a latency proportional to its output."""
    from agent.drafter import draft_plan
    from tests.fakes.anthropic_api import FakeAnthropic
    from tests.fakes.plan_samples import plan_author
    from tools.analytics.context import gather_planning_context
    from tools.analytics.fiscal_calendar import fiscal_year_of

    fiscal_year = fiscal_year_of(as_of, 1)
    async with database.session() as session:
        context = await gather_planning_context(session, customer.id, as_of, fiscal_year=fiscal_year)
    baseline = draft_plan(context, fiscal_year).to_json_dict()
    author = plan_author(baseline, seconds_per_output_token=0.0004, base_latency=0.15)
    async with FakeAnthropic(author) as fake:
        env = {"ANTHROPIC_API_KEY": "sk-bench", "ANTHROPIC_BASE_URL": fake.url}
        async with Bot(url, fake_slack, workdir, env) as bot:
            await send_from_another_process(bot, ["help"])  # warm-up: a fresh process's first request
            figures = await timed_commands(bot, [customer.name])
        figures["model_calls"] = len(fake.calls)
    return figures


async def main(concurrent: int, accounts: int) -> None:
    from storage.db import Database
    from storage.demo.portfolio import seed_demo_portfolio
    from storage.models import Customer
    from tests.fakes.slack_api import FakeSlackApi

    workdir = Path(tempfile.mkdtemp(prefix="slack-bench-"))
    os.chdir(workdir)
    os.environ["ACCOUNTPLAN_DATA_DIR"] = str(workdir)
    url = f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
    database = Database(url)
    await database.ensure_schema()
    as_of = datetime.now(UTC).date()
    await seed_demo_portfolio(database, accounts=accounts, as_of=as_of)
    async with database.session() as session:
        customers = (await session.execute(select(Customer.id, Customer.name).order_by(Customer.id))).all()
    print(
        f"slack_bench: SQLite, {accounts} demo accounts, `accountplan serve` over HTTP, fake Slack Web API; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )

    fake = FakeSlackApi()
    await fake.start()
    try:
        async with Bot(url, fake, workdir) as bot:
            # Warm-up: first-request costs (auth.test, imports, caches) are not what we measure.
            await timed_commands(bot, [customers[-1].name])
            report(
                "single /accountplan CUSTOMER, offline drafter",
                await timed_commands(bot, [customers[1].name]),
            )
            names = [c.name for c in customers[2 : 2 + concurrent]]
            report(
                f"{concurrent} concurrent /accountplan CUSTOMER, offline drafter",
                await timed_commands(bot, names),
            )
            acks = [r["ack_ms"] for r in await send_from_another_process(bot, [""] * concurrent)]
            print(
                f"\n{concurrent} concurrent /accountplan (opens the modal): ack p50 {statistics.median(acks):.1f} ms, "
                f"p99 {percentile(acks, 0.99):.1f} ms"
            )
        claude = await claude_run(database, url, fake, workdir, customers[0], as_of)
        report("single /accountplan CUSTOMER, Claude (fake API, ~0.15 s + 0.4 ms/token per call)", claude)
        print(f"  model calls  {claude['model_calls']}")
    finally:
        await fake.stop()
        await database.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrent", type=int, default=50)
    parser.add_argument("--accounts", type=int, default=300)
    parser.add_argument("--send", metavar="URL", help=argparse.SUPPRESS)  # the sender subprocess
    parser.add_argument("--user", default=ADMIN, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.send:
        texts = json.loads(sys.stdin.read())
        print(json.dumps(asyncio.run(send_commands(arguments.send, texts, arguments.user))))
    else:
        asyncio.run(main(arguments.concurrent, arguments.accounts))
