"""Buttons and selects: plan buttons, modal tabs, did-you-mean picks, the generator's customer
type-ahead (block_suggestion) and preview, and App Home's buttons."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.slack import ids
from bot.slack.blocks.did_you_mean import parse_request_value
from bot.slack.blocks.exports import OPEN_CANVAS
from bot.slack.blocks.generator_modal import customer_options, generator_modal, preview_text
from bot.slack.blocks.objective_modal import objective_modal
from bot.slack.blocks.plan_modal import OBJECTIVE_BLOCK_PREFIX, PROPOSAL_PREFIX
from bot.slack.charts import post_charts
from bot.slack.conversation import answer_for_picked_customer
from bot.slack.drafting import (
    DraftTarget,
    default_fiscal_year,
    draft_plan_in_slack,
    estimate_seconds,
    fiscal_year_choices,
)
from bot.slack.exporting import export_plan
from bot.slack.feedback import slack_error_code
from bot.slack.gate import (
    MEMBER,
    Gate,
    Interaction,
    Subject,
    customer_in_value,
    plan_in_objective_form,
    plan_in_value,
)
from bot.slack.listeners.commands import open_generator
from bot.slack.listeners.registry import on_action, on_options
from bot.slack.services.access import plan_id_of_proposal
from bot.slack.services.book import (
    CustomerChoice,
    context_preview,
    customer_choice,
    customers_for,
    plan_document,
)
from bot.slack.submission import submit_from_slack
from bot.slack.viewing import plan_view, view_for
from storage.plan_document import FISCAL_YEAR_PATTERN

PICK_CUSTOMER_PATTERN = re.compile(rf"^{ids.PICK_CUSTOMER}_\d+$")
PICK_CUSTOMER_FOR_REQUEST_PATTERN = re.compile(rf"^{ids.PICK_CUSTOMER_FOR_REQUEST}_\d+$")
PLAN_TAB_PATTERN = re.compile(rf"^{ids.PLAN_TAB_PREFIX}({'|'.join(ids.PLAN_TABS)})$")


async def picked_customer(it: Interaction) -> Subject:
    """The customer chosen in the generator's select."""
    return Subject(customer_id=str(it.body["actions"][0]["selected_option"]["value"]))


async def customer_type_ahead(it: Interaction) -> dict[str, Any]:
    """Only customers the person may plan for; the options are the acknowledgement."""
    choices = await customers_for(it.deps.database, it.actor, it.body.get("value", ""))
    return {"options": customer_options(choices)}


async def customer_picked(it: Interaction) -> None:
    selected = it.body["actions"][0]["selected_option"]
    view = it.body["view"]
    preview = await context_preview(it.deps.database, selected["value"], it.deps.today())
    try:
        await it.client.views_update(
            view_id=view["id"],
            hash=view.get("hash"),
            view=generator_modal(
                fiscal_year_choices(it.deps),
                default_fiscal_year(it.deps),
                channel_id=view.get("private_metadata", ""),
                customer=CustomerChoice(selected["value"], preview.customer_name),
                preview=preview_text(preview, estimate_seconds(it.deps.settings)),
            ),
        )
    except SlackApiError as error:
        if slack_error_code(error) != "hash_conflict":
            raise
        # The person changed the form meanwhile; their newer pick brings its own preview.


def _in_modal(it: Interaction) -> bool:
    """The click came from inside a modal (a new form then stacks on top of it)."""
    return (it.body.get("container") or {}).get("type") == "view" and "view" in it.body


async def view_plan(it: Interaction) -> None:
    view = await plan_view(it.deps, it.actor, it.action_value)
    if _in_modal(it):
        await it.client.views_push(trigger_id=it.body["trigger_id"], view=view)
    else:
        await it.client.views_open(trigger_id=it.body["trigger_id"], view=view)


async def plan_or_proposal_in_value(it: Interaction) -> Subject:
    """A tab button's plan: its value is the plan id, or `proposal:<id>` for a proposed revision."""
    if it.action_value.startswith(PROPOSAL_PREFIX):
        return Subject(plan_id=await plan_id_of_proposal(it.deps.database, it.action_value.removeprefix(PROPOSAL_PREFIX)))
    return Subject(plan_id=it.action_value)


async def switch_tab(it: Interaction) -> None:
    action = it.body["actions"][0]
    tab = action["action_id"].removeprefix(ids.PLAN_TAB_PREFIX)
    view = await view_for(it.deps, it.actor, it.action_value, tab)
    await it.client.views_update(view_id=it.body["view"]["id"], view=view)


async def edit_objective(it: Interaction) -> None:
    """From the card (the first objective) or from an objective's Edit button in the full plan
    (that objective, in a form stacked on the plan)."""
    document = await plan_document(it.deps.database, it.action_value)
    block_id = str(it.body["actions"][0].get("block_id") or "")
    picked = block_id.removeprefix(OBJECTIVE_BLOCK_PREFIX) if block_id.startswith(OBJECTIVE_BLOCK_PREFIX) else None
    view = objective_modal(document, picked)
    if _in_modal(it):
        await it.client.views_push(trigger_id=it.body["trigger_id"], view=view)
    else:
        await it.client.views_open(trigger_id=it.body["trigger_id"], view=view)


async def objective_picked(it: Interaction) -> None:
    assert it.subject.plan_id is not None
    document = await plan_document(it.deps.database, it.subject.plan_id)
    picked = it.body["actions"][0]["selected_option"]["value"]
    await it.client.views_update(view_id=it.body["view"]["id"], view=objective_modal(document, picked))


async def submit(it: Interaction) -> None:
    await submit_from_slack(it, plan_id=it.action_value)
    if _in_modal(it):  # the full plan stays open: show it submitted, without the Submit button
        view = await plan_view(it.deps, it.actor, it.action_value)
        await it.client.views_update(view_id=it.body["view"]["id"], view=view)


async def charts(it: Interaction) -> None:
    await post_charts(it.deps, it.client, it.action_value, requested_by=it.user_id)


async def export(it: Interaction) -> None:
    await export_plan(it, plan_id=it.action_value)


async def pick_customer(it: Interaction) -> None:
    customer = await customer_choice(it.deps.database, it.action_value)
    # The block id is "did_you_mean:FY2027" when the command named a fiscal year.
    asked = it.body["actions"][0].get("block_id", "").partition(":")[2]
    await draft_plan_in_slack(
        it.deps,
        it.client,
        DraftTarget(channel=it.channel or it.user_id, user_id=it.user_id),
        customer=customer,
        fiscal_year=asked if FISCAL_YEAR_PATTERN.match(asked) else default_fiscal_year(it.deps),
        actor=it.actor,
    )


async def customer_in_request_value(it: Interaction) -> Subject:
    """The customer a "which customer?" button under a chat request picks."""
    customer_id, _request = parse_request_value(it.action_value)
    return Subject(customer_id=customer_id)


async def pick_customer_for_request(it: Interaction) -> None:
    await answer_for_picked_customer(it.deps, it.client, it.body)


async def canvas_opened(it: Interaction) -> None:
    """A link button: Slack opens the canvas itself and tells us about the click; nothing to do."""


async def open_from_home(it: Interaction) -> None:
    # From App Home the plan goes to the user's DM with the bot.
    await open_generator(it.deps, it.client, it.body["trigger_id"], "")


def register(app: AsyncApp) -> None:
    on_options(app, ids.CUSTOMER_SELECT, gate=MEMBER)(customer_type_ahead)
    on_action(
        app, ids.CUSTOMER_SELECT, gate=Gate("view", picked_customer), doing="load the customer preview"
    )(customer_picked)
    on_action(app, ids.VIEW_PLAN, gate=Gate("view", plan_in_value), doing="open the plan")(view_plan)
    on_action(app, PLAN_TAB_PATTERN, gate=Gate("view", plan_or_proposal_in_value), doing="switch tabs")(
        switch_tab
    )
    on_action(app, ids.EDIT_OBJECTIVE, gate=Gate("edit", plan_in_value), doing="open the objective editor")(
        edit_objective
    )
    on_action(
        app, ids.OBJECTIVE_PICK, gate=Gate("edit", plan_in_objective_form), doing="load that objective"
    )(objective_picked)
    on_action(app, ids.SUBMIT_PLAN, gate=Gate("submit", plan_in_value), doing="submit the plan")(submit)
    on_action(app, ids.EXPORT_PLAN, gate=Gate("export", plan_in_value), doing="export the plan")(export)
    on_action(app, ids.CHARTS, gate=Gate("view", plan_in_value), doing="draw the plan's charts")(charts)
    on_action(app, PICK_CUSTOMER_PATTERN, gate=Gate("generate", customer_in_value), doing="draft that plan")(
        pick_customer
    )
    on_action(
        app,
        PICK_CUSTOMER_FOR_REQUEST_PATTERN,
        gate=Gate("view", customer_in_request_value),
        doing="answer that for the customer picked",
    )(pick_customer_for_request)
    on_action(app, ids.HOME_OPEN_GENERATOR, gate=MEMBER, doing="open the plan generator")(open_from_home)
    on_action(app, OPEN_CANVAS, gate=MEMBER, doing="open the canvas")(canvas_opened)
