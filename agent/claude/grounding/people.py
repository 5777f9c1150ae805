"""Reading the people a text names: a name given with a title, a speech verb, an honorific or a
meeting verb ("cued"), and runs of capitalised words that may be a contact's name.

Each cue's regex costs a scan of the whole text, and most texts hold no cue at all, so each is
first tried with a cheap test that every match of it passes (a title word is present; a
capitalised word is followed by a speech verb; ...). The tests only skip regexes that could not
match, so the names read are exactly those of the regexes alone (tests/agent/test_grounding_prefilters.py
checks that against the plain regexes).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass

NAME_WORD = r"(?:Mc|Mac|O')?[A-Z][a-z]+(?:[-'][A-Z][a-z]+)?"
FULL_NAME = rf"{NAME_WORD}(?:\s+[A-Z]\.)?(?:\s+{NAME_WORD}){{1,2}}"
TITLE = (
    r"(?:C[A-Z]{1,2}O|CISO|S?VP|EVP|AVP|Vice\s+President|President|Director|Head|Chief(?:\s+[A-Z][a-z]+)+"
    r"\s+Officer|General\s+Counsel|Controller|Treasurer|(?:Co-)?[Ff]ounder)"
    r"(?:,?\s+(?:of\s+)?(?:[A-Z][A-Za-z&]+|IT|HR))?"
)
# Written once here so the speech pattern and its pre-test cannot drift apart.
_AUXILIARIES = "has|had|will|would|can|should|must|may"
_SPEECH_VERBS = (
    "said|says|told|tells|noted|notes|mentioned|asked|asks|wants|wanted|confirmed|confirms|approved|approves|"
    "agreed|agrees|stated|shared|expressed|raised|complained|requested|committed|signed|signs|sign|emailed|wrote|"
    "flagged|warned|explained|indicated|promised|owns|own|leads|lead|led|runs|run|manages|manage|decides|decide|"
    "sponsors|sponsor|controls|holds|joined|joins|left|leaves|reports|drives|drove|needs|needed|prefers|"
    "likes|is|was|will|would|has|had"
)
MEETING_INITIALS = "mcsrbieatl"
_AUXILIARY = "|".join(rf"{word}\s+" for word in _AUXILIARIES.split("|"))
PERSON_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("title", re.compile(rf"\b{TITLE}\s*[,:(]?\s*({FULL_NAME})")),
    ("title", re.compile(rf"({FULL_NAME})\s*(?:,|\(|-|–)\s*(?:the\s+|our\s+|their\s+|its\s+)?{TITLE}\b")),
    ("speech", re.compile(rf"({FULL_NAME})(?:'s?\b|\s+(?:{_AUXILIARY})?(?:{_SPEECH_VERBS})\b)")),
    ("honorific", re.compile(rf"\b(?:Mr|Ms|Mrs|Dr|Prof)\.?\s+({NAME_WORD}(?:\s+{NAME_WORD})?)")),
    (
        "meeting",
        re.compile(
            # The look-ahead only says what every cue starts with (one test per word instead of
            # eighteen); the tests check it matches whatever the cues' first letters match.
            rf"\b(?=(?i:[{MEETING_INITIALS}]))(?i:meeting\s+with|meet\s+with|meet|call\s+with|sync\s+with|session\s+with|review\s+with|brief|"
            rf"briefing\s+for|introduce|introduction\s+to|intro\s+to|invite|email|ask|cc|loop\s+in|thank)\s+({FULL_NAME})"
        ),
    ),
)
_ANY_NAME = re.compile(rf"\b({FULL_NAME})\b")
_SOME_NAME = re.compile(rf"{FULL_NAME}|(?:Mr|Ms|Mrs|Dr|Prof)\.?\s+{NAME_WORD}")

# -- pre-tests: each is true of every text its cue's pattern matches in ---------------------------

# Every title begins with one of these (CISO and the C-level titles: C[A-Z]{1,2}O; SVP, EVP, AVP and
# Vice President contain VP and President; "Chief ... Officer", "General Counsel", "(Co-)founder").
_TITLE_WORD = re.compile(r"C[A-Z]{1,2}O|VP|President|Director|Head|Chief|Counsel|Controller|Treasurer|ounder")
_HONORIFICS = ("Mr", "Ms", "Dr", "Prof")  # "Mrs" contains "Mr"
_SPEECH_WORDS = frozenset(_SPEECH_VERBS.split("|")) | frozenset(_AUXILIARIES.split("|"))
_LOWER_RUN = re.compile(r"[a-z]+")


def _is_name_end(word: str) -> bool:
    """A whitespace-separated word that can be a name's last word: "Chen", "McAdams", "O'Neil"."""
    return "A" <= word[0] <= "Z" and "a" <= word[-1] <= "z"


def _may_cite_speech(text: str, words: list[str]) -> bool:
    """A name's last word followed by an apostrophe, or by a speech verb (perhaps after an
    auxiliary): the name's last word is a whole word of the text (spaces around it), and the verb
    starts the next one."""
    if "'" in text:
        return True
    for word, after in itertools.pairwise(words):
        if _is_name_end(word):
            lead = _LOWER_RUN.match(after)
            if lead is not None and lead.group() in _SPEECH_WORDS:
                return True
    return False


def _may_match(cue: str, text: str, words: list[str], has_title: bool) -> bool:
    if cue == "title":
        return has_title
    if cue == "speech":
        return _may_cite_speech(text, words)
    if cue == "honorific":
        return any(honorific in text for honorific in _HONORIFICS)
    return True  # meeting: the cues are common words, and a test in Python costs what the regex does


@dataclass(frozen=True)
class NameMention:
    text: str
    start: int
    cue: str  # title | speech | honorific | meeting | contact_like


def read_names(text: str) -> tuple[list[NameMention], list[tuple[str, int]]]:
    """The names `text` gives with a title, a speech verb, an honorific or a meeting verb (the first
    cue wins), and (phrase, offset) of every run of two or three capitalised words (people when a
    contact shares a first or last name with them); one look for any name decides both."""
    if _SOME_NAME.search(text) is None:  # every cue needs a full name or an honorific's name
        return [], []
    return _cued_names(text), _capitalised_names(text)


def _cued_names(text: str) -> list[NameMention]:
    found: dict[int, NameMention] = {}
    words = text.split()
    has_title = _TITLE_WORD.search(text) is not None  # both title patterns need one
    for cue, pattern in PERSON_PATTERNS:
        if _may_match(cue, text, words, has_title):
            for match in pattern.finditer(text):
                found.setdefault(match.start(1), NameMention(match.group(1), match.start(1), cue))
    return list(found.values())


def _capitalised_names(text: str) -> list[tuple[str, int]]:
    return [(match.group(1), match.start(1)) for match in _ANY_NAME.finditer(text)]


def mentions_of_contacts(
    cued: Iterable[NameMention],
    capitalised: Iterable[tuple[str, int]],
    first_names: set[str],
    last_names: set[str],
) -> list[NameMention]:
    """Candidate people in a text, from its `read_names`: a name given with a cue, or one that shares
    a first or last name with a contact ("Sarah Jones")."""
    found = {mention.start: mention for mention in cued}
    for phrase, start in capitalised:
        words = phrase.split()
        # "Bring Sarah Jones into ...": a capitalised verb that starts the sentence is not a name.
        if len(words) == 3 and words[0].lower() not in first_names and words[1].lower() in first_names:
            start += phrase.index(words[1], len(words[0]))
            words = words[1:]
        if words[0].lower() in first_names or words[-1].lower() in last_names:
            found.setdefault(start, NameMention(" ".join(words), start, "contact_like"))
    return sorted(found.values(), key=lambda m: m.start)
