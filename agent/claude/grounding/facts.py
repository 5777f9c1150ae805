"""Typed facts: what each figure in an account's data *is*, and what can be computed from it.

Grounding used to pool every number in the data as both money and a percentage, so a scoring
weight (0.2) made "20%" pass and a seat count made "$240" pass. Here each figure is typed when it
is read - money (ARR, deal values, pipeline, ARR per seat), percent (utilization, probability,
success rate, changes), count (seats, users, contacts), score (health, relationship) or days -
and only money can ground money, only a percentage a percentage. Weights, score components and day
counts are kept only to explain a rejection ("240 is a count of seats, not dollars").

Figures computed from the account's key values with one operation (`a x b`, `a +/- b`, `a / b`,
percentage change) are facts too, each with its derivation, so "$50K at 70% = $35K" is grounded
while an arbitrary "$37K" is not.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from agent.claude.grounding.text import count_figures, money_figures, percent_figures

FactKind = Literal["money", "percent", "count", "score", "days", "weight"]
Origin = Literal["record", "derived", "plan", "target"]
# Lower is preferred when several facts match a figure: a record beats a derivation.
ORIGIN_RANK: dict[str, int] = {"record": 0, "plan": 1, "target": 2, "derived": 3}
MONEY_FAMILIES = frozenset({"arr", "opportunity", "pipeline"})
CHANGE_MEASURES = frozenset({"arr", "health", "utilization", "users", "seats"})


@dataclass(frozen=True)
class Fact:
    """One figure the plan may state, with what it rests on."""

    kind: FactKind
    value: float  # percentages on a 0-100 scale; always the absolute value
    source: str  # "customers.arr", "opportunities[opp-1].value", or the inputs of a derivation
    label: str  # what it is, in words: "ARR", "active seats"
    measure: str = ""  # derivation family: "arr", "opportunity", "pipeline", "seats", "health", ...
    operand: bool = False  # a key value that one-step derivations start from
    origin: Origin = "record"
    derivation: str = ""

    def provenance(self, text: str | None = None) -> dict[str, Any]:
        """The shape stored in `generation_context["provenance"]`."""
        entry: dict[str, Any] = {
            "kind": self.origin,
            "source": self.source,
            "label": self.label,
            "value": round(self.value, 4),
        }
        if self.derivation:
            entry["derivation"] = self.derivation
        if text is not None:
            entry["text"] = text
        return entry


KIND_WORDS = {
    "money": "an amount of money", "percent": "a percentage", "count": "a count", "score": "a score",
    "days": "a number of days", "weight": "a scoring weight",
}  # fmt: skip


def preference(fact: Fact) -> tuple[int, bool, int]:
    """Which of several matching facts a figure most plainly rests on: a record before a derivation,
    a field before a figure quoted in some text, a short derivation before a long one."""
    return ORIGIN_RANK[fact.origin], fact.label.startswith("a figure in"), len(fact.derivation)


# Words that tie a figure's sentence to what a fact measures ("adoption" -> utilization).
MEASURE_WORDS: dict[str, frozenset[str]] = {
    "utilization": frozenset({"utilization", "adoption", "usage", "utilisation"}),
    "health": frozenset({"health"}),
    "arr": frozenset({"arr", "revenue", "contract", "renewal"}),
    "probability": frozenset({"probability", "likelihood", "chance", "odds"}),
    "pipeline": frozenset({"pipeline", "weighted"}),
    "seats": frozenset({"seats", "seat", "licenses", "idle"}),
    "users": frozenset({"users", "active"}),
    "success_rate": frozenset({"peers", "similar", "renewed", "grew", "success"}),
}


def relevance(fact: Fact, words: AbstractSet[str]) -> int:
    """How many words of a figure's sentence name what `fact` is about."""
    return len(words & _about(fact.label, fact.measure))


@lru_cache(maxsize=4096)
def _about(label: str, measure: str) -> frozenset[str]:
    """The words that say what a fact with this label and measure is about (cached: labels repeat
    across figures and plans)."""
    label = "" if label.startswith("a figure in") else label  # quoted text says nothing of what it is
    own = {w for w in label.lower().replace("'", " ").split() if len(w) > 3}
    return frozenset(own | MEASURE_WORDS.get(measure, frozenset()))


def _entity(fact: Fact) -> str:
    """The record a fact belongs to: "opportunities[opp-1]" for its value and its probability."""
    return fact.source.rsplit(".", 1)[0]


def show(kind: str, value: float) -> str:
    """A figure the way a plan writes it: $50K, $1.2M, $833, 70%, 300."""
    if kind == "money":
        if value >= 1e6:
            return f"${value / 1e6:.2f}".rstrip("0").rstrip(".") + "M"
        if value >= 1e4:
            return f"${value / 1e3:.1f}".rstrip("0").rstrip(".") + "K"
        return f"${value:,.0f}"
    if kind == "percent":
        return f"{value:.1f}".rstrip("0").rstrip(".") + "%"
    return f"{value:,.1f}".rstrip("0").rstrip(".")


@dataclass
class FactBook:
    """Facts of one kind, sorted by value, for tolerance look-ups."""

    values: list[float] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)

    def add(self, fact: Fact) -> None:
        index = bisect.bisect_left(self.values, fact.value)
        self.values.insert(index, fact.value)
        self.facts.insert(index, fact)

    def near(self, low: float, high: float) -> list[Fact]:
        start = bisect.bisect_left(self.values, low - 1e-6)
        stop = bisect.bisect_right(self.values, high + 1e-6)
        return self.facts[start:stop]

    def best(self, low: float, high: float) -> Fact | None:
        hits = self.near(low, high)
        return min(hits, key=preference) if hits else None


class FactTable:
    """Every typed fact of one plan's data (and of the plans it may repeat), by kind."""

    def __init__(self) -> None:
        self.books: dict[str, FactBook] = {}
        self.operands: list[Fact] = []
        self.ratios: list[tuple[Fact, Fact]] = []  # (part, whole) count pairs whose share means something

    def add(self, fact: Fact) -> None:
        if fact.value < 0:
            fact = Fact(**{**fact.__dict__, "value": -fact.value})
        self.books.setdefault(fact.kind, FactBook()).add(fact)
        if fact.operand:
            self.operands.append(fact)

    def add_value(self, kind: FactKind, value: float | None, source: str, label: str, **extra: Any) -> None:
        if value is not None:
            self.add(Fact(kind, float(value), source, label, **extra))

    def add_text(self, text: str, source: str, origin: Origin = "record") -> None:
        """The figures written in a text field of the data, typed by how they are written."""
        for figure in money_figures(text) + percent_figures(text) + count_figures(text):
            label = f"figure in {source}"
            self.add(Fact(figure.kind, figure.value, source, label, measure=figure.measure, origin=origin))

    def near(self, kind: str, low: float, high: float, measures: frozenset[str] | None = None) -> list[Fact]:
        book = self.books.get(kind)
        hits = book.near(low, high) if book else []
        return hits if measures is None else [f for f in hits if f.measure in measures]

    def best(self, kind: str, low: float, high: float, measures: frozenset[str] | None = None) -> Fact | None:
        hits = self.near(kind, low, high, measures)
        return min(hits, key=preference) if hits else None

    def other_kinds(self, value: float, tolerance: float, exclude: str) -> list[Fact]:
        """Facts of other kinds with this value: why a number is not what the text calls it."""
        hits: list[Fact] = []
        for kind, book in self.books.items():
            if kind != exclude:
                hits += [f for f in book.near(value - tolerance, value + tolerance) if f.origin == "record"]
        return hits

    def key_facts(self, kind: str, limit: int = 6) -> list[Fact]:
        """The operands of a kind, for telling the model what it may use."""
        seen: set[float] = set()
        chosen = []
        for fact in self.operands:
            if fact.kind == kind and fact.value not in seen and fact.origin == "record":
                seen.add(fact.value)
                chosen.append(fact)
        return chosen[:limit]

    def derive(self) -> None:
        """Add every figure one operation away from the key values (typed, within a family)."""
        operands = list(self.operands)
        money = [f for f in operands if f.kind == "money" and f.measure in MONEY_FAMILIES]
        arr = [f for f in money if f.measure == "arr" and f.source == "customers.arr"]
        probabilities = [f for f in operands if f.kind == "percent" and f.measure == "probability"]
        derived: list[Fact] = []

        def add(
            kind: FactKind, value: float, label: str, derivation: str, inputs: list[Fact], measure: str = ""
        ) -> None:
            if value >= 0:
                source = "; ".join(dict.fromkeys(f.source for f in inputs))
                derived.append(
                    Fact(kind, value, source, label, measure=measure, origin="derived", derivation=derivation)
                )

        for a, b in itertools.combinations(money, 2):
            if a.measure == b.measure or "arr" in (a.measure, b.measure):
                add("money", a.value + b.value, "sum", f"{show('money', a.value)} + {show('money', b.value)}",
                    [a, b], "arr" if "arr" in (a.measure, b.measure) else a.measure)  # fmt: skip
            if a.measure == b.measure:
                add("money", abs(a.value - b.value), "difference",
                    f"{show('money', max(a.value, b.value))} - {show('money', min(a.value, b.value))}", [a, b])  # fmt: skip
        for amount in money:
            for probability in probabilities:
                if _entity(amount) == _entity(probability):
                    add("money", amount.value * probability.value / 100, "probability-weighted value",
                        f"{show('money', amount.value)} x {show('percent', probability.value)}", [amount, probability])  # fmt: skip
            for base in arr:
                if amount is not base and base.value:
                    add("percent", 100 * amount.value / base.value, "share of ARR",
                        f"{show('money', amount.value)} / {show('money', base.value)}", [amount, base])  # fmt: skip
        per_seat = [f for f in operands if f.kind == "money" and f.measure == "arr_per_seat"]
        seats = [f for f in operands if f.kind == "count" and f.measure == "seats"]
        for count in seats:
            for price in per_seat:
                add("money", count.value * price.value, "ARR of those seats",
                    f"{show('count', count.value)} seats x {show('money', price.value)}", [count, price], "arr")  # fmt: skip
        by_measure: dict[tuple[str, str], list[Fact]] = {}
        for fact in operands:
            by_measure.setdefault((fact.kind, fact.measure), []).append(fact)
        for (kind, measure), group in by_measure.items():
            if kind == "count":
                for a, b in itertools.combinations(group, 2):
                    add("count", abs(a.value - b.value), f"difference in {measure}",
                        f"{show('count', max(a.value, b.value))} - {show('count', min(a.value, b.value))}", [a, b],
                        measure)  # fmt: skip
            if measure in CHANGE_MEASURES:
                for new, old in itertools.permutations(group, 2):
                    if old.value:
                        add("percent", 100 * abs(new.value - old.value) / old.value, f"change in {measure}",
                            f"({show(kind, new.value)} - {show(kind, old.value)}) / {show(kind, old.value)}",
                            [new, old])  # fmt: skip
        for part, whole in self.ratios:
            if whole.value:
                add("percent", 100 * part.value / whole.value, f"{part.label} of {whole.label}",
                    f"{show('count', part.value)} / {show('count', whole.value)}", [part, whole])  # fmt: skip
        for fact in derived:
            self.add(fact)
