"""The Bolt app factory: builds the Web API client and the app, then wires the middleware and the
listeners. Nothing else.

The bot's identity (`auth.test`) is asked once per process (`BotIdentity`): `serve` asks at startup,
and every request reuses the answer, so a burst of commands costs no extra Slack calls.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.deps import SlackDeps
from bot.slack.directory import slack_directory
from bot.slack.listeners import register_all
from bot.slack.middleware import attach_deps
from bot.slack.web_client import create_web_client

log = logging.getLogger(__name__)


class _ClientTokenNotice(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN itself and warns that it is unused (or ignored) when a client and
    an `authorize` function are passed; we pass both on purpose (base URL, retry handlers, one
    auth.test per process), so the warning would only mislead."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return "`token` will be unused" not in message and "will be ignored" not in message


BOLT_LOGGER = logging.getLogger("bot.slack.bolt")
BOLT_LOGGER.addFilter(_ClientTokenNotice())


class BotIdentity:
    """The bot's own identity from `auth.test`, asked once per process and shared by every request.

    Bolt's built-in single-workspace authorization asks lazily, so each request of the first burst
    after a start made its own call (100 commands, 100 auth.test). Here concurrent first requests
    wait for one call, and `serve` makes it before accepting traffic (`verify`)."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self._answer: dict[str, Any] | None = None
        self._scopes: str | None = None
        self._lock = asyncio.Lock()
        self.calls = 0

    @property
    def verified(self) -> bool:
        return self._answer is not None

    async def verify(self) -> dict[str, Any]:
        """auth.test's answer (team, bot user id, ...), asked at most once successfully.
        SlackApiError when Slack rejects the token; connection errors when it cannot be reached."""
        if self._answer is None:
            async with self._lock:
                if self._answer is None:
                    self.calls += 1
                    response = await self.client.auth_test()
                    self._scopes = response.headers.get("x-oauth-scopes") if response.headers else None
                    self._answer = dict(response.data) if isinstance(response.data, dict) else {}
        return self._answer

    async def authorize(
        self, enterprise_id: str | None, team_id: str | None, user_id: str | None
    ) -> AuthorizeResult:
        """Bolt's `authorize` hook: the cached identity, with the requesting user."""
        answer = await self.verify()
        return AuthorizeResult(
            enterprise_id=answer.get("enterprise_id") or enterprise_id,
            team_id=answer.get("team_id") or team_id,
            team=answer.get("team"),
            url=answer.get("url"),
            bot_id=answer.get("bot_id"),
            bot_user_id=answer.get("user_id"),
            bot_token=self.client.token,
            bot_scopes=self._scopes,
            user_id=user_id,
        )


# Errors that mean "Slack (or the network to it) failed", as opposed to a bug of ours: logged in one
# line, without a traceback.
def _is_outage(error: BaseException) -> bool:
    import aiohttp

    return isinstance(error, SlackApiError | aiohttp.ClientError | OSError | TimeoutError)


async def on_unhandled_error(error: Exception, body: dict[str, Any]) -> BoltResponse:
    """Bolt's global error handler (listeners and middleware): whatever failed, Slack gets a 200 and
    the person a sentence, never a 500 (which Slack shows as a bare "dispatch_failed"). Listeners
    report their own failures; this is the net under them."""
    from bot.slack.feedback import describe_failure

    kind = body.get("type") or ("command" if body.get("command") else "request")
    if _is_outage(error):
        log.warning("Slack %s failed: %s: %s", kind, type(error).__name__, " ".join(str(error).split())[:300])
    else:
        log.error("Slack %s failed", kind, exc_info=error)
    if body.get("command"):
        # A slash command's HTTP response body is shown to the person who typed it, only to them.
        text = describe_failure(f"run `{body.get('command')}`", error)
        return BoltResponse(status=200, body={"response_type": "ephemeral", "text": text})
    return BoltResponse(status=200, body="")


def create_app(
    deps: SlackDeps, *, client: AsyncWebClient | None = None, identity: BotIdentity | None = None
) -> AsyncApp:
    """The Bolt app with every listener registered.

    `process_before_response=False`: Bolt answers Slack as soon as a listener calls `ack()` and the
    rest of the listener runs afterwards, so slow work never delays the acknowledgement.
    """
    secret = deps.settings.slack_signing_secret
    client = client or create_web_client(deps)
    identity = identity or BotIdentity(client)
    if deps.directory is None:
        deps.directory = slack_directory(client)
    known = identity

    async def authorize(
        enterprise_id: str | None, team_id: str | None, user_id: str | None
    ) -> AuthorizeResult:
        # A plain function: Bolt passes arguments by the names it finds in the signature.
        return await known.authorize(enterprise_id, team_id, user_id)

    app = AsyncApp(
        client=client,
        authorize=authorize,
        signing_secret=secret.get_secret_value() if secret else None,
        # Socket Mode has no signatures to check; HTTP mode always verifies them.
        request_verification_enabled=secret is not None,
        process_before_response=False,
        logger=BOLT_LOGGER,
    )
    app.error(on_unhandled_error)
    # One middleware puts the deps and the person asking into Bolt's context for every listener.
    app.middleware(attach_deps(deps))
    register_all(app)
    return app
