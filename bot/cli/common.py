"""What every command shares: the settings and database (read and opened here, at the entry point),
the agent's dependencies, async running, and turning every failure into one clear line on stderr
with a documented exit code (README "Exit codes"):

0 done · 1 nothing changed (`revise`) or an unexpected failure · 2 bad input · 3 database (or
Slack) unavailable · 4 conflict · 5 permission. A traceback is shown only with `accountplan -v`.

Command modules import only click and light modules at the top and the rest inside the command
that needs it, so `accountplan --help` and each command start without loading the others' stacks
(tests/bot/test_cli_startup.py checks which libraries `import bot.cli` loads).
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from contextlib import asynccontextmanager, contextmanager
from functools import wraps
from typing import TYPE_CHECKING, Any, NoReturn, ParamSpec, TypeVar

import click

from storage.errors import AccountPlanError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Column
    from sqlalchemy.ext.asyncio import AsyncSession

    from agent.deps import AgentDeps
    from storage.db import Database
    from storage.models import AccountPlan
    from storage.settings import Settings

P = ParamSpec("P")
T = TypeVar("T")

log = logging.getLogger("bot.cli")

UNEXPECTED_EXIT_CODE = 1
# `accountplan --help` ends with this (README "Exit codes" says the same).
EXIT_CODES_HELP = (
    "Exit codes: 0 done; 1 nothing changed (revise) or an unexpected failure; 2 bad input; "
    "3 database or Slack unavailable; 4 conflict (someone changed it first); 5 not permitted. "
    "Every error is one line on stderr."
)


def one_line(text: str, limit: int = 300) -> str:
    """`text` squeezed onto one line (messages from libraries may span several)."""
    squeezed = " ".join(text.split())
    return squeezed if len(squeezed) <= limit else squeezed[: limit - 1] + "…"


def fail(error: BaseException) -> NoReturn:
    """Print `error` as `error: ...` and exit with its code; unexpected errors say so in one line
    and keep the traceback for `-v`."""
    if isinstance(error, AccountPlanError):
        click.echo(f"error: {error.message}", err=True)
        sys.exit(error.exit_code)
    log.debug("unexpected failure", exc_info=error)
    detail = one_line(str(error))
    click.echo(
        f"error: unexpected {type(error).__name__}{': ' + detail if detail else ''} "
        "(a bug; `accountplan -v ...` shows the details)",
        err=True,
    )
    sys.exit(UNEXPECTED_EXIT_CODE)


@contextmanager
def run_command_errors() -> Iterator[None]:
    try:
        yield
    except (click.ClickException, click.exceptions.Exit, click.Abort):
        raise  # the entry point prints these in one line, with click's exit codes (2 for usage)
    except Exception as error:
        fail(error)


def async_command(func: Callable[P, Coroutine[Any, Any, T]]) -> Callable[P, T]:
    """Run an async click command; every failure becomes `error: ...` and its exit code."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        with run_command_errors():
            return asyncio.run(func(*args, **kwargs))
        raise AssertionError("unreachable")  # run_command_errors exits on every failure

    return wrapper


# Piped or redirected output is read by programs: tables get room to print every id in full.
PIPED_TABLE_WIDTH = 1000


def table_console() -> Console:
    """Where tables print: the terminal's width on a terminal; piped, wide enough that no column
    (ids, emails) is cut short."""
    from rich.console import Console

    return Console() if sys.stdout.isatty() else Console(width=PIPED_TABLE_WIDTH)


def id_column(header: str) -> Column:
    """A table column holding ids: never cut with "…" (folded onto a second line if it must)."""
    from rich.table import Column

    return Column(header, overflow="fold", min_width=8)


async def resolve_plan(session: AsyncSession, text: str, fiscal_year: str | None) -> AccountPlan:
    """A plan by id (or a unique id prefix), else the named customer's plan (for `fiscal_year`, or
    its newest). Every command taking PLAN resolves it here."""
    from storage.customers import find_customer
    from storage.plans import find_plan, plan_by_id

    plan = await plan_by_id(session, text)
    if plan is not None:
        return plan
    customer = await find_customer(session, text)
    return await find_plan(session, customer.id, fiscal_year)


async def open_database(settings: Settings | None = None) -> Database:
    """The configured database, migrated to the newest schema on first use. Creating a new SQLite
    file says so in one line, so a command run against the wrong data folder is noticed."""
    from storage.db import database_from_settings
    from storage.settings import get_settings

    database = database_from_settings(settings or get_settings())
    path = database.sqlite_file
    created = path is not None and not path.exists()
    try:
        await database.ensure_schema()
    except BaseException:
        await database.dispose()
        raise
    if created:
        click.echo(
            f"note: created a new database at {path} (ACCOUNTPLAN_DATA_DIR or DATABASE_URL picks another)",
            err=True,
        )
    return database


@asynccontextmanager
async def agent_deps(*, offline: bool = False) -> AsyncIterator[AgentDeps]:
    """The command's one `AgentDeps`: settings, the migrated database and, when a key is configured
    (and not `offline`), the Claude client, created in this command's event loop and closed after."""
    from agent.deps import AgentDeps
    from storage.settings import get_settings

    settings = get_settings()
    database = await open_database(settings)
    deps = AgentDeps.create(settings, database, offline=offline)
    try:
        yield deps
    finally:
        await deps.close()
        await database.dispose()
