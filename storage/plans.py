"""Saving and reading plans: every change is a full new revision, written atomically."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import rows_affected
from storage.errors import BadInput, Conflict, NotFound
from storage.models import AccountPlan, AuditEvent, Customer, PlanRevision, new_uuid, utcnow
from storage.plan_document import AccountPlanDocument
from storage.vocabulary import PlanStatus

RevisionKind = Literal["generated", "edited", "proposal"]


@dataclass(frozen=True)
class SavedPlan:
    plan: AccountPlan
    document: AccountPlanDocument
    created: bool


def _confidence(document: AccountPlanDocument) -> Decimal:
    return Decimal(str(round(document.ai_confidence, 2)))


async def save_plan_version(
    session: AsyncSession,
    document: AccountPlanDocument,
    *,
    author: str,
    reason: str,
    surface: str = "cli",
    diff: str | None = None,
    expected_version: int | None = None,
    kind: RevisionKind = "edited",
    flush: bool = True,
) -> SavedPlan:
    """Store `document` as a new plan (version 1) or the next revision of the customer's plan for
    that fiscal year.

    The caller's session transaction makes it all-or-nothing. With `expected_version`, the update
    only applies if nobody else wrote a newer version first (otherwise `Conflict`). `kind` records
    what made the revision ("generated", "edited" by a person, an accepted "proposal").
    `expected_version=0` expects no plan yet (a bulk run read none): it is inserted without looking,
    and one created meanwhile fails the flush on the unique (customer, fiscal year) key instead.
    `flush=False` leaves the flush to the caller: a batch of saves flushed once is inserted with one
    statement per table (a bulk run's 50 plans: 1.5 ms per plan instead of 3).
    """
    existing = (
        None
        if expected_version == 0
        else (
            await session.execute(
                select(AccountPlan).where(
                    AccountPlan.customer_id == document.customer_id,
                    AccountPlan.fiscal_year == document.fiscal_year,
                )
            )
        ).scalar_one_or_none()
    )

    if existing is None:
        plan_id = document.plan_id or new_uuid()
        document = document.model_copy(
            update={"plan_id": plan_id, "version": 1, "status": PlanStatus.DRAFT, "approved_version": None}
        )
        data = document.to_json_dict()
        plan = AccountPlan(
            id=plan_id,
            customer_id=document.customer_id,
            fiscal_year=document.fiscal_year,
            status=PlanStatus.DRAFT,
            version=1,
            document=data,
            ai_generated=document.ai_generated,
            ai_confidence=_confidence(document),
            generation_context=document.generation_context,
            created_by=author,
        )
        session.add(plan)  # inserted with its revision and audit event by the one flush below
        created = True
    else:
        plan = existing
        base_version = plan.version if expected_version is None else expected_version
        new_version = base_version + 1
        # A revision of an approved or active plan is a new draft; the approved one stays in force
        # (approved_version) until the new one is approved. A plan edited while pending review goes
        # back to draft too: the manager must never approve a version they were not shown.
        new_status = PlanStatus.DRAFT
        document = document.model_copy(
            update={
                "plan_id": plan.id,
                "version": new_version,
                "status": new_status,
                "approved_version": plan.approved_version,
            }
        )
        data = document.to_json_dict()
        result = await session.execute(
            update(AccountPlan)
            .where(AccountPlan.id == plan.id, AccountPlan.version == base_version)
            .values(
                version=new_version,
                status=new_status,
                document=data,
                ai_generated=document.ai_generated,
                ai_confidence=_confidence(document),
                generation_context=document.generation_context,
                updated_at=utcnow(),
            )
            .execution_options(synchronize_session=False)
        )
        if rows_affected(result) != 1:
            raise Conflict(
                f"the plan changed while you were editing it (you had version {base_version}); "
                "reload it and try again"
            )
        await session.refresh(plan)
        created = False

    session.add(
        PlanRevision(
            plan_id=plan.id,
            version=document.version,
            document=data,  # the same snapshot as the plan row's (serialised once; never mutated)
            author=author,
            reason=reason,
            diff=diff,
            kind=kind,
        )
    )
    session.add(
        AuditEvent(
            plan_id=plan.id,
            actor=author,
            action="created" if created else "revised",
            surface=surface,
            version=document.version,
            comment=reason,
            details={"kind": kind, **({"diff": diff} if diff else {})},
        )
    )
    if flush:
        await session.flush()
    return SavedPlan(plan=plan, document=document, created=created)


def document_of(plan: AccountPlan) -> AccountPlanDocument:
    """The stored document, with the row's live status and version (the row is the truth)."""
    data: dict[str, Any] = dict(plan.document)
    data.update(
        status=plan.status, version=plan.version, plan_id=plan.id, approved_version=plan.approved_version
    )
    return AccountPlanDocument.model_validate(data)


async def get_plan(session: AsyncSession, plan_id: str) -> AccountPlan:
    plan = await session.get(AccountPlan, plan_id)
    if plan is None:
        raise NotFound(f"no plan {plan_id!r}; `accountplan plans list` shows the plans")
    return plan


# A plan id prefix as people copy it from `plans list`: hex digits and dashes, long enough that a
# customer name is not mistaken for one.
PLAN_ID_PREFIX = re.compile(r"[0-9a-f][0-9a-f-]{5,35}\Z", re.ASCII)


async def plan_by_id(session: AsyncSession, text: str) -> AccountPlan | None:
    """The plan `text` names by its id or by a unique prefix of it (like git's short hashes); None
    when it names no plan. BadInput when the prefix fits several."""
    needle = text.strip().lower()
    plan = await session.get(AccountPlan, needle) if needle else None
    if plan is not None or not PLAN_ID_PREFIX.match(needle):
        return plan
    matches = (
        (await session.execute(select(AccountPlan).where(AccountPlan.id.startswith(needle)).limit(6)))
        .scalars()
        .all()
    )
    if len(matches) > 1:
        shown = ", ".join(sorted(m.id for m in matches[:5]))
        raise BadInput(f"plan id prefix {needle!r} fits {len(matches)}+ plans ({shown}); give more of the id")
    return matches[0] if matches else None


async def find_plan(session: AsyncSession, customer_id: str, fiscal_year: str | None = None) -> AccountPlan:
    """The customer's plan for `fiscal_year`, or its newest plan when no year is given."""
    query = select(AccountPlan).where(AccountPlan.customer_id == customer_id)
    if fiscal_year:
        query = query.where(AccountPlan.fiscal_year == fiscal_year)
    plan = (
        await session.execute(query.order_by(AccountPlan.fiscal_year.desc()).limit(1))
    ).scalar_one_or_none()
    if plan is None:
        year = f" for {fiscal_year}" if fiscal_year else ""
        raise NotFound(f"no plan{year} for customer {customer_id!r}; `accountplan generate` drafts one")
    return plan


async def list_plans(session: AsyncSession, *, csm_email: str | None = None) -> list[tuple[AccountPlan, str]]:
    """Plans with their customer's name, newest first; only one CSM's book when `csm_email` is given."""
    query = select(AccountPlan, Customer.name).join(Customer, Customer.id == AccountPlan.customer_id)
    if csm_email:
        query = query.where(Customer.csm_email == csm_email)
    rows = await session.execute(query.order_by(AccountPlan.updated_at.desc()))
    return [(plan, name) for plan, name in rows.all()]


async def get_revision(session: AsyncSession, plan_id: str, version: int) -> AccountPlanDocument:
    revision = (
        await session.execute(
            select(PlanRevision).where(PlanRevision.plan_id == plan_id, PlanRevision.version == version)
        )
    ).scalar_one_or_none()
    if revision is None:
        raise NotFound(f"plan {plan_id!r} has no version {version}")
    return AccountPlanDocument.model_validate(revision.document)


async def list_revisions(session: AsyncSession, plan_id: str) -> list[PlanRevision]:
    rows = await session.execute(
        select(PlanRevision).where(PlanRevision.plan_id == plan_id).order_by(PlanRevision.version)
    )
    return list(rows.scalars())


def timestamp(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
