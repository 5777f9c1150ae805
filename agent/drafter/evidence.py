"""Customer text read as evidence: interaction notes and risk-signal descriptions mined for
competitive evaluations, escalations, budget pressure, a contact leaving and frustration; measurable
goals read from the customer's stated goals. The text is only classified and quoted, never obeyed.

Each piece of evidence carries the words it is about ("alternatives for analytics" -> analytics),
so a risk can be tied to the opportunity or objective it threatens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.drafter.text import day, names, quote
from tools.analytics.context import PlanningContext
from tools.analytics.snapshot import InteractionNote

NOTE_QUOTE_LIMIT = 140
NEGATIVE_NOTE = -0.3  # a note at or below this sentiment is negative evidence on its own
VERY_NEGATIVE_NOTE = -0.6

COMPETITION = re.compile(
    r"\b(?:evaluat\w*|consider\w*|looking at|trial\w*|pilot\w*|switch\w*|replac\w*|rfp|compar\w*|shortlist\w*)"
    r"\b[^.;]{0,60}?\b(?:alternatives?|competitors?|competing|other (?:vendors?|tools?|platforms?|products?))\b"
    r"|\balternatives? (?:to|for)\b|\bcompeting (?:platform|product|vendor|tool)s?\b",
    re.IGNORECASE,
)
ESCALATION = re.compile(
    r"\b(?:escalat\w*|p1|sev ?1|outage|downtime|blocking bug|incident|slow support|support (?:responses?|tickets?|backlog))\b",
    re.IGNORECASE,
)
BUDGET = re.compile(
    r"\b(?:budget\w*|cost[- ]cutting|too expensive|price increase|value for the price|reduce (?:spend|costs?)|downsiz\w*)\b",
    re.IGNORECASE,
)
LEAVING = re.compile(r"\b(?:is leaving|are leaving|left the company|resign\w*|moving on|departing)\b", re.IGNORECASE)
FRUSTRATION = re.compile(
    r"\b(?:frustrat\w*|unhappy|disappoint\w*|complain\w*|angry|upset|dissatisf\w*)\b", re.IGNORECASE
)
NEGATION = re.compile(r"\b(?:no longer|not|never|stopped|ended|dropped|without)\b[^.;]{0,25}$", re.IGNORECASE)
TOPIC = re.compile(r"\b(?:for|of|on|around|in)\s+(?:the\s+|our\s+|their\s+)?([a-z][a-z\- ]{2,40})", re.IGNORECASE)

# Words too common to tie evidence to an opportunity ("tier", "team", "platform" match anything).
GENERIC_WORDS = frozenset(
    ["a", "an", "and", "the", "for", "of", "on", "in", "to", "with", "by", "at", "from", "our", "their", "its", "this", "that", "these", "those", "new", "next", "tier", "add-on", "addon", "module", "package", "product", "products", "platform", "platforms", "team", "teams", "seat", "seats", "expansion", "upsell", "cross", "sell", "renewal", "company", "wide", "rollout", "current", "customer", "account", "alternative", "alternatives", "competitor", "competitors", "vendor", "vendors", "tool", "tools", "other", "evaluating", "evaluation", "currently", "asked", "request", "pricing", "price", "comparison", "support"]
)


@dataclass(frozen=True)
class Evidence:
    cause: str  # a playbook risk cause: competition | support | budget | champion_loss | sentiment
    severity: str  # medium | high
    text: str  # what a CSM reads: who said what, when, quoted
    topic: frozenset[str]  # the significant words the evidence is about


def words(text: str) -> frozenset[str]:
    """Significant lowercase words, crudely singular, without the generic ones."""
    found = set()
    for word in re.findall(r"[a-z][a-z\-]+", text.lower()):
        word = word.strip("-")
        if len(word) < 4 or word in GENERIC_WORDS:
            continue
        found.add(word[:-1] if word.endswith("s") and not word.endswith("ss") else word)
    return frozenset(found)


def _matches(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """The first match not negated just before it ("no longer evaluating alternatives")."""
    for match in pattern.finditer(text):
        if not NEGATION.search(text[: match.start()]):
            return match
    return None


def _topic(text: str, match: re.Match[str] | None) -> frozenset[str]:
    """What the evidence is about: the phrase after "for/of/on ..." following the match, else the
    whole text's significant words."""
    if match is not None:
        after = TOPIC.search(text, match.start())
        if after is not None and after.start() - match.end() < 30:
            topic = words(after.group(1))
            if topic:
                return topic
    return words(text)


def _competitor_named(text: str, competitors: list[str]) -> bool:
    lowered = text.lower()
    return any(re.search(rf"\b{re.escape(name.lower())}\b", lowered) for name in competitors if len(name) > 2)


def competitor_names(context: PlanningContext) -> list[str]:
    """Competitors the customer record names (a comma/semicolon list), in order."""
    raw = context.customer.competitors or ""
    return [name.strip() for name in re.split(r"[,;/\n]", raw) if name.strip()][:5]


def classify(text: str, sentiment: float | None, competitors: list[str]) -> tuple[str, str, frozenset[str]] | None:
    """(cause, severity, topic) of one piece of customer text, or None when it is not evidence."""
    severe = sentiment is not None and sentiment <= VERY_NEGATIVE_NOTE
    match = _matches(COMPETITION, text)
    if match is not None or _competitor_named(text, competitors):
        return "competition", "high" if severe else "medium", _topic(text, match)
    for cause, pattern in (("support", ESCALATION), ("budget", BUDGET), ("champion_loss", LEAVING)):
        match = _matches(pattern, text)
        if match is not None and (sentiment is None or sentiment < 0.2):
            return cause, "high" if severe else "medium", _topic(text, match)
    frustrated = _matches(FRUSTRATION, text)
    if (sentiment is not None and sentiment <= NEGATIVE_NOTE) or (frustrated and (sentiment or 0) <= 0):
        return "sentiment", "high" if severe else "medium", words(text)
    return None


def _note_text(note: InteractionNote) -> str:
    who = note.contact_name or "an unnamed contact"
    kind = (note.kind or "interaction").replace("_", " ")
    return f"{kind} with {who} on {day(note.date)}: {quote(note.summary, NOTE_QUOTE_LIMIT)}"


def mine_notes(context: PlanningContext) -> list[Evidence]:
    """Evidence from the interaction notes of the last 180 days (newest first)."""
    competitors = competitor_names(context)
    # One piece of evidence per cause, person and kind of touch: their notes together, newest first.
    grouped: dict[tuple[str, str, str], list[tuple[InteractionNote, str, frozenset[str]]]] = {}
    seen: set[str] = set()
    for note in context.interactions.notes:
        key = " ".join(note.summary.lower().split())
        if key in seen:
            continue  # the same note logged again (newest kept)
        seen.add(key)
        classified = classify(note.summary, note.sentiment, competitors)
        if classified is None:
            continue
        cause, severity, topic = classified
        who = (note.contact_name or "an unnamed contact", (note.kind or "interaction").replace("_", " "))
        grouped.setdefault((cause, *who), []).append((note, severity, topic))
    found: list[Evidence] = []
    for (cause, who, kind), notes in grouped.items():
        severity = "high" if any(s == "high" for _, s, _ in notes) else "medium"
        topic = frozenset().union(*(t for _, _, t in notes))
        when = names([day(note.date) for note, _, _ in notes])
        quotes = "; ".join(quote(note.summary, NOTE_QUOTE_LIMIT) or "" for note, _, _ in notes)
        found.append(Evidence(cause, severity, f"{kind} with {who} on {when}: {quotes}", topic))
    return found


def signal_topic(description: str) -> frozenset[str]:
    """What a risk signal's description is about (for tying it to an opportunity)."""
    match = _matches(COMPETITION, description) or _matches(ESCALATION, description)
    return _topic(description, match)


# -- measurable goals -------------------------------------------------------------------------

GOAL_BY = re.compile(
    r"^(?P<verb>reduce|cut|lower|decrease|shorten|improve|increase|grow|raise|boost|lift)\s+"
    r"(?P<measure>.+?)\s+by\s+(?P<amount>\d+(?:\.\d+)?)\s*(?P<unit>%|percent|points?|x)",
    re.IGNORECASE,
)
GOAL_TO = re.compile(
    r"^(?P<verb>reduce|cut|lower|decrease|shorten|improve|increase|grow|raise|boost|lift|reach|get)\s+"
    r"(?P<measure>.+?)\s+(?:to|under|below|above)\s+(?P<amount>\d+(?:\.\d+)?)\s*(?P<unit>%|percent|points?|days?|hours?|minutes?)",
    re.IGNORECASE,
)
DOWN_VERBS = ("reduce", "cut", "lower", "decrease", "shorten")


@dataclass(frozen=True)
class GoalMetric:
    measure: str  # "Time-to-resolution"
    target: str  # "20% lower than the Q1 baseline"
    statement: str  # the goal as the customer wrote it (one line)


def _unit(unit: str, amount: str) -> str:
    unit = unit.lower()
    if unit in ("%", "percent"):
        return f"{amount}%"
    if unit == "x":
        return f"{amount}x"
    return f"{amount} {unit}"


def measurable_goals(goals: str | None, limit: int = 2) -> list[GoalMetric]:
    """Goals with a number in them ("cut time-to-resolution by 20%"), as metrics to track."""
    if not goals:
        return []
    found: list[GoalMetric] = []
    for part in re.split(r"[;\n]|\.\s", goals):
        statement = " ".join(part.split())
        if not statement or len(statement) > 160:
            continue
        match = GOAL_BY.match(statement) or GOAL_TO.match(statement)
        if match is None:
            continue
        measure = " ".join(match.group("measure").split()).strip(" ,.:")
        measure = re.sub(r"^(?:the|our|their)\s+", "", measure, flags=re.IGNORECASE)
        if not measure or len(measure) > 60:
            continue
        verb = match.group("verb").lower()
        amount = _unit(match.group("unit"), match.group("amount"))
        if match.re is GOAL_BY:
            direction = "lower" if verb in DOWN_VERBS else "higher"
            target = f"{amount} {direction} than the baseline"
        else:
            target = f"{amount}"
        found.append(GoalMetric(measure[0].upper() + measure[1:], target, statement))
        if len(found) >= limit:
            break
    return found
