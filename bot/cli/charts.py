"""`accountplan chart PLAN --kind timeline|stakeholders -o FILE.png`: a picture of a plan."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from bot.cli.common import async_command, open_database, resolve_plan
from storage.errors import BadInput

KINDS = ("timeline", "stakeholders")


@click.command("chart")
@click.argument("plan")
@click.option("--kind", type=click.Choice(KINDS), required=True, help="timeline (the fiscal year as a Gantt) or stakeholders (the map).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The PNG file to write.")
@click.option("--fy", "fiscal_year", help="With a customer name: which fiscal year (default: the newest).")
@click.option("--as-of", "as_of", help="Today's line on the timeline, YYYY-MM-DD (default: today).")
@async_command
async def chart_command(plan: str, kind: str, output: Path, fiscal_year: str | None, as_of: str | None) -> None:
    """Draw PLAN (a plan id, or a customer's id or name) as a PNG: its timeline or stakeholder map."""
    from datetime import date

    from bot.charts import CHART_KINDS, ChartKind, render_chart
    from bot.charts.inputs import chart_inputs
    from bot.cli.plans import check_output_path, parse_as_of, parse_fy, write_text_file
    from storage.settings import get_settings

    if output.suffix.lower() != ".png":
        raise BadInput(f"the picture is a PNG: name the file like {output.with_suffix('.png').name}")
    check_output_path(output)  # before any work: a typo'd folder is refused, not created
    today = parse_as_of(as_of) or date.today()
    settings = get_settings()
    database = await open_database(settings)
    try:
        async with database.session() as session:
            found = await resolve_plan(session, plan, parse_fy(fiscal_year))
            inputs = await chart_inputs(session, found.id, today, start_month=settings.fiscal_year_start_month)
    finally:
        await database.dispose()
    by_name: dict[str, ChartKind] = {k: k for k in CHART_KINDS}  # click has checked `kind` is one
    image = await asyncio.to_thread(render_chart, by_name[kind], inputs)
    await asyncio.to_thread(write_text_file, output, image.png)
    click.echo(f"wrote {output} ({image.title})", err=True)
    click.echo(f"alt text: {image.alt_text}", err=True)


def register(cli: click.Group) -> None:
    cli.add_command(chart_command)
