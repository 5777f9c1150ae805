"""People: only contacts on record are named; a role nobody on record fills is something to find
("identify the economic buyer"), never someone to meet, until the plan has found them; nobody is
asked to introduce themselves; a departed or disengaged contact is never proposed as champion."""

from __future__ import annotations

import re
from bisect import bisect_right
from datetime import date

from agent.review.facts import ReviewFacts, TextItem
from agent.review.wording import short
from tools.analytics.snapshot import ContactInsight

ROLE_LABELS = {
    "exec_sponsor": "executive sponsor",
    "economic_buyer": "economic buyer",
    "technical_buyer": "technical buyer",
    "champion": "champion",
}
# Lower-case words that must be in a text for it to mention the role (a cheap filter first).
ROLE_KEYWORDS = {
    "exec_sponsor": "sponsor",
    "economic_buyer": "economic buyer",
    "technical_buyer": "technical buyer",
    "champion": "champion",
}
ROLE_MENTIONS: dict[str, re.Pattern[str]] = {
    "exec_sponsor": re.compile(r"\b(?:exec(?:utive)? sponsor|sponsor)\b", re.I),
    "economic_buyer": re.compile(r"\beconomic buyer\b", re.I),
    "technical_buyer": re.compile(r"\btechnical buyer\b", re.I),
    "champion": re.compile(r"\bchampion\b", re.I),
}
# A role named after one of these words is a role to fill (or our own side's), not a person who is there.
_INDEFINITE_WORDS = (
    "a an another new second 2nd third successor potential candidate any no missing without one more "
    "additional backup replacement future as every each our"
)
INDEFINITE = frozenset(_INDEFINITE_WORDS.split())
MEET = re.compile(
    r"\b(meet|meets|meeting|met|brief|briefs|briefed|briefing|reviews? with|reviewed with|present(?:s|ed)? to|"
    r"with (?:the|their|our)|agree[sd]? with|endorse[sd]?|endorsement|sign(?:s|ed)? off|approv\w*|"
    r"kick(?:s|ed)? off with|qualif\w* with|invite[sd]?|attend\w*|call with|sync with|workshop with|"
    r"align\w* with|walk\w* through|sponsor(?:s|ed)? the|engage[sd]? the|hosts?|presents?)\b",
    re.I,
)
FIND = re.compile(
    r"\b(identify|identif\w*|find|finding|recruit\w*|introduc\w*|intro|locate|source|nominate|appoint|"
    r"mapp?(?:ing|ed)?|to be identified|not on record|on record|missing|without|lacks?|gap|who (?:is|are|will be)|"
    r"name (?:a|an|the)|candidates?|successor|if (?:one|there is)|once (?:found|identified|named))\b",
    re.I,
)
# Substrings one of which every FIND / MEET match contains: a cheap test before the pattern.
FIND_STEMS = (
    "identif",
    "find",
    "recruit",
    "intro",
    "locat",
    "source",
    "nominat",
    "appoint",
    "map",
    "record",
    "missing",
    "without",
    "lack",
    "gap",
    "who ",
    "name ",
    "candidate",
    "successor",
    "if one",
    "if there",
    "once ",
)
MEET_STEMS = (
    "meet",
    "met",
    "brief",
    "with",
    "present",
    "endorse",
    "sign",
    "approv",
    "invite",
    "attend",
    "walk",
    "sponsor",
    "engage",
    "host",
)
INTRO = re.compile(r"\bintro(?:duc\w*)?\b", re.I)
CANDIDATE = re.compile(
    r"\bcandidates?\b|\bsuccessor\b|\bnew champion\b|\bnext champion\b"
    r"|\b(?:elevate|develop|grow|nurture|cultivate|promote|groom|build)\w*\b.{0,40}\b(?:champion|sponsor)\b"
    r"|\b(?:as|into|to become|to be) (?:a |the |our |their )?(?:new |next |second |2nd )?(?:champion|executive sponsor|sponsor)\b",
    re.I,
)
DEPARTURE = re.compile(
    r"\b(left|depart\w*|replac\w*|succeed\w*|successor (?:of|to|for)|after|lost|leaving|former|instead of|"
    r"without)\b",
    re.I,
)
# Customer text and data descriptions: not people the plan works with.
SKIP_FOR_NAMES = frozenset(
    {"attendee", "owner", "context", "benchmark", "risk", "opportunity", "missing_role"}
)
CLAUSES = re.compile(r"[.;!?]\s+|;\s*|:\s+|\s+then\s+|,\s+then\s+")
SENTENCES = re.compile(r"(?<=[.;!?])\s+")
# Led by a character class (no leading \b), so a scan skips lower-case text at C speed; the word
# boundary before it is checked in Python.
PERSON = re.compile(r"([A-Z][a-z]+(?:[-'][A-Z][a-z]+)?)\s+([A-Z][a-z]+(?:[-'][A-Z][a-z]+)?)\b")
THREE_WORD_NAME = re.compile(r"([A-Z][a-z]+) ([A-Z][a-z]+) ([A-Z][a-z]+)")
BRACKETED = re.compile(r"\s*\([^)]*\)")
LABEL_PARTS = re.compile(r"\s*(?:\+|&|/|,| and )\s*")
PERSON_BEFORE = re.compile(
    r"(?:\b(?:with|ask|asks|asking|via|through|from|by|meet|meets|brief|call|email|invite|introduce|cc|contact|and|to)"
    r"|\b(?:CFO|CEO|CTO|COO|CIO|CRO|CMO|VP|SVP|EVP|Director|Head of \w+)[,:]?)\s+$"
)
PERSON_AFTER = re.compile(
    r"^\s*(?:\((?:VP|SVP|EVP|CFO|CEO|CTO|COO|CIO|Director|Head|Chief|Manager|Senior|Lead)[^)]*\)|, (?:our|their|the) (?:CFO|CEO|CTO|COO|CIO|VP|Head|Director))"
)
# Words that start with a capital without being anyone's name.
_NOT_NAME_WORDS = """the our their this that these those a an q1 q2 q3 q4 fy jan feb mar apr may jun jul aug sep sept oct
    nov dec january february march april june july august september october november december monday tuesday
    wednesday thursday friday customer customers success account accounts executive executives sponsor
    champion economic buyer technical product products premium analytics solutions solution engineer
    engineering support renewal health usage value business review reviews team teams vp svp evp csm qbr ceo
    cfo cto coo cio director head manager managers operations data it sales marketing finance legal
    enterprise strategic platform emea apac americas latam north south east west europe asia global hold
    prepare ask book run send share confirm schedule plan draft kick joint intro meeting weekly monthly
    quarterly annual professional services implementation onboarding admin admins training enablement
    security procurement it ops hr people partner partners program project office chief officer president
    board steering committee slack zoom teams email crm tier edition suite cloud api sso ai"""
NOT_NAMES = frozenset(_NOT_NAME_WORDS.split())
OUR_SIDE = re.compile(
    r"\b(csm|customer success|account executive|ae|account manager|solutions? (?:engineer|architect|consultant)|"
    r"support|product|engineering|finance|legal|professional services|implementation|onboarding|vp|team|both|"
    r"customer|sales|marketing|trainer|services|renewals?|ops|operations|manager|leadership|executive|"
    r"specialist|admin|owner|tbd|to be (?:identified|named|confirmed))\b",
    re.I,
)


def _clauses(text: str) -> list[tuple[int, str]]:
    """(offset, clause) pieces of `text`, so positions map back to the whole."""
    pieces: list[tuple[int, str]] = []
    start = 0
    for match in CLAUSES.finditer(text):
        pieces.append((start, text[start : match.start()]))
        start = match.end()
    pieces.append((start, text[start:]))
    return pieces


def _definite_mentions(clause: str, role: str) -> list[re.Match[str]]:
    mentions = []
    for match in ROLE_MENTIONS[role].finditer(clause):
        before = clause[: match.start()].lower().split()
        previous = before[-1] if before else ""
        if role == "champion" and previous in ("executive", "exec"):
            continue
        if previous not in INDEFINITE and not (role == "exec_sponsor" and "(vp+)" in previous):
            mentions.append(match)
    return mentions


def _check_roles(facts: ReviewFacts) -> None:
    """A role nobody on record fills is found first; only later is it met."""
    missing = [role for role in ROLE_LABELS if role not in facts.roles_on_record]
    if not missing:
        return
    found_at: dict[str, list[date]] = {role: [] for role in missing}
    meetings: list[tuple[str, TextItem, str]] = []  # (role, item, clause)
    for item in facts.items_containing(*(ROLE_KEYWORDS[role] for role in missing)):
        if item.kind in ("missing_role", "risk", "benchmark", "stakeholders"):
            continue  # these describe the gap; they schedule nothing
        for _, clause in _clauses(item.own):
            lowered = clause.lower()
            for role in missing:
                if ROLE_KEYWORDS[role] not in lowered or not ROLE_MENTIONS[role].search(clause):
                    continue
                if any(stem in lowered for stem in FIND_STEMS) and FIND.search(clause):
                    if item.when is not None:
                        found_at[role].append(item.when)
                    continue
                implicit = item.kind in ("attendee", "owner")
                meets = implicit or (any(stem in lowered for stem in MEET_STEMS) and MEET.search(clause))
                if meets and _definite_mentions(clause, role):
                    meetings.append((role, item, clause))
    reported: set[str] = set()
    for role, item, clause in meetings:
        when = item.when
        if when is not None and any(found < when for found in found_at[role]):
            continue  # found earlier in the plan: from then on they are someone to meet
        if item.path in reported:
            continue
        reported.add(item.path)
        label = ROLE_LABELS[role]
        facts.error(
            "role_not_on_record",
            item.path,
            f"{item.label} ('{short(clause.strip())}') counts on the {label}, but nobody on record is the {label}.",
            f"Make it a step to find one first ('identify the {label}'), or name the contact once they are on record.",
        )


def _names_in(facts: ReviewFacts, text: str) -> list[ContactInsight]:
    lowered = text.lower()
    return [contact for key, contact in facts.contacts_by_name.items() if key and key in lowered]


def _check_self_introductions(facts: ReviewFacts) -> None:
    for item in facts.items_containing("intro"):
        for _, clause in _clauses(item.own):
            if not INTRO.search(clause):
                continue
            for contact in _names_in(facts, clause):
                twice = clause.lower().count(contact.name.lower()) > 1
                own_role = contact.role in ROLE_MENTIONS and bool(_definite_mentions(clause, contact.role))
                if twice or own_role:
                    why = (
                        f"to introduce {contact.name}"
                        if twice
                        else f"to introduce the {ROLE_LABELS[contact.role]}, but {contact.name} is the "
                        f"{ROLE_LABELS[contact.role]}"
                    )
                    facts.error(
                        "self_introduction",
                        item.path,
                        f"{item.label} asks {contact.name} {why}.",
                        f"Ask {contact.name} for the introduction you actually need, or meet them directly.",
                    )
                    break


def _check_champion_candidates(facts: ReviewFacts) -> None:
    for item in facts.items_containing("candidate", "successor", "champion", "sponsor"):
        if item.kind == "goal" or not _names_in(facts, item.own):
            continue  # a sentence names a contact only if its item does
        for sentence in SENTENCES.split(item.own):
            named = _names_in(facts, sentence)
            if not named or not CANDIDATE.search(sentence):
                continue
            lowered = sentence.lower()
            for contact in named:
                at = lowered.find(contact.name.lower())
                around = sentence[max(0, at - 30) : at + len(contact.name) + 30]
                if not contact.active and not DEPARTURE.search(around):
                    _wrong_champion(facts, item.path, item.label, contact, "has left the company")
                elif contact.active and facts.is_disengaged(contact):
                    _wrong_champion(
                        facts,
                        item.path,
                        item.label,
                        contact,
                        f"is disengaged (engagement: {contact.engagement_level})",
                    )
    plan = facts.document.stakeholder_plan
    by_id = {c.id: c for c in facts.context.contacts}
    for i, goal in enumerate(plan.relationship_goals):
        contact = by_id.get(goal.stakeholder_id) or facts.contacts_by_name.get(goal.name.strip().lower())
        if contact is None:
            continue
        path = f"stakeholder_plan.relationship_goals[{i}]"
        if not contact.active:
            facts.error(
                "departed_contact",
                path,
                f"The plan sets a relationship goal for {contact.name}, who has left the company.",
                f"Drop the goal for {contact.name}; set one for whoever takes over their role.",
            )
        elif facts.is_disengaged(contact) and CANDIDATE.search(goal.strategy):
            _wrong_champion(facts, f"{path}.strategy", f"The relationship goal for {contact.name}", contact,
                            f"is disengaged (engagement: {contact.engagement_level})")  # fmt: skip
    for i, entry in enumerate(plan.current_map):
        contact = by_id.get(entry.stakeholder_id)
        if contact is not None and entry.active and not contact.active:
            facts.error(
                "departed_contact",
                f"stakeholder_plan.current_map[{i}].active",
                f"The stakeholder map shows {contact.name} as active, but they have left the company.",
                f"Mark {contact.name} as departed.",
            )


def _wrong_champion(facts: ReviewFacts, path: str, label: str, contact: ContactInsight, why: str) -> None:
    facts.error(
        "wrong_champion",
        path,
        f"{label} proposes {contact.name} as a champion or sponsor, but {contact.name} {why}.",
        "Propose an engaged, active contact, or make finding one the step.",
    )


def _unknown_person(facts: ReviewFacts, first: str, last: str) -> bool:
    words = {first.lower(), last.lower()}
    return not (words & facts.known_name_words or words & NOT_NAMES or words & facts.other_name_words)


def _check_names(facts: ReviewFacts) -> None:
    plan = facts.document.stakeholder_plan
    by_id = {c.id for c in facts.context.contacts}
    for kind, entries in (("current_map", plan.current_map), ("relationship_goals", plan.relationship_goals)):
        for i, entry in enumerate(entries):
            if entry.stakeholder_id in by_id or entry.name.strip().lower() in facts.contacts_by_name:
                continue
            facts.error(
                "unknown_person",
                f"stakeholder_plan.{kind}[{i}]",
                f"The stakeholder plan names {entry.name}, who is not a contact on record.",
                f"Add {entry.name} to the account's contacts first, or remove them from the plan.",
            )
    verdicts: dict[str, list[str]] = {}  # owner / attendee text -> the unknown people it names
    for item in facts.texts:
        if item.kind not in ("attendee", "owner"):
            continue
        if item.own not in verdicts:
            verdicts[item.own] = _unknown_in_label(facts, item.own)
        for name in verdicts[item.own]:
            _report_unknown(facts, item, name)
    reported: set[str] = set()
    text = facts.joined
    # A plan names the same few people many times: each pair of words is judged once.
    unknown: dict[tuple[str, str], bool] = {}
    starts, texts = facts.starts, facts.texts
    for match in PERSON.finditer(text):
        # The verdict on the words first: most capitalised pairs are contacts or things, and
        # then which item holds them does not matter.
        pair = (match.group(1), match.group(2))
        verdict = unknown.get(pair)
        if verdict is None:
            verdict = unknown[pair] = _unknown_person(facts, *pair)
        if not verdict:
            continue
        index = bisect_right(starts, match.start()) - 1
        item, start = texts[index], starts[index]
        if item.kind in SKIP_FOR_NAMES or item.path in reported:
            continue
        if match.start() > start and text[match.start() - 1].isalpha():
            continue  # inside a word ("McDonald Group" is read from its start)
        before = text[max(start, match.start() - 24) : match.start()]
        after = text[match.end() : match.end() + 40]
        if PERSON_BEFORE.search(before) or PERSON_AFTER.match(after):
            reported.add(item.path)
            _report_unknown(facts, item, match.group(0))


def _unknown_in_label(facts: ReviewFacts, label: str) -> list[str]:
    """People an owner or attendee label names who are not on record ('Dana Fox', not 'CSM')."""
    unknown = []
    person = BRACKETED.sub("", label).strip()
    for part in LABEL_PARTS.split(person):
        match = PERSON.fullmatch(part) or THREE_WORD_NAME.fullmatch(part)
        if match and not OUR_SIDE.search(part) and _unknown_person(facts, match.group(1), match.group(2)):
            unknown.append(part)
    return unknown


def _report_unknown(facts: ReviewFacts, item: TextItem, name: str) -> None:
    facts.error(
        "unknown_person",
        item.path,
        f"{item.label} names {name}, who is not a contact on record.",
        f"Use a contact on record, or add {name} to the account's contacts first.",
    )


def check(facts: ReviewFacts) -> None:
    _check_names(facts)
    _check_roles(facts)
    _check_self_introductions(facts)
    _check_champion_candidates(facts)
