from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from storage.db import Database, redact_url
from storage.errors import DatabaseUnavailable
from storage.models import Contact, Customer


async def test_migrated_schema_round_trips_a_customer(any_db: Database) -> None:
    async with any_db.session() as session:
        session.add(Customer(id="c1", name="Acme", arr=Decimal("250000.00"), renewal_date=date(2026, 6, 30)))
    async with any_db.session() as session:
        customer = (await session.execute(select(Customer))).scalar_one()
    assert customer.arr == Decimal("250000.00")
    assert customer.renewal_date == date(2026, 6, 30)


async def test_foreign_keys_are_enforced(any_db: Database) -> None:
    with pytest.raises(IntegrityError):
        async with any_db.session() as session:
            session.add(Contact(id="p1", customer_id="missing", name="Nobody", role="user"))


async def test_sqlite_runs_with_wal_and_busy_timeout(sqlite_db: Database) -> None:
    async with sqlite_db.engine.connect() as connection:
        assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await connection.execute(text("PRAGMA busy_timeout"))).scalar() == 5000
        assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1


async def test_unreachable_database_is_one_line_without_the_password() -> None:
    database = Database("postgresql+asyncpg://planner:hunter2@127.0.0.1:1/plans")
    with pytest.raises(DatabaseUnavailable) as caught:
        await database.ensure_schema()
    await database.dispose()
    assert "hunter2" not in caught.value.message
    assert "postgresql+asyncpg://planner:***@127.0.0.1:1/plans" in caught.value.message
    assert "\n" not in caught.value.message


def test_redact_url_hides_only_the_password() -> None:
    assert redact_url("postgresql+asyncpg://a:b@h:5432/d") == "postgresql+asyncpg://a:***@h:5432/d"


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("strategic_objectives[1]", "Objective 2"),
        ("strategic_objectives[0].success_metrics[1].target", "Objective 1"),
        ("action_plan_90day[weeks 5-8]", "90-day action plan, weeks 5-8"),
        ("qbr_schedule[0]", "QBR 1"),
        ("risk_mitigation", "Risks"),
        ("stakeholder_plan.relationship_goals[2]", "Stakeholder plan"),
    ],
)
def test_parts_of_a_plan_are_named_as_people_read_them(path: str, title: str) -> None:
    from storage.plan_document import part_title

    assert part_title(path) == title
