"""App Home: gather what the Home tab shows (plans, objective progress, the review queue and, for
managers and admins, the team's outcomes) and publish it for one person."""

from __future__ import annotations

from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks.home import home_view, unavailable_home
from bot.slack.deps import SlackDeps
from bot.slack.feedback import log_failure
from bot.slack.services.book import plans_for, progress_by_plan, review_queue, slack_actor
from storage.vocabulary import Role
from tools.living.outcomes import stats_for

REVIEWER_ROLES = (Role.MANAGER, Role.ADMIN)


async def home_for(deps: SlackDeps, user_id: str) -> View:
    """The Home tab for a Slack user: a fixed number of queries however many plans they have."""
    actor = await slack_actor(deps.database, user_id, deps.directory)
    today = deps.today()
    plans = await plans_for(deps.database, actor, today)
    reviewer = actor.role in REVIEWER_ROLES
    queue = await review_queue(deps.database, actor, today) if reviewer else None
    progress = await progress_by_plan(deps.database, [row.plan_id for row in [*plans, *(queue or [])]])
    outcomes = await stats_for(deps.database, actor, today) if reviewer else None
    return home_view(plans, queue, today=today, progress=progress, team_outcomes=outcomes, team=reviewer)


async def publish_home(deps: SlackDeps, client: AsyncWebClient, user_id: str) -> None:
    """Publish the Home tab; someone we cannot show plans to gets one saying why."""
    try:
        view = await home_for(deps, user_id)
    except Exception as error:  # an unknown user still gets a Home tab explaining what to do
        log_failure("build App Home", error, user=user_id)
        view = unavailable_home(error)
    await client.views_publish(user_id=user_id, view=view)
