"""Finding the plan items a CSM means: by the number they see ("objective 3", "risk 1"), by
position ("the last objective", "the first risk"), by content ("the CFO review", "the expansion
objective", "the competitor risk"), or by "it" (what the previous part of the request was about).

References resolve against the plan as the person saw it when they typed, and are tracked by
identity while the request's parts are applied, so "remove objective 3 and make objective 4
critical" changes the objective that was shown as 4 even though it is objective 3 by then.
When two things match equally well, `Unclear` asks which one instead of guessing.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from agent.intents.lexicon import LAST_WORDS, NUMBER, ORDINAL, STOP_WORDS, SYNONYMS, number_value
from tools.plans.edits.base import Json, short, words

MIN_CONTENT_SCORE = 0.6
ALREADY_GONE = "was already removed earlier in this request"
TIE_MARGIN = 0.1


class Unclear(Exception):
    """The request is understood but cannot be carried out as said; `message` says why or asks."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(eq=False)
class Ref:
    kind: str  # objective | metric | milestone | action | risk | qbr
    item: Json
    parent: Ref | None = None


class Workspace:
    """The plan as the person saw it (`shown`: what references are read against) and the working
    copy the request's parts are applied to (`data`), with every shown item's counterpart in it."""

    def __init__(self, plan: Json) -> None:
        self.shown = plan
        memo: dict[int, Any] = {}
        self.data: Json = copy.deepcopy(plan, memo)
        self._current: dict[int, Any] = memo  # id(shown or created item) -> that item in `data`
        self.last: Ref | None = None
        self.last_kind: str | None = None  # the kind of item the previous part talked about

    def ref(self, kind: str, item: Json, parent: Ref | None = None) -> Ref:
        return Ref(kind, item, parent)

    def created(self, kind: str, item: Json) -> Ref:
        """A reference to an item a part of this request added to the working copy."""
        self._current[id(item)] = item
        return Ref(kind, item)

    def attempt(self) -> tuple[Json, dict[int, Any]]:
        """A copy of the working copy for the next part, and the map to adopt it with `commit`."""
        memo: dict[int, Any] = {}
        return copy.deepcopy(self.data, memo), memo

    def checkpoint(self) -> tuple[Json, dict[int, Any]]:
        return self.data, self._current

    def restore(self, saved: tuple[Json, dict[int, Any]]) -> None:
        self.data, self._current = saved

    def commit(self, data: Json, memo: dict[int, Any]) -> None:
        self._current = {key: memo.get(id(item), item) for key, item in self._current.items()}
        self.data = data

    def current(self, ref: Ref) -> Any:
        return self._current.get(id(ref.item), ref.item)

    # Where a referenced item is now -------------------------------------------------------------

    def _index(self, items: list[Json], ref: Ref, noun: str, data: Json | None = None) -> int:
        wanted = self.current(ref)
        for index, item in enumerate(items):
            if item is wanted:
                return index
        raise Unclear(f"that {noun} {ALREADY_GONE}")

    def objective_id(self, ref: Ref) -> str:
        target = ref if ref.kind == "objective" else ref.parent
        assert target is not None
        index = self._index(self.data["strategic_objectives"], target, "objective")
        return str(self.data["strategic_objectives"][index]["id"])

    def position(self, ref: Ref) -> int:
        """1-based position of an action or risk in its current list."""
        items = (
            self.data["action_plan_90day"]
            if ref.kind == "action"
            else self.data["risk_mitigation"]["identified_risks"]
        )
        return self._index(items, ref, ref.kind) + 1

    def now(self, ref: Ref) -> Json:
        """The referenced item as it is in the working copy."""
        return self.current(ref)

    # The plan as shown, for reading references --------------------------------------------------

    @property
    def objectives(self) -> list[Json]:
        return list(self.shown["strategic_objectives"])

    @property
    def actions(self) -> list[Json]:
        return list(self.shown["action_plan_90day"])

    @property
    def risks(self) -> list[Json]:
        return list(self.shown["risk_mitigation"]["identified_risks"])

    @property
    def qbrs(self) -> list[Json]:
        return list(self.shown["qbr_schedule"])


# --- scoring text references ----------------------------------------------------------------------


SUFFIXES = ("ings", "ing", "ed", "es", "s", "ment", "ly")


def stem(word: str) -> str:
    """A crude stem, so 'briefing', 'briefed' and 'briefs' compare equal."""
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _word_similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if len(a) >= 3 and len(b) >= 3 and (a.startswith(b) or b.startswith(a)):
        return 0.95
    if len(a) >= 4 and stem(a) == stem(b):
        return 0.95
    ratio = fuzz.ratio(a, b) / 100
    return ratio if ratio >= 0.8 and min(len(a), len(b)) >= 4 else 0.0


def american(word: str) -> str:
    """British spellings compared as American ones: 'utilisation', 'prioritised', 'programme'."""
    word = re.sub(r"is(ation|e|ed|es|ing)$", r"iz\1", word) if len(word) > 5 else word
    return {"programme": "program", "programmes": "programs", "colour": "color", "behaviour": "behavior"}.get(
        word, word
    )


def content_words(needle: str) -> list[str]:
    return [american(w) for w in words(needle).split() if w not in STOP_WORDS]


def opportunity_words(ws: Workspace, text: str) -> str:
    """What an item that quotes an expansion opportunity is also about: its kind ('seat expansion',
    'upsell') and that it is a deal, so 'the EMEA deal' or 'the seats expansion milestone' find it."""
    extra: list[str] = []
    for opportunity in ws.shown.get("expansion_plan", {}).get("opportunities", []):
        description = str(opportunity.get("description", ""))
        if description and description[:30].lower() in text.lower():
            extra += [str(opportunity.get("type", "")).replace("_", " "), "deal", "opportunity"]
    return " ".join(extra)


def content_score(needle: str, text: str) -> float:
    """Share of the needle's meaningful words found in `text` (abbreviations and typos allowed)."""
    wanted = content_words(needle)
    have = [american(w) for w in words(text).split()]
    if not wanted or not have:
        return 0.0
    total = 0.0
    for word in wanted:
        options = {word, *SYNONYMS.get(word, "").split()[:1]}
        total += max(_word_similarity(option, w) for option in options for w in have)
    return total / len(wanted)


def best(needle: str, candidates: list[tuple[Ref, str, float]], noun: str) -> Ref | None:
    """The candidate `needle` clearly refers to (scored on its text, times a weight); None when
    nothing matches; Unclear when two or more match about equally."""
    scored: dict[int, tuple[float, Ref, str]] = {}
    for ref, text, weight in candidates:
        score = content_score(needle, text) * weight
        key = id(ref.item)
        if key not in scored or score > scored[key][0]:
            scored[key] = (score, ref, text)
    ranked = sorted(scored.values(), key=lambda s: -s[0])
    if not ranked or ranked[0][0] < MIN_CONTENT_SCORE:
        return None
    top = ranked[0][0]
    tied = [r for r in ranked if r[0] >= top - TIE_MARGIN]
    if len(tied) > 1:
        # More evidence before asking: the whole wording, small words included.
        whole = sorted(
            ((fuzz.token_set_ratio(words(needle), words(text)), ref) for _, ref, text in tied),
            key=lambda w: -w[0],
        )
        if whole[0][0] >= whole[1][0] + 10:
            return whole[0][1]
        listed = " or ".join(f"'{short(text, 50)}'" for _, _, text in tied[:3])
        raise Unclear(f"'{needle.strip()}' could be {listed}; say which")
    return ranked[0][1]


# --- objectives -----------------------------------------------------------------------------------

OBJECTIVE_NOUN = r"objectives?|obj|goals?|initiatives?"
_NUMBERED = re.compile(rf"\b(?:{OBJECTIVE_NOUN})[ -]?(?:no\.?|number|#)?\s*({NUMBER})\b", re.IGNORECASE)
_POSITION = re.compile(
    rf"\b(?:the )?({ORDINAL}|{LAST_WORDS}|top|next[- ]to[- ]last|second[- ]to[- ]last|penultimate) "
    rf"(?:{OBJECTIVE_NOUN})\b",
    re.IGNORECASE,
)
_ABOUT = re.compile(
    rf"\b(?:{OBJECTIVE_NOUN}) (?:about|on|for|around|covering|re|called|named|titled) ([\w' /&+-]+)",
    re.IGNORECASE,
)
# Words that end a reference's description when reading backwards from its noun ("drop the
# expansion objective" -> "expansion").
_DELIMITERS = frozenset(
    (
        "the",
        "our",
        "my",
        "this",
        "that",
        "these",
        "those",
        "a",
        "an",
        "of",
        "for",
        "to",
        "on",
        "in",
        "from",
        "at",
        "by",
        "with",
        "set",
        "make",
        "change",
        "update",
        "raise",
        "lower",
        "bump",
        "increase",
        "decrease",
        "drop",
        "remove",
        "delete",
        "kill",
        "cut",
        "scrap",
        "ditch",
        "move",
        "push",
        "shift",
        "reschedule",
        "rename",
        "reword",
        "mark",
        "assign",
        "reassign",
        "give",
        "snooze",
        "swap",
        "merge",
        "combine",
        "add",
        "make",
        "get",
        "rid",
        "take",
        "out",
        "and",
        "or",
        "is",
        "are",
        "its",
        "it's",
        "what's",
        "whats",
        "when",
        "where",
        "who",
        "which",
    )
)


def described(text: str, noun: str) -> str | None:
    """The words describing the thing just before its noun: 'drop the expansion objective' ->
    'expansion', 'make the exec sponsor goal more ambitious' -> 'exec sponsor'."""
    for m in re.finditer(rf"((?:[\w'/&+-]+ ){{1,6}})(?:{noun})\b", text, re.IGNORECASE):
        kept: list[str] = []
        for word in reversed(m.group(1).split()):
            if word.lower() in _DELIMITERS:
                break
            kept.append(word)
        phrase = " ".join(reversed(kept))
        if content_words(phrase):
            return phrase
    return None


def _nth(items: list[Json], word: str) -> int | None:
    word = word.lower().replace(" ", "-")
    if re.fullmatch(LAST_WORDS, word):
        return len(items) - 1
    if word in ("next-to-last", "second-to-last", "penultimate"):
        return len(items) - 2
    if word == "top":
        return 0
    number = number_value(word)
    return number - 1 if number else None


def numbered_objective(ws: Workspace, number: int) -> Ref:
    objectives = ws.objectives
    if not 1 <= number <= len(objectives):
        raise Unclear(f"there is no objective {number}; the plan has objectives 1-{len(objectives)}")
    return ws.ref("objective", objectives[number - 1])


def objective_candidates(ws: Workspace) -> list[tuple[Ref, str, float]]:
    """Each objective by its wording, and (a little less) by its metrics and milestones."""
    candidates: list[tuple[Ref, str, float]] = []
    for objective in ws.objectives:
        ref = ws.ref("objective", objective)
        candidates.append((ref, objective["objective"], 1.0))
        candidates += [(ref, m["metric"], 0.9) for m in objective["success_metrics"]]
        candidates += [(ref, m["milestone"], 0.8) for m in objective["quarterly_milestones"]]
    return candidates


def find_objective(ws: Workspace, text: str, *, pronoun: bool = True) -> Ref | None:
    """The objective `text` names, or None when it names none."""
    if m := _NUMBERED.search(text):
        return numbered_objective(ws, number_value(m.group(1)) or 0)
    if m := _POSITION.search(text):
        index = _nth(ws.objectives, m.group(1))
        if index is None or not 0 <= index < len(ws.objectives):
            raise Unclear(f"the plan has {len(ws.objectives)} objectives")
        return ws.ref("objective", ws.objectives[index])
    about = _ABOUT.search(text)
    needle = about.group(1) if about and content_words(about.group(1)) else described(text, OBJECTIVE_NOUN)
    if needle:
        found = best(needle, objective_candidates(ws), "objective")
        if found is None:
            titles = "; ".join(f"{i + 1}. {short(o['objective'], 45)}" for i, o in enumerate(ws.objectives))
            raise Unclear(f"no objective is about '{needle.strip()}' (the objectives: {titles})")
        return found
    if (
        pronoun
        and ws.last is not None
        and re.search(r"\b(it|that one|this one|that|this)\b", text, re.IGNORECASE)
    ):
        return ws.last if ws.last.kind == "objective" else ws.last.parent
    return None


def all_numbered_objectives(ws: Workspace, text: str) -> list[Ref]:
    """'objectives 2 and 3', 'objective 1 and objective 4', '2 and 3' after an objective noun."""
    if m := re.search(
        rf"\b(?:{OBJECTIVE_NOUN})\s*#?({NUMBER})\s*(?:and|&|,|with)\s*(?:(?:{OBJECTIVE_NOUN})\s*)?#?({NUMBER})\b",
        text,
        re.IGNORECASE,
    ):
        return [numbered_objective(ws, number_value(g) or 0) for g in m.groups()]
    return []
