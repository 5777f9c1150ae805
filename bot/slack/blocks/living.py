"""Block Kit for living plans: the weekly action digest (done / snooze buttons updated in place),
QBR and renewal reminders, change proposals (Accept / Dismiss) and the outcome stats."""

from __future__ import annotations

import json
from datetime import date, timedelta
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
from bot.slack.blocks import symbols
from bot.slack.blocks.text import escape, fit_blocks, money, mrkdwn, plain, truncate
from bot.slack.blocks.words import day, plural, weekday_day
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
DUE_SOON_DAYS = 7
MAX_DIFF_LINES = 15
PROGRESS_BAR_CELLS = 10
PROGRESS_MARKS = symbols.PROGRESS
PROGRESS_LABELS = symbols.PROGRESS_LABELS


def action_value(item: TrackedAction) -> str:
    """What a digest button carries: plan, position and a fingerprint of the action's text."""
    return json.dumps({"p": item.plan_id, "i": item.index, "f": action_fingerprint(item.action)})


def parse_action_value(value: str) -> tuple[str, int, str]:
    data = json.loads(value)
    return str(data["p"]), int(data["i"]), str(data["f"])


def due_phrase(due: date, today: date) -> str:
    """When an open action is due, with its due-ness symbol: "3 days overdue (due Mar 3)", "due
    today", "due Thu Mar 12" (within the week), "due Mar 20"."""
    days = (today - due).days
    when = day(due, today=today)
    if days > 0:
        return f"{symbols.OVERDUE} {plural(days, 'day')} overdue (due {when})"
    if days == 0:
        return f"{symbols.DUE_SOON} due today"
    if days >= -DUE_SOON_DAYS:
        return f"{symbols.DUE_SOON} due {weekday_day(due)}"
    return f"{symbols.DUE_LATER} due {when}"


def owner_phrase(owner: str) -> str:
    """Whose action it is, said to the CSM reading their own digest: the plan's "CSM" is "you"."""
    lowered = owner.strip().lower()
    if lowered in ("csm", "the csm", "owner csm"):
        return "yours"
    if lowered == "both":
        return "you and the customer"
    if lowered == "customer":
        return "the customer's"
    return f"owner {escape(owner)}"


def digest_blocks(items: list[TrackedAction], today: date | None = None) -> list[Block]:
    """The weekly digest: at most MAX_DIGEST_ITEMS actions, each with Done / Snooze buttons (plain
    ones: a column of green buttons would shout). Callers send nothing when `items` is empty."""
    shown = items[:MAX_DIGEST_ITEMS]
    overdue = sum(1 for i in items if i.overdue)
    summary = f"{plural(len(items), 'action')} due this week"
    if overdue:
        summary += f", {overdue} overdue"
    blocks: list[Block] = [HeaderBlock(text=plain("Your plan actions this week", MAX_HEADER_TEXT))]
    blocks.append(SectionBlock(text=mrkdwn(summary + (", the most urgent first:" if shown else ""))))
    for n, item in enumerate(shown):
        reference = today or item.due_date + timedelta(days=item.days_overdue)
        text = (
            f"*{escape(item.customer_name)}* · {escape(item.action)}\n"
            f"{due_phrase(item.due_date, reference)} · {owner_phrase(item.owner)}"
        )
        if item.status == ActionStatus.SNOOZED:
            text += " · snoozed before"
        blocks.append(SectionBlock(block_id=f"{ITEM_BLOCK_PREFIX}{n}", text=mrkdwn(text)))
        blocks.append(
            ActionsBlock(
                block_id=f"{ITEM_ACTIONS_PREFIX}{n}",
                elements=[
                    ButtonElement(
                        text=plain("Mark done", MAX_BUTTON_TEXT), action_id=ACTION_DONE, value=action_value(item)
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
    return f"You have {plural(len(items), 'plan action')} due this week (week of {day(week_of)})"


def replace_buttons(blocks: list[dict[str, Any]], block_id: str, note: str) -> list[dict[str, Any]]:
    """The message as it was, with one buttons block replaced by a note: how a click is answered
    in place without recomputing (or reordering) the rest of the message."""
    replaced = ContextBlock(block_id=block_id, elements=[mrkdwn(note)]).to_dict()
    return [replaced if block.get("block_id") == block_id else block for block in blocks]


def replace_block(blocks: list[dict[str, Any]], block_id: str, new: list[Block]) -> list[dict[str, Any]]:
    """The message as it was, with the block `block_id` replaced by `new` (possibly several)."""
    out: list[dict[str, Any]] = []
    for block in blocks:
        out += [b.to_dict() for b in new] if block.get("block_id") == block_id else [block]
    return out


def settle_digest_item(blocks: list[dict[str, Any]], actions_block_id: str, note: str, *, done: bool) -> list[dict[str, Any]]:
    """A digest item answered in place: its buttons go, its when-line becomes `note`, and a done
    item is struck through (it is no longer "overdue")."""
    n = actions_block_id.removeprefix(ITEM_ACTIONS_PREFIX)
    item_id = f"{ITEM_BLOCK_PREFIX}{n}"
    out: list[dict[str, Any]] = []
    for block in blocks:
        block_id = block.get("block_id")
        if block_id == actions_block_id:
            continue
        if block_id == item_id and isinstance(block.get("text"), dict):
            first = str(block["text"].get("text", "")).split("\n", 1)[0]
            what = f"~{first}~" if done else first
            block = SectionBlock(block_id=item_id, text=mrkdwn(f"{what}\n{note}")).to_dict()
        out.append(block)
    return out


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
            ButtonElement(text=plain("View full plan", MAX_BUTTON_TEXT), action_id=ids.VIEW_PLAN, value=plan_id)
        ]
    )


def qbr_reminder_blocks(reminder: QBRReminder) -> list[Block]:
    when = weekday_day(reminder.qbr_date)
    days = _in_days(reminder.days_until)
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
    return f"QBR with {reminder.customer_name} on {weekday_day(reminder.qbr_date)}: your prep summary"


def renewal_reminder_blocks(reminder: RenewalReminder) -> list[Block]:
    """Said to the account's CSM: the renewal's date, the days left (the real count, not the
    reminder's threshold) and what stands in its way."""
    health = "not on record" if reminder.health_score is None else str(reminder.health_score)
    risks = reminder.open_high_risks
    status = reminder.plan_status.replace("_", " ")
    facts = (
        f"*{reminder.customer_name}* renews *{day(reminder.renewal_date)}*\n"
        f"ARR {money(reminder.arr)} · health {health} · "
        f"{plural(risks, 'open high risk')} · your plan is {escape(status)}"
    )
    return [
        HeaderBlock(text=plain(f"Renewal {_in_days(reminder.days_left)}: {reminder.customer_name}", MAX_HEADER_TEXT)),
        SectionBlock(text=mrkdwn(facts)),
        _view_plan(reminder.plan_id),
    ]


def _in_days(days: int) -> str:
    return "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"


def renewal_reminder_text(reminder: RenewalReminder) -> str:
    return f"{reminder.customer_name} renews {_in_days(reminder.days_left)} ({day(reminder.renewal_date)})"


PROPOSAL_VIEW = "living_proposal_view"


def proposal_blocks(proposal: Proposal) -> list[Block]:
    reasons = "\n".join(f"• {escape(r.text)}" for r in proposal.reasons)
    diff_lines = proposal.diff[:MAX_DIFF_LINES]
    diff = "\n".join(f"• {escape(line)}" for line in diff_lines) or "no changes to the plan text"
    if len(proposal.diff) > MAX_DIFF_LINES:
        diff += f"\n_+{plural(len(proposal.diff) - MAX_DIFF_LINES, 'more change')} in the proposed plan_"
    return [
        HeaderBlock(text=plain(f"{proposal.customer_name}: the account changed", MAX_HEADER_TEXT)),
        SectionBlock(text=mrkdwn(f"*What changed since the plan was approved*\n{reasons}")),
        SectionBlock(text=mrkdwn(truncate(f"*Proposed revision*\n{diff}", MAX_SECTION_TEXT))),
        ContextBlock(
            elements=[mrkdwn("Accepting saves it as a new draft, which goes through approval again.")]
        ),
        ActionsBlock(
            block_id=PROPOSAL_ACTIONS_BLOCK,
            elements=[
                ButtonElement(
                    text=plain("View proposed plan", MAX_BUTTON_TEXT), action_id=PROPOSAL_VIEW, value=proposal.id
                ),
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


def accepted_blocks(plan_id: str, note: str) -> list[Block]:
    """What replaces Accept / Dismiss once accepted: the flow goes on to the approval."""
    return [
        SectionBlock(block_id=PROPOSAL_ACTIONS_BLOCK, text=mrkdwn(note)),
        ActionsBlock(
            block_id=f"{PROPOSAL_ACTIONS_BLOCK}_next",
            elements=[
                ButtonElement(
                    text=plain("Submit for approval", MAX_BUTTON_TEXT),
                    action_id=ids.SUBMIT_PLAN,
                    value=plan_id,
                    style="primary",
                ),
                ButtonElement(text=plain("View full plan", MAX_BUTTON_TEXT), action_id=ids.VIEW_PLAN, value=plan_id),
            ],
        ),
    ]


def proposal_text(proposal: Proposal) -> str:
    return f"{proposal.customer_name} changed: a revised plan is proposed ({plural(len(proposal.reasons), 'reason')})"


def _rate(rate: Rate, target: float | None = None) -> str:
    value = rate.rate
    if value is None:
        return "n/a (no accounts)"
    mark = "" if target is None else (f" {symbols.DONE}" if value >= target else f" (target {target:.0%})")
    return f"*{value:.0%}* ({rate.hits}/{rate.total}){mark}"


def stats_blocks(stats: OutcomeStats) -> list[Block]:
    """`/accountplan stats`: the headline rates against the PRD targets, plan-to-outcome with the
    counts behind each rate, and who has overdue actions."""
    blocks: list[Block] = [
        HeaderBlock(text=plain(f"Account plan outcomes · {day(stats.as_of)}", MAX_HEADER_TEXT)),
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
            f"• {escape(stats.csm_label(csm))}: {count}" for csm, count in list(stats.overdue_by_csm.items())[:10]
        )
        blocks.append(SectionBlock(text=mrkdwn(f"*Overdue actions by CSM*\n{overdue}")))
    else:
        blocks.append(SectionBlock(text=mrkdwn("*Overdue actions*: none")))
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
