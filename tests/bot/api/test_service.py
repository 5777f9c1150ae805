"""The REST API's plan operations, called directly: each check, in order, and nothing saved on failure."""

from __future__ import annotations

import pytest

from bot.api import service as plan_api
from bot.api.service import InvalidDocument, PreconditionRequired
from storage.db import Database
from storage.errors import Conflict, NotFound, PermissionDenied
from storage.users import create_token
from tests.fakes.review_org import CARL, CUSTOMER_ID, DINA, MAYA, plan_json, seed_org
from tools.plans.identity import Unauthenticated


async def test_read_plan_authenticates_then_authorizes(db: Database) -> None:
    org = await seed_org(db)
    async with db.session() as session:
        carl, dina = await create_token(session, CARL), await create_token(session, DINA)
    assert (await plan_api.read_plan(db, carl, org.plan_id)).version == 1
    with pytest.raises(Unauthenticated):
        await plan_api.read_plan(db, None, org.plan_id)
    with pytest.raises(PermissionDenied):
        await plan_api.read_plan(db, dina, org.plan_id)
    with pytest.raises(NotFound):
        await plan_api.read_plan(db, carl, "nope")


async def test_generate_needs_a_known_customer_in_your_book(db: Database) -> None:
    await seed_org(db)
    async with db.session() as session:
        token = await create_token(session, DINA)
    dina = await plan_api.authenticate(db, token)
    with pytest.raises(PermissionDenied):
        await plan_api.authorize_generate(db, dina, CUSTOMER_ID)
    with pytest.raises(NotFound):
        await plan_api.authorize_generate(db, dina, "nobody")


async def test_replace_plan_checks_version_identity_and_document(db: Database) -> None:
    org = await seed_org(db)
    async with db.session() as session:
        token = await create_token(session, CARL)
    carl = await plan_api.authenticate(db, token)
    body = plan_json(plan_id=org.plan_id)
    with pytest.raises(PreconditionRequired) as missing:
        await plan_api.authorize_edit(db, carl, org.plan_id, None)
    assert missing.value.current_version == 1
    with pytest.raises(PreconditionRequired):
        await plan_api.replace_plan(db, carl, org.plan_id, body, None, "edit")
    moved = {**body, "plan_id": "elsewhere", "fiscal_year": "FY2031"}
    with pytest.raises(InvalidDocument) as identity:
        await plan_api.replace_plan(db, carl, org.plan_id, moved, 1, "edit")
    assert [item["field"] for item in identity.value.fields] == ["plan_id", "fiscal_year"]
    with pytest.raises(InvalidDocument) as invalid:
        await plan_api.replace_plan(db, carl, org.plan_id, {**body, "executive_summary": "short"}, 1, "edit")
    assert [item["field"] for item in invalid.value.fields] == ["executive_summary"]
    with pytest.raises(Conflict):
        await plan_api.replace_plan(db, carl, org.plan_id, body, 7, "edit")

    summary = body["executive_summary"] = "Now multi-threaded across three teams."
    saved = await plan_api.replace_plan(db, carl, org.plan_id, {**body, "status": "approved"}, 1, "edit")
    assert (saved.version, saved.status, saved.executive_summary) == (2, "draft", summary)


async def test_transition_plan_returns_the_result_and_the_document(db: Database) -> None:
    org = await seed_org(db)
    async with db.session() as session:
        tokens = [await create_token(session, who) for who in (CARL, MAYA)]
    carl, maya = [await plan_api.authenticate(db, token) for token in tokens]
    await plan_api.transition_plan(db, carl, org.plan_id, "submit", expected_version=None, comment=None)
    result, document = await plan_api.transition_plan(
        db, maya, org.plan_id, "approve", expected_version=1, comment="Good plan"
    )
    assert (result.to_status, result.comment, document.status) == ("approved", "Good plan", "approved")
