"""The OpenAPI 3.1 description of the REST API, served at `/api/openapi.json`, derived from the code:
schemas from the pydantic models (the plan document, `bot.api.models`' requests and error), paths and
statuses from `bot.api.models.ROUTES` (the table `routes.py` mounts). Nothing here is hand-written
per field, so the document follows the models; `tests/bot/api/test_contract.py` drives every status
of every route and compares them with it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from bot.api.models import (
    OPENAPI_PATH,
    ROUTES,
    STATUS_MEANING,
    DecisionRequest,
    Error,
    GenerateRequest,
    Route,
)
from storage.plan_document import AccountPlanDocument

REF_TEMPLATE = "#/components/schemas/{model}"
# The plan document is published as "AccountPlan" (the PRD's name), the rest under their class names.
SCHEMA_NAMES: dict[type[BaseModel], str] = {
    AccountPlanDocument: "AccountPlan",
    Error: "Error",
    GenerateRequest: "GenerateRequest",
    DecisionRequest: "DecisionRequest",
}


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": REF_TEMPLATE.format(model=SCHEMA_NAMES[model])}


def component_schemas() -> dict[str, Any]:
    """Every model's JSON Schema, nested models lifted into `components/schemas`."""
    keys, top = models_json_schema(
        [(model, "validation") for model in SCHEMA_NAMES], ref_template=REF_TEMPLATE
    )
    schemas: dict[str, Any] = dict(top.get("$defs", {}))
    for model, name in SCHEMA_NAMES.items():
        reference = keys[(model, "validation")]["$ref"].rsplit("/", 1)[-1]
        if reference != name:
            schemas[name] = schemas.pop(reference)
    return schemas


def _plan_ok(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "headers": {"ETag": {"description": "The plan version, quoted.", "schema": {"type": "string"}}},
        "content": {"application/json": {"schema": _ref(AccountPlanDocument)}},
    }


def _parameters(route: Route) -> list[dict[str, Any]]:
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in route.path_parameters
    ]
    if route.if_match:
        parameters.append(
            {
                "name": "If-Match",
                "in": "header",
                "required": route.if_match_required,
                "schema": {"type": "string", "examples": ['"3"']},
                "description": "The version you saw (the ETag); the change applies only if the plan is "
                "still at it.",
            }
        )
    return parameters


def operation(route: Route) -> dict[str, Any]:
    body_model = route.request_model or (AccountPlanDocument if route.method == "put" else None)
    result: dict[str, Any] = {
        "operationId": route.operation_id,
        "summary": route.summary,
        "parameters": _parameters(route),
        "responses": {
            **{str(status): _plan_ok(text) for status, text in sorted(route.success.items())},
            **{str(status): {"$ref": f"#/components/responses/E{status}"} for status in sorted(route.errors)},
        },
    }
    if route.description:
        result["description"] = route.description
    if body_model is not None:
        result["requestBody"] = {
            "required": route.request_required,
            "content": {"application/json": {"schema": _ref(body_model)}},
        }
    return result


def error_responses() -> dict[str, Any]:
    return {
        f"E{status}": {
            "description": meaning,
            "content": {"application/json": {"schema": _ref(Error)}},
        }
        for status, meaning in STATUS_MEANING.items()
    }


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for route in ROUTES:
        paths.setdefault(route.path, {})[route.method] = operation(route)
    paths[OPENAPI_PATH] = {
        "get": {
            "operationId": "openapi",
            "summary": "This document",
            "security": [],
            "responses": {
                "200": {
                    "description": "The OpenAPI 3.1 document.",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            },
        }
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "accountplan REST API",
            "version": "1.0.0",
            "description": "AI account plans (PRD-235): generate, read, edit and review plans. Errors "
            'are `{"error": {"code", "message", "fields"}}`.',
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": component_schemas(),
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "`accountplan tokens create USER` issues a token.",
                }
            },
            "responses": error_responses(),
        },
    }
