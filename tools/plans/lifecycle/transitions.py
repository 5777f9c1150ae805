"""Lifecycle transitions: draft -> pending_review -> approved -> active, plus changes_requested and
rejected (both back to draft), enforced here and nowhere else.

Every transition is one conditional UPDATE (`WHERE id = ? AND status = ? AND version = ?`), so two
managers clicking at once settle exactly once: the loser's UPDATE matches no row and gets a
`Conflict` saying what happened instead. Every transition is written to `audit_events`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Required, TypedDict, Unpack

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from storage.db import rows_affected
from storage.errors import BadInput, Conflict, PermissionDenied
from storage.models import AccountPlan, AuditEvent, utcnow
from storage.plans import get_plan
from storage.users import find_user
from storage.vocabulary import PlanStatus, Surface
from tools.plans.identity import UserDirectory, resolve_actor
from tools.plans.lifecycle.conflicts import DECISION_ACTIONS, explain_conflict
from tools.plans.lifecycle.parties import Parties, parties_of
from tools.plans.lifecycle.versions import changes_since_approved
from tools.plans.policy import Action, Actor, authorize

SURFACES: tuple[str, ...] = Surface.values()
# The assistant may prepare and submit a plan; it never takes a decision reserved for people.
AGENT_ACTIONS: frozenset[str] = frozenset({"submit", "edit"})
MAX_COMMENT_CHARS = 3000


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[PlanStatus]
    target: PlanStatus
    audit_action: str
    needs_comment: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("submit", frozenset({PlanStatus.DRAFT}), PlanStatus.PENDING_REVIEW, "submitted"),
        Transition("approve", frozenset({PlanStatus.PENDING_REVIEW}), PlanStatus.APPROVED, "approved"),
        Transition(
            "request_changes",
            frozenset({PlanStatus.PENDING_REVIEW}),
            PlanStatus.CHANGES_REQUESTED,
            "changes_requested",
            True,
        ),
        Transition("reject", frozenset({PlanStatus.PENDING_REVIEW}), PlanStatus.REJECTED, "rejected", True),
        Transition("activate", frozenset({PlanStatus.APPROVED}), PlanStatus.ACTIVE, "activated"),
        Transition(
            "reopen",
            frozenset({PlanStatus.CHANGES_REQUESTED, PlanStatus.REJECTED}),
            PlanStatus.DRAFT,
            "reopened",
        ),
    )
}


@dataclass(frozen=True)
class TransitionResult:
    """What changed, and who should hear about it (the surface does the telling)."""

    plan: AccountPlan
    customer_name: str
    action: str
    from_status: str
    to_status: str
    version: int
    actor: Actor
    comment: str | None
    decided_at: datetime
    manager_to_notify: Actor | None
    csm_to_notify: Actor | None
    previously_approved_version: int | None
    changes_since_approved: list[str] = field(default_factory=list[str])


def check_surface(surface: str, action: str) -> None:
    if surface not in SURFACES:
        raise BadInput(f"unknown surface {surface!r}; expected one of {', '.join(SURFACES)}")
    if surface == Surface.AGENT and action not in AGENT_ACTIONS:
        raise PermissionDenied(
            "the assistant can only edit a plan and submit it for approval; "
            "approving, rejecting and activating are decisions people make"
        )


async def _checked(
    session: AsyncSession,
    plan_id: str,
    spec: Transition,
    actor: str | Actor,
    surface: str,
    expected_version: int | None,
    directory: UserDirectory | None,
) -> tuple[Actor, AccountPlan, Parties]:
    """Everything a transition verifies before writing: surface, identity, policy, state, version."""
    check_surface(surface, spec.action)
    who = await resolve_actor(session, actor, directory)
    plan = await get_plan(session, plan_id)
    parties = await parties_of(session, plan)
    authorize(spec.action, who, parties.ownership)
    wanted = plan.version if expected_version is None else expected_version
    if plan.status not in spec.sources or plan.version != wanted:
        raise await explain_conflict(session, plan.id, spec.action, spec.sources, wanted)
    if spec.action in DECISION_ACTIONS and plan.submitted_version != plan.version:
        raise Conflict(
            f"the plan changed after it was submitted (version {plan.submitted_version} was submitted, "
            f"it is now version {plan.version}); it must be submitted again"
        )
    return who, plan, parties


def _spec(action: str) -> Transition:
    spec = TRANSITIONS.get(action)
    if spec is None:
        raise BadInput(f"unknown plan action {action!r}; expected one of {', '.join(TRANSITIONS)}")
    return spec


async def write_transition(
    session: AsyncSession,
    *,
    plan_id: str,
    spec: Transition,
    from_status: str,
    version: int,
    actor_email: str,
    surface: str,
    comment: str | None,
    now: datetime,
    values: dict[str, Any] | None = None,
) -> bool:
    """The one write path of every transition: a conditional UPDATE from the status and version the
    caller saw, plus its audit event. False when the plan moved meanwhile (nothing is written)."""
    conditions = [AccountPlan.id == plan_id, AccountPlan.status == from_status, AccountPlan.version == version]
    if spec.action in DECISION_ACTIONS:
        conditions.append(AccountPlan.submitted_version == version)
    result = await session.execute(
        update(AccountPlan)
        .where(*conditions)
        .values(status=spec.target, updated_at=now, **(values or {}))
        .execution_options(synchronize_session=False)
    )
    if rows_affected(result) != 1:
        return False
    session.add(
        AuditEvent(
            plan_id=plan_id,
            actor=actor_email,
            action=spec.audit_action,
            surface=surface,
            version=version,
            comment=comment,
            details={"from": from_status, "to": spec.target},
        )
    )
    await session.flush()
    return True


async def check_transition(
    session: AsyncSession,
    plan_id: str,
    action: str,
    *,
    actor: str | Actor,
    surface: str,
    expected_version: int | None = None,
    directory: UserDirectory | None = None,
) -> Actor:
    """Raise what `transition` would raise (except for a missing comment), changing nothing: lets a
    surface refuse before asking for a comment."""
    who, _, _ = await _checked(session, plan_id, _spec(action), actor, surface, expected_version, directory)
    return who


async def transition(
    session: AsyncSession,
    plan_id: str,
    action: str,
    *,
    actor: str | Actor,
    surface: str,
    expected_version: int | None = None,
    comment: str | None = None,
    directory: UserDirectory | None = None,
) -> TransitionResult:
    """Apply one lifecycle transition, authorized by the policy, exactly once."""
    spec = _spec(action)
    comment = (comment or "").strip() or None
    if spec.needs_comment and not comment:
        raise BadInput(f"say why: a comment is required to {action.replace('_', ' ')}")
    if comment and len(comment) > MAX_COMMENT_CHARS:
        raise BadInput(f"the comment is too long ({len(comment)} characters, at most {MAX_COMMENT_CHARS})")
    who, plan, parties = await _checked(session, plan_id, spec, actor, surface, expected_version, directory)
    from_status, version = plan.status, plan.version
    wanted = version

    prior_approved = plan.approved_version
    changes = await changes_since_approved(session, plan) if action in ("submit", *DECISION_ACTIONS) else []
    now = utcnow()
    extra: dict[str, Any] = {}
    if action == "submit":
        extra["submitted_version"] = version
    if action == "approve":
        extra.update(approved_by=who.email, approved_at=now, approved_version=version)
    applied = await write_transition(
        session,
        plan_id=plan.id,
        spec=spec,
        from_status=from_status,
        version=version,
        actor_email=who.email,
        surface=surface,
        comment=comment,
        now=now,
        values=extra,
    )
    if not applied:
        raise await explain_conflict(session, plan.id, spec.action, spec.sources, wanted)
    for key, value in {"status": spec.target, "updated_at": now, **extra}.items():
        set_committed_value(plan, key, value)  # the row now holds these; no need to read it back

    csm = parties.csm
    manager = None
    if action == "submit" and csm is not None and csm.manager_email:
        manager_user = await find_user(session, csm.manager_email)
        manager = Actor.from_user(manager_user) if manager_user else None
    return TransitionResult(
        plan=plan,
        customer_name=parties.customer_name,
        action=action,
        from_status=from_status,
        to_status=spec.target,
        version=version,
        actor=who,
        comment=comment,
        decided_at=now,
        manager_to_notify=manager,
        csm_to_notify=csm if action in DECISION_ACTIONS or action == "activate" else None,
        previously_approved_version=prior_approved,
        changes_since_approved=changes,
    )


class TransitionOptions(TypedDict, total=False):
    """Who acts and from where (required), and optionally the version they saw and why."""

    actor: Required[str | Actor]
    surface: Required[str]
    expected_version: int | None
    comment: str | None
    directory: UserDirectory | None


async def submit_for_approval(
    session: AsyncSession, plan_id: str, **options: Unpack[TransitionOptions]
) -> TransitionResult:
    """draft -> pending_review; the CSM's manager is returned as `manager_to_notify`."""
    return await transition(session, plan_id, "submit", **options)


async def approve(
    session: AsyncSession, plan_id: str, **options: Unpack[TransitionOptions]
) -> TransitionResult:
    """pending_review -> approved; this version becomes the one in force."""
    return await transition(session, plan_id, "approve", **options)


async def request_changes(
    session: AsyncSession, plan_id: str, **options: Unpack[TransitionOptions]
) -> TransitionResult:
    """pending_review -> changes_requested (a comment is required)."""
    return await transition(session, plan_id, "request_changes", **options)


async def reject(
    session: AsyncSession, plan_id: str, **options: Unpack[TransitionOptions]
) -> TransitionResult:
    """pending_review -> rejected (a comment is required)."""
    return await transition(session, plan_id, "reject", **options)
