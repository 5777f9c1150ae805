"""The Assistant pane: a greeting with suggested prompts, then every message goes to the conversation."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.set_status.async_set_status import AsyncSetStatus
from slack_bolt.context.set_suggested_prompts.async_set_suggested_prompts import AsyncSetSuggestedPrompts
from slack_bolt.middleware.assistant.async_assistant import AsyncAssistant
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.conversation import ChatMessage, answer_message, prompts_for
from bot.slack.deps import SlackDeps
from bot.slack.feedback import log_failure
from bot.slack.listeners.common import first_delivery
from bot.slack.services.slack_links import plan_at_message

GREETING = (
    "Hi! I draft and maintain account plans. Ask me to draft a plan for a customer, "
    "to change a plan (_make objective 2 critical for ACME_), or which accounts need attention."
)


async def greet(
    deps: SlackDeps,
    body: dict[str, Any],
    client: AsyncWebClient,
    set_suggested_prompts: AsyncSetSuggestedPrompts,
) -> None:
    if not await first_delivery(deps, body):
        return
    thread = body["event"]["assistant_thread"]
    try:
        await client.chat_postMessage(
            channel=thread["channel_id"], thread_ts=thread["thread_ts"], text=GREETING
        )
        prompts = await prompts_for(deps, thread["user_id"])
        await set_suggested_prompts(prompts=prompts, title="Try asking")
    except Exception as error:  # a greeting is a courtesy: log it, the conversation still works
        log_failure("greet in the assistant pane", error, channel=thread["channel_id"])


async def answer(
    deps: SlackDeps, body: dict[str, Any], client: AsyncWebClient, set_status: AsyncSetStatus
) -> None:
    if not await first_delivery(deps, body):
        return
    payload = body["event"]
    message = ChatMessage(
        channel=payload["channel"],
        user_id=payload["user"],
        text=payload.get("text", ""),
        thread_ts=payload["thread_ts"],
        # A plan drafted earlier in this thread is what "it" means here.
        plan_id=await plan_at_message(deps.database, payload["channel"], payload["thread_ts"]),
        direct=True,
    )

    async def thinking(status: str) -> object:
        return await set_status(status=status)

    await answer_message(deps, client, message, thinking)


# Listeners: hand the event to a tracked background task at once (Bolt has acknowledged it).


async def thread_started(
    body: dict[str, Any],
    client: AsyncWebClient,
    set_suggested_prompts: AsyncSetSuggestedPrompts,
    deps: SlackDeps,
) -> None:
    deps.tasks.start(
        greet(deps, body, client, set_suggested_prompts), name=f"assistant-start-{body.get('event_id')}"
    )


async def thread_context_changed() -> None:
    # Plans are named in the conversation; the channel the user is viewing does not change them.
    return None


async def user_message(
    body: dict[str, Any], client: AsyncWebClient, set_status: AsyncSetStatus, deps: SlackDeps
) -> None:
    deps.tasks.start(answer(deps, body, client, set_status), name=f"assistant-{body.get('event_id')}")


def register(app: AsyncApp) -> None:
    assistant = AsyncAssistant()
    assistant.thread_started(thread_started)
    assistant.thread_context_changed(thread_context_changed)
    assistant.user_message(user_message)
    app.assistant(assistant)
