"""Block Kit for living plans: the weekly action digest (done / snooze buttons updated in place),
QBR and renewal reminders, change proposals (Accept / Dismiss) and the outcome stats."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    SectionBlock,
)

from bot.slack import ids
from bot.slack.blocks.text import escape, fit_blocks, money, mrkdwn, plain, truncate
from bot.slack.limits import MAX_BLOCKS_PER_MESSAGE, MAX_BUTTON_TEXT, MAX_HEADER_TEXT, MAX_SECTION_TEXT
from storage.vocabulary import ActionStatus
from tools.living.actions import DEFAULT_SNOOZE_DAYS, TrackedAction, action_fingerprint
from tools.living.change_detection import Proposal
from tools.living.outcomes import OutcomeStats, Rate
from tools.living.progress import ObjectiveProgress
from tools.living.reminders import QBRReminder, RenewalReminder

# Action ids this feature sends and handles.
ACTION_DONE = "living_action_done"
ACTION_SNOOZE = "living_action_snooze"
PROPOSAL_ACCEPT = "living_proposal_accept"
PROPOSAL_DISMISS = "living_proposal_dismiss"
ITEM_BLOCK_PREFIX = "living_item_"  # + n: the section of digest item n
ITEM_ACTIONS_PREFIX = "living_item_actions_"  # + n: its buttons
PROPOSAL_ACTIONS_BLOCK = "living_proposal_actions"

SNOOZE_LABEL = f"Snooze {DEFAULT_SNOOZE_DAYS} days"
MAX_DIGEST_ITEMS = 5  # a digest is a nudge, not a report: the most urgent handful
MAX_DIFF_LINES = 15
PROGRESS_BAR_CELLS = 10
PROGRESS_MARKS = {
    "complete": ":white_check_mark:",
    "on_track": ":large_green_circle:",
    "behind": ":large_orange_circle:",
}
PROGRESS_LABELS = {"complete": "complete", "on_track": "on track", "behind": "behind"}


def action_value(item: TrackedAction) -> str:
    """What a digest button carries: plan, position and a fingerprint of the action's text."""
    return json.dumps({"p": item.plan_id, "i": item.index, "f": action_fingerprint(item.action)})


def parse_action_value(value: str) -> tuple[str, int, str]:
    data = json.loads(value)
    return str(data["p"]), int(data["i"]), str(data["f"])


def _when(item: TrackedAction) -> str:
    due = item.due_date.strftime("%b %-d")
    if item.days_overdue > 0:
        days = "day" if item.days_overdue == 1 else "days"
        return f":red_circle: {item.days_overdue} {days} overdue (due {due})"
    if item.days_overdue == 0:
        return f":large_orange_circle: due today ({due})"
    return f":white_circle: due {due}"


def digest_blocks(items: list[TrackedAction]) -> list[Block]:
    """The weekly digest: at most MAX_DIGEST_ITEMS actions, each with Done / Snooze buttons.
    Callers send nothing at all when `items` is empty."""
    shown = items[:MAX_DIGEST_ITEMS]
    overdue = sum(1 for i in items if i.overdue)
    summary = f"{len(items)} action{'s' if len(items) != 1 else ''} due this week"
    if overdue:
        summary += f", {overdue} overdue"
    blocks: list[Block] = [HeaderBlock(text=plain("Your plan actions this week", MAX_HEADER_TEXT))]
    blocks.append(SectionBlock(text=mrkdwn(summary + (" - the most urgent first:" if shown else ""))))
    for n, item in enumerate(shown):
        text = f"*{escape(item.customer_name)}* · {escape(item.action)}\n{_when(item)} · owner {escape(item.owner)}"
        if item.status == ActionStatus.SNOOZED:
            text += " · snoozed before"
        blocks.append(SectionBlock(block_id=f"{ITEM_BLOCK_PREFIX}{n}", text=mrkdwn(text)))
        blocks.append(
            ActionsBlock(
                block_id=f"{ITEM_ACTIONS_PREFIX}{n}",
                elements=[
                    ButtonElement(
                        text=plain("Mark done", MAX_BUTTON_TEXT),
                        action_id=ACTION_DONE,
                        value=action_value(item),
                        style="primary",
                    ),
                    ButtonElement(
                        text=plain(SNOOZE_LABEL, MAX_BUTTON_TEXT),
                        action_id=ACTION_SNOOZE,
                        value=action_value(item),
                    ),
                ],
            )
        )
    if len(items) > len(shown):
        rest = len(items) - len(shown)
        blocks.append(
            ContextBlock(elements=[mrkdwn(f"…and {rest} more; `/accountplan show <customer>` lists them.")])
        )
    return blocks


def digest_text(items: list[TrackedAction], week_of: date) -> str:
    count = len(items)
    return f"You have {count} plan action{'s' if count != 1 else ''} due this week (week of {week_of.strftime('%b %-d')})"


def replace_buttons(blocks: list[dict[str, Any]], block_id: str, note: str) -> list[dict[str, Any]]:
    """The message as it was, with one buttons block replaced by a note: how a click is answered
    in place without recomputing (or reordering) the rest of the message."""
    replaced = ContextBlock(block_id=block_id, elements=[mrkdwn(note)]).to_dict()
    return [replaced if block.get("block_id") == block_id else block for block in blocks]


def _bar(progress: float) -> str:
    filled = round(max(0.0, min(1.0, progress)) * PROGRESS_BAR_CELLS)
    return "▰" * filled + "▱" * (PROGRESS_BAR_CELLS - filled)


def objective_lines(objectives: list[ObjectiveProgress]) -> str:
    return "\n".join(
        f"{PROGRESS_MARKS.get(o.status, '')} {_bar(o.progress)} {o.progress:.0%} {escape(truncate(o.objective, 120))}"
        f" ({o.milestones_done}/{o.milestones_total} milestones)"
        for o in objectives
    )


def progress_line(progress: ObjectiveProgress) -> str:
    """One objective's progress and what it rests on: "▰▰▰▱… *30%* behind · milestones 1/4 ·
    metrics at 45% of target" (metrics only when the objective has a measurable one)."""
    basis = f"milestones {progress.milestones_done}/{progress.milestones_total}"
    if progress.metric_progress is not None:
        basis += f" · metrics at {progress.metric_progress:.0%} of target"
    else:
        basis += " · no measurable metric yet"
    return (
        f"{PROGRESS_MARKS.get(progress.status, '')} {_bar(progress.progress)} *{progress.progress:.0%}* "
        f"{PROGRESS_LABELS.get(progress.status, progress.status)} · {basis}"
    )


def progress_summary(objectives: list[ObjectiveProgress]) -> str:
    """A plan's objectives in one line for App Home: "Objectives 2/5 on track · 40% complete"."""
    if not objectives:
        return "No objectives yet"
    on_track = sum(1 for o in objectives if o.status in ("complete", "on_track"))
    overall = sum(o.progress for o in objectives) / len(objectives)
    return f"Objectives {on_track}/{len(objectives)} on track · {overall:.0%} complete"


def _view_plan(plan_id: str) -> ActionsBlock:
    return ActionsBlock(
        elements=[
            ButtonElement(text=plain("View plan", MAX_BUTTON_TEXT), action_id=ids.VIEW_PLAN, value=plan_id)
        ]
    )


def qbr_reminder_blocks(reminder: QBRReminder) -> list[Block]:
    when = reminder.qbr_date.strftime("%a %b %-d")
    days = "today" if reminder.days_until == 0 else f"in {reminder.days_until} days"
    blocks: list[Block] = [
        HeaderBlock(text=plain(f"QBR {days}: {reminder.customer_name}", MAX_HEADER_TEXT)),
        SectionBlock(text=mrkdwn(f"*{reminder.quarter} QBR on {when}* · focus: {escape(reminder.focus)}")),
        SectionBlock(text=mrkdwn("*Objectives*\n" + (objective_lines(reminder.prep.objectives) or "none"))),
    ]
    risks = "\n".join(f"• {escape(r)}" for r in reminder.prep.risks) or "• no open high risks"
    wins = "\n".join(f"• {escape(w)}" for w in reminder.prep.wins) or "• none recorded yet"
    blocks.append(SectionBlock(text=mrkdwn(f"*Risks to address*\n{risks}", MAX_SECTION_TEXT)))
    blocks.append(SectionBlock(text=mrkdwn(f"*Wins to celebrate*\n{wins}", MAX_SECTION_TEXT)))
    blocks.append(_view_plan(reminder.plan_id))
    return fit_blocks(blocks, MAX_BLOCKS_PER_MESSAGE)


def qbr_reminder_text(reminder: QBRReminder) -> str:
    return f"QBR with {reminder.customer_name} on {reminder.qbr_date.isoformat()}: your prep summary"


def renewal_reminder_blocks(reminder: RenewalReminder) -> list[Block]:
    health = "n/a" if reminder.health_score is None else str(reminder.health_score)
    risks = reminder.open_high_risks
    facts = (
        f"Renews *{reminder.renewal_date.strftime('%b %-d, %Y')}* ({reminder.days_left} days) · "
        f"ARR {money(reminder.arr)} · health {health} · "
        f"{risks} open high risk{'s' if risks != 1 else ''} · plan {escape(reminder.plan_status)}"
    )
    return [
        HeaderBlock(
            text=plain(f"Renewal in {reminder.threshold} days: {reminder.customer_name}", MAX_HEADER_TEXT)
        ),
        SectionBlock(text=mrkdwn(facts)),
        _view_plan(reminder.plan_id),
    ]


def renewal_reminder_text(reminder: RenewalReminder) -> str:
    return (
        f"{reminder.customer_name} renews in {reminder.days_left} days ({reminder.renewal_date.isoformat()})"
    )


def proposal_blocks(proposal: Proposal) -> list[Block]:
    reasons = "\n".join(f"• {escape(r.text)}" for r in proposal.reasons)
    diff_lines = proposal.diff[:MAX_DIFF_LINES]
    diff = "\n".join(escape(line) for line in diff_lines) or "no changes to the plan text"
    if len(proposal.diff) > MAX_DIFF_LINES:
        diff += f"\n… {len(proposal.diff) - MAX_DIFF_LINES} more changes"
    return [
        HeaderBlock(text=plain(f"{proposal.customer_name}: the account changed", MAX_HEADER_TEXT)),
        SectionBlock(text=mrkdwn(f"*What changed since the plan was approved*\n{reasons}")),
        SectionBlock(text=mrkdwn(f"*Proposed revision*\n```{truncate(diff, MAX_SECTION_TEXT - 40)}```")),
        ContextBlock(
            elements=[mrkdwn("Accepting creates a new draft version that goes through approval again.")]
        ),
        ActionsBlock(
            block_id=PROPOSAL_ACTIONS_BLOCK,
            elements=[
                ButtonElement(
                    text=plain("Accept", MAX_BUTTON_TEXT),
                    action_id=PROPOSAL_ACCEPT,
                    value=proposal.id,
                    style="primary",
                ),
                ButtonElement(
                    text=plain("Dismiss", MAX_BUTTON_TEXT), action_id=PROPOSAL_DISMISS, value=proposal.id
                ),
            ],
        ),
    ]


def proposal_text(proposal: Proposal) -> str:
    return f"{proposal.customer_name} changed: a revised plan is proposed ({len(proposal.reasons)} reasons)"


def _rate(rate: Rate, target: float | None = None) -> str:
    value = rate.rate
    if value is None:
        return "n/a (no accounts)"
    mark = "" if target is None else (" :white_check_mark:" if value >= target else f" (target {target:.0%})")
    return f"*{value:.0%}* ({rate.hits}/{rate.total}){mark}"


def stats_blocks(stats: OutcomeStats) -> list[Block]:
    """`/accountplan stats`: the headline rates against the PRD targets, plan-to-outcome with the
    counts behind each rate, and who has overdue actions."""
    blocks: list[Block] = [
        HeaderBlock(text=plain(f"Account plan outcomes · {stats.as_of.isoformat()}", MAX_HEADER_TEXT)),
        SectionBlock(
            fields=[
                mrkdwn(f"*Plan coverage*\n{_rate(stats.coverage, stats.coverage_target)}"),
                mrkdwn(f"*Objective completion*\n{_rate(stats.completion, stats.completion_target)}"),
            ]
        ),
        DividerBlock(),
        SectionBlock(
            text=mrkdwn(
                "*Plan to outcome* (accounts with vs without an approved plan)\n"
                f"Renewal rate: {_rate(stats.with_plan.renewal)} vs {_rate(stats.without_plan.renewal)}\n"
                f"Expansion rate: {_rate(stats.with_plan.expansion)} vs {_rate(stats.without_plan.expansion)}"
            )
        ),
    ]
    if stats.overdue_by_csm:
        overdue = "\n".join(
            f"• {escape(csm)}: {count}" for csm, count in list(stats.overdue_by_csm.items())[:10]
        )
        blocks.append(SectionBlock(text=mrkdwn(f"*Overdue actions by CSM*\n{overdue}")))
    else:
        blocks.append(SectionBlock(text=mrkdwn("*Overdue actions*: none :tada:")))
    small = [g for g in (stats.with_plan, stats.without_plan) if 0 < g.renewal.total < 10]
    if small:
        blocks.append(
            ContextBlock(
                elements=[mrkdwn("_Fewer than 10 accounts behind a rate: read it as a hint, not a trend._")]
            )
        )
    return blocks


def stats_text(stats: OutcomeStats) -> str:
    coverage = stats.coverage.rate
    return "Plan outcomes" + (
        "" if coverage is None else f": {coverage:.0%} of accounts have an approved plan"
    )
