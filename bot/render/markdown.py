"""A plan as Markdown, in the PRD's section order: what `accountplan export` writes and what the
Slack export uploads (as a file and as a canvas). Plain GitHub-flavoured Markdown so it reads well
anywhere; every piece of plan text goes through `text`/`paragraph`, so customer text (names,
goals, contacts) is shown as typed and can never become a link, an image, a mention or HTML."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from storage.plan_document import SECTIONS, AccountPlanDocument, MetricValue, part_title
from storage.plan_text import long_date

# Characters that would make customer text into markup: links and images ([, ], !), emphasis and
# code (*, _, `, ~), headings and quotes at a line start (#, >), escapes (\\). Escaped with a backslash,
# CommonMark shows each as typed.
_MARKUP = re.compile(r"([\\`*_\[\]!#~|])")
# An HTML or XML entity ("&amp;", "&#60;"): its "&" is escaped so the entity is shown, not decoded.
_ENTITY = re.compile(r"&(?=#?\w+;)")
_LIST_START = re.compile(r"^(\d+)([.)])(?=\s)|^([-+])(?=\s)")


def text(value: object) -> str:
    """Customer or model text, inert in Markdown (and in a Slack canvas made from it): one line;
    `<` and `>` as entities, so `<!channel>`, `<@U123>`, `<https://x|click>` and HTML are shown
    literally and never become mentions, links or tags; link, image and emphasis characters
    escaped, so `[text](url)` and `![](url)` stay text."""
    flat = _MARKUP.sub(r"\\\1", " ".join(str(value).split()))
    flat = _ENTITY.sub(r"\\&", flat)
    return flat.replace("<", "&lt;").replace(">", "&gt;")


def paragraph(value: object) -> str:
    """Like `text`, for a paragraph of its own: a leading '-', '1.' or '>' cannot start a list."""
    return _LIST_START.sub(
        lambda m: f"{m.group(1)}\\{m.group(2)}" if m.group(1) else f"\\{m.group(3)}", text(value)
    )


def _cell(value: object) -> str:
    """Table cells: one line, inert (plan text can contain anything a customer typed)."""
    if value is None:
        return "-"
    return text(value) or "-"


def _table(headers: list[str], rows: Iterable[list[object]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]
    return lines


def export_filename(document: AccountPlanDocument) -> str:
    """`techcorp-industries-FY2026-v3.md`: readable, unique per plan version."""
    slug = "".join(c if c.isalnum() else "-" for c in document.customer_name.lower())
    slug = "-".join(part for part in slug.split("-") if part)
    return f"{slug or document.customer_id}-{document.fiscal_year}-v{document.version}.md"


def money(value: float | None) -> str:
    return "-" if value is None else f"${value:,.0f}"


def metric(value: MetricValue) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, float) and value.is_integer():
        return f"{value:,.0f}"
    return str(value)


def drafted_by(document: AccountPlanDocument) -> str:
    """Who wrote the plan, honestly: a model only when one wrote at least one section."""
    return (
        "AI-drafted (Claude), checked against your data"
        if document.ai_generated
        else "Drafted from your data"
    )


def render_markdown(document: AccountPlanDocument) -> str:
    d = document
    lines: list[str] = [
        f"# {text(d.customer_name)}: account plan {d.fiscal_year}",
        "",
        f"**Status:** {d.status} · **Version:** {d.version} · **Data coverage:** {d.ai_confidence:.0%}"
        f" · {drafted_by(d)}",
        "",
        "## Executive summary",
        "",
        paragraph(d.executive_summary),
        "",
        "## Business context",
        "",
        f"- **Industry trends:** {text(d.business_context.industry_trends)}",
        f"- **Customer goals:** {text(d.business_context.customer_goals)}",
        f"- **Competitive landscape:** {text(d.business_context.competitive_landscape)}",
        "",
        "## Strategic objectives",
    ]
    for objective in d.strategic_objectives:
        lines += [
            "",
            f"### {objective.id}: {text(objective.objective)}",
            "",
            f"**Priority:** {objective.priority} · **Owner:** {objective.owner}",
            "",
            paragraph(objective.rationale),
            "",
            *_table(
                ["Success metric", "Current", "Target", "Measurement"],
                (
                    [m.metric, metric(m.current), metric(m.target), m.measurement]
                    for m in objective.success_metrics
                ),
            ),
            "",
            *(
                f"- [{'x' if m.done else ' '}] **{m.quarter}:** {text(m.milestone)}"
                for m in sorted(objective.quarterly_milestones, key=lambda m: m.quarter)
            ),
        ]
    stakeholders = d.stakeholder_plan
    lines += ["", "## Stakeholder plan", "", paragraph(stakeholders.current_assessment), ""]
    if stakeholders.current_map:
        lines += _table(
            ["Name", "Title", "Role", "Relationship", "Engagement", "Active"],
            (
                [
                    s.name,
                    s.title,
                    s.role.replace("_", " "),
                    s.relationship_score,
                    s.engagement_level,
                    "yes" if s.active else "left",
                ]
                for s in stakeholders.current_map
            ),
        )
        lines.append("")
    if stakeholders.relationship_goals:
        lines += _table(
            ["Stakeholder", "Score now", "Target", "Strategy"],
            ([g.name, g.current_score, g.target_score, g.strategy] for g in stakeholders.relationship_goals),
        )
        lines.append("")
    lines += [
        f"- **Missing roles:** {text(', '.join(stakeholders.missing_roles)) or 'none'}",
        f"- **Multi-threading target:** {stakeholders.multi_threading_target} engaged contacts",
        f"- **Executive sponsor strategy:** {text(stakeholders.exec_sponsor_strategy)}",
        "",
        "## Expansion plan",
        "",
        f"**Current ARR:** {money(d.expansion_plan.current_arr)} · **Target ARR:** {money(d.expansion_plan.target_arr)}",
        "",
    ]
    if d.expansion_plan.opportunities:
        lines += _table(
            ["Type", "Opportunity", "Value", "Probability", "Timeline"],
            (
                [o.type.replace("_", " "), o.description, money(o.value), f"{o.probability:.0%}", o.timeline]
                for o in d.expansion_plan.opportunities
            ),
        )
    else:
        lines.append("No expansion opportunities on record.")
    lines += ["", "## Risk mitigation", ""]
    if d.risk_mitigation.identified_risks:
        lines += _table(
            ["Risk", "Severity", "Mitigation", "Owner"],
            ([r.risk, r.severity, r.mitigation, r.owner] for r in d.risk_mitigation.identified_risks),
        )
    else:
        lines.append("No risks detected in the data.")
    lines += ["", "## QBR schedule", ""]
    lines += _table(
        ["Quarter", "Date", "Focus", "Attendees"],
        ([q.quarter, long_date(q.date), q.focus, ", ".join(q.attendees)] for q in d.qbr_schedule),
    )
    resources = d.resource_plan
    lines += [
        "",
        "## Resource plan",
        "",
        f"- **Engagement model:** {text(resources.engagement_model)}",
        f"- **CSM hours per month:** {resources.csm_hours_per_month}",
        f"- **Specialists:** {text(', '.join(resources.specialists)) or 'none'}",
        f"- **Executive alignment:** {text(resources.executive_alignment)}",
        f"- **Why:** {text(resources.rationale)}",
        "",
        "## 90-day action plan",
        "",
    ]
    lines += _table(
        ["Week", "Due", "Action", "Owner", "Objective", "Status"],
        (
            [a.week, long_date(a.due_date), a.action, a.owner, a.objective_id, a.status]
            for a in d.action_plan_90day
        ),
    )
    benchmark = d.benchmark_comparison
    rate = benchmark.similar_accounts_success_rate
    lines += [
        "",
        "## Benchmark comparison",
        "",
        f"**Similar accounts' success rate:** {'unknown' if rate is None else f'{rate:.0%}'}",
        "",
        paragraph(benchmark.key_differentiators),
        "",
    ]
    if benchmark.similar_accounts:
        lines += _table(
            ["Account", "Industry", "Segment", "ARR", "Similarity", "Outcome"],
            (
                [
                    a.name,
                    a.industry,
                    a.segment,
                    money(a.arr),
                    f"{a.similarity:.0%}",
                    f"{a.outcome}{' and grew' if a.succeeded else ''}",
                ]
                for a in benchmark.similar_accounts
            ),
        )
        lines.append("")
    if benchmark.missing_elements:
        lines += [
            "**Missing elements:**",
            "",
            *(f"- {text(element)}" for element in benchmark.missing_elements),
            "",
        ]
    gaps = d.generation_context.get("data_gaps") or []
    if gaps:
        lines += ["## Data gaps", "", *(f"- {text(str(gap))}" for gap in gaps), ""]
    lines += _sources(d.generation_context.get("provenance") or {})
    as_of = d.generation_context.get("as_of")
    if as_of:
        lines += [f"_Drafted from data as of {text(str(as_of))}._", ""]
    return "\n".join(lines).rstrip() + "\n"




def _says(path: str, entry: dict[str, Any]) -> str:
    if entry.get("text"):
        return str(entry["text"])
    value = entry.get("value")
    field = path.split(":")[0]
    if isinstance(value, int | float) and field.endswith(("_arr", ".value")):
        return money(float(value))
    if isinstance(value, int | float) and field.endswith(("probability", "success_rate")):
        return f"{value:.0%}"
    return metric(value)


def _rests_on(entry: dict[str, Any]) -> str:
    source = f" ({entry.get('source')})" if entry.get("source") else ""
    kind = entry.get("kind")
    if kind == "derived":
        return f"{entry.get('derivation') or entry.get('label')}{source}"
    if kind == "target":
        what = entry.get("derivation") or (
            entry.get("label") if entry.get("label") != "success metric target" else ""
        )
        return "goal set by the plan" + (f": {what}" if what else "")
    if kind == "plan":
        return f"the plan as accepted{source}"
    return f"{entry.get('label')}{source}"


def _reading_order(path: str) -> tuple[int, tuple[int, ...]]:
    """Sections in the plan's order, then items by number: Action 2 before Action 11."""
    section = re.match(r"\w+", path)
    name = section.group(0) if section else ""
    position = SECTIONS.index(name) if name in SECTIONS else len(SECTIONS)
    return position, tuple(int(n) for n in re.findall(r"\[(\d+)\]", path.split(":")[0]))


def _sources(provenance: dict[str, Any]) -> list[str]:
    """The "Sources" appendix: what each figure and person in the plan rests on, so a reader can
    check any number in one step (from `generation_context.provenance`)."""
    rows: list[list[object]] = []
    seen: set[tuple[str, str, str]] = set()
    for path, entry in sorted(provenance.items(), key=lambda item: _reading_order(item[0])):
        if not isinstance(entry, dict):
            continue
        row = (part_title(path), _says(path, entry), _rests_on(entry))
        if row not in seen:
            seen.add(row)
            rows.append(list(row))
    if not rows:
        return []
    return ["## Sources", "", *_table(["Where", "Says", "Rests on"], rows), ""]
