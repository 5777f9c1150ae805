"""The closed vocabularies: one StrEnum each, stored, validated and documented as the plain words."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError
from sqlalchemy import select, text
from sqlalchemy.exc import StatementError

from storage.db import Database
from storage.models import AccountPlan, Customer, RiskSignal
from storage.plan_document import AccountPlanDocument, plan_json_schema
from storage.vocabulary import PlanStatus, Priority, RiskStatus, Role, Severity, Surface
from tests.fakes.plan_samples import plan_data


def test_a_member_is_its_word() -> None:
    assert PlanStatus.PENDING_REVIEW == "pending_review"
    assert f"{Severity.CRITICAL}" == "critical" and str(Role.ADMIN) == "admin"
    assert Priority.values() == ("critical", "high", "medium")
    assert Surface.parse("slack") is Surface.SLACK and Surface.parse("email") is None


async def test_columns_store_the_word_and_load_the_member(any_db: Database) -> None:
    async with any_db.session() as session:
        session.add(Customer(id="c1", name="Acme"))
        session.add(
            RiskSignal(id="r1", customer_id="c1", type="usage", severity=Severity.HIGH, description="drop")
        )
        # A plain string is accepted too: the column validates it against the vocabulary.
        session.add(RiskSignal(id="r2", customer_id="c1", type="usage", severity="low", description="blip"))
    async with any_db.session() as session:
        raw = (await session.execute(text("SELECT severity, status FROM risk_signals ORDER BY id"))).all()
        loaded = (await session.execute(select(RiskSignal).order_by(RiskSignal.id))).scalars().all()
    assert [tuple(row) for row in raw] == [("high", "active"), ("low", "active")]
    assert [(r.severity, r.status) for r in loaded] == [(Severity.HIGH, RiskStatus.ACTIVE), (Severity.LOW, RiskStatus.ACTIVE)]
    assert all(type(r.severity) is Severity for r in loaded)


async def test_a_word_outside_the_vocabulary_is_refused_before_it_is_stored(any_db: Database) -> None:
    with pytest.raises(StatementError, match="'archived' is not a valid PlanStatus"):
        async with any_db.session() as session:
            session.add(Customer(id="c1", name="Acme"))
            await session.flush()
            session.add(
                AccountPlan(
                    customer_id="c1", fiscal_year="FY2026", status="archived", document={}, created_by="x"
                )
            )
    async with any_db.session() as session:
        assert (await session.execute(select(AccountPlan))).first() is None


def test_the_plan_document_keeps_plain_words_in_json_and_schema() -> None:
    document = AccountPlanDocument.model_validate(plan_data())
    assert document.status is PlanStatus.DRAFT
    assert type(document.strategic_objectives[0].priority) is Priority
    dumped = json.loads(document.model_dump_json())
    assert dumped == document.to_json_dict()
    assert dumped["status"] == "draft" and dumped["strategic_objectives"][0]["priority"] in Priority.values()
    schema = plan_json_schema()
    assert schema["properties"]["status"]["enum"] == list(PlanStatus.values())
    assert schema["$defs"]["StrategicObjective"]["properties"]["priority"] == {
        "enum": ["critical", "high", "medium"],
        "title": "Priority",
        "type": "string",
    }


def test_a_bad_word_in_a_plan_is_named_with_the_accepted_ones() -> None:
    data = plan_data()
    data["strategic_objectives"][0]["priority"] = "urgent"
    with pytest.raises(ValidationError, match="Input should be 'critical', 'high' or 'medium'"):
        AccountPlanDocument.model_validate(data)
