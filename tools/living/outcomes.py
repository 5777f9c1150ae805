"""Outcome analytics: are plans used and do they work? Plan coverage (PRD target 70%), objective
completion (target 60%), overdue actions by CSM, and renewal / expansion rates of accounts with vs
without an approved plan - always with the counts behind each rate, so small samples show."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from pydantic import BaseModel, computed_field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import AccountPlan, Customer, User
from storage.plans import document_of
from storage.vocabulary import Role
from tools.living.actions import due_actions, plans_in_force_filter
from tools.living.progress import objective_progress
from tools.plans.policy import Actor

COVERAGE_TARGET = 0.70
COMPLETION_TARGET = 0.60
UNASSIGNED = "(no CSM)"


class Rate(BaseModel):
    """`hits` out of `total`; `rate` is None when there is nothing to divide by."""

    hits: int
    total: int

    @computed_field
    @property
    def rate(self) -> float | None:
        return self.hits / self.total if self.total else None

    def shown(self) -> str:
        rate = self.rate
        if rate is None:
            return "n/a (none yet)"
        # 1 of 200 is not "0%": small shares keep a decimal so a first plan is visible.
        percent = f"{rate:.1%}" if 0 < rate < 0.1 else f"{rate:.0%}"
        return f"{percent} ({self.hits}/{self.total})"


class OutcomeGroup(BaseModel):
    accounts: int
    renewal: Rate  # renewed among accounts with a known renewal outcome
    expansion: Rate  # grew ARR among accounts with a known ARR change


class CsmStats(BaseModel):
    csm_email: str
    csm_name: str | None = None
    coverage: Rate
    completion: Rate
    overdue_actions: int


class OutcomeStats(BaseModel):
    as_of: date
    coverage: Rate
    coverage_target: float = COVERAGE_TARGET
    completion: Rate
    completion_target: float = COMPLETION_TARGET
    overdue_by_csm: dict[str, int]
    by_csm: list[CsmStats]
    with_plan: OutcomeGroup
    without_plan: OutcomeGroup
    csm_names: dict[str, str] = {}

    def csm_label(self, csm_email: str) -> str:
        """The CSM's name where it is known (people read names, not addresses)."""
        return self.csm_names.get(csm_email) or csm_email


def _group(customers: list[Customer]) -> OutcomeGroup:
    known_renewal = [c for c in customers if c.renewal_outcome in ("renewed", "churned")]
    known_change = [c for c in customers if c.arr_change_last_year is not None]
    return OutcomeGroup(
        accounts=len(customers),
        renewal=Rate(
            hits=sum(1 for c in known_renewal if c.renewal_outcome == "renewed"), total=len(known_renewal)
        ),
        expansion=Rate(
            hits=sum(1 for c in known_change if c.arr_change_last_year and c.arr_change_last_year > 0),
            total=len(known_change),
        ),
    )


async def outcome_stats(
    session: AsyncSession,
    as_of: date,
    *,
    csm_email: str | None = None,
    csm_emails: Collection[str] | None = None,
) -> OutcomeStats:
    """Everything `/accountplan stats` shows: for the whole book, one CSM's (`csm_email`) or a
    team's (`csm_emails`)."""
    customer_query = select(Customer)
    if csm_email:
        customer_query = customer_query.where(Customer.csm_email == csm_email)
    if csm_emails is not None:
        customer_query = customer_query.where(func.lower(Customer.csm_email).in_([e.lower() for e in csm_emails]))
    customers = list((await session.execute(customer_query)).scalars())
    plans = list((await session.execute(select(AccountPlan).where(plans_in_force_filter()))).scalars())
    by_customer = {c.id: c for c in customers}
    planned_ids = {p.customer_id for p in plans if p.customer_id in by_customer}

    objectives_by_csm: dict[str, list[bool]] = {}
    for plan in plans:
        customer = by_customer.get(plan.customer_id)
        if customer is None:
            continue
        completed = [objective_progress(o, customer).complete for o in document_of(plan).strategic_objectives]
        objectives_by_csm.setdefault(customer.csm_email or UNASSIGNED, []).extend(completed)

    overdue_by_csm: dict[str, int] = {}
    for action in await due_actions(session, as_of, csm_email=csm_email, horizon_days=-1):
        if action.customer_id in by_customer:
            csm = action.csm_email or UNASSIGNED
            overdue_by_csm[csm] = overdue_by_csm.get(csm, 0) + 1

    csms = sorted({c.csm_email or UNASSIGNED for c in customers})
    users = (await session.execute(select(User.email, User.name).where(User.email.in_(csms)))).all()
    names = {email: name for email, name in users if name}
    by_csm: list[CsmStats] = []
    for csm in csms:
        book = [c for c in customers if (c.csm_email or UNASSIGNED) == csm]
        done = objectives_by_csm.get(csm, [])
        by_csm.append(
            CsmStats(
                csm_email=csm,
                csm_name=names.get(csm),
                coverage=Rate(hits=sum(1 for c in book if c.id in planned_ids), total=len(book)),
                completion=Rate(hits=sum(done), total=len(done)),
                overdue_actions=overdue_by_csm.get(csm, 0),
            )
        )
    all_done = [flag for flags in objectives_by_csm.values() for flag in flags]
    return OutcomeStats(
        as_of=as_of,
        coverage=Rate(hits=len(planned_ids), total=len(customers)),
        completion=Rate(hits=sum(all_done), total=len(all_done)),
        overdue_by_csm=dict(sorted(overdue_by_csm.items(), key=lambda item: (-item[1], item[0]))),
        by_csm=by_csm,
        with_plan=_group([c for c in customers if c.id in planned_ids]),
        without_plan=_group([c for c in customers if c.id not in planned_ids]),
        csm_names=names,
    )


def format_stats(stats: OutcomeStats) -> str:
    """The plain-text report for the terminal (and the Slack fallback text)."""

    def target(rate: Rate, goal: float) -> str:
        value = rate.rate
        mark = "" if value is None else (" ✓" if value >= goal else f" (below the {goal:.0%} target)")
        return f"{rate.shown()}{mark}"

    lines = [
        f"Outcomes as of {stats.as_of.isoformat()}",
        f"Plan coverage:          {target(stats.coverage, stats.coverage_target)}",
        f"Objective completion:   {target(stats.completion, stats.completion_target)}",
        "",
        "Plan to outcome                 with approved plan      without",
        f"  renewal rate                  {stats.with_plan.renewal.shown():<23} {stats.without_plan.renewal.shown()}",
        f"  expansion rate                {stats.with_plan.expansion.shown():<23} {stats.without_plan.expansion.shown()}",
        f"  accounts                      {stats.with_plan.accounts:<23} {stats.without_plan.accounts}",
        "",
        f"{'By CSM':<32}{'coverage':<18}{'completion':<18}overdue",
    ]
    for row in stats.by_csm:
        lines.append(
            f"  {row.csm_email:<30}{row.coverage.shown():<18}{row.completion.shown():<18}{row.overdue_actions}"
        )
    return "\n".join(lines)


async def team_emails(session: AsyncSession, manager_email: str) -> list[str]:
    """A manager's own book and the books of the CSMs who report to them."""
    reports = await session.execute(select(User.email).where(func.lower(User.manager_email) == manager_email.lower()))
    return sorted({manager_email.lower(), *(email.lower() for email in reports.scalars())})


async def stats_for(database: Database, actor: Actor, as_of: date) -> OutcomeStats:
    """Admins (and the terminal) see everyone; a manager their team; a CSM their own book."""
    async with database.session() as session:
        if actor.role in (Role.ADMIN, Role.OPERATOR):
            return await outcome_stats(session, as_of)
        if actor.role == Role.MANAGER:
            return await outcome_stats(session, as_of, csm_emails=await team_emails(session, actor.email))
        return await outcome_stats(session, as_of, csm_email=actor.email)
