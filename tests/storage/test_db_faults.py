"""Database faults end in one clear line: unreachable, blackholed, missing database or role, the wrong
driver, an unusable SQLite path. Nothing hangs past its timeout."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.db import Database
from storage.errors import BadInput, DatabaseUnavailable
from tests.conftest import POSTGRES_URL, _postgres_reachable
from tests.fakes.blackhole import blackhole as silent_server

needs_postgres = pytest.mark.skipif(not _postgres_reachable(), reason="PostgreSQL is not reachable")


@pytest.fixture
def blackhole() -> Iterator[int]:
    with silent_server() as port:
        yield port


async def _query(database: Database) -> None:
    try:
        async with database.session() as session:
            await session.execute(text("SELECT 1"))
    finally:
        await database.dispose()


def _one_line(message: str) -> None:
    assert message and "\n" not in message


async def test_a_blackholed_server_is_database_unavailable_after_the_connect_timeout(blackhole: int) -> None:
    """Before: an IndexError (the TimeoutError's message is empty) after asyncpg's 60 s default."""
    database = Database(f"postgresql+asyncpg://someone@127.0.0.1:{blackhole}/plans", connect_timeout=0.5)
    started = time.monotonic()
    with pytest.raises(DatabaseUnavailable) as caught:
        await _query(database)
    assert time.monotonic() - started < 30  # bounded by the timeout, not the driver's minute
    _one_line(caught.value.message)
    assert "no answer in time" in caught.value.message
    assert caught.value.exit_code == 3
    # What people on Slack or the REST API see names no host, user or database.
    for secret in ("127.0.0.1", "someone", "plans", str(blackhole)):
        assert secret not in caught.value.public_message


async def test_a_refused_connection_is_database_unavailable() -> None:
    with pytest.raises(DatabaseUnavailable, match="cannot use the database at postgresql"):
        await _query(Database("postgresql+asyncpg://u:secret@127.0.0.1:1/db"))


@needs_postgres
@pytest.mark.parametrize(
    ("url", "said"),
    [
        (
            POSTGRES_URL.rsplit("/", 1)[0] + "/no_such_database_here",
            'database "no_such_database_here" does not exist',
        ),
        (POSTGRES_URL.replace("postgres@", "no_such_role@"), 'role "no_such_role" does not exist'),
    ],
)
async def test_a_missing_postgres_database_or_role_is_database_unavailable(url: str, said: str) -> None:
    """Before: a DBAPIError traceback (not recognised as a connection problem)."""
    with pytest.raises(DatabaseUnavailable) as caught:
        await _query(Database(url))
    _one_line(caught.value.message)
    assert said in caught.value.message


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("mysql://u:pw@127.0.0.1/plans", "names a mysql database; accountplan runs on PostgreSQL or SQLite"),
        ("sqlite:///plans.db", "synchronous pysqlite driver; accountplan needs sqlite+aiosqlite, e.g. sqlite+aiosqlite:///plans.db"),
        ("postgresql://u:pw@db.internal/plans", "needs postgresql+asyncpg, e.g. postgresql+asyncpg://u:***@db.internal/plans"),
    ],
)  # fmt: skip
def test_unsupported_databases_and_drivers_name_the_url_to_use(url: str, said: str) -> None:
    """Before: ModuleNotFoundError (MySQLdb, psycopg) or InvalidRequestError tracebacks."""
    with pytest.raises(DatabaseUnavailable) as caught:
        Database(url)
    _one_line(caught.value.message)
    assert said in caught.value.message
    assert "pw" not in caught.value.message


@pytest.mark.parametrize("url", ["nonsense", "://", "postgresql+asyncpg://u@host:notaport/db"])
def test_a_malformed_url_is_bad_input(url: str) -> None:
    with pytest.raises(BadInput) as caught:
        Database(url)
    assert caught.value.exit_code == 2
    assert "DATABASE_URL is not a database URL" in caught.value.message


def test_a_sqlite_path_under_a_file_is_database_unavailable(tmp_path: Path) -> None:
    """Before: FileExistsError / NotADirectoryError from mkdir."""
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(DatabaseUnavailable) as caught:
        Database(f"sqlite+aiosqlite:///{blocker}/sub/accountplan.db")
    _one_line(caught.value.message)
    assert "is not a usable folder" in caught.value.message


@needs_postgres
async def test_a_connection_the_server_dropped_is_replaced_not_handed_out() -> None:
    """pool_pre_ping: after a server restart (here: the backend terminated), the next request works."""
    database = Database(POSTGRES_URL)
    try:
        async with database.session() as session:
            pid = (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        admin = Database(POSTGRES_URL)
        async with admin.engine.begin() as connection:
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        await admin.dispose()
        async with database.session() as session:
            assert (await session.execute(text("SELECT 1"))).scalar_one() == 1
    finally:
        await database.dispose()


@needs_postgres
async def test_postgres_statement_timeout_is_set_on_the_server() -> None:
    database = Database(POSTGRES_URL, statement_timeout=0.2)
    try:
        async with database.engine.connect() as connection:
            shown = (await connection.execute(text("SHOW statement_timeout"))).scalar_one()
        assert shown == "200ms"
        with pytest.raises(DatabaseUnavailable, match="statement timeout"):
            async with database.session() as session:
                await session.execute(text("SELECT pg_sleep(2)"))
    finally:
        await database.dispose()
