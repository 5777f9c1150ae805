"""A running bot for tests: the real Bolt app over HTTP on 127.0.0.1, talking to the fake Slack
Web API, with the demo portfolio in a fresh SQLite database and a fixed clock."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import aiohttp
import pytest
from aiohttp import web
from slack_bolt.async_app import AsyncApp

from agent.deps import AgentDeps
from bot.http_server import build_web_app
from bot.slack.app import create_app
from bot.slack.deps import SlackDeps
from storage.db import Database
from storage.demo.portfolio import seed_demo_portfolio
from storage.settings import Settings
from tests.fakes.slack_api import FakeSlackApi, SlackSender

SIGNING_SECRET = "test-signing-secret"
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
AS_OF = date(2026, 3, 1)
CSM = "U0CSM001"  # the demo CSM whose book holds TechCorp Industries
ADMIN = "U0ADM001"


@dataclass
class SlackHarness:
    fake: FakeSlackApi
    sender: SlackSender
    deps: SlackDeps
    app: AsyncApp

    async def settle(self, events: int = 0) -> None:
        """Wait until `events` events have handed their work to the background (each event listener
        starts exactly one task) and all of it has finished."""
        async with asyncio.timeout(10):
            await self.deps.tasks.wait_started(events)
            await self.deps.tasks.drain()


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlackApi]:
    fake = FakeSlackApi()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def seeded_db(db: Database) -> Database:
    await seed_demo_portfolio(db, accounts=30, as_of=AS_OF)
    return db


def slack_settings(fake: FakeSlackApi) -> Settings:
    return Settings(
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.base_url,
    )


@pytest.fixture
async def slack(fake_slack: FakeSlackApi, seeded_db: Database) -> AsyncIterator[SlackHarness]:
    deps = SlackDeps(AgentDeps(settings=slack_settings(fake_slack), database=seeded_db, clock=lambda: NOW))
    app = create_app(deps)
    runner = web.AppRunner(build_web_app(app, deps, registrars=[]), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    async with aiohttp.ClientSession() as session:
        sender = SlackSender(
            f"http://127.0.0.1:{port}/slack/events",
            SIGNING_SECRET,
            session,
            response_url=fake_slack.response_url(),
        )
        harness = SlackHarness(fake=fake_slack, sender=sender, deps=deps, app=app)
        yield harness
        await harness.settle()
    await runner.cleanup()
