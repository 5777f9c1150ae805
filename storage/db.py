"""Engine and sessions: SQLite (aiosqlite) by default, PostgreSQL (asyncpg) through DATABASE_URL."""

from __future__ import annotations

import ast
import logging
import re
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import event, inspect, text
from sqlalchemy.engine import URL, Connection, CursorResult, Result, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from storage.errors import BadInput, DatabaseUnavailable

if TYPE_CHECKING:
    from alembic.config import Config

    from storage.settings import Settings

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"  # alembic's default, which migrations/env.py keeps
# `revision = "0003"` / `down_revision: str | None = "0002"` at the start of a line, as alembic writes them.
_REVISION_ASSIGNMENT = re.compile(r"^(down_revision|revision)\b\s*(?::[^=\n]*)?=\s*(.+?)\s*$", re.MULTILINE)
SQLITE_BUSY_TIMEOUT_MS = 5000
# Any constant works; it only has to be the same for every replica running migrations.
MIGRATION_ADVISORY_LOCK = 723_235
# The async drivers accountplan runs on, by backend.
ASYNC_DRIVERS = {"postgresql": "asyncpg", "sqlite": "aiosqlite"}
URL_EXAMPLES = "postgresql+asyncpg://user:password@host/db or sqlite+aiosqlite:///path/to/accountplan.db"
# PostgreSQL: how long to wait for a connection (a blackholed host must not hang a request for a
# minute), for one statement (server side), and for a free pooled connection.
DEFAULT_CONNECT_TIMEOUT_SECONDS = 5.0
DEFAULT_STATEMENT_TIMEOUT_SECONDS = 30.0
POOL_TIMEOUT_SECONDS = 10.0
# The client gives a statement this much longer than the server does, so the server's own cancel
# (a clear "statement timeout") normally comes first; the client's catches a server gone silent.
CLIENT_TIMEOUT_MARGIN_SECONDS = 5.0
# SQLSTATE classes meaning "the database cannot serve us now" rather than "this statement is wrong":
# connection (08), authorization (28: no such role, bad password), no such database (3D),
# resources (53: too many connections) and operator intervention (57: shutdown, statement timeout).
UNAVAILABLE_SQLSTATE_CLASSES = ("08", "28", "3D", "53", "57")


def dump_json(value: Any) -> str:
    """JSON columns' text. orjson, not the json module: a plan document (~40 KB) is written to three
    columns per saved version, and the json module spent ~0.7 ms per plan of a bulk run doing so
    (orjson ~0.07). Non-string keys become strings, as the json module makes them."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def redact_url(url: str) -> str:
    """The URL as safe to show and log: the password never leaves this function."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
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


def parse_database_url(url: str) -> URL:
    """`url` parsed and checked against what accountplan runs on, before any connection is tried.

    BadInput (exit 2) for something that is not a URL at all; DatabaseUnavailable (exit 3) for a
    database or driver accountplan cannot use (`mysql://`, the synchronous `sqlite://`), naming
    the URL to write instead.
    """
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise BadInput(f"DATABASE_URL is not a database URL; expected e.g. {URL_EXAMPLES}") from None
    backend, driver = parsed.get_backend_name(), parsed.get_driver_name()
    wanted = ASYNC_DRIVERS.get(backend)
    if wanted is None:
        raise DatabaseUnavailable(
            f"DATABASE_URL names a {backend} database; accountplan runs on PostgreSQL or SQLite "
            f"({URL_EXAMPLES})"
        )
    if driver != wanted:
        fixed = parsed.set(drivername=f"{backend}+{wanted}").render_as_string(hide_password=True)
        raise DatabaseUnavailable(
            f"DATABASE_URL uses the synchronous {driver} driver; accountplan needs {backend}+{wanted}, "
            f"e.g. {fixed}"
        )
    return parsed


def sqlite_file(parsed: URL) -> Path | None:
    """The file behind a SQLite URL (None for an in-memory database)."""
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:"):
        return None  # a URI filename; SQLite resolves it itself
    return Path(database)


def create_engine(
    url: str,
    *,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT_SECONDS,
    statement_timeout: float = DEFAULT_STATEMENT_TIMEOUT_SECONDS,
    **kwargs: Any,
) -> AsyncEngine:
    """An async engine for `url`: SQLite gets WAL, foreign keys and a busy timeout; PostgreSQL gets
    connect and statement timeouts and a pre-ping on every checkout (a restarted server's dead
    connections are replaced, not handed to a request)."""
    parsed = parse_database_url(url)
    kwargs.setdefault("json_serializer", dump_json)
    kwargs.setdefault("json_deserializer", orjson.loads)
    path = sqlite_file(parsed)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DatabaseUnavailable(
                f"cannot create the SQLite database {path}: {path.parent} is not a usable folder "
                f"({error.strerror or type(error).__name__})"
            ) from None
    if parsed.get_backend_name() == "sqlite":
        engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs)
        event.listen(engine.sync_engine, "connect", _enable_sqlite_pragmas)
        return engine
    connect_args = dict(kwargs.pop("connect_args", None) or {})
    connect_args.setdefault("timeout", connect_timeout)
    connect_args.setdefault("command_timeout", statement_timeout + CLIENT_TIMEOUT_MARGIN_SECONDS)
    server_settings = dict(connect_args.get("server_settings") or {})
    server_settings.setdefault("statement_timeout", str(int(statement_timeout * 1000)))
    connect_args["server_settings"] = server_settings
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_timeout", POOL_TIMEOUT_SECONDS)
    return create_async_engine(url, connect_args=connect_args, **kwargs)


def _alembic_config(connection: Connection) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection) -> None:
    from alembic import command

    if connection.dialect.name == "postgresql":
        # Several replicas may start at once; only one migrates at a time.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_ADVISORY_LOCK})
    command.upgrade(_alembic_config(connection), "head")


def _current_revisions(connection: Connection) -> frozenset[str]:
    """The revisions the database is at (empty when it was never migrated), read with plain SQL:
    alembic's own MigrationContext costs ~0.2-0.4 s of imports, which every CLI command would pay."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return frozenset()
    rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars()
    return frozenset(str(row) for row in rows)


@cache
def migration_heads() -> frozenset[str]:
    """The newest revisions in migrations/versions, read from the files' `revision` and
    `down_revision` lines (no alembic import); alembic's ScriptDirectory when a file is unusual."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        found = dict(_REVISION_ASSIGNMENT.findall(path.read_text(encoding="utf-8")))
        try:
            revision = ast.literal_eval(found["revision"])
            parent = ast.literal_eval(found.get("down_revision", "None"))
        except (KeyError, ValueError, SyntaxError):
            return _alembic_heads()
        if not isinstance(revision, str):
            return _alembic_heads()
        revisions.add(revision)
        parents.update([parent] if isinstance(parent, str) else parent or ())
    return frozenset(revisions - parents)


def _alembic_heads() -> frozenset[str]:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


async def upgrade_schema(engine: AsyncEngine) -> None:
    """Bring the schema to the newest migration (`accountplan db upgrade`)."""
    async with connect_errors(engine), engine.begin() as connection:
        await connection.run_sync(_upgrade)


async def ensure_schema(engine: AsyncEngine) -> None:
    """Upgrade only when behind, so the common case costs one cheap query and imports no alembic."""
    async with connect_errors(engine), engine.connect() as connection:
        current = await connection.run_sync(_current_revisions)
    if current != migration_heads():
        await upgrade_schema(engine)


@asynccontextmanager
async def connect_errors(engine: AsyncEngine) -> AsyncGenerator[None, None]:
    """Turn "cannot reach the database" into one clear line naming the URL without its password
    (for operators: the CLI prints it; REST and Slack show `public_message` instead)."""
    try:
        yield
    except (TimeoutError, OperationalError, DBAPIError, OSError) as error:
        if (
            isinstance(error, DBAPIError)
            and not isinstance(error, OperationalError)
            and not _is_unavailable(error)
        ):
            raise
        url = redact_url(engine.url.render_as_string(hide_password=False))
        raise DatabaseUnavailable(f"cannot use the database at {url}: {_reason(error)}") from error


def _reason(error: BaseException) -> str:
    """The first line of what the driver said; a timeout often says nothing at all."""
    cause = getattr(error, "orig", None) or error
    lines = str(cause).strip().splitlines()
    if isinstance(cause, TimeoutError) or isinstance(error, TimeoutError):
        return "no answer in time" + (f" ({lines[0][:200]})" if lines else "")
    return lines[0][:200] if lines else type(cause).__name__


def _is_unavailable(error: DBAPIError) -> bool:
    sqlstate = str(getattr(error.orig, "sqlstate", None) or "")
    if sqlstate[:2] in UNAVAILABLE_SQLSTATE_CLASSES:
        return True
    return bool(error.connection_invalidated) or "connect" in str(error).lower()


class Database:
    """The engine plus a session factory: what every layer above storage is handed."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        # Kept so another process (a bulk run's worker) can open the same database the same way.
        self.engine_kwargs = dict(engine_kwargs)
        self.engine = create_engine(url, **engine_kwargs)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @property
    def sqlite_file(self) -> Path | None:
        """The SQLite file this database lives in (None for PostgreSQL or in-memory SQLite)."""
        return sqlite_file(self.engine.url)

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
    """The configured database (the entry point passes its settings), with its timeouts."""
    return Database(
        settings.resolved_database_url,
        connect_timeout=settings.database_connect_timeout_seconds,
        statement_timeout=settings.database_statement_timeout_seconds,
    )


__all__ = [
    "Database",
    "create_engine",
    "database_from_settings",
    "ensure_schema",
    "parse_database_url",
    "redact_url",
    "rows_affected",
    "upgrade_schema",
]
