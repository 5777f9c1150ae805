"""The reviewer's DM and what follows it: what the manager decides on first (status chip, ARR,
renewal, top risks, what changed since the approved version, plan check findings), then View full
plan, then Approve / Request changes / Reject; after the decision View full plan stays and the
message says plainly who decided. Also the CSM's note in the plan's thread, the comment modal and
the review queue.

Button values carry only `plan_id:version`; everything else is read from the database on click.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    HeaderBlock,
    InputBlock,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.slack import ids
from bot.slack.blocks import symbols
from bot.slack.blocks.plan_summary import (
    SEVERITY_ORDER,
    coverage_label,
    health_text,
    plan_check_heading,
    renewal_text,
    review_findings,
    section_text,
    source_label,
    standing_of,
    target_text,
    who,
)
from bot.slack.blocks.text import context_line, escape, fit_blocks, money, mrkdwn, plain, truncate
from bot.slack.blocks.words import day, mention, plural, renewal_phrase, slack_time
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
VIEW_BLOCK_PREFIX = "approval_view:"
DECISION_BLOCK_PREFIX = "approval_actions:"
MAX_CHANGES_SHOWN = 8
MAX_FINDINGS_SHOWN = 5
TOP_RISKS = 3
RISK_CHARS = 160
MAX_QUEUE_SHOWN = 15
MAX_NOTIFICATION = 149
SEVERITY_LABELS = {"critical": "Critical", "high": "High", "medium": "Medium", "low": "Low"}

DECIDED_LABELS = {
    "approve": f"{symbols.DECISIONS['approve']} Approved",
    "request_changes": f"{symbols.DECISIONS['request_changes']} Changes requested",
    "reject": f"{symbols.DECISIONS['reject']} Rejected",
}
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


def person(slack_id: str | None, fallback: str) -> str:
    return mention(slack_id, fallback)


def _changes_text(request: ReviewRequest) -> str:
    if request.previously_approved_version is None:
        return "*What changed:* first submission; no approved version yet."
    lines = request.changes_since_approved
    if not lines:
        return f"*What changed since approved v{request.previously_approved_version}:* nothing in the plan's content."
    shown = "\n".join(f"• {escape(line)}" for line in lines[:MAX_CHANGES_SHOWN])
    more = f"\n_+{plural(len(lines) - MAX_CHANGES_SHOWN, 'more change')} in the full plan_" if len(lines) > MAX_CHANGES_SHOWN else ""
    return section_text(f"*What changed since approved v{request.previously_approved_version}*\n{shown}{more}")


def _risks_text(request: ReviewRequest) -> str:
    risks = sorted(
        request.document.risk_mitigation.identified_risks, key=lambda r: SEVERITY_ORDER.get(r.severity, 9)
    )
    if not risks:
        return "*Top risks:* none identified"
    lines = [
        f"• *{SEVERITY_LABELS.get(r.severity, escape(r.severity))}* · {escape(truncate(r.risk, RISK_CHARS))}"
        for r in risks[:TOP_RISKS]
    ]
    more = f"\n_+{plural(len(risks) - TOP_RISKS, 'more risk')} in the full plan_" if len(risks) > TOP_RISKS else ""
    return section_text("*Top risks*\n" + "\n".join(lines) + more)


def _findings_text(request: ReviewRequest) -> str | None:
    findings = review_findings(request.document)
    if not findings:
        return None
    lines = [
        f"• {'*Error* · ' if f.get('severity') == 'error' else ''}{escape(truncate(str(f.get('message') or ''), RISK_CHARS))}"
        for f in findings[:MAX_FINDINGS_SHOWN]
    ]
    more = (
        f"\n_+{plural(len(findings) - MAX_FINDINGS_SHOWN, 'more finding')} in the full plan_"
        if len(findings) > MAX_FINDINGS_SHOWN
        else ""
    )
    return section_text(f"{plan_check_heading(findings)}\n" + "\n".join(lines) + more)


def _review_body(request: ReviewRequest, csm_slack_id: str | None) -> list[Block]:
    """What the manager decides on, most important first."""
    document = request.document
    facts = request.facts
    level = standing_of(document, facts)
    csm = person(csm_slack_id, request.csm.label if request.csm else "the CSM")
    blocks: list[Block] = [
        HeaderBlock(
            text=plain(
                f"{symbols.standing_chip(level)} · {document.customer_name} {document.fiscal_year}", MAX_HEADER_TEXT
            )
        ),
        context_line(
            f"Plan v{request.version} from {csm}, for your approval · {source_label(document)} · "
            f"{coverage_label(document)}"
        ),
        SectionBlock(
            fields=[
                mrkdwn(f"*ARR*\n{money(document.expansion_plan.current_arr)}"),
                mrkdwn(f"*Renewal*\n{renewal_text(facts)}"),
                mrkdwn(f"*Health*\n{health_text(facts)}"),
                mrkdwn(f"*Target ARR*\n{target_text(document)}"),
            ]
        ),
        SectionBlock(text=mrkdwn(_risks_text(request))),
        SectionBlock(text=mrkdwn(_changes_text(request))),
    ]
    findings = _findings_text(request)
    if findings:
        blocks.append(SectionBlock(text=mrkdwn(findings)))
    blocks.append(
        ActionsBlock(
            block_id=f"{VIEW_BLOCK_PREFIX}{request.plan_id}",
            elements=[
                ButtonElement(
                    text=plain("View full plan", MAX_BUTTON_TEXT), action_id=ids.VIEW_PLAN, value=request.plan_id
                )
            ],
        )
    )
    return blocks


def decision_buttons(plan_id: str, version: int) -> list[ButtonElement]:
    value = decision_value(plan_id, version)
    return [
        ButtonElement(text=plain("Approve", MAX_BUTTON_TEXT), action_id=APPROVE, value=value, style="primary"),
        ButtonElement(text=plain("Request changes", MAX_BUTTON_TEXT), action_id=REQUEST_CHANGES, value=value),
        ButtonElement(text=plain("Reject", MAX_BUTTON_TEXT), action_id=REJECT, value=value, style="danger"),
    ]


def review_request_blocks(request: ReviewRequest, *, csm_slack_id: str | None) -> list[Block]:
    """The reviewer's DM while the decision is open."""
    buttons = ActionsBlock(
        block_id=f"{DECISION_BLOCK_PREFIX}{request.plan_id}",
        elements=decision_buttons(request.plan_id, request.version),
    )
    return fit_blocks([*_review_body(request, csm_slack_id), buttons], MAX_BLOCKS_PER_MESSAGE)


def review_request_text(request: ReviewRequest) -> str:
    """The notification: "TechCorp Industries FY2027 plan v3 needs your approval: at risk, renewal Aug 31"."""
    level = symbols.STANDING_LABELS[standing_of(request.document, request.facts)].lower()
    facts = request.facts
    tail = f" plan v{request.version} needs your approval: {level}"
    if facts is not None and facts.renewal_date is not None:
        tail += f", renewal {day(facts.renewal_date, today=facts.today)}"
    document = request.document
    room = MAX_NOTIFICATION - len(tail) - len(document.fiscal_year) - 1
    return f"{truncate(escape(document.customer_name), max(room, 10))} {escape(document.fiscal_year)}{tail}"


@dataclass(frozen=True)
class DecisionNote:
    action: str
    decider_slack_id: str | None
    decider_name: str
    at: datetime
    comment: str | None


def decision_line(note: DecisionNote) -> str:
    """"✅ Approved by @maya · Dec 4 at 14:02", and the comment quoted."""
    decider = person(note.decider_slack_id, note.decider_name)
    line = f"{DECIDED_LABELS[note.action]} by {decider} · {slack_time(note.at)}"
    return line + (f"\n> {escape(note.comment)}" if note.comment else "")


def decided_text(note: DecisionNote, customer_name: str, fiscal_year: str, version: int) -> str:
    """The DM's notification once decided: "Approved by @maya: TechCorp Industries FY2027 v3"."""
    label = DECIDED_LABELS[note.action].split(" ", 1)[1]
    decider = person(note.decider_slack_id, note.decider_name)
    return truncate(f"{label} by {decider}: {escape(customer_name)} {escape(fiscal_year)} v{version}", MAX_NOTIFICATION)


def decided_blocks(request: ReviewRequest, note: DecisionNote, *, csm_slack_id: str | None) -> list[Block]:
    """The same DM after the decision: View full plan stays, the decision buttons give way to who
    decided and when."""
    body = _review_body(request, csm_slack_id)
    decided = SectionBlock(block_id=f"{DECISION_BLOCK_PREFIX}{request.plan_id}", text=mrkdwn(decision_line(note)))
    return fit_blocks([*body, decided], MAX_BLOCKS_PER_MESSAGE)


def csm_notice(
    customer_name: str, fiscal_year: str, version: int, note: DecisionNote, *, direct: bool = False
) -> str:
    """What the CSM reads in the plan's thread (or, with `direct`, in a DM): who decided, and what
    to do next. Only the decider is named: the note is about their decision."""
    decider = person(note.decider_slack_id, note.decider_name)
    plan = f"*{escape(customer_name)} {escape(fiscal_year)}* v{version}"
    if direct:
        plan = f"your plan {plan}"
    if note.action == "approve":
        text = f"{DECIDED_LABELS['approve']} by {decider}: {plan} is now the plan in force."
    elif note.action == "request_changes":
        text = (
            f"{DECIDED_LABELS['request_changes']} by {decider} on {plan}. Change the plan (reply in this "
            "thread in plain words, or *Edit objective*), then submit it again."
        )
    else:
        text = f"{DECIDED_LABELS['reject']} by {decider}: {plan}."
    if note.comment:
        text += f"\n> {escape(note.comment)}"
    return truncate(text, MAX_MESSAGE_TEXT)


def csm_notice_text(customer_name: str, fiscal_year: str, version: int, note: DecisionNote) -> str:
    """The thread note's notification: who decided what, short ("Changes requested by @maya:
    Jasper Energy FY2027 v1"); the note itself says what to do."""
    return decided_text(note, customer_name, fiscal_year, version)


def csm_notice_blocks(plan_id: str, text: str, action: str) -> list[Block]:
    """The note with the next step's buttons: the full plan, and Submit once it has been changed."""
    buttons = [
        ButtonElement(text=plain("View full plan", MAX_BUTTON_TEXT), action_id=ids.VIEW_PLAN, value=plan_id)
    ]
    if action in ("request_changes", "reject"):
        buttons.append(
            ButtonElement(text=plain("Submit for approval", MAX_BUTTON_TEXT), action_id=ids.SUBMIT_PLAN, value=plan_id)
        )
    return [SectionBlock(text=mrkdwn(text)), ActionsBlock(block_id=f"decision_next:{plan_id}", elements=buttons)]


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


def queue_item_text(row: PlanRow, today: date) -> str:
    """One waiting plan: its standing, whose it is, and when it renews."""
    renewal = renewal_phrase(row.renewal_date, today) if row.renewal_date is not None else "no renewal date on record"
    return (
        f"{symbols.standing_chip(row.risk_level)} · *{escape(row.customer_name)} {escape(row.fiscal_year)}* "
        f"v{row.version}\nfrom {who(row.csm, 'no CSM on record')} · {renewal}"
    )


def queue_item_blocks(row: PlanRow, today: date) -> list[Block]:
    """A waiting plan with the same decisions as the reviewer's DM. Lists carry no coloured buttons:
    a column of green Approve buttons would shout; the DM keeps the one primary button."""
    value = decision_value(row.plan_id, row.version)
    return [
        SectionBlock(text=mrkdwn(queue_item_text(row, today))),
        ActionsBlock(
            block_id=f"queue_actions:{row.plan_id}",
            elements=[
                ButtonElement(text=plain("View full plan", MAX_BUTTON_TEXT), action_id=ids.VIEW_PLAN, value=row.plan_id),
                ButtonElement(text=plain("Approve", MAX_BUTTON_TEXT), action_id=APPROVE, value=value),
                ButtonElement(text=plain("Request changes", MAX_BUTTON_TEXT), action_id=REQUEST_CHANGES, value=value),
                ButtonElement(text=plain("Reject", MAX_BUTTON_TEXT), action_id=REJECT, value=value),
            ],
        ),
    ]


def queue_blocks(rows: list[PlanRow], today: date) -> list[Block]:
    """`/accountplan queue`: each waiting plan, most urgent first, with the decision buttons."""
    if not rows:
        return [SectionBlock(text=mrkdwn("Nothing is waiting for your approval."))]
    blocks: list[Block] = [SectionBlock(text=mrkdwn(f"*Waiting for your approval* ({len(rows)})"))]
    for row in rows[:MAX_QUEUE_SHOWN]:
        blocks += queue_item_blocks(row, today)
    if len(rows) > MAX_QUEUE_SHOWN:
        blocks.append(context_line(f"_{len(rows) - MAX_QUEUE_SHOWN} more in App Home_"))
    return fit_blocks(blocks, MAX_BLOCKS_PER_MESSAGE)


def queue_text(rows: list[PlanRow]) -> str:
    return f"{plural(len(rows), 'plan')} waiting for your approval" if rows else "Nothing is waiting for your approval"
