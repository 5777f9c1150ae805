"""Submit for approval from Slack: the one place the Submit button (and the agent's request) lands.

The approval feature owns what happens next (the manager's DM with Approve / Request changes /
Reject); this module performs the transition and tells the CSM where the plan went.
"""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks.text import escape
from bot.slack.deps import SlackDeps
from bot.slack.drafting import refresh_plan_message
from bot.slack.feedback import report_failure, tell_user
from bot.slack.review import request_review
from bot.slack.services.plan_requests import submit_plan


async def submit_from_slack(
    deps: SlackDeps, client: AsyncWebClient, *, plan_id: str, user_id: str, channel: str | None
) -> None:
    try:
        submitted = await submit_plan(deps.database, plan_id, user_id, deps.directory)
    except Exception as error:
        await report_failure(client, "submit the plan", error, channel=channel, user=user_id, plan=plan_id)
        return
    await refresh_plan_message(deps, client, plan_id)
    await request_review(deps, client, plan_id)
    reviewer = submitted.reviewer or "your manager"
    await tell_user(
        client,
        channel=channel or user_id,
        user=user_id,
        text=f":outbox_tray: Submitted *{escape(submitted.title)}* v{submitted.version} for approval by {escape(reviewer)}.",
    )
