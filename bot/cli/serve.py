"""`accountplan serve`: the Slack bot (Socket Mode with SLACK_APP_TOKEN, else HTTP) plus the HTTP
routes other features mount (health check, REST API) on one port."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import click

from bot.cli.common import async_command, open_database
from storage.errors import AccountPlanError, BadInput

if TYPE_CHECKING:
    from aiohttp import web
    from pydantic import SecretStr
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
    from slack_bolt.async_app import AsyncApp

    from bot.slack.app import BotIdentity
    from bot.slack.deps import SlackDeps
    from storage.db import Database
    from storage.settings import Settings

log = logging.getLogger(__name__)

# Slack retries an event for minutes, not days; ids older than this can go.
EVENT_ID_RETENTION = timedelta(days=1)
EVENT_PRUNE_INTERVAL_SECONDS = 3600.0


# Slack answers that mean "try again later" rather than "this token is wrong".
SLACK_RETRY_CODES = frozenset({"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"})
# Backoff while Slack cannot be reached at startup: 1, 2, 4, ... seconds, at most a minute apart.
STARTUP_FIRST_DELAY_SECONDS = 1.0
STARTUP_MAX_DELAY_SECONDS = 60.0


class MissingConfiguration(BadInput):
    """Startup refuses to run half-configured (exit code 2) and names every missing variable."""


class SlackRejected(AccountPlanError):
    """Slack refused our token, or could not be reached at all (exit code 3: a service we need)."""

    exit_code = 3


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
        raise MissingConfiguration("cannot start the Slack bot; set " + "; ".join(missing))
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


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())[:200]
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


async def check_slack(
    identity: BotIdentity,
    settings: Settings,
    *,
    attempts: int | None = None,
    first_delay: float = STARTUP_FIRST_DELAY_SECONDS,
    max_delay: float = STARTUP_MAX_DELAY_SECONDS,
) -> dict[str, Any]:
    """Ask Slack who we are (`auth.test`, cached for the process) and, in Socket Mode, whether the
    app token opens a connection. A rejected token is SlackRejected at once; while Slack cannot be
    reached, retry with backoff and one log line per attempt (forever unless `attempts`)."""
    import aiohttp
    from slack_sdk.errors import SlackApiError

    from bot.slack.feedback import slack_error_code
    from bot.slack.web_client import slack_api_url

    url = slack_api_url(settings.slack_api_url)
    delay = first_delay
    attempt = 0
    while True:
        attempt += 1
        which = "SLACK_BOT_TOKEN"
        try:
            answer = await identity.verify()
            if _set(settings.slack_app_token):
                which = "SLACK_APP_TOKEN"
                await identity.client.apps_connections_open(app_token=_value(settings.slack_app_token))
            return answer
        except SlackApiError as error:
            code = slack_error_code(error)
            status = error.response.status_code if error.response is not None else 0
            if code not in SLACK_RETRY_CODES and status < 500:
                raise SlackRejected(
                    f"Slack rejected {which} ({code}); copy it again from the app's settings "
                    "(OAuth & Permissions for xoxb-, Basic Information for xapp-) or reinstall the app"
                ) from None
            reason = f"Slack answered {code}"
        except (aiohttp.ClientError, OSError, TimeoutError) as error:
            reason = _one_line(error)
        if attempts is not None and attempt >= attempts:
            raise SlackRejected(f"cannot reach Slack at {url} ({reason}); gave up after {attempt} attempts")
        log.warning(
            "Slack is not reachable at %s (%s); retrying in %.0f s (attempt %d)", url, reason, delay, attempt
        )
        await asyncio.sleep(delay)
        delay = min(delay * 2, max_delay)


class SocketModeLog(logging.Filter):
    """Socket Mode's client logs every failed reconnect with a full traceback (every ~10 s while
    Slack is away). This keeps each of its records to one line, and says "reconnected" once the
    connection is back after a failure, at warning level so the default log level shows it."""

    def __init__(self) -> None:
        super().__init__()
        self.failing = False

    def filter(self, record: logging.LogRecord) -> bool:
        message = " ".join(record.getMessage().split())
        if record.exc_info or record.levelno >= logging.ERROR:
            self.failing = True
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        elif self.failing and "has been established" in message:
            self.failing = False
            message = f"reconnected to Slack ({message})"
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        elif not logging.getLogger().isEnabledFor(record.levelno):
            return False  # routine chatter below the configured level
        record.msg, record.args = f"Socket Mode: {message}", ()
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True


SOCKET_MODE_LOGGER = logging.getLogger("bot.slack.socket_mode")
SOCKET_MODE_LOGGER.addFilter(SocketModeLog())
# "A new session has been established" is logged at info; the filter must see it to say
# "reconnected", and drops the rest of the info chatter itself.
SOCKET_MODE_LOGGER.setLevel(logging.INFO)


def socket_mode_handler(app: AsyncApp, settings: Settings) -> AsyncSocketModeHandler:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    return AsyncSocketModeHandler(
        app,
        _value(settings.slack_app_token),
        logger=SOCKET_MODE_LOGGER,
    )


async def _listen(runner: web.AppRunner, host: str, port: int) -> None:
    from aiohttp import web

    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as error:
        raise BadInput(
            f"cannot listen on {host}:{port}: {error.strerror or _one_line(error)}; "
            "choose another --port (or --host), or stop what is using it"
        ) from None


async def serve(host: str, port: int) -> None:
    # The server's stack (aiohttp, Bolt, the scheduler) loads only for `serve`, not every command.
    from aiohttp import web

    from agent.deps import AgentDeps
    from bot.http_server import build_web_app
    from bot.scheduler import start_scheduler
    from bot.slack.app import BotIdentity, create_app
    from bot.slack.deps import SlackDeps
    from bot.slack.web_client import create_web_client
    from storage.settings import get_settings

    settings = get_settings()
    mode = check_configuration(settings)
    database = await open_database(settings)
    runner: web.AppRunner | None = None
    scheduler = socket_handler = None
    pruning: asyncio.Task[None] | None = None
    deps: SlackDeps | None = None
    try:
        # The process's one set of dependencies (and one Claude client), made inside the serving loop.
        deps = SlackDeps(AgentDeps.create(settings, database))
        client = create_web_client(deps)
        identity = BotIdentity(client)
        answer = await check_slack(identity, settings)
        app = create_app(deps, client=client, identity=identity)
        await _warm_similar_accounts(database)
        runner = web.AppRunner(build_web_app(app if mode == "http" else None, deps))
        await runner.setup()
        await _listen(runner, host, port)
        scheduler = start_scheduler(deps, app.client)  # living plans: digests, reminders, change proposals
        if mode == "socket":
            socket_handler = socket_mode_handler(app, settings)
            await socket_handler.connect_async()
        where = "Socket Mode" if socket_handler else f"http://{host}:{port}/slack/events"
        click.echo(
            f"accountplan is serving Slack workspace {answer.get('team') or answer.get('team_id') or '?'} "
            f"as @{answer.get('user') or 'accountplan'} via {where} (health: http://{host}:{port}/healthz)",
            err=True,
        )
        pruning = asyncio.create_task(keep_event_ids_pruned(deps), name="prune-event-ids")
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
    finally:
        if pruning is not None:
            pruning.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pruning
        if scheduler is not None:
            scheduler.shutdown()
        if socket_handler is not None:
            await socket_handler.close_async()
        if runner is not None:
            await runner.cleanup()  # drains work started after acks (see build_web_app)
        if deps is not None:
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
