"""Reading values out of what people type: priorities, severities, quarters, weeks, owners (a
contact on record or a role), amounts and metric values in the form the plan already uses."""

from __future__ import annotations

import re
from typing import Any

from agent.intents.lexicon import (
    DOWN_WORDS,
    NUMBER_WORDS,
    PRIORITY_WORDS,
    QUARTER_WORDS,
    ROLE_OWNERS,
    SEVERITY_WORDS,
    UP_WORDS,
    has,
)
from agent.intents.references import Unclear, Workspace
from storage.errors import BadInput
from tools.plans.edits import contact_names, resolve_contact
from tools.plans.edits.base import possessive

QUARTER = r"\bq([1-4])\b|\b(first|second|third|fourth|last) quarter\b"


def word_in(mapping: dict[str, str], text: str) -> str | None:
    """The first word of `mapping` that `text` says (as a whole word), mapped."""
    found = [
        (m.start(), mapping[m.group(0).lower()])
        for k in mapping
        for m in re.finditer(rf"\b{re.escape(k)}\b", text, re.IGNORECASE)
    ]
    return min(found)[1] if found else None


def priority_in(text: str) -> str | None:
    if re.search(r"\btop priority\b|\bhighest priority\b|\bmost important\b", text, re.IGNORECASE):
        return "critical"
    if re.search(r"\blow(?:est)?(?: priority)?\b", text, re.IGNORECASE):
        return "low"
    return word_in(PRIORITY_WORDS, text)


def severity_in(text: str) -> str | None:
    return word_in(SEVERITY_WORDS, text)


def direction(text: str) -> int:
    """+1 for 'raise / bump / more ambitious', -1 for 'lower / less ambitious', else 0."""
    if re.search(r"\bless ambitious\b|\bmore (?:realistic|conservative|achievable)\b", text, re.IGNORECASE):
        return -1
    if re.search(r"\bmore ambitious\b|\bstretch\b|\bhigher\b|\bmore aggressive\b", text, re.IGNORECASE):
        return 1
    up = re.search(rf"\b(?:{UP_WORDS})\b", text, re.IGNORECASE)
    down = re.search(rf"\b(?:{DOWN_WORDS})\b", text, re.IGNORECASE)
    if up and (not down or up.start() < down.start()):
        return 1
    return -1 if down else 0


def quarters_in(text: str) -> list[str]:
    found = []
    for m in re.finditer(QUARTER, text, re.IGNORECASE):
        found.append(f"Q{m.group(1)}" if m.group(1) else QUARTER_WORDS[m.group(2).lower()])
    return found


def week_in(text: str) -> int | None:
    m = re.search(r"\bweek\s*#?(\d{1,2})\b|\b(\d{1,2})(?:st|nd|rd|th)? week\b", text, re.IGNORECASE)
    return int(m.group(1) or m.group(2)) if m else None


def owner_in(ws: Workspace, value: str, customer: str) -> str:
    """An owner as people name one: a contact on record (a unique first name is enough) or a role.
    A person who is not on record is refused: plans name only real contacts."""
    cleaned = re.sub(r"^(?:the|our)\s+", "", value.strip().strip(".'\""), flags=re.IGNORECASE).strip()
    role = ROLE_OWNERS.get(cleaned.lower())
    if role:
        return role
    try:
        person = resolve_contact(ws.data, cleaned)
    except BadInput as error:
        raise Unclear(error.message) from error
    if person:
        return person
    looks_like_person = bool(re.fullmatch(r"[A-Z][a-z'-]+(?: [A-Z][a-z'-]+){0,2}", cleaned)) and not has(
        r"team|csm|manager|lead|engineer|executive|support|success|sales|finance|it|ops|product|admin",
        cleaned,
    )
    if looks_like_person:
        raise Unclear(
            f"{cleaned} is not one of {possessive(customer)} contacts on record ({', '.join(contact_names(ws.data))})"
        )
    return cleaned[:1].upper() + cleaned[1:] if cleaned.islower() else cleaned


AMOUNT = r"\$?\s?\d[\d,]*(?:\.\d+)?\s?(?:k|m|thousand|million)?\b"


def money_in(text: str) -> float | None:
    m = re.search(
        r"\$\s?(\d[\d,]*(?:\.\d+)?)\s?(k|m|thousand|million)?\b|\b(\d[\d,]*(?:\.\d+)?)\s?(k|m|thousand|million)\b|\b(\d{5,}(?:\.\d+)?)\b",
        text,
        re.IGNORECASE,
    )
    if not m:
        return None
    number = m.group(1) or m.group(3) or m.group(5)
    unit = (m.group(2) or m.group(4) or "").lower()
    value = float(number.replace(",", ""))
    return value * {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6}.get(unit, 1.0)


def count_in(text: str) -> int | None:
    m = re.search(r"\b(\d{1,3})\b", text)
    if m:
        return int(m.group(1))
    for word, value in NUMBER_WORDS.items():
        if len(word) > 2 and re.search(rf"\b{word}\b", text, re.IGNORECASE):
            return value
    return None


def metric_value(raw: str, like: Any) -> Any:
    """`raw` ('80%', '80 percent', '4', 'three', 'signed by June') in the form of `like`, the
    metric's current value: '70%' stays text with a percent sign, 78 stays a number."""
    text = raw.strip().strip(".'\"")
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(%|percent|pct)?", text, re.IGNORECASE)
    if not m:
        spelled = NUMBER_WORDS.get(text.lower())
        return spelled if spelled is not None and len(text) > 2 else text
    value = float(m.group(1))
    number: float | int = int(value) if value.is_integer() else value
    percent = bool(m.group(2))
    if isinstance(like, str) and like.strip().endswith("%"):
        return f"{number}%"
    if isinstance(like, int | float) and not isinstance(like, bool):
        return number
    return f"{number}%" if percent else number


def stepped(value: Any, step: int) -> Any:
    """A target one step more (or less) ambitious: +5 points for percentages and scores, +1 for
    small counts, +10% for larger numbers. Text targets cannot be stepped (None)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*%\s*", value)
        if not m:
            return None
        number = float(m.group(1))
        new = max(0.0, min(100.0, number + 5 * step))
        return f"{int(new) if new.is_integer() else new}%"
    if isinstance(value, int | float):
        if value < 20:
            return max(0, value + step)
        if value <= 100:
            return max(0, min(100, value + 5 * step))
        return round(value * (1 + 0.1 * step))
    return None
