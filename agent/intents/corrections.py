"""Corrections people make as they type: "obj 5 to critical - actually make that high, not
critical", "move the Q3 QBR to Sept 1, sorry I meant Aug 30", "set it to Q2. Actually Q3".

A correction names a new value; it replaces the value of the same kind (a priority or severity, a
quarter, a week, a date, an amount) in the request before it, the last one said. A correction that
is a whole request of its own replaces the request before it when it says so ("actually, drop it
instead"); otherwise ("Actually, add a risk: ...") it is a request of its own.
"""

from __future__ import annotations

import re

from agent.intents.dates import DATE_PHRASE

MARKERS = re.compile(
    r"^\s*(?:(?:actually|sorry|oops|no wait|scratch that|correction|i meant|i mean|make that|no(?=\s*,))"
    r"\b[\s,:!.-]*)+",
    re.IGNORECASE,
)
_REQUEST = re.compile(
    r"^(?:set|make|change|update|raise|lower|bump|add|remove|drop|delete|move|push|shift|reschedule|rename|"
    r"mark|snooze|assign|reassign|give|swap|merge|replace)\b",
    re.IGNORECASE,
)
_MAKE_THAT = re.compile(r"^(?:make (?:that|it)|change (?:that|it) to|(?:it )?should be|to)\s+", re.IGNORECASE)
# "not critical", "instead of 280", "rather than April": the value being taken back.
NEGATED = re.compile(r"(?:,\s*|\s+)(?:not|instead of|rather than)\s+[^,;]+?\s*$", re.IGNORECASE)

KINDS: tuple[tuple[str, str], ...] = (
    ("week", r"\bweek\s*#?\d{1,2}\b"),
    ("quarter", r"\bq[1-4]\b|\b(?:first|second|third|fourth|last|1st|2nd|3rd|4th) quarter\b"),
    ("date", DATE_PHRASE),
    ("level", r"\b(?:critical|high|medium|low|urgent|minor|major|severe|top priority)\b"),
    ("amount", r"\$?\b\d[\d,]*(?:\.\d+)?\s*(?:%|k\b|m\b|percent\b)?"),
)


def is_correction(text: str) -> bool:
    return MARKERS.match(text) is not None and bool(MARKERS.sub("", text).strip())


def _value(text: str) -> tuple[str, str] | None:
    """The first value `text` names, with its kind."""
    for kind, pattern in KINDS:
        if m := re.search(pattern, text, re.IGNORECASE):
            return kind, m.group(0).strip()
    return None


def merge_correction(previous: str, correction: str) -> str:
    """`previous` with the value `correction` names in place of its own of the same kind."""
    said = MARKERS.sub("", correction).strip(" ,.")
    said = NEGATED.sub("", said).strip(" ,.")
    if _REQUEST.match(said) and not _MAKE_THAT.match(said):
        if re.search(r"\binstead\b", said, re.IGNORECASE):
            return re.sub(r"\s*\binstead\b", "", said, flags=re.IGNORECASE)
        return f"{previous}\n{said}"  # a request of its own: both stand
    said = _MAKE_THAT.sub("", said)
    found = _value(said)
    if found is None:
        return previous
    kind, value = found
    pattern = dict(KINDS)[kind]
    matches = list(re.finditer(pattern, previous, re.IGNORECASE))
    if not matches:
        return previous
    last = matches[-1]
    return previous[: last.start()] + value + previous[last.end() :]
