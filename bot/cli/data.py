"""`accountplan import PATH` and `accountplan seed`: getting customer data in."""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

import click

from bot.cli.common import async_command, open_database
from storage.demo import DEFAULT_ACCOUNTS, DEFAULT_SEED
from storage.errors import BadInput
from tools.analytics.fiscal_calendar import check_as_of


def _check_importable(path: Path) -> None:
    if not path.exists():
        raise BadInput(f"nothing to import at {path}")


@click.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@async_command
async def import_command(path: Path) -> None:
    """Import a folder of CSV files (customers.csv, contacts.csv, ...) or one JSON file.

    Rows are matched on their id, so importing again updates them. Any bad row aborts the whole
    import with every problem listed as file:line: column: problem, and nothing is written.
    """
    from rich.console import Console
    from rich.table import Table

    from storage.importer import import_path

    _check_importable(path)  # before the database: a typo'd path creates nothing
    database = await open_database()
    try:
        summary = await import_path(database, path, progress=sys.stderr.isatty())
    finally:
        await database.dispose()
    table = Table("entity", "rows", "created", "updated", title=f"imported {path}")
    for name, count in summary.counts.items():
        table.add_row(name, str(count.rows), str(count.created), str(count.updated))
    Console().print(table)
    rows = summary.total_rows
    click.echo(f"imported {rows} row{'' if rows == 1 else 's'} in {summary.seconds:.1f} s")
    if summary.ignored:
        click.echo(f"ignored (not part of the import format): {', '.join(summary.ignored)}")


@click.command("seed")
@click.option(
    "--accounts",
    type=click.IntRange(min=1),
    default=DEFAULT_ACCOUNTS,
    show_default=True,
    help="Portfolio size; a larger number than before adds the missing accounts.",
)
@click.option("--seed", "seed_value", type=int, default=DEFAULT_SEED, show_default=True, help="Random seed.")
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Date the demo data is current as of, YYYY-MM-DD (default: today).",
)
@click.option(
    "--refresh",
    is_flag=True,
    help="Regenerate the demo accounts already there as of --as-of too (their dates move; plans stay).",
)
@async_command
async def seed_command(accounts: int, seed_value: int, as_of: datetime | None, refresh: bool) -> None:
    """Create the deterministic demo portfolio, always including TechCorp Industries, with dates
    relative to --as-of (renewals ahead, recent interactions, opportunities in the year being planned).

    Accounts that already exist are left as they are, so running it again changes nothing;
    --refresh brings them up to date instead.
    """
    from storage.demo.portfolio import seed_demo_portfolio
    from storage.settings import get_settings

    day: date | None = check_as_of(as_of.date(), "--as-of") if as_of else None
    settings = get_settings()
    database = await open_database(settings)
    try:
        summary = await seed_demo_portfolio(
            database,
            accounts=accounts,
            seed=seed_value,
            as_of=day,
            fiscal_year_start_month=settings.fiscal_year_start_month,
            progress=sys.stderr.isatty(),
            refresh=refresh,
        )
    finally:
        await database.dispose()
    if refresh:
        click.echo(
            f"refreshed {summary.already_present} and added {summary.added} demo accounts as of "
            f"{summary.as_of.isoformat()} in {summary.seconds:.1f} s"
        )
        return
    if not summary.added:
        click.echo(
            f"the demo portfolio already has these {summary.accounts} accounts; nothing added "
            "(--accounts N with a larger N adds more)"
        )
        return
    details = ", ".join(
        f"{count} {name.replace('_', ' ')}" for name, count in summary.rows.items() if name != "customers"
    )
    click.echo(
        f"added {summary.added} demo accounts as of {summary.as_of.isoformat()}"
        + (f" ({summary.already_present} were already there)" if summary.already_present else "")
        + f" in {summary.seconds:.1f} s: {details}"
    )
    click.echo('next: accountplan customers show "TechCorp Industries"')


def register(cli: click.Group) -> None:
    cli.add_command(import_command)
    cli.add_command(seed_command)
