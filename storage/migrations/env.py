"""Alembic environment: runs on the connection `storage.db` hands in, or on DATABASE_URL."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from storage.models import Base

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_from_settings() -> None:
    # Only reached when Alembic's own command line runs this file (`storage.db` always hands in a
    # connection): that process is its own entry point, so it reads the settings itself.
    from storage.db import database_from_settings
    from storage.settings import Settings

    database = database_from_settings(Settings())
    async with database.engine.begin() as connection:
        await connection.run_sync(_run)
    await database.dispose()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    asyncio.run(_run_from_settings())
