"""The stakeholder map: a column per buying role, a row per seniority (read from the title), a box
per contact coloured by relationship score, departed contacts hatched, missing roles as empty dashed
boxes, and the executive sponsor path (CSM -> strongest relationship -> executive sponsor, found or
still to find) as arrows."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.charts.drawing import FONT, INK, MUTED, SMALL, TITLE, alt_text, cut, new_figure, png_bytes
from bot.charts.inputs import ChartInputs
from storage.plan_document import StakeholderMapEntry

if TYPE_CHECKING:
    from matplotlib.figure import Figure

ROLES = ("exec_sponsor", "economic_buyer", "champion", "technical_buyer", "user")
ROLE_TITLES = {
    "exec_sponsor": "Executive sponsor",
    "economic_buyer": "Economic buyer",
    "champion": "Champion",
    "technical_buyer": "Technical buyer",
    "user": "Users & others",
}
LEVELS = ("C-level", "VP", "Director", "Manager", "Individual")
# VP first: "Vice President" must not read as "President".
SENIORITY = (
    ("VP", re.compile(r"\b(vp|svp|evp|avp|vice[- ]president|head of)\b", re.I)),
    ("C-level", re.compile(r"\b(chief|ceo|cfo|cto|coo|cio|cmo|cro|cdo|ciso|president|founder|owner)\b", re.I)),
    ("Director", re.compile(r"\bdirector\b", re.I)),
    ("Manager", re.compile(r"\b(manager|lead|supervisor|principal|head)\b", re.I)),
)
# Where a missing role is expected to sit, and which column it belongs to.
MISSING_PLACES = (
    ("sponsor", "exec_sponsor", "VP"),
    ("economic", "economic_buyer", "VP"),
    ("champion", "champion", "Director"),
    ("technical", "technical_buyer", "Director"),
)
SCORE_BANDS = ((70, "#b8e994", "strong (70+)"), (40, "#ffeaa7", "working (40-69)"), (0, "#fab1a0", "weak (<40)"))
NO_SCORE = "#dfe6e9"
DEPARTED_FACE = "#f1f2f6"
PATH_COLOUR = "#6c5ce7"
MAX_PER_CELL = 4
NAME_CHARS = 18  # what fits a box in bold at FONT
TITLE_CHARS = 22

LEFT = 1.05  # inches for the seniority labels
COL_W = 1.95
BOX_W = 1.86
BOX_H = 0.74
GAP = 0.18
HEADER_H = 0.42
TITLE_H = 0.55
LEGEND_H = 0.55
PATH_H = 0.4


def seniority(title: str | None) -> str:
    for level, pattern in SENIORITY:
        if title and pattern.search(title):
            return level
    return "Individual"


def column_of(role: str) -> str:
    return role if role in ROLES else "user"


@dataclass
class Box:
    column: str
    level: str
    kind: str  # contact | departed | missing | more
    lines: list[str]
    score: int | None = None
    stakeholder_id: str | None = None
    center: tuple[float, float] = (0.0, 0.0)


@dataclass
class Layout:
    cells: dict[tuple[str, str], list[Box]] = field(default_factory=dict)

    def add(self, box: Box) -> None:
        self.cells.setdefault((box.column, box.level), []).append(box)


def _contact_box(entry: StakeholderMapEntry) -> Box:
    title = cut(entry.title or "no title on record", TITLE_CHARS)
    score = f"score {entry.relationship_score}" if entry.relationship_score is not None else "no score yet"
    if not entry.active:
        return Box(
            column_of(entry.role),
            seniority(entry.title),
            "departed",
            [cut(entry.name, NAME_CHARS), title, "left the company"],
            stakeholder_id=entry.stakeholder_id,
        )
    return Box(
        column_of(entry.role),
        seniority(entry.title),
        "contact",
        [cut(entry.name, NAME_CHARS), title, score],
        score=entry.relationship_score,
        stakeholder_id=entry.stakeholder_id,
    )


def _missing_box(role_text: str) -> Box:
    lowered = role_text.lower()
    column, level = next(((c, lvl) for key, c, lvl in MISSING_PLACES if key in lowered), ("user", "Manager"))
    label = role_text[:1].upper() + role_text[1:]
    name, _, detail = label.partition(" (")
    hint = f"({detail} · to find" if detail else "to find"
    return Box(column, level, "missing", [cut(name, NAME_CHARS), cut(hint, TITLE_CHARS)])


def build_layout(inputs: ChartInputs) -> Layout:
    plan = inputs.document.stakeholder_plan
    layout = Layout()
    entries = sorted(plan.current_map, key=lambda e: (not e.active, -(e.relationship_score or -1)))
    for entry in entries:
        layout.add(_contact_box(entry))
    for role_text in plan.missing_roles:
        layout.add(_missing_box(role_text))
    for key, boxes in list(layout.cells.items()):
        if len(boxes) > MAX_PER_CELL:
            rest = len(boxes) - (MAX_PER_CELL - 1)
            layout.cells[key] = [*boxes[: MAX_PER_CELL - 1], Box(key[0], key[1], "more", [f"+{rest} more"])]
    return layout


def _sponsor_path(inputs: ChartInputs, layout: Layout) -> list[Box]:
    """CSM -> the strongest active relationship -> the executive sponsor (on record, or to find)."""
    boxes = [b for cell in layout.cells.values() for b in cell]
    sponsors = [b for b in boxes if b.column == "exec_sponsor" and b.kind == "contact"]
    target = max(sponsors, key=lambda b: b.score or -1, default=None) or next(
        (b for b in boxes if b.column == "exec_sponsor" and b.kind == "missing"), None
    )
    if target is None:
        return []
    contacts = [b for b in boxes if b.kind == "contact" and b is not target]
    anchor = max(contacts, key=lambda b: b.score or -1, default=None)
    if anchor is None or (target.kind == "contact" and (anchor.score or -1) <= (target.score or -1)):
        return [target]
    return [anchor, target]


def _face(box: Box) -> str:
    if box.kind != "contact":
        return "white"
    if box.score is None:
        return NO_SCORE
    return next(colour for floor, colour, _ in SCORE_BANDS if box.score >= floor)


def stakeholder_png(inputs: ChartInputs) -> bytes:
    return png_bytes(stakeholder_figure(inputs))


def stakeholder_figure(inputs: ChartInputs) -> Figure:
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch
    from matplotlib.path import Path as MplPath

    layout = build_layout(inputs)
    path = _sponsor_path(inputs, layout)
    levels = [lvl for lvl in LEVELS if any(key[1] == lvl for key in layout.cells)] or ["Individual"]
    heights = {
        lvl: max(len(layout.cells.get((col, lvl), [])) for col in ROLES) * (BOX_H + GAP) + GAP for lvl in levels
    }
    width = LEFT + COL_W * len(ROLES) + 0.15
    caption = PATH_H if path else 0.0
    height = TITLE_H + HEADER_H + sum(heights.values()) + caption + LEGEND_H
    figure = new_figure(width, height)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(0, width)
    axes.set_ylim(0, height)
    axes.axis("off")

    document = inputs.document
    axes.text(
        0.2, height - 0.3, f"{document.customer_name} · stakeholder map", fontsize=TITLE, fontweight="bold",
        color=INK, va="center",
    )
    header_y = height - TITLE_H - HEADER_H / 2
    for i, role in enumerate(ROLES):
        axes.text(
            LEFT + COL_W * (i + 0.5), header_y, ROLE_TITLES[role], ha="center", va="center", fontsize=FONT,
            fontweight="bold", color=INK,
        )
    y = height - TITLE_H - HEADER_H
    for n, level in enumerate(levels):
        row_h = heights[level]
        if n % 2 == 0:
            axes.add_patch(FancyBboxPatch((0.05, y - row_h), width - 0.1, row_h, boxstyle="square,pad=0",
                                          facecolor="#f7f8fa", edgecolor="none", zorder=0))
        axes.text(0.15, y - row_h / 2, level, ha="left", va="center", fontsize=SMALL, color=MUTED)
        for i, role in enumerate(ROLES):
            for k, box in enumerate(layout.cells.get((role, level), [])):
                cx = LEFT + COL_W * (i + 0.5)
                top = y - GAP - k * (BOX_H + GAP)
                box.center = (cx, top - BOX_H / 2)
                _draw_box(axes, box, cx, top, FancyBboxPatch)
        y -= row_h
    for a, b in itertools.pairwise(path):
        points = _route(a, b)
        codes = [MplPath.MOVETO] + [MplPath.LINETO] * (len(points) - 1)
        axes.add_patch(
            FancyArrowPatch(
                path=MplPath(points, codes), arrowstyle="-|>", mutation_scale=18, linewidth=2.4,
                color=PATH_COLOUR, zorder=6, joinstyle="round",
            )
        )
    if path:
        words = " → ".join(["You", *(" ".join(b.lines[0].split()) + (" (to find)" if b.kind == "missing" else "") for b in path)])
        axes.text(0.2, LEGEND_H + caption / 2, f"Executive sponsor path: {words}", fontsize=FONT, color=PATH_COLOUR,
                  fontweight="bold", va="center")
    handles: list[Any] = [Patch(facecolor=colour, edgecolor="#999", label=label) for _, colour, label in SCORE_BANDS]
    handles += [
        Patch(facecolor=NO_SCORE, edgecolor="#999", label="no score"),
        Patch(facecolor=DEPARTED_FACE, edgecolor="#999", hatch="///", label="left"),
        Patch(facecolor="white", edgecolor="#777", linestyle="--", label="missing role"),
    ]
    if path:
        handles.append(Patch(facecolor=PATH_COLOUR, label="sponsor path"))
    figure.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.01, 0.0), ncol=len(handles),
                  frameon=False, fontsize=SMALL - 0.5, handlelength=1.2, columnspacing=1.0)
    return figure


def _route(a: Box, b: Box) -> list[tuple[float, float]]:
    """The arrow from `a` to `b` as a polyline through the gaps between boxes: out of `a`'s top
    (or bottom) edge into the gap beside it, along that gap (boxes line up across columns, so the
    gap is clear) to `b`'s column, then straight to `b`'s edge."""
    (ax, ay), (bx, by) = a.center, b.center
    half = BOX_H / 2
    if abs(ax - bx) < 0.01:
        sign = 1 if by > ay else -1
        return [(ax, ay + sign * half), (bx, by - sign * half)]
    up = by > ay + 0.01
    exit_y = ay + half if up else ay - half
    lane = exit_y + (GAP / 2 if up else -GAP / 2)
    enter_y = by - half if (up or abs(by - ay) < 0.01) else by + half
    return [(ax, exit_y), (ax, lane), (bx, lane), (bx, enter_y)]


def _draw_box(axes: Any, box: Box, cx: float, top: float, patch: Any, height: float = BOX_H) -> None:
    style = "--" if box.kind == "missing" else "-"
    edge = {"missing": "#777777", "departed": "#bbbbbb"}.get(box.kind, "#888888")
    axes.add_patch(
        patch(
            (cx - BOX_W / 2, top - height), BOX_W, height, boxstyle="round,pad=0,rounding_size=0.08",
            facecolor=DEPARTED_FACE if box.kind == "departed" else _face(box),
            edgecolor=edge, linestyle=style, linewidth=1.4, hatch="///" if box.kind == "departed" else None,
            zorder=2,
        )
    )
    colour = MUTED if box.kind in ("missing", "departed", "more") else INK
    if len(box.lines) == 1:
        _fit(axes.text(cx, top - height / 2, box.lines[0], ha="center", va="center", fontsize=FONT,
                       fontweight="bold", color=colour, zorder=3))
        return
    step = height / (len(box.lines) + 1)
    for n, line in enumerate(box.lines):
        _fit(axes.text(
            cx, top - step * (n + 1), line, ha="center", va="center", zorder=3, color=colour,
            fontsize=FONT if n == 0 else SMALL - 0.5, fontweight="bold" if n == 0 else "normal",
            fontstyle="italic" if box.kind in ("missing", "departed") and n > 0 else "normal",
            # Text over a hatched (departed) box gets a plain backing to stay legible.
            bbox={"facecolor": DEPARTED_FACE, "edgecolor": "none", "pad": 0.6} if box.kind == "departed" else None,
        ))


def _fit(text: Any) -> None:
    """Cut `text` (with an ellipsis) until it fits inside a box, measured as it will be drawn: names
    and titles differ too much in letter widths for a character count to be enough."""
    figure = text.get_figure()
    renderer = figure.canvas.get_renderer()
    room = (BOX_W - 0.12) * figure.get_dpi()
    content = text.get_text()
    while text.get_window_extent(renderer).width > room and len(content) > 4:
        content = content[:-2].rstrip() + "…"
        text.set_text(content)


def stakeholder_alt_text(inputs: ChartInputs) -> str:
    document = inputs.document
    plan = document.stakeholder_plan
    people = "; ".join(
        f"{e.name} ({e.title or 'no title'}, {ROLE_TITLES[column_of(e.role)].lower()}, "
        + (f"score {e.relationship_score}" if e.relationship_score is not None else "no score")
        + ("" if e.active else ", left the company")
        + ")"
        for e in plan.current_map
    )
    layout = build_layout(inputs)
    path = _sponsor_path(inputs, layout)
    route = " -> ".join(["CSM", *(b.lines[0] for b in path)]) if path else "none drawn"
    missing = ", ".join(plan.missing_roles) or "none"
    # What matters most first, so a long contact list is what gets cut.
    return alt_text(
        f"Stakeholder map of {document.customer_name} by role and seniority. Missing roles: {missing}. "
        f"Executive sponsor path: {route}. Contacts: {people or 'none on record'}."
    )
