"""`accountplan serve`: the Slack bot (Socket Mode with SLACK_APP_TOKEN, else HTTP) plus the HTTP
routes other features mount (health check, REST API) on one port."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from datetime import timedelta
from typing import TYPE_CHECKING

import click
from aiohttp import web
from pydantic import SecretStr

from bot.cli.common import async_command, open_database
from storage.db import Database
from storage.errors import BadInput
from storage.settings import Settings, get_settings

if TYPE_CHECKING:
    from bot.slack.deps import SlackDeps

log = logging.getLogger(__name__)

# Slack retries an event for minutes, not days; ids older than this can go.
EVENT_ID_RETENTION = timedelta(days=1)
EVENT_PRUNE_INTERVAL_SECONDS = 3600.0


class MissingConfiguration(BadInput):
    """Startup refuses to run half-configured (exit code 2) and names every missing variable."""


def check_configuration(settings: Settings) -> str:
    """The mode to run in ("socket" or "http"), or MissingConfiguration naming exactly what is missing."""
    missing = []
    if not _set(settings.slack_bot_token):
        missing.append("SLACK_BOT_TOKEN (the bot token, xoxb-..., from OAuth & Permissions)")
    socket_mode = _set(settings.slack_app_token)
    if socket_mode:
        token = _value(settings.slack_app_token)
        if not token.startswith("xapp-"):
            missing.append(
                "SLACK_APP_TOKEN must be an app-level token starting with xapp- (Basic Information)"
            )
    elif not _set(settings.slack_signing_secret):
        missing.append(
            "SLACK_SIGNING_SECRET (Basic Information > Signing Secret) for HTTP mode, "
            "or SLACK_APP_TOKEN (xapp-..., connections:write) for Socket Mode"
        )
    if _set(settings.slack_bot_token) and not _value(settings.slack_bot_token).startswith("xoxb-"):
        missing.append("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
    if missing:
        raise MissingConfiguration("cannot start the Slack bot; set:\n  " + "\n  ".join(missing))
    return "socket" if socket_mode else "http"


def _value(secret: SecretStr | None) -> str:
    return secret.get_secret_value() if secret is not None else ""


def _set(secret: SecretStr | None) -> bool:
    return bool(_value(secret).strip())


async def forget_old_event_ids(deps: SlackDeps) -> int:
    """Drop processed Slack event ids past Slack's retry window; returns how many went."""
    from bot.slack.services.event_dedupe import forget_events_before

    return await forget_events_before(deps.database, deps.clock() - EVENT_ID_RETENTION)


async def keep_event_ids_pruned(deps: SlackDeps) -> None:
    """Keep `processed_events` small for as long as the server runs."""
    while True:
        try:
            log.debug("forgot %d processed Slack event ids", await forget_old_event_ids(deps))
        except Exception as error:  # the next round retries; serving Slack matters more
            log.warning("could not prune processed Slack event ids: %s", error)
        await asyncio.sleep(EVENT_PRUNE_INTERVAL_SECONDS)


async def _warm_similar_accounts(database: Database) -> None:
    """Build the similar-accounts index before accepting traffic; a failure only costs speed."""
    from tools.analytics.feature_index import warm_feature_index

    started = time.perf_counter()
    try:
        accounts = await warm_feature_index(database)
    except Exception:
        log.warning("could not pre-build the similar-accounts index; the first plan builds it", exc_info=True)
        return
    log.info("similar-accounts index: %d accounts in %.0f ms", accounts, (time.perf_counter() - started) * 1000)


async def serve(host: str, port: int) -> None:
    from agent.deps import AgentDeps
    from bot.http_server import build_web_app
    from bot.scheduler import start_scheduler
    from bot.slack.app import create_app
    from bot.slack.deps import SlackDeps

    settings = get_settings()
    mode = check_configuration(settings)
    database = await open_database(settings)
    # The process's one set of dependencies (and one Claude client), made inside the serving loop.
    deps = SlackDeps(AgentDeps.create(settings, database))
    app = create_app(deps)
    scheduler = start_scheduler(deps, app.client)  # living plans: digests, reminders, change proposals
    await _warm_similar_accounts(database)
    runner = web.AppRunner(build_web_app(app if mode == "http" else None, deps))
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    socket_handler = None
    if mode == "socket":
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        socket_handler = AsyncSocketModeHandler(app, _value(settings.slack_app_token))
        await socket_handler.connect_async()
    where = "Socket Mode" if socket_handler else f"http://{host}:{port}/slack/events"
    click.echo(f"accountplan is serving Slack via {where} (health: http://{host}:{port}/healthz)", err=True)
    pruning = asyncio.create_task(keep_event_ids_pruned(deps), name="prune-event-ids")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        pruning.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await pruning
        scheduler.shutdown()
        if socket_handler is not None:
            await socket_handler.close_async()
        await runner.cleanup()  # drains work started after acks (see build_web_app)
        await deps.agent.close()
        await database.dispose()


def register(cli: click.Group) -> None:
    @cli.command("serve")
    @click.option("--port", default=3000, show_default=True, help="HTTP port (Slack events, /healthz, /api).")
    @click.option("--host", default="0.0.0.0", show_default=True, help="Interface to listen on.")
    @async_command
    async def serve_command(port: int, host: str) -> None:
        """Run the Slack bot: Socket Mode when SLACK_APP_TOKEN is set, else HTTP with signature checks."""
        await serve(host, port)
