"""Export a plan from Slack: the Markdown file into the plan's thread, and a Slack canvas."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.render.markdown import export_filename, render_markdown
from bot.slack.blocks.text import escape
from bot.slack.deps import SlackDeps
from bot.slack.feedback import describe_failure, log_failure, report_failure, tell_user
from bot.slack.services.book import plan_document
from bot.slack.services.slack_links import plan_message

log = logging.getLogger(__name__)


async def export_plan(
    deps: SlackDeps, client: AsyncWebClient, *, plan_id: str, user_id: str, channel: str | None
) -> None:
    try:
        document = await plan_document(deps.database, plan_id)
        # The same Markdown the CLI's `accountplan export` writes: one renderer for every surface.
        markdown = render_markdown(document)
    except Exception as error:
        await report_failure(client, "export the plan", error, channel=channel, user=user_id, plan=plan_id)
        return
    where = await plan_message(deps.database, plan_id)
    target_channel = where.channel if where else (channel or user_id)
    title = f"{document.customer_name} {document.fiscal_year} account plan (v{document.version})"
    try:
        await client.files_upload_v2(
            channel=target_channel,
            thread_ts=where.ts if where else None,
            content=markdown,
            filename=export_filename(document),
            title=title,
            initial_comment=f"Markdown export of *{escape(title)}*",
        )
    except SlackApiError as error:
        await report_failure(
            client, "upload the Markdown export", error, channel=channel, user=user_id, plan=plan_id
        )
        return
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
    shared = "shared with you"
    try:
        # A bot-made canvas is private to the bot until access is granted.
        await client.canvases_access_set(canvas_id=canvas_id, access_level="write", user_ids=[user_id])
        if target_channel[:1] in ("C", "G"):
            await client.canvases_access_set(
                canvas_id=canvas_id, access_level="read", channel_ids=[target_channel]
            )
            shared = "shared with you (edit) and this channel (read)"
    except SlackApiError as error:
        log_failure("share the canvas", error, canvas=canvas_id)
        shared = "created, but Slack would not share it"
    await tell_user(
        client,
        channel=channel or user_id,
        user=user_id,
        text=f":page_facing_up: Exported *{escape(title)}*: Markdown file in the plan's thread, "
        f"and a canvas ({shared}).",
    )
