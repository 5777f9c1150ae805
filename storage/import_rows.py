"""The import format: which entities exist, their columns, and how one cell becomes a value.

Every parser takes the raw cell (a CSV string or a JSON scalar) and returns the typed value or
raises `CellError` with a message meant for the person who wrote the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Table

from storage.models import (
    Contact,
    Customer,
    HealthScore,
    Interaction,
    Opportunity,
    RiskSignal,
    UsageMonth,
    User,
    table_of,
)
from storage.vocabulary import (
    USER_ROLES,
    ContactRole,
    EngagementLevel,
    OpportunityStage,
    OpportunityType,
    RenewalOutcome,
    RiskStatus,
    Severity,
)

# Numeric(14, 2) columns hold strictly less than this in absolute value.
MAX_MONEY = Decimal("1000000000000")
MAX_INT = 2**31 - 1

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_TRUE = frozenset({"true", "yes", "y", "1", "t"})
_FALSE = frozenset({"false", "no", "n", "0", "f"})

Parser = Callable[[Any], Any]


class CellError(ValueError):
    """One cell could not be read; the message names the problem, not the location."""


def is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _shown(raw: Any) -> str:
    text = raw if isinstance(raw, str) else repr(raw)
    return repr(text[:60] + "..." if len(text) > 60 else text)


def text(max_length: int | None = None) -> Parser:
    def parse(raw: Any) -> str:
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            raise CellError(f"expected text, got {_shown(raw)}")
        value = raw.strip() if isinstance(raw, str) else str(raw)
        if max_length is not None and len(value) > max_length:
            raise CellError(f"longer than {max_length} characters")
        return value

    return parse


def email(max_length: int) -> Parser:
    as_text = text(max_length)

    def parse(raw: Any) -> str:
        value = as_text(raw)
        if "@" not in value or " " in value:
            raise CellError(f"not an email address: {_shown(value)}")
        return value.lower()

    return parse


def integer(low: int = 0, high: int = MAX_INT) -> Parser:
    def parse(raw: Any) -> int:
        if isinstance(raw, bool):
            raise CellError(f"not a whole number: {_shown(raw)}")
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        try:
            value = raw if isinstance(raw, int) else int(str(raw).strip())
        except ValueError:
            raise CellError(f"not a whole number: {_shown(raw)}") from None
        if not low <= value <= high:
            raise CellError(f"{value} is outside {low}..{high}")
        return value

    return parse


def real(low: float, high: float) -> Parser:
    def parse(raw: Any) -> float:
        if isinstance(raw, bool):
            raise CellError(f"not a number: {_shown(raw)}")
        try:
            value = float(raw) if isinstance(raw, int | float) else float(str(raw).strip())
        except ValueError:
            raise CellError(f"not a number: {_shown(raw)}") from None
        if value != value or not low <= value <= high:  # NaN fails the first test
            raise CellError(f"{raw} is outside {low:g}..{high:g}")
        return value

    return parse


def money(*, signed: bool = False) -> Parser:
    def parse(raw: Any) -> Decimal:
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            raise CellError(f"not an amount: {_shown(raw)}")
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            raise CellError(f"not an amount: {_shown(raw)}") from None
        if not value.is_finite() or abs(value) >= MAX_MONEY:
            raise CellError(f"amount out of range: {_shown(raw)}")
        if value < 0 and not signed:
            raise CellError(f"must not be negative: {raw}")
        return value.quantize(Decimal("0.01"))

    return parse


def iso_date(raw: Any) -> date:
    value = str(raw).strip()
    if not _DATE.match(value):
        raise CellError(f"not a date (expected YYYY-MM-DD): {_shown(raw)}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CellError(f"no such date: {_shown(raw)}") from None


def month(raw: Any) -> str:
    value = str(raw).strip()
    found = _MONTH.match(value)
    if not found or not 1 <= int(found.group(2)) <= 12:
        raise CellError(f"not a month (expected YYYY-MM): {_shown(raw)}")
    return value


def boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    value = str(raw).strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise CellError(f"expected true or false, got {_shown(raw)}")


def one_of(choices: Sequence[str]) -> Parser:
    def parse(raw: Any) -> str:
        value = str(raw).strip().lower().replace("-", "_").replace(" ", "_")
        if value not in choices:
            raise CellError(f"unknown value {_shown(raw)} (expected one of: {', '.join(choices)})")
        return value

    return parse


@dataclass(frozen=True)
class Column:
    """One importable column. `default` fills a blank cell; `required` makes a blank an error."""

    name: str
    parse: Parser
    required: bool = False
    default: Any = None


@dataclass(frozen=True)
class Entity:
    """One importable entity: `customers.csv` or the JSON key `customers`."""

    name: str
    table: Table
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # what a re-import matches on (the upsert conflict target)
    # column -> (entity it must reference, description used in errors)
    references: dict[str, str] = field(default_factory=dict[str, str])

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"


def _length(table: Table, column: str) -> int | None:
    return getattr(table.c[column].type, "length", None)


def _text(table: Table, column: str, *, required: bool = False) -> Column:
    return Column(column, text(_length(table, column)), required=required)


def _entities() -> tuple[Entity, ...]:
    users, customers, contacts = table_of(User), table_of(Customer), table_of(Contact)
    health, usage = table_of(HealthScore), table_of(UsageMonth)
    opportunities, risks, interactions = table_of(Opportunity), table_of(RiskSignal), table_of(Interaction)
    return (
        Entity(
            "users",
            users,
            (
                Column("email", email(320), required=True),
                _text(users, "name", required=True),
                Column("role", one_of(USER_ROLES), required=True),
                Column("manager_email", email(320)),
                _text(users, "slack_user_id"),
            ),
            key=("email",),
            references={"manager_email": "users"},
        ),
        Entity(
            "customers",
            customers,
            (
                _text(customers, "id", required=True),
                _text(customers, "name", required=True),
                _text(customers, "industry"),
                _text(customers, "segment"),
                Column("arr", money()),
                Column("health_score", integer(0, 100)),
                Column("renewal_date", iso_date),
                Column("contract_start", iso_date),
                Column("seats_purchased", integer()),
                Column("seats_active", integer()),
                Column("feature_utilization", real(0, 100)),
                Column("csm_email", email(320)),
                _text(customers, "goals"),
                _text(customers, "competitors"),
                Column("renewal_outcome", one_of(RenewalOutcome.values())),
                Column("arr_change_last_year", money(signed=True)),
            ),
            key=("id",),
        ),
        Entity(
            "contacts",
            contacts,
            (
                _text(contacts, "id", required=True),
                _text(contacts, "customer_id", required=True),
                _text(contacts, "name", required=True),
                _text(contacts, "title"),
                Column("role", one_of(ContactRole.values())),  # blank: inferred from the title
                Column("email", email(320)),
                Column("engagement_level", one_of(EngagementLevel.values())),
                Column("last_contacted", iso_date),
                Column("active", boolean, default=True),
            ),
            key=("id",),
            references={"customer_id": "customers"},
        ),
        Entity(
            "health_history",
            health,
            (
                _text(health, "customer_id", required=True),
                Column("date", iso_date, required=True),
                Column("score", integer(0, 100), required=True),
            ),
            key=("customer_id", "date"),
            references={"customer_id": "customers"},
        ),
        Entity(
            "usage",
            usage,
            (
                _text(usage, "customer_id", required=True),
                Column("month", month, required=True),
                Column("active_users", integer()),
                Column("feature_utilization", real(0, 100)),
            ),
            key=("customer_id", "month"),
            references={"customer_id": "customers"},
        ),
        Entity(
            "opportunities",
            opportunities,
            (
                _text(opportunities, "id", required=True),
                _text(opportunities, "customer_id", required=True),
                Column("type", one_of(OpportunityType.values()), required=True),
                _text(opportunities, "description", required=True),
                Column("value", money(), required=True),
                Column("probability", real(0, 1), required=True),
                Column("expected_close", iso_date),
                Column("stage", one_of(OpportunityStage.values()), default=OpportunityStage.OPEN),
            ),
            key=("id",),
            references={"customer_id": "customers"},
        ),
        Entity(
            "risk_signals",
            risks,
            (
                _text(risks, "id", required=True),
                _text(risks, "customer_id", required=True),
                _text(risks, "type", required=True),
                Column("severity", one_of(Severity.values()), required=True),
                _text(risks, "description", required=True),
                Column("detected_at", iso_date),
                Column("status", one_of(RiskStatus.values()), default=RiskStatus.ACTIVE),
            ),
            key=("id",),
            references={"customer_id": "customers"},
        ),
        Entity(
            "interactions",
            interactions,
            (
                _text(interactions, "id", required=True),
                _text(interactions, "customer_id", required=True),
                _text(interactions, "contact_id"),
                Column("date", iso_date, required=True),
                _text(interactions, "kind"),
                Column("sentiment", real(-1, 1)),
                _text(interactions, "summary"),
            ),
            key=("id",),
            references={"customer_id": "customers", "contact_id": "contacts"},
        ),
    )


# In dependency order: whatever a row references is written before it.
ENTITIES: tuple[Entity, ...] = _entities()
ENTITY_BY_NAME: dict[str, Entity] = {entity.name: entity for entity in ENTITIES}


_ECONOMIC = re.compile(r"\b(cfo|finance|financial|procurement|purchasing|controller|treasurer|budget)\b")
_TECHNICAL = re.compile(
    r"\b(cto|cio|ciso|engineering|engineer|it|architect|architecture|technology|technical|"
    r"infrastructure|devops|security)\b"
)
_EXECUTIVE = re.compile(r"\b(ceo|coo|cro|cmo|cpo|chief|president|vp|svp|evp|vice|head|founder|owner|gm)\b")


def infer_contact_role(title: str | None) -> str:
    """The buying role a job title suggests, for contacts imported without one.

    Finance/procurement -> economic_buyer, engineering/IT/CTO -> technical_buyer, other VP+/Head/
    Chief -> exec_sponsor, anyone else -> user. Function before seniority: a CFO is first of all the
    person who signs, a VP Engineering the one who evaluates.
    """
    if not title or not title.strip():
        return "user"
    words = re.sub(r"[^a-z0-9]+", " ", title.lower())
    if _ECONOMIC.search(words):
        return "economic_buyer"
    if _TECHNICAL.search(words):
        return "technical_buyer"
    if _EXECUTIVE.search(words):
        return "exec_sponsor"
    return "user"
