"""Requests about milestones and success metrics: move a milestone ("push the value review to Q3",
"move objective 1 Q2 milestone to Q3", "slip the Q2 milestone of the renewal objective a
quarter"), reword, add or remove one; change a metric's target or current value ("raise the
feature utilization target to 80%", "make the exec sponsor goal more ambitious")."""

from __future__ import annotations

import re
from typing import Any

from agent.intents.core import Context, Failure, Intent, cap, search
from agent.intents.lexicon import ADD, MOVE, REMOVE, RENAME
from agent.intents.references import (
    _NUMBERED,
    _POSITION,
    OBJECTIVE_NOUN,
    Ref,
    Unclear,
    Workspace,
    best,
    content_score,
    content_words,
    described,
    find_objective,
    opportunity_words,
)
from agent.intents.values import QUARTER, direction, metric_value, quarters_in, stepped
from storage.plan_document import QUARTERS
from tools.plans.edits import AddMilestone, EditMetric, EditMilestone, PlanEdit, RemoveMilestone
from tools.plans.edits.base import short

MILESTONE_NOUN = r"milestones?|checkpoints?"
METRIC_NOUN = r"metrics?|kpis?|targets?|goals?|measures?"


def _objective_number(ws: Workspace, objective: dict[str, Any]) -> int:
    return ws.objectives.index(objective) + 1


def _needle(text: str, objective_phrase: str | None, nouns: str) -> str:
    """What is left of a description once the objective, quarter and nouns are taken out."""
    needle = _NUMBERED.sub(" ", text)
    needle = _POSITION.sub(" ", needle)
    if objective_phrase:
        needle = re.sub(
            rf"{re.escape(objective_phrase)}\s+(?:{OBJECTIVE_NOUN})", " ", needle, flags=re.IGNORECASE
        )
    needle = re.sub(QUARTER, " ", needle, flags=re.IGNORECASE)
    needle = re.sub(rf"\b(?:{nouns})\b|'s\b", " ", needle, flags=re.IGNORECASE)
    return " ".join(needle.split())


def find_milestone(ctx: Context, description: str) -> Ref | None:
    """The milestone a description names: 'objective 1 Q2 milestone', 'the Q2 milestone of the
    renewal objective', 'the value review', 'the joint planning session in objective 2'."""
    ws = ctx.ws
    objective = find_objective(ws, description, pronoun=False)
    if objective is None and ws.last is not None and search(r"\b(?:its|it's|their)\b", description):
        objective = ws.last if ws.last.kind == "objective" else ws.last.parent  # "move its Q3 milestone"
    phrase = described(description, OBJECTIVE_NOUN) if objective else None
    quarters = quarters_in(description)
    needle = _needle(description, phrase, MILESTONE_NOUN)
    if objective is None and quarters and content_words(needle):
        # "the Q4 adoption milestone": words naming one objective, and a quarter, name its milestone.
        named = [o for o in ws.objectives if content_score(needle, o["objective"]) >= 0.99]
        if len(named) == 1:
            objective, needle = ws.ref("objective", named[0]), ""
    objectives = [objective.item] if objective else ws.objectives
    candidates: list[tuple[Ref, str, float]] = []
    also: list[tuple[Ref, str, float]] = []  # the same milestones, with what they are also about
    for item in objectives:
        parent = objective or ws.ref("objective", item)
        for milestone in item["quarterly_milestones"]:
            if not quarters or milestone["quarter"] == quarters[0]:
                text = milestone["milestone"]
                ref = ws.ref("milestone", milestone, parent)
                candidates.append((ref, text, 1.0))
                if more := opportunity_words(ws, text):
                    also.append((ref, f"{text} {more}", 1.0))
    if content_words(needle):
        try:
            return best(needle, candidates + also, "milestone")
        except Unclear as unclear:
            same = {text for _, text, _ in candidates if text.lower() in unclear.message.lower()}
            copies = sum(1 for _, text, _ in candidates if text in same)
            if len(same) == 1 and copies > 1:
                which = [
                    f"objective {_objective_number(ws, r.parent.item)}"
                    for r, text, _ in candidates
                    if r.parent is not None and text in same
                ]
                raise Unclear(
                    f"{len(which)} objectives have a milestone '{short(next(iter(same)), 50)}' "
                    f"({', '.join(which)}); say which objective"
                ) from unclear
            raise
    if objective is None and not quarters:
        return None
    if len(candidates) == 1:
        return candidates[0][0]
    where = f"objective {_objective_number(ws, objective.item)}" if objective else "the plan"
    in_quarter = f" in {quarters[0]}" if quarters else ""
    if not candidates:
        raise Unclear(f"{where} has no milestone{in_quarter}")
    if objective is None:
        return None  # "the Q2 milestone" alone names no single milestone: not a milestone reference
    listed = "; ".join(f"'{short(t, 40)}'" for _, t, _ in candidates[:4])
    raise Unclear(f"{where} has {len(candidates)} milestones{in_quarter} ({listed}); say which by its words")


def _target_quarter(current: str, text: str) -> str | None:
    """'to Q3', 'into the third quarter', 'a quarter later', 'back a quarter', 'to next quarter'."""
    m = re.search(
        rf"\b(?:to|into|until|till|for|in)\s+(?:the\s+)?({QUARTER[3:]}|q[1-4])", text, re.IGNORECASE
    )
    if m:
        found = quarters_in(m.group(0))
        if found:
            return found[-1]
    step = 0
    if re.search(r"\b(?:a|one|1) quarter\b|\bnext quarter\b|\bquarter later\b", text, re.IGNORECASE):
        step = 1
    elif re.search(r"\b(?:two|2) quarters\b", text, re.IGNORECASE):
        step = 2
    if not step:
        return None
    if re.search(r"\b(?:earlier|forward|up|pull|in|sooner|ahead)\b", text, re.IGNORECASE) and not re.search(
        r"\b(?:later|back|out|push|delay|slip|slide)\b", text, re.IGNORECASE
    ):
        step = -step
    index = QUARTERS.index(current) + step
    if not 0 <= index < len(QUARTERS):
        raise Unclear(f"that would move it outside the fiscal year (it is in {current})")
    return QUARTERS[index]


def _milestone_edit(ws: Workspace, ref: Ref, **changes: object) -> EditMilestone:
    now = ws.now(ref)
    return EditMilestone.model_validate(
        {"objective_id": ws.objective_id(ref), "quarter": now["quarter"], "match": now["milestone"], **changes}
    )


def move(ctx: Context, text: str) -> Intent | None:
    m = search(
        rf"\b(?:{MOVE})\b\s+(.+?)\s+(?:(?:to|into|until|till)\s+(?:the\s+)?(?:q[1-4]|\w+ quarter)|(?:back|out|forward|in|up|by)?\s*(?:a|one|two|1|2)\s+quarters?(?:\s+(?:later|earlier|back|forward|out))?|to next quarter)\b",
        text,
    )
    if not m or search(r"\b(?:qbrs?|business reviews?|actions?|tasks?|week|risks?)\b", m.group(1)):
        return None
    ref = find_milestone(ctx, m.group(1))
    if ref is None:
        return None
    destination = _target_quarter(ref.item["quarter"], text[m.end(1) :])
    if destination is None:
        return None

    def build(ws: Workspace) -> list[PlanEdit]:
        return [_milestone_edit(ws, ref, move_to=destination)]

    return Intent(
        text, build, subject=ref, already=f"'{short(ref.item['milestone'], 50)}' is already in {destination}."
    )


def reword(ctx: Context, text: str) -> Intent | None:
    m = search(
        rf"\b(?:{RENAME}|change|update|edit)\s+(.+?{MILESTONE_NOUN[:9]}.*?)\s*(?:to|as|:|so it reads)\s+['\"“]?(.{{4,}}?)['\"”]?$",
        text,
    ) or search(rf"^(.+?(?:{MILESTONE_NOUN}).*?) should (?:read|say)\s*:?\s+['\"“]?(.{{4,}}?)['\"”]?$", text)
    if not m or re.fullmatch(r"\s*(?:q[1-4]|the \w+ quarter)\s*", m.group(2), re.IGNORECASE):
        return None
    ref = find_milestone(ctx, m.group(1))
    if ref is None:
        return None
    new = cap(m.group(2))

    def build(ws: Workspace) -> list[PlanEdit]:
        return [_milestone_edit(ws, ref, milestone=new)]

    return Intent(text, build, subject=ref)


def add(ctx: Context, text: str) -> Intent | Failure | None:
    if not search(rf"^(?:{ADD})\b", text) or not search(rf"\b(?:{MILESTONE_NOUN})\b", text):
        return None
    quarters = quarters_in(text)
    objective = find_objective(ctx.ws, text)
    m = search(r"[:\-–]\s*['\"“]?(.{4,}?)['\"”]?\s*$", text) or search(
        r"^(?:add|include)\s+['\"“](.{4,}?)['\"”]", text
    )
    if objective is None or not quarters or not m:
        return Failure(
            text,
            "say which objective, which quarter and the milestone, e.g. 'add a Q3 milestone to objective 2: Exec review'",
        )
    wording = cap(m.group(1))

    def build(ws: Workspace) -> list[PlanEdit]:
        return [
            AddMilestone.model_validate(
                {"objective_id": ws.objective_id(objective), "quarter": quarters[0], "milestone": wording}
            )
        ]

    return Intent(text, build, subject=objective)


def remove(ctx: Context, text: str) -> Intent | None:
    if not search(rf"\b(?:{REMOVE})\b", text) or not search(rf"\b(?:{MILESTONE_NOUN})\b", text):
        return None
    ref = find_milestone(ctx, re.sub(rf"^\s*(?:{REMOVE})\s+", "", text, flags=re.IGNORECASE))
    if ref is None:
        return None

    def build(ws: Workspace) -> list[PlanEdit]:
        now = ws.now(ref)
        return [
            RemoveMilestone(objective_id=ws.objective_id(ref), quarter=now["quarter"], match=now["milestone"])
        ]

    return Intent(text, build)


# --- success metrics --------------------------------------------------------------------------------


def find_metric(ctx: Context, description: str) -> Ref | None:
    """The success metric a description names ('the feature utilization target', 'health score in
    objective 4', 'the exec sponsor goal'); asks when two objectives have the same metric."""
    ws = ctx.ws
    named = search(rf"\b(?:{OBJECTIVE_NOUN})\b", description)
    objective = find_objective(ws, description, pronoun=False) if named else None
    phrase = described(description, OBJECTIVE_NOUN) if objective else None
    needle = _needle(description, phrase, METRIC_NOUN)
    if objective is not None and not content_words(needle) and phrase:
        needle = phrase  # "the exec sponsor goal": the words chose the objective, and its metric
    objectives = [objective.item] if objective else ws.objectives
    candidates = []
    for item in objectives:
        parent = objective or ws.ref("objective", item)
        for metric in item["success_metrics"]:
            ref = ws.ref("metric", metric, parent)
            candidates.append((ref, metric["metric"], 1.0))
            if objective is None:  # "the health target for the renewal": its objective's words count too
                candidates.append((ref, f"{metric['metric']} {item['objective']}", 0.85))
    single = candidates[0][0] if objective is not None and len(candidates) == 1 else None
    if not content_words(needle):
        return single
    try:
        return best(needle, candidates, "metric")
    except Unclear as unclear:
        names = {text.lower() for _, text, _ in candidates if text.lower() in unclear.message.lower()}
        if len(names) == 1:
            which = [
                f"objective {_objective_number(ws, r.parent.item)}"
                for r, text, _ in candidates
                if r.parent is not None and text.lower() in names
            ]
            raise Unclear(
                f"'{needle}' is a metric of {' and '.join(which)}; say which objective (e.g. '... of {which[0]}')"
            ) from unclear
        raise


def _metric_edit(ws: Workspace, ref: Ref, **changes: object) -> EditMetric:
    return EditMetric.model_validate(
        {"objective_id": ws.objective_id(ref), "metric": ws.now(ref)["metric"], **changes}
    )


TARGET_FORMS = (
    r"\b(?:set|change|update|raise|increase|bump|lower|reduce|decrease|drop|move|make|put|up|push|lift|take|bring|get|cut|trim|adjust|boost)\s+(?:the\s+)?(?:target\s+(?:for|of|on)\s+)?(?P<m>.+?)(?:\s+target)?\s+(?:to|at|=|up to|down to)\s+(?P<v>[\w$%.,\s-]+?)$",
    # "health target 80 on the renewal objective", "active seats target 250"
    r"^(?:the\s+)?(?P<m>.+?)\s+target\s+(?:of\s+)?(?P<v>\$?\d[\d,.]*\s*%?)(?P<o>\s+(?:on|for|in|of)\s+(?:the\s+)?.+)?$",
    # "we only need 5 engaged contacts", "let's aim for 75% utilization"
    r"^(?:we\s+)?(?:only\s+|really\s+)?(?:need|want|aim for|are aiming for|should aim for|are targeting|target)\s+(?:just\s+|only\s+)?(?P<v>\d[\d,.]*\s*%?)\s+(?P<m>[a-z].+)$",
    r"^(?:the\s+)?(?P<m>.+?)\s+target(?P<o>\s+(?:for|of|in|on)\s+(?:the\s+)?.+?)?\s*(?:should be|is now|is|=|:|of|to)\s*(?P<v>[\w$%.,\s-]+?)$",
    r"\btarget\s+(?:of\s+)?(?P<v>\S+)\s+(?:for|on)\s+(?P<m>.+)$",
    r"^(?:the\s+)?(?P<m>.+?)\s+(?:should|to|will|must)\s+(?:target|aim for|reach|hit)\s+(?P<v>[\w$%.,-]+)$",
    r"\b(?:aim|shoot)\s+for\s+(?P<v>\S+)\s+(?:on|for)\s+(?P<m>.+)$",
)
CURRENT_FORMS = (
    r"\b(?:set|change|update)\s+(?:the\s+)?current(?:\s+value)?\s+(?:of|for)\s+(?P<m>.+?)\s+to\s+(?P<v>.+)$",
    r"\b(?:set|change|update)\s+(?:the\s+)?current\s+(?P<m>.+?)\s+to\s+(?P<v>.+)$",
    r"^(?:the\s+)?(?:current\s+)?(?P<m>.+?)\s+(?:is|are|has (?:gone|come) (?:up|down) to|went (?:up|down) to|hit|reached)\s+(?:now\s+|currently\s+|already\s+)?(?:at\s+|sitting at\s+)?(?P<v>\$?\d[\w$%.,-]*)(?:\s+(?:now|today|currently|this month|as of today))?$",
    r"^(?:the\s+)?(?:current\s+)?(?P<m>.+?)\s+is\s+(?:now|currently|at)\s+(?:at\s+)?(?P<v>[\w$%.,-]+)$",
)


def _numeric(value: str) -> bool:
    return bool(re.fullmatch(r"\$?\s?\d[\d,]*(?:\.\d+)?\s*(?:%|percent|pct|k|m)?", value.strip(), re.IGNORECASE))


def _is_value(value: str) -> bool:
    return bool(
        re.fullmatch(
            r"\$?\s?\d[\d,]*(?:\.\d+)?\s*(?:%|percent|pct|k|m)?|[a-z]+ ?\w*", value.strip(), re.IGNORECASE
        )
    ) and not re.fullmatch(
        r"q[1-4]|week \d+|critical|high|medium|low|done|the \w+ quarter", value.strip(), re.IGNORECASE
    )


def target(ctx: Context, text: str) -> Intent | Failure | None:
    if search(r"\b(?:arr|multi-?threading|score for|qbr|risk|action|task|week|priority|owner|owned)\b", text):
        return None
    for form in TARGET_FORMS:
        m = search(form, text)
        # A worded target ("signed by June") only where the request says "target"; and "move X to
        # Y" is a move, not a target, unless it says so.
        said_target = search(r"\btargets?\b", text) is not None
        if m and _is_value(m.group("v")) and (said_target or (_numeric(m.group("v")) and not search(r"^(?:move|push)\b", text))):
            break
    else:
        return None
    ref = find_metric(ctx, m.group("m") + (m.groupdict().get("o") or ""))
    if ref is None:
        return None
    value = metric_value(
        m.group("v"),
        ref.item.get("target") if ref.item.get("target") is not None else ref.item.get("current"),
    )

    def build(ws: Workspace) -> list[PlanEdit]:
        return [_metric_edit(ws, ref, target=value)]

    return Intent(
        text, build, subject=ref.parent, already=f"The target for '{ref.item['metric']}' is already {value}."
    )


def current(ctx: Context, text: str) -> Intent | None:
    if search(r"\b(?:arr|qbr|risk|action|task|target|priority|owner)\b", text):
        return None
    for form in CURRENT_FORMS:
        m = search(form, text)
        if m and _is_value(m.group("v")):
            break
    else:
        return None
    ref = find_metric(ctx, m.group("m"))
    if ref is None:
        return None
    value = metric_value(
        m.group("v"),
        ref.item.get("current") if ref.item.get("current") is not None else ref.item.get("target"),
    )

    def build(ws: Workspace) -> list[PlanEdit]:
        return [_metric_edit(ws, ref, current=value)]

    return Intent(text, build, subject=ref.parent)


def ambition(ctx: Context, text: str) -> Intent | Failure | None:
    """'make the exec sponsor goal more ambitious', 'stretch the adoption target', 'tone down X'."""
    m = search(
        r"\b(?:make|set|get)\s+(.+?)\s+(?:more|less|a bit more|a little more|a bit less)\s+(?:ambitious|aggressive|realistic|conservative|achievable)\b",
        text,
    ) or search(
        r"\b(?:stretch|tone down|dial back|raise the bar on|raise|lower|bump|increase|decrease)\s+(.+?)\s*$",
        text,
    )
    if not m or search(r"\b(?:arr|priority|risk|action|task|qbr|week|multi-?threading)\b", text):
        return None
    if not search(rf"\b(?:{METRIC_NOUN})\b", m.group(1)):
        return None
    ref = find_metric(ctx, m.group(1))
    if ref is None:
        return None
    step = direction(text) or 1
    if search(r"\b(?:tone down|dial back)\b", text):
        step = -1
    new = stepped(ref.item.get("target"), step)
    if new is None:
        return Failure(
            text, f"the target for '{ref.item['metric']}' is '{ref.item.get('target')}'; say the new target"
        )
    old = ref.item.get("target")

    def build(ws: Workspace) -> list[PlanEdit]:
        return [_metric_edit(ws, ref, target=new)]

    word = "Raised" if step > 0 else "Lowered"
    return Intent(
        text,
        build,
        subject=ref.parent,
        note=f"{word} by one step ({old} to {new}); say a number if you want a different target.",
    )


PARSERS = (add, remove, move, reword, target, current, ambition)
