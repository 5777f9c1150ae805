"""`accountplan customers list|show`: looking at the customer data plans are drafted from."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import click

from bot.cli.common import async_command, id_column, open_database, table_console
from storage.vocabulary import OpportunityStage, RiskStatus, Severity

if TYPE_CHECKING:
    from rich.console import Console
    from sqlalchemy.ext.asyncio import AsyncSession

    from storage.models import Customer, Interaction

DEFAULT_LIMIT = 50
SEVERITY_ORDER = {Severity.CRITICAL: 0, Severity.HIGH: 1, Severity.MEDIUM: 2, Severity.LOW: 3}


@click.group("customers")
def customers_group() -> None:
    """Customers: list a portfolio, show one account's data."""


def _money(value: Decimal | float | None) -> str:
    return "" if value is None else f"${value:,.0f}"


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


@customers_group.command("list")
@click.option("--csm", "csm_email", help="Only this CSM's book (their email).")
@click.option("--segment", help="Only this segment, e.g. enterprise.")
@click.option("--industry", help="Only this industry, e.g. healthcare.")
@click.option("--limit", type=click.IntRange(min=1), default=DEFAULT_LIMIT, show_default=True)
@async_command
async def list_command(csm_email: str | None, segment: str | None, industry: str | None, limit: int) -> None:
    """Customers by name, with ARR, health, renewal date and CSM."""
    from rich.table import Table
    from sqlalchemy import func, select

    from storage.models import Customer

    query = select(Customer)
    if csm_email:
        query = query.where(func.lower(Customer.csm_email) == csm_email.strip().lower())
    if segment:
        query = query.where(func.lower(Customer.segment) == segment.strip().lower())
    if industry:
        query = query.where(func.lower(Customer.industry) == industry.strip().lower())
    database = await open_database()
    try:
        async with database.session() as session:
            total = (await session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
            customers = (await session.execute(query.order_by(Customer.name).limit(limit))).scalars().all()
    finally:
        await database.dispose()
    if not customers:
        click.echo(
            "no customers match; `accountplan seed` creates a demo portfolio, `accountplan import` loads yours"
        )
        return
    table = Table("name", id_column("id"), "industry", "segment", "ARR", "health", "renewal", "CSM")
    for customer in customers:
        table.add_row(
            customer.name,
            customer.id,
            _text(customer.industry),
            _text(customer.segment),
            _money(customer.arr),
            _text(customer.health_score),
            _text(customer.renewal_date),
            _text(customer.csm_email),
        )
    table_console().print(table)
    if total > len(customers):
        click.echo(f"showing {len(customers)} of {total} customers; --limit {total} shows all")


@customers_group.command("show")
@click.argument("customer")
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Date relationship scores are computed for, YYYY-MM-DD (default: today).",
)
@async_command
async def show_command(customer: str, as_of: Any) -> None:
    """One customer (by id or name, fuzzy): fields, contacts, open opportunities, active risks,
    latest health and usage."""
    from rich.console import Console

    from storage.customers import find_customer

    day = as_of.date() if as_of else date.today()
    database = await open_database()
    try:
        async with database.session() as session:
            found = await find_customer(session, customer)
            details = await _details(session, found.id)
    finally:
        await database.dispose()
    _print_customer(Console(), found, details, day)


async def _details(session: AsyncSession, customer_id: str) -> dict[str, Any]:
    """Everything `show` prints about one customer, one query per table."""
    from sqlalchemy import select

    from storage.models import Contact, HealthScore, Interaction, Opportunity, RiskSignal, UsageMonth

    async def rows(query: Any) -> list[Any]:
        return list((await session.execute(query)).scalars())

    return {
        "contacts": await rows(
            select(Contact)
            .where(Contact.customer_id == customer_id)
            .order_by(Contact.active.desc(), Contact.name)
        ),
        "interactions": await rows(select(Interaction).where(Interaction.customer_id == customer_id)),
        "opportunities": await rows(
            select(Opportunity)
            .where(Opportunity.customer_id == customer_id, Opportunity.stage == OpportunityStage.OPEN)
            .order_by(Opportunity.expected_close)
        ),
        "risks": await rows(
            select(RiskSignal).where(RiskSignal.customer_id == customer_id, RiskSignal.status == RiskStatus.ACTIVE)
        ),
        "health": await rows(
            select(HealthScore).where(HealthScore.customer_id == customer_id).order_by(HealthScore.date)
        ),
        "usage": await rows(
            select(UsageMonth)
            .where(UsageMonth.customer_id == customer_id)
            .order_by(UsageMonth.month.desc())
            .limit(1)
        ),
    }


def _print_customer(console: Console, customer: Customer, details: dict[str, Any], as_of: date) -> None:
    from rich.table import Table

    from tools.analytics.relationships import score_relationship

    console.print(f"[bold]{customer.name}[/bold] ({customer.id})")
    facts = Table(show_header=False, box=None, pad_edge=False)
    renewal = _text(customer.renewal_date)
    if customer.renewal_date:
        renewal += f" ({(customer.renewal_date - as_of).days} days)"
    seats = ""
    if customer.seats_purchased:
        active = customer.seats_active or 0
        seats = (
            f"{active} of {customer.seats_purchased} active ({100 * active / customer.seats_purchased:.0f}%)"
        )
    for label, value in (
        ("industry", _text(customer.industry)),
        ("segment", _text(customer.segment)),
        ("ARR", _money(customer.arr)),
        ("health score", _text(customer.health_score)),
        ("renewal", renewal),
        ("last renewal", _text(customer.renewal_outcome)),
        ("ARR change last year", _money(customer.arr_change_last_year)),
        ("contract start", _text(customer.contract_start)),
        ("seats", seats),
        (
            "feature utilization",
            "" if customer.feature_utilization is None else f"{customer.feature_utilization:g}%",
        ),
        ("CSM", _text(customer.csm_email)),
        ("goals", _text(customer.goals)),
        ("competitors", _text(customer.competitors)),
    ):
        facts.add_row(f"[dim]{label}[/dim]", value or "-")
    console.print(facts)

    health = details["health"]
    if health:
        console.print(
            f"latest health: {health[-1].score} on {health[-1].date.isoformat()} "
            f"({len(health)} points since {health[0].date.isoformat()})"
        )
    if details["usage"]:
        usage = details["usage"][0]
        utilization = (
            "" if usage.feature_utilization is None else f", {usage.feature_utilization:g}% of features"
        )
        console.print(f"latest usage: {usage.month}: {_text(usage.active_users)} active users{utilization}")

    by_contact: dict[str | None, list[Interaction]] = defaultdict(list)
    for interaction in details["interactions"]:
        by_contact[interaction.contact_id].append(interaction)
    contacts = Table(
        "name", "title", "role", "engagement", "last contacted", "relationship", "status", title="contacts"
    )
    scored = [
        # ORM rows fit the scoring protocols; pyright does not apply Mapped[]'s descriptor when
        # matching a protocol (pyright issue 11021).
        (contact, score_relationship(contact, by_contact[contact.id], as_of).score)  # pyright: ignore[reportArgumentType]
        for contact in details["contacts"]
    ]
    # Strongest relationships first; people who left at the bottom.
    for contact, score in sorted(scored, key=lambda pair: (not pair[0].active, -pair[1], pair[0].name)):
        contacts.add_row(
            contact.name,
            _text(contact.title),
            contact.role,
            _text(contact.engagement_level),
            _text(contact.last_contacted),
            str(score),
            "active" if contact.active else "left the company",
        )
    console.print(contacts if details["contacts"] else "no contacts on record")

    opportunities = Table(
        "type", "description", "value", "probability", "expected close", title="open opportunities"
    )
    for opportunity in details["opportunities"]:
        opportunities.add_row(
            opportunity.type,
            opportunity.description,
            _money(opportunity.value),
            f"{opportunity.probability:.0%}",
            _text(opportunity.expected_close),
        )
    console.print(opportunities if details["opportunities"] else "no open opportunities")

    risks = Table("severity", "type", "description", "detected", title="active risks")
    for risk in sorted(details["risks"], key=lambda r: (SEVERITY_ORDER.get(r.severity, 9), r.type)):
        risks.add_row(risk.severity, risk.type, risk.description, _text(risk.detected_at))
    console.print(risks if details["risks"] else "no active risks")


def register(cli: click.Group) -> None:
    cli.add_command(customers_group)
