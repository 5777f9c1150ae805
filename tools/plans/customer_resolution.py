"""Which customer a person means, for every surface (Slack, the CLI, REST): the one resolution in
storage.customers, with fragments and "did you mean" suggestions limited to the customers this
person may plan for (the view policy: their own book, a manager's team, everyone for admins and
the terminal operator). An exact id or full name is found whoever owns it, so the policy can then
say why it is not theirs rather than pretend it does not exist.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.customer_names import Allowed, CustomerName
from storage.customers import customer_named_in_text, find_customer
from storage.models import Customer, User
from tools.plans.policy import Actor, PlanOwnership, may


async def planning_scope(session: AsyncSession, actor: Actor) -> Allowed | None:
    """Whether `actor` may plan for a customer, as a predicate (None: everyone)."""
    if may("view", actor, PlanOwnership(csm_email=None)):
        return None  # admins and the operator see every book
    rows = (await session.execute(select(User.email, User.manager_email))).all()
    managers = {str(email).strip().lower(): manager for email, manager in rows}

    def allowed(customer: CustomerName) -> bool:
        csm = (customer.csm_email or "").strip().lower()
        ownership = PlanOwnership(csm_email=customer.csm_email, csm_manager_email=managers.get(csm))
        return may("view", actor, ownership)

    return allowed


async def find_customer_for(session: AsyncSession, actor: Actor, query: str) -> Customer:
    """The customer `query` names, suggestions limited to `actor`'s scope (UnknownCustomer)."""
    return await find_customer(session, query, allowed=await planning_scope(session, actor))


async def customer_named_by(session: AsyncSession, actor: Actor, text: str) -> CustomerName | None:
    """The customer `actor`'s chat message names; None for none; UnknownCustomer (with the choices
    to ask about, all within their scope) when it names several or only comes close."""
    return await customer_named_in_text(session, text, await planning_scope(session, actor))
