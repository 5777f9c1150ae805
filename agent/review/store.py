"""Keeping a plan's review with the plan: `generation_context["review"]`, refreshed whenever a new
document is made (a generation, a revision, an edit, a change proposal). Callers stay one line."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from agent.review.model import PlanReview
from agent.review.run import plan_start_month, review_plan
from storage.errors import AccountPlanError
from storage.plan_diff import diff_plans
from storage.plan_document import AccountPlanDocument
from tools.analytics.context import PlanningContext, gather_planning_context

log = logging.getLogger(__name__)

REVIEW_KEY = "review"


def with_review(
    document: AccountPlanDocument, context: PlanningContext, *, start_month: int | None = None
) -> AccountPlanDocument:
    """`document` with its review stored in `generation_context["review"]`."""
    review = review_plan(document, context, start_month=start_month)
    return document.model_copy(
        update={"generation_context": {**document.generation_context, REVIEW_KEY: review.to_json()}}
    )


def stored_review(document: AccountPlanDocument) -> PlanReview | None:
    """The review stored with a plan (None for a plan saved before reviews existed)."""
    return PlanReview.from_json(document.generation_context.get(REVIEW_KEY))


def plan_as_of(document: AccountPlanDocument, default: date) -> date:
    """The date the plan was drafted as of (what its 90 days and quarters are measured from)."""
    recorded = document.generation_context.get("as_of")
    if isinstance(recorded, str):
        try:
            return date.fromisoformat(recorded)
        except ValueError:
            pass
    return default


async def review_context(
    session: AsyncSession, document: AccountPlanDocument, *, today: date, start_month: int
) -> PlanningContext:
    """The account's data as of the plan's own as-of date (a revision is reviewed against the data
    the plan was drafted from, not whatever has happened since)."""
    return await gather_planning_context(
        session,
        document.customer_id,
        plan_as_of(document, today),
        fiscal_year=document.fiscal_year,
        fiscal_year_start_month=plan_start_month(document, start_month),
        include_similar=False,
    )


async def with_fresh_review(
    session: AsyncSession, document: AccountPlanDocument, *, today: date, start_month: int
) -> AccountPlanDocument:
    """`document` reviewed against its as-of data. If that data cannot be read, the review is left
    out rather than the save failing (readers treat a missing review as "not reviewed")."""
    try:
        context = await review_context(session, document, today=today, start_month=start_month)
    except AccountPlanError as error:
        log.warning("cannot review plan %s: %s", document.plan_id, error.message)
        context_less = {k: v for k, v in document.generation_context.items() if k != REVIEW_KEY}
        return document.model_copy(update={"generation_context": context_less})
    return with_review(document, context, start_month=plan_start_month(document, start_month))


def review_finisher(
    *, today: date, start_month: int, context: PlanningContext | None = None
) -> Callable[[AsyncSession, AccountPlanDocument], Awaitable[AccountPlanDocument]]:
    """A `finish=` step for `tools.plans.revisions.save_revision` / `save_edits`: the revision is
    reviewed in the saving session just before it is stored. A `context` already gathered as of
    the plan's date is used as it is; otherwise the data is read in that session."""

    async def finish(session: AsyncSession, document: AccountPlanDocument) -> AccountPlanDocument:
        if context is not None and context.as_of == plan_as_of(document, today):
            return with_review(document, context, start_month=plan_start_month(document, start_month))
        return await with_fresh_review(session, document, today=today, start_month=start_month)

    return finish


async def with_review_of_edit(
    session: AsyncSession,
    before: AccountPlanDocument,
    after: AccountPlanDocument,
    *,
    today: date,
    start_month: int,
) -> AccountPlanDocument:
    """An edited document (a REST PUT) with the review it deserves: a fresh one when any section
    changed, else the stored one (so an unchanged document stays unchanged). Whatever review the
    editor sent along is never kept: the review is ours to write."""
    same_identity = after.model_copy(update={"status": before.status, "version": before.version})
    if diff_plans(before, same_identity):
        return await with_fresh_review(session, after, today=today, start_month=start_month)
    context = {k: v for k, v in after.generation_context.items() if k != REVIEW_KEY}
    if REVIEW_KEY in before.generation_context:
        context[REVIEW_KEY] = before.generation_context[REVIEW_KEY]
    return after.model_copy(update={"generation_context": context})
