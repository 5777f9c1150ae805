"""Expansion plan: current ARR from the data, every opportunity (CRM and detected) with value,
probability and quarter, and a target ARR of current + risk-adjusted weighted pipeline."""

from __future__ import annotations

from agent.drafter.situation import Situation
from agent.drafter.text import day, days_phrase, money, pct, plural
from storage.plan_document import ExpansionOpportunity, ExpansionPlan
from storage.vocabulary import OpportunityType
from tools.analytics.expansion import ExpansionCandidate

TARGET_ROUNDING = 1000.0
MIN_UPLIFT = 1.0
# The renewal itself is the base being protected, not growth on top of it.
NON_ADDITIVE_TYPES = (OpportunityType.RENEWAL,)


UNDATED = "no close date on record: confirm the close date with the account executive"


def timeline_of(situation: Situation, candidate: ExpansionCandidate) -> str:
    """The quarter the opportunity closes in, as recorded; never silently moved. A passed close
    date is flagged stale (and listed as data to fix), a date outside the year says so."""
    close = candidate.expected_close
    if close is not None and close < situation.context.as_of:
        return f"stale: close date {day(close)} has passed"
    quarter = candidate.expected_quarter
    if quarter is not None and quarter in situation.open_quarters and (close is None or close >= situation.plan_start):
        return quarter
    if close is not None and close > situation.quarters[-1].end:
        return f"after {situation.fiscal_year} ({day(close)})"
    if close is not None and close < situation.plan_start:
        return f"before {situation.fiscal_year} ({day(close)})"
    if close is None and candidate.expected_quarter is None:
        return UNDATED
    if candidate.expected_quarter:
        return f"stale: expected in {candidate.expected_quarter}, a quarter already over"
    return UNDATED


def counts_towards_target(situation: Situation, candidate: ExpansionCandidate, timeline: str) -> bool:
    return candidate.type not in NON_ADDITIVE_TYPES and timeline in situation.open_quarters


def later_candidates(situation: Situation) -> dict[str, int]:
    """Open expansion opportunities that cannot count this year, by why: after the year, stale
    (close date passed), undated, or closing before the year starts."""
    counts = {"after": 0, "stale": 0, "undated": 0, "before": 0}
    for candidate in situation.context.expansion.candidates:
        if candidate.type in NON_ADDITIVE_TYPES:
            continue
        timeline = timeline_of(situation, candidate)
        if timeline in situation.open_quarters:
            continue
        key = timeline.split(" ", 1)[0].rstrip(":")  # after / before / stale / no
        counts[{"after": "after", "stale": "stale", "before": "before"}.get(key, "undated")] += 1
    return counts


def _description(situation: Situation, candidate: ExpansionCandidate) -> str:
    text = candidate.description.strip() or candidate.type.replace("_", " ")
    if candidate.source == "detected" and candidate.evidence:
        text = f"{text} (detected: {candidate.evidence})"
    if situation.churn_imminent and candidate.type not in NON_ADDITIVE_TYPES:
        text = f"{text}; on hold until the renewal is secured"
    return text


def in_year_candidates(situation: Situation) -> list[ExpansionCandidate]:
    """Growth opportunities that can close in this fiscal year, largest weighted value first."""
    candidates = [
        c
        for c in situation.context.expansion.candidates
        if counts_towards_target(situation, c, timeline_of(situation, c))
    ]
    return sorted(candidates, key=lambda c: (-(c.value * c.probability), c.description))


def weighted_in_year(situation: Situation) -> float:
    """Sum of value x probability of the opportunities that can close in this fiscal year."""
    return sum(max(0.0, c.value) * min(1.0, max(0.0, c.probability)) for c in in_year_candidates(situation))


def current_arr(situation: Situation) -> float:
    return round(max(0.0, situation.arr or 0.0), 2)


def target_arr(situation: Situation) -> float:
    """Current ARR + weighted in-year pipeline x a factor for the worst open risk (0 when the
    account is about to churn: no growth target is pushed on it)."""
    current = current_arr(situation)
    uplift = weighted_in_year(situation) * situation.pipeline_factor
    if uplift < MIN_UPLIFT:
        return current  # cents of weighted pipeline are no growth case
    # The growth is a round number when it is large enough to be one; no pipeline, no growth.
    if uplift >= TARGET_ROUNDING:
        uplift = round(uplift / TARGET_ROUNDING) * TARGET_ROUNDING
    return round(current + uplift, 2)


def draft_expansion_plan(situation: Situation) -> ExpansionPlan:
    candidates = sorted(
        situation.context.expansion.candidates,
        key=lambda c: (-(c.value * c.probability), c.description, c.opportunity_id or ""),
    )
    descriptions = [_description(situation, c) for c in candidates]
    repeated = {d for d in descriptions if descriptions.count(d) > 1}
    opportunities = [
        ExpansionOpportunity(
            type=candidate.type,
            # Namesakes in the CRM are told apart by their close date.
            description=description
            + (f" (closing {day(candidate.expected_close)})" if description in repeated and candidate.expected_close else "")
            + (f" ({candidate.opportunity_id})" if description in repeated and not candidate.expected_close and candidate.opportunity_id else ""),
            value=round(max(0.0, candidate.value), 2),
            probability=round(min(1.0, max(0.0, candidate.probability)), 2),
            timeline=timeline_of(situation, candidate),
        )
        for candidate, description in zip(candidates, descriptions, strict=True)
    ]
    return ExpansionPlan(
        current_arr=current_arr(situation),
        target_arr=target_arr(situation),
        opportunities=opportunities,
    )


def expansion_summary(situation: Situation) -> str:
    """One sentence on the growth case, for the executive summary and objectives."""
    plan_target = target_arr(situation)
    current = situation.arr or 0.0
    if situation.churn_imminent:
        return f"No expansion target this year: with the renewal {days_phrase(situation.days_to_renewal or 0)}, protecting {money(current)} comes first."
    if plan_target <= current and in_year_candidates(situation):
        count = len(in_year_candidates(situation))
        return (
            f"{plural(count, 'opportunity', 'opportunities')} on record can close in {situation.fiscal_year} "
            f"but {'carries' if count == 1 else 'carry'} next to no probability-weighted value, "
            "so no ARR growth is counted on them."
        )
    if plan_target <= current:
        later = [
            c
            for c in situation.context.expansion.candidates
            if c.type not in NON_ADDITIVE_TYPES
            and not counts_towards_target(situation, c, timeline_of(situation, c))
        ]
        if later:
            total = sum(c.value for c in later)
            counts = later_candidates(situation)
            what = f"{plural(len(later), 'opportunity', 'opportunities')} worth {money(total)}"
            kinds = [key for key in ("after", "before", "stale", "undated") if counts[key]]
            if len(kinds) == 1:
                return f"No ARR growth counted this year: {what} {_why_later(kinds[0], len(later), situation.fiscal_year)}."
            detail = ", ".join(f"{counts[k]} {_why_later(k, counts[k], situation.fiscal_year)}" for k in kinds)
            return f"No ARR growth counted this year: {what} cannot count in {situation.fiscal_year} ({detail})."
        return "No expansion pipeline on record."
    factor = situation.pipeline_factor
    adjusted = f", counted at {pct(factor * 100)} for the open risk" if factor < 1 else ""
    return (
        f"Target ARR {money(plan_target)} from {money(current)}: "
        f"{money(weighted_in_year(situation))} probability-weighted in-year pipeline{adjusted}."
    )


def _why_later(kind: str, count: int, fiscal_year: str) -> str:
    one = count == 1
    return {
        "after": f"close{'s' if one else ''} after {fiscal_year}",
        "before": f"close{'s' if one else ''} before {fiscal_year} starts",
        "stale": f"{'is' if one else 'are'} past {'its' if one else 'their'} close date",
        "undated": f"{'has' if one else 'have'} no close date",
    }[kind]
