"""Modal submissions: the generator form and the Edit objective form."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import ids
from bot.slack.blocks.objective_modal import PRIORITIES, parse_objective_metadata
from bot.slack.blocks.text import escape
from bot.slack.deps import SlackDeps
from bot.slack.drafting import DraftTarget, draft_plan_in_slack, refresh_plan_message
from bot.slack.feedback import log_failure, report_failure, tell_user
from bot.slack.services.book import customer_choice, slack_actor
from bot.slack.services.plan_requests import ObjectiveChange, check_may_generate, edit_objective
from bot.slack.services.slack_links import plan_message
from storage.plan_document import QUARTERS, SECTIONS

MIN_OBJECTIVE_CHARS = 5


def _values(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return view.get("state", {}).get("values", {})


def _selected(values: dict[str, dict[str, Any]], block: str, action: str) -> str | None:
    option = (values.get(block, {}).get(action) or {}).get("selected_option")
    return option.get("value") if option else None


async def _dm_channel(client: AsyncWebClient, user_id: str) -> str:
    opened = await client.conversations_open(users=user_id)
    return str(opened["channel"]["id"])


def register(app: AsyncApp, deps: SlackDeps) -> None:
    @app.view(ids.GENERATOR_VIEW)
    async def generator_submitted(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        values = _values(view)
        customer_id = _selected(values, ids.CUSTOMER_BLOCK, ids.CUSTOMER_SELECT)
        fiscal_year = _selected(values, ids.FISCAL_YEAR_BLOCK, ids.FISCAL_YEAR_SELECT)
        checked = (
            values.get(ids.SECTIONS_BLOCK, {}).get(ids.SECTIONS_CHECKBOXES, {}).get("selected_options") or []
        )
        sections = tuple(s for s in SECTIONS if s in {o["value"] for o in checked})
        errors = {}
        if not customer_id:
            errors[ids.CUSTOMER_BLOCK] = "Pick a customer."
        if not sections:
            errors[ids.SECTIONS_BLOCK] = "Pick at least one section."
        if errors:  # form problems are shown in the form, without any database work
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        user_id = body["user"]["id"]
        try:
            actor = await slack_actor(deps.database, user_id, deps.directory)
            customer = await customer_choice(deps.database, str(customer_id))
            await check_may_generate(deps.database, actor, customer.customer_id)
            channel = view.get("private_metadata") or await _dm_channel(client, user_id)
        except Exception as error:
            await report_failure(
                client, "draft that plan", error, channel=view.get("private_metadata") or None, user=user_id
            )
            return
        await draft_plan_in_slack(
            deps,
            client,
            DraftTarget(channel=channel, user_id=user_id),
            customer=customer,
            fiscal_year=fiscal_year or "",
            actor=actor,
            sections=sections,
        )

    @app.view(ids.OBJECTIVE_VIEW)
    async def objective_submitted(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        plan_id, version, objective_id = parse_objective_metadata(view["private_metadata"])
        values = _values(view)
        text_block = f"{ids.OBJECTIVE_TEXT_BLOCK}:{objective_id}"
        objective = ((values.get(text_block, {}).get(ids.OBJECTIVE_TEXT) or {}).get("value") or "").strip()
        priority = _selected(values, f"{ids.OBJECTIVE_PRIORITY_BLOCK}:{objective_id}", ids.OBJECTIVE_PRIORITY)
        if len(objective) < MIN_OBJECTIVE_CHARS:
            await ack(
                response_action="errors",
                errors={text_block: f"Write at least {MIN_OBJECTIVE_CHARS} characters."},
            )
            return
        await ack()
        milestones = {
            quarter: (
                values.get(f"{ids.MILESTONE_BLOCK_PREFIX}{quarter}:{objective_id}", {}).get(
                    ids.MILESTONE_INPUT
                )
                or {}
            ).get("value")
            or ""
            for quarter in QUARTERS
        }
        user_id = body["user"]["id"]
        where = await plan_message(deps.database, plan_id)
        try:
            document, diff = await edit_objective(
                deps.database,
                plan_id,
                base_version=version,
                objective_id=objective_id,
                change=ObjectiveChange(
                    objective=objective,
                    priority=priority if priority in PRIORITIES else "medium",
                    milestones=milestones,
                ),
                slack_user_id=user_id,
                directory=deps.directory,
            )
        except Exception as error:
            await report_failure(
                client, "save the objective", error, channel=where.channel if where else None, user=user_id
            )
            return
        if not diff:
            await tell_user(
                client, channel=where.channel if where else user_id, user=user_id, text="Nothing changed."
            )
            return
        await refresh_plan_message(deps, client, plan_id)
        summary = f"<@{user_id}> edited *{escape(document.customer_name)} {escape(document.fiscal_year)}* (v{document.version}):\n"
        summary += "\n".join(f"• {escape(line)}" for line in diff)
        if where is None:
            await tell_user(client, channel=user_id, user=user_id, text=summary)
            return
        try:
            await client.chat_postMessage(
                channel=where.channel,
                thread_ts=where.ts,
                text=summary,
                unfurl_links=False,
                unfurl_media=False,
            )
        except SlackApiError as error:  # the edit is saved; only the thread note failed
            log_failure("note the edit in the plan's thread", error, plan=plan_id)
            await tell_user(client, channel=user_id, user=user_id, text=summary)
