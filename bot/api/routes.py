"""The PRD's REST endpoints, on the same aiohttp server as Slack.

Bearer tokens map to users; the same policy and lifecycle modules as Slack and the CLI decide.
Every successful response body is the plan document, with its version as the `ETag`.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ValidationError

from agent.deps import AgentDeps
from bot.api import service as plan_api
from bot.api.errors import ApiError, json_errors, read_json
from bot.api.models import (
    DECISIONS,
    OPENAPI_PATH,
    PLAN_PATH,
    ROUTES,
    DecisionRequest,
    GenerateRequest,
)
from bot.api.openapi import openapi_document
from bot.slack.deps import SlackDeps
from storage.plan_document import SECTIONS, AccountPlanDocument
from tools.plans.lifecycle import TransitionResult

# URL verb -> lifecycle action.
TRANSITION_ROUTES: dict[str, str] = {verb: action for verb, (action, _, _) in DECISIONS.items()}
IF_MATCH_PATTERN = re.compile(r'^\s*(?:W/)?"?([0-9]{1,9})"?\s*\Z', re.ASCII)

TransitionHook = Callable[[SlackDeps, TransitionResult], Coroutine[Any, Any, None]]
# `agent.generate.generate_plan`'s shape: (deps, GenerationRequest) -> GeneratedPlan.
GenerateFn = Callable[[AgentDeps, Any], Awaitable[Any]]


async def generate_with_agent(deps: AgentDeps, request: Any) -> Any:
    from agent.generate import generate_plan

    return await generate_plan(deps, request)


def bearer_token(request: web.Request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def if_match_version(request: web.Request) -> int | None:
    header = request.headers.get("If-Match")
    if header is None:
        return None
    match = IF_MATCH_PATTERN.match(header)
    if match is None:
        raise ApiError(
            400, "bad_request", 'If-Match must be the plan version from the ETag, e.g. If-Match: "3"'
        )
    return int(match.group(1))


def plan_response(document: AccountPlanDocument, *, status: int = 200) -> web.Response:
    response = web.json_response(document.to_json_dict(), status=status)
    response.headers["ETag"] = f'"{document.version}"'
    return response


def _request_model(model: type[BaseModel], body: dict[str, Any], context: dict[str, Any] | None = None) -> Any:
    try:
        return model.model_validate(body, context=context)
    except ValidationError as error:
        raise ApiError(
            422, "invalid_request", "the request body is not valid", plan_api.field_problems(error)
        ) from error


class PlanApi:
    """The handlers, bound to the server's dependencies."""

    def __init__(
        self,
        deps: SlackDeps,
        on_transition: list[TransitionHook] | None = None,
        generate: GenerateFn = generate_with_agent,
    ) -> None:
        self.deps = deps
        self.on_transition = on_transition if on_transition is not None else []
        self.generate_plan = generate

    async def generate(self, request: web.Request) -> web.StreamResponse:
        from agent.generate import GenerationRequest

        customer_id = request.match_info["customer_id"]
        database = self.deps.database
        actor = await plan_api.authenticate(database, bearer_token(request))
        settings = self.deps.settings
        body: GenerateRequest = _request_model(
            GenerateRequest,
            await read_json(request, required=False),
            {
                "today": self.deps.today(),
                "start_month": settings.fiscal_year_start_month,
                "window_years": settings.fiscal_year_window_years,
            },
        )
        await plan_api.authorize_generate(database, actor, customer_id)
        sections = tuple(body.include_sections)
        if not body.reference_similar_accounts and len(sections) > 1:
            # Without benchmarks the comparison is not (re)drafted; the baseline's stays.
            sections = tuple(s for s in sections if s != "benchmark_comparison")
        generated = await self.generate_plan(
            self.deps.agent,
            GenerationRequest(
                customer=customer_id,
                fiscal_year=body.fiscal_year,
                as_of=self.deps.today(),
                sections=sections or SECTIONS,
                author=actor.email,
                surface="api",
                replace=body.replace,
            ),
        )
        response = plan_response(generated.document, status=201 if generated.created else 200)
        response.headers["Location"] = PLAN_PATH.format(plan_id=generated.document.plan_id)
        return response

    async def get(self, request: web.Request) -> web.StreamResponse:
        document = await plan_api.read_plan(
            self.deps.database, bearer_token(request), request.match_info["plan_id"]
        )
        return plan_response(document)

    async def put(self, request: web.Request) -> web.StreamResponse:
        plan_id = request.match_info["plan_id"]
        database = self.deps.database
        actor = await plan_api.authenticate(database, bearer_token(request))
        expected = if_match_version(request)
        # Who may edit and which version, before reading (and judging) the new document.
        await plan_api.authorize_edit(database, actor, plan_id, expected)
        body = await read_json(request)
        document = await plan_api.replace_plan(
            database,
            actor,
            plan_id,
            body,
            expected,
            reason=str(request.headers.get("X-Edit-Reason") or "edited through the REST API")[:500],
            today=self.deps.today(),
            start_month=self.deps.agent.fiscal_year_start_month,
        )
        return plan_response(document)

    def transition_handler(self, action: str) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def handle(request: web.Request) -> web.StreamResponse:
            actor = await plan_api.authenticate(self.deps.database, bearer_token(request))
            body: DecisionRequest = _request_model(DecisionRequest, await read_json(request, required=False))
            header_version = if_match_version(request)
            if header_version is not None and body.version not in (None, header_version):
                raise ApiError(400, "bad_request", "If-Match and the body's version disagree")
            result, document = await plan_api.transition_plan(
                self.deps.database,
                actor,
                request.match_info["plan_id"],
                action,
                expected_version=header_version or body.version,
                comment=body.comment,
            )
            for hook in self.on_transition:
                self.deps.tasks.start(hook(self.deps, result), name=f"announce-{action}-{result.plan.id}")
            return plan_response(document)

        return handle

    async def openapi(self, _request: web.Request) -> web.StreamResponse:
        return web.json_response(openapi_document())


def register_api(
    web_app: web.Application,
    deps: SlackDeps,
    on_transition: list[TransitionHook] | None = None,
    generate: GenerateFn = generate_with_agent,
) -> PlanApi:
    """Mount the REST API on `web_app` (a `WEB_ROUTE_REGISTRARS` entry). By default, transitions
    made through the API are announced in Slack (when Slack is configured) like Slack's own."""
    if on_transition is None:
        from bot.slack.review import slack_announcer

        announcer = slack_announcer(deps)
        on_transition = [announcer] if announcer is not None else []
    api = PlanApi(deps, on_transition, generate)
    handlers: dict[str, Callable[[web.Request], Awaitable[web.StreamResponse]]] = {
        "generate": api.generate,
        "get_plan": api.get,
        "replace_plan": api.put,
        **{action: api.transition_handler(action) for action in TRANSITION_ROUTES.values()},
    }
    for route in ROUTES:  # the table the OpenAPI document is derived from
        web_app.router.add_route(route.method.upper(), route.path, json_errors(handlers[route.operation_id]))
    web_app.router.add_get(OPENAPI_PATH, json_errors(api.openapi))
    return api
