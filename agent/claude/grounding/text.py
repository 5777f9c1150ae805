"""Reading claims out of plan text: money, percentages, counts of seats and users, health scores,
renewal dates and quotes (people: `people`).

Each figure keeps the precision it was written with ("$35K" is 35,000 give or take 500), widened
a little when the writer hedged ("about 10%"), so rounding a real figure never makes it a new one.
Years, quarters and week numbers are never read as figures: only "$", "%" and counted nouns are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

FigureKind = Literal["money", "percent", "count", "score"]

MULTIPLIERS = {
    "k": 1e3, "thousand": 1e3, "m": 1e6, "mm": 1e6, "million": 1e6, "b": 1e9, "bn": 1e9, "billion": 1e9,
}  # fmt: skip
MONEY = re.compile(
    r"\$\s?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s?(k|mm|m|bn|b|million|thousand|billion)?(?![a-z])", re.IGNORECASE
)
PERCENT = re.compile(r"(?<![\d.,$])(\d+)(\.\d+)?\s?(?:%|percent\b|per cent\b)", re.IGNORECASE)
# Counts the data knows: seats and users ("104 idle seats", "270 active users").
COUNT = re.compile(
    r"(?<![\d.,$])(\d{1,3}(?:,\d{3})+|\d+)\s+"
    r"((?:(?:more|additional|extra|new|active|inactive|idle|unused|unassigned|licensed|purchased|paid|"
    r"current|monthly|weekly|daily|of\s+(?:its|their|the|our)(?:\s+\d[\d,]*)?)\s+){0,3})"
    r"(seats?|licen[cs]es?|users?)\b",
    re.IGNORECASE,
)
HEALTH = re.compile(
    r"\bhealth(?:\s+score)?(?:\s+(?:of|is|at|was|sits\s+at|stands\s+at|now|currently))*\s*[:=]?\s*(\d{1,3})\b(?!\s*%)",
    re.IGNORECASE,
)
HEDGE = re.compile(
    r"(?:about|around|approximately|approx\.?|roughly|nearly|almost|close\s+to|some|just\s+(?:under|over)|"
    r"over|more\s+than|less\s+than|under|~|≈)\s*$",
    re.IGNORECASE,
)
SENTENCE_END = re.compile(r"(?<=[.;!?])\s+(?=[A-Z$\d(\"“])|\n+")


@dataclass(frozen=True)
class Figure:
    """A number written in text: what it is, its value (always positive) and how precise it is."""

    kind: FigureKind
    text: str
    value: float
    tolerance: float
    start: int
    measure: str = ""  # "seats" / "users" for counts, "health" for scores

    def interval(self) -> tuple[float, float]:
        return self.value - self.tolerance, self.value + self.tolerance


def _hedged(text: str, start: int) -> bool:
    return HEDGE.search(text[max(0, start - 16) : start]) is not None


def _tolerance(kind: FigureKind, value: float, unit: float, hedged: bool) -> float:
    """Percentages and counts: half the unit of the last written digit ("70%" is 69.5-70.5); a hedge
    ("about", "~") allows one point of a percentage or 5% of a count."""
    tolerance = unit / 2
    if hedged:
        tolerance = max(tolerance, 1.0 if kind == "percent" else 0.05 * value)
    return tolerance + 1e-9


def _money_tolerance(value: float, unit: float, loose_unit: float, hedged: bool) -> float:
    """Money is often rounded further than it is written: trailing zeros may be rounding ("$900" for
    $903.50, "$250,000" for $246,300), so up to half the unit of the last non-zero digit, within
    2.5% of the figure; and a figure written with one significant digit is read as precisely as
    written but never more loosely than 10% ("$4K" is $3,600-$4,400, "$1M" is never $600K). A hedge
    ("about", "~") allows 5%."""
    written = min(unit / 2, 0.10 * value)
    tolerance = min(loose_unit / 2, max(written, 0.025 * value))
    if hedged:
        tolerance = max(tolerance, 0.05 * value)
    return tolerance + 1e-9


def _loose_unit(digits: str) -> float:
    """The unit of the last non-zero digit of an integer: 100 for "900", 10,000 for "250,000"."""
    plain = digits.replace(",", "")
    return 10.0 ** (len(plain) - len(plain.rstrip("0"))) if plain.strip("0") else 1.0


def _written_number(whole: str, decimals: str | None) -> tuple[float, float]:
    """(value, unit of the last written digit)."""
    places = len(decimals) - 1 if decimals else 0
    return float(whole.replace(",", "") + (decimals or "")), 10.0**-places


# Each reader first checks for a word or sign every match of its pattern holds, so a text without
# one costs a substring test rather than a scan. Matched case-insensitively, "ſ" is an "s" and "ı",
# "İ" are an "i": words with those letters are looked for only in ASCII texts.
_FOLDED_LETTERS = frozenset("is")
_DIGIT = re.compile(r"\d")


def _lacks(text: str, *words: str) -> bool:
    """True when `text` holds none of `words` in any case (then no pattern needing one matches)."""
    lowered = text.lower()
    for word in words:  # a loop, not any(): this runs a few times for every text read
        if word in lowered:
            return False
    return text.isascii() or not _FOLDED_LETTERS.intersection("".join(words))


def money_figures(text: str) -> list[Figure]:
    if "$" not in text:
        return []
    found = []
    for match in MONEY.finditer(text):
        number, unit = _written_number(match.group(1), match.group(2))
        multiplier = MULTIPLIERS.get((match.group(3) or "").lower(), 1.0)
        value = number * multiplier
        loose = unit if match.group(2) else _loose_unit(match.group(1))
        tolerance = _money_tolerance(value, unit * multiplier, loose * multiplier, _hedged(text, match.start()))
        found.append(Figure("money", match.group(0).strip(), value, tolerance, match.start()))
    return found


def percent_figures(text: str) -> list[Figure]:
    if "%" not in text and _lacks(text, "per"):
        return []
    found = []
    for match in PERCENT.finditer(text):
        value, unit = _written_number(match.group(1), match.group(2))
        tolerance = _tolerance("percent", value, unit, _hedged(text, match.start()))
        found.append(Figure("percent", match.group(0), value, tolerance, match.start()))
    return found


def count_figures(text: str) -> list[Figure]:
    if _lacks(text, "seat", "licen", "user"):
        return []
    found = []
    for match in COUNT.finditer(text):
        value, unit = _written_number(match.group(1), None)
        noun = match.group(3).lower()
        measure = "users" if noun.startswith("user") else "seats"
        tolerance = _tolerance("count", value, unit, _hedged(text, match.start()))
        found.append(Figure("count", match.group(0), value, tolerance, match.start(), measure))
    return found


def health_figures(text: str) -> list[Figure]:
    if _lacks(text, "health"):
        return []
    return [
        Figure("score", m.group(0), float(m.group(1)), 0.5, m.start(1), "health") for m in HEALTH.finditer(text)
    ]


def figures(text: str) -> list[Figure]:
    """Every figure in `text`, in reading order."""
    if _DIGIT.search(text) is None:  # every figure is written with digits
        return []
    found = money_figures(text) + percent_figures(text) + count_figures(text) + health_figures(text)
    return sorted(found, key=lambda f: f.start)


def sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) pieces: a derivation's inputs are looked for in the figure's sentence."""
    pieces, start = [], 0
    for match in SENTENCE_END.finditer(text):
        pieces.append((start, text[start : match.start()]))
        start = match.end()
    pieces.append((start, text[start:]))
    return pieces


# Quotes ---------------------------------------------------------------------------------------

QUOTE = re.compile(r"[\"“”]([^\"“”]{3,400})[\"”“]")
ATTRIBUTION = re.compile(
    r"\b(?:said|says|told|tells|wrote|writes|noted|notes|put\s+it|asked|asks|stated|states|quote[ds]?|"
    r"according\s+to|in\s+(?:his|her|their|the\s+customer's|the\s+client's|[A-Z][a-z]+'s)\s+(?:own\s+)?words)\b",
    re.IGNORECASE,
)
LONG_QUOTE_WORDS = 6


@dataclass(frozen=True)
class Quote:
    text: str
    start: int
    attributed: bool


def quotes(text: str) -> list[Quote]:
    """Quoted passages that claim someone said or wrote them: attributed, or long enough to read as
    a quotation rather than a label."""
    found = []
    for match in QUOTE.finditer(text):
        around = text[max(0, match.start() - 60) : match.start()] + " " + text[match.end() : match.end() + 40]
        attributed = ATTRIBUTION.search(around) is not None
        if attributed or len(match.group(1).split()) >= LONG_QUOTE_WORDS:
            found.append(Quote(match.group(1), match.start(), attributed))
    return found


def normalise(text: str) -> str:
    """Lower case, words only: a quote matches its source whatever the punctuation and spacing."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


# Dates ----------------------------------------------------------------------------------------

MONTHS = {
    name: number
    for number, names in enumerate(
        (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
         ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
         ("oct", "october"), ("nov", "november"), ("dec", "december")),
        start=1,
    )
    for name in names
}  # fmt: skip
_MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
DATE = re.compile(
    rf"\b(?:(\d{{4}})-(\d{{2}})-(\d{{2}})|({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?"
    rf"|(\d{{1,2}})\s+({_MONTH})\.?(?:,?\s+(\d{{4}}))?)\b"
)
RENEWAL_BEFORE = re.compile(
    r"renew(?:al|als|s|ing)?(?:\s+(?:date|is|was|on|by|of|due|falls|scheduled|set|for|in|:))*\s*[:(]?\s*$",
    re.IGNORECASE,
)
RENEWAL_AFTER = re.compile(r"^\s*(?:contract\s+)?renewal\b", re.IGNORECASE)
DAYS_TO_RENEWAL = re.compile(
    r"renew(?:al|s)?\s+(?:is\s+)?in\s+(?:about\s+|~)?(\d+)\s+days|(\d+)\s+days\s+(?:to|until|till|from|ahead\s+of)\s+"
    r"(?:the\s+)?renewal|renew[^.;]{0,40}?\((?:in\s+)?(\d+)\s+days(?:\s+(?:away|out|left))?\)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DateClaim:
    text: str
    start: int
    month: int
    day: int
    year: int | None

    def matches(self, actual: date) -> bool:
        return (self.month, self.day) == (actual.month, actual.day) and self.year in (None, actual.year)


def renewal_date_claims(text: str) -> list[DateClaim]:
    """Dates the text gives as the renewal date ("renewal on Aug 31, 2027", "the 2027-08-31 renewal")."""
    if _lacks(text, "renew"):
        return []
    claims = []
    for match in DATE.finditer(text):
        before, after = text[max(0, match.start() - 40) : match.start()], text[match.end() : match.end() + 20]
        if not (RENEWAL_BEFORE.search(before) or RENEWAL_AFTER.search(after)):
            continue
        if match.group(1):
            year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3))
        elif match.group(4):
            month, day = MONTHS[match.group(4).lower()[:3]], int(match.group(5))
            year = int(match.group(6)) if match.group(6) else None
        else:
            month, day = MONTHS[match.group(8).lower()[:3]], int(match.group(7))
            year = int(match.group(9)) if match.group(9) else None
        claims.append(DateClaim(match.group(0), match.start(), month, day, year))
    return claims


def days_to_renewal_claims(text: str) -> list[tuple[str, int]]:
    """("renewal in 270 days", 270) and the like."""
    if _lacks(text, "renew") or _lacks(text, "days"):
        return []
    return [(m.group(0), int(next(g for g in m.groups() if g))) for m in DAYS_TO_RENEWAL.finditer(text)]
