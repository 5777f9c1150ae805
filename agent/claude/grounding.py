"""Grounding: the numbers and names in a plan come from the account's data, not the model's
imagination.

Every money figure and percentage in a section's text must match a figure in the planning context
(or be an explicitly labelled target: a success metric's `target`, which the objective's own text
may repeat). Every person named must be one of the account's contacts. `current_arr`, opportunity
values and probabilities, stakeholder scores and the benchmark success rate must equal the data.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from storage.plan_document import SECTIONS, AccountPlanDocument
from tools.analytics.context import PlanningContext
from tools.plans.revisions import GroundingCheck

MONEY = re.compile(
    r"\$\s?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s?(k|m|bn|b|million|thousand|billion)?(?![a-z])", re.IGNORECASE
)
PERCENT = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s?(%|percent\b)")
PERSON = re.compile(r"\b([A-Z][a-z]+(?:[-'][A-Z][a-z]+)?) ([A-Z][a-z]+(?:[-'][A-Z][a-z]+)?)\b")
MULTIPLIERS = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "b": 1e9, "bn": 1e9, "billion": 1e9}
# Words that make "Account Executive" or "Success Team" a role rather than a person's name.
ROLE_WORDS = frozenset(
    [
        "csm",
        "customer",
        "team",
        "success",
        "sales",
        "support",
        "account",
        "executive",
        "executives",
        "manager",
        "engineer",
        "engineering",
        "product",
        "solutions",
        "sponsor",
        "champion",
        "buyer",
        "leadership",
        "finance",
        "it",
        "ops",
        "operations",
        "services",
        "director",
        "vp",
        "cto",
        "cfo",
        "ceo",
        "coo",
        "cio",
        "admin",
        "administrator",
        "training",
        "marketing",
        "both",
        "owner",
        "lead",
        "specialist",
        "architect",
        "partner",
        "legal",
        "procurement",
        "security",
        "renewal",
        "review",
        "business",
        "technical",
        "economic",
        "steering",
        "committee",
        "board",
        "group",
        "office",
        "head",
        "chief",
        "officer",
        "analytics",
        "platform",
        "premium",
        "enterprise",
        "plan",
        "quarterly",
    ]
)
MAX_EXPANSION_SUMS = 10  # subsets of at most this many candidates are summed into allowed totals


@dataclass(frozen=True)
class Figure:
    text: str
    value: float
    tolerance: float  # half the unit the text was written in: "$250K" is 250,000 +/- 500


def _figure(text: str, number: str, decimals: str | None, multiplier: float) -> Figure:
    places = len(decimals) - 1 if decimals else 0
    value = float(number.replace(",", "") + (decimals or "")) * multiplier
    return Figure(text, value, multiplier * 10**-places / 2)


def money_figures(text: str) -> list[Figure]:
    return [
        _figure(m.group(0).strip(), m.group(1), m.group(2), MULTIPLIERS.get((m.group(3) or "").lower(), 1.0))
        for m in MONEY.finditer(text)
    ]


def percent_figures(text: str) -> list[Figure]:
    found = []
    for m in PERCENT.finditer(text):
        whole, _, decimals = m.group(1).partition(".")
        found.append(_figure(m.group(0), whole, "." + decimals if decimals else None, 1.0))
    return found


def _leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, f"{path}[{index}]")
    else:
        yield path, value


@dataclass
class GroundingFacts:
    """The figures and people a plan may mention, gathered from the planning context."""

    money: set[float] = field(default_factory=set)
    percents: set[float] = field(default_factory=set)
    contacts: dict[str, tuple[str, int | None]] = field(default_factory=dict)  # id -> (name, score)
    current_arr: float | None = None
    opportunities: set[tuple[float, float]] = field(default_factory=set)  # (value, probability)
    total_pipeline: float = 0.0
    success_rate: float | None = None
    similar_ids: set[str] = field(default_factory=set)
    accepted_target_arr: set[float] = field(default_factory=set)  # targets a plan already carries

    @classmethod
    def from_context(cls, context: PlanningContext) -> GroundingFacts:
        facts = cls()
        facts.absorb(context.model_dump(mode="json"))
        facts.contacts = {c.id: (c.name, c.relationship.score) for c in context.contacts}
        facts.current_arr = context.customer.arr
        candidates = context.expansion.candidates
        facts.opportunities = {(c.value, c.probability) for c in candidates}
        facts.opportunities |= {(o.value, o.probability) for o in context.opportunities if o.stage == "open"}
        facts.total_pipeline = sum(c.value for c in candidates)
        if context.similar is not None:
            facts.success_rate = context.similar.success_rate
            facts.similar_ids = {a.customer_id for a in context.similar.accounts}
        # Totals a plan legitimately states: pipeline sums and ARR after winning some of it.
        values = [c.value for c in candidates[:MAX_EXPANSION_SUMS]]
        arr = facts.current_arr or 0.0
        for size in range(1, len(values) + 1):
            for subset in itertools.combinations(values, size):
                facts.money |= {sum(subset), arr + sum(subset)}
        facts.money |= {arr + context.expansion.weighted_pipeline}
        return facts

    @classmethod
    def from_document(cls, document: AccountPlanDocument) -> GroundingFacts:
        """When the live data cannot be read: what the accepted plan itself established."""
        facts = cls(current_arr=document.expansion_plan.current_arr)
        facts.total_pipeline = sum(o.value for o in document.expansion_plan.opportunities)
        facts.success_rate = document.benchmark_comparison.similar_accounts_success_rate
        facts.similar_ids = {a.customer_id for a in document.benchmark_comparison.similar_accounts}
        return facts.with_document(document)

    def absorb(self, data: Any) -> None:
        """Every number in `data` may be quoted as money or a percentage (fractions as percents)."""
        for _, leaf in _leaves(data):
            if isinstance(leaf, bool) or leaf is None:
                continue
            if isinstance(leaf, int | float):
                self.money.add(float(leaf))
                self.percents.add(float(leaf))
                if -1.0 <= leaf <= 1.0:
                    self.percents.add(round(float(leaf) * 100, 6))
            elif isinstance(leaf, str):
                self.money |= {f.value for f in money_figures(leaf)}
                self.percents |= {f.value for f in percent_figures(leaf)}

    def with_document(self, document: AccountPlanDocument) -> GroundingFacts:
        """These facts plus what an already-accepted plan says (edits may keep or repeat it)."""
        extended = GroundingFacts(
            money=set(self.money),
            percents=set(self.percents),
            contacts=dict(self.contacts),
            current_arr=self.current_arr,
            opportunities=set(self.opportunities),
            total_pipeline=self.total_pipeline,
            success_rate=self.success_rate,
            similar_ids=set(self.similar_ids),
            accepted_target_arr=self.accepted_target_arr | {document.expansion_plan.target_arr},
        )
        data = document.to_json_dict()
        extended.absorb({s: data[s] for s in SECTIONS})
        extended.opportunities |= {(o.value, o.probability) for o in document.expansion_plan.opportunities}
        for entry in document.stakeholder_plan.current_map:
            extended.contacts.setdefault(entry.stakeholder_id, (entry.name, entry.relationship_score))
        return extended


def _grounded(figure: Figure, pool: set[float]) -> bool:
    return any(abs(value - figure.value) <= figure.tolerance + 1e-6 for value in pool)


def _metric_targets(objective: dict[str, Any]) -> tuple[set[float], set[float]]:
    """An objective's labelled targets, as (money, percents) its own text may repeat."""
    money: set[float] = set()
    percents: set[float] = set()
    for metric in objective.get("success_metrics", []):
        target = metric.get("target")
        if isinstance(target, int | float) and not isinstance(target, bool):
            money.add(float(target))
            percents.add(float(target))
        elif isinstance(target, str):
            money |= {f.value for f in money_figures(target)}
            percents |= {f.value for f in percent_figures(target)}
    return money, percents


def _looks_like_person(value: str) -> bool:
    words = value.split()
    return (
        2 <= len(words) <= 3
        and all(w[:1].isupper() and w.replace("-", "").replace("'", "").isalpha() for w in words)
        and not any(w.lower() in ROLE_WORDS for w in words)
    )


class _Checker:
    def __init__(self, facts: GroundingFacts) -> None:
        self.facts = facts
        self.names = {name.lower() for name, _ in facts.contacts.values()}
        self.first_names = {name.split()[0].lower() for name, _ in facts.contacts.values() if name.split()}
        self.last_names = {name.split()[-1].lower() for name, _ in facts.contacts.values() if name.split()}
        self.problems: list[str] = []

    def text(
        self, where: str, value: str, money: set[float], percents: set[float], names: bool = True
    ) -> None:
        for figure in money_figures(value):
            if not _grounded(figure, money):
                self.problems.append(
                    f"{where}: {figure.text} is not a figure from the account data (quote the data's figures; "
                    "put goals in a success metric's target)"
                )
        for figure in percent_figures(value):
            if not _grounded(figure, percents):
                self.problems.append(
                    f"{where}: {figure.text} is not a percentage from the account data (quote the data; put "
                    "goals in a success metric's target)"
                )
        for match in PERSON.finditer(value) if names else ():
            first, last = match.group(1).lower(), match.group(2).lower()
            full = f"{first} {last}"
            if full not in self.names and (first in self.first_names or last in self.last_names):
                self.problems.append(f"{where}: {match.group(0)} is not one of the account's contacts")

    def person_field(self, where: str, value: str) -> None:
        if _looks_like_person(value) and value.lower() not in self.names:
            self.problems.append(
                f"{where}: {value!r} is not one of the account's contacts (use a contact or a role)"
            )

    def section(self, name: str, value: Any) -> None:
        money, percents = self.facts.money, self.facts.percents
        objectives = value if name == "strategic_objectives" and isinstance(value, list) else []
        for path, leaf in _leaves(value, name):
            if not isinstance(leaf, str):
                continue
            if re.search(r"success_metrics\[\d+\]\.target$", path):
                continue  # a labelled target is the one place a new figure belongs
            pool_money, pool_percents = money, percents
            found = re.match(r"strategic_objectives\[(\d+)\]", path)
            if found and int(found.group(1)) < len(objectives):
                extra_money, extra_percents = _metric_targets(objectives[int(found.group(1))])
                pool_money, pool_percents = money | extra_money, percents | extra_percents
            person = re.search(r"\.(owner|attendees\[\d+\])$", path) is not None
            self.text(path, leaf, pool_money, pool_percents, names=not person)
            if person:
                self.person_field(path, leaf)
        structured = getattr(self, f"_{name}", None)
        if structured is not None:
            structured(value)

    def _expansion_plan(self, value: dict[str, Any]) -> None:
        facts = self.facts
        current = float(value.get("current_arr", 0))
        if facts.current_arr is not None and abs(current - facts.current_arr) > 0.5:
            self.problems.append(
                f"expansion_plan.current_arr must be the account's ARR, {facts.current_arr:,.0f} (got {current:,.0f})"
            )
        arr = facts.current_arr if facts.current_arr is not None else current
        target = float(value.get("target_arr", 0))
        ceiling = arr + facts.total_pipeline
        if not arr - 0.5 <= target <= ceiling + 0.5 and target not in facts.accepted_target_arr:
            self.problems.append(
                f"expansion_plan.target_arr {target:,.0f} must lie between the current ARR {arr:,.0f} and the "
                f"current ARR plus the whole identified pipeline, {ceiling:,.0f}"
            )
        known = ", ".join(f"{v:,.0f} at {p:.2f}" for v, p in sorted(facts.opportunities)) or "none"
        for index, opportunity in enumerate(value.get("opportunities", [])):
            pair = (float(opportunity.get("value", -1)), float(opportunity.get("probability", -1)))
            if not any(abs(pair[0] - v) <= 0.5 and abs(pair[1] - p) <= 0.005 for v, p in facts.opportunities):
                self.problems.append(
                    f"expansion_plan.opportunities[{index}]: value {pair[0]:,.0f} with probability {pair[1]:.2f} "
                    f"is not an opportunity in the data (the data has: {known})"
                )

    def _stakeholder_plan(self, value: dict[str, Any]) -> None:
        entries = [
            ("current_map", i, e, "relationship_score") for i, e in enumerate(value.get("current_map", []))
        ]
        entries += [
            ("relationship_goals", i, e, "current_score")
            for i, e in enumerate(value.get("relationship_goals", []))
        ]
        for part, index, entry, score_key in entries:
            where = f"stakeholder_plan.{part} entry {index + 1}"
            known = self.facts.contacts.get(entry.get("stakeholder_id", ""))
            if known is None:
                self.problems.append(
                    f"{where}: stakeholder_id {entry.get('stakeholder_id')!r} is not a contact id"
                )
                continue
            name, score = known
            if entry.get("name") != name:
                self.problems.append(
                    f"{where}: {entry.get('stakeholder_id')} is {name!r}, not {entry.get('name')!r}"
                )
            if entry.get(score_key) is not None and score is not None and entry[score_key] != score:
                self.problems.append(
                    f"{where}: {name}'s relationship score is {score}, not {entry[score_key]}"
                )

    def _benchmark_comparison(self, value: dict[str, Any]) -> None:
        rate = value.get("similar_accounts_success_rate")
        expected = self.facts.success_rate
        if (rate is None) != (expected is None) or (
            rate is not None and expected is not None and abs(rate - expected) > 0.005
        ):
            self.problems.append(
                f"benchmark_comparison.similar_accounts_success_rate must be {expected} (the data's)"
            )
        for account in value.get("similar_accounts", []):
            if account.get("customer_id") not in self.facts.similar_ids:
                self.problems.append(
                    f"benchmark_comparison: {account.get('customer_id')!r} is not one of the similar accounts found"
                )


def check_sections(sections: dict[str, Any], facts: GroundingFacts) -> list[str]:
    """Grounding problems in `sections` (section name -> JSON value); empty when all is grounded."""
    checker = _Checker(facts)
    for name, value in sections.items():
        checker.section(name, value)
    return checker.problems


def grounding_check(facts: GroundingFacts) -> GroundingCheck:
    """A check for plan edits: changed sections must be grounded in the data or the plan as it was."""

    def check(before: AccountPlanDocument, after: AccountPlanDocument) -> list[str]:
        old, new = before.to_json_dict(), after.to_json_dict()
        changed = {s: new[s] for s in SECTIONS if old[s] != new[s]}
        return check_sections(changed, facts.with_document(before)) if changed else []

    return check
