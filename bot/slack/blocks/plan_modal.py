"""The full plan in a modal, with Summary / Objectives / Stakeholders / Actions tabs (buttons that
swap the modal's content through views.update)."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DividerBlock,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.slack import ids
from bot.slack.blocks.plan_summary import (
    PRIORITY_MARKS,
    SEVERITY_ORDER,
    insights_text,
    objective_text,
    section_text,
    status_label,
)
from bot.slack.blocks.text import context_line, escape, fit_blocks, money, mrkdwn, percent, plain
from bot.slack.limits import MAX_BLOCKS_PER_MODAL, MAX_BUTTON_TEXT, MAX_MODAL_SUBMIT, MAX_MODAL_TITLE
from storage.plan_document import AccountPlanDocument

TAB_LABELS = {
    "summary": "Summary",
    "objectives": "Objectives",
    "stakeholders": "Stakeholders",
    "actions": "Actions",
}


def tab_buttons(plan_id: str, current: str) -> ActionsBlock:
    return ActionsBlock(
        block_id="plan_tabs",
        elements=[
            ButtonElement(
                text=plain(TAB_LABELS[tab], MAX_BUTTON_TEXT),
                action_id=f"{ids.PLAN_TAB_PREFIX}{tab}",
                value=plan_id,
                style="primary" if tab == current else None,
            )
            for tab in ids.PLAN_TABS
        ],
    )


def _summary_tab(document: AccountPlanDocument) -> list[Block]:
    context = document.business_context
    resources = document.resource_plan
    return [
        SectionBlock(text=mrkdwn(section_text(f"*Executive summary*\n{escape(document.executive_summary)}"))),
        SectionBlock(text=mrkdwn(section_text(f"*Customer goals*\n{escape(context.customer_goals)}"))),
        SectionBlock(text=mrkdwn(section_text(f"*Industry trends*\n{escape(context.industry_trends)}"))),
        SectionBlock(
            text=mrkdwn(section_text(f"*Competitive landscape*\n{escape(context.competitive_landscape)}"))
        ),
        SectionBlock(
            text=mrkdwn(
                section_text(
                    f"*Resources* · {escape(resources.engagement_model)}, {resources.csm_hours_per_month} CSM "
                    f"hours/month\n{escape(resources.rationale)}"
                )
            )
        ),
        SectionBlock(text=mrkdwn(insights_text(document))),
        SectionBlock(
            text=mrkdwn(
                section_text(
                    f"*Key differentiators*\n{escape(document.benchmark_comparison.key_differentiators)}"
                )
            )
        ),
    ]


def _objectives_tab(document: AccountPlanDocument) -> list[Block]:
    blocks: list[Block] = []
    for index, objective in enumerate(document.strategic_objectives, 1):
        metrics = "\n".join(
            f"• {escape(m.metric)}: {escape(str(m.current) if m.current is not None else 'n/a')} → "
            f"{escape(str(m.target) if m.target is not None else 'n/a')} ({escape(m.measurement)})"
            for m in objective.success_metrics
        )
        blocks += [
            SectionBlock(text=mrkdwn(objective_text(index, objective))),
            SectionBlock(
                text=mrkdwn(
                    section_text(f"_Why:_ {escape(objective.rationale)}\n*Success metrics*\n{metrics}")
                )
            ),
            DividerBlock(),
        ]
    return blocks


def _stakeholders_tab(document: AccountPlanDocument) -> list[Block]:
    plan = document.stakeholder_plan
    people = "\n".join(
        f"• {escape(entry.name)}{', ' + escape(entry.title) if entry.title else ''} · {escape(entry.role)}"
        f" · score {entry.relationship_score if entry.relationship_score is not None else 'n/a'}"
        f"{'' if entry.active else ' · _left the company_'}"
        for entry in plan.current_map
    )
    goals = "\n".join(
        f"• {escape(goal.name)}: {goal.current_score} → {goal.target_score}. {escape(goal.strategy)}"
        for goal in plan.relationship_goals
    )
    return [
        SectionBlock(text=mrkdwn(section_text(f"*Assessment*\n{escape(plan.current_assessment)}"))),
        SectionBlock(text=mrkdwn(section_text(f"*Stakeholder map*\n{people or '_no contacts on record_'}"))),
        SectionBlock(text=mrkdwn(section_text(f"*Relationship goals*\n{goals or '_none_'}"))),
        SectionBlock(
            text=mrkdwn(
                section_text(
                    f"*Missing roles:* {escape(', '.join(plan.missing_roles)) or 'none'}\n"
                    f"*Multi-threading target:* {plan.multi_threading_target} contacts\n"
                    f"*Executive sponsor strategy*\n{escape(plan.exec_sponsor_strategy)}"
                )
            )
        ),
    ]


def _actions_tab(document: AccountPlanDocument) -> list[Block]:
    actions = "\n".join(
        f"{':white_check_mark:' if item.status == 'done' else ':white_small_square:'} Week {item.week} "
        f"(due {item.due_date.isoformat()}): {escape(item.action)} · {escape(item.owner)}"
        for item in sorted(document.action_plan_90day, key=lambda a: (a.week, a.due_date))
    )
    qbrs = "\n".join(
        f"• {qbr.quarter} {qbr.date.isoformat()}: {escape(qbr.focus)}" for qbr in document.qbr_schedule
    )
    risks = "\n".join(
        f"• {escape(r.severity).upper()} {escape(r.risk)}: {escape(r.mitigation)} ({escape(r.owner)})"
        for r in sorted(
            document.risk_mitigation.identified_risks, key=lambda r: SEVERITY_ORDER.get(r.severity, 9)
        )
    )
    expansion = document.expansion_plan
    opportunities = "\n".join(
        f"• {escape(o.type)}: {escape(o.description)} · {money(o.value)} at {percent(o.probability)} · {escape(o.timeline)}"
        for o in expansion.opportunities
    )
    return [
        SectionBlock(text=mrkdwn(section_text(f"*90-day action plan*\n{actions}"))),
        SectionBlock(text=mrkdwn(section_text(f"*QBR schedule*\n{qbrs or '_none scheduled_'}"))),
        SectionBlock(text=mrkdwn(section_text(f"*Risks and mitigations*\n{risks or '_none identified_'}"))),
        SectionBlock(
            text=mrkdwn(
                section_text(
                    f"*Expansion* · ARR {money(expansion.current_arr)} → {money(expansion.target_arr)}\n"
                    f"{opportunities or '_no open opportunities_'}"
                )
            )
        ),
    ]


TAB_BUILDERS = {
    "summary": _summary_tab,
    "objectives": _objectives_tab,
    "stakeholders": _stakeholders_tab,
    "actions": _actions_tab,
}


def plan_modal(document: AccountPlanDocument, tab: str = "summary") -> View:
    """The whole plan, one tab at a time; the plan id rides in private_metadata."""
    tab = tab if tab in TAB_BUILDERS else "summary"
    header = context_line(
        f"*{escape(document.customer_name)} {escape(document.fiscal_year)}* · "
        f"{status_label(document.status)} · v{document.version} · confidence {percent(document.ai_confidence)}"
    )
    blocks = [header, tab_buttons(document.plan_id, tab), DividerBlock(), *TAB_BUILDERS[tab](document)]
    return View(
        type="modal",
        callback_id=ids.PLAN_VIEW,
        title=plain("Account plan", MAX_MODAL_TITLE),
        close=plain("Close", MAX_MODAL_SUBMIT),
        private_metadata=document.plan_id,
        blocks=fit_blocks(blocks, MAX_BLOCKS_PER_MODAL),
    )


__all__ = ["PRIORITY_MARKS", "TAB_LABELS", "plan_modal", "tab_buttons"]
