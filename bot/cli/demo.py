"""`accountplan demo`: the main job. Seeds the demo portfolio when the database is empty (or brings
it up to date when it was generated for another month), drafts TechCorp Industries' plan for the
fiscal year being planned, shows it and writes its Markdown export with its pictures."""

from __future__ import annotations

import sys
from datetime import date
from typing import TYPE_CHECKING

import click

from bot.cli.common import agent_deps, async_command
from bot.cli.plans import (
    REPLACE_HELP,
    _note,
    _note_kept,
    _progress,
    _saved_line,
    parse_as_of,
    write_text_file,
)
from storage.errors import NotFound, UnknownCustomer

if TYPE_CHECKING:
    from storage.db import Database


@click.command("demo")
@click.option("--offline", is_flag=True, help="Use the offline drafter even when ANTHROPIC_API_KEY is set.")
@click.option("--as-of", "as_of", help="Date the demo is current as of, YYYY-MM-DD (default: today).")
@click.option("--replace", is_flag=True, help=REPLACE_HELP)
@async_command
async def demo_command(offline: bool, as_of: str | None, replace: bool) -> None:
    """The main job: seed the demo portfolio if the database is empty (or bring it up to date when
    it was generated for another month), draft TechCorp Industries' plan for the fiscal year being
    planned, show it and write its Markdown export."""
    from rich.console import Console
    from sqlalchemy import func, select

    from agent.generate import GenerationRequest, generate_plan
    from bot.charts.embedding import with_pictures
    from bot.charts.inputs import chart_inputs
    from bot.render.markdown import export_filename, render_markdown
    from bot.render.terminal import render_plan
    from storage.demo.portfolio import seed_demo_portfolio
    from storage.demo.techcorp import TECHCORP_ID
    from storage.models import Customer

    async with agent_deps(offline=offline) as deps:
        day = parse_as_of(as_of) or deps.today()
        async with deps.database.session() as session:
            customers = (await session.execute(select(func.count()).select_from(Customer))).scalar_one()
        if customers == 0:
            _note("empty database: seeding the demo portfolio ...")
            summary = await seed_demo_portfolio(
                deps.database,
                as_of=day,
                fiscal_year_start_month=deps.fiscal_year_start_month,
                progress=sys.stderr.isatty(),
            )
            _note(f"seeded {summary.added} demo accounts as of {day.isoformat()} in {summary.seconds:.1f} s")
        else:
            await _refresh_stale_demo(deps.database, day, deps.fiscal_year_start_month)
        request = GenerationRequest(
            customer=TECHCORP_ID, as_of=day, offline=offline, author="demo", replace=replace
        )
        try:
            result = await generate_plan(deps, request, progress=_progress)
        except UnknownCustomer:
            raise NotFound(
                "this database has customers but not the demo account TechCorp Industries; "
                "`accountplan seed` adds the demo portfolio next to them"
            ) from None
        async with deps.database.session() as session:
            pictures = await chart_inputs(
                session, result.document.plan_id, deps.today(), start_month=deps.fiscal_year_start_month
            )
    render_plan(Console(), result.document)
    path = deps.settings.data_dir / "exports" / export_filename(result.document)
    markdown, _pictures = await with_pictures(render_markdown(result.document), pictures, path.parent)
    write_text_file(path, markdown, create_folder=True)
    _note_kept(result)
    _note(_saved_line(result))
    click.echo(f"Markdown export written to {path.resolve()}")
    click.echo('next: accountplan plans list | accountplan generate "TechCorp Industries" --format json')


async def _refresh_stale_demo(database: Database, day: date, start_month: int) -> None:
    """A demo book generated for another month dates badly (renewals passed, no recent touches):
    regenerate the demo accounts as of `day`. Other customers are never touched."""
    from sqlalchemy import func, select

    from storage.demo.portfolio import demo_current_as_of, seed_demo_portfolio
    from storage.demo.techcorp import TECHCORP_ID
    from storage.models import Customer

    generated = await demo_current_as_of(database)
    if generated is None or (generated.year, generated.month) == (day.year, day.month):
        return
    async with database.session() as session:
        demo_accounts = (
            await session.execute(
                select(func.count()).select_from(Customer).where(
                    (Customer.id == TECHCORP_ID) | Customer.id.like("demo-%")
                )
            )
        ).scalar_one()
    _note(f"the demo portfolio is from {generated:%B %Y}: bringing it up to date as of {day.isoformat()} ...")
    summary = await seed_demo_portfolio(
        database,
        accounts=max(1, demo_accounts),
        as_of=day,
        fiscal_year_start_month=start_month,
        refresh=True,
        progress=sys.stderr.isatty(),
    )
    _note(f"refreshed {summary.already_present} demo accounts in {summary.seconds:.1f} s")


def register(cli: click.Group) -> None:
    cli.add_command(demo_command)
