"""Pictures of a plan in Slack: the timeline and the stakeholder map, drawn off the event loop and
uploaded into the plan's thread (when a plan is drafted, and again from the card's Charts button).

Drawing is CPU work that holds the GIL (about half a second a plan), so it is never done on the
event loop (`asyncio.to_thread`), one picture set at a time (`deps.chart_slots`), and it queues for
a drafting slot like a draft does: in a burst of drafts, the plans already waiting are drafted
first and their pictures follow, instead of every card waiting behind other plans' pictures.
"""

from __future__ import annotations

import asyncio

from slack_sdk.web.async_client import AsyncWebClient

from bot.charts import ChartImage, render_charts
from bot.slack.blocks import symbols
from bot.slack.blocks.text import escape
from bot.slack.deps import SlackDeps
from bot.slack.feedback import log_failure, step
from bot.slack.services.plan_cards import plan_chart_inputs
from bot.slack.services.slack_links import plan_message
from bot.slack.web_client import open_dm


async def draw_charts(deps: SlackDeps, plan_id: str) -> tuple[str, list[ChartImage]]:
    """("TechCorp Industries FY2027 v3", the pictures)."""
    inputs = await plan_chart_inputs(
        deps.database, plan_id, deps.today(), start_month=deps.settings.fiscal_year_start_month
    )
    async with deps.drafting_slots, deps.chart_slots:
        images = await asyncio.to_thread(render_charts, inputs)
    document = inputs.document
    return f"{document.customer_name} {document.fiscal_year} v{document.version}", images


def chart_uploads(images: list[ChartImage]) -> list[dict[str, object]]:
    """`files_upload_v2` entries: each picture with its title and alt text."""
    return [
        {"content": image.png, "filename": image.filename, "title": image.title, "alt_txt": image.alt_text}
        for image in images
    ]


async def post_charts(
    deps: SlackDeps, client: AsyncWebClient, plan_id: str, *, requested_by: str | None = None
) -> None:
    """Both pictures into the plan's thread; without a plan message, into the asker's DM. Failures
    propagate (a click reports them to the person)."""
    label, images = await draw_charts(deps, plan_id)
    where = await plan_message(deps.database, plan_id)
    if where is not None:
        channel, thread_ts = where.channel, where.thread_root
    elif requested_by is not None:
        channel, thread_ts = await open_dm(client, requested_by), None
    else:
        return
    with step("upload the plan's charts"):
        await client.files_upload_v2(
            channel=channel,
            thread_ts=thread_ts,
            file_uploads=chart_uploads(images),
            initial_comment=f"{symbols.CHART} Timeline and stakeholder map of *{escape(label)}*",
            request_file_info=False,
        )


async def post_charts_quietly(deps: SlackDeps, client: AsyncWebClient, plan_id: str) -> None:
    """After drafting: the plan is posted either way, so a failure here is only logged."""
    try:
        await post_charts(deps, client, plan_id)
    except Exception as error:  # StepFailed carries the Slack error as its cause
        log_failure("post the plan's charts", getattr(error, "cause", error), plan=plan_id)
