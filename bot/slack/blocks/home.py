"""App Home: my plans with status, confidence, objective progress and next due actions; for
managers, the review queue and the team's outcomes."""

from __future__ import annotations

from datetime import date

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DividerBlock,
    HeaderBlock,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.slack import ids
from bot.slack.blocks.living import progress_summary, stats_blocks
from bot.slack.blocks.plan_summary import status_label
from bot.slack.blocks.text import context_line, escape, fit_blocks, mrkdwn, percent, plain
from bot.slack.limits import MAX_BLOCKS_PER_HOME, MAX_BUTTON_TEXT, MAX_HEADER_TEXT
from bot.slack.services.book import PlanRow
from tools.living.outcomes import OutcomeStats
from tools.living.progress import ObjectiveProgress

# Each plan takes one section; leave room for headers, the queue and the buttons.
MAX_PLANS_SHOWN = 40


def _plan_section(row: PlanRow, today: date, progress: list[ObjectiveProgress] | None = None) -> SectionBlock:
    due = []
    for action in row.next_actions:
        late = " *overdue*" if action.due_date < today else ""
        due.append(f"• {action.due_date.isoformat()}{late}: {escape(action.action)}")
    confidence = percent(row.confidence) if row.confidence is not None else "n/a"
    objectives = f"{progress_summary(progress)}\n" if progress is not None else ""
    text = (
        f"*{escape(row.customer_name)} {escape(row.fiscal_year)}* · {status_label(row.status)} · "
        f"v{row.version} · confidence {confidence}\n{objectives}"
        + ("\n".join(due) if due else "_No open actions_")
    )
    return SectionBlock(
        text=mrkdwn(text),
        accessory=ButtonElement(
            text=plain("View plan", MAX_BUTTON_TEXT), action_id=ids.VIEW_PLAN, value=row.plan_id
        ),
    )


def home_view(
    plans: list[PlanRow],
    queue: list[PlanRow] | None,
    *,
    today: date,
    progress: dict[str, list[ObjectiveProgress]] | None = None,
    team_outcomes: OutcomeStats | None = None,
) -> View:
    """`queue=None` for people who review nobody (the section is left out). `progress` (by plan
    id) adds a one-line objective summary to each plan; `team_outcomes` (managers and admins) adds
    coverage, completion and overdue actions by CSM."""
    progress = progress or {}

    def section(row: PlanRow) -> SectionBlock:
        return _plan_section(row, today, progress.get(row.plan_id))

    blocks: list[Block] = [
        HeaderBlock(text=plain("Your account plans", MAX_HEADER_TEXT)),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text=plain("New account plan", MAX_BUTTON_TEXT),
                    action_id=ids.HOME_OPEN_GENERATOR,
                    value="new",
                    style="primary",
                )
            ]
        ),
    ]
    if queue is not None:
        blocks += [DividerBlock(), HeaderBlock(text=plain("Waiting for your approval", MAX_HEADER_TEXT))]
        blocks += [section(row) for row in queue[: MAX_PLANS_SHOWN // 2]] or [
            SectionBlock(text=mrkdwn("_Nothing waiting for you._"))
        ]
    if team_outcomes is not None:
        blocks += [DividerBlock(), *stats_blocks(team_outcomes)]
    blocks.append(DividerBlock())
    if plans:
        # Whatever room the sections above leave, keeping one block for the "more" line.
        shown = max(0, min(MAX_PLANS_SHOWN, MAX_BLOCKS_PER_HOME - len(blocks) - 1))
        blocks += [section(row) for row in plans[:shown]]
        if len(plans) > shown:
            blocks.append(context_line(f"_{len(plans) - shown} more: `/accountplan list`_"))
    else:
        blocks.append(SectionBlock(text=mrkdwn("_No plans yet. Draft one with `/accountplan CUSTOMER`._")))
    return View(type="home", blocks=fit_blocks(blocks, MAX_BLOCKS_PER_HOME))


def unavailable_home(error: BaseException) -> View:
    """App Home for someone we cannot show plans to, saying why (domain errors carry the reason)."""
    from storage.errors import AccountPlanError

    reason = (
        escape(error.message)
        if isinstance(error, AccountPlanError)
        else "Your plans could not be loaded right now; try again in a moment."
    )
    return View(
        type="home",
        blocks=[
            HeaderBlock(text=plain("Your account plans", MAX_HEADER_TEXT)),
            SectionBlock(text=mrkdwn(reason)),
        ],
    )
