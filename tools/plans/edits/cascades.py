"""The rules that keep a plan consistent after an edit, shared by every editor (the offline intent
parser, the Claude revision agent's tools, forms): objectives numbered 1..N with references
following, milestones in quarter order and every quarter covered, the summary and the 90-day plan
never describing what is gone, an action's week and due date agreeing.
"""

from __future__ import annotations

import math
import re
from datetime import date, timedelta

from rapidfuzz import fuzz

from storage.plan_document import QUARTERS
from storage.plan_text import long_date
from tools.plans.edits.base import Json, quarter_index, shift_paths, short, words

PLACEHOLDER_MILESTONE = "To be agreed with the customer (placeholder)"
# A summary clause is only edited when it is mostly the quoted text, not a sentence that mentions it.
CLAUSE_SLACK_CHARS = 25
CLAUSE_FUZZY_SCORE = 90


# --- objectives ---------------------------------------------------------------------------------


def renumber_objectives(plan: Json) -> dict[str, str]:
    """Give objectives the ids people see (obj-1..obj-N, in order) and make every reference follow.
    Returns old id -> new id for the ids that changed."""
    mapping: dict[str, str] = {}
    for index, objective in enumerate(plan["strategic_objectives"], start=1):
        new = f"obj-{index}"
        if objective["id"] != new:
            mapping[objective["id"]] = new
            objective["id"] = new
    if mapping:
        for action in plan["action_plan_90day"]:
            if action.get("objective_id") in mapping:
                action["objective_id"] = mapping[action["objective_id"]]
    return mapping


def unlink_dangling_actions(plan: Json) -> int:
    """Actions pointing at an objective the plan no longer has lose the link; returns how many."""
    ids = {o["id"] for o in plan["strategic_objectives"]}
    count = 0
    for action in plan["action_plan_90day"]:
        if action.get("objective_id") and action["objective_id"] not in ids:
            action["objective_id"] = None
            count += 1
    return count


# --- the executive summary ------------------------------------------------------------------------


def _clause_bounds(summary: str, start: int, end: int) -> tuple[int, int]:
    """The list item or sentence around summary[start:end]."""
    left = max(
        summary.rfind("; ", 0, start) + 2, summary.rfind(": ", 0, start) + 2, _sentence_start(summary, start)
    )
    right_candidates = [i for i in (summary.find(";", end), _sentence_end(summary, end)) if i != -1]
    right = min(right_candidates) if right_candidates else len(summary)
    return left, right


def _sentence_start(summary: str, index: int) -> int:
    found = [m.end() for m in re.finditer(r"[.!?]\s+", summary[:index])]
    return found[-1] if found else 0


def _sentence_end(summary: str, index: int) -> int:
    found = re.search(r"[.!?](\s|$)", summary[index:])
    return index + found.start() if found else len(summary)


def _find_clause(summary: str, text: str) -> tuple[int, int] | None:
    """Where the summary quotes `text` as a clause of its own (exactly, or nearly)."""
    at = summary.lower().find(text.lower().strip().rstrip("."))
    if at != -1:
        left, right = _clause_bounds(summary, at, at + len(text.strip().rstrip(".")))
        if right - left <= len(text) + CLAUSE_SLACK_CHARS:
            return left, right
        return None
    position = 0
    for piece in re.split(r"(;\s|:\s|[.!?]\s+)", summary):
        if piece and fuzz.ratio(words(piece), words(text)) >= CLAUSE_FUZZY_SCORE:
            return position, position + len(piece)
        position += len(piece)
    return None


def drop_from_summary(plan: Json, text: str) -> bool:
    """Remove the summary's clause quoting `text` (an objective that is gone). True if it did."""
    summary: str = plan["executive_summary"]
    found = _find_clause(summary, text)
    if found is None:
        return False
    left, right = found
    if summary.startswith("; ", right):
        new = summary[:left] + summary[right + 2 :]
    elif summary[:left].endswith("; "):
        new = summary[: left - 2] + summary[right:]
    else:  # the only item: the whole sentence goes
        start, end = _sentence_start(summary, left), _sentence_end(summary, right)
        new = (summary[:start] + summary[end + 1 :].lstrip()).strip()
    if len(new) < 20:  # the document needs a summary; leave it rather than gut it
        return False
    plan["executive_summary"] = new
    return True


def replace_in_summary(plan: Json, old: str, new: str) -> bool:
    """Reword the summary's quote of `old` as `new` (keeping the quote's capitalisation)."""
    summary: str = plan["executive_summary"]
    needle = old.strip().rstrip(".")
    at = summary.lower().find(needle.lower())
    if at == -1 or not needle:
        return False
    replacement = new.strip().rstrip(".")
    if summary[at].islower():
        replacement = replacement[:1].lower() + replacement[1:]
    plan["executive_summary"] = summary[:at] + replacement + summary[at + len(needle) :]
    return True


def replace_figure(text: str, old: str, new: str) -> str:
    """`text` with the figure `old` (e.g. '70%') written as `new`, whole figures only."""
    return re.sub(rf"(?<![\d.$]){re.escape(old)}(?![\d])", new, text)


# --- milestones -----------------------------------------------------------------------------------


def order_milestones(objective: Json) -> None:
    milestones: list[Json] = objective["quarterly_milestones"]
    milestones.sort(key=lambda m: quarter_index(m["quarter"]))


def fill_empty_quarters(objective: Json) -> list[str]:
    """Every objective needs Q1-Q4: an emptied quarter gets a placeholder. Returns those quarters."""
    covered = {m["quarter"] for m in objective["quarterly_milestones"]}
    missing = [q for q in QUARTERS if q not in covered]
    for quarter in missing:
        objective["quarterly_milestones"].append(
            {"quarter": quarter, "milestone": PLACEHOLDER_MILESTONE, "done": False}
        )
    order_milestones(objective)
    return missing


def actions_quoting(plan: Json, text: str, objective_id: str | None = None) -> list[int]:
    """Indexes of 90-day actions that quote `text` (e.g. a milestone's reminder), optionally only
    those linked to `objective_id` or to nothing."""
    needle = text.strip().lower()
    return [
        i
        for i, action in enumerate(plan["action_plan_90day"])
        if needle
        and needle in action["action"].lower()
        and (objective_id is None or action.get("objective_id") in (objective_id, None))
    ]


def remove_actions(plan: Json, indexes: list[int]) -> list[str]:
    """Remove these actions (keeping at least one in the plan); returns the removed actions' text."""
    actions = plan["action_plan_90day"]
    removed: list[str] = []
    for index in sorted(set(indexes), reverse=True):
        if len(actions) <= 1:
            break
        removed.append(actions[index]["action"])
        del actions[index]
        shift_paths(plan, "action_plan_90day", index)
    return list(reversed(removed))


def reword_everywhere(plan: Json, old: str, new: str) -> int:
    """Quotes of `old` in actions and QBR focus follow a reworded milestone; returns how many."""
    count = 0
    for action in plan["action_plan_90day"]:
        if old and old in action["action"]:
            action["action"] = action["action"].replace(old, new)
            count += 1
    for qbr in plan["qbr_schedule"]:
        if old and old in qbr["focus"]:
            qbr["focus"] = qbr["focus"].replace(old, new)
            count += 1
    return count


# --- weeks and dates of the 90-day plan ---------------------------------------------------------


def week_zero(actions: list[Json], fallback: date | None = None) -> date:
    """The plan's weeks are anchored on its existing actions (week N is due N weeks after week 0)."""
    for action in actions:
        return date.fromisoformat(str(action["due_date"])) - timedelta(weeks=int(action["week"]))
    return fallback or date.today()


def due_for_week(actions: list[Json], week: int) -> date:
    return week_zero(actions) + timedelta(weeks=week)


def week_of_day(zero: date, due: date) -> int:
    """The plan week (counted from week 0 starting on `zero`) a due date falls in; may lie outside 1..13."""
    return math.ceil((due - zero).days / 7)


def week_for_due(actions: list[Json], due: date) -> int:
    return week_of_day(week_zero(actions), due)


def human_date(day: date) -> str:
    return long_date(day)


def quoted(text: str) -> str:
    return f"'{short(text)}'"
