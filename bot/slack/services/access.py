"""What the authorization gate needs from the database: whose book a plan or customer is in, and
which plan a request names (by customer name, by change proposal), each in one short transaction."""

from __future__ import annotations

from storage.db import Database
from storage.errors import NotFound
from storage.models import Customer, PlanProposal
from storage.plan_document import AccountPlanDocument
from storage.plans import find_plan, get_plan
from tools.living.proposals import get_proposal
from tools.plans.customer_resolution import find_customer_for
from tools.plans.identity import UserDirectory, slack_id_for
from tools.plans.lifecycle import customer_ownership, ownership_of
from tools.plans.policy import Actor, PlanOwnership


async def plan_ownership(database: Database, plan_id: str) -> PlanOwnership:
    """Whose book the plan is in, their manager, and who submitted it (NotFound for no such plan)."""
    async with database.session() as session:
        return await ownership_of(session, await get_plan(session, plan_id))


async def customer_book(database: Database, customer_id: str) -> PlanOwnership:
    """Whose book the customer is in, and that CSM's manager (NotFound for no such customer)."""
    async with database.session() as session:
        customer = await session.get(Customer, customer_id)
        if customer is None:
            raise NotFound(f"no customer {customer_id!r}")
        return await customer_ownership(session, customer)


async def customer_named(
    database: Database, query: str, actor: Actor | None = None
) -> tuple[str, str, PlanOwnership]:
    """(id, name, whose book) of the customer a person typed (id, name or fragment), in one
    transaction; UnknownCustomer with choices (within `actor`'s book when given) otherwise."""
    async with database.session() as session:
        customer = await find_customer_for(session, actor or Actor.operator(), query)
        return customer.id, customer.name, await customer_ownership(session, customer)


async def plan_id_named(
    database: Database, customer_query: str, fiscal_year: str | None, actor: Actor | None = None
) -> str:
    """The named customer's plan for `fiscal_year` (its newest when None); UnknownCustomer with
    choices (within `actor`'s book when given) when the name is not one customer's."""
    async with database.session() as session:
        customer = await find_customer_for(session, actor or Actor.operator(), customer_query)
        return (await find_plan(session, customer.id, fiscal_year)).id


async def plan_id_of_proposal(database: Database, proposal_id: str) -> str:
    async with database.session() as session:
        return (await get_proposal(session, proposal_id)).plan_id


async def proposed_document(database: Database, proposal_id: str) -> AccountPlanDocument:
    """The revision a change proposal offers, as it would read once accepted."""
    async with database.session() as session:
        proposal = await session.get(PlanProposal, proposal_id)
        if proposal is None:
            raise NotFound("that change proposal no longer exists")
        return AccountPlanDocument.model_validate(proposal.proposed_document)


async def csm_chat_id(database: Database, plan_id: str, directory: UserDirectory | None) -> str | None:
    """The Slack id of the plan's CSM (stored, else looked up by email and remembered)."""
    async with database.session() as session:
        owner = await ownership_of(session, await get_plan(session, plan_id))
        if not owner.csm_email:
            return None
        return await slack_id_for(session, owner.csm_email, directory)
