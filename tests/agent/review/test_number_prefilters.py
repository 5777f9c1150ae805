"""The text check's scans that skip ahead (numbers found by one pattern that passes over those that
cannot be reported, doubled words looked for only when two equal words stand together) report
exactly what reading every number and every word pair reports, on text written to trip them:
numbers inside words and other numbers, other scripts' digits, money, dates, decimals, counts."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.review import text as text_check
from agent.review.facts import ReviewFacts
from agent.review.model import Finding
from tests.agent.review.clean_plan import clean_data, context, document
from tests.agent.review.test_prefilters import _plan_with

PIECES = [
    "1", "2", "3", "12", "2027", "1,000", "1.5", "0.1234", "$", "$250K", "$12345", "$ 5000", "$1.2345", "$1,250.5",
    "2027-03-01", "2027-3-1", "3/4/26", "3/4", "١", "٢", "²", "Q", "FY", "v", "week", "No.", "#", "a", "x", "_",
    "contact", "contacts", "Contacts", "CONTACT", "day", "days", "month", "period", "(s)", "contact(s)", "K", "ſ",
    "İ", "-", "/", ".", ",", "'", "’", " ", "  ", "\n", "\u201c", "\u201d", '"', "the", "The", "renewal",
]  # fmt: skip
texts = st.lists(st.sampled_from(PIECES), max_size=12).map(" ".join) | st.lists(
    st.sampled_from(PIECES), max_size=12
).map("".join)


def _numbers_read_everywhere(facts: ReviewFacts) -> list[Finding]:
    """The plain reading of the number check: every number the NUMBER pattern finds."""
    report, text = text_check._Reporter(facts), facts.joined
    for match in text_check.NUMBER.finditer(text):
        at, token = match.start(), match.group(0)
        if at and text[at - 1] in text_check.WORD_CHARS:
            continue
        if token[0] == "$":
            if money := text_check.RAW_MONEY.match(text, at):
                report(facts.item_at(at), "money_format", money.group(0), "")
            continue
        following = text[match.end() : match.end() + 1]
        if following == "-" and (iso := text_check.ISO_DATE.match(text, at)):
            report(facts.item_at(at), "date_format", iso.group(0), "")
        elif following == "/" and (slash := text_check.SLASH_DATE.match(text, at)):
            report(facts.item_at(at), "date_format", slash.group(0), "")
        elif "." in token and (decimal := text_check.LONG_DECIMAL.match(text, at)):
            report(facts.item_at(at), "money_format", decimal.group(0), "")
        elif (
            following == " "
            and token.isdigit()
            and not (len(token) == 4 and token[:2] in ("19", "20", "21"))
            and (word := text_check.COUNTED_WORD.match(text, match.end()))
            and text[word.end() : word.end() + 1] != "("
        ):
            text_check._count(facts, report, text, at, int(token), word.group(1))
    return facts.findings


def _reported_at(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(finding.code, finding.path) for finding in findings]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(texts, min_size=1, max_size=30))
def test_numbers_are_reported_where_reading_every_number_reports_them(values: list[str]) -> None:
    plan = document(_plan_with(values))
    shortcut, everywhere = ReviewFacts(plan, context(), 1), ReviewFacts(plan, context(), 1)
    text_check._numbers(shortcut, text_check._Reporter(shortcut))
    assert _reported_at(shortcut.findings) == _reported_at(_numbers_read_everywhere(everywhere))


def test_a_number_inside_another_script_s_number_is_read_as_one_number() -> None:
    plan = clean_data()
    plan["action_plan_90day"][0]["action"] = "Call ١2 contact and ٢$12345 left; x1 contact, 1 contact"
    shortcut, everywhere = (ReviewFacts(document(plan), context(), 1) for _ in range(2))
    text_check._numbers(shortcut, text_check._Reporter(shortcut))
    assert _reported_at(shortcut.findings) == _reported_at(_numbers_read_everywhere(everywhere))
    assert {finding.code for finding in shortcut.findings} == {"plural", "money_format"}


def _doubled_words_read_everywhere(facts: ReviewFacts) -> list[tuple[str, str]]:
    words, offset, found = facts.joined_lower.split(" "), 0, []
    for first, second in pairwise(words):
        if first == second and len(first) > 1 and first.isalpha():
            found.append((facts.item_at(offset).path, first))
        offset += len(first) + 1
    return found


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(texts, min_size=1, max_size=30))
def test_doubled_words_are_reported_where_reading_every_pair_reports_them(values: list[str]) -> None:
    facts = ReviewFacts(document(_plan_with(values)), context(), 1)
    text_check._literals(facts, text_check._Reporter(facts))
    doubled = [f for f in facts.findings if f.code == "repeated_phrase"]
    assert {(f.path, f.suggestion.split("'")[1]) for f in doubled} == set(
        _doubled_words_read_everywhere(facts)
    )
