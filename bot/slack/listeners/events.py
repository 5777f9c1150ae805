"""Events: replies in a plan's thread, DMs, @mentions, and App Home."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks.home import home_view
from bot.slack.conversation import ChatMessage, answer_message
from bot.slack.deps import SlackDeps
from bot.slack.feedback import log_failure
from bot.slack.listeners.common import first_delivery
from tools.book import plans_for, review_queue, slack_actor
from tools.slack_links import plan_at_message


async def publish_home(deps: SlackDeps, client: AsyncWebClient, user_id: str) -> None:
    """My plans with status, confidence and next due actions; the review queue for reviewers."""
    try:
        actor = await slack_actor(deps.database, user_id, deps.directory)
        today = deps.today()
        plans = await plans_for(deps.database, actor, today)
        queue = (
            await review_queue(deps.database, actor, today) if actor.role in ("manager", "admin") else None
        )
        view = home_view(plans, queue, today=today)
    except Exception as error:  # an unknown user still gets a Home tab explaining what to do
        log_failure("build App Home", error, user=user_id)
        from bot.slack.blocks.home import unavailable_home

        view = unavailable_home(error)
    await client.views_publish(user_id=user_id, view=view)


def register(app: AsyncApp, deps: SlackDeps) -> None:
    @app.event("app_home_opened")
    async def app_home_opened(body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home" or not await first_delivery(deps, body):
            return
        await publish_home(deps, client, event["user"])

    @app.event("app_mention")
    async def app_mention(body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient) -> None:
        if not await first_delivery(deps, body):
            return
        thread_ts = event.get("thread_ts")
        plan_id = await plan_at_message(deps.database, event["channel"], thread_ts) if thread_ts else None
        message = ChatMessage(
            channel=event["channel"],
            user_id=event["user"],
            text=event.get("text", ""),
            thread_ts=thread_ts or event["ts"],
            plan_id=plan_id,
        )
        deps.tasks.start(answer_message(deps, client, message), name=f"mention-{event['ts']}")

    @app.event("message")
    async def message(
        body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        # Edits, deletions, joins and other bots' posts are not requests.
        if event.get("subtype") or event.get("bot_id") or not event.get("user"):
            return
        # An @mention also arrives as app_mention; answer it there only.
        if context.bot_user_id and f"<@{context.bot_user_id}>" in event.get("text", ""):
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
        )
        deps.tasks.start(answer_message(deps, client, chat), name=f"message-{event['ts']}")
