"""The words CSMs use for what they want done and for the things a plan holds: verbs and their
synonyms, the names of plan items, priorities, severities, quarters, numbers and ordinals."""

from __future__ import annotations

import re

from storage.vocabulary import Priority, Severity

# Verbs, as regex alternations (whole words).
SET = r"set|make|change|update|raise|increase|bump|lower|reduce|decrease|drop|up|boost|adjust|mark|put"
ADD = r"add|include|create|insert|append|put in|log|flag|introduce"
REMOVE = r"remove|drop|delete|kill|cut|scrap|ditch|nix|strike|take out|get rid of|lose|axe|bin|cancel|call off"
MOVE = (
    r"move|push|shift|reschedule|slide|slip|delay|postpone|pull in|pull forward|pull|bring forward|"
    r"bring|bump|change the date of|change the date for|reset the date of"
)
RENAME = r"rename|retitle|reword|rephrase|rewrite|call|change the (?:wording|title|name|text) of"
SWAP = r"swap|switch|flip|exchange|trade"
DONE = r"mark|tick off|check off|close|complete|completed|finish|finished|done with|wrap up|wrapped up"
SNOOZE = r"snooze|defer|park|put on hold|pause|hold off on|hold off|deprioriti[sz]e for now"
ASSIGN = r"assign|reassign|give|hand over|hand off|hand|transfer|move ownership of|change (?:the )?owner of"

# Things, as regex alternations.
OBJECTIVE = r"objectives?|obj|goals?|initiatives?|priorities"
MILESTONE = r"milestones?|checkpoints?"
METRIC = r"metrics?|kpis?|targets?|measures?"
QBR = r"qbrs?|ebrs?|business reviews?|quarterly reviews?|quarterly business reviews?"
RISK = r"risks?|concerns?|threats?"
ACTION = r"actions?|tasks?|to-?dos?|action items?|follow-?ups?|items?"

PRIORITIES = Priority.values()
PRIORITY_WORDS = {
    "critical": "critical",
    "crit": "critical",
    "top": "critical",
    "urgent": "critical",
    "highest": "critical",
    "high": "high",
    "important": "high",
    "medium": "medium",
    "med": "medium",
    "normal": "medium",
    "moderate": "medium",
}
SEVERITIES = Severity.values()
SEVERITY_WORDS = {
    "low": "low",
    "minor": "low",
    "medium": "medium",
    "med": "medium",
    "moderate": "medium",
    "high": "high",
    "major": "high",
    "serious": "high",
    "critical": "critical",
    "crit": "critical",
    "severe": "critical",
}
UP_WORDS = r"raise|increase|bump|up|boost|escalate|upgrade|higher|more"
DOWN_WORDS = r"lower|reduce|decrease|downgrade|drop|de-?escalate|less|deprioriti[sz]e"

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fifteen": 15, "twenty": 20,
    "a": 1, "an": 1, "a couple of": 2, "a couple": 2, "couple of": 2,
}  # fmt: skip
ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
    "fifth": 5, "5th": 5, "sixth": 6, "6th": 6, "seventh": 7, "7th": 7, "eighth": 8, "8th": 8,
    "ninth": 9, "9th": 9, "tenth": 10, "10th": 10,
}  # fmt: skip
LAST_WORDS = r"last|final|bottom"
QUARTER_WORDS = {"first": "Q1", "second": "Q2", "third": "Q3", "fourth": "Q4", "last": "Q4"}

MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}  # fmt: skip

# Owners of objectives (the document allows only these three).
OBJECTIVE_OWNERS = {
    "csm": "CSM", "me": "CSM", "us": "CSM", "our side": "CSM", "the csm": "CSM",
    "customer": "Customer", "the customer": "Customer", "them": "Customer", "client": "Customer",
    "both": "Both", "joint": "Both", "jointly": "Both", "shared": "Both", "the two of us": "Both",
}  # fmt: skip
# Roles an action or risk may be owned by, as people write them -> as the plan writes them.
ROLE_OWNERS = {
    "csm": "CSM", "me": "CSM", "myself": "CSM", "ae": "Account Executive",
    "account executive": "Account Executive", "account exec": "Account Executive", "both": "Both",
    "customer": "Customer", "the customer": "Customer", "se": "Solutions Engineer",
    "solutions engineer": "Solutions Engineer", "support": "Support", "the support team": "Support",
    "exec sponsor": "Executive sponsor", "executive sponsor": "Executive sponsor",
}  # fmt: skip

# Words a reference by content ignores: they say what kind of thing, not which one.
STOP_WORDS = frozenset(
    (
        "the",
        "a",
        "an",
        "our",
        "my",
        "this",
        "that",
        "these",
        "those",
        "its",
        "it",
        "of",
        "for",
        "to",
        "in",
        "on",
        "with",
        "about",
        "and",
        "or",
        "one",
        "ones",
        "objective",
        "objectives",
        "goal",
        "goals",
        "obj",
        "initiative",
        "milestone",
        "milestones",
        "metric",
        "metrics",
        "kpi",
        "target",
        "targets",
        "risk",
        "risks",
        "action",
        "actions",
        "task",
        "tasks",
        "item",
        "items",
        "todo",
        "to-do",
        "qbr",
        "qbrs",
        "step",
        "plan",
        "thing",
        "entry",
        "duplicate",
        "duplicated",
        "dupe",
        "repeated",
        "extra",
        "second",
        "copy",
        "please", "out", "back", "forward", "over", "off", "up", "down", "again", "also", "just",
        "deal", "deals", "opportunity", "opportunities", "opp", "opps", "now", "instead",
    )
)
# Abbreviations people type -> the words plans are written in (both are tried).
SYNONYMS = {
    "exec": "executive", "execs": "executives", "util": "utilization", "utilisation": "utilization",
    "qbr": "business review", "cfo": "cfo", "cto": "cto", "ae": "account executive",
    "multithreading": "multi threading", "multithreaded": "multi threaded", "singlethreaded": "single threaded",
    "renew": "renewal", "upsell": "upsell", "onboard": "onboarding", "enablement": "training",
    "training": "enablement", "adoption": "utilization", "usage": "utilization", "growth": "expansion",
    "competitive": "competitor", "competition": "competitor", "champion": "champion",
    "avg": "average", "relationships": "relationship", "intro": "introduce", "introduction": "introduce",
    "prep": "prepare", "comp": "competitor",
}  # fmt: skip


def number_value(text: str) -> int | None:
    """'3', 'three', '#3', 'third' -> 3."""
    value = text.strip().lower().lstrip("#")
    if value.isdigit():
        return int(value)
    return NUMBER_WORDS.get(value) or ORDINALS.get(value)


NUMBER = r"#?\d+|" + "|".join(
    sorted((k for k in NUMBER_WORDS if " " not in k and len(k) > 2), key=len, reverse=True)
)
ORDINAL = "|".join(sorted(ORDINALS, key=len, reverse=True))


def has(pattern: str, text: str) -> bool:
    return re.search(rf"\b(?:{pattern})\b", text, re.IGNORECASE) is not None


# What a part is about, by the nouns it uses ("the adoption one" means the kind last talked about).
KIND_NOUNS = (
    ("objective", r"objectives?|obj|goals?|initiatives?"),
    ("risk", r"risks?|concerns?|threats?"),
    ("action", r"actions?|tasks?|to-?dos?|action items?|follow-?ups?"),
    ("qbr", r"qbrs?|business reviews?|ebrs?|q[1-4] reviews?"),
    ("milestone", r"milestones?|checkpoints?"),
)


def kind_of(text: str) -> str | None:
    """The kind of plan item `text` talks about last, by its nouns."""
    found = [
        (m.start(), kind)
        for kind, noun in KIND_NOUNS
        for m in re.finditer(rf"\b(?:{noun})\b", text, re.IGNORECASE)
    ]
    return max(found)[1] if found else None
