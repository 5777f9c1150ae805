"""The plan lifecycle: draft -> pending_review -> approved -> active, plus changes_requested and
rejected (both back to draft), enforced here and nowhere else.

Every transition is one conditional UPDATE (`WHERE id = ? AND status = ? AND version = ?`), so two
managers clicking at once settle exactly once: the loser's UPDATE matches no row and gets a
`Conflict` saying what happened instead. Every transition and edit is written to `audit_events`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Required, TypedDict, Unpack

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from storage.errors import BadInput, Conflict, PermissionDenied
from storage.models import AccountPlan, AuditEvent, Customer, utcnow
from storage.plan_document import SECTIONS, AccountPlanDocument
from storage.plans import SavedPlan, document_of, get_plan, get_revision, save_plan_version
from storage.users import find_user
from tools.fiscal_calendar import fiscal_year_bounds
from tools.identity import SlackDirectory, resolve_actor
from tools.policy import Action, Actor, PlanOwnership, authorize

SURFACES: tuple[str, ...] = ("cli", "slack", "api", "agent", "scheduler")
# The assistant may prepare and submit a plan; it never takes a decision reserved for people.
AGENT_ACTIONS: frozenset[str] = frozenset({"submit", "edit"})
MAX_COMMENT_CHARS = 3000


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[str]
    target: str
    audit_action: str
    needs_comment: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("submit", frozenset({"draft"}), "pending_review", "submitted"),
        Transition("approve", frozenset({"pending_review"}), "approved", "approved"),
        Transition(
            "request_changes", frozenset({"pending_review"}), "changes_requested", "changes_requested", True
        ),
        Transition("reject", frozenset({"pending_review"}), "rejected", "rejected", True),
        Transition("activate", frozenset({"approved"}), "active", "activated"),
        Transition("reopen", frozenset({"changes_requested", "rejected"}), "draft", "reopened"),
    )
}
DECISION_ACTIONS = frozenset({"approve", "request_changes", "reject"})


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
    changes_since_approved: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class EditResult:
    saved: SavedPlan
    diff: list[str]


def _check_surface(surface: str, action: str) -> None:
    if surface not in SURFACES:
        raise BadInput(f"unknown surface {surface!r}; expected one of {', '.join(SURFACES)}")
    if surface == "agent" and action not in AGENT_ACTIONS:
        raise PermissionDenied(
            "the assistant can only edit a plan and submit it for approval; "
            "approving, rejecting and activating are decisions people make"
        )


async def _last_event(session: AsyncSession, plan_id: str, action: str) -> AuditEvent | None:
    return (
        await session.execute(
            select(AuditEvent)
            .where(AuditEvent.plan_id == plan_id, AuditEvent.action == action)
            .order_by(AuditEvent.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


@dataclass(frozen=True)
class _Parties:
    """The people around a plan, loaded once per transition."""

    customer_name: str
    ownership: PlanOwnership
    csm: Actor | None


async def _parties(session: AsyncSession, plan: AccountPlan) -> _Parties:
    customer = await session.get(Customer, plan.customer_id)
    csm_email = customer.csm_email if customer else None
    csm_user = await find_user(session, csm_email) if csm_email else None
    if csm_user is None and not csm_email and "@" in plan.created_by:
        csm_user = await find_user(session, plan.created_by)  # no CSM on record: tell the author
    submitted = await _last_event(session, plan.id, "submitted") if plan.status == "pending_review" else None
    return _Parties(
        customer_name=customer.name if customer else plan.customer_id,
        ownership=PlanOwnership(
            csm_email=csm_email,
            csm_manager_email=csm_user.manager_email if csm_user and csm_email else None,
            submitted_by=submitted.actor if submitted else None,
        ),
        csm=Actor.from_user(csm_user) if csm_user else None,
    )


async def customer_ownership(session: AsyncSession, customer: Customer | None) -> PlanOwnership:
    """Whose book a customer is in, and who approves for that CSM."""
    csm_email = customer.csm_email if customer else None
    csm = await find_user(session, csm_email) if csm_email else None
    return PlanOwnership(csm_email=csm_email, csm_manager_email=csm.manager_email if csm else None)


async def ownership_of(session: AsyncSession, plan: AccountPlan) -> PlanOwnership:
    return (await _parties(session, plan)).ownership


def _diff(old: AccountPlanDocument, new: AccountPlanDocument) -> list[str]:
    """Readable change lines; the section names alone if the detailed differ is unavailable."""
    try:
        from storage.plan_diff import diff_plans
    except ImportError:  # the detailed differ ships separately; a coarse answer beats none
        old_data, new_data = old.to_json_dict(), new.to_json_dict()
        return [f"{name} changed" for name in SECTIONS if old_data.get(name) != new_data.get(name)]
    return diff_plans(old, new)


async def changes_since_approved(session: AsyncSession, plan: AccountPlan) -> list[str]:
    """What the current version changes relative to the version in force (empty if none)."""
    if not plan.approved_version or plan.approved_version == plan.version:
        return []
    approved = await get_revision(session, plan.id, plan.approved_version)
    return _diff(approved, document_of(plan))


async def _explain_conflict(
    session: AsyncSession, plan_id: str, transition: Transition, expected_version: int
) -> Conflict:
    """Why a transition did not apply, from the plan's state as it is now."""
    plan = (
        await session.execute(
            select(AccountPlan).where(AccountPlan.id == plan_id).execution_options(populate_existing=True)
        )
    ).scalar_one()
    status, version = plan.status, plan.version
    if version != expected_version:
        return Conflict(
            f"this is about version {expected_version}, but the plan has changed since "
            f"(it is now version {version}, {status.replace('_', ' ')}); nothing was changed"
        )
    if transition.action in DECISION_ACTIONS and status != "pending_review":
        decided = None
        for action in ("approved", "changes_requested", "rejected"):
            event = await _last_event(session, plan_id, action)
            if event and event.version == version and (decided is None or event.id > decided.id):
                decided = event
        if decided is not None:
            when = decided.created_at.strftime("%Y-%m-%d %H:%M UTC")
            return Conflict(
                f"{decided.actor} already {decided.action.replace('_', ' ')} version {version} at {when}; "
                "nothing was changed"
            )
        return Conflict(f"the plan is not waiting for review (it is {status.replace('_', ' ')})")
    if transition.action == "submit" and status == "pending_review":
        return Conflict("the plan is already waiting for review")
    if transition.action == "submit" and status in ("changes_requested", "rejected"):
        return Conflict(
            f"the plan has not changed since it was {status.replace('_', ' ')}; edit it first "
            "(or reopen it as a draft), then submit it again"
        )
    allowed = " or ".join(sorted(s.replace("_", " ") for s in transition.sources))
    return Conflict(
        f"cannot {transition.action.replace('_', ' ')} a plan that is {status.replace('_', ' ')} "
        f"(only when {allowed})"
    )


async def _checked(
    session: AsyncSession,
    plan_id: str,
    spec: Transition,
    actor: str | Actor,
    surface: str,
    expected_version: int | None,
    directory: SlackDirectory | None,
) -> tuple[Actor, AccountPlan, _Parties]:
    """Everything a transition verifies before writing: surface, identity, policy, state, version."""
    _check_surface(surface, spec.action)
    who = await resolve_actor(session, actor, directory)
    plan = await get_plan(session, plan_id)
    parties = await _parties(session, plan)
    authorize(spec.action, who, parties.ownership)
    wanted = plan.version if expected_version is None else expected_version
    if plan.status not in spec.sources or plan.version != wanted:
        raise await _explain_conflict(session, plan.id, spec, wanted)
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


async def check_transition(
    session: AsyncSession,
    plan_id: str,
    action: str,
    *,
    actor: str | Actor,
    surface: str,
    expected_version: int | None = None,
    directory: SlackDirectory | None = None,
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
    directory: SlackDirectory | None = None,
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
    values: dict[str, Any] = {"status": spec.target, "updated_at": now}
    conditions = [
        AccountPlan.id == plan.id,
        AccountPlan.status == from_status,
        AccountPlan.version == version,
    ]
    if action == "submit":
        values["submitted_version"] = version
    if action in DECISION_ACTIONS:
        conditions.append(AccountPlan.submitted_version == version)
    if action == "approve":
        values.update(approved_by=who.email, approved_at=now, approved_version=version)

    result = await session.execute(
        update(AccountPlan).where(*conditions).values(**values).execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise await _explain_conflict(session, plan.id, spec, wanted)
    for key, value in values.items():  # the row now holds these; no need to read it back
        set_committed_value(plan, key, value)

    session.add(
        AuditEvent(
            plan_id=plan.id,
            actor=who.email,
            action=spec.audit_action,
            surface=surface,
            version=version,
            comment=comment,
            details={"from": from_status, "to": spec.target},
        )
    )
    await session.flush()

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
    directory: SlackDirectory | None


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


async def activate(
    session: AsyncSession, plan_id: str, **options: Unpack[TransitionOptions]
) -> TransitionResult:
    """approved -> active, on the CSM's say-so (the fiscal year's start does it automatically)."""
    return await transition(session, plan_id, "activate", **options)


def fiscal_year_start(fiscal_year: str, start_month: int) -> date:
    """First day of `fiscal_year` (FY2026 ends in calendar 2026, so a February start is 2025-02-01)."""
    return fiscal_year_bounds(fiscal_year, start_month)[0]


async def activate_started_plans(session: AsyncSession, *, today: date, start_month: int) -> list[str]:
    """Activate every approved plan whose fiscal year has begun (the scheduler's daily job).

    Each plan goes through the same conditional update, so replicas running the job at once
    activate each plan once; a plan someone else moved meanwhile is simply skipped.
    """
    candidates = (
        await session.execute(
            select(AccountPlan.id, AccountPlan.fiscal_year, AccountPlan.version).where(
                AccountPlan.status == "approved"
            )
        )
    ).all()
    activated: list[str] = []
    for plan_id, fiscal_year, version in candidates:
        if fiscal_year_start(fiscal_year, start_month) > today:
            continue
        result = await session.execute(
            update(AccountPlan)
            .where(
                AccountPlan.id == plan_id, AccountPlan.status == "approved", AccountPlan.version == version
            )
            .values(status="active", updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            session.add(
                AuditEvent(
                    plan_id=plan_id,
                    actor="scheduler",
                    action="activated",
                    surface="scheduler",
                    version=version,
                    comment=f"{fiscal_year} has started",
                    details={"from": "approved", "to": "active"},
                )
            )
            activated.append(plan_id)
    await session.flush()
    return activated


async def edit_plan(
    session: AsyncSession,
    plan_id: str,
    document: AccountPlanDocument,
    *,
    actor: str | Actor,
    surface: str,
    expected_version: int,
    reason: str = "edited",
    directory: SlackDirectory | None = None,
) -> EditResult:
    """Replace the plan's document with an edited one, as a new revision (policy-checked).

    Editing an approved or active plan makes a new draft that needs approval again; the approved
    version stays the one in force (`approved_version`) meanwhile. An unchanged document saves nothing.
    """
    _check_surface(surface, "edit")
    who = await resolve_actor(session, actor, directory)
    plan = await get_plan(session, plan_id)
    authorize("edit", who, await ownership_of(session, plan))
    if document.customer_id != plan.customer_id or document.fiscal_year != plan.fiscal_year:
        raise BadInput(
            "customer_id and fiscal_year identify the plan and cannot be changed "
            f"(this plan is {plan.customer_id} {plan.fiscal_year})"
        )
    if plan.version != expected_version:
        raise Conflict(
            f"you edited version {expected_version}, but the plan is now version {plan.version}; "
            "reload it and apply your change again"
        )
    before = document_of(plan)
    after = document.model_copy(
        update={"plan_id": plan.id, "status": before.status, "version": before.version}
    )
    if after.to_json_dict() == before.to_json_dict():
        # Saving an unchanged document must not demote an approved plan to a draft.
        return EditResult(saved=SavedPlan(plan=plan, document=before, created=False), diff=[])
    lines = _diff(before, after)
    saved = await save_plan_version(
        session,
        after,
        author=who.email,
        reason=reason,
        surface=surface,
        diff="\n".join(lines) or None,
        expected_version=expected_version,
    )
    return EditResult(saved=saved, diff=lines)


async def document_in_force(session: AsyncSession, plan: AccountPlan) -> AccountPlanDocument | None:
    """The approved version people work from, even while a newer draft waits for approval."""
    if not plan.approved_version:
        return None
    if plan.approved_version == plan.version:
        return document_of(plan)
    return await get_revision(session, plan.id, plan.approved_version)
