"""How the review reads and writes plan text: dates and money as a CSM writes them, short quotes
of the item a finding is about, and customer quotations set aside (their words are not ours to
correct)."""

from __future__ import annotations

import re
from datetime import date

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# "Feb 15, 2027", "February 15 2027", "Feb 15" / "15 Feb 2027" / "2027-02-15": three patterns, each
# led by a character class, so a scan skips the text between candidates at C speed.
# A month word is read in Python from its first three letters ("Sept" -> Sep).
MONTH_FIRST = re.compile(
    r"([JFMASOND][a-zA-Z]{2}[a-z]*)\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?(?!\d)"
)
DAY_FIRST = re.compile(r"(\d{1,2})\s+([JFMASOND][a-zA-Z]{2}[a-z]*)\.?(?:,?\s+(\d{4}))?(?![a-z])")
ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?!\d)")
# Customer quotations (“…” as the drafter quotes them, or "..."): not the plan's own words.
_QUOTED = re.compile(r"\u201c[^\u201d]*\u201d?|\"[^\"]*\"")
_DIGIT = re.compile(r"\d")
MONEY = re.compile(r"\$\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s?([KkMm])?\b")


_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day(value: date) -> str:
    """2027-02-15 -> 'Feb 15, 2027'."""
    return f"{_MONTH_NAMES[value.month - 1]} {value.day}, {value.year}"


def short(text: str, limit: int = 60) -> str:
    """The start of an item, to name it in a message: 'Hold the Q1 QBR on Feb 15, 2027'."""
    flat = text if len(text) <= limit and "  " not in text and "\n" not in text else " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip(" ,;:") + "\u2026"


def own_words(text: str) -> str:
    """`text` with customer quotations blanked out (same length, so positions still line up)."""
    if '"' not in text and "\u201c" not in text:
        return text
    return _QUOTED.sub(lambda m: " " * len(m.group(0)), text)


_MONTHS_IN_FULL = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)


def _month(word: str) -> int | None:
    """1-12 for a month word ('Feb', 'february', 'Sept'); None for any other word ('Decide')."""
    lowered = word.lower()
    key = lowered[:3]
    if key not in MONTHS:
        return None
    number = MONTHS.index(key) + 1
    return number if _MONTHS_IN_FULL[number - 1].startswith(lowered) or lowered == "sept" else None


def _read(month: int | None, number: int, year: str | None, near: date) -> date | None:
    if month is None:
        return None
    try:
        if year:
            return date(int(year), month, number)
        options = [date(near.year + shift, month, number) for shift in (-1, 0, 1)]
    except ValueError:  # "Feb 30": not a date
        return None
    return min(options, key=lambda option: abs((option - near).days))


def named_dates(text: str, near: date) -> list[tuple[date, str]]:
    """Dates written in `text`, with the words that wrote them. A date without a year is read in
    the year that puts it closest to `near`."""
    found: list[tuple[date, str]] = []
    if not _DIGIT.search(text):
        return found
    for match in MONTH_FIRST.finditer(text):
        month_word = match.group(1)
        value = _read(_month(month_word), int(match.group(2)), match.group(3), near)
        # The month word must be a word of its own ("Mar 3", not "Summary 3").
        start = match.start()
        if value is not None and (start == 0 or not text[start - 1].isalpha()):
            found.append((value, match.group(0)))
    for match in DAY_FIRST.finditer(text):
        start = match.start()
        if start and text[start - 1].isdigit():
            continue
        value = _read(_month(match.group(2)), int(match.group(1)), match.group(3), near)
        if value is not None:
            found.append((value, match.group(0)))
    for match in ISO_DAY.finditer(text):
        start = match.start()
        if start and text[start - 1].isdigit():
            continue
        try:
            found.append(
                (date(int(match.group(1)), int(match.group(2)), int(match.group(3))), match.group(0))
            )
        except ValueError:
            continue
    return found


def parse_money(match: re.Match[str]) -> tuple[float, float]:
    """(amount, precision) of a money match: '$301K' -> (301000, 1000), '$1.2M' -> (1200000, 100000)."""
    whole = float(match.group(1).replace(",", ""))
    decimals = match.group(2) or ""
    amount = whole + (float(f"0.{decimals}") if decimals else 0.0)
    scale = {"k": 1_000, "m": 1_000_000}.get((match.group(3) or "").lower(), 1)
    precision = scale / (10 ** len(decimals)) if scale > 1 else 1.0
    return amount * scale, precision


def same_money(written: tuple[float, float], value: float) -> bool:
    """Does a written amount ('$301K') stand for `value` (301,250), allowing for its rounding?"""
    amount, precision = written
    return abs(amount - value) <= precision / 2 + 0.5


def money(value: float) -> str:
    """$250K, $1.2M, $950: how the review names an amount."""
    if abs(value) >= 1_000_000:
        return f"${value / 1_000_000:.1f}M".replace(".0M", "M")
    if abs(value) >= 1_000:
        return f"${value / 1_000:.0f}K"
    return f"${value:,.0f}"


def number(value: float) -> str:
    """78.0 -> '78', 72.5 -> '72.5'."""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:g}"


def and_list(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def count(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
