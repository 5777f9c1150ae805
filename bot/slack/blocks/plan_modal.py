"""The full plan in a modal, one tab at a time: Summary, Objectives, Stakeholders, Expansion & risks,
Actions & QBRs (buttons that swap the modal's content through views.update). Each tab holds what its
name says; long lists are split over several sections instead of being cut. Edit and Submit appear
where they apply, for people who may use them."""

from __future__ import annotations

import re
from collections.abc import Iterable

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, DividerBlock, SectionBlock
from slack_sdk.models.views import View

from bot.slack import ids
from bot.slack.blocks import symbols
from bot.slack.blocks.living import progress_line
from bot.slack.blocks.plan_summary import (
    SEVERITY_ORDER,
    SUBMITTABLE,
    coverage_label,
    plan_check_heading,
    review_findings,
    section_text,
    source_label,
    standing_of,
    status_label,
)
from bot.slack.blocks.text import context_line, escape, fit_blocks, money, mrkdwn, percent, plain
from bot.slack.blocks.words import day, humanise, plural
from bot.slack.limits import (
    MAX_BLOCKS_PER_MODAL,
    MAX_BUTTON_TEXT,
    MAX_MODAL_SUBMIT,
    MAX_MODAL_TITLE,
    MAX_SECTION_TEXT,
)
from bot.slack.services.plan_cards import AccountFacts
from storage.plan_document import QUARTERS, AccountPlanDocument, StrategicObjective
from tools.living.progress import ObjectiveProgress

TAB_LABELS = {
    "summary": "Summary",
    "objectives": "Objectives",
    "stakeholders": "Stakeholders",
    "expansion": "Expansion & risks",
    "actions": "Actions & QBRs",
}
SEVERITY_LABELS = {"critical": "Critical", "high": "High", "medium": "Medium", "low": "Low"}
# "CSM (carl@example.com)" in an attendee list: people are named, their addresses are not shown.
EMAIL_IN_PARENS = re.compile(r"\s*\(\s*[^()\s]+@[^()\s]+\s*\)")
OBJECTIVE_BLOCK_PREFIX = "objective:"
PROPOSAL_PREFIX = "proposal:"  # a tab button's value for a proposed revision  # + objective id: Edit on that objective opens it


def without_emails(text: str) -> str:
    return EMAIL_IN_PARENS.sub("", text)


def tab_buttons(value: str, current: str) -> ActionsBlock:
    """`value`: the plan id, or `proposal:<id>` for a proposed revision (its tabs show it too)."""
    return ActionsBlock(
        block_id="plan_tabs",
        elements=[
            ButtonElement(
                text=plain(TAB_LABELS[tab], MAX_BUTTON_TEXT),
                action_id=f"{ids.PLAN_TAB_PREFIX}{tab}",
                value=value,
                style="primary" if tab == current else None,
            )
            for tab in ids.PLAN_TABS
        ],
    )


def sections(heading: str, lines: Iterable[str], empty: str = "_none_") -> list[Block]:
    """`heading` and its lines in as many sections as it takes (a section holds 3000 characters),
    so a long list is shown whole instead of cut."""
    blocks: list[Block] = []
    current = heading
    for line in lines:
        line = section_text(line)
        if len(current) + 1 + len(line) > MAX_SECTION_TEXT:
            blocks.append(SectionBlock(text=mrkdwn(current)))
            current = line
        else:
            current += "\n" + line
    if current == heading:
        current += "\n" + empty
    blocks.append(SectionBlock(text=mrkdwn(current)))
    return blocks


def text_section(heading: str, body: str) -> SectionBlock:
    return SectionBlock(text=mrkdwn(section_text(f"*{heading}*\n{escape(body)}")))


def _plan_check(document: AccountPlanDocument) -> list[Block]:
    findings = review_findings(document)
    if not findings:
        return []
    lines = []
    for finding in findings:
        message = escape(str(finding.get("message") or ""))
        suggestion = str(finding.get("suggestion") or "")
        where = humanise(str(finding.get("section") or ""))
        kind = "*Error* · " if finding.get("severity") == "error" else ""
        lines.append(
            f"• {kind}{message}" + (f" _({escape(where)})_" if where else "") + (f"\n   → {escape(suggestion)}" if suggestion else "")
        )
    return sections(plan_check_heading(findings), lines)


def _summary_tab(document: AccountPlanDocument, editable: bool) -> list[Block]:
    context = document.business_context
    resources = document.resource_plan
    benchmark = document.benchmark_comparison
    specialists = ", ".join(resources.specialists) or "none"
    missing = [f"• {escape(item)}" for item in benchmark.missing_elements]
    blocks: list[Block] = [
        text_section("Executive summary", document.executive_summary),
        *_plan_check(document),
        text_section("Customer goals", context.customer_goals),
        text_section("Industry trends", context.industry_trends),
        text_section("Competitive landscape", context.competitive_landscape),
        SectionBlock(
            text=mrkdwn(
                section_text(
                    f"*Resources* · {escape(resources.engagement_model)} · "
                    f"{resources.csm_hours_per_month} CSM hours a month\n"
                    f"*Specialists:* {escape(specialists)}\n"
                    f"*Executive alignment:* {escape(resources.executive_alignment)}\n"
                    f"_{escape(resources.rationale)}_"
                )
            )
        ),
        text_section("Compared with similar accounts", benchmark.key_differentiators),
    ]
    if missing:
        blocks += sections("*What successful similar accounts have that this one lacks*", missing)
    if editable and document.status in SUBMITTABLE:
        blocks.append(
            ActionsBlock(
                block_id=f"plan_modal_submit:{document.plan_id}",
                elements=[
                    ButtonElement(
                        text=plain("Submit for approval", MAX_BUTTON_TEXT),
                        action_id=ids.SUBMIT_PLAN,
                        value=document.plan_id,
                    )
                ],
            )
        )
    return blocks


def _milestone_lines(objective: StrategicObjective) -> list[str]:
    lines = []
    for quarter in QUARTERS:
        for milestone in (m for m in objective.quarterly_milestones if m.quarter == quarter):
            text = escape(milestone.milestone)
            mark = symbols.DONE if milestone.done else symbols.NOT_YET
            lines.append(f"{mark} {quarter}: {'~' + text + '~' if milestone.done else text}")
    return lines


def _metric_value(value: object) -> str:
    return "not measured yet" if value is None else escape(str(value))


def objective_blocks(
    index: int, objective: StrategicObjective, progress: ObjectiveProgress | None, edit_plan: str | None
) -> list[Block]:
    """One objective whole; `edit_plan` (the plan id) adds its Edit button."""
    head = (
        f"*{index}. {escape(objective.objective)}*\n"
        f"{symbols.priority_mark(objective.priority)} · owner {escape(humanise(objective.owner))}"
    )
    if progress is not None:
        head += f"\n{progress_line(progress)}"
    metrics = [
        f"• {escape(m.metric)}: {_metric_value(m.current)} → {_metric_value(m.target)} _({escape(m.measurement)})_"
        for m in objective.success_metrics
    ]
    edit = (
        ButtonElement(text=plain("Edit", MAX_BUTTON_TEXT), action_id=ids.EDIT_OBJECTIVE, value=edit_plan)
        if edit_plan
        else None
    )
    return [
        SectionBlock(
            block_id=f"{OBJECTIVE_BLOCK_PREFIX}{objective.id}", text=mrkdwn(section_text(head)), accessory=edit
        ),
        *sections(
            f"_Why:_ {escape(objective.rationale)}\n*Success metrics*",
            [*metrics, "*Milestones*", *_milestone_lines(objective)],
        ),
        DividerBlock(),
    ]


def _objectives_tab(
    document: AccountPlanDocument, editable: bool, progress: list[ObjectiveProgress] | None
) -> list[Block]:
    by_id = {p.objective_id: p for p in progress or []}
    edit_plan = document.plan_id if editable else None
    return [
        block
        for index, objective in enumerate(document.strategic_objectives, 1)
        for block in objective_blocks(index, objective, by_id.get(objective.id), edit_plan)
    ]


def _stakeholders_tab(document: AccountPlanDocument) -> list[Block]:
    plan = document.stakeholder_plan
    people = []
    for entry in sorted(plan.current_map, key=lambda e: (not e.active, -(e.relationship_score or -1))):
        score = f"score {entry.relationship_score}" if entry.relationship_score is not None else "no score yet"
        engagement = f" · {escape(entry.engagement_level)} engagement" if entry.engagement_level else ""
        title = f", {escape(entry.title)}" if entry.title else ""
        line = f"*{escape(entry.name)}*{title} · {escape(humanise(entry.role))} · {score}{engagement}"
        people.append(line if entry.active else f"~{line}~ · _left the company_")
    goals = [
        f"• *{escape(goal.name)}*: {goal.current_score} → {goal.target_score}. {escape(goal.strategy)}"
        for goal in plan.relationship_goals
    ]
    missing = ", ".join(escape(humanise(role)) for role in plan.missing_roles) or "none"
    return [
        text_section("Assessment", plan.current_assessment),
        *sections("*Stakeholder map*", people, "_no contacts on record_"),
        *sections("*Relationship goals*", goals),
        SectionBlock(
            text=mrkdwn(
                section_text(
                    f"*Roles to find:* {missing}\n"
                    f"*Multi-threading target:* {plural(plan.multi_threading_target, 'engaged contact')}\n"
                    f"*Executive sponsor strategy*\n{escape(plan.exec_sponsor_strategy)}"
                )
            )
        ),
    ]


def _expansion_tab(document: AccountPlanDocument) -> list[Block]:
    expansion = document.expansion_plan
    pipeline = sum(o.value * o.probability for o in expansion.opportunities)
    opportunities = [
        f"• *{escape(humanise(o.type))}*: {escape(o.description)} · {money(o.value)} at "
        f"{percent(o.probability)} · {escape(o.timeline)}"
        for o in expansion.opportunities
    ]
    risks = [
        f"• *{SEVERITY_LABELS.get(r.severity, escape(r.severity))}* · {escape(r.risk)}\n   → {escape(r.mitigation)} _({escape(r.owner)})_"
        for r in sorted(
            document.risk_mitigation.identified_risks, key=lambda r: SEVERITY_ORDER.get(r.severity, 9)
        )
    ]
    return [
        *sections(
            f"*Expansion* · ARR {money(expansion.current_arr)} → target {money(expansion.target_arr)} · "
            f"{money(pipeline)} risk-weighted pipeline",
            opportunities,
            "_no open opportunities_",
        ),
        DividerBlock(),
        *sections(f"*Risks* · {plural(len(risks), 'risk')}", risks, "_none identified_"),
    ]


def _actions_tab(document: AccountPlanDocument, facts: AccountFacts | None) -> list[Block]:
    today = facts.today if facts else None
    actions = []
    for item in sorted(document.action_plan_90day, key=lambda a: (a.week, a.due_date)):
        text = f"Week {item.week} · due {day(item.due_date, today=today)}: {escape(item.action)} _({escape(item.owner)})_"
        if item.status == "done":
            actions.append(f"{symbols.DONE} ~{text}~")
        elif today is not None and item.due_date < today:
            actions.append(f"{symbols.OVERDUE} {text}")
        else:
            actions.append(f"{symbols.NOT_YET} {text}")
    qbrs = [
        f"• *{qbr.quarter}* · {day(qbr.date)}: {escape(qbr.focus)}"
        + (f" _(with {escape(without_emails(', '.join(qbr.attendees)))})_" if qbr.attendees else "")
        for qbr in document.qbr_schedule
    ]
    return [
        *sections("*90-day action plan*", actions),
        DividerBlock(),
        *sections("*QBR schedule*", qbrs, "_none scheduled_"),
    ]


def plan_modal(
    document: AccountPlanDocument,
    tab: str = "summary",
    *,
    facts: AccountFacts | None = None,
    progress: list[ObjectiveProgress] | None = None,
    editable: bool = False,
    proposal_id: str | None = None,
) -> View:
    """The whole plan, one tab at a time; the plan id rides in private_metadata. `editable`: the
    viewer may edit and submit it (Edit and Submit are shown). `proposal_id`: the document is a
    change proposal's revision, shown read-only under its own title."""
    editable = editable and proposal_id is None
    tab = tab if tab in TAB_LABELS else "summary"
    header = context_line(
        f"*{escape(document.customer_name)} {escape(document.fiscal_year)}* · "
        f"{symbols.standing_chip(standing_of(document, facts))} · {status_label(document.status)} "
        f"v{document.version} · {source_label(document)} · {coverage_label(document)}"
    )
    body: list[Block]
    if tab == "objectives":
        body = _objectives_tab(document, editable, progress)
    elif tab == "stakeholders":
        body = _stakeholders_tab(document)
    elif tab == "expansion":
        body = _expansion_tab(document)
    elif tab == "actions":
        body = _actions_tab(document, facts)
    else:
        body = _summary_tab(document, editable)
    value = f"{PROPOSAL_PREFIX}{proposal_id}" if proposal_id else document.plan_id
    blocks = [header, tab_buttons(value, tab), DividerBlock(), *body]
    return View(
        type="modal",
        callback_id=ids.PLAN_VIEW,
        title=plain("Proposed plan" if proposal_id else "Account plan", MAX_MODAL_TITLE),
        close=plain("Close", MAX_MODAL_SUBMIT),
        private_metadata=document.plan_id,
        blocks=fit_blocks(blocks, MAX_BLOCKS_PER_MODAL),
    )


__all__ = ["TAB_LABELS", "plan_modal", "tab_buttons"]
