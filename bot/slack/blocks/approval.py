"""The reviewer's DM (summary, what changed since the approved version, Approve / Request changes /
Reject), the decided state that replaces its buttons, the comment modal, and the review queue.

Button values carry only `plan_id:version`; everything else is read from the database on click.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.slack import ids
from bot.slack.blocks.plan_summary import objective_text, plan_title, section_text, status_label
from bot.slack.blocks.text import escape, fit_blocks, mrkdwn, percent, plain, truncate
from bot.slack.limits import (
    MAX_BLOCKS_PER_MESSAGE,
    MAX_BUTTON_TEXT,
    MAX_HEADER_TEXT,
    MAX_INPUT_TEXT,
    MAX_MESSAGE_TEXT,
    MAX_MODAL_SUBMIT,
    MAX_MODAL_TITLE,
)
from bot.slack.services.book import PlanRow
from bot.slack.services.review_requests import ReviewRequest

APPROVE = "approval_approve"
REQUEST_CHANGES = "approval_request_changes"
REJECT = "approval_reject"
DECISION_BUTTONS: dict[str, str] = {APPROVE: "approve", REQUEST_CHANGES: "request_changes", REJECT: "reject"}
COMMENT_VIEW = "approval_comment_modal"
COMMENT_BLOCK = "approval_comment_block"
COMMENT_INPUT = "approval_comment_input"
MAX_CHANGES_SHOWN = 12
MAX_QUEUE_SHOWN = 15

DECIDED_LABELS = {
    "approve": ":white_check_mark: Approved",
    "request_changes": ":leftwards_arrow_with_hook: Changes requested",
    "reject": ":no_entry: Rejected",
}
DECISION_VERBS = {"approve": "approved", "request_changes": "requested changes to", "reject": "rejected"}
MODAL_TEXT = {
    "request_changes": ("Request changes", "Send back", "What should the CSM change?"),
    "reject": ("Reject plan", "Reject", "Why is the plan rejected?"),
}


def decision_value(plan_id: str, version: int) -> str:
    return f"{plan_id}:{version}"


def parse_decision_value(value: str) -> tuple[str, int]:
    """`plan_id:version` from a button; ValueError for anything else (never trusted further)."""
    plan_id, _, version = value.rpartition(":")
    if not plan_id or not version.isdigit():
        raise ValueError(f"not a decision button value: {value!r}")
    return plan_id, int(version)


def slack_time(moment: datetime) -> str:
    """A time Slack shows in each reader's own timezone, with a UTC fallback."""
    fallback = moment.strftime("%H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def person(slack_id: str | None, fallback: str) -> str:
    return f"<@{slack_id}>" if slack_id else escape(fallback)


def _changes_text(request: ReviewRequest) -> str:
    if request.previously_approved_version is None:
        return "*What changed:* first submission; no approved version yet."
    lines = request.changes_since_approved
    if not lines:
        return f"*What changed since approved v{request.previously_approved_version}:* nothing in the plan's content."
    shown = "\n".join(f"• {escape(line)}" for line in lines[:MAX_CHANGES_SHOWN])
    more = f"\n_+{len(lines) - MAX_CHANGES_SHOWN} more changes_" if len(lines) > MAX_CHANGES_SHOWN else ""
    return section_text(
        f"*What changed since approved v{request.previously_approved_version}*\n{shown}{more}"
    )


def _review_body(request: ReviewRequest, csm_slack_id: str | None) -> list[Block]:
    document = request.document
    csm = person(csm_slack_id, request.csm.label if request.csm else "the CSM")
    blocks: list[Block] = [
        HeaderBlock(text=plain(f"Review: {plan_title(document)}", MAX_HEADER_TEXT)),
        ContextBlock(
            elements=[
                mrkdwn(
                    f"Submitted by {csm} · v{request.version} · confidence {percent(document.ai_confidence)}"
                )
            ]
        ),
        SectionBlock(text=mrkdwn(section_text(f"*Executive summary*\n{escape(document.executive_summary)}"))),
        SectionBlock(text=mrkdwn(_changes_text(request))),
        DividerBlock(),
    ]
    blocks += [
        SectionBlock(text=mrkdwn(objective_text(i, o)))
        for i, o in enumerate(document.strategic_objectives, 1)
    ]
    return blocks


def review_request_blocks(request: ReviewRequest, *, csm_slack_id: str | None) -> list[Block]:
    """The reviewer's DM while the decision is open."""
    value = decision_value(request.plan_id, request.version)
    buttons = ActionsBlock(
        block_id=f"approval_actions:{request.plan_id}",
        elements=[
            ButtonElement(
                text=plain("Approve", MAX_BUTTON_TEXT), action_id=APPROVE, value=value, style="primary"
            ),
            ButtonElement(
                text=plain("Request changes", MAX_BUTTON_TEXT), action_id=REQUEST_CHANGES, value=value
            ),
            ButtonElement(
                text=plain("Reject", MAX_BUTTON_TEXT), action_id=REJECT, value=value, style="danger"
            ),
            ButtonElement(
                text=plain("View full plan", MAX_BUTTON_TEXT), action_id=ids.VIEW_PLAN, value=request.plan_id
            ),
        ],
    )
    return fit_blocks([*_review_body(request, csm_slack_id), buttons], MAX_BLOCKS_PER_MESSAGE)


def review_request_text(request: ReviewRequest) -> str:
    return truncate(
        f"{escape(plan_title(request.document))} v{request.version} is waiting for your approval",
        MAX_MESSAGE_TEXT,
    )


@dataclass(frozen=True)
class DecisionNote:
    action: str
    decider_slack_id: str | None
    decider_name: str
    at: datetime
    comment: str | None


def decision_line(note: DecisionNote) -> str:
    who = person(note.decider_slack_id, note.decider_name)
    line = f"{DECIDED_LABELS[note.action]} by {who} at {slack_time(note.at)}"
    return line + (f"\n>{escape(note.comment)}" if note.comment else "")


def decided_blocks(request: ReviewRequest, note: DecisionNote, *, csm_slack_id: str | None) -> list[Block]:
    """The same DM after the decision: the buttons are gone, the decision says who and when."""
    body = _review_body(request, csm_slack_id)
    return fit_blocks([*body, SectionBlock(text=mrkdwn(decision_line(note)))], MAX_BLOCKS_PER_MESSAGE)


def csm_notice(
    customer_name: str, fiscal_year: str, version: int, note: DecisionNote, csm_slack_id: str | None
) -> str:
    """What the CSM reads in the plan's thread."""
    who = person(note.decider_slack_id, note.decider_name)
    csm = f"<@{csm_slack_id}> " if csm_slack_id else ""
    verb = DECISION_VERBS[note.action]
    text = f"{csm}{who} {verb} *{escape(customer_name)} {escape(fiscal_year)}* v{version}."
    if note.action == "approve":
        text += " It is now the plan in force."
    elif note.action == "request_changes":
        text += " Reply here with the changes, then submit it again."
    if note.comment:
        text += f"\n>{escape(note.comment)}"
    return truncate(text, MAX_MESSAGE_TEXT)


def comment_modal(
    action: str, plan_id: str, version: int, customer_name: str, *, channel: str | None = None
) -> View:
    """Request changes / Reject ask for the reason first; `channel` is where the click came from."""
    title, submit, label = MODAL_TEXT[action]
    metadata = json.dumps({"action": action, "plan_id": plan_id, "version": version, "channel": channel})
    return View(
        type="modal",
        callback_id=COMMENT_VIEW,
        private_metadata=metadata,
        title=plain(title, MAX_MODAL_TITLE),
        submit=plain(submit, MAX_MODAL_SUBMIT),
        close=plain("Cancel", MAX_MODAL_SUBMIT),
        blocks=[
            SectionBlock(text=mrkdwn(f"*{escape(customer_name)}* · v{version}")),
            InputBlock(
                block_id=COMMENT_BLOCK,
                label=plain(label, 2000),
                element=PlainTextInputElement(
                    action_id=COMMENT_INPUT, multiline=True, max_length=MAX_INPUT_TEXT
                ),
            ),
        ],
    )


@dataclass(frozen=True)
class CommentTarget:
    action: str
    plan_id: str
    version: int
    channel: str | None


def parse_comment_metadata(metadata: str) -> CommentTarget:
    data = json.loads(metadata)
    action = str(data["action"])
    if action not in MODAL_TEXT:
        raise ValueError(f"not a comment action: {action!r}")
    return CommentTarget(action, str(data["plan_id"]), int(data["version"]), data.get("channel") or None)


def queue_blocks(rows: list[PlanRow]) -> list[Block]:
    """`/accountplan queue`: each waiting plan with the same decision buttons as the DM."""
    if not rows:
        return [SectionBlock(text=mrkdwn("Nothing is waiting for your approval. :tada:"))]
    blocks: list[Block] = [SectionBlock(text=mrkdwn(f"*Waiting for your approval* ({len(rows)})"))]
    for row in rows[:MAX_QUEUE_SHOWN]:
        confidence = percent(row.confidence) if row.confidence is not None else "n/a"
        value = decision_value(row.plan_id, row.version)
        blocks += [
            SectionBlock(
                text=mrkdwn(
                    f"*{escape(row.customer_name)} {escape(row.fiscal_year)}* · {status_label(row.status)} · "
                    f"v{row.version} · confidence {confidence}"
                )
            ),
            ActionsBlock(
                block_id=f"queue_actions:{row.plan_id}",
                elements=[
                    ButtonElement(
                        text=plain("View plan", MAX_BUTTON_TEXT), action_id=ids.VIEW_PLAN, value=row.plan_id
                    ),
                    ButtonElement(
                        text=plain("Approve", MAX_BUTTON_TEXT),
                        action_id=APPROVE,
                        value=value,
                        style="primary",
                    ),
                    ButtonElement(
                        text=plain("Request changes", MAX_BUTTON_TEXT), action_id=REQUEST_CHANGES, value=value
                    ),
                    ButtonElement(
                        text=plain("Reject", MAX_BUTTON_TEXT), action_id=REJECT, value=value, style="danger"
                    ),
                ],
            ),
        ]
    if len(rows) > MAX_QUEUE_SHOWN:
        blocks.append(ContextBlock(elements=[mrkdwn(f"_{len(rows) - MAX_QUEUE_SHOWN} more in App Home_")]))
    return fit_blocks(blocks, MAX_BLOCKS_PER_MESSAGE)
