"""The one HTTP server: Slack's Events/Interactivity endpoint, a health check, and whatever other
features mount (the REST API appends a registrar to `WEB_ROUTE_REGISTRARS`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from sqlalchemy import text

from bot.api import register_api
from bot.slack.deps import SlackDeps

log = logging.getLogger(__name__)

SLACK_EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
HEALTH_DB_TIMEOUT_SECONDS = 2.0

WebRouteRegistrar = Callable[[web.Application, SlackDeps], object]  # what it returns is unused

# Features that serve HTTP routes on the same port append a registrar here
# (e.g. the REST API mounting /api/...). Each is called once per built application.
WEB_ROUTE_REGISTRARS: list[WebRouteRegistrar] = [register_api]

DEPS_KEY = web.AppKey("accountplan_deps", SlackDeps)


def build_web_app(
    app: AsyncApp | None,
    deps: SlackDeps,
    registrars: list[WebRouteRegistrar] | None = None,
) -> web.Application:
    """The aiohttp application. `app=None` (Socket Mode) serves everything except /slack/events."""
    web_app = web.Application()
    web_app[DEPS_KEY] = deps

    if app is not None:

        async def slack_events(request: web.Request) -> web.Response:
            bolt_response = await app.async_dispatch(await to_bolt_request(request))
            return await to_aiohttp_response(bolt_response)

        web_app.router.add_post(SLACK_EVENTS_PATH, slack_events)

    async def healthz(_request: web.Request) -> web.Response:
        try:
            async with (
                asyncio.timeout(HEALTH_DB_TIMEOUT_SECONDS),
                deps.database.engine.connect() as connection,
            ):
                await connection.execute(text("SELECT 1"))
        except Exception as error:  # any failure means "not healthy"; the reason is for operators
            log.warning("health check: database unreachable: %s", type(error).__name__)
            return web.json_response({"status": "unhealthy", "database": "unreachable"}, status=503)
        return web.json_response({"status": "ok", "database": "ok"})

    web_app.router.add_get(HEALTH_PATH, healthz)

    async def drain_background_work(_app: web.Application) -> None:
        await deps.tasks.drain()

    web_app.on_shutdown.append(drain_background_work)

    for register in WEB_ROUTE_REGISTRARS if registrars is None else registrars:
        register(web_app, deps)
    return web_app
