"""What every command shares: the database, async running, and turning domain errors into one
clear line on stderr with the error's exit code."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

import click

from storage.db import Database, database_from_settings
from storage.errors import AccountPlanError

P = ParamSpec("P")
T = TypeVar("T")


@contextmanager
def run_command_errors() -> Iterator[None]:
    try:
        yield
    except AccountPlanError as error:
        click.echo(f"error: {error.message}", err=True)
        sys.exit(error.exit_code)


def async_command(func: Callable[P, Awaitable[T]]) -> Callable[P, T]:
    """Run an async click command; domain errors become `error: ...` and their exit code."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return asyncio.run(func(*args, **kwargs))  # type: ignore[arg-type]
        except AccountPlanError as error:
            click.echo(f"error: {error.message}", err=True)
            sys.exit(error.exit_code)

    return wrapper


async def open_database() -> Database:
    """The configured database, migrated to the newest schema on first use."""
    database = database_from_settings()
    try:
        await database.ensure_schema()
    except BaseException:
        await database.dispose()
        raise
    return database
