"""The plan card: what a CSM sees in the channel once a plan is drafted or revised, readable in five
seconds. A status chip and the account in the header; the numbers a CSM or manager looks for first
(ARR, health and its trend, renewal, target ARR, CSM, data coverage) as fields; the plan's point in
one sentence; the top three objectives; the plan check; the buttons. At most `MAX_CARD_BLOCKS`
blocks; everything else lives in the full-plan modal.
"""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, HeaderBlock, SectionBlock

from bot.slack import ids
from bot.slack.blocks import symbols
from bot.slack.blocks.text import context_line, escape, money, mrkdwn, percent, plain, truncate
from bot.slack.blocks.words import day, days_from, first_sentence, mention, plural
from bot.slack.limits import MAX_BUTTON_TEXT, MAX_HEADER_TEXT, MAX_SECTION_TEXT
from bot.slack.services.plan_cards import AccountFacts, Person
from storage.plan_document import AccountPlanDocument
from storage.vocabulary import PlanStatus, Priority, Severity
from tools.living.progress import ObjectiveProgress
from tools.plans.standing import RiskLevel, plan_risk_level

STATUS_LABELS = {
    "draft": "Draft",
    "pending_review": "Pending review",
    "approved": "Approved",
    "active": "Active",
    "changes_requested": "Changes requested",
    "rejected": "Rejected",
}
SEVERITY_ORDER = {Severity.CRITICAL: 0, Severity.HIGH: 1, Severity.MEDIUM: 2, Severity.LOW: 3}
PRIORITY_ORDER = {Priority.CRITICAL: 0, Priority.HIGH: 1, Priority.MEDIUM: 2}
MORE_IN_FULL_PLAN = "\n_… more in *View full plan*_"
TOP_OBJECTIVES = 3
MAX_CARD_BLOCKS = 10
MAX_NOTIFICATION = 149  # Slack shows ~150 characters of a notification; the point must fit
OBJECTIVE_CHARS = 110
SUBMITTABLE = (PlanStatus.DRAFT, PlanStatus.CHANGES_REQUESTED, PlanStatus.REJECTED)
# Health moves of fewer points than this are noise, not a trend.
TREND_POINTS = 3


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status.replace("_", " ").capitalize())


def plan_title(document: AccountPlanDocument) -> str:
    return f"{document.customer_name} {document.fiscal_year} account plan"


def section_text(text: str) -> str:
    """Long text cut with a pointer to the full plan instead of being rejected by Slack."""
    if len(text) <= MAX_SECTION_TEXT:
        return text
    return truncate(text, MAX_SECTION_TEXT - len(MORE_IN_FULL_PLAN)) + MORE_IN_FULL_PLAN


def drafted_by_ai(document: AccountPlanDocument) -> bool:
    """Claude wrote at least one section (`ai_generated`); a plan the deterministic drafter wrote is
    never called AI-drafted, even if an older save marked it so."""
    return document.ai_generated and document.generation_context.get("drafter") != "offline"


def source_label(document: AccountPlanDocument) -> str:
    return "AI-drafted" if drafted_by_ai(document) else "drafted from your data"


def coverage_label(document: AccountPlanDocument) -> str:
    """`ai_confidence` is the share of the account's data the plan could draw on: say that."""
    return f"data coverage {percent(document.ai_confidence)}"


def review_findings(document: AccountPlanDocument) -> list[dict[str, object]]:
    """The plan review's findings (`generation_context["review"]`), errors first, read
    defensively: a plan saved before reviews existed has none."""
    review = document.generation_context.get("review")
    findings = review.get("findings") if isinstance(review, dict) else None
    found = [f for f in findings if isinstance(f, dict)] if isinstance(findings, list) else []
    return sorted(found, key=lambda f: f.get("severity") != "error")


def plan_check_heading(findings: list[dict[str, object]]) -> str:
    """"Plan check: 20 to look at (15 errors)"."""
    errors = sum(1 for f in findings if f.get("severity") == "error")
    must = f" ({plural(errors, 'error')})" if errors else ""
    return f"{symbols.PLAN_CHECK} *Plan check: {len(findings)} to look at*{must}"


def plan_check_line(document: AccountPlanDocument) -> str | None:
    findings = review_findings(document)
    if not findings:
        return None
    return f"{plan_check_heading(findings)} · listed in *View full plan*"


def standing_of(document: AccountPlanDocument, facts: AccountFacts | None) -> RiskLevel:
    if facts is None:
        return plan_risk_level(document)
    return plan_risk_level(
        document, health_score=facts.health_score, renewal_date=facts.renewal_date, today=facts.today
    )


def who(person: Person | None, fallback: str = "not on record") -> str:
    return mention(person.slack_id, person.name) if person else fallback


def health_text(facts: AccountFacts | None) -> str:
    if facts is None or facts.health_score is None:
        return "not on record"
    change = facts.health_change_90d
    if change is None:
        return str(facts.health_score)
    if abs(change) < TREND_POINTS:
        return f"{facts.health_score} · steady over 90 days"
    arrow = "↑" if change > 0 else "↓"
    return f"{facts.health_score} · {arrow} {abs(change)} in 90 days"


def renewal_text(facts: AccountFacts | None) -> str:
    if facts is None or facts.renewal_date is None:
        return "not on record"
    if facts.renewal_date < facts.today:
        return f"{day(facts.renewal_date)} · passed, update it"
    return f"{day(facts.renewal_date)} · {days_from(facts.renewal_date, facts.today)}"


def target_text(document: AccountPlanDocument) -> str:
    expansion = document.expansion_plan
    change = expansion.target_arr - expansion.current_arr
    if abs(change) < 1:
        return f"{money(expansion.target_arr)} · flat"
    sign = "+" if change > 0 else "−"
    return f"{money(expansion.target_arr)} · {sign}{money(abs(change))}"


def fields_block(document: AccountPlanDocument, facts: AccountFacts | None) -> SectionBlock:
    return SectionBlock(
        fields=[
            mrkdwn(f"*ARR*\n{money(document.expansion_plan.current_arr)}"),
            mrkdwn(f"*Health*\n{health_text(facts)}"),
            mrkdwn(f"*Renewal*\n{renewal_text(facts)}"),
            mrkdwn(f"*Target ARR*\n{target_text(document)}"),
            mrkdwn(f"*CSM*\n{who(facts.csm if facts else None)}"),
            mrkdwn(f"*Data coverage*\n{percent(document.ai_confidence)}"),
        ]
    )


def point_of(document: AccountPlanDocument) -> str:
    """The summary's point in one sentence. Summaries often open with the account's profile (the
    numbers the fields already show); then the next sentence says what matters."""
    summary = " ".join(document.executive_summary.split())
    first = first_sentence(summary)
    if first.startswith(f"{document.customer_name} is ") and len(summary) > len(first) + 20:
        return first_sentence(summary[len(first) :].strip())
    return first


def objective_line(title: str, priority: str, progress: ObjectiveProgress | None = None) -> str:
    line = f"{symbols.priority_mark(priority)} · {escape(truncate(title, OBJECTIVE_CHARS))}"
    if progress is not None:
        status = progress.status
        line += (
            f" · {symbols.PROGRESS.get(status, '')} {progress.progress:.0%} "
            f"{symbols.PROGRESS_LABELS.get(status, status)}"
        )
    return line


def top_objectives_text(document: AccountPlanDocument, progress: list[ObjectiveProgress] | None) -> str:
    by_id = {p.objective_id: p for p in progress or []}
    ranked = sorted(
        enumerate(document.strategic_objectives), key=lambda pair: (PRIORITY_ORDER.get(pair[1].priority, 9), pair[0])
    )
    lines = [objective_line(o.objective, o.priority, by_id.get(o.id)) for _, o in ranked[:TOP_OBJECTIVES]]
    rest = len(document.strategic_objectives) - TOP_OBJECTIVES
    heading = f"*{escape(document.fiscal_year)} objectives*"
    if progress:
        on_track = sum(1 for p in progress if p.status in ("complete", "on_track"))
        heading += f" · {on_track}/{len(progress)} on track"
    more = f"\n_+{plural(rest, 'more objective')} in the full plan_" if rest > 0 else ""
    return section_text(heading + "\n" + "\n".join(lines) + more)


def sent_back_text(facts: AccountFacts | None) -> str | None:
    note = facts.sent_back if facts else None
    if note is None:
        return None
    verb = "Changes requested" if note.action == "changes_requested" else "Rejected"
    mark = symbols.DECISIONS["request_changes" if note.action == "changes_requested" else "reject"]
    return section_text(f"{mark} *{verb} by {who(note.reviewer)}*\n> {escape(truncate(note.comment, 600))}")


def kept_edits_line(document: AccountPlanDocument) -> str | None:
    """When the draft was regenerated over people's edits: which ones it kept (escaped mrkdwn)."""
    kept = (document.generation_context.get("kept_edits") or {}).get("kept") or []
    if not kept:
        return None
    return truncate(f"{symbols.KEPT} Redrafted keeping people's edits: {escape('; '.join(map(str, kept)))}", 500)


def plan_buttons(plan_id: str, *, status: str) -> ActionsBlock:
    """View full plan is the one primary button: reading the plan is always the next step."""
    buttons = [
        ButtonElement(
            text=plain("View full plan", MAX_BUTTON_TEXT), action_id=ids.VIEW_PLAN, value=plan_id, style="primary"
        ),
        ButtonElement(text=plain("Edit objective", MAX_BUTTON_TEXT), action_id=ids.EDIT_OBJECTIVE, value=plan_id),
    ]
    if status in SUBMITTABLE:
        buttons.append(
            ButtonElement(
                text=plain("Submit for approval", MAX_BUTTON_TEXT), action_id=ids.SUBMIT_PLAN, value=plan_id
            )
        )
    buttons += [
        ButtonElement(text=plain("Export", MAX_BUTTON_TEXT), action_id=ids.EXPORT_PLAN, value=plan_id),
        ButtonElement(text=plain("Charts", MAX_BUTTON_TEXT), action_id=ids.CHARTS, value=plan_id),
    ]
    return ActionsBlock(block_id=f"plan_actions:{plan_id}", elements=buttons)


def header_text(document: AccountPlanDocument, level: RiskLevel) -> str:
    return f"{symbols.standing_chip(level)} · {document.customer_name} {document.fiscal_year}"


def byline(document: AccountPlanDocument, facts: AccountFacts | None) -> str:
    status = f"*{status_label(document.status)}*"
    if facts is not None and facts.approved_by is not None and document.status in ("approved", "active"):
        status += f" by {who(facts.approved_by)}"
    parts = [status, f"v{document.version}", source_label(document)]
    if facts is not None and facts.requested_by is not None and facts.requested_by != facts.csm:
        parts.append(f"asked for by {who(facts.requested_by)}")
    return " · ".join(parts)


def plan_summary_blocks(
    document: AccountPlanDocument,
    *,
    facts: AccountFacts | None = None,
    note: str | None = None,
    progress: list[ObjectiveProgress] | None = None,
) -> list[Block]:
    """The card. `facts` (today's account data and the people around the plan) fill the fields;
    without them the plan's own figures are shown. `note` (already escaped) goes under the point;
    `progress` adds each top objective's progress."""
    level = standing_of(document, facts)
    blocks: list[Block] = [
        HeaderBlock(text=plain(header_text(document, level), MAX_HEADER_TEXT)),
        context_line(byline(document, facts)),
        fields_block(document, facts),
        SectionBlock(text=mrkdwn(section_text(escape(point_of(document))))),
        SectionBlock(text=mrkdwn(top_objectives_text(document, progress))),
    ]
    kept = kept_edits_line(document)
    if kept:
        blocks.append(context_line(kept))
    sent_back = sent_back_text(facts)
    if sent_back:
        blocks.append(SectionBlock(text=mrkdwn(sent_back)))
    if note:
        blocks.append(SectionBlock(text=mrkdwn(section_text(note))))
    check = plan_check_line(document)
    if check:
        blocks.append(SectionBlock(text=mrkdwn(check)))
    blocks.append(plan_buttons(document.plan_id, status=document.status))
    return blocks


NOTIFICATION_VERBS = {
    "pending_review": "waiting for approval",
    "approved": "approved",
    "active": "active",
    "changes_requested": "sent back for changes",
    "rejected": "rejected",
}


def plan_verb(document: AccountPlanDocument) -> str:
    if document.status == "draft":
        return "drafted" if document.version == 1 else f"revised (v{document.version})"
    return NOTIFICATION_VERBS.get(document.status, status_label(document.status).lower())


def plan_summary_text(document: AccountPlanDocument, facts: AccountFacts | None = None) -> str:
    """The notification: "TechCorp Industries FY2027 plan drafted: at risk, renewal Aug 31"."""
    level = symbols.STANDING_LABELS[standing_of(document, facts)].lower()
    tail = f" plan {plan_verb(document)}: {level}"
    if facts is not None and facts.renewal_date is not None:
        tail += f", renewal {day(facts.renewal_date, today=facts.today)}"
    room = MAX_NOTIFICATION - len(tail) - len(document.fiscal_year) - 1
    return f"{truncate(escape(document.customer_name), max(room, 10))} {escape(document.fiscal_year)}{tail}"
