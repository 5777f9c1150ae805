"""Shared fixtures: a migrated database per test, on SQLite and (where marked) PostgreSQL.

SQLite: the schema is migrated once into a template file that each test copies (fast, isolated).
PostgreSQL: one schema per test session (so concurrent runs never collide), migrated once and
truncated between tests. PostgreSQL tests skip, with the reason shown, only when no server answers.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import text

from agent.deps import AgentDeps
from storage.db import Database
from storage.models import Base
from storage.settings import Settings

# Property tests explore the same examples on every run: the suite stays deterministic.
hypothesis_settings.register_profile("accountplan", derandomize=True, deadline=None, database=None)
hypothesis_settings.load_profile("accountplan")

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


def agent_deps(database: Database, settings: Settings | None = None, **parts: Any) -> AgentDeps:
    """What an entry point would build, for tests: default settings (the isolated environment),
    this database, no Claude client unless given, the real clock unless given."""
    return AgentDeps(settings=settings or Settings(), database=database, **parts)


def run_in_fresh_loop(coroutine: Any) -> Any:
    """Run `coroutine` to completion even when called from inside a running event loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _postgres_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No test sees the developer's environment, `.env` or data folder."""
    for name in (
        "DATABASE_URL", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "ANTHROPIC_MODEL", "SLACK_BOT_TOKEN",
        "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_API_URL", "FISCAL_YEAR_START_MONTH",
        "ACCOUNTPLAN_PLAYBOOK",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ACCOUNTPLAN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    from storage.settings import get_settings

    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"

    async def migrate() -> None:
        database = Database(f"sqlite+aiosqlite:///{path}")
        await database.ensure_schema()
        await database.dispose()

    run_in_fresh_loop(migrate())
    return path


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[str]:
    if not _postgres_reachable():
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432 (set TEST_POSTGRES_URL)")
    schema = f"t_{uuid.uuid4().hex[:12]}"

    async def run(statement: str, migrate: bool = False) -> None:
        admin = Database(POSTGRES_URL)
        async with admin.engine.begin() as connection:
            await connection.execute(text(statement))
        await admin.dispose()
        if migrate:
            database = postgres_database(schema)
            await database.ensure_schema()
            await database.dispose()

    run_in_fresh_loop(run(f'CREATE SCHEMA "{schema}"', migrate=True))
    yield schema
    run_in_fresh_loop(run(f'DROP SCHEMA "{schema}" CASCADE'))


def postgres_database(schema: str) -> Database:
    return Database(POSTGRES_URL, connect_args={"server_settings": {"search_path": schema}})


async def _truncate(database: Database) -> None:
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    async with database.engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
async def sqlite_db(sqlite_template: Path, tmp_path: Path) -> AsyncIterator[Database]:
    path = tmp_path / "test.db"
    shutil.copy(sqlite_template, path)
    database = Database(f"sqlite+aiosqlite:///{path}")
    yield database
    await database.dispose()


@pytest.fixture
async def db(sqlite_db: Database) -> Database:
    """The default database for tests that are not about storage portability: SQLite."""
    return sqlite_db


@pytest.fixture(params=["sqlite", "postgresql"])
async def any_db(request: pytest.FixtureRequest, sqlite_template: Path, tmp_path: Path) -> AsyncIterator[Database]:
    """Storage tests take this one: they run on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(sqlite_template, path)
        database = Database(f"sqlite+aiosqlite:///{path}")
        yield database
        await database.dispose()
        return
    schema = request.getfixturevalue("postgres_schema")
    database = postgres_database(schema)
    await _truncate(database)
    yield database
    await database.dispose()
