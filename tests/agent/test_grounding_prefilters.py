"""The grounding readers skip a regex when a cheap test says it cannot match (no title word, no
speech verb after a capitalised word, no "$", no "renew", ...). Skipping must never change what
is read: whatever text the tests pass or reject, the readers give what the plain regexes give."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.claude.grounding.people import _ANY_NAME as ANY_NAME
from agent.claude.grounding.people import (
    MEETING_INITIALS,
    PERSON_PATTERNS,
    NameMention,
    read_names,
)
from agent.claude.grounding.text import (
    COUNT,
    DAYS_TO_RENEWAL,
    HEALTH,
    MONEY,
    PERCENT,
    count_figures,
    days_to_renewal_claims,
    health_figures,
    money_figures,
    percent_figures,
)
from agent.claude.grounding.text import _lacks as lacks

MEETING_LOOKAHEAD = rf"(?=(?i:[{MEETING_INITIALS}]))"
# The cue patterns as they were before any pre-test or look-ahead.
PLAIN_PATTERNS = [
    (cue, re.compile(pattern.pattern.replace(MEETING_LOOKAHEAD, ""))) for cue, pattern in PERSON_PATTERNS
]


def plain_cued_names(text: str) -> list[NameMention]:
    """What `read_names` cued before it had pre-tests: every plain pattern over the whole text."""
    found: dict[int, NameMention] = {}
    for cue, pattern in PLAIN_PATTERNS:
        for match in pattern.finditer(text):
            found.setdefault(match.start(1), NameMention(match.group(1), match.start(1), cue))
    return list(found.values())


def test_the_meeting_look_ahead_admits_every_character_a_cue_can_start_with() -> None:
    meeting = dict(PERSON_PATTERNS)["meeting"].pattern
    assert MEETING_LOOKAHEAD in meeting
    cues = meeting.split(MEETING_LOOKAHEAD + "(?i:", 1)[1].split(r")\s+(", 1)[0].split("|")
    assert {cue[0] for cue in cues} == set(MEETING_INITIALS)
    initial = re.compile(f"(?i:[{MEETING_INITIALS}])")
    for letter in MEETING_INITIALS:  # every character matching a cue's first letter, in any case
        same = re.compile(f"(?i:{letter})")
        assert all(initial.match(c) for c in map(chr, range(0x110000)) if same.match(c))


# Cues in odd case and spacing, titles, honorifics, apostrophes, names inside words, and the letters
# that match "s", "i" and "k" case-insensitively ("ſ", "ı", "İ", the Kelvin sign).
TRICKY = [
    "VP of Sales Dana Garcia wants a discount.",
    "Dana Garcia, CFO, approved the budget.",
    "Dana Garcia (the Chief Revenue Officer) signs.",
    "Ana Li - our Head of IT",
    "CISO Ana Li asked for SOC 2.",
    "Co-founder Ann Lee and founder Bo Park",
    "General Counsel Ann Lee",
    "Mr. Smith and Mrs Ann Lee; Dr Jones; Prof. Ann Lee; Ms Ann",
    "MEET WITH Sarah Chen in Q2; Meeting  With Bob Lee; cc Bob Lee; Thank Tom O'Neil",
    "loop in Ann McAdams; intro to Mac Donald Smith; introduction\nto Ann Lee",
    "İnvite Bob Lee; ſync with Bob Lee; aſk Bob Lee; tasK Ann Lee; ASK Ann Lee",
    "Ask for Dana Garcia's budget.",
    "Dana Garcia must sign.",
    "Dana Garcia’s team; Dana Garcia has said no; Dana  Garcia will sign",
    "Dana Garcia\tmay\tdecide; Dana Garcia\u00a0is the sponsor; Ann-Marie Lee leads",
    "XAnn Lee said; ann lee said; Ann Lee said_; Ann Lee saidé; Ann Lee Said",
    "Sarah Chen champions the account; the Account Executive owns pricing.",
    "Bring Sarah Chen into the recurring meetings.",
    "Executive Business Review with Sarah Chen, Customer Success Manager",
    "Expand Premium Analytics to 120 seats ($90K) before the Sep 30 renewal.",
    "",
    "no capitals at all",
]
MONEY_AND_DATES = [
    "$35K, 40% and 12 PERCENT; 3 per cent; 120 seats, 30 USERS, 7 licenſes, 9 uſers, 5 LICENCES",
    "Health 70; HEALTH score of 55; health is 80%",
    "ReNeWaL on Aug 31, 2027; the 2027-08-31 renewal; renewal in 270 days; 90 DAYS until the Renewal",
    "renewal (in 120 dayſ away); renewal in 90 DAYS; a ſeat; the uſer; İicense; SEATS",
    "Q3 2026, week 12 of FY2026, 3 objectives",
]


@pytest.mark.parametrize("text", TRICKY + MONEY_AND_DATES)
def test_names_read_as_the_plain_patterns_read_them(text: str) -> None:
    cued, capitalised = read_names(text)
    assert cued == plain_cued_names(text)
    assert capitalised == [(m.group(1), m.start(1)) for m in ANY_NAME.finditer(text)]


def test_every_cue_pattern_is_exercised() -> None:
    cues = {mention.cue for text in TRICKY for mention in plain_cued_names(text)}
    assert cues == {"title", "speech", "honorific", "meeting"}


@pytest.mark.parametrize("text", TRICKY + MONEY_AND_DATES)
def test_figures_and_dates_read_as_the_plain_patterns_read_them(text: str) -> None:
    for reader, pattern in ((money_figures, MONEY), (percent_figures, PERCENT), (count_figures, COUNT),
                            (health_figures, HEALTH)):  # fmt: skip
        assert [f.start for f in reader(text)] == sorted(
            m.start(1) if pattern is HEALTH else m.start() for m in pattern.finditer(text)
        )
    assert [said for said, _ in days_to_renewal_claims(text)] == [
        m.group(0) for m in DAYS_TO_RENEWAL.finditer(text)
    ]


@pytest.mark.parametrize("text", TRICKY + MONEY_AND_DATES)
@pytest.mark.parametrize("words", [("per",), ("seat", "licen", "user"), ("health",), ("renew",), ("days",)])
def test_a_text_lacks_a_word_only_when_no_case_of_it_matches(text: str, words: tuple[str, ...]) -> None:
    # The readers rely on this: their patterns match these words with re.IGNORECASE.
    if lacks(text, *words):
        assert re.search("|".join(words), text, re.IGNORECASE) is None
    assert lacks(text.swapcase(), *words) == lacks(text, *words) or not text.isascii()


FRAGMENTS = [
    *(word for text in TRICKY + MONEY_AND_DATES for word in text.split()),
    "said", "is", "has", "will", "Chen", "Sarah", "O'Neil", "VP", "CFO", "Head", "of", "with", "meet", "Mr.",
    "'s", "’", ",", "(", "-", "–", "ſ", "ı", "İ", "K", "$5K", "10%", "renewal", "days",
]  # fmt: skip
SEPARATORS = [" ", "  ", "\n", "\t", "\u00a0", "", ", ", ". "]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(FRAGMENTS), st.sampled_from(SEPARATORS)), max_size=14))
def test_any_text_reads_as_with_the_plain_patterns(pieces: list[tuple[str, str]]) -> None:
    text = "".join(word + separator for word, separator in pieces)
    assert read_names(text)[0] == plain_cued_names(text)
    for reader, pattern in ((money_figures, MONEY), (percent_figures, PERCENT), (count_figures, COUNT)):
        assert [f.start for f in reader(text)] == [m.start() for m in pattern.finditer(text)]
    assert [f.start for f in health_figures(text)] == [m.start(1) for m in HEALTH.finditer(text)]
    assert [said for said, _ in days_to_renewal_claims(text)] == [
        m.group(0) for m in DAYS_TO_RENEWAL.finditer(text)
    ]
