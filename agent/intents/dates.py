"""Dates as CSMs say them: "early March", "mid-April", "March 3rd", "3 March", "2027-03-05",
"a week later", "two weeks earlier". A month without a year means the one inside the plan's
fiscal year (or the next one after the current date)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from agent.intents.lexicon import MONTHS, NUMBER_WORDS

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


def parse_date(text: str, *, first: date, last: date, near: date) -> date | None:
    """A date named in `text`, resolved inside [first, last] (the fiscal year) near `near`."""
    lowered = text.lower()
    if m := re.search(r"\b(\d{4})-(\d{2})-(\d{2})\b", lowered):
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
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
