"""Expansion opportunities (PRD-238): open CRM opportunities plus signals detected in the data
(e.g. seats over 85% used -> seat expansion priced at the customer's own ARR per seat)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel

from storage.plan_document import OpportunityType, Quarter


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
