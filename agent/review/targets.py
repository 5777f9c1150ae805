"""Targets and measures: one target per measure across objectives, metrics and the summary; no
target on a measure the account has no data for; baselines that match the data; priorities that
keep their meaning (at most two critical objectives)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.review.facts import ReviewFacts
from agent.review.measures import MEASURE_BY_KEY, MEASURES, Measure, metric_number
from agent.review.wording import and_list, number, own_words, short
from storage.plan_document import MetricValue

MAX_CRITICAL = 2
PRIORITY_RANK = {"critical": 0, "high": 1, "medium": 2}
# A metric that names a checkpoint is an interim value, not the year's target.
_DIGIT = re.compile(r"\d")
_BASELINE = re.compile(r"baseline|establish|set up|measure", re.I)
_INTERIM = re.compile(
    r"\b(by|at|in|end of|mid)[- ]?(q[1-4]|h1|mid-year|midyear|month \d+|day \d+)\b|\binterim\b", re.I
)


# "to 78", "health 68 -> 83", "70% feature utilization", "utilization to 70%" in prose: (measure,
# the word that must be in the text, the pattern, whether a target word must come before it). Each
# pattern is led by a character class (no re.I, no leading \b), so a scan skips other text at C speed.
_PROSE_TARGETS: tuple[tuple[str, str, re.Pattern[str], bool], ...] = (
    (
        "health",
        "health",
        re.compile(
            r"[Hh]ealth(?: score)?(?:\s+(?:from\s+)?\d+)?\s+(?:to|->|→|of at least|at least)\s+(\d+)\b"
        ),
        False,
    ),
    ("utilization", "utili", re.compile(r"(\d+(?:\.\d+)?)% (?:feature )?[Uu]tili[sz]ation\b"), True),
    (
        "utilization",
        "utili",
        re.compile(r"[Uu]tili[sz]ation(?:\s+(?:from\s+)?\d+(?:\.\d+)?%?)?\s+(?:to|->|→)\s+(\d+(?:\.\d+)?)%"),
        False,
    ),
)
# A share read off "70% feature utilization" is a target only after one of these words.
_TARGET_WORDS = ("to", "reach", "reaching", "target", "targeting", "->", "→", "least")
_SHARE = re.compile(r"activation|utili[sz]|share|rate", re.I)


@dataclass(frozen=True)
class Claim:
    measure: str
    unit: str  # "%" for shares, "" for counts and scores
    value: float
    path: str
    where: str  # "objective 1", "the executive summary"


def _unit(measure: Measure, metric_name: str, target: MetricValue) -> str:
    if measure.percent:
        return "%"
    shown = f"{metric_name} {target}"
    return "%" if "%" in shown or _SHARE.search(metric_name) else ""


def _normalised(measure: Measure, unit: str, value: float) -> float:
    """Shares written as fractions (0.7) read as percentages (70)."""
    return value * 100 if unit == "%" and measure.key != "arr" and 0 < value <= 1 else value


def _metric_claims(facts: ReviewFacts) -> list[Claim]:
    claims: list[Claim] = []
    for i, j, metric, measure in facts.metric_measures:
        value = metric_number(metric.target)
        if measure is None or value is None or _INTERIM.search(metric.metric):
            continue
        unit = _unit(measure, metric.metric, metric.target)
        claims.append(
            Claim(
                measure.key,
                unit,
                value
                if isinstance(metric.target, str) and "%" in metric.target
                else _normalised(measure, unit, value),
                f"strategic_objectives[{i}].success_metrics[{j}].target",
                f"objective {i + 1}",
            )
        )
    return claims


def _prose_claims(facts: ReviewFacts) -> list[Claim]:
    claims: list[Claim] = []
    for item in facts.texts_of("summary", "objective"):
        where = "the executive summary" if item.kind == "summary" else item.label.split("'")[0].lower()
        lowered = item.own.lower()
        for key, keyword, pattern, needs_target_word in _PROSE_TARGETS:
            if keyword not in lowered:
                continue
            for match in pattern.finditer(item.own):
                if needs_target_word:
                    before = item.own[max(0, match.start() - 12) : match.start()].split()
                    if not before or before[-1].lower() not in _TARGET_WORDS:
                        continue  # "55% feature utilization" today, not a target
                unit = "%" if MEASURE_BY_KEY[key].percent else ""
                claims.append(Claim(key, unit, float(match.group(1)), item.path, where))
    return claims


def _check_one_target(facts: ReviewFacts, claims: list[Claim]) -> None:
    first: dict[tuple[str, str], Claim] = {}
    for claim in claims:
        key = (claim.measure, claim.unit)
        earlier = first.setdefault(key, claim)
        if earlier is claim or abs(earlier.value - claim.value) < 0.5:
            continue
        label = MEASURE_BY_KEY[claim.measure].label
        sign = claim.unit
        facts.error(
            "conflicting_targets",
            claim.path,
            f"{claim.where.capitalize()} targets {label} {number(claim.value)}{sign} but "
            f"{earlier.where} targets {number(earlier.value)}{sign}: pick one target for {label}.",
            f"Use one {label} target ({number(earlier.value)}{sign} or {number(claim.value)}{sign}) "
            "everywhere in the plan: objectives, success metrics and the summary.",
        )


def _check_data_behind(facts: ReviewFacts) -> None:
    context = facts.context
    for i, j, metric, measure in facts.metric_measures:
        if measure is None or measure.has_data(context) or metric_number(metric.target) is None:
            continue
        facts.error(
            "target_without_data",
            f"strategic_objectives[{i}].success_metrics[{j}].target",
            f"Objective {i + 1} sets a {measure.label} target ({metric.target}) but the account has "
            f"{measure.missing} on record.",
            f"Make the first step 'establish a {measure.label} baseline' and set the target once there is data.",
        )
    without = [measure for measure in MEASURES if not measure.has_data(context)]
    if not without:
        return
    for i, objective in enumerate(facts.document.strategic_objectives):
        for j, milestone in enumerate(objective.quarterly_milestones):
            text = own_words(milestone.milestone)  # a quoted CRM name ("Seats for ...") sets no level
            if not _DIGIT.search(text) or _BASELINE.search(text):
                continue
            measure = next((m for m in without if m.pattern.search(text)), None)
            if measure is not None:
                facts.error(
                    "target_without_data",
                    f"strategic_objectives[{i}].quarterly_milestones[{j}]",
                    f"Objective {i + 1}'s {milestone.quarter} milestone '{short(text)}' sets a {measure.label} "
                    f"level, but the account has {measure.missing} on record.",
                    f"Reword it as establishing the {measure.label} baseline.",
                )


def _check_baselines(facts: ReviewFacts) -> None:
    """A metric's `current` must be the account's figure as of the plan's date."""
    for i, j, metric, measure in facts.metric_measures:
        current = metric_number(metric.current)
        if measure is None or current is None or _INTERIM.search(metric.metric):
            continue
        unit = _unit(measure, metric.metric, metric.current)
        if measure.key in ("seats", "active_users") or (measure.percent and unit != "%"):
            continue
        record = measure.on_record(facts.context)
        if record is None:
            continue
        if not (isinstance(metric.current, str) and "%" in metric.current):  # "1%" is one percent, not 100%
            current = _normalised(measure, unit, current)
        tolerance = max(1.0, abs(record) * 0.01)
        if abs(current - record) > tolerance:
            facts.error(
                "baseline_mismatch",
                f"strategic_objectives[{i}].success_metrics[{j}].current",
                f"Objective {i + 1} says {measure.label} is {number(current)}{unit} today, but the "
                f"account's data says {number(round(record, 1))}{unit}.",
                f"Start the metric from {number(round(record, 1))}{unit}, the figure on record.",
            )


def _check_priorities(facts: ReviewFacts) -> None:
    objectives = facts.document.strategic_objectives
    critical = [i for i, o in enumerate(objectives) if o.priority == "critical"]
    for i in critical[MAX_CRITICAL:]:
        facts.error(
            "too_many_critical",
            f"strategic_objectives[{i}].priority",
            f"{len(critical)} objectives are critical ({and_list([str(n + 1) for n in critical])}): "
            f"critical should mean the account is lost without it, which holds for at most {MAX_CRITICAL}.",
            f"Keep the two that decide the account critical and make objective {i + 1} high.",
        )
    worst = 0
    for i, objective in enumerate(objectives):
        rank = PRIORITY_RANK[objective.priority]
        if rank < worst:
            facts.warning(
                "priority_order",
                f"strategic_objectives[{i}].priority",
                f"Objective {i + 1} is {objective.priority} but comes after a lower-priority objective.",
                "List objectives from most to least important.",
            )
        worst = max(worst, rank)


def check(facts: ReviewFacts) -> None:
    _check_one_target(facts, _metric_claims(facts) + _prose_claims(facts))
    _check_data_behind(facts)
    _check_baselines(facts)
    _check_priorities(facts)
