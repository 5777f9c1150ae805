"""The "Drafting ..." message and its live checklist, updated as each section finishes."""

from __future__ import annotations

from collections.abc import Mapping

from slack_sdk.models.blocks import Block, SectionBlock

from bot.slack.blocks import symbols
from bot.slack.blocks.text import context_line, escape, mrkdwn, truncate
from bot.slack.limits import MAX_MESSAGE_TEXT
from storage.plan_document import SECTIONS

SECTION_LABELS = {
    "executive_summary": "Executive summary",
    "business_context": "Business context",
    "strategic_objectives": "Strategic objectives",
    "stakeholder_plan": "Stakeholder plan",
    "expansion_plan": "Expansion plan",
    "risk_mitigation": "Risk mitigation",
    "qbr_schedule": "QBR schedule",
    "resource_plan": "Resource plan",
    "action_plan_90day": "90-day action plan",
    "benchmark_comparison": "Benchmark comparison",
}
STATE_MARKS = {
    "pending": symbols.NOT_YET,
    "started": symbols.IN_PROGRESS,
    "done": symbols.DONE,
    "fallback": symbols.PROBLEM,
}


def drafting_title(customer_name: str, fiscal_year: str) -> str:
    return f"Drafting {escape(customer_name)} {escape(fiscal_year)} …"


def progress_blocks(
    customer_name: str,
    fiscal_year: str,
    states: Mapping[str, str],
    sections: tuple[str, ...] = SECTIONS,
    *,
    estimate_seconds: float | None = None,
) -> list[Block]:
    """`states`: section -> pending | started | done | fallback (fallback = drafted offline)."""
    lines = []
    for section in sections:
        state = states.get(section, "pending")
        suffix = " _(drafted from your data)_" if state == "fallback" else ""
        lines.append(
            f"{STATE_MARKS.get(state, STATE_MARKS['pending'])} {SECTION_LABELS.get(section, section)}{suffix}"
        )
    finished = sum(1 for s in sections if states.get(s) in ("done", "fallback"))
    footer = f"{finished}/{len(sections)} sections"
    if estimate_seconds is not None:
        footer += f" · usually about {estimate_seconds:.0f}s"
    return [
        SectionBlock(text=mrkdwn(f"*{drafting_title(customer_name, fiscal_year)}*\n" + "\n".join(lines))),
        context_line(footer),
    ]


def progress_text(customer_name: str, fiscal_year: str) -> str:
    return truncate(drafting_title(customer_name, fiscal_year), MAX_MESSAGE_TEXT)


def failure_blocks(customer_name: str, fiscal_year: str, reason: str) -> list[Block]:
    """What replaces the checklist when drafting failed: what happened and what to do."""
    return [
        SectionBlock(
            text=mrkdwn(
                f"{symbols.FAILED} Could not draft *{escape(customer_name)} {escape(fiscal_year)}*: {escape(reason)}\n"
                f"`/accountplan {escape(customer_name)} {escape(fiscal_year)}` drafts it again."
            )
        )
    ]
