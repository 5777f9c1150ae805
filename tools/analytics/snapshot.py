"""The facts a planning context is made of (the customer, contacts, trends, opportunities, risk
signals, interactions, similar accounts), in their own module so the analytics that read them (risks, expansion,
data gaps) and the context that gathers them do not import each other."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from storage.plan_document import OpportunityType, Severity
from tools.analytics.relationships import RelationshipScore


class CustomerSnapshot(BaseModel):
    id: str
    name: str
    industry: str | None
    segment: str | None
    arr: float | None
    health_score: int | None
    renewal_date: date | None
    contract_start: date | None
    seats_purchased: int | None
    seats_active: int | None
    feature_utilization: float | None  # percent 0-100
    csm_email: str | None
    goals: str | None
    competitors: str | None
    renewal_outcome: str | None
    arr_change_last_year: float | None


class ContactInsight(BaseModel):
    id: str
    name: str
    title: str | None
    role: str
    email: str | None
    engagement_level: str | None
    last_contacted: date | None
    active: bool
    relationship: RelationshipScore


class TrendPoint(BaseModel):
    period: str  # ISO date or YYYY-MM
    value: float


class Trend(BaseModel):
    points: list[TrendPoint]  # oldest first
    latest: float | None
    change_90d: float | None  # absolute change over ~90 days (health points / utilization points)
    change_pct_90d: float | None


class OpportunityFact(BaseModel):
    id: str
    type: OpportunityType
    description: str
    value: float
    probability: float
    expected_close: date | None
    stage: str


class RiskSignalFact(BaseModel):
    id: str
    type: str
    severity: Severity
    description: str
    detected_at: date | None
    status: str


class InteractionNote(BaseModel):
    """One logged interaction with its note, as the customer-facing record has it."""

    date: date
    kind: str | None
    contact_id: str | None
    contact_name: str | None
    sentiment: float | None  # -1..1
    summary: str


class InteractionSummary(BaseModel):
    count_90d: int
    count_total: int
    average_sentiment_90d: float | None
    last_interaction: date | None
    recent: list[str]  # "2026-10-02 call with Sarah Chen: ..." newest first, at most 5
    # Notes of the interactions in the last 180 days that have one, newest first (at most 20):
    # the customer's own words, mined by planners for evidence (frustration, alternatives, asks).
    notes: list[InteractionNote] = []


# Found by tools.analytics.similar_accounts; defined here so that module's numpy stays unloaded
# until a search runs (the CLI starts without it).
class SimilarAccount(BaseModel):
    customer_id: str
    name: str
    industry: str | None
    segment: str | None
    arr: float | None
    health_score: int | None
    feature_utilization: float | None
    similarity: float  # 0-1
    outcome: str  # renewed | churned
    arr_change_last_year: float | None
    succeeded: bool  # renewed and grew
    seat_utilization: float | None = None  # 0-1+
    active_contacts: int = 0
    has_exec_sponsor: bool = False


class SimilarAccounts(BaseModel):
    accounts: list[SimilarAccount]
    sample_size: int
    success_rate: float | None  # None when no neighbour has a known outcome
    distinguishing_factors: list[str]  # "successful peers average 74% utilization vs 41% for the rest"
    successful_profile: dict[str, float]  # averages of the successful neighbours
    explanation: str
