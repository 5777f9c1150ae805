"""The one authorization gate, through the real Bolt app over signed HTTP and the fake Web API:
every button, select, modal and subcommand declares a gate; people accountplan does not know are
told to ask an admin; the view, edit and export policy holds for every plan button; canvases are
editable by the plan's CSM only; a listener registered around the gate never runs."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.slack import ids
from bot.slack.blocks.approval import COMMENT_BLOCK, COMMENT_INPUT, COMMENT_VIEW, comment_modal
from bot.slack.gate import ANYONE, MEMBER, Gate, Interaction, Requester, open_gate, plan_in_value
from bot.slack.listeners.actions import view_plan
from bot.slack.listeners.registry import DECLARED, Declaration
from storage.errors import PermissionDenied
from storage.models import AccountPlan, Customer
from tests.bot.slack.conftest import CSM, SlackHarness
from tests.bot.slack.test_interactions import block_actions, button
from tests.bot.slack.test_interactions import drafted_plan as draft_through_slack
from tests.fakes.slack_api import RecordedCall

OTHER_CSM = "U0CSM002"  # a demo CSM whose book does not hold TechCorp Industries
MANAGER = "U0MGR001"  # TechCorp's CSM's manager
GUEST = "U0GUEST01"  # in the Slack workspace, not an accountplan user
ASK_AN_ADMIN = "ask an admin to add you"
# Calls a refused request must never cause.
SIDE_EFFECTS = (
    "views.open",
    "views.update",
    "chat.postMessage",
    "chat.update",
    "files.getUploadURLExternal",
    "canvases.create",
    "canvases.access.set",
)
# An example id for each pattern a listener matches (a new pattern needs one here).
PATTERN_EXAMPLES = {
    r"^plan_tab_(summary|objectives|stakeholders|expansion|actions)$": "plan_tab_objectives",
    r"^pick_customer_\d+$": "pick_customer_0",
    r"^pick_customer_request_\d+$": "pick_customer_request_0",
}


def to(user: str) -> Any:
    return lambda call: call.params.get("user") == user


async def drafted_plan(slack: SlackHarness) -> tuple[str, RecordedCall]:
    """TechCorp's plan drafted through Slack, its pictures uploaded too: the upload runs after the
    summary, and a refusal test counting calls from here must not see it land on a loaded machine."""
    drafted = await draft_through_slack(slack)
    await slack.fake.wait_for("files.completeUploadExternal", timeout=60)
    return drafted


def side_effects(calls: list[RecordedCall]) -> list[str]:
    return [c.method for c in calls if c.method in SIDE_EFFECTS]


def example_id(declaration: Declaration) -> str:
    if isinstance(declaration.constraint, str):
        return declaration.constraint
    return PATTERN_EXAMPLES[declaration.constraint.pattern]


def interaction_for(declaration: Declaration, user: str, plan_id: str) -> dict[str, Any]:
    """A request Slack could send for this listener, filled in enough to pass form checks."""
    name = example_id(declaration)
    if declaration.kind == "options":
        return {"type": "block_suggestion", "user": {"id": user}, "action_id": name, "value": "tech"}
    if declaration.kind == "view":
        metadata = {
            ids.GENERATOR_VIEW: "C0PLANS1",
            ids.OBJECTIVE_VIEW: f"{plan_id}|1|obj-1",
            COMMENT_VIEW: comment_modal(
                "reject", plan_id, 1, "TechCorp", channel="C0PLANS1"
            ).private_metadata,
        }[name]
        values = {
            ids.CUSTOMER_BLOCK: {ids.CUSTOMER_SELECT: {"selected_option": {"value": "acct-00000"}}},
            ids.SECTIONS_BLOCK: {
                ids.SECTIONS_CHECKBOXES: {"selected_options": [{"value": "risk_mitigation"}]}
            },
            f"{ids.OBJECTIVE_TEXT_BLOCK}:obj-1": {ids.OBJECTIVE_TEXT: {"value": "A different aim"}},
            COMMENT_BLOCK: {COMMENT_INPUT: {"value": "Not this way"}},
        }
        view = {
            "id": "V1",
            "type": "modal",
            "callback_id": name,
            "private_metadata": metadata,
            "state": {"values": values},
        }
        return {"type": "view_submission", "user": {"id": user}, "view": view}
    action = {
        "type": "button",
        "action_id": name,
        "block_id": "b",
        "value": f"{plan_id}:1" if name.startswith("approval_") else plan_id,
        "selected_option": {"value": "obj-1"},
    }
    if name.startswith("living_action_"):
        action["value"] = json.dumps({"p": plan_id, "i": 0, "f": "x"})
    if name.startswith("pick_customer_request_"):
        action["value"] = json.dumps({"customer": "techcorp", "request": "make objective 1 critical"})
    view = {"id": "V1", "hash": "h", "private_metadata": f"{plan_id}|1|obj-1"}
    return block_actions(action, user=user, channel={"id": "C0PLANS1"}, view=view, message={"ts": "1.2"})


def subcommand_text(name: str) -> str:
    return {"": "", "*": "TechCorp"}.get(name, f"{name} TechCorp")


async def plan_count(slack: SlackHarness) -> int:
    async with slack.deps.database.session() as session:
        return int(await session.scalar(select(func.count()).select_from(AccountPlan)) or 0)


async def test_every_interactive_listener_declares_a_gate(slack: SlackHarness) -> None:
    kinds = {d.kind for d in DECLARED.values()}
    assert {"action", "view", "options", "subcommand", "command"} <= kinds
    for declaration in DECLARED.values():
        assert isinstance(declaration.gate, Gate), declaration
        if declaration.kind == "subcommand" and declaration.constraint == "help":
            assert declaration.gate is ANYONE
        elif declaration.kind != "command":  # the command dispatches to its subcommands' gates
            assert declaration.gate is not ANYONE, f"{declaration.constraint!r} is open to strangers"
    plan_buttons = {ids.VIEW_PLAN: "view", ids.EDIT_OBJECTIVE: "edit", ids.SUBMIT_PLAN: "submit"}
    plan_buttons |= {ids.EXPORT_PLAN: "export", ids.OBJECTIVE_PICK: "edit"}
    for plan_button, action in plan_buttons.items():
        assert DECLARED[("action", plan_button)].gate.action == action
    tabs = next(
        d
        for d in DECLARED.values()
        if d.kind == "action" and not isinstance(d.constraint, str) and d.constraint.match("plan_tab_summary")
    )
    assert tabs.gate.action == "view"
    with pytest.raises(ValueError, match="needs a subject"):
        Gate("view")
    with pytest.raises(ValueError, match="unknown gate action"):
        Gate("peek", plan_in_value)  # type: ignore[arg-type]


async def test_someone_accountplan_does_not_know_is_told_to_ask_an_admin_by_every_listener(
    slack: SlackHarness,
) -> None:
    plan_id, _ = await drafted_plan(slack)
    slack.fake.add_user(GUEST, email="guest@partner.example", name="Gus Guest")
    before = len(slack.fake.calls)
    pictures = dict(slack.fake.uploads)  # the plan's own pictures, uploaded when it was drafted
    plans = await plan_count(slack)
    told = refused = 0
    for declaration in list(DECLARED.values()):
        if declaration.kind == "command":
            continue
        if declaration.kind == "subcommand":
            await slack.sender.command(subcommand_text(str(declaration.constraint)), user_id=GUEST)
            answers = await slack.fake.wait_for("response_url", count=told + 1)
            told += 1
            text = answers[-1].params["text"]
            if declaration.gate is ANYONE:
                assert "/accountplan" in text
            else:
                assert ASK_AN_ADMIN in text and GUEST in text, (declaration.constraint, text)
            continue
        response = await slack.sender.interaction(interaction_for(declaration, GUEST, plan_id))
        assert response.status == 200
        if declaration.kind == "options":
            assert response.json() == {"options": []}
            continue
        refused += 1
        refusals = await slack.fake.wait_for("chat.postEphemeral", to(GUEST), count=refused)
        assert ASK_AN_ADMIN in refusals[-1].params["text"], (declaration.constraint, refusals[-1].params)
        assert "Traceback" not in refusals[-1].params["text"]
    assert side_effects(slack.fake.calls[before:]) == [] and slack.fake.uploads == pictures
    assert await plan_count(slack) == plans


async def test_another_csm_cannot_open_the_plan_its_tabs_or_its_objective_editor(slack: SlackHarness) -> None:
    plan_id, _ = await drafted_plan(slack)
    before = len(slack.fake.calls)
    view = {"id": "V0PLAN01", "hash": "h", "private_metadata": plan_id}
    for action_id in (ids.VIEW_PLAN, "plan_tab_stakeholders", ids.EDIT_OBJECTIVE):
        await slack.sender.interaction(
            block_actions(button(action_id, plan_id), user=OTHER_CSM, channel={"id": "C0PLANS1"}, view=view)
        )
    refusals = await slack.fake.wait_for("chat.postEphemeral", to(OTHER_CSM), count=3)
    for refusal in refusals:
        assert re.search(r"only (view|edit) plans in your own book", refusal.params["text"])
        assert refusal.params["channel"] == "C0PLANS1"
    assert side_effects(slack.fake.calls[before:]) == []


async def test_the_csms_manager_may_view_but_not_edit(slack: SlackHarness) -> None:
    plan_id, _ = await drafted_plan(slack)
    await slack.sender.interaction(block_actions(button(ids.VIEW_PLAN, plan_id), user=MANAGER))
    (opened,) = await slack.fake.wait_for("views.open")
    assert opened.params["view"]["callback_id"] == "plan_modal"
    await slack.sender.interaction(block_actions(button(ids.EDIT_OBJECTIVE, plan_id), user=MANAGER))
    (refusal,) = await slack.fake.wait_for("chat.postEphemeral", to(MANAGER))
    assert "only edit plans in your own book" in refusal.params["text"]
    assert len(slack.fake.calls_to("views.open")) == 1


async def test_a_guest_cannot_export_and_another_csm_neither(slack: SlackHarness) -> None:
    plan_id, _ = await drafted_plan(slack)
    slack.fake.add_user(GUEST, email="guest@partner.example", name="Gus Guest")
    before = len(slack.fake.calls)
    pictures = dict(slack.fake.uploads)  # the plan's own pictures, uploaded when it was drafted
    await slack.sender.interaction(
        block_actions(button(ids.EXPORT_PLAN, plan_id), user=GUEST, channel={"id": "C0PLANS1"})
    )
    (guest,) = await slack.fake.wait_for("chat.postEphemeral", to(GUEST))
    assert ASK_AN_ADMIN in guest.params["text"] and f"--slack-id {GUEST}" in guest.params["text"]
    await slack.sender.interaction(
        block_actions(button(ids.EXPORT_PLAN, plan_id), user=OTHER_CSM, channel={"id": "C0PLANS1"})
    )
    (csm,) = await slack.fake.wait_for("chat.postEphemeral", to(OTHER_CSM))
    assert "only export plans in your own book" in csm.params["text"]
    assert side_effects(slack.fake.calls[before:]) == [] and slack.fake.uploads == pictures


async def test_a_canvas_is_editable_by_the_plans_csm_only(slack: SlackHarness) -> None:
    plan_id, _ = await drafted_plan(slack)
    # The manager may export (the policy lets them view it); the canvas stays the CSM's to edit.
    await slack.sender.interaction(
        block_actions(button(ids.EXPORT_PLAN, plan_id), user=MANAGER, channel={"id": "C0PLANS1"})
    )
    (note,) = await slack.fake.wait_for("chat.postEphemeral", to(MANAGER))
    assert "and a canvas you and this channel can read (the plan's CSM edits it)" in note.params["text"]
    grants = {
        (c.params.get("access_level"), str(c.params.get("user_ids") or c.params.get("channel_ids")))
        for c in slack.fake.calls_to("canvases.access.set")
    }
    assert grants == {("write", CSM), ("read", MANAGER), ("read", "C0PLANS1")}


async def test_chat_requests_follow_the_same_policy(slack: SlackHarness) -> None:
    await drafted_plan(slack)  # TechCorp's plan, in csm001's book
    plans = await plan_count(slack)
    async with slack.deps.database.session() as session:
        others = await session.scalar(
            select(Customer.name).where(Customer.csm_email == "csm002@demo.accountplan.test").limit(1)
        )
    dm = {"type": "message", "channel": "D0CSM002", "channel_type": "im", "user": OTHER_CSM}
    since = "what changed since approval for TechCorp Industries?"
    await slack.sender.event(dm | {"text": since, "ts": "1800000000.000300"})
    await slack.sender.event(dm | {"text": "draft a plan for TechCorp Industries", "ts": "1800000000.000400"})
    await slack.settle(events=2)
    refusals = [c.params["text"] for c in slack.fake.calls_to("chat.postEphemeral") if to(OTHER_CSM)(c)]
    assert len(refusals) == 2 and all("own book" in text for text in refusals)
    assert await plan_count(slack) == plans
    assert others  # their own customers still draft: the refusal is about the book, not the person
    await slack.sender.event(dm | {"text": f"draft a plan for {others}", "ts": "1800000000.000500"})
    await slack.settle(events=3)
    assert await plan_count(slack) == plans + 1


async def test_a_listener_registered_around_the_gate_never_runs(slack: SlackHarness) -> None:
    ran: list[str] = []

    async def sneaky(ack: Any, body: dict[str, Any]) -> None:
        await ack()
        ran.append(body["user"]["id"])

    slack.app.action("sneaky_button")(sneaky)
    response = await slack.sender.interaction(block_actions(button("sneaky_button", "x"), user=GUEST))
    assert response.status == 200
    await slack.sender.command("help")  # a later request is answered: the sneaky one is long done
    await slack.fake.wait_for("response_url")
    assert ran == []


async def test_a_handler_runs_alone_with_deps_and_an_actor(slack: SlackHarness) -> None:
    """Handlers are module-level functions: call one with an Interaction, no Bolt in between."""
    plan_id, _ = await drafted_plan(slack)
    body = block_actions(button(ids.VIEW_PLAN, plan_id)) | {"trigger_id": "trigger-alone"}
    it = Interaction(slack.deps, slack.app.client, body, Requester(slack.deps, CSM), channel="C0PLANS1")
    await open_gate(Gate("view", plan_in_value), it)
    assert it.actor.email == "csm001@demo.accountplan.test" and it.subject.plan_id == plan_id
    await view_plan(it)
    (opened,) = await slack.fake.wait_for("views.open")
    assert opened.params["trigger_id"] == "trigger-alone"
    assert opened.params["view"]["private_metadata"] == plan_id

    stranger = Interaction(slack.deps, slack.app.client, body, Requester(slack.deps, OTHER_CSM))
    with pytest.raises(PermissionDenied, match="own book"):
        await open_gate(Gate("view", plan_in_value), stranger)
    await open_gate(MEMBER, stranger)
    assert re.fullmatch(r"csm002@.*", stranger.actor.email)
