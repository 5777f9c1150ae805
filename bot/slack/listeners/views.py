"""Modal submissions: the generator form and the Edit objective form."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.slack import ids
from bot.slack.blocks.objective_modal import PRIORITIES, parse_objective_metadata
from bot.slack.blocks.text import escape
from bot.slack.drafting import DraftTarget, draft_plan_in_slack, refresh_plan_message
from bot.slack.feedback import log_failure, tell_user
from bot.slack.gate import Gate, Interaction, Subject, plan_in_objective_form
from bot.slack.listeners.registry import on_view
from bot.slack.services.book import customer_choice
from bot.slack.services.plan_requests import ObjectiveChange, edit_objective
from bot.slack.services.slack_links import plan_message
from bot.slack.web_client import open_dm
from storage.plan_document import QUARTERS, SECTIONS

MIN_OBJECTIVE_CHARS = 5


def _values(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return view.get("state", {}).get("values", {})


def _selected(values: dict[str, dict[str, Any]], block: str, action: str) -> str | None:
    option = (values.get(block, {}).get(action) or {}).get("selected_option")
    return option.get("value") if option else None


# The generator form.


def _generator_sections(view: dict[str, Any]) -> tuple[str, ...]:
    checked = (
        _values(view).get(ids.SECTIONS_BLOCK, {}).get(ids.SECTIONS_CHECKBOXES, {}).get("selected_options")
        or []
    )
    return tuple(s for s in SECTIONS if s in {o["value"] for o in checked})


def generator_form_errors(view: dict[str, Any]) -> dict[str, str] | None:
    """Form problems, shown in the form itself."""
    errors = {}
    if not _selected(_values(view), ids.CUSTOMER_BLOCK, ids.CUSTOMER_SELECT):
        errors[ids.CUSTOMER_BLOCK] = "Pick a customer."
    if not _generator_sections(view):
        errors[ids.SECTIONS_BLOCK] = "Pick at least one section."
    return errors or None


async def customer_in_generator(it: Interaction) -> Subject:
    return Subject(customer_id=_selected(_values(it.body["view"]), ids.CUSTOMER_BLOCK, ids.CUSTOMER_SELECT))


async def generator_submitted(it: Interaction) -> None:
    view = it.body["view"]
    fiscal_year = _selected(_values(view), ids.FISCAL_YEAR_BLOCK, ids.FISCAL_YEAR_SELECT)
    assert it.subject.customer_id is not None
    customer = await customer_choice(it.deps.database, it.subject.customer_id)
    channel = view.get("private_metadata") or await open_dm(it.client, it.user_id)
    await draft_plan_in_slack(
        it.deps,
        it.client,
        DraftTarget(channel=channel, user_id=it.user_id),
        customer=customer,
        fiscal_year=fiscal_year or "",
        actor=it.actor,
        sections=_generator_sections(view),
    )


# The Edit objective form.


def _objective_text(view: dict[str, Any]) -> tuple[str, str]:
    """(text block id, the objective as typed)."""
    _plan_id, _version, objective_id = parse_objective_metadata(view["private_metadata"])
    block = f"{ids.OBJECTIVE_TEXT_BLOCK}:{objective_id}"
    typed = ((_values(view).get(block, {}).get(ids.OBJECTIVE_TEXT) or {}).get("value") or "").strip()
    return block, typed


def objective_form_errors(view: dict[str, Any]) -> dict[str, str] | None:
    block, objective = _objective_text(view)
    if len(objective) < MIN_OBJECTIVE_CHARS:
        return {block: f"Write at least {MIN_OBJECTIVE_CHARS} characters."}
    return None


async def objective_submitted(it: Interaction) -> None:
    view = it.body["view"]
    plan_id, version, objective_id = parse_objective_metadata(view["private_metadata"])
    values = _values(view)
    _block, objective = _objective_text(view)
    priority = _selected(values, f"{ids.OBJECTIVE_PRIORITY_BLOCK}:{objective_id}", ids.OBJECTIVE_PRIORITY)
    milestones = {
        quarter: (
            values.get(f"{ids.MILESTONE_BLOCK_PREFIX}{quarter}:{objective_id}", {}).get(ids.MILESTONE_INPUT)
            or {}
        ).get("value")
        or ""
        for quarter in QUARTERS
    }
    user_id = it.user_id
    where = await plan_message(it.deps.database, plan_id)
    it.channel = where.channel if where else None  # failures are told beside the plan
    document, diff = await edit_objective(
        it.deps.database,
        plan_id,
        base_version=version,
        objective_id=objective_id,
        change=ObjectiveChange(
            objective=objective,
            priority=priority if priority in PRIORITIES else "medium",
            milestones=milestones,
        ),
        actor=it.actor,
        today=it.deps.agent.today(),
        start_month=it.deps.agent.fiscal_year_start_month,
    )
    if not diff:
        await tell_user(
            it.client, channel=where.channel if where else user_id, user=user_id, text="Nothing changed."
        )
        return
    await refresh_plan_message(it.deps, it.client, plan_id)
    summary = f"<@{user_id}> edited *{escape(document.customer_name)} {escape(document.fiscal_year)}* (v{document.version}):\n"
    summary += "\n".join(f"• {escape(line)}" for line in diff)
    if where is None:
        await tell_user(it.client, channel=user_id, user=user_id, text=summary)
        return
    try:
        await it.client.chat_postMessage(
            channel=where.channel, thread_ts=where.thread_root, text=summary, unfurl_links=False, unfurl_media=False
        )
    except SlackApiError as error:  # the edit is saved; only the thread note failed
        log_failure("note the edit in the plan's thread", error, plan=plan_id)
        await tell_user(it.client, channel=user_id, user=user_id, text=summary)


def register(app: AsyncApp) -> None:
    on_view(
        app,
        ids.GENERATOR_VIEW,
        gate=Gate("generate", customer_in_generator),
        doing="draft that plan",
        validate=generator_form_errors,
        reply_channel=lambda view: view.get("private_metadata") or None,
    )(generator_submitted)
    on_view(
        app,
        ids.OBJECTIVE_VIEW,
        gate=Gate("edit", plan_in_objective_form),
        doing="save the objective",
        validate=objective_form_errors,
    )(objective_submitted)
