"""Engine and sessions: SQLite (aiosqlite) by default, PostgreSQL (asyncpg) through DATABASE_URL."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, CursorResult, Result, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from storage.errors import DatabaseUnavailable

if TYPE_CHECKING:
    from storage.settings import Settings

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 5000
# Any constant works; it only has to be the same for every replica running migrations.
MIGRATION_ADVISORY_LOCK = 723_235


def redact_url(url: str) -> str:
    """The URL as safe to show and log: the password never leaves this function."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable database URL>"


def rows_affected(result: Result[Any]) -> int:
    """Rows an INSERT/UPDATE/DELETE matched. `session.execute` is typed as returning a Result; for
    those statements it is a CursorResult, the one that carries the row count."""
    if not isinstance(result, CursorResult):
        raise TypeError(f"no row count on a {type(result).__name__}: not an INSERT, UPDATE or DELETE")
    return result.rowcount


def _enable_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine for `url`; SQLite gets WAL, foreign keys and a busy timeout."""
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise DatabaseUnavailable(f"DATABASE_URL is not a database URL: {redact_url(url)}") from error
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs)
        event.listen(engine.sync_engine, "connect", _enable_sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        # Several replicas may start at once; only one migrates at a time.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_ADVISORY_LOCK})
    command.upgrade(_alembic_config(connection), "head")


def _current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def _head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config).get_current_head()


async def upgrade_schema(engine: AsyncEngine) -> None:
    """Bring the schema to the newest migration (`accountplan db upgrade`)."""
    async with connect_errors(engine), engine.begin() as connection:
        await connection.run_sync(_upgrade)


async def ensure_schema(engine: AsyncEngine) -> None:
    """Upgrade only when behind, so the common case costs one cheap query."""
    async with connect_errors(engine), engine.connect() as connection:
        current = await connection.run_sync(_current_revision)
    if current != _head_revision():
        await upgrade_schema(engine)


@asynccontextmanager
async def connect_errors(engine: AsyncEngine) -> AsyncGenerator[None, None]:
    """Turn "cannot reach the database" into one clear line naming the URL without its password."""
    try:
        yield
    except (TimeoutError, OperationalError, DBAPIError, OSError) as error:
        if (
            isinstance(error, DBAPIError)
            and not isinstance(error, OperationalError)
            and not _is_connect(error)
        ):
            raise
        url = redact_url(engine.url.render_as_string(hide_password=False))
        reason = str(getattr(error, "orig", None) or error).splitlines()[0][:200]
        raise DatabaseUnavailable(f"cannot reach the database at {url}: {reason}") from error


def _is_connect(error: DBAPIError) -> bool:
    return bool(error.connection_invalidated) or "connect" in str(error).lower()


class Database:
    """The engine plus a session factory: what every layer above storage is handed."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = create_engine(url, **engine_kwargs)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def safe_url(self) -> str:
        return redact_url(self.url)

    @asynccontextmanager
    async def session(self) -> AsyncGenerator[AsyncSession, None]:
        """A session in a transaction: committed on success, rolled back on any error."""
        async with connect_errors(self.engine), self.sessions() as session, session.begin():
            yield session

    async def ensure_schema(self) -> None:
        await ensure_schema(self.engine)

    async def dispose(self) -> None:
        await self.engine.dispose()


def database_from_settings(settings: Settings) -> Database:
    """The configured database (the entry point passes its settings)."""
    if not settings.database_url:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return Database(settings.resolved_database_url)


__all__ = [
    "Database",
    "create_engine",
    "database_from_settings",
    "ensure_schema",
    "redact_url",
    "rows_affected",
    "upgrade_schema",
]
