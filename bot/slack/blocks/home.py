"""App Home: my plans with status, confidence and next due actions; the review queue for managers."""

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
from bot.slack.blocks.plan_summary import status_label
from bot.slack.blocks.text import context_line, escape, fit_blocks, mrkdwn, percent, plain
from bot.slack.limits import MAX_BLOCKS_PER_HOME, MAX_BUTTON_TEXT, MAX_HEADER_TEXT
from tools.book import PlanRow

# Each plan takes one section; leave room for headers, the queue and the buttons.
MAX_PLANS_SHOWN = 40


def _plan_section(row: PlanRow, today: date) -> SectionBlock:
    due = []
    for action in row.next_actions:
        late = " *overdue*" if action.due_date < today else ""
        due.append(f"• {action.due_date.isoformat()}{late}: {escape(action.action)}")
    confidence = percent(row.confidence) if row.confidence is not None else "n/a"
    text = (
        f"*{escape(row.customer_name)} {escape(row.fiscal_year)}* · {status_label(row.status)} · "
        f"v{row.version} · confidence {confidence}\n" + ("\n".join(due) if due else "_No open actions_")
    )
    return SectionBlock(
        text=mrkdwn(text),
        accessory=ButtonElement(
            text=plain("View plan", MAX_BUTTON_TEXT), action_id=ids.VIEW_PLAN, value=row.plan_id
        ),
    )


def home_view(plans: list[PlanRow], queue: list[PlanRow] | None, *, today: date) -> View:
    """`queue=None` for people who review nobody (the section is left out)."""
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
        blocks += [_plan_section(row, today) for row in queue[: MAX_PLANS_SHOWN // 2]] or [
            SectionBlock(text=mrkdwn("_Nothing waiting for you._"))
        ]
    blocks.append(DividerBlock())
    if plans:
        blocks += [_plan_section(row, today) for row in plans[:MAX_PLANS_SHOWN]]
        if len(plans) > MAX_PLANS_SHOWN:
            blocks.append(context_line(f"_{len(plans) - MAX_PLANS_SHOWN} more: `/accountplan list`_"))
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
