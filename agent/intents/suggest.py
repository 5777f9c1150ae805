"""What to offer when a request is not understood: two or three things close to what was asked
(by the kind of thing it mentions, then by wording), never the whole list."""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process

# Examples of what people can say, by the kind of thing they mention.
EXAMPLES: dict[str, tuple[str, ...]] = {
    "objective": (
        "set priority of objective 2 to critical",
        "drop the expansion objective",
        "add objective: Launch admin training (high)",
        "rename objective 3 to Secure a two-year renewal",
        "make the customer own objective 4",
        "swap the priorities of objectives 2 and 3",
    ),
    "milestone": (
        "move objective 1 Q2 milestone to Q3",
        "push the value review to Q3",
        "mark the Q1 milestone of objective 2 done",
        "reword the Q3 milestone of objective 2 to Joint exec planning",
    ),
    "metric": (
        "raise the feature utilization target to 80%",
        "make the exec sponsor goal more ambitious",
        "set the health score target of objective 1 to 80",
    ),
    "qbr": (
        "push the Q1 QBR to early March",
        "move the Q2 QBR a week later",
        "add Marcus Webb to the Q2 QBR",
    ),
    "risk": (
        "add risk: Budget freeze (high)",
        "set the severity of risk 1 to medium",
        "remove the duplicate single-threaded risk",
        "merge risks 1 and 2",
    ),
    "action": (
        "add action: Book the exec briefing, week 3, owner CSM",
        "mark action 2 done",
        "change owner of week 2 actions to Priya Patel",
        "move action 4 to week 6",
        "snooze action 5",
    ),
    "stakeholder": ("set the multi-threading target to 8",),
    "expansion": ("set target ARR to $320K",),
    "status": ("submit for approval",),
    "question": ("what's our benchmark?", "when is the renewal?", "what changed since approval?"),
}
KEYWORDS = {
    "objective": r"objective|goal|priorit|initiative",
    "milestone": r"milestone|quarter|\bq[1-4]\b",
    "metric": r"metric|kpi|target|utili[sz]ation|score|ambitious",
    "qbr": r"qbr|business review|meeting|attendee|invite",
    "risk": r"risk|severity|threat|concern|duplicate",
    "action": r"action|task|to-?do|week|owner|assign|done|snooze",
    "stakeholder": r"stakeholder|contact|multi-?thread|champion|sponsor",
    "expansion": r"\barr\b|expansion|upsell|pipeline|revenue",
    "status": r"submit|approv|review",
    "question": r"^(?:what|when|who|how|which)\b|\?$",
}
ALL = [example for examples in EXAMPLES.values() for example in examples]


def suggestions(text: str, limit: int = 3) -> list[str]:
    """Up to `limit` example requests closest to `text`: from the kinds of thing it mentions first."""
    kinds = [kind for kind, pattern in KEYWORDS.items() if re.search(pattern, text, re.IGNORECASE)]
    if not kinds:  # nothing to go on: one common request of each main kind
        return [
            "set priority of objective 2 to critical",
            "push the Q1 QBR to early March",
            "what's our benchmark?",
        ][:limit]
    pool = [e for kind in kinds for e in EXAMPLES[kind]]
    ranked = process.extract(text, pool, scorer=fuzz.token_set_ratio, limit=limit)
    chosen = [example for example, _, _ in ranked]
    if len(chosen) < 2:
        chosen += [
            e
            for e, _, _ in process.extract(text, ALL, scorer=fuzz.token_set_ratio, limit=3)
            if e not in chosen
        ]
    return chosen[:limit]
