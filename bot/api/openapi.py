"""The OpenAPI 3.1 description of the REST API, served at `/api/openapi.json`.

The plan's schema is the pydantic document's own (`plan_json_schema()`), its `$defs` lifted into
`components/schemas` so every `$ref` resolves from the document root.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

from storage.plan_document import SECTION_ALIASES, SECTIONS, plan_json_schema

PLAN_REF = {"$ref": "#/components/schemas/AccountPlan"}
ERROR_REF = {"$ref": "#/components/responses/Error"}


def _rewrite_refs(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: (
                value.replace("#/$defs/", "#/components/schemas/")
                if key == "$ref" and isinstance(value, str)
                else _rewrite_refs(value)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rewrite_refs(item) for item in node]
    return node


def _schemas() -> dict[str, Any]:
    plan = copy.deepcopy(plan_json_schema())
    definitions = plan.pop("$defs", {})
    schemas = {name: _rewrite_refs(schema) for name, schema in definitions.items()}
    schemas["AccountPlan"] = _rewrite_refs(plan)
    schemas["Error"] = {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "fields"],
                "properties": {
                    "code": {"type": "string", "examples": ["conflict"]},
                    "message": {"type": "string"},
                    "fields": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                        },
                    },
                },
            }
        },
    }
    schemas["GenerateRequest"] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "fiscal_year": {"type": "string", "pattern": "^FY\\d{4}$", "examples": ["FY2026"]},
            "include_sections": {
                "type": "array",
                "items": {"type": "string", "enum": ["all", *SECTIONS, *sorted(SECTION_ALIASES)]},
                "default": ["all"],
            },
            "reference_similar_accounts": {"type": "boolean", "default": True},
        },
    }
    schemas["DecisionRequest"] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "comment": {"type": "string", "description": "Required to reject or request changes."},
            "version": {"type": "integer", "minimum": 1, "description": "Same as If-Match."},
        },
    }
    return schemas


def _errors(*statuses: int) -> dict[str, Any]:
    return {str(status): ERROR_REF for status in statuses}


def _plan_ok(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "headers": {"ETag": {"description": "The plan version, quoted.", "schema": {"type": "string"}}},
        "content": {"application/json": {"schema": PLAN_REF}},
    }


PLAN_ID = {"name": "plan_id", "in": "path", "required": True, "schema": {"type": "string"}}
IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "schema": {"type": "string", "examples": ['"3"']},
    "description": "The version you saw (the ETag); the change applies only if the plan is still at it.",
}

DECISIONS = {
    "submit": ("Submit the plan for approval by the CSM's manager", False),
    "approve": ("Approve the submitted version (its CSM's manager or an admin)", False),
    "request-changes": ("Send the plan back to its CSM with a comment", True),
    "reject": ("Reject the plan with a comment", True),
    "activate": ("Put an approved plan in force", False),
    "reopen": ("Move a rejected or changes-requested plan back to draft", False),
}


def _decision_path(summary: str, needs_comment: bool) -> dict[str, Any]:
    return {
        "post": {
            "summary": summary,
            "parameters": [PLAN_ID, IF_MATCH],
            "requestBody": {
                "required": needs_comment,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DecisionRequest"}}},
            },
            "responses": {
                "200": _plan_ok("The plan after the transition."),
                **_errors(400, 401, 403, 404, 409),
            },
        }
    }


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    paths: dict[str, Any] = {
        "/api/customers/{customer_id}/account-plan/generate": {
            "post": {
                "summary": "Generate (or regenerate) the customer's account plan for a fiscal year",
                "parameters": [
                    {"name": "customer_id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "requestBody": {
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/GenerateRequest"}}
                    }
                },
                "responses": {
                    "201": _plan_ok("A new plan (version 1)."),
                    "200": _plan_ok("A new revision of the customer's plan for that year."),
                    **_errors(400, 401, 403, 404, 422),
                },
            }
        },
        "/api/account-plans/{plan_id}": {
            "get": {
                "summary": "The plan document",
                "parameters": [PLAN_ID],
                "responses": {"200": _plan_ok("The current version."), **_errors(401, 403, 404)},
            },
            "put": {
                "summary": "Replace the plan with an edited document (a new revision)",
                "description": "Editing an approved or active plan creates a draft that needs approval "
                "again; the approved version stays in force meanwhile.",
                "parameters": [{**IF_MATCH, "required": True}, PLAN_ID],
                "requestBody": {"required": True, "content": {"application/json": {"schema": PLAN_REF}}},
                "responses": {
                    "200": _plan_ok("The new revision."),
                    **_errors(400, 401, 403, 404, 409, 422, 428),
                },
            },
        },
    }
    for verb, (summary, needs_comment) in DECISIONS.items():
        paths[f"/api/account-plans/{{plan_id}}/{verb}"] = _decision_path(summary, needs_comment)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "accountplan REST API",
            "version": "1.0.0",
            "description": "AI account plans (PRD-235): generate, read, edit and review plans.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "`accountplan tokens create USER` issues a token.",
                }
            },
            "responses": {
                "Error": {
                    "description": "What went wrong, for a person to read.",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                }
            },
        },
    }
