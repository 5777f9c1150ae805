"""The domain's closed vocabularies (plan statuses, roles, severities, priorities, ...), defined once
and shared by the models, the plan document, the import and the code that compares them.

Each is a StrEnum: a member is its string (`PlanStatus.APPROVED == "approved"`, `f"{member}"` is
the value), so stored rows, JSON and messages are unchanged. Code below reads a value as a str and
never relies on `.value`/`.name`: a freshly assigned ORM attribute may still hold the plain string.
No SQLAlchemy here (the column type is storage.models.VocabularyColumn): the CLI builds its options
from these without loading the database stack.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Self

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema


class Vocabulary(StrEnum):
    """A closed set of words. In pydantic models it validates, and documents itself in JSON Schema,
    exactly like the `Literal[...]` of its values (inline `enum`, same error text), then yields the
    member; JSON output is the plain string."""

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(
            cls,
            core_schema.literal_schema([member.value for member in cls]),
            serialization=core_schema.plain_serializer_function_ser_schema(str, when_used="json"),
        )

    @classmethod
    def values(cls) -> tuple[str, ...]:
        """The words, in their defined order (for messages and checks against raw input)."""
        return tuple(member.value for member in cls)

    @classmethod
    def parse(cls, text: str) -> Self | None:
        """The member `text` names, or None (input from people and models is checked, not trusted)."""
        try:
            return cls(text)
        except ValueError:
            return None


class PlanStatus(Vocabulary):
    DRAFT = "draft"
    PENDING_REVIEW = "pending_review"
    APPROVED = "approved"
    ACTIVE = "active"
    CHANGES_REQUESTED = "changes_requested"
    REJECTED = "rejected"


class Role(Vocabulary):
    """Who is acting. Users are csm, manager or admin; `operator` is the CLI's own actor."""

    CSM = "csm"
    MANAGER = "manager"
    ADMIN = "admin"
    OPERATOR = "operator"


# The roles a user record may have (the operator is never a stored user).
USER_ROLES: tuple[Role, ...] = (Role.CSM, Role.MANAGER, Role.ADMIN)


class Severity(Vocabulary):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Priority(Vocabulary):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"


class ActionStatus(Vocabulary):
    OPEN = "open"
    DONE = "done"
    SNOOZED = "snoozed"


class OpportunityType(Vocabulary):
    UPSELL = "upsell"
    CROSS_SELL = "cross_sell"
    SEAT_EXPANSION = "seat_expansion"
    RENEWAL = "renewal"


class OpportunityStage(Vocabulary):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


class ContactRole(Vocabulary):
    EXEC_SPONSOR = "exec_sponsor"
    CHAMPION = "champion"
    TECHNICAL_BUYER = "technical_buyer"
    ECONOMIC_BUYER = "economic_buyer"
    USER = "user"
    OTHER = "other"


class EngagementLevel(Vocabulary):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    NONE = "none"


class RenewalOutcome(Vocabulary):
    RENEWED = "renewed"
    CHURNED = "churned"
    PENDING = "pending"


class RiskStatus(Vocabulary):
    ACTIVE = "active"
    RESOLVED = "resolved"


class ProposalStatus(Vocabulary):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    DISMISSED = "dismissed"


class Surface(Vocabulary):
    """Where a change to a plan was made (recorded on its audit event)."""

    CLI = "cli"
    SLACK = "slack"
    API = "api"
    AGENT = "agent"
    SCHEDULER = "scheduler"


class RunState(Vocabulary):
    """A bulk drafting run (`draft_runs.state`)."""

    PENDING = "pending"
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"
    CANCELLED = "cancelled"


class RunMode(Vocabulary):
    """Who drafts a run's plans: the offline drafter, Claude call by call, or Claude's Message Batches."""

    OFFLINE = "offline"
    CLAUDE = "claude"
    BATCH = "batch"


class RunItemState(Vocabulary):
    """One account of a run (`draft_run_items.state`)."""

    PENDING = "pending"
    DRAFTED = "drafted"
    SKIPPED = "skipped"
    FAILED = "failed"
