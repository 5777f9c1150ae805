"""A plan in the terminal (rich), in the PRD's section order: what `accountplan generate`,
`plans show` and `demo` print with `--format text`."""

from __future__ import annotations

from collections.abc import Callable

from rich import box
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from agent.review import PlanReview, stored_review
from bot.render.markdown import drafted_by, metric, money
from storage.plan_document import SECTIONS, AccountPlanDocument, part_title
from storage.plan_text import long_date
from storage.vocabulary import ActionStatus

PRIORITY_STYLES = {"critical": "bold red", "high": "bold yellow", "medium": "cyan"}
SEVERITY_STYLES = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "dim"}


def _table(*headers: str) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=True)
    for header in headers:
        table.add_column(header, overflow="fold")
    return table


def _add(table: Table, *cells: str | Text, style: str | None = None) -> None:
    """Add a row of plain text: plan text is data (customer names, goals), so a "[red]" in it is
    shown as typed, never read as rich markup."""
    table.add_row(*(cell if isinstance(cell, Text) else Text(cell) for cell in cells), style=style)


def _heading(title: str) -> Text:
    return Text(title.upper(), style="bold magenta")


def _summary(d: AccountPlanDocument) -> RenderableType:
    return Group(_heading("Executive summary"), Text(d.executive_summary))


def _context(d: AccountPlanDocument) -> RenderableType:
    c = d.business_context
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    _add(table, "Industry trends", c.industry_trends)
    _add(table, "Customer goals", c.customer_goals)
    _add(table, "Competition", c.competitive_landscape)
    return Group(_heading("Business context"), table)


def _objectives(d: AccountPlanDocument) -> RenderableType:
    parts: list[RenderableType] = [_heading("Strategic objectives")]
    for number, o in enumerate(d.strategic_objectives, start=1):
        title = Text(f"{number}. {o.objective}  ", style="bold")
        title.append(o.priority.upper(), style=PRIORITY_STYLES[o.priority])
        title.append(f"  owner: {o.owner}  ({o.id})", style="dim")
        metrics = _table("Success metric", "Current", "Target", "Measurement")
        for m in o.success_metrics:
            _add(metrics, m.metric, metric(m.current), metric(m.target), m.measurement)
        milestones = Text()
        for m in sorted(o.quarterly_milestones, key=lambda m: m.quarter):
            milestones.append(f"  {m.quarter}: ", style="bold")
            milestones.append(f"{m.milestone} {'●' if m.done else '○'}\n")
        parts += [title, Text(o.rationale, style="italic"), metrics, milestones]
    return Group(*parts)


def _stakeholders(d: AccountPlanDocument) -> RenderableType:
    s = d.stakeholder_plan
    people = _table("Name", "Title", "Role", "Score", "Target", "Strategy")
    goals = {g.stakeholder_id: g for g in s.relationship_goals}
    for entry in s.current_map:
        goal = goals.get(entry.stakeholder_id)
        name = entry.name if entry.active else f"{entry.name} (left)"
        _add(
            people,
            name,
            entry.title or "-",
            entry.role.replace("_", " "),
            "-" if entry.relationship_score is None else str(entry.relationship_score),
            str(goal.target_score) if goal else "-",
            goal.strategy if goal else "-",
            style=None if entry.active else "dim",
        )
    facts = Text()
    facts.append("Missing roles: ", style="bold")
    facts.append(f"{', '.join(s.missing_roles) or 'none'}\n")
    facts.append("Multi-threading target: ", style="bold")
    facts.append(f"{s.multi_threading_target} engaged contacts\n")
    facts.append("Executive sponsor strategy: ", style="bold")
    facts.append(s.exec_sponsor_strategy)
    return Group(_heading("Stakeholder plan"), Text(s.current_assessment), people, facts)


def _expansion(d: AccountPlanDocument) -> RenderableType:
    e = d.expansion_plan
    head = Text(f"Current ARR {money(e.current_arr)}  →  target ARR {money(e.target_arr)}", style="bold")
    table = _table("Type", "Opportunity", "Value", "Probability", "Timeline")
    for o in e.opportunities:
        _add(
            table, o.type.replace("_", " "), o.description, money(o.value), f"{o.probability:.0%}", o.timeline
        )
    return Group(
        _heading("Expansion plan"), head, table if e.opportunities else Text("No opportunities on record.")
    )


def _risks(d: AccountPlanDocument) -> RenderableType:
    risks = d.risk_mitigation.identified_risks
    table = _table("Risk", "Severity", "Mitigation", "Owner")
    for r in risks:
        _add(table, r.risk, Text(r.severity, style=SEVERITY_STYLES[r.severity]), r.mitigation, r.owner)
    return Group(_heading("Risk mitigation"), table if risks else Text("No risks detected in the data."))


def _qbrs(d: AccountPlanDocument) -> RenderableType:
    table = _table("Quarter", "Date", "Focus", "Attendees")
    for q in d.qbr_schedule:
        _add(table, q.quarter, long_date(q.date), q.focus, ", ".join(q.attendees))
    return Group(_heading("QBR schedule"), table)


def _resources(d: AccountPlanDocument) -> RenderableType:
    r = d.resource_plan
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    _add(table, "Engagement model", r.engagement_model)
    _add(table, "CSM hours / month", str(r.csm_hours_per_month))
    _add(table, "Specialists", ", ".join(r.specialists) or "none")
    _add(table, "Executive alignment", r.executive_alignment)
    _add(table, "Why", r.rationale)
    return Group(_heading("Resource plan"), table)


def _actions(d: AccountPlanDocument) -> RenderableType:
    table = _table("Week", "Due", "Action", "Owner", "Objective")
    for a in d.action_plan_90day:
        done = a.status == ActionStatus.DONE
        _add(
            table,
            str(a.week),
            long_date(a.due_date),
            a.action,
            a.owner,
            a.objective_id or "-",
            style="dim" if done else None,
        )
    return Group(_heading("90-day action plan"), table)


def _benchmark(d: AccountPlanDocument) -> RenderableType:
    b = d.benchmark_comparison
    rate = "unknown" if b.similar_accounts_success_rate is None else f"{b.similar_accounts_success_rate:.0%}"
    parts: list[RenderableType] = [
        _heading("Benchmark comparison"),
        Text(f"Similar accounts' success rate: {rate}", style="bold"),
        Text(b.key_differentiators),
    ]
    if b.similar_accounts:
        table = _table("Account", "Segment", "ARR", "Similarity", "Outcome")
        for a in b.similar_accounts:
            _add(
                table,
                a.name,
                a.segment or "-",
                money(a.arr),
                f"{a.similarity:.0%}",
                a.outcome + (" and grew" if a.succeeded else ""),
            )
        parts.append(table)
    if b.missing_elements:
        parts.append(Text("Missing elements: " + "; ".join(b.missing_elements), style="yellow"))
    return Group(*parts)


RENDERERS: dict[str, Callable[[AccountPlanDocument], RenderableType]] = {
    "executive_summary": _summary,
    "business_context": _context,
    "strategic_objectives": _objectives,
    "stakeholder_plan": _stakeholders,
    "expansion_plan": _expansion,
    "risk_mitigation": _risks,
    "qbr_schedule": _qbrs,
    "resource_plan": _resources,
    "action_plan_90day": _actions,
    "benchmark_comparison": _benchmark,
}


def render_plan(
    console: Console, document: AccountPlanDocument, sections: tuple[str, ...] = SECTIONS
) -> None:
    """Print the plan (only `sections`, in the PRD's order) with a header line of its status."""
    d = document
    header = Text(f"ACCOUNT PLAN - {d.customer_name} {d.fiscal_year}\n", style="bold")
    header.append(f"Data coverage {d.ai_confidence:.0%} | Status: {d.status} | Version {d.version}")
    header.append(f" | {drafted_by(d)}", style="dim")
    console.print(Panel(header, expand=True))
    for section in SECTIONS:
        if section in sections:
            console.print(RENDERERS[section](d))
            console.print()
    gaps = d.generation_context.get("data_gaps") or []
    if gaps:
        console.print(Text("Data gaps: " + "; ".join(gaps), style="yellow"))
    review = stored_review(d)
    if review is not None:
        console.print(render_review(review))
    fallbacks = d.generation_context.get("fallbacks") or {}
    if fallbacks:
        console.print(
            Text(
                "Drafted from your data instead of by Claude: "
                + "; ".join(f"{part_title(k)} ({v})" for k, v in fallbacks.items()),
                style="dim",
            )
        )


SEVERITY_MARKS = {"error": ("\u2717", "bold red"), "warning": ("!", "yellow")}


def review_headline(review: PlanReview) -> str:
    """'Plan check: 3 to look at (1 error, 2 warnings)' or 'Plan check: nothing to look at'."""
    if not review.findings:
        return "Plan check: nothing to look at"
    errors, warnings = len(review.errors), len(review.warnings)
    parts = [
        f"{n} {word}{'' if n == 1 else 's'}" for n, word in ((errors, "error"), (warnings, "warning")) if n
    ]
    return f"Plan check: {len(review.findings)} to look at ({', '.join(parts)})"


def render_review(review: PlanReview) -> RenderableType:
    """The plan review as people read it: errors (a manager would send the plan back) first, then
    warnings, each with what to do about it."""
    parts: list[RenderableType] = [Text(review_headline(review), style="bold magenta")]
    for item in review.findings:
        mark, style = SEVERITY_MARKS[item.severity]
        line = Text(f"{mark} ", style=style)
        line.append(item.message)
        line.append(f"\n    \u2192 {item.suggestion}", style="italic")
        line.append(f"  [{item.code} \u00b7 {item.path}]", style="dim")
        parts.append(line)
    return Group(*parts)
