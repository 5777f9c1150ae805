"""`accountplan generate`, `plans list|show` and `export`: plans from the terminal (`demo` is in
bot/cli/demo.py)."""

from __future__ import annotations

import dataclasses
import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import click

from bot.cli.common import agent_deps, async_command, id_column, open_database, resolve_plan, table_console
from storage.errors import BadInput
from storage.plan_document import SECTIONS, AccountPlanDocument, parse_sections
from storage.vocabulary import PlanStatus
from tools.analytics import fiscal_calendar

if TYPE_CHECKING:

    from agent.generate import GeneratedPlan, ProgressEvent
    from bot.charts.inputs import ChartInputs

FORMATS = ("text", "markdown", "json")
OFFLINE_DETAIL = "offline drafter"


def parse_as_of(value: str | None) -> date | None:
    """`--as-of`: exactly YYYY-MM-DD within the accepted range, or BadInput naming that form."""
    return None if value is None else fiscal_calendar.parse_as_of(value, "--as-of")


def parse_fy(value: str | None) -> str | None:
    """`--fy` naming an existing plan's year: the FY2026 form (ASCII digits, nothing around it)."""
    if value is None:
        return None
    fiscal_calendar.parse_fiscal_year(value)
    return value


def parse_planning_fy(value: str | None, as_of: date | None) -> str | None:
    """`--fy` for a new draft: the form, and inside the planning window around the as-of date."""
    if value is None:
        return None
    from storage.settings import get_settings

    settings = get_settings()
    return fiscal_calendar.check_fiscal_year(
        value,
        as_of=as_of or datetime.now(ZoneInfo(settings.timezone)).date(),
        start_month=settings.fiscal_year_start_month,
        window_years=settings.fiscal_year_window_years,
    )


def parse_section_options(values: tuple[str, ...]) -> tuple[str, ...]:
    try:
        return parse_sections(list(values))
    except ValueError as error:
        raise BadInput(str(error)) from None


def emit(document: AccountPlanDocument, output_format: str, sections: tuple[str, ...] = SECTIONS) -> None:
    """Print a plan on stdout. JSON is exactly the document, nothing else."""
    from rich.console import Console

    from bot.render.markdown import render_markdown
    from bot.render.terminal import render_plan

    if output_format == "json":
        click.echo(json.dumps(document.to_json_dict(), indent=2, ensure_ascii=False))
    elif output_format == "markdown":
        click.echo(render_markdown(document), nl=False)
    else:
        render_plan(Console(), document, sections)


def _note(message: str) -> None:
    """Status lines go to stderr so stdout stays exactly the plan."""
    click.echo(message, err=True)


async def _progress(event: ProgressEvent) -> None:
    """Fallbacks always; finished sections only on a terminal and only from a slow (model) writer."""
    if event.state == "fallback":
        _note(f"  {event.section}: drafted offline ({event.detail})")
    elif event.state == "done" and event.detail != OFFLINE_DETAIL and sys.stderr.isatty():
        _note(f"  \u2713 {event.section}")


def _saved_line(result: GeneratedPlan) -> str:
    d = result.document
    if not result.saved:
        return f"not saved (--no-save); drafted in {result.elapsed_ms:.0f} ms"
    what = "created" if result.created else "revised"
    return f"{what} plan {d.plan_id} for {d.customer_name} {d.fiscal_year}: version {d.version}, status {d.status} ({result.elapsed_ms:.0f} ms)"


SECTIONS_HELP = f"Sections to draft (repeat or comma-separate): all, {', '.join(SECTIONS)}."
REPLACE_HELP = (
    "Drop the edits people made since the last generation (edited or added objectives, done or "
    "snoozed actions, added risks, rewritten sections) instead of keeping them."
)


@click.command("generate")
@click.argument("customer", required=False)
@click.option(
    "--fy",
    "fiscal_year",
    help="Fiscal year like FY2026 (default: the one containing --as-of, or the next one once its last quarter has begun).",
)
@click.option("--as-of", "as_of", help="Date the plan is drafted as of, YYYY-MM-DD (default: today).")
@click.option("--sections", "sections", multiple=True, help=SECTIONS_HELP)
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--no-save", is_flag=True, help="Print the draft without storing it.")
@click.option("--offline", is_flag=True, help="Use the offline drafter even when ANTHROPIC_API_KEY is set.")
@click.option("--replace", is_flag=True, help=REPLACE_HELP)
@click.option("--all", "everything", is_flag=True, help="Every account in scope, as a recorded run (see `runs`).")
@click.option("--csm", help="With --all: only this CSM's book (their email).")
@click.option("--segment", help="With --all: only accounts of this segment.")
@click.option("--missing-only", is_flag=True, help="With --all: only accounts with no plan for the year yet.")
@click.option("--workers", type=int, help="With --all: offline worker processes (default: the CPU count).")
@click.option("--resume", "resume", metavar="RUN", help="Continue a stopped run: only what is left.")
@click.option("--include-edited", is_flag=True, help="With --all: also redraft plans people edited, submitted or approved.")
@click.option(
    "--batch",
    is_flag=True,
    help="With --all: send every plan's Claude calls through the Message Batches API (half price; "
    "results within 24 h; the run resumes polling after a restart). Needs ANTHROPIC_API_KEY.",
)
@async_command
async def generate_command(
    customer: str | None,
    fiscal_year: str | None,
    as_of: str | None,
    sections: tuple[str, ...],
    output_format: str,
    no_save: bool,
    offline: bool,
    replace: bool,
    everything: bool,
    csm: str | None,
    segment: str | None,
    missing_only: bool,
    workers: int | None,
    resume: str | None,
    include_edited: bool,
    batch: bool,
) -> None:
    """Draft CUSTOMER's account plan (id or name, fuzzy) and save it as a new plan or revision.

    With --sections, only those sections are redrafted; the rest are kept from the saved plan.
    Edits people made since the last generation are kept unless --replace is given.
    With --all, every account in scope is drafted (plans people edited, submitted or approved are
    skipped unless --include-edited), with a progress bar and a summary; --resume RUN continues.
    With --all --batch, Claude drafts them through the Message Batches API.
    """
    from bot.cli.bulk import BulkOptions, check_bulk_usage, run_bulk

    options = BulkOptions(
        csm, segment, missing_only, fiscal_year, offline, workers, resume, include_edited, batch=batch
    )
    check_bulk_usage(customer, everything, options)
    as_of_day = parse_as_of(as_of)
    if everything or resume:
        if sections or no_save or replace or output_format == "markdown":
            raise click.UsageError(
                "--sections, --no-save, --replace and markdown are for one CUSTOMER", ctx=click.get_current_context()
            )
        fy = parse_planning_fy(fiscal_year, as_of_day)
        await run_bulk(dataclasses.replace(options, fiscal_year=fy, as_of=as_of_day), output_format)
        return
    assert customer is not None
    from agent.generate import GenerationRequest, generate_plan

    request = GenerationRequest(
        customer=customer,
        fiscal_year=parse_planning_fy(fiscal_year, as_of_day),
        as_of=as_of_day,
        sections=parse_section_options(sections),
        save=not no_save,
        offline=offline,
        replace=replace,
    )
    async with agent_deps(offline=offline) as deps:
        result = await generate_plan(deps, request, progress=_progress)
    emit(result.document, output_format, request.sections if output_format == "text" else SECTIONS)
    _note_kept(result)
    _note(_saved_line(result))


def _note_kept(result: GeneratedPlan) -> None:
    if result.kept:
        editors = (result.document.generation_context.get("kept_edits") or {}).get("editors") or []
        by = f" (edits by {', '.join(editors)})" if editors else ""
        _note(f"kept people's edits{by}: {'; '.join(result.kept)}; --replace drafts without them")


@click.group("plans")
def plans_group() -> None:
    """Saved plans: list them, show one."""


@plans_group.command("list")
@click.option("--csm", "csm_email", help="Only this CSM's book (their email).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@async_command
async def list_command(csm_email: str | None, output_format: str) -> None:
    """Every saved plan, most recently changed first."""
    from rich.table import Table

    from storage.plans import list_plans

    database = await open_database()
    try:
        async with database.session() as session:
            rows = await list_plans(session, csm_email=csm_email)
    finally:
        await database.dispose()
    if output_format == "json":
        keys = ("plan_id", "customer_id", "fiscal_year", "version", "status")
        plans = [(p.id, p.customer_id, p.fiscal_year, p.version, str(p.status)) for p, _ in rows]
        click.echo(json.dumps([dict(zip(keys, plan, strict=True)) for plan in plans], indent=2))
        return
    if not rows:
        click.echo(
            f"no plans for CSM {csm_email} (`accountplan customers list` shows each account's CSM)"
            if csm_email
            else "no plans yet; `accountplan generate CUSTOMER` drafts one (`accountplan demo` shows the way)"
        )
        return
    table = Table(
        "customer", "FY", "status", "version", "in force", "data coverage", "plan check", "updated",
        id_column("plan id"),
    )  # fmt: skip
    for plan, name in rows:
        confidence = "" if plan.ai_confidence is None else f"{float(plan.ai_confidence):.0%}"
        table.add_row(
            name,
            plan.fiscal_year,
            plan.status,
            str(plan.version),
            in_force_label(plan.approved_version, plan.version, plan.status),
            confidence,
            _check_cell(plan.generation_context),
            plan.updated_at.strftime("%Y-%m-%d %H:%M"),
            plan.id,
        )
    table_console().print(table)


def _check_cell(generation_context: dict[str, Any] | None) -> str:
    """'2 errors, 1 warning' / 'nothing to look at' from the stored review; '-' before reviews."""
    review = (generation_context or {}).get("review")
    if not isinstance(review, dict):
        return "-"
    counts = [(int(review.get("errors") or 0), "error"), (int(review.get("warnings") or 0), "warning")]
    parts = [f"{n} {word}{'' if n == 1 else 's'}" for n, word in counts if n]
    return ", ".join(parts) or "nothing to look at"


def in_force_label(approved_version: int | None, version: int, status: str) -> str:
    """Which version is in force: "v3 approved" beside a newer draft, "this one" when it is the
    current version, "-" when no version was ever approved."""
    if approved_version is None:
        return "-"
    if approved_version == version and status in (PlanStatus.APPROVED, PlanStatus.ACTIVE):
        return "this one"
    return f"v{approved_version} approved"


@plans_group.command("show")
@click.argument("customer", metavar="PLAN")
@click.option("--fy", "fiscal_year", help="Fiscal year like FY2026 (default: the newest plan).")
@click.option(
    "--version", "version", type=click.IntRange(min=1), help="An earlier version (default: the current one)."
)
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--usage", "show_usage", is_flag=True, help="Show model tokens, latency and fallbacks instead.")
@async_command
async def show_command(
    customer: str, fiscal_year: str | None, version: int | None, output_format: str, show_usage: bool
) -> None:
    """A saved plan: PLAN is a plan id (or a unique prefix of one), or a customer (id or name, fuzzy)."""
    from agent.review import stored_review, with_fresh_review
    from storage.plans import document_of, get_revision

    fiscal_year = parse_fy(fiscal_year)
    async with agent_deps(offline=True) as deps, deps.database.session() as session:
        plan = await resolve_plan(session, customer, fiscal_year)
        document = document_of(plan) if version is None else await get_revision(session, plan.id, version)
        if output_format == "text" and stored_review(document) is None:
            # Saved before plans were reviewed: review it for the reader (nothing is stored).
            document = await with_fresh_review(
                session, document, today=deps.today(), start_month=deps.fiscal_year_start_month
            )
    in_force = document.approved_version
    if version is None and in_force is not None and in_force != document.version and not show_usage:
        _note(
            f"note: version {in_force} is the approved plan in force; this is {document.status.replace('_', ' ')} "
            f"version {document.version} (`--version {in_force}` shows the approved one)"
        )
    if show_usage:
        from bot.cli.revise import usage_lines, usage_report

        report = usage_report(document)
        click.echo(
            json.dumps(report, indent=2) if output_format == "json" else "\n".join(usage_lines(report))
        )
        return
    emit(document, output_format)


def check_output_path(path: Path) -> Path:
    """A file the person asked us to write: its folder must exist (a typo must not create a tree
    of folders somewhere) and it must not be a folder itself. BadInput otherwise."""
    if path.is_dir():
        raise BadInput(f"cannot write {path}: it is a folder; give a file name")
    if not path.parent.is_dir():
        raise BadInput(f"cannot write {path}: the folder {path.parent} does not exist")
    return path


def write_text_file(path: Path, text: str | bytes, *, create_folder: bool = False) -> None:
    """Write `text` to `path`; any OS refusal becomes one line (BadInput)."""
    try:
        if create_folder:
            path.parent.mkdir(parents=True, exist_ok=True)
        else:
            check_output_path(path)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise BadInput(f"cannot write {path}: {error.strerror or error}") from None


@click.command("export")
@click.argument("plan")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(("markdown", "json")),
    default="markdown",
    show_default=True,
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),  # folders refused in one line by check_output_path
    help="Write to this file instead of stdout.",
)
@click.option("--fy", "fiscal_year", help="With a customer name: which fiscal year (default: the newest).")
@async_command
async def export_command(plan: str, output_format: str, output: Path | None, fiscal_year: str | None) -> None:
    """Export PLAN (a plan id, or a customer's id or name) as Markdown or JSON."""
    from bot.charts.embedding import with_pictures
    from bot.charts.inputs import chart_inputs
    from bot.render.markdown import render_markdown
    from storage.plans import document_of
    from storage.settings import get_settings

    fiscal_year = parse_fy(fiscal_year)
    if output is not None:
        check_output_path(output)  # before any work: a typo'd folder is refused, not created
    database = await open_database()
    pictures: ChartInputs | None = None
    try:
        async with database.session() as session:
            found = await resolve_plan(session, plan, fiscal_year)
            document = document_of(found)
            if output is not None and output_format == "markdown":  # a file gets its pictures too
                pictures = await chart_inputs(
                    session, found.id, date.today(), start_month=get_settings().fiscal_year_start_month
                )
    finally:
        await database.dispose()
    text = (
        json.dumps(document.to_json_dict(), indent=2, ensure_ascii=False) + "\n"
        if output_format == "json"
        else render_markdown(document)
    )
    if output is None:
        click.echo(text, nl=False)
        return
    if pictures is not None:
        text, written = await with_pictures(text, pictures, output.parent)
        for picture in written:
            _note(f"wrote {picture}")
    write_text_file(output, text)
    _note(f"wrote {output}")


def register(cli: click.Group) -> None:
    cli.add_command(generate_command)
    cli.add_command(plans_group)
    cli.add_command(export_command)
