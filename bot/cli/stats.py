"""`accountplan stats`: outcome analytics in the terminal (plan coverage, objective completion,
overdue actions by CSM, renewal and expansion rates with vs without approved plans), optionally
with the same chart Slack gets, written to a PNG file."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot.cli.common import async_command, open_database, run_command_errors
from bot.cli.plans import check_output_path, parse_as_of, write_text_file

if TYPE_CHECKING:
    from tools.living.outcomes import OutcomeStats


@async_command
async def load_stats(day: date, csm_email: str | None) -> OutcomeStats:
    from tools.living.outcomes import outcome_stats

    database = await open_database()
    try:
        async with database.session() as session:
            return await outcome_stats(session, day, csm_email=csm_email)
    finally:
        await database.dispose()


@click.command("stats")
@click.option("--csm", "csm_email", help="Only this CSM's book (their email).")
@click.option("--as-of", "as_of", help="Count overdue actions as of this date, YYYY-MM-DD (default: today).")
@click.option(
    "--format", "output_format", type=click.Choice(("text", "json")), default="text", show_default=True
)
@click.option(
    "--chart", "chart", type=click.Path(path_type=Path), help="Also write the chart PNG to this file (its folder must exist)."
)
def stats_command(csm_email: str | None, as_of: str | None, output_format: str, chart: Path | None) -> None:
    """Are plans used, and do they work? Coverage (target 70%), completion (target 60%), outcomes."""
    from bot.stats_chart import stats_chart_png
    from tools.living.outcomes import format_stats

    with run_command_errors():
        day = parse_as_of(as_of) or datetime.now(UTC).date()
        if chart is not None:
            check_output_path(chart)  # refused before the numbers are computed, not after
    stats = load_stats(day, csm_email)
    if output_format == "json":
        click.echo(json.dumps(stats.model_dump(mode="json"), indent=2))
    else:
        click.echo(format_stats(stats))
    if chart is not None:
        with run_command_errors():
            write_text_file(chart, stats_chart_png(stats))
        click.echo(f"chart written to {chart}", err=True)


def register(cli: click.Group) -> None:
    cli.add_command(stats_command)
