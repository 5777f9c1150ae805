"""Submit for approval from Slack: the one place the Submit button (and the agent's request) lands.

The approval feature owns what happens next (the manager's DM with Approve / Request changes /
Reject); this module performs the transition and tells the CSM where the plan went.
"""

from __future__ import annotations

from bot.slack.blocks import symbols
from bot.slack.blocks.text import escape
from bot.slack.drafting import refresh_plan_message
from bot.slack.feedback import tell_user
from bot.slack.gate import Interaction
from bot.slack.review import request_review
from bot.slack.services.plan_requests import submit_plan


async def submit_from_slack(it: Interaction, *, plan_id: str) -> None:
    """For someone the gate let submit; a refusal by the lifecycle propagates to the listener's report."""
    deps, client, user_id = it.deps, it.client, it.user_id
    submitted = await submit_plan(deps.database, plan_id, it.actor)
    await refresh_plan_message(deps, client, plan_id)
    await request_review(deps, client, plan_id)
    # Named as the one who decides next, so nobody reads it as "X submitted it".
    reviewer = escape(submitted.reviewer) if submitted.reviewer else "your manager"
    await tell_user(
        client,
        channel=it.channel or user_id,
        user=user_id,
        text=f"{symbols.SUBMITTED} Sent *{escape(submitted.title)}* v{submitted.version} to {reviewer} for approval.",
    )
