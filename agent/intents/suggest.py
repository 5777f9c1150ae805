"""What to offer when a request is not understood: two or three things close to what was asked,
written about *this* plan (its objectives, QBRs, contacts, risks and actions), never the whole list
and never another account's names.

Close means: the kinds of thing the request mentions, by their nouns ("risk", "QBR") or by the
plan's own words it uses ("the adoption one" is about an objective, "Priya" about people); then
the examples of those kinds most like the request's wording.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process

from agent.intents.references import content_score
from storage.plan_document import AccountPlanDocument
from tools.plans.edits.base import words

KEYWORDS = {
    "objective": r"objective|\bobj\b|goal|priorit|initiative",
    "milestone": r"milestone|quarter|\bq[1-4]\b",
    "metric": r"metric|kpi|target|utili[sz]ation|score|ambitious|baseline",
    "qbr": r"qbr|business review|meeting|attendee|invite|\bebr\b",
    "risk": r"risk|severity|threat|concern|duplicate|competitor",
    "action": r"action|task|to-?do|week|owner|assign|done|snooze|remind",
    "stakeholder": r"stakeholder|contact|multi-?thread|champion|sponsor|relationship",
    "expansion": r"\barr\b|expansion|upsell|pipeline|revenue|deal|opportunit",
    "status": r"submit|approv|sign[- ]?off|manager",
    "question": r"^(?:what|when|who|how|which)\b|\?$",
}
# Words that say what an objective is about, preferred when naming one in an example.
TOPICS = (
    "renewal", "adoption", "expansion", "engagement", "onboarding", "training", "outcomes",
    "relationships", "data", "recovery", "health", "arr", "goals",
)  # fmt: skip
_NEXT_LEVEL = {"critical": "high", "high": "critical", "medium": "high"}


def _topic(title: str, others: list[str]) -> str | None:
    """A word naming this objective and no other ('adoption', 'renewal')."""
    mine = words(title).split()
    theirs = {w for other in others for w in words(other).split()}
    for topic in TOPICS:
        if topic in mine and topic not in theirs:
            return "ARR" if topic == "arr" else topic
    unique = [w for w in mine if w not in theirs and len(w) >= 6 and w.isalpha()]
    return max(unique, key=len) if unique else None


def examples(document: AccountPlanDocument) -> dict[str, list[str]]:
    """Requests this plan can take, by kind, named with the plan's own things."""
    found: dict[str, list[str]] = {kind: [] for kind in KEYWORDS}
    objectives = document.strategic_objectives
    titles = [o.objective for o in objectives]
    if objectives:
        second = min(2, len(objectives))
        level = _NEXT_LEVEL.get(objectives[second - 1].priority, "high")
        topic = next((t for i in range(len(titles)) if (t := _topic(titles[i], titles[:i] + titles[i + 1 :]))), None)
        found["objective"] += [f"make objective {second} {level}"]
        if topic:
            found["objective"] += [f"drop the {topic} objective"]
        found["objective"] += [
            f"make the customer own objective {len(objectives)}",
            "add objective: Launch admin training (high)",
        ]
        if len(objectives) > 1:
            found["objective"] += ["swap the priorities of objectives 1 and 2"]
        first = objectives[0]
        quarters = [m.quarter for m in first.quarterly_milestones]
        if "Q2" in quarters:
            found["milestone"] += ["move objective 1 Q2 milestone to Q3"]
        found["milestone"] += [
            f"mark the {quarters[0] if quarters else 'Q1'} milestone of objective 1 done",
            "add a Q3 milestone to objective 1: Executive review held",
        ]
        metrics = [(i, m) for i, o in enumerate(objectives) for m in o.success_metrics]
        named = [m for _, m in metrics if re.search(r"\d", str(m.target)) and not re.search(r"[a-z]{3}", str(m.target))]
        if named:
            found["metric"] += [
                f"set the {named[0].metric.lower()} target to {_raised(named[0].target)}",
                f"make the {named[-1].metric.lower()} goal more ambitious",
            ]
    qbrs = document.qbr_schedule
    if qbrs:
        q = qbrs[0]
        month = q.date.replace(day=1)
        later = month.replace(year=month.year + (month.month == 12), month=month.month % 12 + 1)
        found["qbr"] += [f"push the {q.quarter} QBR to early {later:%B}", f"move the {qbrs[-1].quarter} QBR a week later"]
        absent = [c.name for c in document.stakeholder_plan.current_map if c.active and c.name not in q.attendees]
        if absent:
            found["qbr"] += [f"add {absent[0].split()[0]} to the {q.quarter} QBR"]
    risks = document.risk_mitigation.identified_risks
    found["risk"] += ["add risk: Budget freeze (high)"]
    if risks:
        other = "medium" if risks[0].severity != "medium" else "high"
        found["risk"] += [f"set the severity of risk 1 to {other}", f"remove risk {len(risks)}"]
    actions = document.action_plan_90day
    if actions:
        week = min(13, actions[-1].week) if len(actions) > 1 else 2
        found["action"] += [
            "mark action 1 done",
            f"move action {min(2, len(actions))} to week {max(2, min(week, 13))}",
            f"snooze action {len(actions)}",
        ]
        people = [c.name for c in document.stakeholder_plan.current_map if c.active]
        if people:
            found["action"] += [f"assign action 1 to {people[0]}"]
    found["action"] += ["add action: Book the exec briefing, week 3, owner CSM"]
    found["stakeholder"] += [f"set the multi-threading target to {document.stakeholder_plan.multi_threading_target + 1}"]
    target = document.expansion_plan.target_arr
    found["expansion"] += [f"set target ARR to ${round(target * 1.05 / 1000):,}K" if target else "set target ARR to $300K"]
    found["status"] += ["submit for approval"]
    found["question"] += ["what's due in week 2?", "when is the renewal?", "who owns objective 1?"]
    return found


def _raised(value: object) -> str:
    text = str(value)
    m = re.search(r"\d+(?:\.\d+)?", text)
    if not m:
        return text
    number = float(m.group(0))
    bumped = number + (5 if "%" in text or number <= 100 else number * 0.1)
    shown = f"{bumped:.0f}" if bumped.is_integer() or bumped > 100 else f"{bumped:g}"
    return text[: m.start()] + shown + text[m.end() :]


def _kinds(text: str, document: AccountPlanDocument) -> list[str]:
    kinds = [kind for kind, pattern in KEYWORDS.items() if re.search(pattern, text, re.IGNORECASE)]
    # The plan's own words: an objective's or a risk's wording, a contact's name.
    if any(content_score(text, o.objective) >= 0.5 for o in document.strategic_objectives):
        kinds.append("objective")
    if any(content_score(text, r.risk) >= 0.5 for r in document.risk_mitigation.identified_risks):
        kinds.append("risk")
    if any(content_score(text, a.action) >= 0.6 for a in document.action_plan_90day):
        kinds.append("action")
    names = {part.lower() for c in document.stakeholder_plan.current_map for part in c.name.split()}
    if names & set(words(text).split()):
        kinds += ["qbr", "action"]
    return list(dict.fromkeys(kinds))


def suggestions(text: str, document: AccountPlanDocument, limit: int = 3) -> list[str]:
    """Up to `limit` requests close to `text`, about `document`'s own things."""
    found = examples(document)
    kinds = _kinds(text, document)
    if not kinds:  # nothing to go on: one common request of each main kind
        generic = [found["objective"][:1], found["qbr"][:1], found["question"][1:2]]
        return [e for group in generic for e in group][:limit]
    pool = list(dict.fromkeys(e for kind in kinds for e in found[kind]))
    ranked = process.extract(text, pool, scorer=fuzz.token_set_ratio, limit=limit)
    chosen = [example for example, _, _ in ranked]
    if len(chosen) < 2:
        everything = [e for group in found.values() for e in group]
        chosen += [
            e for e, _, _ in process.extract(text, everything, scorer=fuzz.token_set_ratio, limit=3) if e not in chosen
        ]
    return chosen[:limit]
