"""Hand-built rows for the analytics tests: small, explicit, and inserted straight through the ORM."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from storage.db import Database
from storage.models import Contact, Customer


def customer_row(customer_id: str, **overrides: Any) -> Customer:
    values: dict[str, Any] = {
        "id": customer_id,
        "name": f"Customer {customer_id}",
        "industry": "Technology",
        "segment": "Enterprise",
        "arr": Decimal("200000"),
        "health_score": 70,
        "renewal_date": date(2026, 9, 30),
        "contract_start": date(2023, 10, 1),
        "seats_purchased": 100,
        "seats_active": 80,
        "feature_utilization": 60.0,
        "renewal_outcome": "pending",
        "arr_change_last_year": None,
    }
    values.update(overrides)
    if isinstance(values["arr"], int | float):
        values["arr"] = Decimal(str(values["arr"]))
    if isinstance(values["arr_change_last_year"], int | float):
        values["arr_change_last_year"] = Decimal(str(values["arr_change_last_year"]))
    return Customer(**values)


def contact_row(contact_id: str, customer_id: str, **overrides: Any) -> Contact:
    values: dict[str, Any] = {
        "id": contact_id,
        "customer_id": customer_id,
        "name": f"Contact {contact_id}",
        "title": "Manager",
        "role": "user",
        "email": None,
        "engagement_level": "medium",
        "last_contacted": None,
        "active": True,
    }
    values.update(overrides)
    return Contact(**values)


async def insert(database: Database, *rows: Any) -> None:
    """Insert rows in the order given, in one transaction; the models declare no relationships,
    so the unit of work cannot order parents first by itself: flush whenever the table changes."""
    async with database.session() as session:
        previous: type | None = None
        for row in rows:
            if previous is not None and type(row) is not previous:
                await session.flush()
            session.add(row)
            previous = type(row)
