"""Text a CSM can send: no repeated phrases or items, no cut-off sentences, plurals right
("1 problems", "0 contact(s)"), money and dates written the way people write them, no raw codes.
Customer quotations are the customer's words and are left alone.

The patterns run over the plan's joined text (`ReviewFacts.joined`), led by a cheap scan for the
character every such problem starts with (a digit, "$", "_", "("), not once per item: that is
what keeps the review under 2 ms a plan."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from datetime import date
from itertools import compress, pairwise

from agent.review.facts import SEPARATOR, ReviewFacts, TextItem
from agent.review.timing import PLACEHOLDER
from agent.review.wording import day, short

_NOUN_WORDS = (
    "contact opportunity problem risk account seat user day week month year signal objective milestone action "
    "champion interaction session team meeting stakeholder point executive sponsor issue ticket feature license "
    "licence peer quarter hour call renewal integration admin outcome deal goal gap review"
)
SINGULAR_NOUNS = frozenset(_NOUN_WORDS.split())


def _plural_of(noun: str) -> str:
    return noun[:-1] + "ies" if noun.endswith("y") and noun[-2] not in "aeiou" else noun + "s"


PLURAL_NOUNS = {_plural_of(noun): noun for noun in SINGULAR_NOUNS}
# "a 12 month period": a count used as an adjective keeps the singular.
_ADJECTIVE_USE_WORDS = (
    "window period notice trial plan review rolling average trend history lookback cycle term old span "
    "mark check horizon lead streak grace program programme sprint limit"
)
ADJECTIVE_USE = frozenset(_ADJECTIVE_USE_WORDS.split())
# "week 1 actions", "Q1 milestones", "objective 1 risks": a number naming something, not counting.
_NAMING_WORDS_WORDS = (
    "week weeks quarter phase step objective priority tier level wave round day month year version risk "
    "action milestone no. # q fy v"
)
NAMING_WORDS = frozenset(_NAMING_WORDS_WORDS.split())
NUMBER = re.compile(r"[$\d][\d,]*(?:\.\d+)?")
COUNTED_WORD = re.compile(r" ([a-z]+)(?![-'’])", re.I)
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?!\d)")
SLASH_DATE = re.compile(r"\d{1,2}/\d{1,2}/\d{2,4}(?!\d)")
# Raw money after its "$" (shared with NUMBER_TO_READ, which reads the "$" first).
_RAW_AMOUNT = r"\s?\d{4,}(?:\.\d+)?(?!\s?[KkMm]\b|[\d,])|\s?\d+\.\d{3,}|\s?\d{1,3}(?:,\d{3})+\.\d(?!\d)"
RAW_MONEY = re.compile(rf"\$(?:{_RAW_AMOUNT})")
LONG_DECIMAL = re.compile(r"\d+\.\d{3,}(?![\w.])")
RAW_CODE = re.compile(r"[a-z]+(?:_[a-z]+)+")
DANGLING_WORDS = frozenset(
    ["and", "or", "the", "a", "an", "to", "of", "with", "for", "by", "in", "on", "at", "from", "via", "but", "as",
     "than", "that", "which", "including"]
)  # fmt: skip
DANGLING_MARKS = tuple(",:(-–/&+")
PHRASE_WORDS = 6
# Lists whose items should each say something different.
DISTINCT_KINDS = ("action", "milestone", "goal", "opportunity", "qbr")
NOT_SENTENCES = ("attendee", "owner", "missing_role")
WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.,$-")


class _Reporter:
    """One warning per item and code: the first occurrence names the problem."""

    def __init__(self, facts: ReviewFacts) -> None:
        self.facts = facts
        self.done: set[tuple[str, str]] = set()

    def __call__(self, item: TextItem, code: str, message: str, suggestion: str) -> None:
        if (item.path, code) not in self.done:
            self.done.add((item.path, code))
            self.facts.warning(code, item.path, f"{item.label}: {message}", suggestion)


def _readable(iso: str) -> str:
    try:
        return day(date.fromisoformat(iso))
    except ValueError:
        return "Aug 31, 2027"


def _previous_word(text: str, at: int) -> str:
    words = text[max(0, at - 16) : at].split()
    return words[-1].lower() if words else ""


# Where `_numbers` may report, found by one scan: a "$" or a digit that starts a number, as the
# NUMBER scan reads numbers (not preceded by one of WORD_CHARS, as "Q1", "FY2027", "v2.1" are; a
# digit not by another digit either, as it is then inside a number), and that is money RAW_MONEY
# flags, or a number read whole (atomically, as NUMBER reads it) that holds a decimal or is
# followed by "-", "/" or a word. No other number can be reported. Led by the "$" or digit, so the
# scan skips other text at C speed.
NUMBER_TO_READ = re.compile(
    rf"\$(?<![a-zA-Z0-9_.,$-]\$)(?={_RAW_AMOUNT})"
    r"|\d(?<![a-zA-Z0-9_.,$-]\d)(?<!\d\d)(?>[\d,]*)(?:\.\d+|(?=[-/]|(?i: [a-z])))"
)


def _numbers(facts: ReviewFacts, report: _Reporter) -> None:
    """Counts with the wrong plural, raw money, long decimals and database dates: every one of
    them starts with a digit or a dollar sign, so one scan finds the places to look."""
    text = facts.joined
    for match in NUMBER_TO_READ.finditer(text):
        at, token = match.start(), match.group(0)
        if token == "$":
            if money := RAW_MONEY.match(text, at):
                report(facts.item_at(at), "money_format", f"'{money.group(0)}' is hard to read.",
                       "Write money as $250K, $1.2M or $250,000.")  # fmt: skip
            continue
        following = text[match.end() : match.end() + 1]
        if following == "-" and (iso := ISO_DATE.match(text, at)):
            report(facts.item_at(at), "date_format", f"the date '{iso.group(0)}' is written as a database date.",
                   f"Write dates as people read them: {_readable(iso.group(0))}.")  # fmt: skip
        elif following == "/" and (slash := SLASH_DATE.match(text, at)):
            report(facts.item_at(at), "date_format", f"'{slash.group(0)}' can be read as two different dates.",
                   "Write dates as Aug 31, 2027.")  # fmt: skip
        elif "." in token and (decimal := LONG_DECIMAL.match(text, at)):
            report(facts.item_at(at), "money_format", f"'{decimal.group(0)}' has more decimals than anyone reads.",
                   "Round it (72%, 0.7, $35K).")  # fmt: skip
        elif (
            following == " "
            and token.isdigit()
            and not (len(token) == 4 and token[:2] in ("19", "20", "21"))  # a year: "the 2027 renewal"
            and (word := COUNTED_WORD.match(text, match.end()))
            and text[word.end() : word.end() + 1] != "("  # "contact(s)": the placeholder rule's
        ):
            _count(facts, report, text, at, int(token), word.group(1))


def _count(facts: ReviewFacts, report: _Reporter, text: str, at: int, n: int, word: str) -> None:
    noun = word.lower()
    if (n == 1 and noun not in PLURAL_NOUNS) or (n != 1 and noun not in SINGULAR_NOUNS):
        return
    if _previous_word(text, at).rstrip(".:") in NAMING_WORDS:
        return
    item = facts.item_at(at)
    if n == 1:
        report(item, "plural", f"'1 {word}'.", f"Write '1 {PLURAL_NOUNS[noun]}'.")
    else:
        after = text[at : at + 80].split()
        if len(after) > 2 and after[2].lower().strip(".,;:") in ADJECTIVE_USE:
            return
        report(item, "plural", f"'{n} {word}'.", f"Write '{n} {_plural_of(noun)}'.")


def _literals(facts: ReviewFacts, report: _Reporter) -> None:
    """Placeholder plurals ('contact(s)'), raw codes ('seat_expansion') and doubled words."""
    text = facts.joined
    for needle in ("(s)", "(es)"):
        at = text.find(needle)
        while at != -1:
            if at and text[at - 1].isalpha():
                report(facts.item_at(at), "plural", f"'{text[max(0, at - 12) : at + len(needle)].split()[-1]}' reads like a form.",
                       "Write the count with the right word ('no contacts', '1 contact', '3 contacts').")  # fmt: skip
            at = text.find(needle, at + 1)
    at = text.find("_")
    while at != -1:
        start = at
        while start and text[start - 1].isalpha():
            start -= 1
        code = RAW_CODE.match(text, start)
        nearby = text[max(0, start - 30) : at + 30]
        if code and "_" in code.group(0) and "@" not in nearby and start < at:
            report(facts.item_at(at), "raw_code", f"'{code.group(0)}' is a code from the data, not a word.",
                   f"Write it in words ('{code.group(0).replace('_', ' ')}').")  # fmt: skip
        at = text.find("_", (code.end() if code else at) + 1)
    words = facts.joined_lower.split(" ")
    # Only a pair of equal non-empty words can be reported; equal empty ones (the runs of spaces
    # that blanked quotations leave) are in nearly every plan. The usual case, decided at C speed.
    if not any(compress(words, map(str.__eq__, words, words[1:]))):
        return
    offset = 0
    for first, second in pairwise(words):
        if first == second and len(first) > 1 and first.isalpha():
            report(facts.item_at(offset), "repeated_phrase", f"'{first} {second}'.", f"Write '{first}' once.")
        offset += len(first) + 1


def _cut_off(facts: ReviewFacts, item: TextItem) -> None:
    raw = item.text.rstrip()
    if raw.rstrip("\u201d\"'").endswith(("\u2026", "...")) or "\u2026\u201d" in raw:
        facts.warning(
            "cut_off",
            item.path,
            f"{item.label}: the text is cut off ('\u2026{raw[-40:].lstrip()}').",
            "Say it in full, or shorten it to a complete sentence.",
        )
        return
    if item.kind in NOT_SENTENCES or raw.endswith(("\u201d", '"')):
        return  # a name or a label; or it ends on a customer quotation, complete as quoted
    own = item.own.rstrip()
    last = own.rsplit(None, 1)[-1].lower() if own else ""
    if own.endswith(DANGLING_MARKS) or last in DANGLING_WORDS:
        facts.warning(
            "cut_off",
            item.path,
            f"{item.label}: the text stops mid-sentence ('\u2026{raw[-40:].lstrip()}').",
            "Finish the sentence.",
        )
    elif own.count("(") != own.count(")"):
        facts.warning("cut_off", item.path, f"{item.label}: a bracket is opened and never closed.",
                      "Close the bracket or remove it.")  # fmt: skip


# Read backwards (the joined text reversed, behind a separator), an item's end follows a separator:
# one scan finds every item that ends on a dangling mark or word. The words match in ASCII case
# only, as `str.lower` maps no other character onto their letters.
_REVERSED_WORDS = "|".join(sorted((word[::-1] for word in DANGLING_WORDS), key=len, reverse=True))
_DANGLING_END = re.compile(
    rf"{SEPARATOR}\s*(?:[{re.escape(''.join(DANGLING_MARKS))}]|(?ai:{_REVERSED_WORDS})(?!\S))"
)


def _cut_off_candidates(facts: ReviewFacts) -> list[TextItem]:
    """The items `_cut_off` may report, in document order: those that end on a dangling mark or
    word, or hold a bracket or an ellipsis."""
    text, starts, texts = facts.joined, facts.starts, facts.texts
    found: set[int] = set()
    reversed_text = SEPARATOR + text[::-1]
    last = len(text) - 1 + len(SEPARATOR)
    for match in _DANGLING_END.finditer(reversed_text):
        found.add(bisect_right(starts, last - match.start() - len(SEPARATOR)) - 1)
    # Brackets in the plan's own words; an ellipsis anywhere, a quotation's too.
    for joined, needle in (
        (text, "("),
        (text, ")"),
        (facts.joined_text, "\u2026"),
        (facts.joined_text, "..."),
    ):
        at = joined.find(needle)
        while at != -1:
            index = bisect_right(starts, at) - 1
            found.add(index)
            at = joined.find(needle, starts[index + 1] if index + 1 < len(starts) else len(joined))
    return [texts[index] for index in sorted(found)]


def _repeated_phrase(facts: ReviewFacts, item: TextItem) -> None:
    words = item.own.lower().split()
    if len(words) - len(set(words)) < PHRASE_WORDS:
        return  # a phrase said twice repeats at least six words: decided by one set
    phrases = list(zip(*(words[k:] for k in range(PHRASE_WORDS)), strict=False))
    if len(set(phrases)) == len(phrases):
        return  # the common case: every six-word run is different
    seen: dict[tuple[str, ...], int] = {}
    for start, phrase in enumerate(phrases):
        first = seen.setdefault(phrase, start)
        if start - first >= PHRASE_WORDS:
            facts.warning(
                "repeated_phrase",
                item.path,
                f"{item.label}: '{' '.join(phrase)}' appears twice.",
                "Say it once.",
            )
            return


def _duplicates(facts: ReviewFacts) -> None:
    groups: dict[tuple[str, str], list[TextItem]] = defaultdict(list)
    for item in facts.texts:
        if item.kind in DISTINCT_KINDS:
            # The whole text: two items that differ only in the customer words they quote
            # ("Close “A” ($50K)", "Close “B” ($50K)") are not repeats.
            groups[(item.kind, " ".join(item.text.lower().split()))].append(item)
    for (kind, key), items in groups.items():
        if kind == "milestone" and len(items) > 1:
            # A placeholder milestone is never a repeat: left out here, only where one collides,
            # not searched for in every milestone.
            items = [item for item in items if not PLACEHOLDER.search(item.own)]
        if not key or len(items) < 2:
            continue
        for item in items[1:]:
            facts.warning(
                "repeated_item",
                item.path,
                f"{item.label} repeats {items[0].label[0].lower() + items[0].label[1:]} word for word "
                f"('{short(item.text, 50)}').",
                "Remove the repeat, or say what is different this time.",
            )


def check(facts: ReviewFacts) -> None:
    report = _Reporter(facts)
    _numbers(facts, report)
    _literals(facts, report)
    # Each item's cut-off finding still comes before its repeated phrase (findings on one path
    # keep the order they were made in).
    for item in _cut_off_candidates(facts):
        if item.text.strip():
            _cut_off(facts, item)
    shortest = 4 * PHRASE_WORDS * 2  # too short to hold a six-word phrase twice
    for item in facts.texts:
        if len(item.own) >= shortest:
            _repeated_phrase(facts, item)
    _duplicates(facts)
