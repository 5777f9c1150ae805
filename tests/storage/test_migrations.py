"""The migrations and the models describe the same schema, on both databases."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from storage.db import Database, _current_revisions, migration_heads
from storage.models import Base


def _schema_drift(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_migrated_schema_matches_the_models(any_db: Database) -> None:
    async with any_db.engine.connect() as connection:
        drift = await connection.run_sync(_schema_drift)
    assert drift == [], f"models and migrations disagree; add a migration: {drift}"


def test_the_cheap_head_lookup_agrees_with_alembic() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from storage.db import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert migration_heads() == frozenset(ScriptDirectory.from_config(config).get_heads())


async def test_ensure_schema_migrates_a_new_database_and_then_only_checks(tmp_path: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'new.db'}")
    try:
        await database.ensure_schema()
        async with database.engine.connect() as connection:
            current = await connection.run_sync(_current_revisions)
            tables = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
        assert current == migration_heads()
        assert {"customers", "account_plans", "alembic_version"} <= tables
        await database.ensure_schema()  # already current: nothing to do, nothing fails
    finally:
        await database.dispose()
