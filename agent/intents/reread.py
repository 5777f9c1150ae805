"""Second readings of a part no parser understood as said.

People often say *what* and *the new value* with little else: "1:1s with Felix and Sofia -> week
3", "QBR prep should happen in week 5 instead", "the joint exec planning session should happen in
Q3", "done: exec briefing", "the adoption one should be high now". The kind of value says what
change is meant (a week moves an action, a quarter a milestone, a date a QBR, a level a priority or
a severity, "done" marks it done), so the part is rewritten as the plain request and read again by
the same parsers. Paraphrases that say the same thing in other words ("X can go", "X won't close
till Q4", "Gita should be at every QBR") are rewritten first; a part that is a statement around a
request ("exec sponsors target should be 1, 2 is a stretch") is read by its request clause.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from agent.intents.core import Context, Failure, Intent, NotUnderstood, Understood
from agent.intents.dates import DATE_PHRASE
from agent.intents.lexicon import REMOVE
from agent.intents.references import content_score

_LEVEL = r"critical|high|medium|low|urgent|minor|major|severe|top priority"
_QUARTER = r"q[1-4]|(?:the )?(?:first|second|third|fourth|last|1st|2nd|3rd|4th) quarter"
_GLUE = r"(?:to|should be|should happen|should land|needs to be|has to be|is now|is|are|be|=|:|in|into|on|for|at|by)"

# Said another way: (pattern, the plain request). Applied once, in order, before the parsers.
PARAPHRASES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), plain)
    for pattern, plain in (
        (r"^take\s+(.+?)\s+(?:off|out of|out)(?:\s+(?:of\s+)?(?:the|this|our)\s+(?:plan|list|schedule|90-day plan))?$", r"remove \1"),
        (r"^(?:we|i)\s+(?:don't|do not|no longer)\s+need\s+(?!to\b)(.+)$", r"remove \1"),
        (r"^(.+?)\s+(?:is|are)\s+(?:no longer|not)\s+(?:relevant|needed|necessary|happening|applicable)(?:\s+(?:this year|anymore|any more))?$", r"remove \1"),
        (r"^(.+?)\s+(?:is|are)\s+(?:not|no longer)\s+(?:a|our)\s+(?:priority|focus)(?:\s+(?:this year|anymore|any more))?$", r"lower the priority of \1"),
        (r"^(.+?)\s+(?:can|could|should|needs to|has to)\s+(?:go|be removed|be dropped|be deleted|come out|be taken out)$", r"remove \1"),
        (r"^(.+?(?:risks?|concerns?))\s+(?:is|are|was|has been|got)\s+(?:now\s+)?(?:sorted|fixed|handled|addressed|dealt with|under control|taken care of|no longer an issue)$", r"remove \1"),
        # "the EMEA deal won't close till Q4, move it": the first clause says where to.
        (r"^(.+?)\s+(?:will not|cannot|is not going to|does not|won't)\s+(?:close|happen|land|complete|finish|be (?:ready|done|signed|delivered|closed|held))\s+(?:until|till|til|before|in)\s+(.+?)(?:,?\s*(?:so\s+)?(?:please\s+)?(?:move|push|shift|update|change)\s+(?:it|that|them)(?:\s+accordingly)?)?$", r"move \1 to \2"),
        (r"^(.+?)\s+(?:should|needs to|has to|must|will|is going to|can)\s+(?:now\s+)?(?:happen|be done|be held|take place|land|go|move|slip|be moved|be pushed|be due)\s+(?:in|to|into|by|until|till)\s+((?:" + _QUARTER + r"|week\s*\d{1,2})\b.*)$", r"move \1 to \2"),
        # People at QBRs: "Gita should be at every QBR", "Rachel doesn't need to be at the Q3 QBR".
        (r"^(.+?)\s+(?:should|needs to|has to|must|will|can)\s+(?:both\s+|all\s+|also\s+)?(?:be at|attend|join|come to|be invited to|be in)\s+(.+?(?:qbrs?|business reviews?).*)$", r"add \1 to \2"),
        (r"^(.+?)\s+(?:does not|doesn't|don't|do not|no longer)\s+(?:need to\s+)?(?:be at|attend|join|come to)\s+(.+?(?:qbrs?|business reviews?).*)$", r"remove \1 from \2"),
        # Owners: "the customer owns the time to resolution goal", "Sarah should own the briefing".
        (r"^(.+?)\s+(?:owns|will own|is owning|takes ownership of|is responsible for|should be responsible for)\s+(.+)$", r"make \1 own \2"),
        # Status words first or after a colon: "done: exec briefing", "exec briefing: done".
        (r"^(?:done|completed|finished|complete)\s*[:\-–]\s*(.+)$", r"mark \1 done"),
        (r"^(.+?)\s*[:\-–]\s*(?:done|completed|finished|complete)$", r"mark \1 done"),
        (r"^(?:snoozed?|on hold|parked)\s*[:\-–]\s*(.+)$", r"snooze \1"),
    )
)  # fmt: skip

# "not Q4", ", not 6", "instead of 280", ", not us": the value being taken back, at the end.
_TAKEN_BACK = re.compile(
    r"(?:,\s*|\s+)(?:not|instead of|rather than)\s+(?P<v>[^,;]{1,25}?)\s*$", re.IGNORECASE
)
_VERB_BEFORE_NOT = re.compile(
    r"\b(?:is|are|was|were|should|do|does|did|will|can|could|would|must|need|needs|it's|has|have)\s*$",
    re.IGNORECASE,
)
# "submit it, not yet", "not now", "not really": a negation of the request itself, never dropped.
_KEPT_NEGATION = re.compile(
    r"^(?:yet|now|today|really|sure|ever|always|quite|so|it|this|that|submitted|approved|done)\b", re.IGNORECASE
)
_TRAILING = re.compile(
    r"(?:\s+|,\s*)(?:instead|now|right now|at the moment|currently|these days|as well|too)$", re.IGNORECASE
)


def plain(text: str) -> str:
    """`text` without the value it takes back and without trailing 'instead' / 'now'."""
    previous = None
    while previous != text:
        previous = text
        m = _TAKEN_BACK.search(text)
        if (
            m
            and not _KEPT_NEGATION.match(m["v"])
            and not _VERB_BEFORE_NOT.search(text[: m.start()])
            and len(text[: m.start()].split()) >= 2
        ):
            text = text[: m.start()]
        text = _TRAILING.sub("", text).strip(" ,")
    return text


def paraphrase(text: str) -> str:
    for pattern, replacement in PARAPHRASES:
        if pattern.search(text):
            return pattern.sub(replacement, text)
    return text


def _level_request(ctx: Context, thing: str, level: str) -> str:
    if re.search(r"\b(?:risks?|concerns?|threats?)\b", thing, re.IGNORECASE):
        return f"set the severity of {thing} to {level}"
    if re.search(r"\b(?:objectives?|obj|goals?|initiatives?)\b", thing, re.IGNORECASE):
        return f"set the priority of {thing} to {level}"
    # No noun: the kind whose wording it matches better.
    objective = max((content_score(thing, o["objective"]) for o in ctx.ws.objectives), default=0.0)
    risk = max((content_score(thing, r["risk"]) for r in ctx.ws.risks), default=0.0)
    return (
        f"set the severity of the {thing} risk to {level}"
        if risk > objective
        else f"set the priority of the {thing} objective to {level}"
    )


def _kind_by_content(ctx: Context, thing: str) -> str | None:
    """The kind of plan item whose wording `thing` matches best (at least 0.6), or None."""
    scores = {
        "objective": max((content_score(thing, o["objective"]) for o in ctx.ws.objectives), default=0.0),
        "risk": max((content_score(thing, r["risk"]) for r in ctx.ws.risks), default=0.0),
        "action": max((content_score(thing, a["action"]) for a in ctx.ws.actions), default=0.0),
        "milestone": max(
            (
                content_score(thing, m["milestone"])
                for o in ctx.ws.objectives
                for m in o["quarterly_milestones"]
            ),
            default=0.0,
        ),
    }
    kind, score = max(scores.items(), key=lambda item: item[1])
    return kind if score >= 0.6 else None


def _removal(ctx: Context, m: re.Match[str]) -> str:
    kind = _kind_by_content(ctx, m["x"])
    return f"remove {m['x']} {kind}" if kind else ""


Rewrite = Callable[[Context, re.Match[str]], str]
# (a request that names a thing and a value, the plain request it is)
READINGS: tuple[tuple[re.Pattern[str], Rewrite], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), rewrite)
    for pattern, rewrite in (
        (
            rf"^(?:move\s+|push\s+|shift\s+)?(?P<x>.+?)\s+(?:{_GLUE}\s+)*week\s*#?(?P<v>\d{{1,2}})$",
            lambda ctx, m: f"move {m['x']} to week {m['v']}",
        ),
        (
            rf"^(?:move\s+|push\s+|shift\s+)?(?P<x>.+?)\s+(?:{_GLUE}\s+)*(?P<v>{_QUARTER})$",
            lambda ctx, m: f"move {m['x']} to {m['v']}",
        ),
        (
            rf"^(?:move\s+|push\s+|shift\s+|reschedule\s+)?(?P<x>.+?(?:qbrs?|business reviews?|ebrs?))\s+(?:{_GLUE}\s+)*(?P<v>(?:{DATE_PHRASE}).*)$",
            lambda ctx, m: f"move {m['x']} to {m['v']}",
        ),
        (
            rf"^(?:make\s+|set\s+)?(?P<x>.+?)\s+(?:{_GLUE}\s+)*(?:a\s+)?(?P<v>{_LEVEL})(?:\s+(?:priority|severity|risk))?$",
            lambda ctx, m: _level_request(ctx, m["x"], m["v"]),
        ),
        (
            r"^(?P<x>.+?)\s+(?:is\s+|are\s+)?(?:all\s+)?(?:done|completed|finished|complete|sorted|wrapped up)$",
            lambda ctx, m: f"mark {m['x']} done",
        ),
        # "cancel the weekly sync with Sarah": no noun, so the kind its words match.
        (rf"^(?:{REMOVE})\s+(?P<x>.+)$", _removal),
    )
)


def _useful(found: Understood | list[Intent] | None) -> bool:
    return (isinstance(found, list) and bool(found)) or isinstance(found, Intent)


def reread(
    ctx: Context, text: str, read: Callable[[str], Understood | list[Intent] | None]
) -> Understood | list[Intent] | None:
    """A second reading of `text` (see the module docstring) through `read` (the parsers), or None."""
    failure: Failure | None = None
    for pattern, rewrite in READINGS:
        m = pattern.match(text)
        if not m or not m["x"].strip():
            continue
        plain_request = rewrite(ctx, m)
        if not plain_request:
            continue
        found = read(plain_request)
        if _useful(found):
            return _as_said(found, text)
        if isinstance(found, Failure) and failure is None:
            failure = Failure(text, found.reason)
    return failure


def _as_said(found: Understood | list[Intent] | None, text: str) -> Understood | list[Intent] | None:
    """The intents keep the words the person used (replies quote them)."""
    for intent in found if isinstance(found, list) else [found]:
        if isinstance(intent, Intent | Failure | NotUnderstood):
            intent.text = text
    return found


# Clauses of a part: "X, Y", "X - Y", "X because Y".
_CLAUSE = re.compile(
    r"\s*(?:,|\s[-–—]\s|;|\s+(?:because|since|as|so)\s+(?=\w+\s+(?:is|are|was|were|has|have|'s)\b))\s*",
    re.IGNORECASE,
)


def clauses(text: str) -> list[str]:
    """The ways to read `text` by one of its clauses, the longest leading ones first, then the rest."""
    pieces = [p for p in _CLAUSE.split(text) if p.strip()]
    if len(pieces) < 2:
        return []
    leading = [", ".join(pieces[:n]) for n in range(len(pieces) - 1, 0, -1)]
    return leading + pieces[1:]
