"""Export a plan from Slack: the Markdown file into the plan's thread, and a Slack canvas that only
the plan's CSM may edit (whoever exported it, and the channel, may read it)."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.render.markdown import export_filename, render_markdown
from bot.slack.blocks.text import escape
from bot.slack.feedback import describe_failure, log_failure, step, tell_user
from bot.slack.gate import Interaction
from bot.slack.services.access import csm_chat_id
from bot.slack.services.book import plan_document
from bot.slack.services.slack_links import plan_message

log = logging.getLogger(__name__)


async def export_plan(it: Interaction, *, plan_id: str) -> None:
    """For someone the gate let export the plan; failures propagate to the listener's report."""
    deps, client, user_id, channel = it.deps, it.client, it.user_id, it.channel
    document = await plan_document(deps.database, plan_id)
    # The same Markdown the CLI's `accountplan export` writes: one renderer for every surface.
    markdown = render_markdown(document)
    csm_id = await csm_chat_id(deps.database, plan_id, deps.directory)
    where = await plan_message(deps.database, plan_id)
    target_channel = where.channel if where else (channel or user_id)
    title = f"{document.customer_name} {document.fiscal_year} account plan (v{document.version})"
    with step("upload the Markdown export"):
        await client.files_upload_v2(
            channel=target_channel,
            thread_ts=where.ts if where else None,
            content=markdown,
            filename=export_filename(document),
            title=title,
            initial_comment=f"Markdown export of *{escape(title)}*",
        )
    try:
        canvas = await client.canvases_create(
            title=title, document_content={"type": "markdown", "markdown": markdown}
        )
    except SlackApiError as error:
        # The file is already in the thread; a missing canvas (free plan, policy) is a note, not a failure.
        await tell_user(
            client,
            channel=channel or user_id,
            user=user_id,
            text=describe_failure("create a canvas", error) + " The Markdown file is in the plan's thread.",
        )
        return
    canvas_id = str(canvas.get("canvas_id"))
    shared = await _share(it, canvas_id, csm_id, target_channel)
    await tell_user(
        client,
        channel=channel or user_id,
        user=user_id,
        text=f":page_facing_up: Exported *{escape(title)}*: Markdown file in the plan's thread, and {shared}.",
    )


async def _share(it: Interaction, canvas_id: str, csm_id: str | None, target_channel: str) -> str:
    """A bot-made canvas is private to the bot until access is granted: edit for the plan's CSM
    (the plan's owner), read for the person exporting and the channel. Says how it was shared."""
    client, user_id = it.client, it.user_id
    in_channel = target_channel[:1] in ("C", "G")
    try:
        if csm_id is not None:
            await client.canvases_access_set(canvas_id=canvas_id, access_level="write", user_ids=[csm_id])
        if csm_id != user_id:
            await client.canvases_access_set(canvas_id=canvas_id, access_level="read", user_ids=[user_id])
        if in_channel:
            await client.canvases_access_set(
                canvas_id=canvas_id, access_level="read", channel_ids=[target_channel]
            )
    except SlackApiError as error:
        log_failure("share the canvas", error, canvas=canvas_id)
        return "a canvas Slack would not share yet"
    if csm_id == user_id:
        return "a canvas you can edit" + (" and this channel can read" if in_channel else "")
    readers = "you and this channel can" if in_channel else "you can"
    return f"a canvas {readers} read (the plan's CSM edits it)"
