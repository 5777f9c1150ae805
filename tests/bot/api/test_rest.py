"""The REST API over real HTTP on 127.0.0.1: happy paths and every error status, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from openapi_spec_validator import validate
from sqlalchemy import select

from agent.deps import AgentDeps
from bot.api import register_api
from bot.http_server import build_web_app
from bot.slack.deps import SlackDeps
from storage.db import Database
from storage.models import AuditEvent
from storage.plan_document import SECTIONS
from storage.plans import save_plan_version
from storage.settings import Settings
from storage.users import create_token
from tests.fakes.review_org import (
    ADMIN,
    CARL,
    CUSTOMER_ID,
    DINA,
    MAYA,
    MO,
    OTHER_CUSTOMER_ID,
    Org,
    plan_document,
    plan_json,
    seed_org,
)

PRD_KEYS = {
    "plan_id", "status", "customer_id", "customer_name", "fiscal_year", "ai_confidence", "executive_summary",
    "business_context", "strategic_objectives", "stakeholder_plan", "expansion_plan", "risk_mitigation",
    "qbr_schedule", "resource_plan", "action_plan_90day", "benchmark_comparison", "version", "ai_generated",
    "generation_context", "approved_version",
}  # fmt: skip


@dataclass
class Api:
    client: TestClient[Any, Any]
    org: Org
    tokens: dict[str, str]
    database: Database
    generated: list[Any]

    def auth(self, who: str, **headers: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}", **headers}


async def scripted_generate(database: Database, request: Any, calls: list[Any]) -> Any:
    """Stands in for the drafter (tested on its own): saves a valid plan the way it would."""
    calls.append(request)
    name = "TechCorp Industries" if request.customer == CUSTOMER_ID else "Globex"
    async with database.session() as session:
        saved = await save_plan_version(
            session,
            plan_document(
                customer_id=request.customer, customer_name=name, fiscal_year=request.fiscal_year or "FY2026"
            ),
            author=request.author,
            reason="generated",
            surface=request.surface,
        )
    return SimpleNamespace(document=saved.document, created=saved.created)


@pytest.fixture
async def api(any_db: Database) -> AsyncIterator[Api]:
    org = await seed_org(any_db)
    async with any_db.session() as session:
        tokens = {who: await create_token(session, who) for who in (ADMIN, MAYA, MO, CARL, DINA)}
    calls: list[Any] = []

    async def generate(deps: AgentDeps, request: Any) -> Any:
        return await scripted_generate(deps.database, request, calls)

    deps = SlackDeps(
        AgentDeps(settings=Settings(), database=any_db, clock=lambda: datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    )
    web_app = build_web_app(None, deps, registrars=[lambda app, d: register_api(app, d, generate=generate)])
    async with TestClient(TestServer(web_app, host="127.0.0.1")) as client:
        yield Api(client=client, org=org, tokens=tokens, database=any_db, generated=calls)


async def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status == status, await response.text()
    body = await response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code and body["error"]["message"]
    return body["error"]


async def test_get_returns_the_prd_document_with_its_version_as_etag(api: Api) -> None:
    response = await api.client.get(f"/api/account-plans/{api.org.plan_id}", headers=api.auth(CARL))
    assert response.status == 200
    assert response.headers["ETag"] == '"1"'
    body = await response.json()
    assert set(body) == PRD_KEYS
    assert (body["plan_id"], body["status"], body["customer_name"]) == (
        api.org.plan_id,
        "draft",
        "TechCorp Industries",
    )
    for reviewer in (MAYA, ADMIN):  # the manager and admins may read it too
        assert (
            await api.client.get(f"/api/account-plans/{api.org.plan_id}", headers=api.auth(reviewer))
        ).status == 200


async def test_authentication_and_authorization_errors(api: Api) -> None:
    path = f"/api/account-plans/{api.org.plan_id}"
    missing = await api.client.get(path)
    assert (await _error(missing, 401, "unauthenticated"))["message"].startswith(
        "send `Authorization: Bearer"
    )
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    await _error(
        await api.client.get(path, headers={"Authorization": "Bearer ap_forged"}), 401, "unauthenticated"
    )
    await _error(await api.client.get(path, headers={"Authorization": "Basic abc"}), 401, "unauthenticated")
    forbidden = await _error(await api.client.get(path, headers=api.auth(DINA)), 403, "forbidden")
    assert "your own book" in forbidden["message"]
    await _error(await api.client.get(path, headers=api.auth(MO)), 403, "forbidden")
    await _error(await api.client.get("/api/account-plans/nope", headers=api.auth(CARL)), 404, "not_found")


async def test_put_edits_with_if_match_and_creates_a_revision(api: Api) -> None:
    path = f"/api/account-plans/{api.org.plan_id}"
    document = await (await api.client.get(path, headers=api.auth(CARL))).json()
    document["strategic_objectives"][1]["priority"] = "critical"
    document["status"] = "approved"  # read-only: ignored, the lifecycle decides status
    response = await api.client.put(path, json=document, headers=api.auth(CARL, **{"If-Match": '"1"'}))
    assert response.status == 200, await response.text()
    assert response.headers["ETag"] == '"2"'
    body = await response.json()
    assert (body["version"], body["status"]) == (2, "draft")
    assert body["strategic_objectives"][1]["priority"] == "critical"
    async with api.database.session() as session:
        event = (await session.execute(select(AuditEvent).where(AuditEvent.action == "revised"))).scalar_one()
        assert (event.actor, event.surface, event.version) == (CARL, "api", 2)


async def test_put_of_an_unchanged_document_saves_nothing(api: Api) -> None:
    base = f"/api/account-plans/{api.org.plan_id}"
    await api.client.post(f"{base}/submit", headers=api.auth(CARL))
    await api.client.post(f"{base}/approve", headers=api.auth(MAYA))
    document = await (await api.client.get(base, headers=api.auth(CARL))).json()
    response = await api.client.put(base, json=document, headers=api.auth(CARL, **{"If-Match": '"1"'}))
    assert response.status == 200 and response.headers["ETag"] == '"1"'
    assert (await response.json())["status"] == "approved"  # still in force, not demoted to draft


async def test_put_error_statuses(api: Api) -> None:
    path = f"/api/account-plans/{api.org.plan_id}"
    good = plan_json(plan_id=api.org.plan_id)
    no_precondition = await api.client.put(path, json=good, headers=api.auth(CARL))
    assert '"1"' in (await _error(no_precondition, 428, "precondition_required"))["message"]
    stale = await api.client.put(path, json=good, headers=api.auth(CARL, **{"If-Match": '"7"'}))
    assert "now version 1" in (await _error(stale, 409, "conflict"))["message"]

    invalid = plan_json(plan_id=api.org.plan_id)
    invalid["ai_confidence"] = 1.5  # server-owned: ignored, so not reported either
    invalid["strategic_objectives"][0]["priority"] = "urgent"
    invalid["action_plan_90day"][0]["due_date"] = "9999-12-31"
    response = await api.client.put(path, json=invalid, headers=api.auth(CARL, **{"If-Match": "1"}))
    error = await _error(response, 422, "invalid_document")
    fields = {item["field"] for item in error["fields"]}
    assert fields == {"strategic_objectives.0.priority", "action_plan_90day.0.due_date"}

    other = plan_json(plan_id="someone-else", fiscal_year="FY2031")
    error = await _error(
        await api.client.put(path, json=other, headers=api.auth(CARL, **{"If-Match": "1"})),
        422,
        "invalid_document",
    )
    assert [item["field"] for item in error["fields"]] == ["plan_id", "fiscal_year"]
    as_json = {"If-Match": "1", "Content-Type": "application/json"}
    malformed = await api.client.put(path, data=b"{not json", headers=api.auth(CARL, **as_json))
    await _error(malformed, 400, "bad_request")
    await _error(await api.client.put(path, data=b"[1]", headers=api.auth(CARL, **as_json)), 400, "bad_request")
    as_form = {"If-Match": "1", "Content-Type": "application/x-www-form-urlencoded"}
    await _error(
        await api.client.put(path, data=json.dumps(good), headers=api.auth(CARL, **as_form)),
        415,
        "unsupported_media_type",
    )
    await _error(
        await api.client.put(path, json=good, headers=api.auth(CARL, **{"If-Match": "soon"})),
        400,
        "bad_request",
    )
    await _error(
        await api.client.put(path, json=good, headers=api.auth(DINA, **{"If-Match": "1"})), 403, "forbidden"
    )
    # Nothing above changed the plan.
    assert (await api.client.get(path, headers=api.auth(CARL))).headers["ETag"] == '"1"'


async def test_submit_and_decide_through_the_api(api: Api) -> None:
    base = f"/api/account-plans/{api.org.plan_id}"
    submitted = await api.client.post(f"{base}/submit", headers=api.auth(CARL))
    assert submitted.status == 200 and (await submitted.json())["status"] == "pending_review"

    await _error(await api.client.post(f"{base}/approve", headers=api.auth(MO)), 403, "forbidden")
    self_approval = await _error(
        await api.client.post(f"{base}/approve", headers=api.auth(CARL)), 403, "forbidden"
    )
    assert "own plan" in self_approval["message"]
    no_comment = await _error(
        await api.client.post(f"{base}/reject", headers=api.auth(MAYA)), 400, "bad_request"
    )
    assert "comment is required" in no_comment["message"]
    unknown_field = await api.client.post(f"{base}/approve", json={"note": "x"}, headers=api.auth(MAYA))
    assert (await _error(unknown_field, 422, "invalid_request"))["fields"][0]["field"] == "note"
    stale = await api.client.post(f"{base}/approve", json={"version": 3}, headers=api.auth(MAYA))
    await _error(stale, 409, "conflict")

    approved = await api.client.post(
        f"{base}/approve", json={"comment": "Good plan"}, headers=api.auth(MAYA, **{"If-Match": '"1"'})
    )
    assert approved.status == 200 and (await approved.json())["status"] == "approved"
    again = await _error(await api.client.post(f"{base}/approve", headers=api.auth(MAYA)), 409, "conflict")
    assert "already approved" in again["message"]
    activated = await api.client.post(f"{base}/activate", headers=api.auth(CARL))
    assert (await activated.json())["status"] == "active"
    await _error(
        await api.client.post("/api/account-plans/missing/approve", headers=api.auth(MAYA)), 404, "not_found"
    )


async def test_request_changes_carries_the_comment(api: Api) -> None:
    base = f"/api/account-plans/{api.org.other_plan_id}"
    await api.client.post(f"{base}/submit", headers=api.auth(DINA))
    response = await api.client.post(
        f"{base}/request-changes", json={"comment": "Add a training objective"}, headers=api.auth(MO)
    )
    assert response.status == 200 and (await response.json())["status"] == "changes_requested"
    async with api.database.session() as session:
        event = (
            await session.execute(select(AuditEvent).where(AuditEvent.action == "changes_requested"))
        ).scalar_one()
        assert (event.actor, event.surface, event.comment) == (MO, "api", "Add a training objective")


async def test_concurrent_http_approve_and_reject_settle_once(api: Api) -> None:
    base = f"/api/account-plans/{api.org.plan_id}"
    await api.client.post(f"{base}/submit", headers=api.auth(CARL))
    responses = await asyncio.gather(
        api.client.post(f"{base}/approve", headers=api.auth(MAYA, **{"If-Match": "1"})),
        api.client.post(
            f"{base}/reject", json={"comment": "no"}, headers=api.auth(ADMIN, **{"If-Match": "1"})
        ),
    )
    assert sorted(r.status for r in responses) == [200, 409]


async def test_generate_creates_then_revises(api: Api) -> None:
    path = f"/api/customers/{CUSTOMER_ID}/account-plan/generate"
    body = {"fiscal_year": "FY2027", "include_sections": ["all"], "reference_similar_accounts": True}
    created = await api.client.post(path, json=body, headers=api.auth(CARL))
    assert created.status == 201, await created.text()
    document = await created.json()
    assert set(document) == PRD_KEYS and document["fiscal_year"] == "FY2027"
    assert created.headers["Location"] == f"/api/account-plans/{document['plan_id']}"
    request = api.generated[-1]
    assert (request.customer, request.author, request.surface, request.sections) == (
        CUSTOMER_ID,
        CARL,
        "api",
        SECTIONS,
    )
    again = await api.client.post(
        path, json={**body, "reference_similar_accounts": False, "include_sections": ["objectives", "benchmarks"]},
        headers=api.auth(CARL),
    )  # fmt: skip
    assert again.status == 200 and (await again.json())["version"] == 2
    assert api.generated[-1].sections == ("strategic_objectives",)


async def test_generate_error_statuses(api: Api) -> None:
    path = f"/api/customers/{CUSTOMER_ID}/account-plan/generate"
    await _error(await api.client.post(path, json={}), 401, "unauthenticated")
    await _error(await api.client.post(path, json={}, headers=api.auth(DINA)), 403, "forbidden")
    await _error(
        await api.client.post("/api/customers/nobody/account-plan/generate", json={}, headers=api.auth(CARL)),
        404,
        "not_found",
    )
    bad = await api.client.post(
        path, json={"fiscal_year": "FY26", "include_sections": ["vibes"]}, headers=api.auth(CARL)
    )
    fields = {
        item["field"]: item["message"] for item in (await _error(bad, 422, "invalid_request"))["fields"]
    }
    assert "FY2026" in fields["fiscal_year"] and "unknown section 'vibes'" in fields["include_sections"]
    malformed = await api.client.post(
        path, data=b"{", headers=api.auth(CARL, **{"Content-Type": "application/json"})
    )
    await _error(malformed, 400, "bad_request")
    assert api.generated == []
    other = f"/api/customers/{OTHER_CUSTOMER_ID}/account-plan/generate"
    assert (await api.client.post(other, headers=api.auth(ADMIN))).status == 200  # admins plan for anyone


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [node["$ref"]] if "$ref" in node else [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for item in node for ref in _refs(item)]
    return []


async def test_openapi_document_describes_every_route(api: Api) -> None:
    response = await api.client.get("/api/openapi.json")
    assert response.status == 200
    document = await response.json()
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) >= {
        "/api/customers/{customer_id}/account-plan/generate",
        "/api/account-plans/{plan_id}",
        "/api/account-plans/{plan_id}/approve",
        "/api/account-plans/{plan_id}/reject",
        "/api/account-plans/{plan_id}/request-changes",
        "/api/account-plans/{plan_id}/submit",
    }
    assert set(document["components"]["schemas"]["AccountPlan"]["properties"]) == PRD_KEYS
    for ref in _refs(document):  # every reference resolves inside the document
        node: Any = document
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
        assert isinstance(node, dict)
    validate(document)  # a valid OpenAPI 3.1 document, by the reference validator
    put = document["paths"]["/api/account-plans/{plan_id}"]["put"]["responses"]
    assert {"409", "422", "428"} <= set(put)
    json.dumps(document)


async def test_the_plan_document_carries_its_review_and_a_put_rewrites_it(api: Api) -> None:
    """A PUT stores the review of what was saved; a review the client sent along is never kept."""
    path = f"/api/account-plans/{api.org.plan_id}"
    document = await (await api.client.get(path, headers=api.auth(CARL))).json()
    for objective in document["strategic_objectives"]:
        objective["priority"] = "critical"
    document["generation_context"]["review"] = {"findings": [], "errors": 0, "warnings": 0}
    response = await api.client.put(path, json=document, headers=api.auth(CARL, **{"If-Match": '"1"'}))
    assert response.status == 200, await response.text()
    review = (await response.json())["generation_context"]["review"]
    assert review["errors"] >= 1 and "too_many_critical" in {f["code"] for f in review["findings"]}
    assert set(review["findings"][0]) == {"code", "severity", "section", "path", "message", "suggestion"}
    again = await (await api.client.get(path, headers=api.auth(CARL))).json()
    assert again["generation_context"]["review"] == review
