"""Buttons and selects: plan buttons, modal tabs, did-you-mean picks, the generator's customer
type-ahead (block_suggestion) and preview, and App Home's buttons."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import ids
from bot.slack.blocks.generator_modal import customer_options, generator_modal, preview_text
from bot.slack.blocks.objective_modal import objective_modal, parse_objective_metadata
from bot.slack.blocks.plan_modal import plan_modal
from bot.slack.deps import SlackDeps
from bot.slack.drafting import (
    DraftTarget,
    default_fiscal_year,
    draft_plan_in_slack,
    estimate_seconds,
    fiscal_year_choices,
)
from bot.slack.exporting import export_plan
from bot.slack.feedback import report_failure, slack_error_code
from bot.slack.listeners.commands import open_generator
from bot.slack.services.book import (
    CustomerChoice,
    context_preview,
    customer_choice,
    customers_for,
    plan_document,
    slack_actor,
)
from bot.slack.services.plan_requests import check_may_generate
from bot.slack.submission import submit_from_slack
from storage.errors import AccountPlanError
from storage.plan_document import FISCAL_YEAR_PATTERN

PICK_CUSTOMER_PATTERN = re.compile(rf"^{ids.PICK_CUSTOMER}_\d+$")
PLAN_TAB_PATTERN = re.compile(rf"^{ids.PLAN_TAB_PREFIX}({'|'.join(ids.PLAN_TABS)})$")


def _channel_of(body: dict[str, Any]) -> str | None:
    return (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")


def _value(body: dict[str, Any]) -> str:
    return str(body["actions"][0].get("value") or "")


def register(app: AsyncApp, deps: SlackDeps) -> None:
    async def failed(client: AsyncWebClient, body: dict[str, Any], what: str, error: Exception) -> None:
        await report_failure(client, what, error, channel=_channel_of(body), user=body["user"]["id"])

    @app.options(ids.CUSTOMER_SELECT)
    async def customer_type_ahead(ack: AsyncAck, body: dict[str, Any]) -> None:
        # The options are the acknowledgement, so this one answers from the database before ack.
        try:
            actor = await slack_actor(deps.database, body["user"]["id"], deps.directory)
            choices = await customers_for(deps.database, actor, body.get("value", ""))
        except AccountPlanError:
            choices = []
        await ack(options=customer_options(choices))

    @app.action(ids.CUSTOMER_SELECT)
    async def customer_picked(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        selected = body["actions"][0]["selected_option"]
        view = body["view"]
        try:
            preview = await context_preview(deps.database, selected["value"], deps.today())
            await client.views_update(
                view_id=view["id"],
                hash=view.get("hash"),
                view=generator_modal(
                    fiscal_year_choices(deps),
                    default_fiscal_year(deps),
                    channel_id=view.get("private_metadata", ""),
                    customer=CustomerChoice(selected["value"], preview.customer_name),
                    preview=preview_text(preview, estimate_seconds(deps.settings)),
                ),
            )
        except SlackApiError as error:
            if slack_error_code(error) == "hash_conflict":
                return  # the person changed the form meanwhile; their newer pick brings its own preview
            await failed(client, body, "load the customer preview", error)
        except Exception as error:
            await failed(client, body, "load the customer preview", error)

    @app.action(ids.VIEW_PLAN)
    async def view_plan(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        try:
            document = await plan_document(deps.database, _value(body))
            await client.views_open(trigger_id=body["trigger_id"], view=plan_modal(document))
        except Exception as error:
            await failed(client, body, "open the plan", error)

    @app.action(PLAN_TAB_PATTERN)
    async def switch_tab(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        action = body["actions"][0]
        tab = action["action_id"].removeprefix(ids.PLAN_TAB_PREFIX)
        try:
            document = await plan_document(deps.database, action["value"])
            await client.views_update(view_id=body["view"]["id"], view=plan_modal(document, tab))
        except Exception as error:
            await failed(client, body, "switch tabs", error)

    @app.action(ids.EDIT_OBJECTIVE)
    async def edit_objective(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        try:
            document = await plan_document(deps.database, _value(body))
            await client.views_open(trigger_id=body["trigger_id"], view=objective_modal(document))
        except Exception as error:
            await failed(client, body, "open the objective editor", error)

    @app.action(ids.OBJECTIVE_PICK)
    async def objective_picked(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        view = body["view"]
        plan_id, _version, _objective = parse_objective_metadata(view["private_metadata"])
        try:
            document = await plan_document(deps.database, plan_id)
            picked = body["actions"][0]["selected_option"]["value"]
            await client.views_update(view_id=view["id"], view=objective_modal(document, picked))
        except Exception as error:
            await failed(client, body, "load that objective", error)

    @app.action(ids.SUBMIT_PLAN)
    async def submit(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await submit_from_slack(
            deps, client, plan_id=_value(body), user_id=body["user"]["id"], channel=_channel_of(body)
        )

    @app.action(ids.EXPORT_PLAN)
    async def export(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await export_plan(
            deps, client, plan_id=_value(body), user_id=body["user"]["id"], channel=_channel_of(body)
        )

    @app.action(PICK_CUSTOMER_PATTERN)
    async def pick_customer(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        user_id, channel = body["user"]["id"], _channel_of(body)
        try:
            actor = await slack_actor(deps.database, user_id, deps.directory)
            customer = await customer_choice(deps.database, _value(body))
            await check_may_generate(deps.database, actor, customer.customer_id)
        except Exception as error:
            await failed(client, body, "draft that plan", error)
            return
        # The block id is "did_you_mean:FY2027" when the command named a fiscal year.
        asked = body["actions"][0].get("block_id", "").partition(":")[2]
        await draft_plan_in_slack(
            deps,
            client,
            DraftTarget(channel=channel or user_id, user_id=user_id),
            customer=customer,
            fiscal_year=asked if FISCAL_YEAR_PATTERN.match(asked) else default_fiscal_year(deps),
            actor=actor,
        )

    @app.action(ids.HOME_OPEN_GENERATOR)
    async def open_from_home(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        try:
            # From App Home the plan goes to the user's DM with the bot.
            await open_generator(deps, client, body["trigger_id"], "")
        except Exception as error:
            await failed(client, body, "open the plan generator", error)
