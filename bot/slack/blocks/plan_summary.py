"""The plan summary message: what a CSM sees in the channel once a plan is drafted or revised."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DividerBlock,
    HeaderBlock,
    SectionBlock,
)

from bot.slack import ids
from bot.slack.blocks.living import progress_line
from bot.slack.blocks.text import context_line, escape, fit_blocks, money, mrkdwn, percent, plain, truncate
from bot.slack.limits import (
    MAX_BLOCKS_PER_MESSAGE,
    MAX_BUTTON_TEXT,
    MAX_HEADER_TEXT,
    MAX_MESSAGE_TEXT,
    MAX_SECTION_TEXT,
)
from storage.plan_document import AccountPlanDocument, StrategicObjective
from storage.vocabulary import PlanStatus, Severity
from tools.living.progress import ObjectiveProgress

STATUS_LABELS = {
    "draft": "Draft",
    "pending_review": "Pending review",
    "approved": "Approved",
    "active": "Active",
    "changes_requested": "Changes requested",
    "rejected": "Rejected",
}
PRIORITY_MARKS = {
    "critical": ":red_circle: Critical",
    "high": ":large_orange_circle: High",
    "medium": ":white_circle: Medium",
}
SEVERITY_ORDER = {Severity.CRITICAL: 0, Severity.HIGH: 1, Severity.MEDIUM: 2, Severity.LOW: 3}
MORE_IN_FULL_PLAN = "\n_… more in *View full plan*_"
HIGHLIGHT_ITEMS = 3


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status.replace("_", " ").capitalize())


def plan_title(document: AccountPlanDocument) -> str:
    return f"{document.customer_name} {document.fiscal_year} account plan"


def section_text(text: str) -> str:
    """Long text cut with a pointer to the full plan instead of being rejected by Slack."""
    if len(text) <= MAX_SECTION_TEXT:
        return text
    return truncate(text, MAX_SECTION_TEXT - len(MORE_IN_FULL_PLAN)) + MORE_IN_FULL_PLAN


def objective_text(
    index: int, objective: StrategicObjective, progress: ObjectiveProgress | None = None
) -> str:
    milestones = {m.quarter: m for m in objective.quarterly_milestones}
    quarters = "\n".join(
        f"{'~' if milestones[q].done else ''}{q}{'~' if milestones[q].done else ''}: "
        f"{escape(milestones[q].milestone)}"
        for q in ("Q1", "Q2", "Q3", "Q4")
        if q in milestones
    )
    priority = PRIORITY_MARKS.get(objective.priority, objective.priority)
    # Progress goes above the milestones so cutting a long objective never cuts it.
    shown = f"{progress_line(progress)}\n" if progress is not None else ""
    return section_text(
        f"*{index}. {escape(objective.objective)}*\n{priority} · owner {escape(objective.owner)}\n"
        f"{shown}{quarters}"
    )


def highlights_text(document: AccountPlanDocument) -> str:
    stakeholders = document.stakeholder_plan
    active = [entry for entry in stakeholders.current_map if entry.active]
    missing = ", ".join(escape(role) for role in stakeholders.missing_roles) or "none"
    expansion = document.expansion_plan
    pipeline = sum(o.value * o.probability for o in expansion.opportunities)
    risks = sorted(document.risk_mitigation.identified_risks, key=lambda r: SEVERITY_ORDER.get(r.severity, 9))
    risk_lines = "\n".join(
        f"• {escape(risk.severity).upper()}: {escape(risk.risk)}" for risk in risks[:HIGHLIGHT_ITEMS]
    )
    more_risks = f"\n_+{len(risks) - HIGHLIGHT_ITEMS} more_" if len(risks) > HIGHLIGHT_ITEMS else ""
    return section_text(
        f"*Stakeholders* · {len(active)} active contacts, target {stakeholders.multi_threading_target}; "
        f"missing: {missing}\n"
        f"*Expansion* · ARR {money(expansion.current_arr)} → {money(expansion.target_arr)}; "
        f"{len(expansion.opportunities)} opportunities, {money(pipeline)} risk-adjusted\n"
        f"*Risks* · {len(risks) or 'none identified'}" + (f"\n{risk_lines}{more_risks}" if risks else "")
    )


def insights_text(document: AccountPlanDocument) -> str:
    benchmark = document.benchmark_comparison
    rate = benchmark.similar_accounts_success_rate
    peers = len(benchmark.similar_accounts)
    missing = "\n".join(f"• {escape(item)}" for item in benchmark.missing_elements[:HIGHLIGHT_ITEMS])
    return section_text(
        f"*AI insights* · similar accounts' success rate {percent(rate)} ({peers} peers)"
        + (f"\n*Missing vs successful peers*\n{missing}" if missing else "")
    )


def kept_edits_line(document: AccountPlanDocument) -> str | None:
    """When the draft was regenerated over people's edits: which ones it kept (escaped mrkdwn)."""
    kept = (document.generation_context.get("kept_edits") or {}).get("kept") or []
    if not kept:
        return None
    return truncate(f":pushpin: Redrafted keeping people's edits: {escape('; '.join(map(str, kept)))}", 500)


def plan_buttons(plan_id: str, *, status: str) -> ActionsBlock:
    buttons = [
        ButtonElement(
            text=plain("View full plan", MAX_BUTTON_TEXT),
            action_id=ids.VIEW_PLAN,
            value=plan_id,
            style="primary",
        ),
        ButtonElement(
            text=plain("Edit objective", MAX_BUTTON_TEXT), action_id=ids.EDIT_OBJECTIVE, value=plan_id
        ),
    ]
    if status in (PlanStatus.DRAFT, PlanStatus.CHANGES_REQUESTED, PlanStatus.REJECTED):
        buttons.append(
            ButtonElement(
                text=plain("Submit for approval", MAX_BUTTON_TEXT), action_id=ids.SUBMIT_PLAN, value=plan_id
            )
        )
    buttons.append(
        ButtonElement(text=plain("Export", MAX_BUTTON_TEXT), action_id=ids.EXPORT_PLAN, value=plan_id)
    )
    return ActionsBlock(block_id=f"plan_actions:{plan_id}", elements=buttons)


def plan_summary_blocks(
    document: AccountPlanDocument,
    *,
    note: str | None = None,
    progress: list[ObjectiveProgress] | None = None,
) -> list[Block]:
    """Header, confidence and status, summary, objectives with Q1-Q4 milestones, highlights,
    AI insights and the plan's buttons. `note` (already escaped) is shown under the header;
    `progress` (from action tracking) adds each objective's progress and what it is based on."""
    by_objective = {p.objective_id: p for p in progress or []}
    source = "AI-drafted" if document.ai_generated else "offline draft"
    blocks: list[Block] = [
        HeaderBlock(text=plain(plan_title(document), MAX_HEADER_TEXT)),
        context_line(
            f"*{status_label(document.status)}* · v{document.version} · confidence "
            f"{percent(document.ai_confidence)} · {source}"
        ),
    ]
    kept = kept_edits_line(document)
    if kept:
        blocks.append(context_line(kept))
    if note:
        blocks.append(SectionBlock(text=mrkdwn(section_text(note))))
    blocks += [
        SectionBlock(text=mrkdwn(section_text(f"*Executive summary*\n{escape(document.executive_summary)}"))),
        DividerBlock(),
        SectionBlock(text=mrkdwn("*Strategic objectives*")),
    ]
    blocks += [
        SectionBlock(text=mrkdwn(objective_text(i, o, by_objective.get(o.id))))
        for i, o in enumerate(document.strategic_objectives, 1)
    ]
    blocks += [
        DividerBlock(),
        SectionBlock(text=mrkdwn(highlights_text(document))),
        SectionBlock(text=mrkdwn(insights_text(document))),
        plan_buttons(document.plan_id, status=document.status),
    ]
    return fit_blocks(blocks, MAX_BLOCKS_PER_MESSAGE)


def plan_summary_text(document: AccountPlanDocument) -> str:
    """The notification / screen-reader fallback for the summary message."""
    return truncate(
        f"{escape(plan_title(document))} ({status_label(document.status)}, v{document.version}): "
        f"{escape(document.executive_summary)}",
        MAX_MESSAGE_TEXT,
    )
