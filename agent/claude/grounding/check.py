"""The grounding check: every figure, person, quote and date a plan states rests on the account's
data, and what each rests on is recorded.

A figure in text is accepted when it is a fact of its own kind (money grounds money, a percentage
a percentage), one operation away from the key values, a goal the plan set (a success metric's
target, repeated in its objective, or a value between the metric's current value and target), or
computed from figures written beside it ("104 seats x $900 = $94K", "$274K vs $250K, about 10%").
Anything else is a problem that says what would be allowed instead.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from agent.claude.grounding.account import GroundingFacts, metric_kind, number_of
from agent.claude.grounding.claims import TextClaims, read_claims
from agent.claude.grounding.facts import KIND_WORDS, Fact, preference, relevance, show
from agent.claude.grounding.paths import path_role, walk
from agent.claude.grounding.people import mentions_of_contacts
from agent.claude.grounding.structured import Grounding, GroundingProblem, StructuredChecks
from agent.claude.grounding.text import Figure, normalise
from agent.claude.grounding.vocabulary import LEADING_WORDS, ROLE_WORDS

COUNT_MEASURES = frozenset({"seats", "users"})


@dataclass(frozen=True)
class _Range:
    """Interim values of one success metric: between its current value and its target."""

    kind: str
    measure: str
    low: float
    high: float
    source: str
    derivation: str


def _add(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    return a[0] + b[0], a[1] + b[1]


def _difference(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    return max(0.0, a[0] - b[1], b[0] - a[1]), max(a[1] - b[0], b[1] - a[0])


def _product(a: tuple[float, float], b: tuple[float, float], scale: float = 1.0) -> tuple[float, float]:
    return a[0] * b[0] * scale, a[1] * b[1] * scale


def _ratio(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float] | None:
    return (100 * a[0] / b[1], 100 * a[1] / b[0]) if b[0] > 0 else None


def _change(new: tuple[float, float], old: tuple[float, float]) -> tuple[float, float] | None:
    if old[0] <= 0:
        return None
    corners = [100 * abs(x - y) / y for x in new for y in old]
    overlap = new[0] <= old[1] and old[0] <= new[1]
    return (0.0 if overlap else min(corners)), max(corners)


def _written_candidates(kind: str, a: Figure, b: Figure) -> Iterator[tuple[str, tuple[float, float] | None]]:
    """What `kind` of figure can be computed from `a` and `b` in one step, as intervals (the inputs
    are rounded as written), with the operation's symbol."""
    first, second = a.interval(), b.interval()
    if kind == "money":
        if a.kind == b.kind == "money":
            yield "+", _add(first, second)
            yield "-", _difference(first, second)
        if a.kind == "money" and b.kind == "percent":
            yield "at", _product(first, second, 0.01)
        if a.kind == "count" and b.kind == "money":
            yield "x", _product(first, second)
    elif kind == "percent" and a.kind == b.kind:
        yield "/", _ratio(first, second)
        yield "vs", _change(first, second)
        if a.kind == "percent":
            yield "-", _difference(first, second)
    elif kind == "count":
        if a.kind == b.kind == "count":
            yield "+", _add(first, second)
            yield "-", _difference(first, second)
        if a.kind == "count" and b.kind == "percent":
            yield "at", _product(first, second, 0.01)


@dataclass(frozen=True)
class _Named:
    """What a mention's text alone says of it, worked out once per text (mentions repeat)."""

    name: str  # without the role words and sentence starters before it: "Ask Sarah Chen" -> "Sarah Chen"
    lower: str
    lowered: tuple[str, ...]  # its words in lower case
    has_role_word: bool  # "Customer Success", "Account Executive": a role or team, not a person
    spaced: str  # normalised, with a space either side: looked up in the data's text


@lru_cache(maxsize=8192)
def _named(text: str) -> _Named:
    words = text.split()
    while len(words) > 2 and (words[0].lower() in ROLE_WORDS or words[0].lower() in LEADING_WORDS):
        words.pop(0)
    name = " ".join(words)
    return _Named(
        name=name,
        lower=name.lower(),
        lowered=tuple(w.lower() for w in words),
        has_role_word=any(w.lower() in ROLE_WORDS or w.lower() in LEADING_WORDS for w in words),
        spaced=f" {normalise(name)} ",
    )


class Checker(StructuredChecks):
    """Checks sections against one account's facts, collecting problems and provenance."""

    def __init__(self, facts: GroundingFacts, plan_targets: list[Fact] | None = None) -> None:
        self.facts = facts
        self.table = facts.table
        self.targets = facts.targets + (plan_targets or [])
        self.names = facts.names
        self.contact_by_name = {name.lower(): cid for cid, (name, _) in facts.contacts.items()}
        # Looked for in every text field (hundreds per plan): the names and their sources, once.
        self.named_contacts = [(name, f"contacts[{cid}]") for cid, (name, _) in facts.contacts.items() if name]
        self.first_names = {name.split()[0].lower() for name, _ in facts.contacts.values() if name.split()}
        self.last_names = {name.split()[-1].lower() for name, _ in facts.contacts.values() if name.split()}
        self.result = Grounding()

    @cached_property
    def data_words(self) -> set[str]:
        """The data's words, but contacts' names (read only for a rare kind of mention)."""
        return set(self.facts.data_text.split()) - self.first_names - self.last_names

    # -- sections ---------------------------------------------------------------------------

    def section(self, name: str, value: Any) -> None:
        goals = self._objective_goals(value) if name == "strategic_objectives" and isinstance(value, list) else {}

        def visit(path: str, leaf: Any) -> None:
            objective, role = path_role(path)
            if role == "text" and isinstance(leaf, str):
                if read_claims(leaf).bare:  # most fields: what `text` would do, without the call
                    self._contacts_named(path, leaf)
                    return
                own = objective is not None and bool(goals)
                targets, ranges = goals.get(objective, ([], [])) if own and objective is not None else (self.targets, [])
                self.text(path, leaf, targets, ranges, own=own)
            elif role == "target":
                self._goal(path, leaf)
            elif role == "current":
                self._metric_current(path, leaf, value)
            elif role == "person" and isinstance(leaf, str):
                self.person_field(path, leaf)

        walk(value, name, visit)
        structured = getattr(self, f"_{name}", None)
        if structured is not None and isinstance(value, dict):
            structured(value)

    def _objective_goals(self, objectives: list[Any]) -> dict[int, tuple[list[Fact], list[_Range]]]:
        """Per objective: its metrics' targets (its text may repeat them) and interim ranges."""
        goals: dict[int, tuple[list[Fact], list[_Range]]] = {}
        for index, objective in enumerate(objectives):
            targets: list[Fact] = []
            ranges: list[_Range] = []
            for number, metric in enumerate(objective.get("success_metrics", []) if isinstance(objective, dict) else []):
                typed = metric_kind(str(metric.get("metric", "")), metric.get("current"), metric.get("target"))
                target, current = number_of(metric.get("target")), number_of(metric.get("current"))
                if typed is None or target is None:
                    continue
                source = f"strategic_objectives[{index}].success_metrics[{number}]"
                targets.append(Fact(typed[0], abs(target), f"{source}.target", f"target for {metric.get('metric')}",
                                    measure=typed[1], origin="target"))  # fmt: skip
                if current is not None:
                    low, high = sorted((abs(current), abs(target)))
                    ranges.append(_Range(typed[0], typed[1], low, high, source,
                                         f"between current {show(typed[0], abs(current))} and target "
                                         f"{show(typed[0], abs(target))}"))  # fmt: skip
            goals[index] = (targets, ranges)
        return goals

    # -- text -------------------------------------------------------------------------------

    def text(self, path: str, value: str, targets: list[Fact], ranges: list[_Range], *, own: bool = False) -> None:
        """Check one text field; `own`: the targets are the field's own objective's goals."""
        claims = read_claims(value)
        if claims.bare:  # most fields ("open", "Q2", an action line): only contacts' names to trace
            self._contacts_named(path, value)
            return
        written = claims.figures
        entries: list[dict[str, Any] | None] = [
            self._resolve(f, targets, ranges, own, claims.sentence_words[claims.sentence_of(f)]) for f in written
        ]

        for index, figure in enumerate(written):
            if entries[index] is None:
                sentence = claims.sentence_of(figure)
                beside = [
                    (other, entry)
                    for other, entry in zip(written, entries, strict=True)
                    if other is not figure and entry is not None and claims.sentence_of(other) == sentence
                ]
                entries[index] = self._written_derivation(figure, beside)
        for figure, entry in zip(written, entries, strict=True):
            if entry is not None:
                self.result.provenance[f'{path}:"{figure.text}"'] = entry
            else:
                problem = self._figure_problem(figure)
                self.result.problems.append(GroundingProblem(path, problem.kind, problem.message, problem.hint))
        self._people(path, value, claims)
        self._quotes(path, claims)
        self._renewal(path, claims)

    def _resolve(
        self,
        figure: Figure,
        targets: list[Fact],
        ranges: list[_Range],
        own: bool = False,
        words: AbstractSet[str] | None = None,
    ) -> dict[str, Any] | None:
        """What a figure rests on: among every fact of its kind it matches (the data, one-step
        derivations, the plan's goals), the one its sentence is about, else the plainest."""
        low, high = figure.interval()
        measures = COUNT_MEASURES if figure.kind == "count" else frozenset({"health"}) if figure.kind == "score" else None
        goals = [
            t for t in targets
            if t.kind == figure.kind and low - 1e-6 <= t.value <= high + 1e-6
            and (own or measures is None or t.measure in measures)
        ]  # fmt: skip
        # In an objective, a figure equal to its own target is that goal, whatever else it equals.
        candidates = goals if own and goals else [*self.table.near(figure.kind, low, high, measures), *goals]
        if candidates:
            context = words or set()
            best = min(candidates, key=lambda f: (-relevance(f, context), *preference(f)))
            return best.provenance(figure.text)
        for span in ranges:
            if (
                span.kind == figure.kind
                and span.low - figure.tolerance <= figure.value <= span.high + figure.tolerance
                and (measures is None or span.measure in measures)
            ):
                return {"kind": "target", "source": span.source, "label": "an interim value of a success metric",
                        "derivation": span.derivation, "value": figure.value, "text": figure.text}  # fmt: skip
        return None

    def _written_derivation(
        self, figure: Figure, beside: list[tuple[Figure, dict[str, Any]]]
    ) -> dict[str, Any] | None:
        """`figure` computed in one step from two grounded figures in the same sentence."""
        low, high = figure.interval()
        for (a, a_entry), (b, b_entry) in itertools.permutations(beside, 2):
            for symbol, candidate in _written_candidates(figure.kind, a, b):
                if candidate is not None and candidate[0] <= high and low <= candidate[1]:
                    sources = "; ".join(dict.fromkeys((a_entry["source"], b_entry["source"])))
                    return {"kind": "derived", "source": sources, "label": "computed from the figures beside it",
                            "derivation": f"{a.text} {symbol} {b.text}", "value": figure.value,
                            "text": figure.text}  # fmt: skip
        return None

    def _figure_problem(self, figure: Figure) -> GroundingProblem:
        others = [f for f in self.table.other_kinds(figure.value, figure.tolerance, figure.kind)
                  if figure.kind != "score"]  # fmt: skip
        why = (
            f" ({show('count', figure.value)} is {others[0].label} in the data, {KIND_WORDS[others[0].kind]})"
            if others
            else ""
        )
        goal = "A goal belongs in a success metric's target."
        if figure.kind == "money":
            known = ", ".join(f"{f.label} {show('money', f.value)}" for f in self.table.key_facts("money", 5))
            return GroundingProblem("", "money", f"{figure.text} is not money in the account data{why}", (
                f"Money must be a figure from the data ({known or 'none on record'}) or one step from them; if "
                f"derived, write its inputs: {self._example()}. {goal}"))  # fmt: skip
        if figure.kind == "percent":
            known = ", ".join(f"{f.label} {show('percent', f.value)}" for f in self.table.key_facts("percent", 5))
            return GroundingProblem("", "percent", f"{figure.text} is not a percentage in the account data{why}", (
                f"Use a percentage or fraction from the data ({known or 'none on record'}) or one computed from it "
                "with its inputs written beside it ('$274K vs $250K, about 10%'); scoring weights, day counts and "
                f"counts are not percentages. {goal}"))  # fmt: skip
        if figure.kind == "count":
            known = ", ".join(f"{f.label} {show('count', f.value)}" for f in self.table.key_facts("count", 4))
            return GroundingProblem("", "count", f"{figure.text}: the data has no such number of {figure.measure}", (
                f"The data has: {known or 'none on record'}; if derived, write its inputs ('300 seats - 270 active = "
                f"30 idle'). {goal}"))  # fmt: skip
        health = self.table.best("score", 0, 100, frozenset({"health"}))
        now = f"it is {show('count', health.value)} now" if health else "no health score is on record"
        return GroundingProblem("", "score", f"{figure.text}: not a health score in the data ({now})", goal)

    def _example(self) -> str:
        money = [f for f in self.table.operands if f.kind == "money" and f.measure == "opportunity"]
        chance = [f for f in self.table.operands if f.kind == "percent" and f.measure == "probability"]
        if money and chance:
            value, p = money[0].value, chance[0].value
            return f"'{show('money', value)} at {show('percent', p)} = {show('money', value * p / 100)}'"
        return "'$50K at 70% = $35K'"

    # -- people, quotes, dates ----------------------------------------------------------------

    def _contacts_named(self, path: str, value: str) -> None:
        for name, source in self.named_contacts:
            if name in value:
                self.result.provenance[f'{path}:"{name}"'] = {
                    "kind": "record", "source": source, "label": "contact on record", "value": name, "text": name,
                }  # fmt: skip

    def _people(self, path: str, value: str, claims: TextClaims) -> None:
        self._contacts_named(path, value)
        mentions = mentions_of_contacts(claims.cued_names, claims.capitalised_names, self.first_names, self.last_names)
        for mention in mentions:
            named = _named(mention.text)
            name, lowered = named.name, named.lowered
            if (
                named.lower in self.names
                # A capitalised word before a contact's full name is the sentence's verb or a label
                # ("Bring Bianca Delgado into ...", "Sponsor Dana Garcia"), not part of the name.
                or any(" ".join(lowered[start:]) in self.names for start in range(1, len(lowered) - 1))
                or named.has_role_word
                or named.spaced in f" {self.facts.data_text} "
                # A verb after a capitalised pair ("Gainsight Pulse is") is weak evidence of a person
                # when a word of the pair is something the data already names.
                or (mention.cue in ("speech", "meeting") and any(w in self.data_words for w in lowered))
            ):
                continue
            known = ", ".join(sorted(n for n, _ in self.facts.contacts.values())) or "none on record"
            self.result.problems.append(GroundingProblem(
                path, "person", f"{name} is not one of the account's contacts",
                f"The contacts on record are {known}; name one of them, or the role to find ('the CFO, to be "
                "identified').",
            ))  # fmt: skip

    def person_field(self, path: str, value: str) -> None:
        cid = self.contact_by_name.get(value.strip().lower())
        if cid is not None:
            self.result.provenance[path] = {"kind": "record", "source": f"contacts[{cid}]",
                                            "label": "contact on record", "value": value}  # fmt: skip
            return
        words = value.split()
        if (
            2 <= len(words) <= 3
            and all(w[:1].isupper() and w.replace("-", "").replace("'", "").isalpha() for w in words)
            and not any(w.lower() in ROLE_WORDS for w in words)
        ):
            self.result.problems.append(GroundingProblem(
                path, "person", f"{value!r} is not one of the account's contacts",
                "Use a contact's exact name or a role ('CSM', 'Customer', 'Solutions engineer').",
            ))  # fmt: skip

    def _quotes(self, path: str, claims: TextClaims) -> None:
        for quote in claims.quotes:
            said = normalise(quote.text)
            if said and f" {said} " not in f" {self.facts.data_text} ":
                self.result.problems.append(GroundingProblem(
                    path, "quote", f"the quote \"{quote.text[:80]}\" is not in the account data",
                    "Quote only text on record (goals, interaction notes, risk signals), or say it in your own "
                    "words without quotation marks.",
                ))  # fmt: skip

    def _renewal(self, path: str, claims: TextClaims) -> None:
        facts = self.facts
        if not facts.renewal_known:
            return
        actual = facts.renewal_date
        for claim in claims.renewal_dates:
            if actual is not None and claim.matches(actual):
                self.result.provenance[f'{path}:"{claim.text}"'] = {
                    "kind": "record", "source": "customers.renewal_date", "label": "renewal date",
                    "value": actual.isoformat(), "text": claim.text,
                }  # fmt: skip
                continue
            on_record = f"it is {actual:%b} {actual.day}, {actual.year}" if actual else "no renewal date is on record"
            self.result.problems.append(
                GroundingProblem(path, "date", f"{claim.text} is not the renewal date in the data ({on_record}).")
            )
        for text, days in claims.days_to_renewal:
            expected = facts.days_to_renewal
            if expected is None or abs(days - expected) > max(1, 0.03 * expected):
                when = f"{expected} days away as of {facts.as_of}" if expected is not None else "not on record"
                self.result.problems.append(
                    GroundingProblem(path, "date", f"{text!r}: the renewal is {when}.")
                )
