"""`accountplan generate --all` (a plan for every account in scope, as a recorded, resumable run)
and `accountplan runs list|show`."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, NoReturn

import click

from bot.cli.common import agent_deps, async_command, id_column, table_console
from storage.errors import BadInput

if TYPE_CHECKING:
    from agent.bulk import ReasonGroup, RunProgress, RunRecord, RunSummary

BAR_WIDTH = 28
PLAIN_EVERY_SECONDS = 5.0  # progress lines when stderr is not a terminal


@dataclass(frozen=True)
class BulkOptions:
    csm: str | None
    segment: str | None
    missing_only: bool
    fiscal_year: str | None
    offline: bool
    workers: int | None
    resume: str | None
    include_edited: bool
    as_of: date | None = None  # parsed by the command
    batch: bool = False  # Claude through the Message Batches API (half price, results within 24 h)


def check_bulk_usage(customer: str | None, everything: bool, options: BulkOptions) -> None:
    """One line on what is wrong with the mix of CUSTOMER, --all and the bulk options."""
    bulk_only = {
        "--csm": options.csm, "--segment": options.segment, "--missing-only": options.missing_only,
        "--workers": options.workers, "--include-edited": options.include_edited, "--batch": options.batch,
    }  # fmt: skip
    if everything and customer:
        _usage("give CUSTOMER or --all, not both")
    if options.resume and customer:
        _usage("--resume continues a bulk run; it takes no CUSTOMER")
    if not everything and not options.resume:
        if customer is None:
            _usage("Missing argument 'CUSTOMER' (or --all for every account).")
        given = [name for name, value in bulk_only.items() if value]
        if given:
            _usage(f"{', '.join(given)} {'only goes' if len(given) == 1 else 'only go'} with --all")
    if options.resume:
        given = [name for name, value in bulk_only.items() if value and name != "--workers"]
        if given or options.fiscal_year:
            _usage("--resume keeps the run's own scope; drop " + ", ".join(given or ["--fy"]))
    if options.workers is not None and options.workers < 1:
        raise BadInput("--workers must be at least 1")
    if options.batch and options.offline:
        _usage("--batch sends the plans to Claude's Message Batches API; --offline drafts without Claude: pick one")


def _usage(message: str) -> NoReturn:
    raise click.UsageError(message, ctx=click.get_current_context(silent=True))


class ProgressLine:
    """A progress bar on stderr (count, rate, ETA), redrawn in place on a terminal; plain lines
    every few seconds otherwise (logs and pipes)."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last_plain = 0.0

    async def __call__(self, progress: RunProgress) -> None:
        total = max(progress.total, 1)
        eta = "" if progress.eta_seconds is None else f" ETA {_duration(progress.eta_seconds)}"
        text = (
            f"{progress.done}/{progress.total} ({progress.drafted} drafted, {progress.skipped} skipped, "
            f"{progress.failed} failed) {progress.rate:.1f} plans/s{eta}"
        )
        if self.tty:
            filled = round(BAR_WIDTH * progress.done / total)
            click.echo(f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {text}\x1b[K", err=True, nl=False)
            return
        now = time.monotonic()
        if now - self.last_plain >= PLAIN_EVERY_SECONDS or progress.pending == 0:
            self.last_plain = now
            click.echo(f"progress: {text}", err=True)

    def close(self) -> None:
        if self.tty:
            click.echo("", err=True)


def _duration(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}m{whole % 60:02d}s" if whole >= 60 else f"{whole}s"


async def run_bulk(options: BulkOptions, output_format: str) -> None:
    """Start (or resume) a run and execute it here, showing progress and then the summary."""
    from agent.bulk import RunScope, execute_run, start_run

    async with agent_deps(offline=options.offline) as deps:
        if options.resume:
            run_id = options.resume
        else:
            scope = RunScope(
                csm=options.csm,
                segment=options.segment,
                missing_only=options.missing_only,
                fiscal_year=options.fiscal_year,
                include_edited=options.include_edited,
                offline=options.offline or deps.claude is None,
                batch=options.batch,
                as_of=options.as_of,
            )
            if options.batch and deps.claude is None:
                raise BadInput("--batch needs Claude: set ANTHROPIC_API_KEY (or drop --batch to draft offline)")
            record = await start_run(deps, scope, author="cli", surface="cli", workers=options.workers)
            run_id = record.run_id
            if record.total == 0:
                click.echo(f"note: no accounts in scope ({scope.describe()})", err=True)
            click.echo(
                f"run {run_id}: {record.total} accounts ({record.skipped} skipped), {record.mode}; "
                f"`accountplan generate --resume {run_id}` continues it if stopped",
                err=True,
            )
        progress = ProgressLine()
        try:
            summary = await execute_run(deps, run_id, workers=options.workers, on_progress=progress)
        finally:
            progress.close()
    print_summary(summary, output_format)


def print_summary(summary: RunSummary, output_format: str, *, executed: bool = True) -> None:
    """The run's outcome table: after executing it (`executed`: what this command drafted, how fast)
    or as stored (`runs show`: when it started and finished)."""
    if output_format == "json":
        click.echo(json.dumps(summary.to_json(), indent=2, ensure_ascii=False))
        return
    from rich.table import Table

    run = summary.run
    table = Table("result", "accounts", "reasons (examples)", title=f"run {run.run_id}: {run.state}")
    if executed:
        rate = f", {summary.rate:.1f} plans/s" if summary.drafted_now else ""
        done = f"{summary.drafted_now} by this command{rate}, {_duration(summary.elapsed_seconds)}"
    else:
        finished = f", finished {run.finished_at:%Y-%m-%d %H:%M}" if run.finished_at else ""
        done = f"started {run.created_at:%Y-%m-%d %H:%M}{finished}"
    table.add_row("drafted", str(run.drafted), done)
    table.add_row("skipped", str(run.skipped), _reasons(summary.skipped_reasons))
    table.add_row("failed", str(run.failed), _reasons(summary.failed_reasons))
    pending = run.total - run.drafted - run.skipped - run.failed
    if pending:
        table.add_row("left", str(pending), f"`accountplan generate --resume {run.run_id}` drafts them")
    table_console().print(table)
    if run.skipped and not run.scope.get("include_edited"):
        click.echo("skipped plans keep people's work; --include-edited redrafts them (keeping edits)")


def _reasons(groups: list[ReasonGroup]) -> str:
    return "\n".join(f"{g.count} × {g.reason} (e.g. {', '.join(g.examples)})" for g in groups) or "-"


@click.group("runs")
def runs_group() -> None:
    """Bulk drafting runs (`accountplan generate --all`): list them, show one."""


@runs_group.command("list")
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@async_command
async def list_command(output_format: str) -> None:
    """Runs, newest first, with their counts."""
    from agent.bulk import list_run_records

    async with agent_deps(offline=True) as deps:
        records = await list_run_records(deps)
    if output_format == "json":
        click.echo(json.dumps([r.to_json() for r in records], indent=2, ensure_ascii=False))
        return
    if not records:
        click.echo("no runs yet; `accountplan generate --all` drafts every account's plan")
        return
    from rich.table import Table

    table = Table(
        id_column("run"), "state", "mode", "scope", "total", "drafted", "skipped", "failed", "started"
    )
    for r in records:
        table.add_row(*_row(r))
    table_console().print(table)


def _row(r: RunRecord) -> list[str]:
    from agent.bulk import RunScope

    scope = RunScope.from_json(r.scope).describe()
    counts = [str(n) for n in (r.total, r.drafted, r.skipped, r.failed)]
    return [r.run_id, r.state, r.mode, scope, *counts, r.created_at.strftime("%Y-%m-%d %H:%M")]


@runs_group.command("show")
@click.argument("run_id", metavar="RUN")
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@async_command
async def show_command(run_id: str, output_format: str) -> None:
    """One run: its scope, counts, and why accounts were skipped or failed."""
    from agent.bulk import load_summary, run_items

    async with agent_deps(offline=True) as deps:
        summary = await load_summary(deps, run_id, elapsed=0.0, drafted_now=0)
        items = await run_items(deps, run_id) if output_format == "json" else []
    if output_format == "json":
        click.echo(json.dumps({**summary.to_json(), "items": items}, indent=2, ensure_ascii=False))
        return
    from agent.bulk import RunScope

    run = summary.run
    who = "the command line" if run.surface == "cli" else f"{run.author} in {str(run.surface).capitalize()}"
    click.echo(f"run {run.run_id} ({run.mode}, started from {who}): {run.state}")
    click.echo(f"scope: {RunScope.from_json(run.scope).describe()}")
    print_summary(summary, "text", executed=False)


def register(cli: click.Group) -> None:
    cli.add_command(runs_group)
