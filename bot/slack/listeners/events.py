"""Events: replies in a plan's thread, DMs, @mentions, and App Home."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.conversation import ChatMessage, answer_message
from bot.slack.deps import SlackDeps
from bot.slack.home_tab import publish_home
from bot.slack.listeners.common import first_delivery
from bot.slack.services.slack_links import plan_at_message


async def handle_mention(deps: SlackDeps, client: AsyncWebClient, body: dict[str, Any]) -> None:
    if not await first_delivery(deps, body):
        return
    event = body["event"]
    thread_ts = event.get("thread_ts")
    plan_id = await plan_at_message(deps.database, event["channel"], thread_ts) if thread_ts else None
    message = ChatMessage(
        channel=event["channel"],
        user_id=event["user"],
        text=event.get("text", ""),
        thread_ts=thread_ts or event["ts"],
        plan_id=plan_id,
    )
    await answer_message(deps, client, message)


async def handle_message(
    deps: SlackDeps, client: AsyncWebClient, body: dict[str, Any], bot_user_id: str | None
) -> None:
    event = body["event"]
    # Edits, deletions, joins and other bots' posts are not requests.
    if event.get("subtype") or event.get("bot_id") or not event.get("user"):
        return
    # An @mention also arrives as app_mention; answer it there only.
    if bot_user_id and f"<@{bot_user_id}>" in event.get("text", ""):
        return
    thread_ts = event.get("thread_ts")
    direct = event.get("channel_type") == "im"
    plan_id = await plan_at_message(deps.database, event["channel"], thread_ts) if thread_ts else None
    if not direct and plan_id is None:
        return  # ordinary channel chatter: not for us
    if not await first_delivery(deps, body):
        return
    chat = ChatMessage(
        channel=event["channel"],
        user_id=event["user"],
        text=event.get("text", ""),
        thread_ts=thread_ts or event["ts"],
        plan_id=plan_id,
        direct=direct,
    )
    await answer_message(deps, client, chat)


async def handle_home_opened(deps: SlackDeps, client: AsyncWebClient, body: dict[str, Any]) -> None:
    event = body["event"]
    if event.get("tab", "home") != "home" or not await first_delivery(deps, body):
        return
    await publish_home(deps, client, event["user"])


# Each listener hands its whole event to one background task straight away: Bolt has already
# acknowledged the event, and the task is tracked for shutdown. The deps come from the middleware.


async def app_home_opened(body: dict[str, Any], client: AsyncWebClient, deps: SlackDeps) -> None:
    deps.tasks.start(handle_home_opened(deps, client, body), name=f"home-{body.get('event_id')}")


async def app_mention(body: dict[str, Any], client: AsyncWebClient, deps: SlackDeps) -> None:
    deps.tasks.start(handle_mention(deps, client, body), name=f"mention-{body.get('event_id')}")


async def message(
    body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext, deps: SlackDeps
) -> None:
    deps.tasks.start(
        handle_message(deps, client, body, context.bot_user_id), name=f"message-{body.get('event_id')}"
    )


def register(app: AsyncApp) -> None:
    app.event("app_home_opened")(app_home_opened)
    app.event("app_mention")(app_mention)
    app.event("message")(message)
