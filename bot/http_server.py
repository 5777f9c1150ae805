"""The one HTTP server: Slack's Events/Interactivity endpoint, a health check, and whatever other
features mount (the REST API appends a registrar to `WEB_ROUTE_REGISTRARS`).

Requests to /slack/events are checked here before Bolt sees them, so nothing malformed reaches a
stack trace: a missing, malformed or wrong signature is 401 (logged in one line), a signed body that
is not a Slack payload is 400, and a signed slash command seen before (a replay inside Slack's
five-minute window) is acknowledged and dropped (`ReplayGuard`).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from sqlalchemy import text

from bot.api import register_api
from bot.api.errors import MAX_BODY_BYTES, api_error_middleware
from bot.slack.deps import SlackDeps

log = logging.getLogger(__name__)

SLACK_EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
HEALTH_DB_TIMEOUT_SECONDS = 2.0
# Slack's own rule: a request older (or newer) than five minutes is refused.
SLACK_SIGNATURE_WINDOW_SECONDS = 300
SLACK_TIMESTAMP = re.compile(r"[0-9]{1,12}\Z", re.ASCII)
SLACK_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}\Z", re.ASCII)

WebRouteRegistrar = Callable[[web.Application, SlackDeps], object]  # what it returns is unused

# Features that serve HTTP routes on the same port append a registrar here
# (e.g. the REST API mounting /api/...). Each is called once per built application.
WEB_ROUTE_REGISTRARS: list[WebRouteRegistrar] = [register_api]

DEPS_KEY = web.AppKey("accountplan_deps", SlackDeps)


def slack_signature(signing_secret: str, timestamp: str, body: bytes) -> str:
    """Slack's v0 request signature, over the raw bytes (`SignatureVerifier` wants UTF-8 text)."""
    message = b"v0:" + timestamp.encode("ascii") + b":" + body
    return "v0=" + hmac.new(signing_secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signature_problem(signing_secret: str, headers: Any, body: bytes, now: float | None = None) -> str | None:
    """Why a request does not carry Slack's signature (None when it does). Checked here, before
    Bolt, whose verifier raises on a timestamp that is not a number or a body that is not UTF-8."""
    timestamp = headers.get("X-Slack-Request-Timestamp")
    signature = headers.get("X-Slack-Signature")
    if not timestamp or not signature:
        return "no X-Slack-Signature / X-Slack-Request-Timestamp headers"
    if not SLACK_TIMESTAMP.match(timestamp):
        return "X-Slack-Request-Timestamp is not a Unix time"
    if not SLACK_SIGNATURE.match(signature):
        return "X-Slack-Signature is not a v0 signature"
    if abs((time.time() if now is None else now) - int(timestamp)) > SLACK_SIGNATURE_WINDOW_SECONDS:
        return "the request is older than five minutes (or the clocks disagree)"
    if not hmac.compare_digest(slack_signature(signing_secret, timestamp, body), signature):
        return "the signature does not match the signing secret"
    return None


def payload_problem(body: Any) -> str | None:
    """Why a signed body is not something Slack sends (None when it looks like one)."""
    if not isinstance(body, dict):
        return "the body is not an object"
    if "command" in body:
        fields = ("command", "user_id", "channel_id")
        return (
            None
            if all(isinstance(body.get(k), str) for k in fields)
            else "a slash command without its fields"
        )
    if body.get("ssl_check") is not None:
        return None
    kind = body.get("type")
    if not isinstance(kind, str) or not kind:
        return "no payload type"
    if kind == "event_callback":
        event = body.get("event")
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            return "an event callback without an event"
    return None


def replay_key(headers: Any) -> str:
    """One key per signed request: Slack never sends the same signature and timestamp twice."""
    signed = f"{headers.get('X-Slack-Request-Timestamp')}:{headers.get('X-Slack-Signature')}"
    return "replay:" + hashlib.sha256(signed.encode("ascii", "replace")).hexdigest()[:48]


class ReplayGuard:
    """Signed slash commands already handled, so a replayed one (the same signature and timestamp,
    inside Slack's five-minute window) is dropped.

    Kept in memory for this process, which costs nothing on the acknowledgement path; with
    PostgreSQL (where replicas share the database) also claimed in `processed_events`, so a replay
    sent to another replica is caught too. SQLite serves one process, and a write per command
    there queued behind SQLite's single writer and slowed every acknowledgement in a burst."""

    def __init__(self, deps: SlackDeps, *, capacity: int = 100_000) -> None:
        self.deps = deps
        self.capacity = capacity
        self._seen: dict[str, float] = {}  # key -> monotonic time it stops mattering

    async def first_time(self, headers: Any) -> bool:
        key = replay_key(headers)
        now = time.monotonic()
        if self._seen.get(key, 0.0) > now:
            return False
        self._forget_expired(now)
        self._seen[key] = now + 2 * SLACK_SIGNATURE_WINDOW_SECONDS
        if self.deps.database.dialect != "postgresql":
            return True
        from bot.slack.services.event_dedupe import claim_event

        try:
            return await claim_event(self.deps.database, key, now=self.deps.clock())
        except Exception as error:  # the database is down; the listener meets it and tells the person
            log.warning("could not record a Slack request for replay protection: %s", type(error).__name__)
            return True

    def _forget_expired(self, now: float) -> None:
        if len(self._seen) >= self.capacity:
            self._seen = {key: until for key, until in self._seen.items() if until > now}
            while len(self._seen) >= self.capacity:  # still full of live keys: drop the oldest
                self._seen.pop(next(iter(self._seen)))


async def _slack_request(request: web.Request) -> tuple[AsyncBoltRequest | None, str | None]:
    """Bolt's view of the request, or why it is not a Slack payload."""
    try:
        bolt_request = await to_bolt_request(request)
    except (ValueError, TypeError, AttributeError) as error:  # JSON errors are ValueErrors
        return None, f"unreadable body ({type(error).__name__})"
    return bolt_request, payload_problem(bolt_request.body)


def slack_events_handler(app: AsyncApp, deps: SlackDeps) -> Callable[[web.Request], Any]:
    secret = deps.settings.slack_signing_secret
    replays = ReplayGuard(deps)

    async def slack_events(request: web.Request) -> web.Response:
        body = await request.read()  # over MAX_BODY_BYTES: aiohttp answers 413
        if secret is not None:
            problem = signature_problem(secret.get_secret_value(), request.headers, body)
            if problem is not None:
                log.info("refused a request to %s (401): %s", SLACK_EVENTS_PATH, problem)
                return web.json_response({"error": "invalid_signature", "message": problem}, status=401)
        bolt_request, problem = await _slack_request(request)
        if bolt_request is None or problem is not None:
            log.info("refused a signed request to %s (400): %s", SLACK_EVENTS_PATH, problem)
            return web.json_response({"error": "malformed_payload", "message": problem}, status=400)
        if "command" in bolt_request.body and not await replays.first_time(request.headers):
            log.warning("ignored a replayed slash command (same signature and timestamp as one handled)")
            return web.Response(status=200, text="")
        bolt_response = await app.async_dispatch(bolt_request)
        return await to_aiohttp_response(bolt_response)

    return slack_events


async def database_health(deps: SlackDeps, timeout: float = HEALTH_DB_TIMEOUT_SECONDS) -> str | None:  # noqa: ASYNC109
    """None when the database answers `SELECT 1` within `timeout`, else why not (for the log).

    The check runs in its own task and is abandoned, not awaited, at the deadline: a blackholed
    server or an exhausted pool can hold a connection attempt long after its cancellation."""

    async def ping() -> None:
        async with deps.database.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    task = asyncio.ensure_future(ping())
    done, _ = await asyncio.wait({task}, timeout=timeout)
    if not done:
        task.cancel()
        task.add_done_callback(lambda t: t.cancelled() or t.exception())  # nobody awaits it now
        return f"no answer within {timeout:g} s"
    error = task.exception()
    return None if error is None else type(error).__name__


def build_web_app(
    app: AsyncApp | None,
    deps: SlackDeps,
    registrars: list[WebRouteRegistrar] | None = None,
) -> web.Application:
    """The aiohttp application. `app=None` (Socket Mode) serves everything except /slack/events."""
    web_app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=[api_error_middleware])
    web_app[DEPS_KEY] = deps

    if app is not None:
        web_app.router.add_post(SLACK_EVENTS_PATH, slack_events_handler(app, deps))

    async def healthz(_request: web.Request) -> web.Response:
        problem = await database_health(deps)
        if problem is not None:  # the reason is for operators; the body names no host or user
            log.warning("health check: database unreachable: %s", problem)
            return web.json_response({"status": "unhealthy", "database": "unreachable"}, status=503)
        return web.json_response({"status": "ok", "database": "ok"})

    web_app.router.add_get(HEALTH_PATH, healthz)

    async def drain_background_work(_app: web.Application) -> None:
        await deps.tasks.drain()

    web_app.on_shutdown.append(drain_background_work)

    for register in WEB_ROUTE_REGISTRARS if registrars is None else registrars:
        register(web_app, deps)
    return web_app
