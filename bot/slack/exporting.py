"""Export a plan from Slack: the Markdown file with its pictures (timeline and stakeholder map, embedded
by file name) into the plan's thread, and a Slack canvas that only the plan's CSM may edit (whoever
exported it, and the channel, may read it); the reply links to the canvas."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.charts.embedding import embed_pictures
from bot.render.markdown import export_filename, render_markdown
from bot.slack.blocks import symbols
from bot.slack.blocks.exports import export_done_blocks
from bot.slack.blocks.text import escape
from bot.slack.charts import chart_uploads, draw_charts
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
    _label, images = await draw_charts(deps, plan_id)
    # The same Markdown the CLI's `accountplan export -o` writes: one renderer for every surface.
    markdown = render_markdown(document)
    markdown_with_pictures = embed_pictures(markdown, images)
    csm_id = await csm_chat_id(deps.database, plan_id, deps.directory)
    where = await plan_message(deps.database, plan_id)
    target_channel = where.channel if where else (channel or user_id)
    title = f"{document.customer_name} {document.fiscal_year} account plan (v{document.version})"
    with step("upload the Markdown export"):
        await client.files_upload_v2(
            channel=target_channel,
            thread_ts=where.thread_root if where else None,
            file_uploads=[
                {"content": markdown_with_pictures, "filename": export_filename(document), "title": title},
                *chart_uploads(images),
            ],
            initial_comment=f"{symbols.EXPORTED} Markdown export of *{escape(title)}*, with its timeline and stakeholder map",
            request_file_info=False,
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
    link = canvas_link(it.body, canvas_id)
    text = f"{symbols.EXPORTED} Exported *{escape(title)}*: Markdown file and pictures in the plan's thread, and {shared}."
    await tell_user(
        client,
        channel=channel or user_id,
        user=user_id,
        text=text,
        blocks=export_done_blocks(text, link),
    )


def canvas_link(body: dict[str, object], canvas_id: str) -> str | None:
    """The canvas's address in the workspace the click came from (Slack's /docs/<team>/<canvas>
    form, which the Slack apps open directly); None when the request does not say the workspace."""
    team = body.get("team")
    if not isinstance(team, dict) or not team.get("domain") or not team.get("id"):
        return None
    return f"https://{team['domain']}.slack.com/docs/{team['id']}/{canvas_id}"


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
