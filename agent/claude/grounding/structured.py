"""Grounding of a plan's structured values: ARR, opportunities, stakeholder names and scores,
the benchmark rate and similar accounts, success metrics' current values and goals must equal (or
stay within) the data; what each rests on is recorded like a figure in text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from agent.claude.grounding.account import GroundingFacts, metric_kind, number_of
from agent.claude.grounding.facts import FactTable, show
from agent.claude.grounding.text import figures

CURRENT_PATH = re.compile(r"strategic_objectives\[(\d+)\]\.success_metrics\[(\d+)\]\.current$")


@dataclass(frozen=True)
class GroundingProblem:
    """One thing the data does not support: where, what kind of claim, and what to do instead."""

    path: str
    kind: str  # person | money | percent | count | score | date | quote | arr | opportunity | benchmark | target_arr
    message: str
    hint: str = ""  # what would be allowed instead, for a model's repair turn

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"

    def teaching(self) -> str:
        """The problem with what is allowed instead (for the model)."""
        return f"{self.message}. {self.hint}" if self.hint else self.message


@dataclass
class Grounding:
    """A grounding check's result: the problems found, and what each accepted figure rests on."""

    problems: list[GroundingProblem] = field(default_factory=list)
    provenance: dict[str, dict[str, Any]] = field(default_factory=dict)


class StructuredChecks:
    """The structured half of the checker (see `check.Checker`, which supplies these attributes)."""

    facts: GroundingFacts
    table: FactTable
    result: Grounding

    def text(
        self, path: str, value: str, targets: list[Any], ranges: list[Any], *, own: bool = False
    ) -> None:
        raise NotImplementedError

    # -- structured values --------------------------------------------------------------------

    def _goal(self, path: str, value: Any) -> None:
        if value is not None and value != "":
            self.result.provenance[path] = {"kind": "target", "source": "the plan's goal",
                                            "label": "success metric target", "value": value}  # fmt: skip

    def _metric_current(self, path: str, value: Any, objectives: Any) -> None:
        if isinstance(value, str) and figures(value):
            self.text(path, value, [], [])
            return
        number = number_of(value)
        found = CURRENT_PATH.search(path)
        if number is None or found is None:
            return
        metric = objectives[int(found.group(1))]["success_metrics"][int(found.group(2))]
        typed = metric_kind(str(metric.get("metric", "")), value, metric.get("target"))
        if typed is None or typed[0] not in ("money", "percent", "score") or number == 0:
            return
        kind, measure = typed
        tolerance = 0.5 if kind != "money" else max(0.5, 0.025 * abs(number))
        measures = frozenset({measure}) if kind == "score" else None
        fact = self.table.best(kind, abs(number) - tolerance, abs(number) + tolerance, measures)
        if fact is not None:
            self.result.provenance[path] = fact.provenance()
            return
        self.result.problems.append(GroundingProblem(path, kind, (
            f"the current value {value!r} of {metric.get('metric')!r} is not in the account data; use today's "
            "value from the data, or null when it is unknown."
        )))  # fmt: skip

    def _expansion_plan(self, value: dict[str, Any]) -> None:
        facts, problems, provenance = self.facts, self.result.problems, self.result.provenance
        current = float(value.get("current_arr", 0))
        if facts.current_arr is not None and abs(current - facts.current_arr) > 0.5:
            problems.append(GroundingProblem("expansion_plan.current_arr", "arr", (
                f"must be the account's ARR, {facts.current_arr:,.0f} (got {current:,.0f})")))  # fmt: skip
        elif facts.current_arr is not None:
            provenance["expansion_plan.current_arr"] = {"kind": "record", "source": "customers.arr",
                                                        "label": "ARR", "value": facts.current_arr}  # fmt: skip
        arr = facts.current_arr if facts.current_arr is not None else current
        target = float(value.get("target_arr", 0))
        ceiling = arr + facts.total_pipeline
        if not arr - 0.5 <= target <= ceiling + 0.5 and target not in facts.accepted_target_arr:
            problems.append(GroundingProblem("expansion_plan.target_arr", "target_arr", (
                f"{target:,.0f} must lie between the current ARR {arr:,.0f} and the current ARR plus the whole "
                f"identified pipeline, {ceiling:,.0f}")))  # fmt: skip
        else:
            provenance["expansion_plan.target_arr"] = {
                "kind": "target", "source": "customers.arr; expansion.total_pipeline", "label": "target ARR",
                "derivation": f"between the ARR {show('money', arr)} and ARR plus the pipeline {show('money', ceiling)}",
                "value": target,
            }  # fmt: skip
        known = ", ".join(f"{v:,.0f} at {p:.2f}" for v, p in sorted(facts.opportunities)) or "none"
        for index, opportunity in enumerate(value.get("opportunities", [])):
            pair = (float(opportunity.get("value", -1)), float(opportunity.get("probability", -1)))
            where = f"expansion_plan.opportunities[{index}]"
            match = next((source for (v, p), source in facts.opportunities.items()
                          if abs(pair[0] - v) <= 0.5 and abs(pair[1] - p) <= 0.005), None)  # fmt: skip
            if match is None:
                problems.append(GroundingProblem(where, "opportunity", (
                    f"value {pair[0]:,.0f} with probability {pair[1]:.2f} is not an opportunity in the data "
                    f"(the data has: {known})")))  # fmt: skip
                continue
            provenance[f"{where}.value"] = {"kind": "record", "source": f"{match}.value", "label": "deal value",
                                            "value": pair[0]}  # fmt: skip
            provenance[f"{where}.probability"] = {"kind": "record", "source": f"{match}.probability",
                                                  "label": "probability", "value": pair[1]}  # fmt: skip

    def _stakeholder_plan(self, value: dict[str, Any]) -> None:
        entries = [
            ("current_map", i, e, "relationship_score") for i, e in enumerate(value.get("current_map", []))
        ]
        entries += [("relationship_goals", i, e, "current_score")
                    for i, e in enumerate(value.get("relationship_goals", []))]  # fmt: skip
        for part, index, entry, score_key in entries:
            where = f"stakeholder_plan.{part}[{index}]"
            cid = entry.get("stakeholder_id", "")
            known = self.facts.contacts.get(cid)
            if known is None:
                self.result.problems.append(GroundingProblem(where, "person", (
                    f"stakeholder_id {cid!r} is not a contact id")))  # fmt: skip
                continue
            name, score = known
            if entry.get("name") != name:
                self.result.problems.append(
                    GroundingProblem(where, "person", f"{cid} is {name!r}, not {entry.get('name')!r}")
                )
            else:
                self.result.provenance[f"{where}.name"] = {"kind": "record", "source": f"contacts[{cid}].name",
                                                           "label": "contact on record", "value": name}  # fmt: skip
            if entry.get(score_key) is not None and score is not None:
                if entry[score_key] != score:
                    self.result.problems.append(GroundingProblem(where, "score", (
                        f"{name}'s relationship score is {score}, not {entry[score_key]}")))  # fmt: skip
                else:
                    self.result.provenance[f"{where}.{score_key}"] = {
                        "kind": "record", "source": f"contacts[{cid}].relationship_score",
                        "label": f"{name}'s relationship score", "value": score,
                    }  # fmt: skip

    def _benchmark_comparison(self, value: dict[str, Any]) -> None:
        rate, expected = value.get("similar_accounts_success_rate"), self.facts.success_rate
        if "similar_accounts_success_rate" not in value:  # a job writing only the similar accounts
            pass
        elif (rate is None) != (expected is None) or (
            rate is not None and expected is not None and abs(rate - expected) > 0.005
        ):
            self.result.problems.append(GroundingProblem(
                "benchmark_comparison.similar_accounts_success_rate", "benchmark", f"must be {expected} (the data's)"))  # fmt: skip
        elif rate is not None:
            self.result.provenance["benchmark_comparison.similar_accounts_success_rate"] = {
                "kind": "record", "source": "similar.success_rate", "label": "similar accounts' success rate",
                "value": rate,
            }  # fmt: skip
        for index, account in enumerate(value.get("similar_accounts", [])):
            cid = account.get("customer_id")
            if cid not in self.facts.similar_ids:
                self.result.problems.append(GroundingProblem(
                    f"benchmark_comparison.similar_accounts[{index}]", "benchmark",
                    f"{cid!r} is not one of the similar accounts found"))  # fmt: skip
            else:
                self.result.provenance[f"benchmark_comparison.similar_accounts[{index}]"] = {
                    "kind": "record", "source": f"similar.accounts[{cid}]", "label": "similar account",
                    "value": account.get("name"),
                }  # fmt: skip
