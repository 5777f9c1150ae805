"""`accountplan generate`, `plans list|show`, `export` and `demo`: plans from the terminal."""

from __future__ import annotations

import json
import re
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from agent.generate import GeneratedPlan, GenerationRequest, ProgressEvent, generate_plan
from agent.review import stored_review, with_fresh_review
from bot.cli.common import agent_deps, async_command, open_database
from bot.render.markdown import export_filename, render_markdown
from bot.render.terminal import render_plan
from storage.customers import find_customer
from storage.db import Database
from storage.demo.portfolio import demo_current_as_of, seed_demo_portfolio
from storage.demo.techcorp import TECHCORP_ID
from storage.errors import BadInput, NotFound, UnknownCustomer
from storage.models import AccountPlan, Customer
from storage.plan_document import SECTIONS, AccountPlanDocument, parse_sections
from storage.plans import document_of, find_plan, get_plan, get_revision, list_plans
from tools.analytics.fiscal_calendar import parse_fiscal_year

FORMATS = ("text", "markdown", "json")
OFFLINE_DETAIL = "offline drafter"
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_as_of(value: str | None) -> date | None:
    """`--as-of`: exactly YYYY-MM-DD, or BadInput naming that form."""
    if value is None:
        return None
    try:
        if not ISO_DATE.match(value.strip()):
            raise ValueError
        return date.fromisoformat(value.strip())
    except ValueError:
        raise BadInput(f"--as-of must be a date like 2026-03-31 (YYYY-MM-DD), got {value!r}") from None


def parse_fy(value: str | None) -> str | None:
    if value is None:
        return None
    parse_fiscal_year(value)
    return value.strip()


def parse_section_options(values: tuple[str, ...]) -> tuple[str, ...]:
    try:
        return parse_sections(list(values))
    except ValueError as error:
        raise BadInput(str(error)) from None


def emit(document: AccountPlanDocument, output_format: str, sections: tuple[str, ...] = SECTIONS) -> None:
    """Print a plan on stdout. JSON is exactly the document, nothing else."""
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


@click.command("generate")
@click.argument("customer")
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
@async_command
async def generate_command(
    customer: str,
    fiscal_year: str | None,
    as_of: str | None,
    sections: tuple[str, ...],
    output_format: str,
    no_save: bool,
    offline: bool,
) -> None:
    """Draft CUSTOMER's account plan (id or name, fuzzy) and save it as a new plan or revision.

    With --sections, only those sections are redrafted; the rest are kept from the saved plan.
    """
    request = GenerationRequest(
        customer=customer,
        fiscal_year=parse_fy(fiscal_year),
        as_of=parse_as_of(as_of),
        sections=parse_section_options(sections),
        save=not no_save,
        offline=offline,
    )
    async with agent_deps(offline=offline) as deps:
        result = await generate_plan(deps, request, progress=_progress)
    emit(result.document, output_format, request.sections if output_format == "text" else SECTIONS)
    _note(_saved_line(result))


@click.group("plans")
def plans_group() -> None:
    """Saved plans: list them, show one."""


@plans_group.command("list")
@click.option("--csm", "csm_email", help="Only this CSM's book (their email).")
@async_command
async def list_command(csm_email: str | None) -> None:
    """Every saved plan, most recently changed first."""
    database = await open_database()
    try:
        async with database.session() as session:
            rows = await list_plans(session, csm_email=csm_email)
    finally:
        await database.dispose()
    if not rows:
        click.echo(
            "no plans yet; `accountplan generate CUSTOMER` drafts one (`accountplan demo` shows the way)"
        )
        return
    table = Table("customer", "FY", "status", "version", "data coverage", "plan check", "updated", "plan id")
    for plan, name in rows:
        confidence = "" if plan.ai_confidence is None else f"{float(plan.ai_confidence):.0%}"
        table.add_row(
            name,
            plan.fiscal_year,
            plan.status,
            str(plan.version),
            confidence,
            _check_cell(plan.generation_context),
            plan.updated_at.strftime("%Y-%m-%d %H:%M"),
            plan.id,
        )
    Console().print(table)


def _check_cell(generation_context: dict[str, Any] | None) -> str:
    """'2 errors, 1 warning' / 'nothing to look at' from the stored review; '-' before reviews."""
    review = (generation_context or {}).get("review")
    if not isinstance(review, dict):
        return "-"
    counts = [(int(review.get("errors") or 0), "error"), (int(review.get("warnings") or 0), "warning")]
    parts = [f"{n} {word}{'' if n == 1 else 's'}" for n, word in counts if n]
    return ", ".join(parts) or "nothing to look at"


async def _customer_plan(session: AsyncSession, customer: str, fiscal_year: str | None) -> AccountPlan:
    found = await find_customer(session, customer)
    return await find_plan(session, found.id, fiscal_year)


@plans_group.command("show")
@click.argument("customer")
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
    """CUSTOMER's saved plan (id or name, fuzzy)."""
    fiscal_year = parse_fy(fiscal_year)
    async with agent_deps(offline=True) as deps, deps.database.session() as session:
        plan = await _customer_plan(session, customer, fiscal_year)
        document = document_of(plan) if version is None else await get_revision(session, plan.id, version)
        if output_format == "text" and stored_review(document) is None:
            # Saved before plans were reviewed: review it for the reader (nothing is stored).
            document = await with_fresh_review(
                session, document, today=deps.today(), start_month=deps.fiscal_year_start_month
            )
    if show_usage:
        from bot.cli.revise import usage_lines, usage_report

        report = usage_report(document)
        click.echo(
            json.dumps(report, indent=2) if output_format == "json" else "\n".join(usage_lines(report))
        )
        return
    emit(document, output_format)


async def _plan_by_id_or_customer(session: AsyncSession, plan: str, fiscal_year: str | None) -> AccountPlan:
    try:
        return await get_plan(session, plan.strip())
    except NotFound:
        return await _customer_plan(session, plan, fiscal_year)


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
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
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of stdout.",
)
@click.option("--fy", "fiscal_year", help="With a customer name: which fiscal year (default: the newest).")
@async_command
async def export_command(plan: str, output_format: str, output: Path | None, fiscal_year: str | None) -> None:
    """Export PLAN (a plan id, or a customer's id or name) as Markdown or JSON."""
    fiscal_year = parse_fy(fiscal_year)
    database = await open_database()
    try:
        async with database.session() as session:
            document = document_of(await _plan_by_id_or_customer(session, plan, fiscal_year))
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
    _write(output, text)
    _note(f"wrote {output}")


@click.command("demo")
@click.option("--offline", is_flag=True, help="Use the offline drafter even when ANTHROPIC_API_KEY is set.")
@click.option("--as-of", "as_of", help="Date the demo is current as of, YYYY-MM-DD (default: today).")
@async_command
async def demo_command(offline: bool, as_of: str | None) -> None:
    """The main job: seed the demo portfolio if the database is empty (or bring it up to date when
    it was generated for another month), draft TechCorp Industries' plan for the fiscal year being
    planned, show it and write its Markdown export."""
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
        request = GenerationRequest(customer=TECHCORP_ID, as_of=day, offline=offline, author="demo")
        try:
            result = await generate_plan(deps, request, progress=_progress)
        except UnknownCustomer:
            raise NotFound(
                "this database has customers but not the demo account TechCorp Industries; "
                "`accountplan seed` adds the demo portfolio next to them"
            ) from None
    render_plan(Console(), result.document)
    path = deps.settings.data_dir / "exports" / export_filename(result.document)
    _write(path, render_markdown(result.document))
    _note(_saved_line(result))
    click.echo(f"Markdown export written to {path.resolve()}")
    click.echo('next: accountplan plans list | accountplan generate "TechCorp Industries" --format json')


async def _refresh_stale_demo(database: Database, day: date, start_month: int) -> None:
    """A demo book generated for another month dates badly (renewals passed, no recent touches):
    regenerate the demo accounts as of `day`. Other customers are never touched."""
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
    cli.add_command(generate_command)
    cli.add_command(plans_group)
    cli.add_command(export_command)
    cli.add_command(demo_command)
