"""What people type, made readable for the parsers before anything else: Slack markup and emoji
out, arrows as "to", shorthand spelled out ("wk 5", "avg", "prio"), contractions the parsers read
("isn't", "won't"), and typos in the words requests are made of ("remvoe", "priorty", "critcal")
corrected against the lexicon.

A typo is corrected only when the word is unknown (not an English word in pyspellchecker's list,
not a word of the plan, not a request word) and exactly one request word is one edit away (two for
long words). Free text is left alone: quoted text, anything after a colon, and the new wording in
"rename ... to ...", so a new risk or objective keeps the CSM's own words and spelling.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz.distance import OSA
from spellchecker import SpellChecker

from agent.intents import lexicon

# Shorthand CSMs type -> words the parsers read (whole words, case-insensitive).
SHORTHAND = {
    "wk": "week", "wks": "weeks", "avg": "average", "prio": "priority", "pri": "priority",
    "sev": "severity", "tgt": "target", "mgr": "manager", "acct": "account", "mtg": "meeting",
    "mtgs": "meetings", "w/": "with", "w/o": "without", "thru": "through", "asap": "as soon as possible",
    "obj.": "obj", "objs": "objectives", "qtr": "quarter", "qtrs": "quarters", "reqs": "requests",
    "attendee list": "attendees", "pls": "please", "plz": "please", "tmrw": "tomorrow",
}  # fmt: skip
CONTRACTIONS = {
    "isn't": "is not", "aren't": "are not", "wasn't": "was not", "won't": "will not",
    "can't": "cannot", "doesn't": "does not", "shouldn't": "should not", "wouldn't": "would not",
    "hasn't": "has not", "haven't": "have not", "it'll": "it will", "we'll": "we will",
}  # fmt: skip


def _alternatives(pattern: str) -> list[str]:
    """The plain words of a lexicon regex alternation ('remove|drop|take out' -> remove, drop, take, out)."""
    return [w for w in re.findall(r"[a-z][a-z-]+", pattern.lower()) if len(w) >= 3]


# The words requests are made of: what a typo is corrected to.
REQUEST_WORDS = frozenset(
    [
        *_alternatives(
            "|".join(
                (
                    lexicon.SET,
                    lexicon.ADD,
                    lexicon.REMOVE,
                    lexicon.MOVE,
                    lexicon.RENAME,
                    lexicon.SWAP,
                    lexicon.DONE,
                    lexicon.SNOOZE,
                    lexicon.ASSIGN,
                    lexicon.OBJECTIVE,
                    lexicon.MILESTONE,
                    lexicon.METRIC,
                    lexicon.QBR,
                    lexicon.RISK,
                    lexicon.ACTION,
                    lexicon.UP_WORDS,
                    lexicon.DOWN_WORDS,
                )
            )
        ),
        *lexicon.PRIORITY_WORDS,
        *lexicon.SEVERITY_WORDS,
        *(m for m in lexicon.MONTHS if len(m) > 3),
        *(w for w in lexicon.ORDINALS if w.isalpha()),
        *(w for w in lexicon.NUMBER_WORDS if w.isalpha() and len(w) > 2),
        "priority",
        "priorities",
        "severity",
        "owner",
        "owners",
        "target",
        "quarter",
        "week",
        "weeks",
        "attendee",
        "attendees",
        "approve",
        "approval",
        "submit",
        "reject",
        "activate",
        "delete",
        "remove",
        "critical",
        "medium",
        "reassign",
        "reschedule",
        "snooze",
        "objective",
        "milestone",
        "action",
        "actions",
        "target",
        "targets",
        "current",
        "benchmark",
        "renewal",
        "multi-threading",
        "threading",
        "executive",
        "utilization",
        "expansion",
        "stakeholder",
        "stakeholders",
        "invite",
        "schedule",
        "change",
        "update",
        "increase",
        "decrease",
        "complete",
        "completed",
        "finished",
        "mitigation",
        "severity",
        "tomorrow",
        "instead",
        "actually",
        "please",
        "thanks",
    ]
)


@lru_cache(maxsize=1)
def _english() -> SpellChecker:
    """pyspellchecker's English word list (loaded once per process, about 0.15 s)."""
    return SpellChecker(distance=1)


def known_words(texts: Iterable[str]) -> frozenset[str]:
    """The plan's own words (names, products, its wording): never corrected."""
    return frozenset(w for text in texts for w in re.findall(r"[a-z][a-z'-]*", text.lower()))


def correct_word(word: str, known: frozenset[str]) -> str:
    """`word`, or the one request word it is a typo of."""
    low = word.lower()
    if len(low) < 4 or not low.isalpha() or low in known or low in REQUEST_WORDS or low in _english():
        return word
    limit = 2 if len(low) >= 8 else 1
    scored = sorted((OSA.distance(low, w), w) for w in REQUEST_WORDS if abs(len(w) - len(low)) <= limit)
    if not scored or scored[0][0] > limit:
        return word
    if len(scored) > 1 and scored[1][0] == scored[0][0] and scored[1][1] != scored[0][1]:
        return word  # two words equally close: leave it
    return scored[0][1]


_FREE_TEXT = re.compile(
    r"[:\"“”]|'(?=[A-Za-z].{3,}')|\b(?:rename|retitle|reword|rephrase|rewrite)\b.*?\b(?:to|as)\b\s",
    re.IGNORECASE,
)
# Slack markup: <@U123> mentions, <url|label> links, *bold*, _italic_, ~strike~, `code`, :emoji:.
_MENTION = re.compile(r"<[@#!][^>]*>")
_LINK = re.compile(r"<(?:https?://|mailto:)[^|>]*\|?([^>]*)>")
_EMOJI = re.compile(r":[a-z0-9_+-]+:")
_SYMBOLS = re.compile(r"[\u2600-\u27BF\U0001F000-\U0001FAFF\uFE0F]")


def normalize(message: str, known: frozenset[str]) -> str:
    """`message` as the parsers read it (see the module docstring); line breaks are kept."""
    text = message.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    text = _MENTION.sub(" ", text)
    text = _LINK.sub(r"\1", text)
    text = _EMOJI.sub(" ", text)
    text = _SYMBOLS.sub(" ", text)
    text = re.sub(r"(?<![\w*])[*_~`]+(?=\S)|(?<=\S)[*_~`]+(?![\w*])", "", text)
    text = re.sub(r"\s*(?:->|=>|→|-->)\s*", " to ", text)
    lines = []
    for line in text.split("\n"):
        lines.append(_normalize_line(line, known))
    return "\n".join(lines)


def _normalize_line(line: str, known: frozenset[str]) -> str:
    free = _FREE_TEXT.search(line)
    head, tail = (line[: free.end()], line[free.end() :]) if free else (line, "")
    for short, full in {**SHORTHAND, **CONTRACTIONS}.items():
        head = re.sub(rf"(?<![\w']){re.escape(short)}(?![\w'])", full, head, flags=re.IGNORECASE)
    # "2wks", "3 wk" and "1wk" -> "2 weeks"
    head = re.sub(r"\b(\d+)\s*(?:wks?|weeks?)\b", lambda m: f"{m.group(1)} weeks", head, flags=re.IGNORECASE)
    head = re.sub(
        r"[A-Za-z]+",
        lambda m: m.group(0) if _is_name(m, head) else correct_word(m.group(0), known),
        head,
    )
    return head + tail


def _is_name(match: re.Match[str], text: str) -> bool:
    """A capitalised word after the start of its sentence: a name, never corrected."""
    return match.group(0)[:1].isupper() and bool(text[: match.start()].strip(" -*•"))
