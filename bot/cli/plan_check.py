"""`accountplan review PLAN`: the plan review (agent/review) of a saved plan, in the terminal or as
JSON; exit code 1 when it has an error finding (a manager would send the plan back), so scripts and
CI can gate on it. PLAN is a plan id or a customer (id or name, fuzzy) with `--fy`."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click

from bot.cli.common import agent_deps, async_command
from bot.cli.plans import parse_fy
from bot.cli.review import resolve_plan

if TYPE_CHECKING:
    from agent.review import PlanReview
    from storage.plan_document import AccountPlanDocument

EXIT_ERRORS = 1


async def review_saved_plan(plan: str, fiscal_year: str | None) -> tuple[AccountPlanDocument, PlanReview]:
    """The saved plan and a fresh review of it, against the account's data as of the plan's date."""
    from agent.review import review_plan
    from agent.review.run import plan_start_month
    from agent.review.store import review_context
    from storage.plans import document_of

    async with agent_deps(offline=True) as deps, deps.database.session() as session:
        document = document_of(await resolve_plan(session, plan.strip(), fiscal_year))
        context = await review_context(
            session, document, today=deps.today(), start_month=deps.fiscal_year_start_month
        )
        start_month = plan_start_month(document, deps.fiscal_year_start_month)
    return document, review_plan(document, context, start_month=start_month)


@click.command("review")
@click.argument("plan")
@click.option(
    "--fy", "fiscal_year", help="Fiscal year when PLAN names a customer (FY2026; default: the newest)."
)
@click.option(
    "--format", "output_format", type=click.Choice(("text", "json")), default="text", show_default=True
)
@async_command
async def review_command(plan: str, fiscal_year: str | None, output_format: str) -> None:
    """Check PLAN the way an experienced CS leader would: errors a manager would send back, and
    warnings worth a look, each with what to do. Exit code 1 when there is an error."""
    from rich.console import Console

    from bot.render.terminal import render_review

    document, review = await review_saved_plan(plan, parse_fy(fiscal_year))
    if output_format == "json":
        click.echo(
            json.dumps(
                {
                    "plan_id": document.plan_id,
                    "customer_name": document.customer_name,
                    "fiscal_year": document.fiscal_year,
                    "version": document.version,
                    **review.to_json(),
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        click.echo(f"{document.customer_name} {document.fiscal_year} v{document.version}", err=True)
        Console().print(render_review(review))
    if review.errors:
        sys.exit(EXIT_ERRORS)


def register(cli: click.Group) -> None:
    cli.add_command(review_command)
