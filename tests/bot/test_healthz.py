"""/healthz answers within its timeout whatever the database does, and says nothing about where the
database is."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.http_server import HEALTH_DB_TIMEOUT_SECONDS, build_web_app
from bot.slack.deps import SlackDeps
from storage.db import Database
from tests.conftest import agent_deps
from tests.fakes.blackhole import blackhole as silent_server


@pytest.fixture
def blackhole() -> Iterator[int]:
    with silent_server() as port:
        yield port


async def test_healthz_is_bounded_by_its_timeout_on_a_blackholed_database(blackhole: int) -> None:
    """The check runs in a task abandoned at the deadline, so no pool or driver state can hold it."""
    database = Database(f"postgresql+asyncpg://dbadmin@127.0.0.1:{blackhole}/plans_db", connect_timeout=60)
    deps = SlackDeps(agent_deps(database))
    async with TestClient(TestServer(build_web_app(None, deps, registrars=[]), host="127.0.0.1")) as client:
        for _ in range(3):  # the abandoned attempts do not pile up into longer waits
            started = time.monotonic()
            response = await client.get("/healthz")
            elapsed = time.monotonic() - started
            assert response.status == 503
            body = await response.text()
            assert body == '{"status": "unhealthy", "database": "unreachable"}'
            assert elapsed < HEALTH_DB_TIMEOUT_SECONDS + 10  # generous on a loaded machine; the hang was 60 s
    await database.dispose()


async def test_healthz_is_ok_with_a_database(db: Database) -> None:
    deps = SlackDeps(agent_deps(db))
    async with TestClient(TestServer(build_web_app(None, deps, registrars=[]), host="127.0.0.1")) as client:
        response = await client.get("/healthz")
        assert response.status == 200 and (await response.json())["database"] == "ok"
