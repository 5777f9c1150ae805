"""Dates as CSMs say them: "early March", "mid-April", "March 3rd", "3 March", "2027-03-05",
"a week later", "two weeks earlier", "6/24" (a day and month both 12 or under, "6/7", is asked
about: people write both orders), "the first week of August", "early Q3" / "mid Q4" / "end of Q1"
(parts of the plan's fiscal quarters), "next month". A month without a year means the one inside
the plan's fiscal year (or the next one after the current date)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from agent.intents.lexicon import MONTHS, NUMBER_WORDS
from agent.intents.references import Unclear

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
# The day a vague part of a month stands for; moved off a weekend.
PART_OF_MONTH = {
    "early": 5,
    "beginning of": 3,
    "start of": 3,
    "mid": 15,
    "middle of": 15,
    "late": 24,
    "end of": 26,
}
_PART = "|".join(sorted(PART_OF_MONTH, key=len, reverse=True))
_AMOUNT = r"\d+|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
_WEEK_OF = {"first": 0, "1st": 0, "second": 7, "2nd": 7, "third": 14, "3rd": 14, "fourth": 21, "4th": 21}
_QUARTER_PART = {"early": (0, 5), "beginning of": (0, 3), "start of": (0, 3), "mid": (1, 15),
                 "middle of": (1, 15), "late": (2, 24), "end of": (2, 26)}  # fmt: skip
_Q_PART = "|".join(sorted(_QUARTER_PART, key=len, reverse=True))
# A date as people write one, wherever it is in a sentence (corrections swap one for another).
DATE_PHRASE = (
    rf"\b\d{{4}}-\d{{2}}-\d{{2}}\b|\b\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?\b|"
    rf"\b(?:(?:the )?(?:{_PART})[- ]?(?:of )?)?(?:{_MONTH})\.?(?: \d{{1,2}}(?:st|nd|rd|th)?\b)?|"
    rf"\b\d{{1,2}}(?:st|nd|rd|th)? (?:of )?(?:{_MONTH})\b"
)


def _weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _in_window(month: int, day: int, first: date, last: date, near: date) -> date | None:
    """The date with this month and day inside [first, last], the one nearest to `near`."""
    options = []
    for year in range(first.year - 1, last.year + 2):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if first <= candidate <= last:
            options.append(candidate)
    return min(options, key=lambda d: abs((d - near).days)) if options else None


def _numeric(m: re.Match[str], first: date, last: date, near: date) -> date | None:
    """'6/24', '24/6', '6/24/2027': the order is read from a number over 12; '6/7' is asked about."""
    a, b = int(m.group(1)), int(m.group(2))
    if (a > 12 and b > 12) or a == 0 or b == 0:
        return None
    if a <= 12 and b <= 12 and a != b:
        one, other = date(2000, a, min(b, 28)), date(2000, b, min(a, 28))
        raise Unclear(
            f"'{m.group(0)}' could be {one:%b} {b} or {other:%b} {a}; say the month by name (e.g. '{one:%b} {b}')"
        )
    month, day = (a, b) if a <= 12 else (b, a)
    if m.group(3):
        year = int(m.group(3))
        try:
            return date(year + 2000 if year < 100 else year, month, day)
        except ValueError:
            return None
    return _in_window(month, day, first, last, near)


def _quarter_part(m: re.Match[str], first: date) -> date:
    """'early Q3' in the fiscal year starting on `first`: the part's day of the quarter's month."""
    offset, day = _QUARTER_PART[m.group(1)]
    months = first.month - 1 + (int(m.group(2)) - 1) * 3 + offset
    return _weekday(date(first.year + months // 12, months % 12 + 1, day))


def _week_of(m: re.Match[str], first: date, last: date, near: date) -> date | None:
    """'the first week of August' -> its first weekday; 'the last week of August' -> its last Monday."""
    month = MONTHS[m.group(2)]
    start = _in_window(month, 1, first, last, near)
    if start is None:
        return None
    if m.group(1) == "last":
        end = date(start.year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
        return end - timedelta(days=end.weekday())
    return _weekday(start + timedelta(days=_WEEK_OF[m.group(1)]))


def relative_month(text: str, *, today: date, old: date) -> date | None:
    """'next month' / 'the month after': keeps the day of the month. For a push (the words say later)
    of something already after next month, the month after its own date."""
    lowered = text.lower()
    if not re.search(r"\b(?:next month|the following month|the month after)\b", lowered):
        return None
    base = today
    if re.search(r"\b(?:push|delay|postpone|back|later|slip|out)\b", lowered) and old.replace(day=1) >= (
        date(today.year + (today.month == 12), today.month % 12 + 1, 1)
    ):
        base = old
    month = base.month % 12 + 1
    year = base.year + (base.month == 12)
    for day in (old.day, 28):
        try:
            return _weekday(date(year, month, day))
        except ValueError:
            continue
    return None


def parse_date(text: str, *, first: date, last: date, near: date) -> date | None:
    """A date named in `text`, resolved inside [first, last] (the fiscal year) near `near`."""
    lowered = text.lower()
    if m := re.search(r"\b(\d{4})-(\d{2})-(\d{2})\b", lowered):
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    if m := re.search(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?(?![\d/])", lowered):
        return _numeric(m, first, last, near)
    if m := re.search(rf"\b(?:the )?({_Q_PART})[- ]?(?:in |of )?(?:the )?q([1-4])\b", lowered):
        return _quarter_part(m, first)
    if m := re.search(rf"\b(first|1st|second|2nd|third|3rd|fourth|4th|last) week (?:of|in) ({_MONTH})\b", lowered):
        return _week_of(m, first, last, near)
    if m := re.search(rf"\b(?:the )?({_PART})[- ]?(?:of )?({_MONTH})\b", lowered):
        month = MONTHS[m.group(2)]
        found = _in_window(month, PART_OF_MONTH[m.group(1)], first, last, near)
        return _weekday(found) if found else None
    day_month = re.search(rf"\b(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?({_MONTH})\b", lowered)
    month_day = re.search(rf"\b({_MONTH})\.? (\d{{1,2}})(?:st|nd|rd|th)?\b(?!:)", lowered)
    if month_day or day_month:
        if month_day:
            month, day = MONTHS[month_day.group(1)], int(month_day.group(2))
        else:
            assert day_month is not None
            month, day = MONTHS[day_month.group(2)], int(day_month.group(1))
        year = re.search(r"\b(20\d{2})\b", lowered)
        if year:
            try:
                return date(int(year.group(1)), month, day)
            except ValueError:
                return None
        return _in_window(month, day, first, last, near)
    if m := re.search(r"\bthe (\d{1,2})(?:st|nd|rd|th)\b", lowered):  # "to the 22nd": of the same month
        try:
            return date(near.year, near.month, int(m.group(1)))
        except ValueError:
            return None
    if m := re.search(rf"\b(?:in |to |until )?({_MONTH})\b", lowered):
        found = _in_window(MONTHS[m.group(1)], 15, first, last, near)
        return _weekday(found) if found else None
    return None


def parse_shift(text: str) -> timedelta | None:
    """'a week later', 'back two weeks', 'by 3 days', 'two weeks earlier' -> a signed timedelta."""
    lowered = text.lower()
    m = re.search(rf"\b({_AMOUNT}) (day|week|month)s?\b", lowered) or re.search(
        r"\b(?:a|one) (day|week|month)\b", lowered
    )
    if not m:
        return None
    if m.lastindex == 2:
        amount_text, unit = m.group(1), m.group(2)
        amount = int(amount_text) if amount_text.isdigit() else NUMBER_WORDS.get(amount_text, 1)
    else:
        amount, unit = 1, m.group(1)
    days = amount * {"day": 1, "week": 7, "month": 30}[unit]
    earlier = re.search(r"\b(earlier|sooner|forward|pull(?:ed)? in|bring in|ahead|up)\b", lowered)
    return timedelta(days=-days if earlier else days)
