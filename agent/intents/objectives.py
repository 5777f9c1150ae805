"""Requests about strategic objectives: priority (set, raise, lower, swap), owner, wording, remove,
add and replace ("set priority of objective 3 to critical", "drop the expansion objective",
"delete the last objective", "add a training objective", "swap priorities of objectives 2 and 4")."""

from __future__ import annotations

import re

from agent.intents.core import Context, Failure, Intent, cap, search
from agent.intents.lexicon import ADD, OBJECTIVE_OWNERS, PRIORITIES, REMOVE, RENAME, SWAP
from agent.intents.references import (
    OBJECTIVE_NOUN,
    Ref,
    Unclear,
    Workspace,
    all_numbered_objectives,
    find_objective,
)
from agent.intents.values import direction, priority_in, word_in
from tools.plans.edits import AddObjective, EditObjective, PlanEdit, RemoveObjective, ReplaceObjective

# A new objective needs metrics and a milestone per quarter; the CSM refines these placeholders.
DEFAULT_MILESTONES = (
    ("Q1", "Agree scope, owners and success measures"),
    ("Q2", "First results reviewed with the customer"),
    ("Q3", "Rolled out across the account"),
    ("Q4", "Outcome measured and reported at the QBR"),
)
DEFAULT_METRIC = {
    "metric": "Objective delivered",
    "current": None,
    "target": "done",
    "measurement": "CSM review at each QBR",
}
RATIONALE = "Added by the CSM; refine the rationale and metrics with the account team."


def _label(priority: str) -> str:
    return priority.capitalize()


def _objective_text(ctx: Context, ref: Ref) -> str:
    return str(ref.item["objective"])


def _set_priority(ctx: Context, text: str, ref: Ref, priority: str) -> Intent:
    def build(ws: Workspace) -> list[PlanEdit]:
        return [EditObjective.model_validate({"objective_id": ws.objective_id(ref), "priority": priority})]

    number = ctx.ws.objectives.index(ref.item) + 1 if ref.item in ctx.ws.objectives else None
    already = f"Objective {number} is already {_label(priority)}." if number else None
    return Intent(text, build, subject=ref, already=already)


def priority(ctx: Context, text: str) -> Intent | list[Intent] | Failure | None:
    if not search(r"\bpriorit|\bcritical\b|\bhigh\b|\bmedium\b|\bimportant\b|\burgent\b|\bdeprioriti", text):
        return None
    if search(rf"\b(?:{SWAP})\b", text):
        refs = all_numbered_objectives(ctx.ws, text)
        if len(refs) != 2:
            return None
        a, b = refs
        first, second = a.item["priority"], b.item["priority"]

        def build(ws: Workspace) -> list[PlanEdit]:
            return [
                EditObjective(objective_id=ws.objective_id(a), priority=second),
                EditObjective(objective_id=ws.objective_id(b), priority=first),
            ]

        return Intent(text, build, subject=b, already="Those objectives already have the same priority.")
    if search(r"\b(?:risk|action|task|qbr|milestone)s?\b", text):
        return None
    ref = find_objective(ctx.ws, text)
    if ref is None:
        return None
    level = priority_in(text)
    if level == "low":
        return Failure(text, "objective priorities are Critical, High or Medium; there is no Low")
    if level is None:
        step = direction(text)
        if step == 0:
            return None
        current = PRIORITIES.index(ref.item["priority"])
        new = current - step  # PRIORITIES runs from most to least important
        if not 0 <= new < len(PRIORITIES):
            edge = "highest" if step > 0 else "lowest"
            return Failure(text, f"it is already {_label(ref.item['priority'])}, the {edge} priority")
        level = PRIORITIES[new]
    return _set_priority(ctx, text, ref, level)


OWNER_FORMS = (
    r"\b(?:change|set|update|switch|make)?\s*(?:the )?owner(?:ship)? (?:of|for|on) (?P<ref>.+?) (?:to|is|should be|=) (?P<who>.+)$",
    r"^(?:set |change |update )?(?P<ref>.+?)(?:'s)? owner(?:ship)?\s*(?:to|is|:|should be|=)\s*(?P<who>.+)$",
    r"\b(?:assign|reassign|give|hand|transfer)\s+(?P<ref>.+?)\s+to\s+(?P<who>.+)$",
    r"\b(?:make|let)\s+(?P<who>.+?)\s+(?:the )?own(?:er of)?\s+(?P<ref>.+)$",
    r"^(?P<ref>.+?)\s+(?:should be |is |to be )?owned\s+(?:by\s+)?(?P<who>.+)$",
)


def owner(ctx: Context, text: str) -> Intent | Failure | None:
    if not search(rf"\b(?:{OBJECTIVE_NOUN})\b", text) or search(
        r"\b(?:actions?|tasks?|risks?|qbrs?|week)\b", text
    ):
        return None
    for form in OWNER_FORMS:
        m = search(form, text)
        if m:
            break
    else:
        return None
    ref = find_objective(ctx.ws, m.group("ref"))
    if ref is None:
        return None
    value = word_in(OBJECTIVE_OWNERS, m.group("who"))
    if value is None:
        return Failure(text, "an objective is owned by the CSM, the customer or both; say which")

    def build(ws: Workspace) -> list[PlanEdit]:
        return [EditObjective.model_validate({"objective_id": ws.objective_id(ref), "owner": value})]

    return Intent(text, build, subject=ref, already="That objective already has that owner.")


def rename(ctx: Context, text: str) -> Intent | None:
    m = search(
        rf"\b(?:{RENAME}|change)\s+(.+?)\s*(?:to|as|:|so (?:it|that it) (?:reads|says))\s+['\"“]?(.{{5,}}?)['\"”]?$",
        text,
    ) or search(r"^(.+?) should (?:read|say|be called)\s*:?\s+['\"“]?(.{5,}?)['\"”]?$", text)
    if not m or search(r"\b(?:milestone|metric|kpi|risk|action|task|qbr)s?\b", m.group(1)):
        return None
    if priority_in(m.group(2)) and len(m.group(2).split()) <= 2:
        return None
    ref = find_objective(ctx.ws, m.group(1))
    if ref is None:
        return None
    new = cap(m.group(2))

    def build(ws: Workspace) -> list[PlanEdit]:
        return [EditObjective(objective_id=ws.objective_id(ref), objective=new)]

    return Intent(text, build, subject=ref, already="The objective already reads that way.")


def remove(ctx: Context, text: str) -> Intent | None:
    if not search(rf"\b(?:{REMOVE})\b", text) or search(
        r"\b(?:milestone|metric|kpi|risk|action|task|qbr|attendee)s?\b", text
    ):
        return None
    ref = find_objective(ctx.ws, text)
    if ref is None:
        return None

    def build(ws: Workspace) -> list[PlanEdit]:
        return [RemoveObjective(objective_id=ws.objective_id(ref))]

    return Intent(text, build, subject=ref)


def _title(description: str) -> str:
    """A title for an objective described in a few words ('a training objective')."""
    words = description.split()
    if len(words) >= 3:
        return cap(description)
    return f"Launch a {description.strip().lower()} program" if len(words) == 1 else cap(description)


def _new_objective_parts(text: str) -> tuple[str, str] | None:
    """(title, priority) of a new objective described in `text`, or None."""
    level = priority_in(text) or "medium"
    cleaned = re.sub(
        r"\s*[,(]?\s*(?:with |at |as )?(?:a )?(?:critical|high|medium)(?: priority)?\s*\)?\s*$",
        "",
        text,
        flags=re.IGNORECASE,
    )
    if m := search(
        rf"(?:{OBJECTIVE_NOUN})\s*(?::|-|to|for|about|on|around|called|named|titled)\s+['\"“]?(.{{3,}}?)['\"”]?\s*$",
        cleaned,
    ):
        return cap(m.group(1)), level
    if m := search(
        rf"\b(?:an?|one more|another|new)\s+(?:new\s+)?(.{{3,40}}?)\s+(?:{OBJECTIVE_NOUN})\b", cleaned
    ):
        described = re.sub(r"^(?:critical|high|medium)(?: priority)?\s+", "", m.group(1), flags=re.IGNORECASE)
        return _title(described), level
    return None


def _objective_fields(title: str, level: str) -> dict[str, object]:
    return {
        "objective": title,
        "rationale": RATIONALE,
        "owner": "CSM",
        "priority": level if level in PRIORITIES else "medium",
        "success_metrics": [DEFAULT_METRIC],
        "quarterly_milestones": [{"quarter": q, "milestone": m} for q, m in DEFAULT_MILESTONES],
    }


def add(ctx: Context, text: str) -> Intent | Failure | None:
    if not search(rf"^(?:{ADD}|new|we need|also need)\b", text) or not search(
        rf"\b(?:{OBJECTIVE_NOUN})\b", text
    ):
        return None
    if search(r"\b(?:milestone|metric|kpi|risk|action|task|qbr|attendee)s?\b", text.split(":")[0]):
        return None
    parts = _new_objective_parts(text)
    if parts is None:
        return Failure(
            text, "say what the new objective is, e.g. 'add objective: Launch admin training (high)'"
        )
    title, level = parts
    if level == "low":
        level = "medium"
    fields = _objective_fields(title, level)

    def build(ws: Workspace) -> list[PlanEdit]:
        return [AddObjective.model_validate(fields)]

    return Intent(
        text,
        build,
        creates="strategic_objectives",
        note="It has placeholder milestones for Q1-Q4 and one metric; refine them with the account team.",
    )


def replace(ctx: Context, text: str) -> Intent | Failure | None:
    m = search(r"\b(?:replace|swap out|switch out|substitute)\s+(.+?)\s+(?:with|for|by)\s+(.+)$", text)
    if not m:
        return None
    ref = find_objective(ctx.ws, m.group(1))
    if ref is None:
        return None
    parts = _new_objective_parts(
        m.group(2) if search(rf"\b(?:{OBJECTIVE_NOUN})\b", m.group(2)) else f"objective: {m.group(2)}"
    )
    if parts is None:
        raise Unclear("say what the new objective is")
    title, _level = parts
    fields = _objective_fields(title, priority_in(m.group(2)) or ref.item["priority"])
    fields["owner"] = ref.item["owner"]

    def build(ws: Workspace) -> list[PlanEdit]:
        return [ReplaceObjective.model_validate({"objective_id": ws.objective_id(ref), **fields})]

    return Intent(
        text,
        build,
        subject=ref,
        note="The new objective has placeholder milestones and one metric; refine them with the account team.",
    )


PARSERS = (replace, add, remove, priority, owner, rename)
