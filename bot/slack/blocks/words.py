"""Words people read in Slack: dates the way people write them, codes as words, plurals.

Dates are written "Aug 31, 2027" (a calendar date is the same day for every reader, so it needs no
timezone); a moment (a decision's time) is a Slack date token that each reader sees in their own
timezone. Stored codes (`seat_expansion`, `technical_buyer`) never reach a person as such.
"""

from __future__ import annotations

from datetime import date, datetime

from storage.plan_text import long_date

# Codes whose plain capitalisation would read wrong.
WORDS = {
    "upsell": "Upsell",
    "cross_sell": "Cross-sell",
    "seat_expansion": "Seat expansion",
    "renewal": "Renewal",
    "exec_sponsor": "Executive sponsor",
    "executive_sponsor": "Executive sponsor",
    "economic_buyer": "Economic buyer",
    "technical_buyer": "Technical buyer",
    "champion": "Champion",
    "user": "User",
    "other": "Other contact",
    "pending_review": "Pending review",
    "changes_requested": "Changes requested",
    "on_track": "On track",
    "at_risk": "At risk",
    "CSM": "CSM",
}


def humanise(code: str | None) -> str:
    """`seat_expansion` -> "Seat expansion"; text that is already words is left alone."""
    if not code:
        return ""
    if code in WORDS:
        return WORDS[code]
    if "_" in code and " " not in code:
        return code.replace("_", " ").capitalize()
    return code


def plural(count: int, word: str, plural_word: str | None = None) -> str:
    """"1 risk", "3 risks", "2 opportunities"."""
    return f"{count} {word if count == 1 else plural_word or word + 's'}"


# Without a year, "Aug 31" reads as the next Aug 31: fine for dates within the coming months.
NO_YEAR_WITHIN_DAYS = 300


def day(value: date, *, today: date | None = None) -> str:
    """"Aug 31, 2027"; "Aug 31" when `today` is given and the date is in the coming months."""
    if today is not None and 0 <= (value - today).days <= NO_YEAR_WITHIN_DAYS:
        return f"{value:%b} {value.day}"
    return long_date(value)


def weekday_day(value: date) -> str:
    """"Tue Mar 3" (for things that happen this month: QBRs, due dates)."""
    return f"{value:%a %b} {value.day}"


def days_from(value: date, today: date) -> str:
    """"today", "tomorrow", "in 18 days", "yesterday", "12 days ago"."""
    delta = (value - today).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    if delta == -1:
        return "yesterday"
    return f"in {delta} days" if delta > 0 else f"{-delta} days ago"


def renewal_phrase(renewal: date, today: date) -> str:
    """"renews Aug 31 (in 270 days)"; a date already passed is said to be stale, not "renews"."""
    if renewal < today:
        return f"renewal date {day(renewal)} has passed"
    return f"renews {day(renewal, today=today)} ({days_from(renewal, today)})"


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def slack_time(moment: datetime) -> str:
    """A moment Slack shows in each reader's own timezone ("Dec 4 at 14:02"), with a UTC fallback."""
    fallback = f"{moment:%b} {moment.day} at {moment:%H:%M} UTC"
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def first_sentence(text: str, limit: int = 300) -> str:
    """The first sentence of a paragraph (summaries open with the point), cut at `limit`."""
    text = " ".join(text.split())
    for end in (". ", "! ", "? "):
        cut = text.find(end)
        if 0 < cut < limit:
            return text[: cut + 1]
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit - 1)
    return text[: cut if cut > 0 else limit - 1].rstrip(",;:") + "…"


def mention(slack_id: str | None, name: str | None, *, fallback: str = "someone") -> str:
    """`<@U…>` when the person is known in Slack, else their name (escaped: names are user data)."""
    if slack_id:
        return f"<@{slack_id}>"
    text = name or fallback
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
