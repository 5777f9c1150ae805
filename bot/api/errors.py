"""REST errors as JSON: `{"error": {"code", "message", "fields"}}`, with one status per domain error."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any

from aiohttp import web

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

# Most specific first: UnknownCustomer is a NotFound, Unauthenticated is checked before the rest.
STATUS_OF: tuple[tuple[type[AccountPlanError], int, str], ...] = (
    (Unauthenticated, 401, "unauthenticated"),
    (PermissionDenied, 403, "forbidden"),
    (NotFound, 404, "not_found"),
    (Conflict, 409, "conflict"),
    (BadInput, 400, "bad_request"),
    (DatabaseUnavailable, 503, "database_unavailable"),
)


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
            return error_response(status, code, error.message)
    return error_response(400, "bad_request", error.message)


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


async def read_json(request: web.Request, *, required: bool = True) -> dict[str, Any]:
    """The request body as a JSON object; 400 for anything else."""
    raw = await request.read()
    if not raw.strip():
        if required:
            raise ApiError(400, "bad_request", "send a JSON object in the request body")
        return {}
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ApiError(400, "bad_request", f"the body is not valid JSON: {error}") from error
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", "the body must be a JSON object")
    return body
