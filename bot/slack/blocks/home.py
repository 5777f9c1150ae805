"""App Home. A CSM sees their plans, most urgent first, with objective progress, next due actions and
a reviewer's comment on a plan sent back. A manager sees the plans waiting for their decision (with
the decision buttons), their team's outcomes, and their team's plans each with its CSM; a plan
waiting in the queue is not listed twice."""

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
from bot.slack.blocks import symbols
from bot.slack.blocks.approval import queue_item_blocks
from bot.slack.blocks.living import due_phrase, progress_summary, stats_blocks
from bot.slack.blocks.plan_summary import status_label, who
from bot.slack.blocks.text import context_line, escape, fit_blocks, mrkdwn, plain, truncate
from bot.slack.blocks.words import renewal_phrase, upper_first
from bot.slack.limits import MAX_BLOCKS_PER_HOME, MAX_BUTTON_TEXT, MAX_HEADER_TEXT
from bot.slack.services.book import PlanRow
from tools.living.outcomes import OutcomeStats
from tools.living.progress import ObjectiveProgress

# Each plan takes one section, a waiting plan two; leave room for headers and outcomes.
MAX_PLANS_SHOWN = 40
MAX_QUEUE_SHOWN = 10
ACTION_CHARS = 90
COMMENT_CHARS = 300


def plan_section(
    row: PlanRow, today: date, progress: list[ObjectiveProgress] | None = None, *, with_csm: bool = False
) -> SectionBlock:
    """One plan: standing, account, status, whose (for managers), renewal; progress; what is due;
    and the reviewer's comment when it was sent back."""
    renewal = renewal_phrase(row.renewal_date, today) if row.renewal_date is not None else "no renewal date"
    first = (
        f"{symbols.standing_chip(row.risk_level)} · *{escape(row.customer_name)} {escape(row.fiscal_year)}* · "
        f"{status_label(row.status)} v{row.version}"
    )
    second = f"{who(row.csm, 'no CSM on record')} · {renewal}" if with_csm else upper_first(renewal)
    lines = [first, second]
    if row.sent_back is not None:
        verb = "Changes requested" if row.sent_back.action == "changes_requested" else "Rejected"
        lines.append(
            f"{symbols.DECISIONS['request_changes' if verb.startswith('Changes') else 'reject']} "
            f"{verb} by {who(row.sent_back.reviewer)}: _{escape(truncate(row.sent_back.comment, COMMENT_CHARS))}_"
        )
    if progress is not None:
        lines.append(progress_summary(progress))
    # A manager scans the team: the next action is enough; the CSM sees their next few.
    actions = row.next_actions[:1] if with_csm else row.next_actions
    lines += [
        f"{due_phrase(action.due_date, today)}: {escape(truncate(action.action, ACTION_CHARS))}"
        for action in actions
    ] or ["_No open actions_"]
    return SectionBlock(
        text=mrkdwn("\n".join(lines)),
        accessory=ButtonElement(
            text=plain("View full plan", MAX_BUTTON_TEXT), action_id=ids.VIEW_PLAN, value=row.plan_id
        ),
    )


def home_view(
    plans: list[PlanRow],
    queue: list[PlanRow] | None,
    *,
    today: date,
    progress: dict[str, list[ObjectiveProgress]] | None = None,
    team_outcomes: OutcomeStats | None = None,
    team: bool = False,
) -> View:
    """`queue=None` for people who review nobody (the section is left out). `progress` (by plan
    id) adds a one-line objective summary to each plan; `team_outcomes` (managers and admins) adds
    coverage, completion and overdue actions by CSM; `team` says the plans are a team's (each then
    names its CSM)."""
    progress = progress or {}
    blocks: list[Block] = [
        HeaderBlock(text=plain("Your team's account plans" if team else "Your account plans", MAX_HEADER_TEXT)),
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
    waiting = {row.plan_id for row in queue or []}
    if queue is not None:
        blocks += [DividerBlock(), HeaderBlock(text=plain("Waiting for your approval", MAX_HEADER_TEXT))]
        for row in queue[:MAX_QUEUE_SHOWN]:
            blocks += queue_item_blocks(row, today)
        if len(queue) > MAX_QUEUE_SHOWN:
            blocks.append(context_line(f"_{len(queue) - MAX_QUEUE_SHOWN} more: `/accountplan queue`_"))
        if not queue:
            blocks.append(SectionBlock(text=mrkdwn("_Nothing waiting for you._")))
    if team_outcomes is not None:
        blocks += [DividerBlock(), *stats_blocks(team_outcomes)]
    listed = [row for row in plans if row.plan_id not in waiting]
    blocks.append(DividerBlock())
    if team:
        blocks.append(HeaderBlock(text=plain("Plans in your team", MAX_HEADER_TEXT)))
    if listed:
        # Whatever room the sections above leave, keeping one block for the "more" line.
        shown = max(0, min(MAX_PLANS_SHOWN, MAX_BLOCKS_PER_HOME - len(blocks) - 1))
        blocks += [plan_section(row, today, progress.get(row.plan_id), with_csm=team) for row in listed[:shown]]
        if len(listed) > shown:
            blocks.append(context_line(f"_{len(listed) - shown} more: `/accountplan list`_"))
    elif plans:
        blocks.append(SectionBlock(text=mrkdwn("_Every plan is waiting for your approval above._")))
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
