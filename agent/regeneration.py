"""What a generation builds on when the plan already exists: the stored plan, the edits people made
to it since it was last generated (kept in the new draft unless replaced, `tools/plans/kept_edits`),
and one lock per plan so generations of the same plan run one after another."""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.errors import BadInput
from storage.models import AccountPlan
from storage.plan_document import AccountPlanDocument
from storage.plans import document_of
from tools.analytics.context import PlanningContext, gather_planning_contexts
from tools.plans.kept_edits import HumanEdits, keep_human_edits, load_human_edits

log = logging.getLogger(__name__)

# Per database, per (customer, fiscal year): the lock held while that plan is being generated.
# Weak values: a lock nobody holds or waits for is dropped.
_PLAN_LOCKS: weakref.WeakKeyDictionary[Database, weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock]]
_PLAN_LOCKS = weakref.WeakKeyDictionary()


def plan_lock(database: Database, customer_id: str, fiscal_year: str) -> asyncio.Lock:
    """The lock a generation of this plan holds from reading it to saving the next version: a
    second request waits and drafts over the first's result instead of racing it to a conflict."""
    locks = _PLAN_LOCKS.setdefault(database, weakref.WeakValueDictionary())
    lock = locks.get((customer_id, fiscal_year))
    if lock is None:
        lock = locks[(customer_id, fiscal_year)] = asyncio.Lock()
    return lock


@dataclass(frozen=True)
class StoredPlan:
    plan: AccountPlan
    document: AccountPlanDocument | None  # None: it no longer validates, and is redrafted whole
    edits: HumanEdits | None  # None: nothing to keep (no valid document, or replacing)


async def load_stored_plan(
    session: AsyncSession, customer_id: str, fiscal_year: str, *, keep_edits: bool
) -> StoredPlan | None:
    """The customer's saved plan for the year, its document and (with `keep_edits`) what people
    changed in it since it was last generated."""
    return (await load_stored_plans(session, [customer_id], fiscal_year, keep_edits=keep_edits)).get(customer_id)


async def load_stored_plans(
    session: AsyncSession, customer_ids: Sequence[str], fiscal_year: str, *, keep_edits: bool
) -> dict[str, StoredPlan]:
    """`load_stored_plan` for several customers: one query for their plans; customers with no plan
    for the year are absent."""
    plans = (
        await session.execute(
            select(AccountPlan).where(
                AccountPlan.customer_id.in_(list(customer_ids)), AccountPlan.fiscal_year == fiscal_year
            )
        )
    ).scalars()
    stored: dict[str, StoredPlan] = {}
    for plan in plans:
        try:
            document = document_of(plan)
        except ValidationError:
            log.warning("stored plan %s no longer validates; it is redrafted whole", plan.id)
            stored[plan.customer_id] = StoredPlan(plan, None, None)
            continue
        edits = await load_human_edits(session, plan.id, document) if keep_edits else None
        stored[plan.customer_id] = StoredPlan(plan, document, edits)
    return stored


@dataclass(frozen=True)
class GenerationInputs:
    """What a generation of one customer's plan reads from the database: its planning context and
    its saved plan for the year (None: a new plan)."""

    context: PlanningContext
    stored: StoredPlan | None


async def load_generation_inputs(
    session: AsyncSession,
    customer_ids: Sequence[str],
    as_of: date,
    fiscal_year: str,
    *,
    start_month: int,
    keep_edits: bool,
) -> dict[str, GenerationInputs]:
    """The inputs of several generations in a few set-based queries (a bulk run's batch, or one
    customer); customers that do not exist are absent."""
    contexts = await gather_planning_contexts(
        session, customer_ids, as_of, fiscal_year=fiscal_year, fiscal_year_start_month=start_month
    )
    stored = await load_stored_plans(session, list(contexts), fiscal_year, keep_edits=keep_edits)
    return {customer_id: GenerationInputs(context, stored.get(customer_id)) for customer_id, context in contexts.items()}


def carry_edits(
    document: AccountPlanDocument, edits: HumanEdits, sections: tuple[str, ...]
) -> tuple[AccountPlanDocument, list[str]]:
    """The new draft with people's edits carried over; BadInput (nothing saved) if they cannot be."""
    try:
        return keep_human_edits(document, edits, sections)
    except ValidationError as error:
        log.warning("could not carry people's edits into the new draft: %s", error)
        raise BadInput(
            "could not carry the edits people made to this plan into the new draft "
            f"({error.errors()[0]['msg']}); nothing was saved. Regenerate with --replace to start over"
        ) from None
