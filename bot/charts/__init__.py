"""Pictures of a plan: the fiscal year as a timeline (objectives and their quarterly milestones, QBRs,
the renewal, the 90-day actions, today) and the stakeholder map (contacts by role and seniority,
coloured by relationship score, departed contacts marked, missing roles as empty dashed boxes, the
executive sponsor path).

Pure functions from `ChartInputs` to PNG bytes with alt text, used by Slack (uploaded into the plan's
thread), the CLI (`accountplan chart`) and the Markdown export. matplotlib is imported only inside
the drawing functions: it takes longer to import than a whole CLI command, and only pictures need it.
Drawing is CPU work: async callers run it in a thread (`asyncio.to_thread`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.charts.inputs import ChartInputs

ChartKind = Literal["timeline", "stakeholders"]
CHART_KINDS: tuple[ChartKind, ...] = ("timeline", "stakeholders")
TITLES = {"timeline": "timeline", "stakeholders": "stakeholder map"}


@dataclass(frozen=True)
class ChartImage:
    kind: ChartKind
    png: bytes
    alt_text: str
    title: str
    filename: str


def chart_filename(inputs: ChartInputs, kind: ChartKind) -> str:
    """`techcorp-industries-FY2027-v3-timeline.png`: next to the Markdown export's own name."""
    from bot.render.markdown import export_filename

    return export_filename(inputs.document).removesuffix(".md") + f"-{kind}.png"


def render_chart(kind: ChartKind, inputs: ChartInputs) -> ChartImage:
    """One picture of the plan (CPU-bound: call it off the event loop)."""
    if kind == "timeline":
        from bot.charts.timeline import timeline_alt_text, timeline_png

        png, alt = timeline_png(inputs), timeline_alt_text(inputs)
    elif kind == "stakeholders":
        from bot.charts.stakeholders import stakeholder_alt_text, stakeholder_png

        png, alt = stakeholder_png(inputs), stakeholder_alt_text(inputs)
    else:
        raise ValueError(f"unknown chart kind {kind!r}; expected one of {', '.join(CHART_KINDS)}")
    document = inputs.document
    title = f"{document.customer_name} {document.fiscal_year} {TITLES[kind]} (v{document.version})"
    return ChartImage(kind=kind, png=png, alt_text=alt, title=title, filename=chart_filename(inputs, kind))


def render_charts(inputs: ChartInputs) -> list[ChartImage]:
    return [render_chart(kind, inputs) for kind in CHART_KINDS]
