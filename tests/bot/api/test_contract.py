"""The OpenAPI document against the server: every status of every route is made to happen here, and
each one must be documented for that route, with a body that validates against the documented
schema; every documented status must have a case below. Also the readOnly fields and the generate
request's defaults."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from bot.api import register_api
from bot.api.models import MAX_BODY_BYTES, MAX_JSON_DEPTH, ROUTES
from bot.api.openapi import openapi_document
from bot.http_server import build_web_app
from bot.slack.deps import SlackDeps
from storage.db import Database
from storage.plan_document import SERVER_OWNED_FIELDS
from storage.settings import get_settings
from storage.users import create_token
from tests.conftest import agent_deps
from tests.fakes.review_org import ADMIN, CARL, CUSTOMER_ID, DINA, MAYA, MO, Org, seed_org

TODAY = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
UNREACHABLE_URL = "postgresql+asyncpg://plans_owner:pw@127.0.0.1:1/plans_db"


@dataclass
class Api:
    client: TestClient[Any, Any]
    org: Org
    tokens: dict[str, str]

    def auth(self, who: str = CARL, **headers: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}", **headers}

    @property
    def plan(self) -> str:
        return f"/api/account-plans/{self.org.plan_id}"

    async def document(self) -> dict[str, Any]:
        return await (await self.client.get(self.plan, headers=self.auth())).json()

    async def step(self, verb: str, who: str, **body: Any) -> None:
        response = await self.client.post(f"{self.plan}/{verb}", json=body, headers=self.auth(who))
        assert response.status == 200, await response.text()


def _deps(database: Database) -> SlackDeps:
    return SlackDeps(agent_deps(database, get_settings(), clock=lambda: TODAY))


@pytest.fixture
async def api(db: Database) -> AsyncIterator[Api]:
    org = await seed_org(db)
    async with db.session() as session:
        tokens = {who: await create_token(session, who) for who in (ADMIN, MAYA, MO, CARL, DINA)}
    web_app = build_web_app(
        None, _deps(db), registrars=[lambda app, d: register_api(app, d, on_transition=[])]
    )
    async with TestClient(TestServer(web_app, host="127.0.0.1")) as client:
        yield Api(client=client, org=org, tokens=tokens)


@pytest.fixture
async def down() -> AsyncIterator[TestClient[Any, Any]]:
    """The same API over a database that cannot be reached."""
    database = Database(UNREACHABLE_URL, connect_timeout=2)
    web_app = build_web_app(
        None, _deps(database), registrars=[lambda app, d: register_api(app, d, on_transition=[])]
    )
    async with TestClient(TestServer(web_app, host="127.0.0.1")) as client:
        yield client
    await database.dispose()


Case = Callable[[Api], Awaitable[ClientResponse]]
GENERATE = f"/api/customers/{CUSTOMER_ID}/account-plan/generate"
HUGE = b'{"comment": "' + b"x" * (MAX_BODY_BYTES + 10) + b'"}'
DEEP = b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
JSON = {"Content-Type": "application/json"}
TEXT = {"Content-Type": "text/plain"}


def _transition_cases(
    verb: str, setup: Callable[[Api], Awaitable[None]], body: dict[str, Any]
) -> dict[int, Case]:
    async def ok(api: Api) -> ClientResponse:
        await setup(api)
        who = CARL if verb in ("submit", "activate", "reopen") else MAYA
        return await api.client.post(f"{api.plan}/{verb}", json=body, headers=api.auth(who))

    async def stale(api: Api) -> ClientResponse:
        await setup(api)
        who = CARL if verb in ("submit", "activate", "reopen") else MAYA
        return await api.client.post(f"{api.plan}/{verb}", json={**body, "version": 7}, headers=api.auth(who))

    path = f"/api/account-plans/{{}}/{verb}"
    who_and_why = {"json": body}  # a request that is fine apart from who sends it, or where
    return {
        200: ok,
        400: lambda api: api.client.post(path.format(api.org.plan_id), headers=api.auth(**{"If-Match": "soon"})),
        401: lambda api: api.client.post(path.format(api.org.plan_id)),
        403: lambda api: api.client.post(path.format(api.org.plan_id), **who_and_why, headers=api.auth(DINA)),
        404: lambda api: api.client.post(path.format("no-such-plan"), **who_and_why, headers=api.auth()),
        409: stale,
        413: lambda api: api.client.post(path.format(api.org.plan_id), data=HUGE, headers=api.auth(**JSON)),
        415: lambda api: api.client.post(path.format(api.org.plan_id), data=b"comment=hi", headers=api.auth(**TEXT)),
        422: lambda api: api.client.post(path.format(api.org.plan_id), json={"note": "x"}, headers=api.auth()),
    }  # fmt: skip


async def _draft(_api: Api) -> None:
    return None


async def _submitted(api: Api) -> None:
    await api.step("submit", CARL)


async def _approved(api: Api) -> None:
    await _submitted(api)
    await api.step("approve", MAYA)


async def _sent_back(api: Api) -> None:
    await _submitted(api)
    await api.step("request-changes", MAYA, comment="Add a training objective")


async def _put_edited(api: Api) -> ClientResponse:
    document = await api.document()
    document["executive_summary"] = "TechCorp is now multi-threaded across three teams and two executives."
    return await api.client.put(api.plan, json=document, headers=api.auth(**{"If-Match": '"1"'}))


async def _put_invalid(api: Api) -> ClientResponse:
    document = await api.document()
    document["strategic_objectives"][0]["priority"] = "urgent"
    return await api.client.put(api.plan, json=document, headers=api.auth(**{"If-Match": '"1"'}))


async def _put_stale(api: Api) -> ClientResponse:
    document = await api.document()
    return await api.client.put(api.plan, json=document, headers=api.auth(**{"If-Match": '"7"'}))


async def _put_without_if_match(api: Api) -> ClientResponse:
    return await api.client.put(api.plan, json=await api.document(), headers=api.auth())


CASES: dict[str, dict[int, Case]] = {
    "generate": {
        201: lambda api: api.client.post(GENERATE, json={"fiscal_year": "FY2027"}, headers=api.auth()),
        200: lambda api: api.client.post(GENERATE, json={}, headers=api.auth()),  # defaults: FY2026, all
        400: lambda api: api.client.post(GENERATE, data=DEEP, headers=api.auth(**JSON)),
        401: lambda api: api.client.post(GENERATE, json={}),
        403: lambda api: api.client.post(GENERATE, json={}, headers=api.auth(DINA)),
        404: lambda api: api.client.post("/api/customers/nobody/account-plan/generate", headers=api.auth()),
        413: lambda api: api.client.post(GENERATE, data=HUGE, headers=api.auth(**JSON)),
        415: lambda api: api.client.post(GENERATE, data=b"fiscal_year=FY2026", headers=api.auth(**TEXT)),
        422: lambda api: api.client.post(GENERATE, json={"fiscal_year": "FY2035"}, headers=api.auth()),
    },
    "get_plan": {
        200: lambda api: api.client.get(api.plan, headers=api.auth()),
        401: lambda api: api.client.get(api.plan, headers={"Authorization": "Bearer ap_forged"}),
        403: lambda api: api.client.get(api.plan, headers=api.auth(DINA)),
        404: lambda api: api.client.get("/api/account-plans/no-such-plan", headers=api.auth()),
    },
    "replace_plan": {
        200: _put_edited,
        400: lambda api: api.client.put(api.plan, data=b"{not json", headers=api.auth(**JSON, **{"If-Match": "1"})),
        401: lambda api: api.client.put(api.plan, json={}),
        403: lambda api: api.client.put(api.plan, json={}, headers=api.auth(DINA, **{"If-Match": "1"})),
        404: lambda api: api.client.put("/api/account-plans/nope", json={}, headers=api.auth(**{"If-Match": "1"})),
        409: _put_stale,
        413: lambda api: api.client.put(api.plan, data=HUGE, headers=api.auth(**JSON, **{"If-Match": "1"})),
        415: lambda api: api.client.put(api.plan, data=b"{}", headers=api.auth(**TEXT, **{"If-Match": "1"})),
        422: _put_invalid,
        428: _put_without_if_match,
    },
    "submit": _transition_cases("submit", _draft, {}),
    "approve": _transition_cases("approve", _submitted, {"comment": "Good plan"}),
    "request_changes": _transition_cases("request-changes", _submitted, {"comment": "Add training"}),
    "reject": _transition_cases("reject", _submitted, {"comment": "Not this year"}),
    "activate": _transition_cases("activate", _approved, {}),
    "reopen": _transition_cases("reopen", _sent_back, {}),
}  # fmt: skip


def _documented() -> dict[str, tuple[str, str, set[int]]]:
    """operation id -> (method, path, the statuses the document lists)."""
    found = {}
    for path, methods in openapi_document()["paths"].items():
        for method, operation in methods.items():
            found[operation["operationId"]] = (
                method,
                path,
                {int(status) for status in operation["responses"]},
            )
    return found


DOCUMENTED = _documented()
PAIRS = sorted(
    (operation, status)
    for operation, (_, _, statuses) in DOCUMENTED.items()
    if operation != "openapi"
    for status in statuses
)


def _validator(schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator({**schema, "components": openapi_document()["components"]})


def test_every_documented_status_has_a_case_and_every_case_is_documented() -> None:
    cases = {(operation, status) for operation, statuses in CASES.items() for status in statuses}
    cases |= {(operation, 503) for operation in CASES}  # every route reads the database first
    assert cases == set(PAIRS)
    assert {route.operation_id for route in ROUTES} == set(CASES)


@pytest.mark.parametrize(("operation", "status"), PAIRS)
async def test_each_status_of_each_route_happens_as_documented(
    api: Api, down: TestClient[Any, Any], operation: str, status: int
) -> None:
    method, path, _ = DOCUMENTED[operation]
    if status == 503:
        concrete = path.replace("{plan_id}", "any-plan").replace("{customer_id}", CUSTOMER_ID)
        response = await down.request(method.upper(), concrete, json={}, headers=api.auth())
    else:
        response = await CASES[operation][status](api)
    body_text = await response.text()
    assert response.status == status, body_text
    body = json.loads(body_text)
    documented = openapi_document()["paths"][path][method]["responses"][str(status)]
    if "$ref" in documented:
        documented = openapi_document()["components"]["responses"][documented["$ref"].rsplit("/", 1)[-1]]
    errors = sorted(
        _validator(documented["content"]["application/json"]["schema"]).iter_errors(body), key=str
    )
    assert not errors, [error.message for error in errors]
    if status >= 400:
        assert body["error"]["message"] and "Traceback" not in body_text
    if status == 503:  # nothing about where the database is or who connects to it
        for secret in ("127.0.0.1", "plans_owner", "plans_db", "postgresql"):
            assert secret not in body_text


async def test_the_served_document_is_the_generated_one_and_valid(api: Api) -> None:
    response = await api.client.get("/api/openapi.json")
    assert response.status == 200
    served = await response.json()
    assert served == json.loads(json.dumps(openapi_document()))
    validate(served)  # openapi-spec-validator: a valid OpenAPI 3.1 document
    # Every route the server mounts under /api is in the document, and no other.
    mounted = {
        (resource.canonical, route.method.lower())
        for resource in api.client.app.router.resources()  # type: ignore[union-attr]
        for route in resource
        if resource.canonical.startswith("/api/") and route.method != "HEAD"  # HEAD comes with GET
    }
    described = {(path, method) for path, methods in served["paths"].items() for method in methods}
    assert mounted == described


def test_server_owned_fields_are_read_only_in_the_document() -> None:
    plan = openapi_document()["components"]["schemas"]["AccountPlan"]["properties"]
    read_only = {name for name, schema in plan.items() if schema.get("readOnly")}
    assert read_only == set(SERVER_OWNED_FIELDS)
    assert {"plan_id", "customer_id", "customer_name", "status", "version", "ai_confidence", "ai_generated",
            "generation_context", "approved_version"} <= read_only  # fmt: skip


async def test_put_ignores_server_owned_values_and_keeps_them(api: Api) -> None:
    """Before: ai_confidence 0.99, ai_generated, customer_name 'Evil Corp' and an empty
    generation_context were stored as sent."""
    before = await api.document()
    document = json.loads(json.dumps(before))
    document.update(
        ai_confidence=0.99, ai_generated=True, customer_name="Evil Corp", generation_context={},
        status="approved", version=42, approved_version=3,
    )  # fmt: skip
    document["strategic_objectives"][1]["priority"] = "critical"
    response = await api.client.put(api.plan, json=document, headers=api.auth(**{"If-Match": '"1"'}))
    assert response.status == 200, await response.text()
    after = await response.json()
    assert after["strategic_objectives"][1]["priority"] == "critical"
    for field in ("ai_confidence", "ai_generated", "customer_name", "approved_version"):
        assert after[field] == before[field], field
    # The server's own record stays; only the plan check it runs on every save is new.
    assert _without_review(after["generation_context"]) == _without_review(before["generation_context"])
    assert "review" in after["generation_context"]
    assert (after["status"], after["version"]) == ("draft", 2)


def _without_review(context: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in context.items() if key != "review"}


async def test_put_without_server_owned_fields_changes_nothing_else(api: Api) -> None:
    """Before: omitting generation_context erased it; omitting ai_confidence was a 422."""
    before = await api.document()
    document = {k: v for k, v in before.items() if k not in SERVER_OWNED_FIELDS}
    response = await api.client.put(api.plan, json=document, headers=api.auth(**{"If-Match": '"1"'}))
    assert response.status == 200, await response.text()
    assert response.headers["ETag"] == '"1"'  # the same document: no new revision
    assert await response.json() == before


async def test_generate_with_an_empty_body_drafts_every_section(api: Api) -> None:
    """Before: `{}` answered 400 "unknown section 'all'" from the drafter."""
    for body in ({}, None):
        response = await api.client.post(GENERATE, json=body, headers=api.auth())
        assert response.status in (200, 201), await response.text()
        document = await response.json()
        assert document["fiscal_year"] == "FY2026"
        assert document["generation_context"]["sections"][0] == "executive_summary"
        assert len(document["generation_context"]["sections"]) == 10


@pytest.mark.parametrize(
    ("data", "headers", "status", "code"),
    [
        (b"[" * 100_000 + b"]" * 100_000, JSON, 400, "bad_request"),
        (
            b'{"a":' + b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1) + b"}",
            JSON,
            400,
            "bad_request",
        ),
        (HUGE, JSON, 413, "payload_too_large"),
        (b"{}", {"Content-Type": "application/x-www-form-urlencoded"}, 415, "unsupported_media_type"),
    ],
)
async def test_body_limits_answer_in_the_json_error_shape(
    api: Api, data: bytes, headers: dict[str, str], status: int, code: str
) -> None:
    """Before: RecursionError -> 500, a plain-text 413, no Content-Type check."""
    response = await api.client.put(api.plan, data=data, headers=api.auth(**headers, **{"If-Match": "1"}))
    assert response.status == status
    body = await response.json()
    assert body["error"]["code"] == code


async def test_unknown_api_routes_answer_in_the_json_error_shape(api: Api) -> None:
    missing = await api.client.get("/api/nothing-here", headers=api.auth())
    assert missing.status == 404 and (await missing.json())["error"]["code"] == "not_found"
    wrong = await api.client.delete(api.plan, headers=api.auth())
    assert wrong.status == 405 and (await wrong.json())["error"]["code"] == "method_not_allowed"
