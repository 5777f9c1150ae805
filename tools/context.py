"""Everything a planner needs about one customer, gathered in a constant number of SQL round
trips, with the data gaps listed explicitly."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from tools.expansion import ExpansionAssessment
from tools.relationships import RelationshipScore
from tools.risks import RiskAssessment
from tools.similar_accounts import SimilarAccounts
from tools.stakeholders import StakeholderCoverage


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
    type: str
    description: str
    value: float
    probability: float
    expected_close: date | None
    stage: str


class RiskSignalFact(BaseModel):
    id: str
    type: str
    severity: str
    description: str
    detected_at: date | None
    status: str


class InteractionSummary(BaseModel):
    count_90d: int
    count_total: int
    average_sentiment_90d: float | None
    last_interaction: date | None
    recent: list[str]  # "2026-10-02 call with Sarah Chen: ..." newest first, at most 5


class PlanningContext(BaseModel):
    as_of: date
    customer: CustomerSnapshot
    contacts: list[ContactInsight]  # every contact, departed ones included (active=False)
    health: Trend
    usage_active_users: Trend
    usage_utilization: Trend
    opportunities: list[OpportunityFact]  # open, won and lost
    risk_signals: list[RiskSignalFact]  # active and resolved
    interactions: InteractionSummary
    days_to_renewal: int | None
    coverage: StakeholderCoverage
    expansion: ExpansionAssessment
    risks: RiskAssessment
    similar: SimilarAccounts | None  # None when not asked for
    data_gaps: list[str]  # "no usage history", "no economic buyer on record", ...


# To implement (issue 2):
#   async gather_planning_context(session, customer_id, as_of, *, fiscal_year=None,
#       fiscal_year_start_month=1, include_similar=True) -> PlanningContext
