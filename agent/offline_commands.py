"""Plan revisions without Claude: a small, deterministic command grammar.

"set priority of objective 2 to critical; move the CFO review to Q3; mark action 1 done" becomes a
list of typed plan edits. Anything the grammar does not understand is reported back with the list
of what it can do, and nothing is changed (a request is applied whole or not at all).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from storage.errors import BadInput
from storage.plan_document import AccountPlanDocument, Priority, Quarter, Severity
from tools.plans.edits import (
    AddAction,
    AddObjective,
    AddRisk,
    EditAction,
    EditMilestone,
    EditObjective,
    PlanEdit,
    RemoveAction,
    RemoveObjective,
    RemoveRisk,
)

OFFLINE_HELP = (
    "Without Claude I can do these offline:\n"
    "• set priority of objective 2 to critical\n"
    "• move (or push) the CFO review to Q3  (or: move objective 1 Q2 milestone to Q3)\n"
    "• remove objective 3\n"
    "• add objective: Launch an admin training program\n"
    "• add action: Book the CFO value review, week 3, owner CSM\n"
    "• mark action 2 done   /   remove action 2\n"
    "• add risk: Budget freeze (high)   /   remove risk 1\n"
    "• submit for approval\n"
    "Separate several commands with ';' or new lines."
)
DECISION_REFUSAL = (
    "I can't approve, reject or activate plans: a manager decides on them. "
    "I can submit this plan for approval if you say 'submit for approval'."
)
_OBJECTIVE_REF = r"(?:objective|obj)[ -]?#?(\d+)"
# "push the CFO review to Q3" is how people say it; all of these move a milestone.
_MOVE = r"(?:move|push|shift|pull|reschedule)"
_SPLIT = re.compile(r"\s*(?:;|\n|\bthen\b)\s*", re.IGNORECASE)
# A new objective needs metrics and a milestone per quarter; the CSM refines these placeholders.
_DEFAULT_MILESTONES: tuple[tuple[Quarter, str], ...] = (
    ("Q1", "Agree scope, owners and success measures"),
    ("Q2", "First results reviewed with the customer"),
    ("Q3", "Rolled out across the account"),
    ("Q4", "Outcome measured and reported at the QBR"),
)


@dataclass
class ParsedRequest:
    edits: list[PlanEdit] = field(default_factory=list)
    submit: bool = False
    refused: str | None = None  # a request for something the assistant never does
    not_understood: list[str] = field(default_factory=list)


def _find_milestone(document: AccountPlanDocument, text: str) -> EditMilestone | None:
    """The one milestone whose words include all of `text`'s words, across all objectives."""
    words = [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in {"the", "milestone", "a", "an"}]
    hits = [
        (objective.id, milestone)
        for objective in document.strategic_objectives
        for milestone in objective.quarterly_milestones
        if words and all(w in re.findall(r"[a-z0-9]+", milestone.milestone.lower()) for w in words)
    ]
    if len(hits) > 1:
        raise BadInput(
            f"{len(hits)} milestones match {text!r}; say which objective (e.g. 'objective 1 Q2 milestone')"
        )
    if not hits:
        return None
    objective_id, milestone = hits[0]
    return EditMilestone(objective_id=objective_id, quarter=milestone.quarter, match=milestone.milestone)


def _moved(objective_number: str, from_quarter: str, to_quarter: str) -> EditMilestone:
    start: Quarter = from_quarter.upper()  # type: ignore[assignment]
    target: Quarter = to_quarter.upper()  # type: ignore[assignment]
    return EditMilestone(objective_id=objective_number, quarter=start, move_to=target)


def _parse_one(command: str, document: AccountPlanDocument, parsed: ParsedRequest) -> bool:
    text = command.strip().rstrip(".!")
    low = text.lower()
    if re.search(r"\b(approve|reject|activate|decline)\b", low):
        parsed.refused = DECISION_REFUSAL
        return True
    if re.fullmatch(
        r"(?:please )?submit(?: (?:it|this|the plan|this plan))?(?: for (?:approval|review))?", low
    ):
        parsed.submit = True
        return True
    if m := (
        re.fullmatch(
            rf"(?:set |change )?(?:the )?priority of {_OBJECTIVE_REF} to (critical|high|medium)", low
        )
        or re.fullmatch(
            rf"(?:set |make )?{_OBJECTIVE_REF}(?: priority)? (?:to )?(critical|high|medium)(?: priority)?",
            low,
        )
    ):
        priority: Priority = m.group(2)  # type: ignore[assignment]
        parsed.edits.append(EditObjective(objective_id=m.group(1), priority=priority))
        return True
    if m := re.fullmatch(rf"{_MOVE} (?:the )?{_OBJECTIVE_REF}(?:'s)? (q[1-4]) milestone to (q[1-4])", low):
        parsed.edits.append(_moved(m.group(1), m.group(2), m.group(3)))
        return True
    if m := re.fullmatch(
        rf"{_MOVE} (?:the )?(q[1-4]) milestone (?:of|for|in) {_OBJECTIVE_REF} to (q[1-4])", low
    ):
        parsed.edits.append(_moved(m.group(2), m.group(1), m.group(3)))
        return True
    if m := re.fullmatch(rf"{_MOVE} (?:the )?(.+?) to (q[1-4])", low):
        found = _find_milestone(document, m.group(1))
        if found is None:
            raise BadInput(f"no milestone mentions {m.group(1)!r}")
        found.move_to = m.group(2).upper()  # type: ignore[assignment]
        parsed.edits.append(found)
        return True
    if m := re.fullmatch(rf"(?:remove|delete|drop) {_OBJECTIVE_REF}", low):
        parsed.edits.append(RemoveObjective(objective_id=m.group(1)))
        return True
    if m := re.fullmatch(r"add (?:an? )?(?:new )?objective:?\s+(.{5,})", text, re.IGNORECASE):
        parsed.edits.append(_new_objective(m.group(1)))
        return True
    if m := re.fullmatch(
        r"add (?:an? )?action:?\s+(.+?)(?:,?\s+(?:in )?week (\d+))?(?:,?\s+owner (.+))?", text, re.IGNORECASE
    ):
        week = int(m.group(2)) if m.group(2) else 1
        parsed.edits.append(
            AddAction(action=m.group(1).strip(), owner=(m.group(3) or "CSM").strip(), week=week)
        )
        return True
    if m := (
        re.fullmatch(r"(?:mark|complete) action (\d+)(?: as)?(?: done| complete| completed)?", low)
        or re.fullmatch(r"action (\d+)(?: is)? (?:done|complete|completed)", low)
    ):
        parsed.edits.append(EditAction(number=int(m.group(1)), status="done"))
        return True
    if m := re.fullmatch(r"(?:remove|delete|drop) (action|risk) (\d+)", low):
        number = int(m.group(2))
        parsed.edits.append(
            RemoveAction(number=number) if m.group(1) == "action" else RemoveRisk(number=number)
        )
        return True
    if m := re.fullmatch(
        r"add (?:an? )?risk:?\s+(.+?)(?:\s*\((low|medium|high|critical)\)|,?\s+severity (low|medium|high|critical))?",
        text,
        re.IGNORECASE,
    ):
        severity: Severity = (m.group(2) or m.group(3) or "medium").lower()  # type: ignore[assignment]
        parsed.edits.append(
            AddRisk(
                risk=m.group(1).strip(),
                severity=severity,
                mitigation="To be agreed with the account team",
                owner="CSM",
            )
        )
        return True
    return False


def _new_objective(text: str) -> AddObjective:
    priority: Priority = "medium"
    if m := re.search(r"\s*\(?(critical|high|medium)(?: priority)?\)?\s*$", text, re.IGNORECASE):
        priority = m.group(1).lower()  # type: ignore[assignment]
        text = text[: m.start()]
    return AddObjective(
        objective=text.strip(),
        rationale="Added by the CSM; refine the rationale and metrics with the account team.",
        owner="CSM",
        priority=priority,
        success_metrics=[
            {
                "metric": "Objective delivered",
                "current": None,
                "target": "done",
                "measurement": "CSM review at each QBR",
            }
        ],  # type: ignore[list-item]
        quarterly_milestones=[{"quarter": q, "milestone": m} for q, m in _DEFAULT_MILESTONES],  # type: ignore[misc]
    )


def parse_request(message: str, document: AccountPlanDocument) -> ParsedRequest:
    """The edits (and submission) a message asks for; unknown commands are listed, not guessed."""
    parsed = ParsedRequest()
    for command in (part for part in _SPLIT.split(message) if part.strip()):
        if not _parse_one(command, document, parsed):
            parsed.not_understood.append(command.strip())
    return parsed
