"""SQLAlchemy models: the customer data the planner reads and the plans it writes."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator, TypeEngine

from storage.vocabulary import (
    ContactRole,
    EngagementLevel,
    OpportunityStage,
    OpportunityType,
    PlanStatus,
    ProposalStatus,
    RenewalOutcome,
    RiskStatus,
    Role,
    RunItemState,
    RunMode,
    RunState,
    Severity,
    Surface,
    Vocabulary,
)

V = TypeVar("V", bound=Vocabulary)


class VocabularyColumn(TypeDecorator[V]):
    """A VARCHAR holding one vocabulary's words: writes the string, reads back the member (a word
    outside the vocabulary fails loudly on either side instead of spreading). Here rather than in
    storage.vocabulary so reading the vocabularies (the CLI's options do) needs no SQLAlchemy."""

    impl = String
    cache_ok = True

    def __init__(self, vocabulary: type[V], length: int) -> None:
        super().__init__(length)
        self.vocabulary = vocabulary

    def process_bind_param(self, value: V | str | None, dialect: Dialect) -> str | None:
        return None if value is None else self.vocabulary(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> V | None:
        return None if value is None else self.vocabulary(value)


class JSONDocument(TypeDecorator[Any]):
    """JSONB on PostgreSQL (the PRD's column type), plain JSON elsewhere. The PostgreSQL type is
    imported when a PostgreSQL connection asks for it: importing that dialect costs every SQLite
    process (each CLI command) ~25 ms."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSONB

            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_uuid() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    pass


def table_of(model: type[Base]) -> Table:
    """The Table a model maps, typed as one (SQLAlchemy types `Model.__table__` as any FromClause)."""
    return Base.metadata.tables[model.__tablename__]


class User(Base):
    """A CSM, manager or admin; `manager_email` names who approves their plans."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(VocabularyColumn(Role, 20))  # csm | manager | admin
    manager_email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    slack_user_id: Mapped[str | None] = mapped_column(String(32), unique=True, nullable=True)


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    industry: Mapped[str | None] = mapped_column(String(100), nullable=True)
    segment: Mapped[str | None] = mapped_column(String(50), nullable=True)
    arr: Mapped[Decimal | None] = mapped_column(Numeric(14, 2), nullable=True)
    health_score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    renewal_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    contract_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    seats_purchased: Mapped[int | None] = mapped_column(Integer, nullable=True)
    seats_active: Mapped[int | None] = mapped_column(Integer, nullable=True)
    feature_utilization: Mapped[float | None] = mapped_column(Float, nullable=True)  # percent 0-100
    csm_email: Mapped[str | None] = mapped_column(String(320), nullable=True, index=True)
    goals: Mapped[str | None] = mapped_column(Text, nullable=True)
    competitors: Mapped[str | None] = mapped_column(Text, nullable=True)
    renewal_outcome: Mapped[RenewalOutcome | None] = mapped_column(VocabularyColumn(RenewalOutcome, 20), nullable=True)
    arr_change_last_year: Mapped[Decimal | None] = mapped_column(Numeric(14, 2), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    __table_args__ = (
        Index("ix_customers_outcome_industry", "renewal_outcome", "industry"),
        # The similar-accounts index checks max(updated_at) to notice changed data.
        Index("ix_customers_updated_at", "updated_at"),
    )


class Contact(Base):
    """A stakeholder at a customer; `active = False` means they left the company."""

    __tablename__ = "contacts"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(200), nullable=True)
    role: Mapped[ContactRole] = mapped_column(VocabularyColumn(ContactRole, 30))
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    engagement_level: Mapped[EngagementLevel | None] = mapped_column(
        VocabularyColumn(EngagementLevel, 10), nullable=True
    )
    last_contacted: Mapped[date | None] = mapped_column(Date, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class HealthScore(Base):
    __tablename__ = "health_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    date: Mapped[date] = mapped_column(Date)
    score: Mapped[int] = mapped_column(Integer)

    __table_args__ = (UniqueConstraint("customer_id", "date", name="uq_health_customer_date"),)


class UsageMonth(Base):
    __tablename__ = "usage_monthly"

    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM
    active_users: Mapped[int | None] = mapped_column(Integer, nullable=True)
    feature_utilization: Mapped[float | None] = mapped_column(Float, nullable=True)


class Opportunity(Base):
    __tablename__ = "opportunities"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    type: Mapped[OpportunityType] = mapped_column(VocabularyColumn(OpportunityType, 20))
    description: Mapped[str] = mapped_column(Text)
    value: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    probability: Mapped[float] = mapped_column(Float)
    expected_close: Mapped[date | None] = mapped_column(Date, nullable=True)
    stage: Mapped[OpportunityStage] = mapped_column(
        VocabularyColumn(OpportunityStage, 10), default=OpportunityStage.OPEN
    )


class RiskSignal(Base):
    __tablename__ = "risk_signals"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(50))
    severity: Mapped[Severity] = mapped_column(VocabularyColumn(Severity, 10))
    description: Mapped[str] = mapped_column(Text)
    detected_at: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[RiskStatus] = mapped_column(VocabularyColumn(RiskStatus, 10), default=RiskStatus.ACTIVE)


class Interaction(Base):
    __tablename__ = "interactions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[str | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), nullable=True, index=True
    )
    date: Mapped[date] = mapped_column(Date)
    kind: Mapped[str | None] = mapped_column(String(30), nullable=True)
    sentiment: Mapped[float | None] = mapped_column(Float, nullable=True)  # -1..1
    summary: Mapped[str | None] = mapped_column(Text, nullable=True)


class AccountPlan(Base):
    """One plan per customer and fiscal year; `document` is the current version (see PlanRevision)."""

    __tablename__ = "account_plans"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    fiscal_year: Mapped[str] = mapped_column(String(6))
    status: Mapped[PlanStatus] = mapped_column(VocabularyColumn(PlanStatus, 20), default=PlanStatus.DRAFT)
    version: Mapped[int] = mapped_column(Integer, default=1)
    document: Mapped[dict[str, Any]] = mapped_column(JSONDocument())
    ai_generated: Mapped[bool] = mapped_column(Boolean, default=False)
    ai_confidence: Mapped[Decimal | None] = mapped_column(Numeric(3, 2), nullable=True)
    generation_context: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument(), nullable=True)
    created_by: Mapped[str] = mapped_column(String(320))
    approved_by: Mapped[str | None] = mapped_column(String(320), nullable=True)
    approved_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    submitted_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Where the plan's summary lives in Slack, so later updates edit that message in place.
    slack_channel: Mapped[str | None] = mapped_column(String(32), nullable=True)
    slack_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # The thread the summary was posted in (an Assistant-pane or DM thread), so a later message in
    # that thread is about this plan even when others were drafted in the same DM since.
    slack_thread_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)

    __table_args__ = (
        UniqueConstraint("customer_id", "fiscal_year", name="uq_plan_customer_fy"),
        Index("ix_account_plans_status", "status"),
    )


class PlanRevision(Base):
    """A full snapshot of a plan at one version, with who changed it and why."""

    __tablename__ = "plan_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("account_plans.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict[str, Any]] = mapped_column(JSONDocument())
    author: Mapped[str] = mapped_column(String(320))
    reason: Mapped[str] = mapped_column(Text)
    diff: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # What made this revision: "generated" (a drafter), "edited" (a person, directly or through the
    # assistant), "proposal" (a change proposal a person accepted). Regeneration keeps the edits
    # people made (tools/plans/kept_edits.py); this is how it tells them apart.
    kind: Mapped[str | None] = mapped_column(String(20), nullable=True)

    __table_args__ = (UniqueConstraint("plan_id", "version", name="uq_revision_plan_version"),)


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[str | None] = mapped_column(
        ForeignKey("account_plans.id", ondelete="CASCADE"), nullable=True, index=True
    )
    actor: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(50))
    surface: Mapped[Surface] = mapped_column(VocabularyColumn(Surface, 20))
    version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ProcessedEvent(Base):
    """Slack event ids already handled, so retries and replicas process each event once."""

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApiToken(Base):
    """A REST bearer token, stored as a SHA-256 hash only."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_email: Mapped[str] = mapped_column(ForeignKey("users.email", ondelete="CASCADE"))
    label: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class JobClaim(Base):
    """Exactly-once work across replicas: a row per unit of work (a reminder, a proposal), claimed
    with a lease and marked done."""

    __tablename__ = "job_claims"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    claimed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SavedIndex(Base):
    """A derived index saved by the process that built it (PostgreSQL; SQLite keeps a file next to
    the database), valid while the data's signature is unchanged."""

    __tablename__ = "saved_indexes"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    signature: Mapped[str] = mapped_column(String(200))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    saved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PlanProposal(Base):
    """A revision the bot proposes after the customer's data changed; the CSM accepts or dismisses."""

    __tablename__ = "plan_proposals"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    plan_id: Mapped[str] = mapped_column(ForeignKey("account_plans.id", ondelete="CASCADE"), index=True)
    change_key: Mapped[str] = mapped_column(String(200), unique=True)
    base_version: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument())  # ChangeReason dumps
    proposed_document: Mapped[dict[str, Any]] = mapped_column(JSONDocument())
    diff: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[ProposalStatus] = mapped_column(
        VocabularyColumn(ProposalStatus, 20), default=ProposalStatus.PROPOSED
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class DraftRun(Base):
    """A bulk drafting run (`accountplan generate --all`, Slack's draft-book): what it covers, who
    asked, how far it got. Counts are written as items finish; the items are the truth."""

    __tablename__ = "draft_runs"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # "run-<12 hex>"
    # {csm, csms, segment, missing_only, fiscal_year, include_edited, offline, batch}
    scope: Mapped[dict[str, Any]] = mapped_column(JSONDocument())
    state: Mapped[RunState] = mapped_column(VocabularyColumn(RunState, 20), default=RunState.PENDING)
    mode: Mapped[RunMode] = mapped_column(VocabularyColumn(RunMode, 20))
    author: Mapped[str] = mapped_column(String(320))
    surface: Mapped[Surface] = mapped_column(VocabularyColumn(Surface, 20))
    workers: Mapped[int] = mapped_column(Integer, default=1)
    total: Mapped[int] = mapped_column(Integer, default=0)
    drafted: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    # Claude Message Batches submitted for this run, so a restarted process resumes polling them.
    batch_ids: Mapped[list[str]] = mapped_column(JSONDocument(), default=list)
    usage: Mapped[dict[str, Any]] = mapped_column(JSONDocument(), default=dict)  # tokens, cost_usd
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    __table_args__ = (
        Index("ix_draft_runs_state", "state"),
        Index("ix_draft_runs_created_at", "created_at"),
    )


class DraftRunItem(Base):
    """One account of a run: pending until drafted (with the plan version saved in the same
    transaction), skipped or failed (with the reason)."""

    __tablename__ = "draft_run_items"

    run_id: Mapped[str] = mapped_column(ForeignKey("draft_runs.id", ondelete="CASCADE"), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[RunItemState] = mapped_column(
        VocabularyColumn(RunItemState, 20), default=RunItemState.PENDING
    )
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    plan_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    usage: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument(), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    __table_args__ = (Index("ix_draft_run_items_run_state", "run_id", "state"),)
