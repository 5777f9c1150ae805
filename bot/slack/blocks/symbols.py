"""Every emoji the bot shows, each with one meaning, and the legend `/accountplan help` prints.

A symbol means the same thing on every surface: a red circle is always "the account is at risk",
never "critical priority" or "overdue". Each dimension has its own family of shapes (circles for
the account's standing, arrows for priority, squares for progress, triangle / clock / calendar for
when an action is due), and colour keeps one sense throughout: green good, yellow look at it,
red act now. Builders take symbols from here, never spell emoji codes themselves.
"""

from __future__ import annotations

# The account's standing (the plan's risk level): the status chip on the card, approval and Home.
STANDING = {
    "on_track": ":large_green_circle:",
    "watch": ":large_yellow_circle:",
    "at_risk": ":red_circle:",
}
STANDING_LABELS = {"on_track": "On track", "watch": "Watch", "at_risk": "At risk"}

# An objective's priority.
PRIORITY = {
    "critical": ":arrow_double_up:",
    "high": ":arrow_up_small:",
    "medium": ":small_blue_diamond:",
}
PRIORITY_LABELS = {"critical": "Critical", "high": "High", "medium": "Medium"}

# An objective's progress (the bar says how far; the square says whether that is enough).
PROGRESS = {
    "complete": ":white_check_mark:",
    "on_track": ":large_green_square:",
    "behind": ":large_yellow_square:",
}
PROGRESS_LABELS = {"complete": "complete", "on_track": "on track", "behind": "behind"}

# When an open action is due.
OVERDUE = ":small_red_triangle:"
DUE_SOON = ":alarm_clock:"  # today or within the week
DUE_LATER = ":spiral_calendar_pad:"

# Done and not done yet: actions, milestones, drafted sections, an approved plan.
DONE = ":white_check_mark:"
NOT_YET = ":white_small_square:"
IN_PROGRESS = ":hourglass_flowing_sand:"
SNOOZED = ":zzz:"

# Something to look at: plan check findings, sections drafted without the model, failures.
PLAN_CHECK = ":mag:"
PROBLEM = ":warning:"
FAILED = ":x:"

# Review decisions and hand-offs.
DECISIONS = {
    "approve": ":white_check_mark:",
    "request_changes": ":leftwards_arrow_with_hook:",
    "reject": ":no_entry:",
}
SUBMITTED = ":outbox_tray:"
KEPT = ":pushpin:"  # a redraft kept people's edits
DISMISSED = ":no_entry_sign:"
EXPORTED = ":page_facing_up:"
CHART = ":bar_chart:"


def standing_chip(level: str) -> str:
    """":red_circle: At risk" for a risk level."""
    return f"{STANDING.get(level, STANDING['watch'])} {STANDING_LABELS.get(level, 'Watch')}"


def priority_mark(priority: str) -> str:
    """":arrow_double_up: Critical" for a priority."""
    label = PRIORITY_LABELS.get(priority, priority.replace("_", " ").capitalize())
    mark = PRIORITY.get(priority)
    return f"{mark} {label}" if mark else label


def legend_lines() -> list[str]:
    """What each symbol means, one family a line (for `/accountplan help`)."""
    standing = " ".join(f"{STANDING[k]} {STANDING_LABELS[k].lower()}" for k in STANDING)
    priority = " ".join(f"{PRIORITY[k]} {PRIORITY_LABELS[k].lower()}" for k in PRIORITY)
    progress = " ".join(f"{PROGRESS[k]} {PROGRESS_LABELS[k]}" for k in ("on_track", "behind"))
    return [
        f"*Account:* {standing}",
        f"*Objective priority:* {priority}",
        f"*Objective progress:* {progress} (the bar shows how far)",
        f"*Actions:* {OVERDUE} overdue {DUE_SOON} due this week {DUE_LATER} due later",
        f"*Anywhere:* {DONE} done (an action, a milestone, an approved plan) {NOT_YET} not yet "
        f"{PLAN_CHECK} plan check finding {PROBLEM} needs a look",
        f"*Reviews:* {SUBMITTED} submitted {DECISIONS['request_changes']} changes requested "
        f"{DECISIONS['reject']} rejected",
    ]
