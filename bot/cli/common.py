"""What every command shares: the settings and database (read and opened here, at the entry point),
the agent's dependencies, async running, and turning domain errors into one clear line on stderr
with the error's exit code."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from contextlib import asynccontextmanager, contextmanager
from functools import wraps
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import click

from storage.db import Database, database_from_settings
from storage.errors import AccountPlanError
from storage.settings import Settings, get_settings

if TYPE_CHECKING:
    from agent.deps import AgentDeps

P = ParamSpec("P")
T = TypeVar("T")


@contextmanager
def run_command_errors() -> Iterator[None]:
    try:
        yield
    except AccountPlanError as error:
        click.echo(f"error: {error.message}", err=True)
        sys.exit(error.exit_code)


def async_command(func: Callable[P, Coroutine[Any, Any, T]]) -> Callable[P, T]:
    """Run an async click command; domain errors become `error: ...` and their exit code."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return asyncio.run(func(*args, **kwargs))
        except AccountPlanError as error:
            click.echo(f"error: {error.message}", err=True)
            sys.exit(error.exit_code)

    return wrapper


async def open_database(settings: Settings | None = None) -> Database:
    """The configured database, migrated to the newest schema on first use."""
    database = database_from_settings(settings or get_settings())
    try:
        await database.ensure_schema()
    except BaseException:
        await database.dispose()
        raise
    return database


@asynccontextmanager
async def agent_deps(*, offline: bool = False) -> AsyncIterator[AgentDeps]:
    """The command's one `AgentDeps`: settings, the migrated database and, when a key is configured
    (and not `offline`), the Claude client, created in this command's event loop and closed after."""
    from agent.deps import AgentDeps

    settings = get_settings()
    database = await open_database(settings)
    deps = AgentDeps.create(settings, database, offline=offline)
    try:
        yield deps
    finally:
        await deps.close()
        await database.dispose()
