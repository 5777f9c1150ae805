"""Splitting a request into its parts: "X and Y", "X, then Y", "X; Y", "X but Y", one sentence after
another, one line or bullet after another. "and" splits only where what follows starts a new
request (a verb or a question), so "mark actions 1 and 2 done" and "add Marcus and Priya to the Q2
QBR" stay whole; "set X to 1 and Y to 2" is two requests with one verb. A lead-in line ("couple of
things:") asks for nothing. A correction ("..., actually make that high", "sorry, I meant Aug 30")
changes the part before it instead of being a part of its own."""

from __future__ import annotations

import re

from agent.intents.lexicon import kind_of

# Words a new part starts with.
STARTERS = (
    r"set|make|change|update|raise|increase|bump|lower|reduce|decrease|add|include|create|remove|drop|delete|"
    r"kill|cut|scrap|ditch|move|push|shift|reschedule|slide|slip|delay|postpone|pull|bring|rename|retitle|"
    r"reword|rephrase|swap|switch|mark|snooze|defer|park|assign|reassign|give|hand|submit|send|merge|combine|"
    r"invite|take|replace|complete|close|reopen|put|log|flag|tick|what|what's|whats|when|when's|who|who's|how|"
    r"which|approve|reject|activate|sign|can you|could you|please|also|let's|get rid|downgrade|upgrade|escalate|"
    r"stretch|uninvite|finish|resolve|list|show|tell"
)
_POLITE_START = re.compile(
    r"^(?:(?:hey|hi|ok|okay|so|also|and|then|now|just|please|pls|kindly|actually|oh and|and then|"
    r"can you|could you|would you|will you|can we|could we|i'd like to|i would like to|i want to|i need you to|"
    r"we need to|we should|let's|lets|go ahead and|you can|could you please|can you please|"
    r"(?:please )?(?:help me )?)[\s,]+)+",
    re.IGNORECASE,
)
# A part that is only courtesy ("Thanks!", "ok great") asks for nothing.
PLEASANTRY = re.compile(
    r"(?:thanks|thank you|thx|ty|cheers|great|cool|perfect|ok|okay|hi|hey|hello|please|much appreciated)"
    r"(?:[\s,!.]+(?:thanks|thank you|so much|a lot|great|cool))*[\s!.]*",
    re.IGNORECASE,
)
_POLITE_END = re.compile(
    r"(?:[\s,]+(?:please|pls|thanks|thank you|thx|ty|cheers|for me|if you can))+\s*[.!?]*$", re.IGNORECASE
)


def clean(part: str) -> str:
    """A part without greetings and politeness: 'Can you please push the QBR? thanks' -> 'push the QBR?'."""
    text = " ".join(part.replace("’", "'").replace("‘", "'").split())
    previous = None
    while previous != text:
        previous = text
        text = _POLITE_END.sub("", text)
        text = _POLITE_START.sub("", text).strip(" ,")
    return text.strip()


_BULLET = re.compile(r"^\s*(?:[-*•·‣◦]|\d{1,2}[.)])\s+")
_LEAD_IN = re.compile(r"^[^:\n]{0,60}:\s*$")
# Where a correction starts inside a sentence: "X, actually make that Y", "X - sorry, I meant Y".
_CORRECTION_AT = re.compile(
    r"\s*(?:,|\s[-–—]|\.\.\.|…)\s*(?=(?:actually|sorry|oops|no wait|scratch that|i meant|i mean|"
    r"correction|make that)\b)",
    re.IGNORECASE,
)
_BUT = re.compile(
    rf"\s*,?\s*\bbut\b\s+(?=(?:the|its|it|this|that|obj|objective|risk|action|{STARTERS})\b)", re.IGNORECASE
)


def split_request(message: str) -> list[str]:
    """The parts of a request, in order, politeness removed; empty parts dropped."""
    from agent.intents.corrections import is_correction, merge_correction

    lines: list[str] = []
    header = ""  # "Q1 QBR:" above bullets names what each bullet is about
    for line in message.strip().split("\n"):
        bulleted = bool(_BULLET.match(line))
        line = _BULLET.sub("", line)
        if _LEAD_IN.match(line):
            header = line.strip().rstrip(":").strip() if kind_of(line) else ""
        elif line.strip():
            lines.append(f"{header}: {line.strip()}" if header and bulleted else line)
            header = header if bulleted else ""
    # Lines, semicolons, and sentence ends (the "?" stays with its sentence: it marks a question).
    pieces = re.split(
        r"\s*(?:\n+|;)\s*|(?<=[a-z0-9%)'\"][.!?])\s+", "\n".join(lines).strip(), flags=re.IGNORECASE
    )
    raw: list[str] = []
    for piece in pieces:
        if not piece.strip():
            continue
        for chunk in _CORRECTION_AT.split(piece):
            if raw and is_correction(chunk):
                raw[-1:] = merge_correction(raw[-1], chunk).split("\n")
            elif chunk.strip():
                raw += _BUT.split(chunk)
    parts: list[str] = []
    for piece in raw:
        for chunk in re.split(
            r"\s*(?:,\s*(?:and\s+)?then\b|\band then\b|\bthen\b(?=\s+(?:"
            + STARTERS
            + r")\b)|,\s*and also\b|\band also\b|\bas well as\b(?=\s+(?:"
            + STARTERS
            + r")\b)|\bplus\b(?=\s+(?:"
            + STARTERS
            + r")\b))\s*",
            piece,
            flags=re.IGNORECASE,
        ):
            parts += _split_on_and(chunk)
    return [p for p in (clean(p) for p in parts) if p and re.search(r"\w", p) and not PLEASANTRY.fullmatch(p)]


def _split_on_and(text: str) -> list[str]:
    chunks = re.split(rf"\s*(?:,\s*and|\band|,|&)\s+(?=(?:{STARTERS})\b)", text, flags=re.IGNORECASE)
    return [part for c in chunks if c and c.strip() for part in _one_verb_two_requests(c)]


# "set target ARR to $310K and the multi-threading target to 5": the verb serves both.
_ELLIPSIS = re.compile(
    r"^(?P<verb>set|make|change|update|move|push|shift|raise|lower|bump|reschedule|increase|decrease)\b"
    r"(?P<left>.+?\bto\s+\S.*?)(?:\s*,\s*and|\s*,|\s+and)\s+"
    r"(?P<right>(?:the|its|their|obj|objective|risk|action|q[1-4])\b.+?\bto\s+\S.*)$",
    re.IGNORECASE,
)


def _one_verb_two_requests(text: str) -> list[str]:
    m = _ELLIPSIS.match(text.strip())
    if not m:
        return [text]
    return [m.group("verb") + m.group("left"), f"{m.group('verb')} {m.group('right')}"]
