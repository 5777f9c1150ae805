"""Requests about the 90-day plan's actions: add, move to another week, reassign one or a whole week
("change owner of week 3 actions to Sarah Chen"), mark done (actions or milestones: "the value
review is done"), snooze, reopen, remove."""

from __future__ import annotations

import re
from datetime import timedelta

from agent.intents.core import Context, Failure, Intent, cap, search
from agent.intents.dates import parse_shift
from agent.intents.lexicon import ADD, ASSIGN, LAST_WORDS, MOVE, NUMBER, ORDINAL, REMOVE, SNOOZE, number_value
from agent.intents.references import Ref, Unclear, Workspace, best, content_words, find_objective
from agent.intents.values import owner_in, week_in
from tools.plans.edits import AddAction, EditAction, EditMilestone, PlanEdit, ReassignActions, RemoveAction
from tools.plans.edits.base import short

ACTION_NOUN = r"actions?|tasks?|to-?dos?|action items?|follow-?ups?"
LAST_WEEK = 13


def _weeks(ws: Workspace) -> str:
    return ", ".join(str(w) for w in sorted({a["week"] for a in ws.actions}))


def find_actions(ctx: Context, description: str, *, with_milestones: bool = False) -> list[Ref]:
    """The actions a description names: 'action 3', 'actions 2 and 4', 'the last task', 'the week 3
    actions', 'the executive briefing'. With `with_milestones`, a description by content may also
    name a milestone (for 'mark ... done')."""
    ws = ctx.ws
    actions = ws.actions
    text = description.strip()
    listed = rf"\s*(?:,|and|&)\s*(?:(?:{ACTION_NOUN})\s*)?#?"
    if m := search(rf"\b(?:{ACTION_NOUN})\s*#?((?:{NUMBER})(?:{listed}(?:{NUMBER}))*)\b", text):
        refs = []
        for part in re.split(listed, m.group(1), flags=re.IGNORECASE):
            number = number_value(part)
            if not number or not 1 <= number <= len(actions):
                raise Unclear(f"there is no action {part}; the 90-day plan has {len(actions)} actions")
            refs.append(ws.ref("action", actions[number - 1]))
        return refs
    if m := search(rf"\b(?:the )?(first|top|last|bottom) (two|three|four|five|\d{{1,2}}) (?:{ACTION_NOUN})\b", text):
        count = number_value(m.group(2)) or 0
        chosen = actions[:count] if m.group(1).lower() in ("first", "top") else actions[-count:]
        return [ws.ref("action", a) for a in chosen]
    if m := search(rf"\b(?:the )?({ORDINAL}|{LAST_WORDS}) (?:{ACTION_NOUN})\b", text):
        index = (
            len(actions) - 1
            if re.fullmatch(LAST_WORDS, m.group(1).lower())
            else (number_value(m.group(1)) or 0) - 1
        )
        if not 0 <= index < len(actions):
            raise Unclear(f"the 90-day plan has {len(actions)} actions")
        return [ws.ref("action", actions[index])]
    week = week_in(text)
    if week is not None and (
        search(rf"\b(?:{ACTION_NOUN})\b|\bweek\s*\d+'?s\b|\bin week\b|\ball\b|\beverything\b", text)
        or content_words(re.sub(r"\bweek\s*\d+\b", "", text)) == []
    ):
        chosen = [ws.ref("action", a) for a in actions if a["week"] == week]
        if not chosen:
            raise Unclear(
                f"the 90-day plan has no actions in week {week}; it has actions in weeks {_weeks(ws)}"
            )
        return chosen
    needle = re.sub(rf"\b(?:{ACTION_NOUN})\b", " ", text, flags=re.IGNORECASE)
    if not content_words(needle):
        if ws.last is not None and ws.last.kind == "action" and search(r"\b(?:it|that|this)\b", text):
            return [ws.last]
        return []
    # A reminder that quotes a milestone ("Q1 milestone due: ...") mirrors the milestone; the action
    # someone names by its words is the work itself.
    milestone_texts = [m["milestone"].lower() for o in ws.objectives for m in o["quarterly_milestones"]]
    candidates: list[tuple[Ref, str, float]] = [
        (
            ws.ref("action", a),
            a["action"],
            0.85 if any(t in a["action"].lower() for t in milestone_texts) else 1.0,
        )
        for a in actions
    ]
    if with_milestones:
        for objective in ws.objectives:
            parent = ws.ref("objective", objective)
            candidates += [
                (ws.ref("milestone", m, parent), m["milestone"], 1.0)
                for m in objective["quarterly_milestones"]
            ]
    found = best(needle, candidates, "action")
    return [found] if found else []


def _edits(ws: Workspace, refs: list[Ref], **changes: object) -> list[PlanEdit]:
    return [EditAction.model_validate({"number": ws.position(ref), **changes}) for ref in refs]


def _described(refs: list[Ref]) -> str:
    return f"'{short(refs[0].item['action'], 50)}'" if len(refs) == 1 else f"those {len(refs)} actions"


def add(ctx: Context, text: str) -> Intent | Failure | None:
    m = search(
        rf"^(?:{ADD}|new|create)\s+(?:an?\s+|another\s+)?(?:new\s+)?(?:{ACTION_NOUN})\b\s*(?:to|for)?\s*[:\-–]?\s*(.+)$",
        text,
    ) or search(r"^(?:remind me to|i need to|i'll|i will|we need to|todo:?)\s+(.+)$", text)
    if not m:
        return None
    what = m.group(1)
    week = week_in(what) or 1
    owner = "CSM"
    if o := search(
        r"(?:,|;|\s)\s*(?:owner:?|owned by|assigned to|assign(?:ed)? to|for|by)\s+([A-Z][\w'-]*(?: [A-Z][\w'-]*)?|the csm|csm|me|the ae|ae|both|the customer)\s*(?:,|$|\s+(?:in|by|due|week))",
        what,
    ):
        owner = owner_in(ctx.ws, o.group(1), ctx.customer)
        what = what[: o.start()] + " " + what[o.end() :]
    objective = None
    if search(r"\b(?:for|on|under|linked to)\s+(?:objective|obj)\s*#?\d+\b", what):
        objective = find_objective(ctx.ws, what, pronoun=False)
        what = re.sub(
            r"\(?\b(?:for|on|under|linked to)\s+(?:objective|obj)\s*#?\d+\b\)?",
            " ",
            what,
            flags=re.IGNORECASE,
        )
    what = re.sub(
        r"[,;]?\s*\b(?:in|by|for|due(?: in| by)?|during|on)?\s*(?:the\s+)?week\s*#?\d+\b",
        " ",
        what,
        flags=re.IGNORECASE,
    )
    what = re.sub(r"\bthe \d+(?:st|nd|rd|th)? week\b", " ", what, flags=re.IGNORECASE)
    what = " ".join(what.split()).strip(" ,.;:-")
    if len(what) < 3:
        return Failure(
            text, "say what the action is, e.g. 'add action: Book the exec briefing, week 3, owner CSM'"
        )
    if not 1 <= week <= LAST_WEEK:
        return Failure(text, f"the 90-day plan runs from week 1 to week {LAST_WEEK}")
    wording = cap(what)

    def build(ws: Workspace) -> list[PlanEdit]:
        link = ws.objective_id(objective) if objective else None
        return [AddAction(action=wording, owner=owner, week=week, objective_id=link)]

    return Intent(text, build, creates="action_plan_90day")


def reassign(ctx: Context, text: str) -> Intent | Failure | None:
    forms = (
        r"\b(?:change|set|update|switch)\s+(?:the\s+)?owner(?:ship)?\s+(?:of|for|on)\s+(?P<a>.+?)\s+(?:to|=)\s+(?P<o>.+)$",
        rf"\b(?:{ASSIGN})\s+(?P<a>.+?)\s+(?:over\s+)?to\s+(?P<o>.+)$",
        r"^(?P<a>.+?)(?:'s)?\s+owner(?:ship)?\s*(?:to|is|:|should be|=)\s*(?P<o>.+)$",
        r"^(?:make|let)\s+(?P<o>.+?)\s+(?:the\s+)?own(?:er\s+of)?\s+(?P<a>.+)$",
        r"^(?P<o>[A-Z][\w'-]*(?: [A-Z][\w'-]*)?)\s+(?:should|will|can)\s+own\s+(?P<a>.+)$",
        r"^(?P<a>.+?)\s+(?:should be|is|to be)\s+owned\s+by\s+(?P<o>.+)$",
    )
    for form in forms:
        m = search(form, text)
        if m:
            break
    else:
        return None
    description = m.group("a")
    if search(r"\b(?:objective|obj|goal|risk|milestone)s?\b", description) and not search(
        rf"\b(?:{ACTION_NOUN})\b", description
    ):
        return None  # QBRs have no owner: "the QBR deck prep" is an action
    refs = find_actions(ctx, description)
    if not refs:
        return None
    owner = owner_in(ctx.ws, m.group("o"), ctx.customer)
    week = week_in(description)
    whole_week = week is not None and len(refs) > 1 and all(r.item["week"] == week for r in refs)

    def build(ws: Workspace) -> list[PlanEdit]:
        if whole_week:
            return [ReassignActions(week=week, owner=owner, include_done=True)]
        return _edits(ws, refs, owner=owner)

    return Intent(
        text, build, subject=refs[-1], already=f"{_described(refs).capitalize()} already belong to {owner}."
    )


def move_week(ctx: Context, text: str) -> Intent | Failure | None:
    m = search(
        rf"\b(?:{MOVE}|delay|postpone|reschedule)\s+(?P<a>.+?)\s+(?:(?:to|into|until|till|for)\s+week\s*(?P<w>\d+)|(?P<rel>(?:back|out|forward|up|in|by)?\s*(?:a|one|two|three|\d+)\s+weeks?(?:\s+(?:later|earlier|back|forward|out|sooner))?))\b",
        text,
    )
    if not m or search(r"\b(?:milestones?|risks?|objectives?)\b", m.group("a")):
        return None
    if not m.group("w") and search(r"\b(?:qbrs?|business reviews?)\b", m.group("a")):
        return None  # "move the Q2 QBR a week later" moves the QBR itself
    refs = find_actions(ctx, m.group("a"))
    if not refs:
        return None
    shift = parse_shift(m.group("rel") or "") if m.group("rel") else None
    if shift is not None and re.search(r"\b(?:pull|bring|move up|pull in)\b", text, re.IGNORECASE):
        shift = -abs(shift)
    moves = []
    for ref in refs:
        week = int(m.group("w")) if m.group("w") else ref.item["week"] + (shift or timedelta(0)).days // 7
        if not 1 <= week <= LAST_WEEK:
            return Failure(text, f"that is week {week}; the 90-day plan runs from week 1 to week {LAST_WEEK}")
        moves.append((ref, week))

    def build(ws: Workspace) -> list[PlanEdit]:
        return [EditAction(number=ws.position(ref), week=week) for ref, week in moves]

    return Intent(
        text, build, subject=refs[-1], already=f"{_described(refs).capitalize()} already in that week."
    )


DONE_FORMS = (
    r"^(?:mark|set|flag)\s+(?P<a>.+?)\s+(?:as\s+)?(?:done|complete|completed|finished|closed)$",
    r"^(?:complete|finish|close|close out|tick off|check off|wrap up)\s+(?P<a>.+)$",
    r"^(?:we(?:'ve| have)?\s+|i(?:'ve| have)?\s+)?(?:done with|finished|completed|did|held|had|ran|sent|delivered)\s+(?P<a>.+)$",
    r"^(?P<a>.+?)\s+(?:is|are|was|were|has been|have been|got)\s+(?:now\s+|already\s+)?(?:done|complete|completed|finished|closed|sent|held|delivered|happened|ticked off)$",
    r"^(?P<a>.+?)\s+(?:done|complete|completed|finished)$",
)


def done(ctx: Context, text: str) -> Intent | None:
    for form in DONE_FORMS:
        m = search(form, text)
        if m:
            break
    else:
        return None
    description = m.group("a")
    if search(r"\b(?:risk|qbr)s?\b", description) or (
        search(r"\b(?:objective|obj)s?\b", description) and not search(r"\bmilestones?\b", description)
    ):
        return None
    from agent.intents.milestones import find_milestone

    if search(r"\bmilestones?\b", description):
        milestone = find_milestone(ctx, description)
        refs = [milestone] if milestone else []
    else:
        refs = find_actions(ctx, description, with_milestones=True)
    if not refs:
        return None
    if refs[0].kind == "milestone":
        ref = refs[0]

        def build_milestone(ws: Workspace) -> list[PlanEdit]:
            now = ws.now(ref)
            return [
                EditMilestone(
                    objective_id=ws.objective_id(ref),
                    quarter=now["quarter"],
                    match=now["milestone"],
                    done=True,
                )
            ]

        return Intent(text, build_milestone, subject=ref, already="That milestone is already marked done.")

    def build(ws: Workspace) -> list[PlanEdit]:
        return _edits(ws, refs, status="done")

    return Intent(
        text, build, subject=refs[-1], already=f"{_described(refs).capitalize()} already marked done."
    )


def status(ctx: Context, text: str) -> Intent | None:
    """Snooze or reopen: 'snooze action 4', 'put the enablement session on hold', 'reopen action 1'."""
    m = (
        search(
            rf"^(?P<verb>{SNOOZE}|reopen|re-open|unsnooze|un-snooze|wake up|resume)\s+(?P<a>.+?)(?:\s+(?:for now|for a bit|for later))?$",
            text,
        )
        or search(
            r"^(?P<a>.+?)\s+(?:is|are)\s+(?P<verb>on hold|snoozed|not done|still open|open again)$", text
        )
        or search(r"^(?:put|place)\s+(?P<a>.+?)\s+(?P<verb>on hold|on ice)$", text)
    )
    if not m or search(r"\b(?:risk|objective|qbr|milestone)s?\b", m.group("a")):
        return None
    refs = find_actions(ctx, m.group("a"))
    if not refs:
        return None
    new = (
        "open"
        if search(
            r"reopen|re-open|unsnooze|un-snooze|wake|resume|not done|still open|open again", m.group("verb")
        )
        else "snoozed"
    )

    def build(ws: Workspace) -> list[PlanEdit]:
        return _edits(ws, refs, status=new)

    state = "open" if new == "open" else "snoozed"
    return Intent(text, build, subject=refs[-1], already=f"{_described(refs).capitalize()} already {state}.")


def remove(ctx: Context, text: str) -> Intent | None:
    m = search(rf"^(?:{REMOVE})\s+(?P<a>.+)$", text)
    if not m or search(r"\b(?:risk|objective|obj|goal|qbr|milestone|metric|attendee)s?\b", m.group("a")):
        return None
    if not search(rf"\b(?:{ACTION_NOUN}|week)\b", m.group("a")):
        return None
    refs = find_actions(ctx, m.group("a"))
    if not refs:
        return None

    def build(ws: Workspace) -> list[PlanEdit]:
        return [RemoveAction(number=n) for n in sorted((ws.position(r) for r in refs), reverse=True)]

    return Intent(text, build)


PARSERS = (add, reassign, move_week, done, status, remove)
