"""The facts of one account that a plan may state, read from its planning context (or, when the
live data cannot be read, from the plan accepted before), each typed and with its source."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from agent.claude.grounding.facts import Fact, FactKind, FactTable, Origin, show
from agent.claude.grounding.text import figures, normalise
from storage.plan_document import SECTIONS, AccountPlanDocument
from storage.vocabulary import OpportunityStage
from tools.analytics.context import PlanningContext


def metric_kind(name: str, *values: Any) -> tuple[FactKind, str] | None:
    """What a success metric measures, from how its values are written or else its name."""
    for value in values:
        if isinstance(value, str):
            written = figures(value)
            if written:
                return written[0].kind, written[0].measure
    lowered = name.lower()
    if any(word in lowered for word in ("arr", "revenue", "pipeline", "expansion value", "$")):
        return "money", "arr"
    if any(word in lowered for word in ("utilization", "adoption", "rate", "share", "%", "percent")):
        return "percent", "utilization"
    if "health" in lowered:
        return "score", "health"
    if "seat" in lowered or "licen" in lowered:
        return "count", "seats"
    if "user" in lowered:
        return "count", "users"
    return None


def number_of(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    written = figures(value) if isinstance(value, str) else []
    if written:
        return written[0].value
    try:
        return float(str(value).strip())
    except ValueError:
        return None


def _strings(value: Any) -> list[str]:
    """Every string under `value`, in order."""
    found: list[str] = []
    _collect_strings(value, found)
    return found


def _collect_strings(value: Any, found: list[str]) -> None:
    # One list filled by plain recursion: a context holds hundreds of values.
    if isinstance(value, dict):
        for item in value.values():
            _collect_strings(item, found)
    elif isinstance(value, list):
        for item in value:
            _collect_strings(item, found)
    elif isinstance(value, str):
        found.append(value)


@dataclass
class GroundingFacts:
    """Everything a plan may state about one account: typed figures (with one-step derivations),
    the contacts, and the structured values that must equal the data."""

    facts: list[Fact] = field(default_factory=list)
    ratios: list[tuple[Fact, Fact]] = field(default_factory=list)
    contacts: dict[str, tuple[str, int | None]] = field(default_factory=dict)  # id -> (name, score)
    current_arr: float | None = None
    opportunities: dict[tuple[float, float], str] = field(default_factory=dict)  # (value, p) -> source
    total_pipeline: float = 0.0
    success_rate: float | None = None
    similar_ids: set[str] = field(default_factory=set)
    accepted_target_arr: set[float] = field(default_factory=set)  # targets a plan already carries
    renewal_known: bool = False  # False: the data was not read, renewal claims cannot be checked
    renewal_date: date | None = None
    days_to_renewal: int | None = None
    as_of: date | None = None
    data_text: str = ""  # normalised text of the data: quotes must come from it
    targets: list[Fact] = field(default_factory=list)  # goals of the plans this one builds on

    @cached_property
    def table(self) -> FactTable:
        table = FactTable()
        for fact in self.facts:
            table.add(fact)
        table.ratios = list(self.ratios)
        table.derive()
        return table

    @cached_property
    def names(self) -> set[str]:
        return {name.lower() for name, _ in self.contacts.values()}

    @classmethod
    def from_context(cls, context: PlanningContext) -> GroundingFacts:
        facts = cls(as_of=context.as_of, renewal_known=True)
        add = facts._add
        customer = context.customer
        add("money", customer.arr, "customers.arr", "ARR", measure="arr", operand=True)
        change = customer.arr_change_last_year
        add("money", change, "customers.arr_change_last_year", "ARR change last year", measure="arr", operand=True)
        if customer.arr is not None and change is not None:
            add("money", customer.arr - change, "customers.arr; customers.arr_change_last_year",
                "ARR a year ago", measure="arr", operand=True, origin="derived",
                derivation=f"{show('money', customer.arr)} - {show('money', change)}")  # fmt: skip
        seats = add("count", customer.seats_purchased, "customers.seats_purchased", "seats purchased",
                    measure="seats", operand=True)  # fmt: skip
        active = add("count", customer.seats_active, "customers.seats_active", "active seats", measure="seats",
                     operand=True)  # fmt: skip
        if seats and active:
            facts.ratios.append((active, seats))
        add("percent", customer.feature_utilization, "customers.feature_utilization", "feature utilization",
            measure="utilization", operand=True)  # fmt: skip
        add("score", customer.health_score, "customers.health_score", "health score", measure="health",
            operand=True)  # fmt: skip
        facts.renewal_date, facts.days_to_renewal = customer.renewal_date, context.days_to_renewal
        add("days", context.days_to_renewal, "customers.renewal_date", "days to renewal")
        for text_field in ("goals", "competitors", "industry"):
            facts._text(getattr(customer, text_field), f"customers.{text_field}")
        facts._trend(context.health, "health_history", "health score", "score", "health")
        facts._trend(context.usage_active_users, "usage_monthly.active_users", "active users", "count", "users")
        facts._trend(context.usage_utilization, "usage_monthly.feature_utilization", "feature utilization",
                     "percent", "utilization")  # fmt: skip
        users = next((f for f in facts.facts if f.source == "usage_monthly.active_users" and f.operand), None)
        if users and seats:
            facts.ratios.append((users, seats))
        for contact in context.contacts:
            score = contact.relationship
            facts.contacts[contact.id] = (contact.name, score.score)
            add("score", score.score, f"contacts[{contact.id}].relationship_score",
                f"{contact.name}'s relationship score", measure="relationship")  # fmt: skip
            for part, points in score.components.items():
                add("score", points, f"contacts[{contact.id}].relationship.{part}", f"{part} score component")
            for part, weight in score.weights.items():
                add("weight", 100 * weight, f"relationship weights.{part}", f"the scoring weight of {part}")
        for opportunity in context.opportunities:
            where = f"opportunities[{opportunity.id}]"
            is_open = opportunity.stage == OpportunityStage.OPEN
            add("money", opportunity.value, f"{where}.value", f"value of {opportunity.description!r}",
                measure="opportunity", operand=is_open)  # fmt: skip
            add("percent", 100 * opportunity.probability, f"{where}.probability",
                f"probability of {opportunity.description!r}", measure="probability", operand=is_open)  # fmt: skip
            facts._text(opportunity.description, f"{where}.description")
            if is_open:
                facts.opportunities[(opportunity.value, opportunity.probability)] = where
        for signal in context.risk_signals:
            facts._text(signal.description, f"risk_signals[{signal.id}].description")
        interactions = context.interactions
        add("count", interactions.count_90d, "interactions (90 days)", "interactions in 90 days")
        add("count", interactions.count_total, "interactions", "interactions on record")
        for index, line in enumerate(interactions.recent):
            facts._text(line, f"interactions.recent[{index}]")
        coverage = context.coverage
        active_contacts = add("count", coverage.active_contacts, "contacts (active)", "active contacts",
                              measure="contacts", operand=True)  # fmt: skip
        engaged = add("count", coverage.engaged_contacts, "contacts (engaged)", "engaged contacts",
                      measure="contacts", operand=True)  # fmt: skip
        add("count", coverage.champion_count, "contacts (champions)", "champions", measure="contacts", operand=True)
        add("count", len(context.contacts), "contacts", "contacts on record", measure="contacts")
        if active_contacts and engaged:
            facts.ratios.append((engaged, active_contacts))
        facts._expansion(context)
        for index, risk in enumerate(context.risks.risks):
            facts._text(f"{risk.title}: {risk.evidence}", f"risks[{index}]")
        facts._similar(context)
        for gap in context.data_gaps:
            facts._text(gap, "data_gaps")
        facts.data_text = normalise(" ".join(_strings(context.model_dump(mode="json"))))
        return facts

    @classmethod
    def from_document(cls, document: AccountPlanDocument) -> GroundingFacts:
        """When the live data cannot be read: what the accepted plan itself established."""
        facts = cls(current_arr=document.expansion_plan.current_arr)
        facts.total_pipeline = sum(o.value for o in document.expansion_plan.opportunities)
        facts.success_rate = document.benchmark_comparison.similar_accounts_success_rate
        facts.similar_ids = {a.customer_id for a in document.benchmark_comparison.similar_accounts}
        facts._add("money", document.expansion_plan.current_arr, "plan: expansion_plan.current_arr", "ARR",
                   measure="arr", operand=True, origin="plan")  # fmt: skip
        extended = facts.with_document(document)
        data = document.to_json_dict()
        extended.data_text = normalise(" ".join(_strings({s: data[s] for s in SECTIONS})))
        return extended

    def with_document(self, document: AccountPlanDocument, *, texts: bool = True) -> GroundingFacts:
        """These facts plus what an already-accepted plan says (edits may keep or repeat it). With
        `texts=False` only its structured values and goals are added (to trace the plan itself)."""
        values: dict[str, Any] = {
            name: (value.copy() if isinstance(value, list | dict | set) else value)
            for name, value in self.__dict__.items() if name not in ("table", "names")
        }  # fmt: skip
        extended = GroundingFacts(**values)
        plan = document.expansion_plan
        extended.accepted_target_arr.add(plan.target_arr)
        extended._add("money", plan.target_arr, "expansion_plan.target_arr", "the plan's target ARR",
                      measure="arr_target", origin="target")  # fmt: skip
        arr = self.current_arr if self.current_arr is not None else plan.current_arr
        if arr and plan.target_arr > arr:
            extended._add("money", plan.target_arr - arr, "expansion_plan.target_arr; customers.arr",
                          "growth to the target ARR", origin="target",
                          derivation=f"{show('money', plan.target_arr)} - {show('money', arr)}")  # fmt: skip
            extended._add("percent", 100 * (plan.target_arr - arr) / arr, "expansion_plan.target_arr; customers.arr",
                          "growth to the target ARR", origin="target",
                          derivation=f"({show('money', plan.target_arr)} - {show('money', arr)}) / {show('money', arr)}")  # fmt: skip
        for index, opportunity in enumerate(plan.opportunities):
            key = (opportunity.value, opportunity.probability)
            extended.opportunities.setdefault(key, f"plan: expansion_plan.opportunities[{index}]")
        for entry in document.stakeholder_plan.current_map:
            extended.contacts.setdefault(entry.stakeholder_id, (entry.name, entry.relationship_score))
        for index, objective in enumerate(document.strategic_objectives):
            for number, metric in enumerate(objective.success_metrics):
                typed = metric_kind(metric.metric, metric.current, metric.target)
                target = number_of(metric.target)
                if typed and target is not None:
                    extended.targets.append(Fact(
                        typed[0], abs(target), f"strategic_objectives[{index}].success_metrics[{number}].target",
                        f"target for {metric.metric}", measure=typed[1], origin="target",
                    ))  # fmt: skip
        if texts:
            data = document.to_json_dict()
            for section in SECTIONS:
                for text in _strings(data[section]):
                    extended._text(text, f"plan: {section}", origin="plan")
        return extended

    # -- building blocks --------------------------------------------------------------------

    def _add(self, kind: FactKind, value: float | int | None, source: str, label: str, **extra: Any) -> Fact | None:
        if value is None:
            return None
        fact = Fact(kind, abs(float(value)), source, label, **extra)
        self.facts.append(fact)
        return fact

    def _text(self, text: str | None, source: str, origin: Origin = "record") -> None:
        for figure in figures(text or ""):
            self.facts.append(Fact(figure.kind, figure.value, source, f"a figure in {source}",
                                   measure=figure.measure, origin=origin))  # fmt: skip

    def _trend(self, trend: Any, source: str, label: str, kind: FactKind, measure: str) -> None:
        for point in trend.points:
            self._add(kind, point.value, f"{source}[{point.period}]", f"{label} in {point.period}", measure=measure)
        if trend.latest is None:
            return
        self._add(kind, trend.latest, f"{source} (latest)", f"{label} now", measure=measure, operand=True)
        if trend.change_90d is not None:
            self._add(kind, trend.latest - trend.change_90d, f"{source} (90 days ago)", f"{label} 90 days ago",
                      measure=measure, operand=True)  # fmt: skip
        if trend.points:
            self._add(kind, trend.points[0].value, f"{source}[{trend.points[0].period}]",
                      f"{label} a year ago", measure=measure, operand=True)  # fmt: skip
        if trend.change_pct_90d is not None:
            self._add("percent", trend.change_pct_90d, f"{source} (90-day change)", f"change in {label}, percent")

    def _expansion(self, context: PlanningContext) -> None:
        expansion = context.expansion
        for index, candidate in enumerate(expansion.candidates):
            if candidate.source == "crm":
                continue  # the opportunity itself is already a fact
            where = f"expansion.candidates[{index}]"
            self._add("money", candidate.value, f"{where}.value", f"value of detected {candidate.type}",
                      measure="opportunity", operand=True)  # fmt: skip
            self._add("percent", 100 * candidate.probability, f"{where}.probability",
                      f"probability of detected {candidate.type}", measure="probability", operand=True)  # fmt: skip
            self.opportunities[(candidate.value, candidate.probability)] = where
            self._text(f"{candidate.description}; {candidate.evidence}", where)
        self.current_arr = context.customer.arr
        self.total_pipeline = expansion.total_pipeline
        self._add("money", expansion.total_pipeline, "expansion.total_pipeline", "total pipeline",
                  measure="pipeline", operand=True)  # fmt: skip
        self._add("money", expansion.weighted_pipeline, "expansion.weighted_pipeline",
                  "probability-weighted pipeline", measure="pipeline", operand=True)  # fmt: skip
        self._add("money", expansion.arr_per_seat, "expansion.arr_per_seat", "ARR per seat",
                  measure="arr_per_seat", operand=True)  # fmt: skip
        if expansion.seat_utilization is not None:
            self._add("percent", 100 * expansion.seat_utilization, "expansion.seat_utilization", "seats in use")
        self._text(expansion.explanation, "expansion.explanation")

    def _similar(self, context: PlanningContext) -> None:
        similar = context.similar
        if similar is None:
            return
        self.success_rate = similar.success_rate
        self.similar_ids = {a.customer_id for a in similar.accounts}
        if similar.success_rate is not None:
            self._add("percent", 100 * similar.success_rate, "similar.success_rate",
                      "similar accounts' success rate", measure="success_rate")  # fmt: skip
        self._add("count", similar.sample_size, "similar.sample_size", "similar accounts compared", measure="peers")
        for account in similar.accounts:
            self._add("money", account.arr, f"similar.accounts[{account.customer_id}].arr",
                      f"{account.name}'s ARR", measure="peer_arr")  # fmt: skip
        profile_kinds: dict[str, tuple[FactKind, str]] = {
            "feature_utilization": ("percent", "utilization"), "seat_utilization_pct": ("percent", ""),
            "exec_sponsor_share_pct": ("percent", ""), "health_score": ("score", "health"),
            "active_contacts": ("count", "contacts"), "champions": ("count", "contacts"), "arr": ("money", "peer_arr"),
        }  # fmt: skip
        for key, value in similar.successful_profile.items():
            kind, measure = profile_kinds.get(key, ("score", ""))
            self._add(kind, value, f"similar.successful_profile.{key}", f"successful peers' average {key}",
                      measure=measure)  # fmt: skip
        for index, sentence in enumerate(similar.distinguishing_factors):
            self._text(sentence, f"similar.distinguishing_factors[{index}]")
        self._text(similar.explanation, "similar.explanation")
