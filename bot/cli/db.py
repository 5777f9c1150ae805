"""`accountplan db ...`: schema management."""

from __future__ import annotations

import click

from bot.cli.common import async_command


@click.group("db")
def db_group() -> None:
    """Database schema (migrations run automatically on first use, too)."""


@db_group.command("upgrade")
@async_command
async def upgrade() -> None:
    """Apply every pending migration."""
    from storage.db import database_from_settings, upgrade_schema
    from storage.settings import get_settings

    database = database_from_settings(get_settings())
    try:
        await upgrade_schema(database.engine)
    finally:
        await database.dispose()
    click.echo(f"database at {database.safe_url} is up to date")


def register(cli: click.Group) -> None:
    cli.add_command(db_group)
