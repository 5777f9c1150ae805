"""REST errors as JSON: `{"error": {"code", "message", "fields"}}`, with one status per domain error,
and the checks every request body passes (size, media type, JSON nesting) before a handler reads it."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any

from aiohttp import web

from bot.api.models import MAX_BODY_BYTES, MAX_JSON_DEPTH
from bot.api.service import InvalidDocument, PreconditionRequired
from storage.errors import (
    AccountPlanError,
    BadInput,
    Conflict,
    DatabaseUnavailable,
    NotFound,
    PermissionDenied,
)
from tools.plans.identity import Unauthenticated

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

__all__ = ["MAX_BODY_BYTES", "ApiError", "api_error_middleware", "json_errors", "read_json"]

# Most specific first: UnknownCustomer is a NotFound, Unauthenticated is checked before the rest.
STATUS_OF: tuple[tuple[type[AccountPlanError], int, str], ...] = (
    (Unauthenticated, 401, "unauthenticated"),
    (PermissionDenied, 403, "forbidden"),
    (NotFound, 404, "not_found"),
    (Conflict, 409, "conflict"),
    (BadInput, 400, "bad_request"),
    (DatabaseUnavailable, 503, "database_unavailable"),
)
# aiohttp's own refusals under /api/ (no such route, wrong method, body too large), in our shape.
HTTP_CODES = {
    404: ("not_found", "no such API route; GET /api/openapi.json lists them"),
    405: ("method_not_allowed", "this route does not take that method; GET /api/openapi.json lists them"),
    413: ("payload_too_large", f"the request body is over {MAX_BODY_BYTES // 1024} KiB"),
}
JSON_TYPES = ("application/json",)


class ApiError(Exception):
    """An HTTP-level problem (missing If-Match, malformed JSON) with its status and code."""

    def __init__(
        self, status: int, code: str, message: str, fields: list[dict[str, str]] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or []


def error_response(
    status: int, code: str, message: str, fields: list[dict[str, str]] | None = None
) -> web.Response:
    body = {"error": {"code": code, "message": message, "fields": fields or []}}
    headers = {"WWW-Authenticate": 'Bearer realm="accountplan"'} if status == 401 else None
    return web.json_response(body, status=status, headers=headers)


def domain_error_response(error: AccountPlanError) -> web.Response:
    """The status, code and message for a domain error; the PUT-specific ones get HTTP's words."""
    if isinstance(error, PreconditionRequired):
        return error_response(
            428,
            "precondition_required",
            f'send If-Match with the version you edited (the ETag of GET, now "{error.current_version}")',
        )
    if isinstance(error, InvalidDocument):
        return error_response(422, "invalid_document", error.message, error.fields)
    for kind, status, code in STATUS_OF:
        if isinstance(error, kind):
            if status >= 500:
                log.warning("REST: %s", error.message)  # the detail is for operators, not the body
            return error_response(status, code, error.public_message)
    return error_response(400, "bad_request", error.public_message)


def json_errors(handler: Handler) -> Handler:
    """Every failure of `handler` becomes the JSON error shape; unexpected ones are logged as 500."""

    @wraps(handler)
    async def wrapper(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except ApiError as error:
            return error_response(error.status, error.code, error.message, error.fields)
        except AccountPlanError as error:
            return domain_error_response(error)
        except web.HTTPException:
            raise
        except Exception:
            log.exception("REST %s %s failed", request.method, request.path)
            return error_response(500, "internal", "something went wrong on our side; it has been logged")

    return wrapper


@web.middleware
async def api_error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """aiohttp's plain-text refusals (404, 405, 413) under /api/ in the JSON error shape."""
    try:
        return await handler(request)
    except web.HTTPException as error:
        if not request.path.startswith("/api/") or error.status not in HTTP_CODES:
            raise
        code, message = HTTP_CODES[error.status]
        return error_response(error.status, code, message)


def json_depth(value: Any) -> int:
    """How deeply `value` nests (a scalar is 0, `{"a": [1]}` is 2), without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            depth += 1
            deepest = max(deepest, depth)
            stack.extend((child, depth) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


async def read_json(request: web.Request, *, required: bool = True) -> dict[str, Any]:
    """The request body as a JSON object: 413 over the size limit, 415 for another media type,
    400 for anything that is not a JSON object nested at most MAX_JSON_DEPTH deep."""
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise ApiError(413, *HTTP_CODES[413]) from None
    if not raw.strip():
        if required:
            raise ApiError(400, "bad_request", "send a JSON object in the request body")
        return {}
    if request.content_type not in JSON_TYPES and not request.content_type.endswith("+json"):
        raise ApiError(
            415,
            "unsupported_media_type",
            f"send the body as Content-Type: application/json (got {request.content_type})",
        )
    try:
        body = json.loads(raw)
    except RecursionError:
        raise ApiError(400, "bad_request", f"the body nests deeper than {MAX_JSON_DEPTH} levels") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ApiError(400, "bad_request", f"the body is not valid JSON: {error}") from None
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", "the body must be a JSON object")
    if json_depth(body) > MAX_JSON_DEPTH:
        raise ApiError(400, "bad_request", f"the body nests deeper than {MAX_JSON_DEPTH} levels")
    return body
