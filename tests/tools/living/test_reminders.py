"""QBR reminders two weeks ahead with prep; renewal reminders at 90/60/30 days for planned accounts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from storage.db import Database
from storage.models import Opportunity, RiskSignal
from tests.tools.living.living_data import add_approved_plan, add_customer, add_rows, plan_document
from tools.living.reminders import due_qbr_reminders, due_renewal_reminders, renewal_threshold


async def test_qbr_reminder_window_and_prep(any_db: Database) -> None:
    await add_customer(any_db, "c1", "Acme", csm="ana@example.com")
    await add_rows(
        any_db,
        RiskSignal(
            id="r1",
            customer_id="c1",
            type="x",
            severity="critical",
            description="Budget freeze",
            detected_at=date(2026, 2, 1),
            status="active",
        ),
        Opportunity(
            id="o1",
            customer_id="c1",
            type="upsell",
            description="Premium tier",
            value=Decimal("40000"),
            probability=1.0,
            stage="won",
        ),
    )
    await add_approved_plan(any_db, plan_document("c1", "Acme"))  # QBR on 2026-03-20
    async with any_db.session() as session:
        assert await due_qbr_reminders(session, date(2026, 3, 5)) == []  # 15 days ahead
        [reminder] = await due_qbr_reminders(session, date(2026, 3, 6))
        assert await due_qbr_reminders(session, date(2026, 3, 21)) == []  # over
    assert reminder.key.endswith(":2026-03-20") and reminder.days_until == 14 and reminder.quarter == "Q1"
    assert reminder.csm_email == "ana@example.com"
    assert [o.objective_id for o in reminder.prep.objectives] == ["obj-1", "obj-2", "obj-3"]
    assert reminder.prep.risks == ["critical: Budget freeze"]
    assert reminder.prep.wins == ["Won: Premium tier ($40,000)"]


def test_renewal_thresholds() -> None:
    assert [renewal_threshold(d) for d in (120, 91, 90, 61, 60, 31, 30, 0, -1)] == [
        None,
        None,
        90,
        90,
        60,
        60,
        30,
        30,
        None,
    ]


async def test_renewal_reminders_only_for_accounts_with_plans(any_db: Database) -> None:
    await add_customer(any_db, "c1", "Acme", renewal=date(2026, 6, 30))
    await add_customer(any_db, "c2", "Globex", renewal=date(2026, 6, 30))  # no plan: no reminder
    await add_approved_plan(any_db, plan_document("c1", "Acme"))
    async with any_db.session() as session:
        assert await due_renewal_reminders(session, date(2026, 3, 31)) == []  # 91 days
        [at_90] = await due_renewal_reminders(session, date(2026, 4, 1))
        [at_60] = await due_renewal_reminders(session, date(2026, 5, 1))
        [at_30] = await due_renewal_reminders(session, date(2026, 6, 1))
    assert (at_90.threshold, at_90.days_left) == (90, 90)
    assert (at_60.threshold, at_30.threshold) == (60, 30)
    assert len({at_90.key, at_60.key, at_30.key}) == 3
    assert at_90.customer_name == "Acme"
