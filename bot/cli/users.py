"""`accountplan users ...` and `accountplan tokens ...`: who may plan and approve, and API access."""

from __future__ import annotations

import json

import click

from bot.cli.common import async_command, id_column, open_database, table_console
from storage.vocabulary import USER_ROLES


@click.group("users")
def users_group() -> None:
    """CSMs, managers and admins (also imported from users.csv)."""


@users_group.command("list")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@async_command
async def list_command(output: str) -> None:
    """Everyone, with their role, manager and Slack id."""
    from rich.table import Table

    from storage.users import list_users

    database = await open_database()
    try:
        async with database.session() as session:
            users = await list_users(session)
    finally:
        await database.dispose()
    rows = [
        {
            "email": u.email,
            "name": u.name,
            "role": u.role,
            "manager_email": u.manager_email,
            "slack_user_id": u.slack_user_id,
        }
        for u in users
    ]
    if output == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("no users yet; `accountplan users add EMAIL --role csm --manager MANAGER` adds one")
        return
    table = Table(id_column("email"), "name", "role", id_column("manager"), id_column("slack id"))
    for row in rows:
        table.add_row(
            *(row[key] or "" for key in ("email", "name", "role", "manager_email", "slack_user_id"))
        )
    table_console().print(table)


@users_group.command("add")
@click.argument("email")
@click.option("--name", help="Display name (default: the part of the email before @).")
@click.option("--role", type=click.Choice([str(role) for role in USER_ROLES]), default="csm", show_default=True)
@click.option("--manager", "manager_email", help="Email of the manager who approves this user's plans.")
@click.option("--slack-id", "slack_user_id", help="Slack member id (U...); found by email when omitted.")
@async_command
async def add_command(
    email: str, name: str | None, role: str, manager_email: str | None, slack_user_id: str | None
) -> None:
    """Add a user, or update the one with that email. --manager must already be a manager or admin."""
    from storage.users import normalize_email, save_user

    normalize_email(email)  # before the database: a typo creates nothing
    if manager_email:
        normalize_email(manager_email)
    database = await open_database()
    try:
        async with database.session() as session:
            user = await save_user(
                session, email, name=name, role=role, manager_email=manager_email, slack_user_id=slack_user_id
            )
            summary = f"{user.email} ({user.role})" + (
                f", reports to {user.manager_email}" if user.manager_email else ""
            )
    finally:
        await database.dispose()
    click.echo(f"saved {summary}")


@users_group.command("set-manager")
@click.argument("email")
@click.argument("manager_email", required=False)
@click.option("--none", "clear", is_flag=True, help="Remove the user's manager.")
@async_command
async def set_manager_command(email: str, manager_email: str | None, clear: bool) -> None:
    """Make MANAGER_EMAIL the approver of EMAIL's plans."""
    if not manager_email and not clear:
        raise click.UsageError("give MANAGER_EMAIL, or --none to remove the manager")
    from storage.users import set_manager

    database = await open_database()
    try:
        async with database.session() as session:
            user = await set_manager(session, email, None if clear else manager_email)
            who, manager = user.email, user.manager_email
    finally:
        await database.dispose()
    click.echo(f"{who} now reports to {manager}" if manager else f"{who} has no manager now")


@click.group("tokens")
def tokens_group() -> None:
    """Bearer tokens for the REST API."""


@tokens_group.command("create")
@click.argument("user")
@click.option("--label", help="What the token is for (shown nowhere else).")
@async_command
async def create_token_command(user: str, label: str | None) -> None:
    """Create a token for USER (an email). It is printed once; only its hash is stored."""
    from storage.users import create_token

    database = await open_database()
    try:
        async with database.session() as session:
            token = await create_token(session, user, label=label)
    finally:
        await database.dispose()
    click.echo(token)
    click.echo("store it now: it cannot be shown again", err=True)


@tokens_group.command("revoke")
@click.argument("user")
@async_command
async def revoke_tokens_command(user: str) -> None:
    """Revoke every token of USER."""
    from storage.users import revoke_tokens

    database = await open_database()
    try:
        async with database.session() as session:
            count = await revoke_tokens(session, user.strip().lower())
    finally:
        await database.dispose()
    click.echo(f"revoked {count} token(s) of {user}")


def register(cli: click.Group) -> None:
    cli.add_command(users_group)
    cli.add_command(tokens_group)
