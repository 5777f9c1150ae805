"""Answers written the way a careful model writes them, and the same answers with planted inventions.

The careful author answers every drafting job in its own words: it rounds ("$250K", "about 10%"),
derives figures and shows their inputs ("$50K at 70% = $35K", "30 idle seats x $833 = $25K",
"$310K vs $250K, about 24%"), names the contacts on record, quotes the customer's own words and
sets interim milestone values between a metric's current value and its target. Everything is
filled from the account's planning context at test time, so the answers stay true however the demo
portfolio's dates and figures move.

The planted author writes the same answers with one invention per plant (a person not on record,
"our CFO, <someone>", a figure nothing supports, a changed ARR, opportunity, probability, score,
benchmark rate or renewal date, a target ARR out of bounds, a quote nobody said, a seat count
written as dollars, a scoring weight written as a percentage), each tagged with its kind and the
text that gives it away, so a test can check every one is caught and reported.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from agent.claude.grounding import GroundingFacts, show
from tests.fakes.anthropic_api import Call, Reply, Responder, text, tool_use
from tools.analytics.context import PlanningContext

Answer = dict[str, Any]


def money(value: float) -> str:
    return show("money", value)


def pct(value: float) -> str:
    return f"{value:.0f}%"


def about_pct(value: float) -> str:
    return f"about {value:.0f}%"


@dataclass
class Account:
    """What the templates need from one planning context, worked out once."""

    context: PlanningContext
    draft: dict[str, Any]  # the offline draft the model is shown

    def spare_weight(self) -> float:
        """A number in the data that is not a percentage - a relationship-scoring weight, a score
        component, a day or interaction count - that no real percentage of this account happens to
        equal (so writing it with a % sign is an invention, not a coincidence)."""
        table = GroundingFacts.from_context(self.context).table
        weights = [100 * w for c in self.context.contacts for w in c.relationship.weights.values()]
        components = [v for c in self.context.contacts for v in c.relationship.components.values()]
        counts = [
            self.context.days_to_renewal or 0,
            self.context.interactions.count_90d,
            self.context.interactions.count_total,
        ]
        candidates = [round(v) for v in (*weights, *components, *counts) if 1 <= v <= 100]
        return next(v for v in candidates if table.best("percent", v - 0.5, v + 0.5) is None)

    @property
    def customer(self) -> Any:
        return self.context.customer

    @property
    def champion(self) -> Any:
        """The engaged contact with the strongest relationship (a careful writer never leans on a
        disengaged or departed one)."""
        engaged = [c for c in self.context.contacts if c.active and c.engagement_level in ("high", "medium")]
        return max(engaged, key=lambda c: c.relationship.score) if engaged else None

    @property
    def open_deals(self) -> list[Any]:
        return [o for o in self.context.opportunities if o.stage == "open" and o.type != "renewal"]

    def seat_line(self) -> str:
        c = self.customer
        if not c.seats_purchased or c.seats_active is None:
            return ""
        share = 100 * c.seats_active / c.seats_purchased
        line = f" {c.seats_active} of {c.seats_purchased} seats are in use ({pct(share)})"
        idle = c.seats_purchased - c.seats_active
        per_seat = self.context.expansion.arr_per_seat
        if idle > 0 and per_seat:
            line += (
                f"; {idle} idle seats x {money(per_seat)} = {money(idle * per_seat)} of ARR not yet earning"
                " its keep"
            )
        return line + "."

    def pipeline_line(self) -> str:
        arr = self.customer.arr
        deals = self.open_deals
        if not deals:
            return " No expansion is open in the CRM."
        parts = [
            f"{o.description} {money(o.value)} at {pct(100 * o.probability)} = {money(o.value * o.probability)}"
            for o in deals[:2]
        ]
        line = " Pipeline: " + "; ".join(parts) + "."
        weighted = self.context.expansion.weighted_pipeline
        if arr and weighted:
            grown = arr + weighted
            line += (
                f" With the weighted pipeline ARR would reach {money(grown)}: {money(grown)} vs "
                f"{money(arr)}, {about_pct(100 * weighted / arr)} growth."
            )
        return line


def summary_and_context(account: Account) -> Answer:
    c = account.customer
    renewal = ""
    if (
        c.renewal_date
        and account.context.days_to_renewal is not None
        and account.context.days_to_renewal >= 0
    ):
        renewal = f" The renewal is on {c.renewal_date:%b} {c.renewal_date.day}, {c.renewal_date.year}."
    health = f" Health is {c.health_score}." if c.health_score is not None else ""
    utilization = (
        f" Feature utilization sits at {pct(c.feature_utilization)}." if c.feature_utilization else ""
    )
    champion = account.champion
    who = (
        f" {champion.name} ({champion.title or champion.role}) carries the relationship." if champion else ""
    )
    arr = f"a {money(c.arr)} " if c.arr else "an "
    summary = (
        f"{c.name} is {arr}{c.segment or ''} account in {c.industry or 'its industry'}."
        f"{renewal}{health}{utilization}{account.seat_line()}{account.pipeline_line()}{who}"
    )
    similar = account.context.similar
    trends = "No comparable accounts with a known outcome yet."
    if similar and similar.success_rate is not None:
        wins = round(similar.success_rate * similar.sample_size)
        trends = (
            f"Of {similar.sample_size} similar accounts, {wins} renewed and grew "
            f"({pct(100 * similar.success_rate)})."
        )
    goals = f'In their own words: "{c.goals}".' if c.goals else "No goals on record yet; confirm them first."
    rivals = f"Competitors on record: {c.competitors}." if c.competitors else "No competitor on record."
    return {
        "executive_summary": " ".join(summary.split()),
        "business_context": {
            "industry_trends": trends,
            "customer_goals": goals,
            "competitive_landscape": rivals,
        },
    }


def objective(account: Account, slot: str) -> Answer:
    draft = copy.deepcopy(next(o for o in account.draft["strategic_objectives"] if o["id"] == slot))
    metric = draft["success_metrics"][0]
    current, target = metric.get("current"), metric.get("target")
    draft["rationale"] = draft["rationale"].rstrip(".") + ". We track it monthly and review it at every QBR."
    for value in (current, target):
        if isinstance(value, str) and value.endswith("%"):
            break
    else:
        return {"objective": draft}
    low, high = float(str(current).rstrip("%")), float(str(target).rstrip("%"))
    interim = round(low + (high - low) / 2)
    for milestone in draft["quarterly_milestones"]:
        if milestone["quarter"] == "Q2":
            milestone["milestone"] += f" ({metric['metric'].lower()} at {interim}% on the way to {target})"
    draft["objective"] += f", up from {current} today"
    return {"objective": draft}


def stakeholder_plan(account: Account) -> Answer:
    plan = copy.deepcopy(account.draft["stakeholder_plan"])
    coverage = account.context.coverage
    champion = account.champion
    note = f"{coverage.active_contacts} active contacts, {coverage.engaged_contacts} of them engaged"
    if coverage.active_contacts:
        note += f" ({pct(100 * coverage.engaged_contacts / coverage.active_contacts)})"
    note += "."
    if champion:
        note += f" {champion.name} is the strongest relationship at {champion.relationship.score}."
    plan["current_assessment"] = note + " " + plan["current_assessment"]
    if champion:
        plan["exec_sponsor_strategy"] = (
            f"Ask {champion.name} for a warm introduction to an executive sponsor; open with a short "
            "briefing on outcomes so far."
        )
    return {"stakeholder_plan": plan}


def expansion_and_risks(account: Account) -> Answer:
    expansion = copy.deepcopy(account.draft["expansion_plan"])
    for opportunity in expansion["opportunities"]:
        weighted = opportunity["value"] * opportunity["probability"]
        opportunity["description"] += (
            f": {money(opportunity['value'])} at {pct(100 * opportunity['probability'])} = {money(weighted)} weighted"
        )
    risks = copy.deepcopy(account.draft["risk_mitigation"])
    arr = account.customer.arr
    for risk in risks["identified_risks"]:
        if arr:
            risk["mitigation"] = risk["mitigation"].rstrip(".") + f"; this protects {money(arr)} of ARR."
    return {"expansion_plan": expansion, "risk_mitigation": risks}


def benchmark(account: Account) -> Answer:
    comparison = copy.deepcopy(account.draft["benchmark_comparison"])
    similar = account.context.similar
    utilization = account.customer.feature_utilization
    peers = similar.successful_profile.get("feature_utilization") if similar else None
    if peers is not None and utilization is not None:
        comparison["key_differentiators"] = (
            f"Successful peers average {pct(peers)} feature utilization against {pct(utilization)} here. "
            + comparison["key_differentiators"]
        )
    return {"benchmark_comparison": comparison}


def qbr_schedule(account: Account) -> Answer:
    qbrs = copy.deepcopy(account.draft["qbr_schedule"])
    utilization = account.customer.feature_utilization
    for qbr in qbrs:
        if utilization is not None:
            qbr["focus"] += f"; adoption check (utilization {pct(utilization)} at planning time)"
    return {"qbr_schedule": qbrs}


def resource_plan(account: Account) -> Answer:
    plan = copy.deepcopy(account.draft["resource_plan"])
    if account.customer.arr:
        plan["rationale"] = f"A {money(account.customer.arr)} ARR account. " + plan["rationale"]
    return {"resource_plan": plan}


def actions(account: Account, first: int, last: int) -> Answer:
    chosen = [copy.deepcopy(a) for a in account.draft["action_plan_90day"] if first <= a["week"] <= last]
    champion = account.champion
    for action in chosen:
        if champion and champion.name not in action["action"] and action["owner"] == "CSM":
            action["action"] += f" (keep {champion.name} in the loop)"
    return {"actions": chosen}


def careful_answer(account: Account, call: Call) -> Answer:
    """The tool input a careful model sends for this call's job."""
    tool = call.forced_tool or ""
    request = call.body["messages"][0]["content"]
    if tool == "write_summary_and_context":
        return summary_and_context(account)
    if tool == "write_objective":
        return objective(account, re.search(r"objective (obj-\d+)", request).group(1))  # type: ignore[union-attr]
    if tool == "write_actions":
        first, last = map(int, re.search(r"weeks (\d+)-(\d+)", request).groups())  # type: ignore[union-attr]
        return actions(account, first, last)
    if tool in ("write_stakeholder_overview", "write_stakeholder_map", "write_relationship_goals"):
        return section_piece(tool, request, stakeholder_plan(account)["stakeholder_plan"])
    if tool == "write_risk_mitigation":
        return section_piece(tool, request, expansion_and_risks(account)["risk_mitigation"])
    if tool in ("write_benchmark_overview", "write_similar_accounts"):
        return section_piece(tool, request, benchmark(account)["benchmark_comparison"])
    writers: dict[str, Callable[[Account], Answer]] = {
        "write_expansion_plan": lambda account: {
            "expansion_plan": expansion_and_risks(account)["expansion_plan"]
        },
        "write_qbr_schedule": qbr_schedule,
        "write_resource_plan": resource_plan,
    }
    return writers[tool](account)


def section_piece(tool: str, request: str, section: dict[str, Any]) -> Answer:
    """What a job that writes part of a section answers: the tool's fields of `section`, and for a
    sliced list only the entries the request names ("entries 4-6")."""
    from agent.claude.section_jobs import SLICED_TOOLS, SPECS

    fields = list(SPECS[tool].fields)
    if tool in SLICED_TOOLS:
        first, last = map(int, re.search(r"entries (\d+)-(\d+)", request).groups())  # type: ignore[union-attr]
        return {fields[0]: copy.deepcopy(section[fields[0]][first - 1 : last])}
    return {field: copy.deepcopy(section[field]) for field in fields}


# -- planted inventions --------------------------------------------------------------------------


@dataclass(frozen=True)
class Plant:
    """One invention: which tool's answer carries it, its kind, and the text that gives it away."""

    kind: str
    tool: str
    clue: str | Callable[[Account], str]  # appears in the problem reported for it
    plant: Callable[[Answer, Account], None]

    def clue_for(self, account: Account) -> str:
        return self.clue(account) if callable(self.clue) else self.clue


def _append(field: str, sentence: str) -> Callable[[Answer, Account], None]:
    def plant(answer: Answer, account: Account) -> None:
        answer[field] = answer[field].rstrip() + " " + sentence

    return plant


def _set_in(path: tuple[Any, ...], value: Callable[[Account], Any]) -> Callable[[Answer, Account], None]:
    def plant(answer: Answer, account: Account) -> None:
        target = answer
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value(account)

    return plant


def _in_objective(sentence: str) -> Callable[[Answer, Account], None]:
    def plant(answer: Answer, account: Account) -> None:
        answer["objective"]["rationale"] += " " + sentence

    return plant


def _in_context(field: str, sentence: str) -> Callable[[Answer, Account], None]:
    def plant(answer: Answer, account: Account) -> None:
        answer["business_context"][field] += " " + sentence

    return plant


def _quote(answer: Answer, account: Account) -> None:
    champion = account.champion
    name = champion.name if champion else "the customer"
    answer["current_assessment"] += f' As {name} put it, "we are ready to double our footprint next year".'


def _renewal_moved(account: Account) -> str:
    moved = account.customer.renewal_date + timedelta(days=45)
    return f"The renewal is on {moved:%b} {moved.day}, {moved.year}."


PLANTS: tuple[Plant, ...] = (
    Plant("person not on record", "write_summary_and_context", "Tom Reyes",
          _append("executive_summary", "Tom Reyes signs off on every renewal.")),
    Plant("person given with a title", "write_objective", "Dana Whitfield",
          _in_objective("Our CFO, Dana Whitfield, wants the business case by Q2.")),
    Plant("money not derivable", "write_summary_and_context", "$1.37M",
          _in_context("industry_trends", "The account could be worth $1.37M within two years.")),
    Plant("percentage not derivable", "write_summary_and_context", "37%",
          _in_context("competitive_landscape", "There is a 37% chance they switch vendors.")),
    Plant("count not derivable", "write_actions", "1,850 seats", lambda answer, account: answer["actions"][0].update(
        action=answer["actions"][0]["action"] + "; plan for 1,850 seats next year")),
    Plant("seat count written as money", "write_resource_plan", lambda account: f"${account.customer.seats_active}",  # seats as dollars
          lambda answer, account: answer["resource_plan"].update(
              rationale=answer["resource_plan"]["rationale"] + f" Budget ${account.customer.seats_active} for training.")),
    Plant("weight or count written as a percentage", "write_qbr_schedule", lambda account: pct(account.spare_weight()),  # a weight as a percentage
          lambda answer, account: answer["qbr_schedule"][0].update(
              focus=answer["qbr_schedule"][0]["focus"] + f"; recency drives {pct(account.spare_weight())} of "
              "relationship health")),
    Plant("changed ARR", "write_expansion_plan", "current_arr",
          _set_in(("expansion_plan", "current_arr"), lambda account: (account.customer.arr or 0) * 1.2)),
    Plant("changed opportunity value", "write_expansion_plan", "not an opportunity in the data",
          _set_in(("expansion_plan", "opportunities", 0, "value"),
                  lambda account: account.draft["expansion_plan"]["opportunities"][0]["value"] + 10_000)),
    Plant("changed probability", "write_expansion_plan", "with probability 0.95",
          _set_in(("expansion_plan", "opportunities", 1, "probability"), lambda account: 0.95)),
    Plant("target_arr out of bounds", "write_expansion_plan", "target_arr",
          _set_in(("expansion_plan", "target_arr"),
                  lambda account: (account.customer.arr or 0) + 3 * account.context.expansion.total_pipeline + 1)),
    Plant("changed relationship score", "write_stakeholder_map", "relationship score",
          _set_in(("current_map", 0, "relationship_score"),
                  lambda account: min(100, (account.draft["stakeholder_plan"]["current_map"][0]["relationship_score"] or 0) + 7))),
    Plant("quote not in the data", "write_stakeholder_overview", "double our footprint", _quote),
    Plant("changed benchmark rate", "write_benchmark_overview", "similar_accounts_success_rate",
          _set_in(("similar_accounts_success_rate",),
                  lambda account: round(min(1.0, (account.context.similar.success_rate or 0) + 0.2), 2))),  # type: ignore[union-attr]
    Plant("changed renewal date", "write_summary_and_context", "not the renewal date",
          lambda answer, account: answer.update(executive_summary=answer["executive_summary"] + " " + _renewal_moved(account))),
    Plant("changed health score", "write_objective", "health score",
          _in_objective("Health 97 today shows the account is thriving.")),
)  # fmt: skip


def planted_answer(account: Account, call: Call, plants: tuple[Plant, ...] = PLANTS) -> Answer:
    """The careful answer with every plant for this call's tool put in (objective plants go into the
    first objective slot only, so the other slots show the rest stays Claude's)."""
    answer = careful_answer(account, call)
    tool = call.forced_tool
    request = call.body["messages"][0]["content"]
    for plant in plants:
        if plant.tool != tool:
            continue
        if tool == "write_objective" and "objective obj-1 " not in request:
            continue
        if tool == "write_actions" and "weeks 1-" not in request:
            continue
        if "entries " in request and "entries 1-" not in request:
            continue
        plant.plant(answer, account)
    return answer


def author(account: Account, *, planted: bool = False) -> Responder:
    """A responder for the fake Messages API: answers the warm-up and every job; with `planted`,
    the answer carries the plants on every attempt (so a plant that is not caught would survive)."""

    def respond(call: Call) -> Reply:
        tool = call.forced_tool
        if tool is None:
            return Reply([text("OK")], stop_reason="max_tokens", output_tokens=1)
        answer = planted_answer(account, call) if planted else careful_answer(account, call)
        return Reply([tool_use(tool, answer)], stop_reason="tool_use")

    return respond
