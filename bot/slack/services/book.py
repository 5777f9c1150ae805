"""A person's book of business as the chat surfaces need it: who is asking, which customers they
may plan for, their plans with next due actions, the review queue, and a planning-context preview.

Every function takes the `Database` and runs its own short transaction, so callers in the Slack
layer never hold a session. Listeners reach the ones taking a plan id only through the
authorization gate (`bot.slack.gate`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.slack.services.plan_cards import Person, ReviewerNote, sent_back_note
from storage.db import Database
from storage.errors import NotFound
from storage.models import AccountPlan, Contact, Customer, Opportunity, RiskSignal, User
from storage.plan_document import AccountPlanDocument, ActionItem
from storage.plans import document_of, find_plan, get_plan
from storage.vocabulary import ActionStatus, OpportunityStage, PlanStatus, RiskStatus, Role, Severity
from tools.living.progress import ObjectiveProgress, plans_progress
from tools.plans.customer_resolution import customer_named_by, find_customer_for
from tools.plans.identity import UserDirectory, actor_from_slack
from tools.plans.lifecycle import changes_since_approved, ownership_of
from tools.plans.policy import Actor, authorize, may
from tools.plans.standing import plan_risk_level

EVERYONE_ROLES = (Role.ADMIN, Role.OPERATOR)
NEXT_ACTIONS_SHOWN = 3
LEVEL_ORDER = {"at_risk": 0, "watch": 1, "on_track": 2}
NO_RENEWAL = 10**6


@dataclass(frozen=True)
class CustomerChoice:
    customer_id: str
    name: str
    detail: str | None = None  # "Technology · Enterprise"


@dataclass(frozen=True)
class ContextPreview:
    customer_id: str
    customer_name: str
    health_score: int | None
    contacts: int
    opportunities: int
    active_risks: int
    similar_accounts: int
    data_gaps: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlanRow:
    plan_id: str
    customer_name: str
    fiscal_year: str
    status: str
    version: int
    confidence: float | None
    next_actions: list[ActionItem] = field(default_factory=list)
    csm: Person | None = None
    risk_level: str = "watch"
    renewal_date: date | None = None
    sent_back: ReviewerNote | None = None

    def urgency(self, today: date) -> tuple[int, int, str]:
        """At-risk accounts first, then the nearest renewal (a renewal already passed sorts last)."""
        days = (self.renewal_date - today).days if self.renewal_date is not None else NO_RENEWAL
        return (LEVEL_ORDER.get(self.risk_level, 1), days if days >= 0 else NO_RENEWAL, self.customer_name)


@dataclass(frozen=True)
class RiskyAccount:
    customer_id: str
    name: str
    health_score: int | None
    active_risks: int
    worst_risk: str | None


async def slack_actor(database: Database, slack_user_id: str, directory: UserDirectory | None) -> Actor:
    """The accountplan user behind a Slack id (PermissionDenied with what to do when unknown)."""
    async with database.session() as session:
        return await actor_from_slack(session, slack_user_id, directory)


def _book_filter(actor: Actor) -> str | None:
    """The customers `actor` may plan for: the csm_email to restrict to, or None for everyone
    (admins). Managers plan for their own book (they review their reports' plans, not draft them)."""
    return None if actor.role in EVERYONE_ROLES else actor.email


async def visible_books(session: AsyncSession, actor: Actor) -> list[str] | None:
    """Whose plans `actor` sees in their lists: everyone's for admins; a manager's own book and
    their reports'; a CSM's own. Lower-cased emails, or None for everyone."""
    if actor.role in EVERYONE_ROLES:
        return None
    books = {actor.email.lower()}
    if actor.role == Role.MANAGER:
        reports = await session.execute(
            select(User.email).where(func.lower(User.manager_email) == actor.email.lower())
        )
        books |= {email.lower() for email in reports.scalars()}
    return sorted(books)


async def customers_for(
    database: Database, actor: Actor, text: str, *, limit: int = 20
) -> list[CustomerChoice]:
    """Type-ahead over the customers `actor` may plan for, names containing `text`."""
    query = select(Customer).order_by(Customer.name).limit(limit)
    if text.strip():
        query = query.where(func.lower(Customer.name).contains(text.strip().lower()))
    csm_email = _book_filter(actor)
    if csm_email:
        query = query.where(func.lower(Customer.csm_email) == csm_email.lower())
    async with database.session() as session:
        customers = (await session.execute(query)).scalars().all()
    return [
        CustomerChoice(c.id, c.name, " · ".join(x for x in (c.industry, c.segment) if x) or None)
        for c in customers
    ]


async def customer_choice(database: Database, query: str, actor: Actor | None = None) -> CustomerChoice:
    """The customer `query` names (id, name or fragment); UnknownCustomer with choices (within
    `actor`'s book when given) otherwise."""
    async with database.session() as session:
        customer = await find_customer_for(session, actor or Actor.operator(), query)
    return CustomerChoice(customer.id, customer.name)


async def context_preview(
    database: Database, customer_id: str, as_of: date, *, similar_accounts: int | None = None
) -> ContextPreview:
    """The counts the generator modal shows when a customer is picked (cheap aggregate queries)."""
    async with database.session() as session:
        customer = await session.get(Customer, customer_id)
        if customer is None:
            raise NotFound(f"no customer {customer_id!r}")
        contacts = await _count(
            session, Contact, Contact.customer_id == customer_id, Contact.active.is_(True)
        )
        opportunities = await _count(
            session, Opportunity, Opportunity.customer_id == customer_id, Opportunity.stage == OpportunityStage.OPEN
        )
        risks = await _count(
            session, RiskSignal, RiskSignal.customer_id == customer_id, RiskSignal.status == RiskStatus.ACTIVE
        )
        similar = (
            similar_accounts
            if similar_accounts is not None
            else await _similar_count(session, customer, as_of)
        )
    gaps = []
    if customer.health_score is None:
        gaps.append("no health score")
    if contacts == 0:
        gaps.append("no contacts on record")
    return ContextPreview(
        customer_id=customer.id,
        customer_name=customer.name,
        health_score=customer.health_score,
        contacts=contacts,
        opportunities=opportunities,
        active_risks=risks,
        similar_accounts=similar,
        data_gaps=tuple(gaps),
    )


async def _count(session: AsyncSession, model: type, *conditions: ColumnElement[bool]) -> int:
    return int(
        (await session.execute(select(func.count()).select_from(model).where(*conditions))).scalar_one()
    )


async def _similar_count(session: AsyncSession, customer: Customer, as_of: date) -> int:
    """How many peers the benchmark will draw on: what the similar-accounts tool finds."""
    from tools.analytics.similar_accounts import find_similar_accounts

    return len((await find_similar_accounts(session, customer.id, as_of)).accounts)


async def plan_document(database: Database, plan_id: str) -> AccountPlanDocument:
    async with database.session() as session:
        return document_of(await get_plan(session, plan_id))


async def progress_by_plan(
    database: Database, plan_ids: list[str], as_of: date
) -> dict[str, list[ObjectiveProgress]]:
    """Objective progress of the listed plans (one query however many) as of a date, by plan id."""
    async with database.session() as session:
        return await plans_progress(session, plan_ids, as_of)


async def plans_for(database: Database, actor: Actor, as_of: date, *, limit: int = 20) -> list[PlanRow]:
    """The plans in the actor's books (a manager's: their team's), at-risk and near-renewal
    accounts first, each with its CSM and next open actions by due date."""
    async with database.session() as session:
        books = await visible_books(session, actor)
        query = select(AccountPlan, Customer).join(Customer, Customer.id == AccountPlan.customer_id)
        if books is not None:
            query = query.where(func.lower(Customer.csm_email).in_(books))
        pairs = [(plan, customer) for plan, customer in (await session.execute(query)).all()]
        rows = await _rows(session, pairs, as_of)
    return sorted(rows, key=lambda row: row.urgency(as_of))[:limit]


async def _rows(session: AsyncSession, pairs: list[tuple[AccountPlan, Customer]], as_of: date) -> list[PlanRow]:
    """List rows for (plan, customer) pairs, with the CSMs loaded in one query."""
    emails = {c.csm_email.lower() for _, c in pairs if c.csm_email}
    users = (
        (await session.execute(select(User).where(func.lower(User.email).in_(emails)))).scalars().all()
        if emails
        else []
    )
    people = {u.email.lower(): Person(name=u.name or u.email.split("@")[0], slack_id=u.slack_user_id) for u in users}
    rows = []
    for plan, customer in pairs:
        csm = None
        if customer.csm_email:
            csm = people.get(customer.csm_email.lower()) or Person(name=customer.csm_email.split("@")[0])
        sent_back = await sent_back_note(session, plan)
        rows.append(_row(plan, customer, as_of, csm=csm, sent_back=sent_back))
    return rows


def _row(
    plan: AccountPlan,
    customer: Customer,
    as_of: date,
    *,
    csm: Person | None = None,
    sent_back: ReviewerNote | None = None,
) -> PlanRow:
    actions: list[ActionItem] = []
    level = "watch"
    try:
        document = document_of(plan)
        actions = sorted(
            (a for a in document.action_plan_90day if a.status != ActionStatus.DONE), key=lambda a: a.due_date
        )
        level = plan_risk_level(
            document, health_score=customer.health_score, renewal_date=customer.renewal_date, today=as_of
        )
    except ValueError:  # a stored document that no longer validates still gets listed
        pass
    return PlanRow(
        plan_id=plan.id,
        customer_name=customer.name,
        fiscal_year=plan.fiscal_year,
        status=plan.status,
        version=plan.version,
        confidence=float(plan.ai_confidence) if plan.ai_confidence is not None else None,
        next_actions=actions[:NEXT_ACTIONS_SHOWN],
        csm=csm,
        risk_level=level,
        renewal_date=customer.renewal_date,
        sent_back=sent_back,
    )


async def review_queue(database: Database, actor: Actor, as_of: date) -> list[PlanRow]:
    """Plans waiting for this person's decision (their reports' plans; every plan for admins),
    most urgent first."""
    if actor.role not in (Role.MANAGER, Role.ADMIN):
        return []
    async with database.session() as session:
        pending = (
            await session.execute(
                select(AccountPlan, Customer)
                .join(Customer, Customer.id == AccountPlan.customer_id)
                .where(AccountPlan.status == PlanStatus.PENDING_REVIEW)
                .order_by(AccountPlan.updated_at)
            )
        ).all()
        waiting = [
            (plan, customer)
            for plan, customer in pending
            if may("approve", actor, await ownership_of(session, plan))
        ]
        rows = await _rows(session, waiting, as_of)
    return sorted(rows, key=lambda row: row.urgency(as_of))


async def riskiest_accounts(database: Database, actor: Actor, *, limit: int = 5) -> list[RiskyAccount]:
    """The actor's accounts ordered by active critical/high risks, then lowest health."""
    severity_rank = {"critical": 0, "high": 1, "medium": 2, "low": 3}
    query = select(Customer)
    csm_email = _book_filter(actor)
    if csm_email:
        query = query.where(func.lower(Customer.csm_email) == csm_email.lower())
    async with database.session() as session:
        customers = (await session.execute(query)).scalars().all()
        risks = (
            (await session.execute(select(RiskSignal).where(RiskSignal.status == RiskStatus.ACTIVE))).scalars().all()
        )
    by_customer: dict[str, list[RiskSignal]] = {}
    for risk in risks:
        by_customer.setdefault(risk.customer_id, []).append(risk)
    ranked = []
    for customer in customers:
        signals = sorted(by_customer.get(customer.id, []), key=lambda r: severity_rank.get(r.severity, 9))
        serious = sum(1 for r in signals if r.severity in (Severity.CRITICAL, Severity.HIGH))
        ranked.append(
            (
                (
                    -serious,
                    customer.health_score if customer.health_score is not None else 101,
                    customer.name,
                ),
                RiskyAccount(
                    customer.id,
                    customer.name,
                    customer.health_score,
                    len(signals),
                    signals[0].description if signals else None,
                ),
            )
        )
    ranked.sort(key=lambda pair: pair[0])
    return [account for _, account in ranked[:limit]]


async def customer_named_in(database: Database, text: str, actor: Actor | None = None) -> CustomerChoice | None:
    """The customer a chat message names (the longest full customer name in it, Slack markup
    ignored); None when it names none; UnknownCustomer with choices (within `actor`'s book) when it
    names several or only comes close to some."""
    async with database.session() as session:
        named = await customer_named_by(session, actor or Actor.operator(), text)
    return None if named is None else CustomerChoice(named.id, named.name)


async def latest_plan_id(database: Database, customer_id: str) -> str | None:
    async with database.session() as session:
        try:
            return (await find_plan(session, customer_id)).id
        except NotFound:
            return None


async def changes_since_approval(
    database: Database, plan_id: str, actor: Actor
) -> tuple[AccountPlanDocument, list[str]]:
    """The plan and what its current version changes relative to the approved one, for someone the
    policy lets view it."""
    async with database.session() as session:
        plan = await get_plan(session, plan_id)
        authorize("view", actor, await ownership_of(session, plan))
        return document_of(plan), await changes_since_approved(session, plan)
