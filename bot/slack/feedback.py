"""Turning failures into something a Slack user can act on: what failed and what to do.

Domain errors carry their own user-facing message; Slack API errors get a per-code explanation;
anything else is logged with context and the user sees a plain apology, never a stack trace. The
listener registry reports every listener's failure through here, once (`report_failure`); a step
inside a handler that deserves its own words wraps itself in `step("upload the Markdown export")`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks import symbols
from bot.slack.blocks.text import escape, truncate
from bot.slack.limits import MAX_MESSAGE_TEXT
from bot.slack.web_client import open_dm
from storage.errors import AccountPlanError

log = logging.getLogger(__name__)

SLACK_ERROR_ADVICE = {
    "not_in_channel": "invite me to this channel (`/invite @accountplan`) or run the command in a DM with me",
    "channel_not_found": "invite me to this channel (`/invite @accountplan`) or run the command in a DM with me",
    "is_archived": "the channel is archived; run the command in another channel",
    "msg_too_long": "the message was too long for Slack; open the plan with *View full plan*",
    "ratelimited": "Slack is rate-limiting us; wait a minute and try again",
    "expired_trigger_id": "Slack's window to open the form passed; run the command again",
    "not_allowed_token_type": "the app's token is misconfigured; tell your accountplan admin",
    "missing_scope": "the app lacks a permission; tell your accountplan admin to reinstall it from manifest.yml",
    "free_teams_cannot_create_non_tabbed_canvases": "canvases need a paid Slack plan; use the Markdown file instead",
}


class StepFailed(Exception):
    """A failure inside a handler, labelled with the step that failed, for the one failure report."""

    def __init__(self, what: str, cause: Exception) -> None:
        super().__init__(what)
        self.what = what
        self.cause = cause


@contextmanager
def step(what: str) -> Iterator[None]:
    """Say which step failed ("upload the Markdown export") instead of the listener's general task."""
    try:
        yield
    except StepFailed:
        raise
    except Exception as error:
        raise StepFailed(what, error) from error


def slack_error_code(error: SlackApiError) -> str:
    return (
        str(error.response.get("error", "unknown_error")) if error.response is not None else "unknown_error"
    )


GENERIC_ADVICE = "try again in a moment; if it keeps failing, tell your accountplan admin"


def failure_reason(error: BaseException) -> str:
    """Why something failed, in words for the user (plain text, not yet escaped)."""
    if isinstance(error, AccountPlanError):
        return error.public_message
    if isinstance(error, SlackApiError):
        code = slack_error_code(error)
        return f"Slack said `{code}`; {SLACK_ERROR_ADVICE.get(code, GENERIC_ADVICE)}."
    return f"a problem on our side; nothing was changed. {GENERIC_ADVICE.capitalize()}."


def describe_failure(what: str, error: BaseException) -> str:
    """One mrkdwn line for the user: `what` failed, why, and what to do next."""
    return f"{symbols.PROBLEM} Could not {what}: {escape(failure_reason(error))}"


def log_failure(what: str, error: BaseException, **context: Any) -> None:
    """Expected domain errors at info, Slack errors at warning with the code, the rest with a trace."""
    details = " ".join(f"{key}={value}" for key, value in context.items())
    if isinstance(error, AccountPlanError):
        log.info("could not %s (%s): %s", what, details, error.message)
    elif isinstance(error, SlackApiError):
        log.warning("could not %s (%s): Slack error %s", what, details, slack_error_code(error))
    else:
        log.error("could not %s (%s)", what, details, exc_info=error)


async def tell_user(
    client: AsyncWebClient,
    *,
    channel: str,
    user: str,
    text: str,
    thread_ts: str | None = None,
    blocks: list[Block] | None = None,
) -> None:
    """An ephemeral note to one user; if even that fails (e.g. the bot is not in the channel), DM them."""
    text = truncate(text, MAX_MESSAGE_TEXT)
    try:
        await client.chat_postEphemeral(channel=channel, user=user, text=text, thread_ts=thread_ts, blocks=blocks)
    except SlackApiError:
        try:
            await client.chat_postMessage(
                channel=await open_dm(client, user), text=text, blocks=blocks, unfurl_links=False, unfurl_media=False
            )
        except SlackApiError as error:
            log.warning("could not tell %s about a failure: Slack error %s", user, slack_error_code(error))


async def report_failure(
    client: AsyncWebClient,
    what: str,
    error: BaseException,
    *,
    channel: str | None,
    user: str,
    thread_ts: str | None = None,
    **context: Any,
) -> None:
    log_failure(what, error, channel=channel, user=user, **context)
    if channel:
        await tell_user(
            client, channel=channel, user=user, text=describe_failure(what, error), thread_ts=thread_ts
        )
    else:
        await tell_user(client, channel=user, user=user, text=describe_failure(what, error))
