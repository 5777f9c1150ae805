"""Expansion: current and target ARR agree across the summary, objectives and the expansion plan;
a weighted pipeline quoted anywhere adds up; nobody says "no expansion can close" beside
opportunities that close this year; opportunities past their close date are flagged stale, not
silently moved."""

from __future__ import annotations

import re

from agent.review.facts import ReviewFacts
from agent.review.measures import metric_number
from agent.review.wording import MONEY, day, money, parse_money, same_money, short

_AMOUNT = r"(?:\$\d{1,3}(?:,\d{3})*(?:\.\d+)?\s?[KkMm]?(?![\d,]\d)|\$\d+(?:\.\d+)?\s?[KkMm]?)"
TARGET_ARR = re.compile(
    rf"target(?:ed)? ARR(?: of| is| to| at|:)?\s+({_AMOUNT})|({_AMOUNT}) target ARR"
    rf"|\bARR from {_AMOUNT} to ({_AMOUNT})|\b(?:grow|lift|raise|increase) ARR to ({_AMOUNT})",
    re.I,
)
WEIGHTED = re.compile(
    rf"({_AMOUNT})\s+(?:of\s+)?(?:probability[- ])?weighted|\bweighted(?: pipeline)?(?: of| is)?:?\s+({_AMOUNT})",
    re.I,
)
NO_EXPANSION = re.compile(
    r"\bno (?:expansion|opportunit\w*|upsell|growth|pipeline|deal)\b[^.;]{0,60}?"
    r"\b(?:can|will|could|is expected to|expected to)\s+close\b"
    r"|\bno (?:in[- ]year|this[- ]year) (?:pipeline|expansion|opportunit\w*)\b"
    r"|\bnothing (?:can|will|could) close\b",
    re.I,
)
STALE_WORDS = re.compile(
    r"\b(stale|past (?:its |the )?close|close date (?:has )?passed|overdue|was due|slipped|update (?:the|its) close|"
    r"confirm (?:the |its )?(?:close|status)|out of date|still open)\b",
    re.I,
)
QUARTER_IN = re.compile(r"\bQ([1-4])\b", re.I)
FY_IN = re.compile(r"\bFY\s?(\d{4})\b", re.I)


def _in_year(facts: ReviewFacts, timeline: str) -> bool:
    """Does an opportunity's timeline ('Q2', 'Q3 FY2027') fall inside this plan's fiscal year?"""
    years = FY_IN.findall(timeline)
    if years and any(f"FY{y}" != facts.document.fiscal_year for y in years):
        return False
    if STALE_WORDS.search(timeline):
        return False
    return bool(QUARTER_IN.search(timeline))


def _money_in(match: re.Match[str] | None) -> tuple[float, float] | None:
    if match is None:
        return None
    written = next(g for g in match.groups() if g)
    parsed = MONEY.search(written)
    return parse_money(parsed) if parsed else None


def _check_arr(facts: ReviewFacts) -> None:
    plan = facts.document.expansion_plan
    record = facts.context.customer.arr
    if record is not None and abs(plan.current_arr - record) > 0.5:
        facts.error(
            "arr_mismatch",
            "expansion_plan.current_arr",
            f"The expansion plan starts from {money(plan.current_arr)} ARR, but the account's ARR on record is {money(record)}.",
            f"Use {money(record)}, the ARR on record.",
        )
    for item in facts.texts_of("summary", "objective", "rationale", "milestone"):
        if "arr" not in item.own.lower():
            continue
        written = _money_in(TARGET_ARR.search(item.own))
        if written is not None and not same_money(written, plan.target_arr):
            facts.error(
                "expansion_figures_disagree",
                item.path,
                f"{item.label} gives a target ARR of {money(written[0])}, but the expansion plan's target ARR is "
                f"{money(plan.target_arr)}.",
                "Use one target ARR everywhere in the plan.",
            )
    for i, j, metric, measure in facts.metric_measures:
        target = metric_number(metric.target)
        if measure is None or measure.key != "arr" or target is None or target < 1000:
            continue
        if abs(target - plan.target_arr) > max(500.0, 0.005 * plan.target_arr):
            facts.error(
                "expansion_figures_disagree",
                f"strategic_objectives[{i}].success_metrics[{j}].target",
                f"Objective {i + 1} targets ARR {money(target)}, but the expansion plan's target ARR is "
                f"{money(plan.target_arr)}.",
                "Use one target ARR everywhere in the plan.",
            )
    if plan.target_arr < plan.current_arr:
        facts.warning(
            "target_below_current",
            "expansion_plan.target_arr",
            f"Target ARR {money(plan.target_arr)} is below today's {money(plan.current_arr)}: the plan expects to lose ARR.",
            "Say why (a planned downgrade), or set the target at least at today's ARR.",
        )
    ceiling = plan.current_arr + sum(o.value for o in plan.opportunities if o.type != "renewal")
    if plan.target_arr > ceiling + 0.5:
        facts.warning(
            "target_above_pipeline",
            "expansion_plan.target_arr",
            f"Target ARR {money(plan.target_arr)} needs more than today's ARR plus every opportunity "
            f"({money(ceiling)}).",
            "Add the opportunity the target counts on, or lower the target.",
        )


def _check_pipeline(facts: ReviewFacts) -> None:
    # A renewal opportunity keeps the ARR there is; only the others are expansion pipeline.
    opportunities = [o for o in facts.document.expansion_plan.opportunities if o.type != "renewal"]
    in_year = [o for o in opportunities if _in_year(facts, o.timeline)]
    weighted = {
        round(sum(o.value * o.probability for o in in_year), 2),
        round(sum(o.value * o.probability for o in opportunities), 2),
    }
    for item in facts.texts_of("summary", "objective", "rationale", "milestone"):
        if "weighted" in item.own:
            written = _money_in(WEIGHTED.search(item.own))
            if written is not None and not any(same_money(written, value) for value in weighted):
                facts.error(
                    "expansion_figures_disagree",
                    item.path,
                    f"{item.label} quotes {money(written[0])} of weighted pipeline, but the expansion plan's "
                    f"opportunities add up to {money(max(weighted))} weighted.",
                    "Quote the weighted pipeline of the opportunities the plan lists.",
                )
        lowered = item.own.lower()
        if in_year and "no" in lowered and (match := NO_EXPANSION.search(item.own)):
            facts.error(
                "expansion_figures_disagree",
                item.path,
                f"{item.label} says '{short(match.group(0))}', but the expansion plan has "
                f"{len(in_year)} {'opportunity' if len(in_year) == 1 else 'opportunities'} closing in "
                f"{facts.document.fiscal_year}.",
                "Make the objective and the expansion plan tell the same story.",
            )


def _check_stale(facts: ReviewFacts) -> None:
    plan = facts.document.expansion_plan
    # The whole text: the plan quotes opportunity names (customer words), which `own` blanks out.
    texts = [item.text.lower() for item in facts.texts]
    for opportunity in facts.context.opportunities:
        close = opportunity.expected_close
        if opportunity.stage != "open" or close is None or close >= facts.as_of:
            continue
        name = opportunity.description.strip().lower()
        same_name = [i for i, o in enumerate(plan.opportunities) if o.description.strip().lower() == name]
        # Two open opportunities may share a name: the stale one only needs to be flagged once.
        flagged = [
            i
            for i in same_name
            if STALE_WORDS.search(f"{plan.opportunities[i].timeline} {plan.opportunities[i].description}")
        ]
        listed = (flagged or same_name or [None])[0]
        # Flagged in words elsewhere (the summary's data to fix) counts too: a namesake listed as
        # on track may be another opportunity (a renewal, which the expansion plan does not list).
        said_stale = any(name in text and STALE_WORDS.search(text) for text in texts)
        if listed is not None and not said_stale:
            shown = plan.opportunities[listed]
            if not STALE_WORDS.search(f"{shown.timeline} {shown.description}"):
                facts.error(
                    "stale_opportunity",
                    f"expansion_plan.opportunities[{listed}].timeline",
                    f"'{short(opportunity.description, 50)}' was due to close on {day(close)} and is still open in "
                    f"the CRM, but the plan shows it in {shown.timeline} as if on track.",
                    "Flag it as stale and ask the account executive to update its close date or close it.",
                )
        elif not any(name in text and STALE_WORDS.search(text) for text in texts):
            facts.warning(
                "stale_opportunity",
                "expansion_plan.opportunities",
                f"'{short(opportunity.description, 50)}' was due to close on {day(close)} and is still open in the "
                "CRM; the plan does not mention it.",
                "Add it as data to fix: the account executive updates its close date or closes it.",
            )


def _check_timelines(facts: ReviewFacts) -> None:
    for i, opportunity in enumerate(facts.document.expansion_plan.opportunities):
        quarters = QUARTER_IN.findall(opportunity.timeline)
        years = FY_IN.findall(opportunity.timeline)
        if not quarters or years or STALE_WORDS.search(opportunity.timeline):
            continue
        quarter = facts.quarter(f"Q{quarters[0]}")
        if quarter.end < facts.as_of:
            facts.error(
                "scheduled_in_past_quarter",
                f"expansion_plan.opportunities[{i}].timeline",
                f"Expansion opportunity {i + 1} ('{short(opportunity.description, 50)}') is expected in "
                f"Q{quarters[0]}, which ended on {day(quarter.end)}.",
                "Move it to an open quarter with the account executive, or flag it as stale.",
            )


def check(facts: ReviewFacts) -> None:
    _check_arr(facts)
    _check_pipeline(facts)
    _check_stale(facts)
    _check_timelines(facts)
