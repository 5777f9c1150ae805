"""`accountplan submit|approve|request-changes|reject|activate|reopen PLAN`, `queue` and `audit PLAN`.

PLAN is a plan id or a customer (id or name, fuzzy) with `--fy`. Decisions need `--as EMAIL`:
the audit log records the person who took them.
"""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Any

import click

from bot.cli.common import async_command, id_column, open_database, resolve_plan, table_console

if TYPE_CHECKING:
    from storage.db import Database
    from tools.plans.lifecycle import TransitionResult


def _plan_options(func: Any) -> Any:
    func = click.option("--fy", "fiscal_year", help="Fiscal year when PLAN names a customer (FY2026).")(func)
    return click.argument("plan")(func)


def _describe(result: TransitionResult) -> str:
    lines = [
        f"{result.customer_name} {result.plan.fiscal_year} v{result.version}: "
        f"{result.from_status.replace('_', ' ')} -> {result.to_status.replace('_', ' ')} "
        f"(by {result.actor.email})"
    ]
    if result.manager_to_notify:
        lines.append(f"waiting for {result.manager_to_notify.email} to review")
    elif result.action == "submit":
        lines.append("note: the CSM has no manager; an admin must review (`accountplan users set-manager`)")
    if result.changes_since_approved:
        lines.append(f"changes since approved version {result.previously_approved_version}:")
        lines.extend(f"  - {line}" for line in result.changes_since_approved)
    return "\n".join(lines)


async def _announce_in_slack(database: Database, result: TransitionResult) -> None:
    """With Slack configured, a terminal decision shows up there like one made in Slack."""
    from storage.settings import get_settings

    settings = get_settings()
    if settings.slack_bot_token is None:
        return
    from agent.deps import AgentDeps
    from bot.slack.deps import SlackDeps
    from bot.slack.directory import slack_directory
    from bot.slack.review import announce
    from bot.slack.web_client import create_web_client

    # Announcing drafts nothing, so these deps need no Claude client.
    deps = SlackDeps(AgentDeps(settings=settings, database=database))
    client = create_web_client(deps)
    deps.directory = slack_directory(client)
    try:
        await announce(deps, client, result)
    except Exception as error:  # the transition stands; Slack catches up on the next change
        click.echo(f"warning: could not update Slack: {error}", err=True)


async def _run(action: str, plan: str, fiscal_year: str | None, actor: str, **kwargs: Any) -> None:
    from tools.plans.lifecycle import transition

    database = await open_database()
    try:
        async with database.session() as session:
            row = await resolve_plan(session, plan, fiscal_year)
            result = await transition(session, row.id, action, actor=actor, surface="cli", **kwargs)
            message = _describe(result)
        click.echo(message)
        await _announce_in_slack(database, result)
    finally:
        await database.dispose()


def _transition_command(name: str, action: str, help_text: str, *, needs_comment: bool) -> click.Command:
    @_plan_options
    @click.option("--as", "actor", default="cli", show_default=True, help="Your email (required to decide).")
    @click.option(
        "--version", "expected_version", type=int, help="Only if the plan is still at this version."
    )
    @click.option("--comment", "-m", required=needs_comment, help="Why (shown to the CSM).")
    @async_command
    async def command(
        plan: str, fiscal_year: str | None, actor: str, expected_version: int | None, comment: str | None
    ) -> None:
        extra: dict[str, Any] = {"expected_version": expected_version}
        if comment is not None:
            extra["comment"] = comment
        await _run(action, plan, fiscal_year, actor, **extra)

    return click.command(name, help=help_text)(command)


TRANSITION_COMMANDS = [
    _transition_command(
        "submit", "submit", "Submit PLAN for approval by the CSM's manager.", needs_comment=False
    ),
    _transition_command("approve", "approve", "Approve PLAN (its manager or an admin).", needs_comment=False),
    _transition_command(
        "request-changes", "request_changes", "Send PLAN back to its CSM with a comment.", needs_comment=True
    ),
    _transition_command("reject", "reject", "Reject PLAN with a comment.", needs_comment=True),
    _transition_command("activate", "activate", "Put an approved PLAN in force now.", needs_comment=False),
    _transition_command(
        "reopen", "reopen", "Move a rejected or changes-requested PLAN back to draft.", needs_comment=False
    ),
]


@click.command("queue")
@click.option("--as", "actor", required=True, help="The reviewer's email.")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@async_command
async def queue_command(actor: str, output: str) -> None:
    """Plans waiting for your review (the same queue as App Home and `/accountplan queue`)."""
    from rich.table import Table

    from bot.slack.services.book import review_queue
    from tools.plans.identity import resolve_actor

    database = await open_database()
    try:
        async with database.session() as session:
            reviewer = await resolve_actor(session, actor)
        items = await review_queue(database, reviewer, date.today())
    finally:
        await database.dispose()
    if output == "json":
        rows = [
            {
                "plan_id": i.plan_id,
                "customer_name": i.customer_name,
                "fiscal_year": i.fiscal_year,
                "version": i.version,
                "confidence": i.confidence,
            }
            for i in items
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    if not items:
        click.echo("nothing waiting for your review")
        return
    table = Table(id_column("plan"), "customer", "FY", "version", "data coverage")
    for item in items:
        confidence = f"{item.confidence:.0%}" if item.confidence is not None else "n/a"
        table.add_row(item.plan_id, item.customer_name, item.fiscal_year, str(item.version), confidence)
    table_console().print(table)


@click.command("audit")
@_plan_options
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@async_command
async def audit_command(plan: str, fiscal_year: str | None, output: str) -> None:
    """PLAN's audit log: every edit and transition, who, when, where from, which version, why."""
    from rich.table import Table

    from storage.audit import audit_trail

    database = await open_database()
    try:
        async with database.session() as session:
            row = await resolve_plan(session, plan, fiscal_year)
            title = f"{row.customer_id} {row.fiscal_year} ({row.id}), now v{row.version} {row.status}"
            events = await audit_trail(session, row.id)
    finally:
        await database.dispose()
    records = [
        {
            "at": event.created_at.isoformat(),
            "actor": event.actor,
            "action": event.action,
            "surface": event.surface,
            "version": event.version,
            "comment": event.comment,
        }
        for event in events
    ]
    if output == "json":
        click.echo(json.dumps(records, indent=2))
        return
    table = Table("when (UTC)", "who", "action", "surface", "version", "comment", title=title)
    for event in events:
        table.add_row(
            event.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            event.actor,
            event.action.replace("_", " "),
            event.surface,
            str(event.version or ""),
            event.comment or "",
        )
    table_console().print(table)


def register(cli: click.Group) -> None:
    for command in TRANSITION_COMMANDS:
        cli.add_command(command)
    cli.add_command(queue_command)
    cli.add_command(audit_command)
