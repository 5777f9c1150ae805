"""Expansion opportunities (PRD-238): open CRM opportunities plus signals detected in the data
(e.g. seats over 85% used -> seat expansion priced at the customer's own ARR per seat)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel

from storage.plan_document import OpportunityType, Quarter
from storage.vocabulary import OpportunityStage
from tools.analytics.fiscal_calendar import fiscal_quarters, quarter_of

if TYPE_CHECKING:
    from tools.analytics.snapshot import CustomerSnapshot, OpportunityFact

SEAT_PRESSURE_THRESHOLD = 0.85  # seats_active / seats_purchased above this -> seat expansion
SEAT_EXPANSION_SHARE = 0.20  # propose 20% more seats
UPSELL_MIN_HEALTH = 70
UPSELL_MIN_FEATURE_UTILIZATION = 75.0  # percent: using most of the tier -> ready for the next one
UPSELL_SHARE_OF_ARR = 0.15  # a next-tier upgrade is priced at 15% of current ARR
EXPANSION_READY_MIN_HEALTH = 70
MIN_DETECTED_PROBABILITY, MAX_DETECTED_PROBABILITY = 0.10, 0.80
# A detected expansion usually closes in the first quarter that leaves time to build the case.
LEAD_TIME_DAYS = 45


class ExpansionCandidate(BaseModel):
    source: Literal["crm", "detected"]
    opportunity_id: str | None
    type: OpportunityType
    description: str
    value: float
    probability: float  # 0-1
    expected_close: date | None
    expected_quarter: Quarter | None  # in the plan's fiscal year
    evidence: str


class ExpansionAssessment(BaseModel):
    candidates: list[ExpansionCandidate]
    total_pipeline: float
    weighted_pipeline: float  # sum(value * probability)
    arr_per_seat: float | None
    seat_utilization: float | None  # seats_active / seats_purchased, 0-1+
    expansion_ready: bool
    explanation: str


def _clamp_probability(value: float) -> float:
    return round(min(MAX_DETECTED_PROBABILITY, max(MIN_DETECTED_PROBABILITY, value)), 2)


def _health_adjustment(health: int | None) -> float:
    """+0.15 at health 90, 0 at 60, -0.15 at 30; unknown health counts as neutral."""
    return 0.0 if health is None else (health - 60) / 200


def _detected_close(fiscal_year: str, start_month: int, as_of: date) -> date:
    """End of the first quarter of the plan year that ends at least LEAD_TIME_DAYS after as_of."""
    quarters = fiscal_quarters(fiscal_year, start_month)
    ready = as_of + timedelta(days=LEAD_TIME_DAYS)
    for quarter in quarters:
        if quarter.end >= ready:
            return quarter.end
    return quarters[-1].end


def _crm_candidate(
    opportunity: OpportunityFact, fiscal_year: str, start_month: int, as_of: date
) -> ExpansionCandidate:
    close = opportunity.expected_close
    quarter = quarter_of(close, fiscal_year, start_month) if close else None
    evidence = f"open CRM opportunity {opportunity.id}: ${float(opportunity.value):,.0f} at p={opportunity.probability:.2f}"
    if close is None:
        evidence += ", no expected close date"
    elif close < as_of:
        evidence += f", expected close {close.isoformat()} has passed"
    elif quarter is None:
        evidence += f", expected close {close.isoformat()} is outside {fiscal_year}"
    else:
        evidence += f", expected close {close.isoformat()} ({quarter})"
    return ExpansionCandidate(
        source="crm",
        opportunity_id=opportunity.id,
        type=opportunity.type,
        description=opportunity.description,
        value=float(opportunity.value),
        probability=float(opportunity.probability),
        expected_close=close,
        expected_quarter=quarter,
        evidence=evidence,
    )


def assess_expansion(
    customer: CustomerSnapshot,
    opportunities: Sequence[OpportunityFact],
    fiscal_year: str,
    start_month: int,
    as_of: date,
) -> ExpansionAssessment:
    """Open expansion opportunities from the CRM plus ones detected in seats and adoption.

    A detected signal is dropped when an open CRM opportunity of the same type already covers it.
    Renewal opportunities are retention, not expansion, so they are not part of the pipeline.
    """
    open_expansions = [o for o in opportunities if o.stage == OpportunityStage.OPEN and o.type != OpportunityType.RENEWAL]
    candidates = [_crm_candidate(o, fiscal_year, start_month, as_of) for o in open_expansions]
    open_types = {o.type for o in open_expansions}
    notes: list[str] = []

    arr = float(customer.arr) if customer.arr is not None else None
    health = customer.health_score
    purchased, active = customer.seats_purchased, customer.seats_active
    seat_utilization = active / purchased if purchased and active is not None else None
    arr_per_seat = arr / purchased if arr and purchased else None
    adoption = customer.feature_utilization
    close = _detected_close(fiscal_year, start_month, as_of)
    close_quarter = quarter_of(close, fiscal_year, start_month)

    if seat_utilization is not None and seat_utilization > SEAT_PRESSURE_THRESHOLD and purchased:
        seats = math.ceil(purchased * SEAT_EXPANSION_SHARE)
        evidence = f"{active} of {purchased} seats in use ({seat_utilization:.0%}, above {SEAT_PRESSURE_THRESHOLD:.0%})"
        if "seat_expansion" in open_types:
            notes.append(f"seat pressure ({evidence}) is already covered by an open CRM opportunity")
        elif arr_per_seat is None:
            notes.append(f"seat pressure ({evidence}) but ARR unknown, so it cannot be priced")
        else:
            probability = _clamp_probability(
                0.30 + 2 * (seat_utilization - SEAT_PRESSURE_THRESHOLD) + _health_adjustment(health)
            )
            candidates.append(
                ExpansionCandidate(
                    source="detected",
                    opportunity_id=None,
                    type=OpportunityType.SEAT_EXPANSION,
                    description=f"Add {seats} seats ({SEAT_EXPANSION_SHARE:.0%} more) at the current price per seat",
                    value=round(seats * arr_per_seat, 2),
                    probability=probability,
                    expected_close=close,
                    expected_quarter=close_quarter,
                    evidence=f"{evidence}; {seats} seats x ${arr_per_seat:,.0f} ARR per seat"
                    + (f"; health {health}" if health is not None else ""),
                )
            )

    if (
        health is not None
        and health >= UPSELL_MIN_HEALTH
        and adoption is not None
        and adoption >= UPSELL_MIN_FEATURE_UTILIZATION
    ):
        evidence = f"feature utilization {adoption:.0f}% and health {health}"
        if "upsell" in open_types:
            notes.append(f"upsell readiness ({evidence}) is already covered by an open CRM opportunity")
        elif arr is None:
            notes.append(f"upsell readiness ({evidence}) but ARR unknown, so it cannot be priced")
        else:
            probability = _clamp_probability(
                0.25 + (adoption - UPSELL_MIN_FEATURE_UTILIZATION) / 100 + _health_adjustment(health)
            )
            candidates.append(
                ExpansionCandidate(
                    source="detected",
                    opportunity_id=None,
                    type=OpportunityType.UPSELL,
                    description="Upgrade to the next product tier",
                    value=round(arr * UPSELL_SHARE_OF_ARR, 2),
                    probability=probability,
                    expected_close=close,
                    expected_quarter=close_quarter,
                    evidence=f"{evidence}: the account uses most of its current tier; priced at "
                    f"{UPSELL_SHARE_OF_ARR:.0%} of ${arr:,.0f} ARR",
                )
            )

    total = round(sum(c.value for c in candidates), 2)
    weighted = round(sum(c.value * c.probability for c in candidates), 2)
    high_utilization = (seat_utilization is not None and seat_utilization > SEAT_PRESSURE_THRESHOLD) or (
        adoption is not None and adoption >= UPSELL_MIN_FEATURE_UTILIZATION
    )
    ready = (
        health is not None and health >= EXPANSION_READY_MIN_HEALTH and (high_utilization or bool(candidates))
    )

    crm_count = sum(c.source == "crm" for c in candidates)
    summary = (
        f"{crm_count} open CRM opportunit{'y' if crm_count == 1 else 'ies'} and "
        f"{len(candidates) - crm_count} detected; pipeline ${total:,.0f}, weighted ${weighted:,.0f}"
    )
    if ready:
        summary += f"; expansion-ready (health {health}"
        summary += ", high utilization)" if high_utilization else ", open opportunities)"
    elif health is None:
        summary += "; health unknown, so expansion readiness cannot be judged"
    elif health < EXPANSION_READY_MIN_HEALTH:
        summary += f"; not expansion-ready: health {health} is below {EXPANSION_READY_MIN_HEALTH}"
    else:
        summary += "; not expansion-ready: utilization is not high and no opportunity is open"
    return ExpansionAssessment(
        candidates=candidates,
        total_pipeline=total,
        weighted_pipeline=weighted,
        arr_per_seat=round(arr_per_seat, 2) if arr_per_seat is not None else None,
        seat_utilization=round(seat_utilization, 4) if seat_utilization is not None else None,
        expansion_ready=ready,
        explanation="; ".join([summary, *notes]),
    )
