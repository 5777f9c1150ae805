"""The full-plan modal for one person: the plan with today's account facts and objective progress,
and Edit / Submit only for someone the policy lets edit it (a reviewer reads, the CSM acts)."""

from __future__ import annotations

from slack_sdk.models.views import View

from bot.slack.blocks.plan_modal import PROPOSAL_PREFIX, plan_modal
from bot.slack.deps import SlackDeps
from bot.slack.services.access import plan_ownership, proposed_document
from bot.slack.services.plan_cards import plan_card
from tools.plans.policy import Actor, may


async def plan_view(deps: SlackDeps, actor: Actor, plan_id: str, tab: str = "summary") -> View:
    card = await plan_card(deps.database, plan_id, deps.today())
    editable = may("edit", actor, await plan_ownership(deps.database, plan_id))
    return plan_modal(card.document, tab, facts=card.facts, progress=card.progress, editable=editable)


async def proposal_view(deps: SlackDeps, proposal_id: str, tab: str = "summary") -> View:
    """A change proposal's revision, read-only, with today's account facts of its plan."""
    document = await proposed_document(deps.database, proposal_id)
    card = await plan_card(deps.database, document.plan_id, deps.today(), with_progress=False)
    return plan_modal(document, tab, facts=card.facts, proposal_id=proposal_id)


async def view_for(deps: SlackDeps, actor: Actor, value: str, tab: str = "summary") -> View:
    """The modal a plan or tab button's value names: a plan id, or `proposal:<id>`."""
    if value.startswith(PROPOSAL_PREFIX):
        return await proposal_view(deps, value.removeprefix(PROPOSAL_PREFIX), tab)
    return await plan_view(deps, actor, value, tab)
