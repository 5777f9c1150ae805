"""`accountplan revise PLAN "message"`: change a plan in plain language from the terminal.

Claude does it when ANTHROPIC_API_KEY is set (the same revision agent as Slack); otherwise the
offline command grammar ("set priority of objective 2 to critical", "mark action 1 done", ...).
"""

from __future__ import annotations

import json

import click

from agent.revise import revise_plan
from bot.cli.common import async_command, open_database
from bot.cli.review import resolve_plan


@click.command("revise")
@click.argument("plan")
@click.argument("message")
@click.option("--fy", "fiscal_year", help="Fiscal year when PLAN names a customer (FY2026).")
@click.option("--as", "actor", default="cli", show_default=True, help="Your email (recorded as the author).")
@click.option("--offline", is_flag=True, help="Use the offline command grammar even when a key is set.")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@async_command
async def revise_command(
    plan: str, message: str, fiscal_year: str | None, actor: str, offline: bool, output: str
) -> None:
    """Revise PLAN (a plan id, or a customer with --fy) as MESSAGE asks; prints the reply and diff."""
    database = await open_database()
    try:
        async with database.session() as session:
            plan_id = (await resolve_plan(session, plan, fiscal_year)).id
        outcome = await revise_plan(database, plan_id, message, actor=actor, surface="cli", offline=offline)
    finally:
        await database.dispose()
    if output == "json":
        click.echo(
            json.dumps(
                {
                    "reply": outcome.reply,
                    "diff": outcome.diff,
                    "changed": outcome.changed,
                    "submitted": outcome.submitted,
                    "version": outcome.document.version,
                    "status": outcome.document.status,
                    "usage": outcome.usage,
                },
                indent=2,
            )
        )
        return
    click.echo(outcome.reply)
    for line in outcome.diff:
        click.echo(f"  - {line}")
    if outcome.changed:
        click.echo(f"saved as version {outcome.document.version} ({outcome.document.status})")


def register(cli: click.Group) -> None:
    cli.add_command(revise_command)
