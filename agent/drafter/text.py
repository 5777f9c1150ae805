"""Wording helpers shared by the section drafters: money, percentages, names, quoted customer text."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from storage.plan_text import long_date

QUOTE_LIMIT = 240
_WHITESPACE = re.compile(r"\s+")


def money(value: float | None) -> str:
    """$250K, $1.2M, $950; "unknown ARR" when missing."""
    if value is None:
        return "an unknown amount"
    amount = abs(value)
    sign = "-" if value < 0 else ""
    if amount >= 1_000_000:
        return f"{sign}${amount / 1_000_000:.1f}M".replace(".0M", "M")
    if amount >= 1_000:
        return f"{sign}${amount / 1_000:.0f}K"
    return f"{sign}${amount:.0f}"


def pct(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.0f}%"


def round_to(value: float, step: float) -> float:
    return round(value / step) * step


def day(value: date) -> str:
    """2026-03-15 -> 'Mar 15, 2026' (what a CSM writes in a plan)."""
    return long_date(value)


def names(items: Sequence[str], conjunction: str = "and") -> str:
    items = [i for i in items if i]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def clip(text: str | None, limit: int = QUOTE_LIMIT) -> str | None:
    """Text on one line, at most `limit` characters: cut at a word boundary with an ellipsis."""
    if text is None:
        return None
    flat = _WHITESPACE.sub(" ", text).strip().replace("\u201c", '"').replace("\u201d", '"')
    if not flat:
        return None
    if len(flat) > limit:
        cut = flat[: limit - 1]
        space = cut.rfind(" ")
        flat = (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:.-") + "\u2026"
    return flat


def quote(text: str | None, limit: int = QUOTE_LIMIT) -> str | None:
    """Customer-provided text as a quotation: one line, bounded, never interpreted."""
    flat = clip(text, limit)
    return None if flat is None else f"\u201c{flat}\u201d"


def person(name: str, title: str | None) -> str:
    return f"{name} ({title})" if title else name


def plural(count: int, noun: str, plural_noun: str | None = None) -> str:
    return f"{count} {noun if count == 1 else plural_noun or noun + 's'}"


def capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def lower_first(text: str) -> str:
    """'Key contact left: Sarah Chen' -> 'key contact left: Sarah Chen' (names keep their case)."""
    if len(text) > 1 and text[1].isupper():
        return text  # an acronym: "ARR", "NPS"
    return text[:1].lower() + text[1:]


def days_phrase(days: int) -> str:
    """'in 45 days', 'today', '12 days ago': never a negative count."""
    if days == 0:
        return "today"
    return f"in {plural(days, 'day')}" if days > 0 else f"{plural(-days, 'day')} ago"
