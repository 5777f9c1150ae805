"""The plan's fiscal year as a Gantt chart: a row per objective with its quarterly milestones (filled
when done, red-edged when their quarter ended undone), a row for the 90-day actions, the quarters
shaded, and the QBRs, the renewal and today as labelled vertical lines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from bot.charts.drawing import FONT, GRID, INK, SMALL, TITLE, alt_text, new_figure, png_bytes, wrapped
from bot.charts.inputs import ChartInputs
from storage.plan_document import QUARTERS
from tools.analytics.fiscal_calendar import fiscal_quarters

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PRIORITY_COLOURS = {"critical": "#1e3799", "high": "#4a69bd", "medium": "#9aa9d9"}
PRIORITY_NAMES = {"critical": "Critical", "high": "High", "medium": "Medium"}
DONE_COLOUR = "#1d1c1d"
LATE_COLOUR = "#d63031"
RENEWAL_COLOUR = "#d63031"
QBR_COLOUR = "#6c5ce7"
TODAY_COLOUR = "#00a67e"
ACTIONS_COLOUR = "#dfe4ea"
QUARTER_SHADE = "#f4f6fa"
LABEL_WIDTH = 32  # characters per line of an objective's label
EVENT_SPACING_DAYS = 24  # labels closer than this go on separate lines
MILESTONE_LEAD_DAYS = 8  # a milestone is drawn just before its quarter ends
LEAD_IN_DAYS = 75  # how far before the fiscal year the picture reaches to show today's start


@dataclass(frozen=True)
class Event:
    day: date
    label: str
    colour: str
    style: str


def _quarter_bounds(inputs: ChartInputs) -> list[tuple[str, date, date]]:
    return [
        (q.name, q.start, q.end)
        for q in fiscal_quarters(inputs.document.fiscal_year, inputs.fiscal_year_start_month)
    ]


def _short(day_: date) -> str:
    return f"{day_:%b} {day_.day}"


def _events(inputs: ChartInputs, start: date, end: date) -> list[Event]:
    events = [
        Event(qbr.date, f"QBR {_short(qbr.date)}", QBR_COLOUR, ":")
        for qbr in inputs.document.qbr_schedule
        if start <= qbr.date <= end
    ]
    renewal = inputs.renewal_date
    if renewal is not None and start <= renewal <= end:
        events.append(Event(renewal, f"Renewal {_short(renewal)}", RENEWAL_COLOUR, "--"))
    if start <= inputs.today <= end:
        events.append(Event(inputs.today, "Today", TODAY_COLOUR, "-"))
    return sorted(events, key=lambda e: e.day)


def _levels(events: list[Event]) -> list[int]:
    """A label line per event so that labels closer than EVENT_SPACING_DAYS never overlap."""
    last_on_level: list[date] = []
    levels = []
    for event in events:
        level = next(
            (i for i, last in enumerate(last_on_level) if (event.day - last).days >= EVENT_SPACING_DAYS), None
        )
        if level is None:
            level = len(last_on_level)
            last_on_level.append(event.day)
        else:
            last_on_level[level] = event.day
        levels.append(level)
    return levels


def _plan_start(inputs: ChartInputs) -> date:
    recorded = inputs.document.generation_context.get("as_of")
    if isinstance(recorded, str):
        try:
            return date.fromisoformat(recorded)
        except ValueError:
            pass
    actions = inputs.document.action_plan_90day
    return min(a.due_date - timedelta(days=a.week * 7 - 1) for a in actions)


def timeline_png(inputs: ChartInputs) -> bytes:
    return png_bytes(timeline_figure(inputs))


def timeline_figure(inputs: ChartInputs) -> Figure:
    from matplotlib.dates import date2num
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    document = inputs.document
    quarters = _quarter_bounds(inputs)
    year_start, end = quarters[0][1], quarters[-1][2]
    plan_start = _plan_start(inputs)
    # Drafted in planning season: the weeks before the year starts (today, the first actions) show.
    lead_in = [d for d in (plan_start, inputs.today) if year_start - timedelta(days=LEAD_IN_DAYS) <= d < year_start]
    start = min([year_start, *(d - timedelta(days=4) for d in lead_in)])
    objectives = document.strategic_objectives
    rows = len(objectives) + 1
    events = _events(inputs, start, end)
    levels = _levels(events)
    strip = 0.27 * (max(levels, default=0) + 1) + (0.27 if _outside_renewal(inputs, start, end) else 0.0)
    height = 0.55 + strip + 0.62 * rows + 0.95
    figure = new_figure(10.0, height)
    left, right = 0.31, 0.985
    bottom = 0.85 / height
    top = 1 - (strip + 0.5) / height
    axes = figure.add_axes((left, bottom, right - left, top - bottom))
    x0, x1 = date2num(start), date2num(end + timedelta(days=1))
    axes.set_xlim(x0, x1)
    axes.set_ylim(-rows + 0.4, 0.6)

    for i, (_name, q_start, q_end) in enumerate(quarters):
        if i % 2 == 0:
            axes.axvspan(date2num(q_start), date2num(q_end + timedelta(days=1)), color=QUARTER_SHADE, zorder=0)
    axes.set_xticks(
        [date2num(q_start + (q_end - q_start) / 2) for _, q_start, q_end in quarters],
        [f"{name}\n{q_start:%b}–{q_end:%b}" for name, q_start, q_end in quarters],
        fontsize=FONT,
        color=INK,
    )
    axes.tick_params(axis="x", length=0)
    labels = []
    for row, objective in enumerate(objectives):
        y = -row
        colour = PRIORITY_COLOURS.get(objective.priority, PRIORITY_COLOURS["medium"])
        axes.barh(y, x1 - x0, left=x0, height=0.36, color=colour, alpha=0.35, zorder=1)
        by_quarter = {name: (q_start, q_end) for name, q_start, q_end in quarters}
        for quarter in QUARTERS:
            milestones = [m for m in objective.quarterly_milestones if m.quarter == quarter]
            if quarter not in by_quarter:
                continue
            q_end = by_quarter[quarter][1]
            for k, milestone in enumerate(milestones):
                x = date2num(q_end - timedelta(days=MILESTONE_LEAD_DAYS + 9 * k))
                late = not milestone.done and q_end < inputs.today
                axes.plot(
                    x,
                    y,
                    marker="D",
                    markersize=11,
                    markerfacecolor=DONE_COLOUR if milestone.done else "white",
                    markeredgecolor=LATE_COLOUR if late else colour,
                    markeredgewidth=2,
                    zorder=4,
                )
        labels.append(wrapped(f"{row + 1}. {objective.objective}", LABEL_WIDTH))

    # The 90-day actions: one dot per action on its due date, filled once done.
    actions_y = -len(objectives)
    axes.barh(
        actions_y,
        date2num(plan_start + timedelta(days=91)) - date2num(plan_start),
        left=date2num(plan_start),
        height=0.36,
        color=ACTIONS_COLOUR,
        zorder=1,
    )
    per_day: dict[date, int] = {}
    for action in sorted(document.action_plan_90day, key=lambda a: a.due_date):
        n = per_day.get(action.due_date, 0)
        per_day[action.due_date] = n + 1
        offset = (0.0, 0.12, -0.12, 0.24, -0.24)[n % 5]
        late = action.status != "done" and action.due_date < inputs.today
        axes.plot(
            date2num(action.due_date),
            actions_y + offset,
            marker="o",
            markersize=6,
            markerfacecolor=DONE_COLOUR if action.status == "done" else "white",
            markeredgecolor=LATE_COLOUR if late else "#57606f",
            markeredgewidth=1.4,
            zorder=4,
        )
    labels.append(f"90-day actions ({len(document.action_plan_90day)})")

    axes.set_yticks([-r for r in range(rows)], labels, fontsize=FONT, color=INK)
    axes.tick_params(axis="y", length=0, pad=8)
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    axes.spines["bottom"].set_color(GRID)

    for event, level in zip(events, levels, strict=True):
        x = date2num(event.day)
        axes.axvline(x, color=event.colour, linestyle=event.style, linewidth=1.6, zorder=3)
        axes.annotate(
            event.label,
            xy=(x, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(0, 6 + 19 * level),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=SMALL,
            color=event.colour,
            fontweight="bold",
        )
    outside = _outside_renewal(inputs, start, end)
    if outside:
        axes.annotate(
            outside,
            xy=(1.0, 1.0),
            xycoords="axes fraction",
            xytext=(0, 6 + 19 * (max(levels, default=-1) + 1)),
            textcoords="offset points",
            ha="right",
            va="bottom",
            fontsize=SMALL,
            color=RENEWAL_COLOUR,
            fontweight="bold",
        )

    figure.suptitle(
        f"{document.customer_name} · {document.fiscal_year} plan timeline",
        x=0.02,
        y=1 - 0.12 / height,
        ha="left",
        va="top",
        fontsize=TITLE,
        fontweight="bold",
        color=INK,
    )
    legend: list[Any] = [
        Patch(color=PRIORITY_COLOURS[p], alpha=0.5, label=f"{PRIORITY_NAMES[p]} priority")
        for p in ("critical", "high", "medium")
        if any(o.priority == p for o in objectives)
    ]
    legend += [
        Line2D([], [], marker="D", linestyle="", markerfacecolor="white", markeredgecolor=INK, label="Milestone"),
        Line2D([], [], marker="D", linestyle="", color=DONE_COLOUR, label="Done"),
        Line2D([], [], marker="D", linestyle="", markerfacecolor="white", markeredgecolor=LATE_COLOUR, label="Late"),
    ]
    figure.legend(
        handles=legend,
        loc="lower left",
        bbox_to_anchor=(0.01, 0.0),
        ncol=len(legend),
        frameon=False,
        fontsize=SMALL,
        handlelength=1.2,
        columnspacing=1.2,
    )
    return figure


def _outside_renewal(inputs: ChartInputs, start: date, end: date) -> str | None:
    renewal = inputs.renewal_date
    if renewal is None or start <= renewal <= end:
        return None
    when = f"{renewal:%b} {renewal.day}, {renewal.year}"
    return f"Renewal {when} ▸" if renewal > end else f"◂ Renewal was {when}"


def timeline_alt_text(inputs: ChartInputs) -> str:
    document = inputs.document
    objectives = document.strategic_objectives
    milestones = [m for o in objectives for m in o.quarterly_milestones]
    done = sum(1 for m in milestones if m.done)
    qbrs = ", ".join(_short(q.date) for q in document.qbr_schedule) or "none"
    renewal = (
        f"{inputs.renewal_date:%b} {inputs.renewal_date.day}, {inputs.renewal_date.year}"
        if inputs.renewal_date
        else "not on record"
    )
    names = "; ".join(f"{i}. {o.objective} ({o.priority})" for i, o in enumerate(objectives, 1))
    return alt_text(
        f"Timeline of the {document.customer_name} {document.fiscal_year} plan by quarter: "
        f"{len(objectives)} objectives with {len(milestones)} quarterly milestones ({done} done); "
        f"QBRs {qbrs}; renewal {renewal}; {len(document.action_plan_90day)} actions in the first 90 days; "
        f"today {_short(inputs.today)}. Objectives: {names}."
    )
