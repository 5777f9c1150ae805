"""The similar-accounts index is saved when built and loaded by the next process instead of being
rebuilt; a stale or unreadable saved index is ignored and rebuilt, never an error."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import event, text, update

from storage.db import Database
from storage.models import Customer, SavedIndex
from storage.saved_indexes import read_saved_index
from tests.conftest import postgres_database
from tests.tools.analytics.analytics_data import customer_row, insert
from tests.tools.analytics.test_similar_accounts import AS_OF, portfolio
from tools.analytics.feature_index import SAVED_NAME, _saved_signature, _signature
from tools.analytics.similar_accounts import find_similar_accounts

# What only a build sends: the per-customer contact counts.
BUILD_MARKER = "GROUP BY contacts.customer_id"


@asynccontextmanager
async def fresh_loader(database: Database) -> AsyncIterator[tuple[Database, list[str]]]:
    """Another Database on the same data (a new engine: nothing loaded in-process, as in a new
    process), and the SQL statements it sends."""
    if database.dialect == "postgresql":
        async with database.session() as session:
            schema = (await session.execute(text("SELECT current_schema()"))).scalar_one()
        other = postgres_database(schema)
    else:
        other = Database(database.engine.url.render_as_string(hide_password=False))
    statements: list[str] = []
    event.listen(other.engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    try:
        yield other, statements
    finally:
        await other.dispose()


async def similar_ids(database: Database) -> list[str]:
    async with database.session() as session:
        found = await find_similar_accounts(session, "target", AS_OF, k=3, max_index_age=0)
    return [account.customer_id for account in found.accounts]


async def saved_payload(database: Database) -> bytes | None:
    async with database.session() as session:
        signature = _saved_signature(await _signature(session))
        return await read_saved_index(session, SAVED_NAME, signature)


async def test_a_built_index_is_saved_and_a_fresh_loader_reads_it_instead_of_the_customers(
    any_db: Database,
) -> None:
    await portfolio(any_db)
    built = await similar_ids(any_db)
    assert await saved_payload(any_db) is not None
    if any_db.sqlite_file is not None:
        assert any_db.sqlite_file.with_name("test.db.similar-accounts.idx").is_file()
    async with fresh_loader(any_db) as (other, statements):
        assert await similar_ids(other) == built
    assert not [s for s in statements if BUILD_MARKER in s]
    # Signature, the saved index (PostgreSQL only; SQLite reads a file), the target's own row.
    assert len(statements) == (3 if any_db.dialect == "postgresql" else 2)


async def test_a_change_in_the_data_rebuilds_and_saves_again(any_db: Database) -> None:
    await portfolio(any_db)
    await similar_ids(any_db)
    before = await saved_payload(any_db)
    async with any_db.session() as session:
        await session.execute(update(Customer).where(Customer.id == "d").values(segment="Enterprise"))
    async with fresh_loader(any_db) as (other, statements):
        after_change = await similar_ids(other)
    assert [s for s in statements if BUILD_MARKER in s]  # stale: rebuilt
    assert after_change[0] == "d"  # "d" now matches the target on every feature
    now = await saved_payload(any_db)
    assert now is not None and now != before


async def test_an_unreadable_saved_index_is_ignored_and_replaced(any_db: Database) -> None:
    await portfolio(any_db)
    built = await similar_ids(any_db)
    async with any_db.session() as session:
        signature = _saved_signature(await _signature(session))
    if any_db.sqlite_file is not None:
        path = any_db.sqlite_file.with_name(f"{any_db.sqlite_file.name}.{SAVED_NAME}.idx")
        path.write_bytes(signature.encode() + b"\nnot an index at all")
    else:
        async with any_db.session() as session:
            await session.execute(update(SavedIndex).values(payload=b"PK\x03\x04 truncated"))
    async with fresh_loader(any_db) as (other, statements):
        assert await similar_ids(other) == built
    assert [s for s in statements if BUILD_MARKER in s]
    async with fresh_loader(any_db) as (other, statements):  # the rebuilt index was saved over it
        assert await similar_ids(other) == built
    assert not [s for s in statements if BUILD_MARKER in s]


async def test_an_in_memory_database_builds_without_saving() -> None:
    database = Database("sqlite+aiosqlite:///:memory:")
    try:
        await database.ensure_schema()
        await portfolio(database)
        assert len(await similar_ids(database)) == 3
        assert await saved_payload(database) is None
    finally:
        await database.dispose()


async def test_a_name_the_saved_format_cannot_hold_is_indexed_but_not_saved(db: Database) -> None:
    await portfolio(db)
    await insert(db, customer_row("odd", name="Odd\x00Name", renewal_outcome="renewed"))
    assert len(await similar_ids(db)) == 3
    assert await saved_payload(db) is None
