"""Type-ahead, buttons and modal submissions through the real Bolt app over signed HTTP."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block, SectionBlock
from slack_sdk.models.views import View
from sqlalchemy import select

from storage.models import AccountPlan, Customer
from tests.bot.slack.conftest import CSM, SlackHarness
from tests.fakes.slack_api import RecordedCall


def is_summary(call: RecordedCall) -> bool:
    return any(b.get("type") == "header" for b in call.params.get("blocks") or [])


async def drafted_plan(slack: SlackHarness) -> tuple[str, RecordedCall]:
    """Draft TechCorp's plan through the slash command; returns its id and the summary update."""
    await slack.sender.command("TechCorp", channel_id="C0PLANS1")
    (summary,) = await slack.fake.wait_for("chat.update", is_summary)
    plan_id = summary.params["blocks"][-1]["elements"][0]["value"]
    return plan_id, summary


def block_actions(action: dict[str, Any], *, user: str = CSM, **extra: Any) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "user": {"id": user},
        "trigger_id": "trigger-action",
        "actions": [action],
        "response_url": "http://127.0.0.1:9/",
    } | extra


def button(action_id: str, value: str) -> dict[str, Any]:
    return {"type": "button", "action_id": action_id, "block_id": "b", "value": value}


async def test_type_ahead_lists_only_customers_in_the_users_book(slack: SlackHarness) -> None:
    payload = {
        "type": "block_suggestion",
        "user": {"id": CSM},
        "action_id": "customer_select",
        "block_id": "customer_block",
        "value": "",
        "view": {"id": "V1", "callback_id": "generator_modal", "type": "modal"},
    }
    response = await slack.sender.interaction(payload)
    assert response.status == 200
    options = response.json()["options"]
    async with slack.deps.database.session() as session:
        book = set(
            (
                await session.execute(
                    select(Customer.name).where(Customer.csm_email == "csm001@demo.accountplan.test")
                )
            )
            .scalars()
            .all()
        )
    shown = {o["text"]["text"].split(" · ")[0] for o in options}
    assert shown <= book and len(shown) == min(len(book), 20) and "TechCorp Industries" in book

    narrowed = (await slack.sender.interaction(payload | {"value": "techc"})).json()["options"]
    assert [o["text"]["text"].split(" · ")[0] for o in narrowed] == ["TechCorp Industries"]


async def test_picking_a_customer_updates_the_preview(slack: SlackHarness) -> None:
    view = {"id": "V0GEN001", "hash": "h1", "private_metadata": "C0PLANS1", "callback_id": "generator_modal"}
    action = {
        "type": "external_select",
        "action_id": "customer_select",
        "block_id": "customer_block",
        "selected_option": {
            "value": "acct-00000",
            "text": {"type": "plain_text", "text": "TechCorp Industries"},
        },
    }
    async with slack.deps.database.session() as session:
        techcorp = (
            await session.execute(select(Customer).where(Customer.name == "TechCorp Industries"))
        ).scalar_one()
    action["selected_option"]["value"] = techcorp.id
    await slack.sender.interaction(
        block_actions(action, view=view, container={"type": "view", "view_id": "V0GEN001"})
    )
    (update,) = await slack.fake.wait_for("views.update")
    assert update.params["view_id"] == "V0GEN001"
    preview = next(b for b in update.params["view"]["blocks"] if b.get("block_id") == "preview_block")
    text = preview["text"]["text"]
    assert f"health {techcorp.health_score}" in text
    assert (
        "contact" in text and "opportunit" in text and "similar account" in text and "Estimated time" in text
    )
    assert update.params["view"]["private_metadata"] == "C0PLANS1"


async def test_generator_submission_validates_then_drafts_in_the_channel(slack: SlackHarness) -> None:
    async with slack.deps.database.session() as session:
        techcorp_id = (
            await session.execute(select(Customer.id).where(Customer.name == "TechCorp Industries"))
        ).scalar_one()
    state: dict[str, Any] = {
        "customer_block": {"customer_select": {"type": "external_select", "selected_option": None}},
        "fiscal_year_block": {
            "fiscal_year_select": {"type": "static_select", "selected_option": {"value": "FY2027"}}
        },
        "sections_block": {
            "sections_checkboxes": {
                "type": "checkboxes",
                "selected_options": [{"value": "executive_summary"}],
            }
        },
    }
    view = {
        "id": "V1",
        "type": "modal",
        "callback_id": "generator_modal",
        "private_metadata": "C0PLANS9",
        "state": {"values": state},
    }
    missing = await slack.sender.interaction({"type": "view_submission", "user": {"id": CSM}, "view": view})
    assert missing.json()["response_action"] == "errors"
    assert "customer_block" in missing.json()["errors"]

    state["customer_block"]["customer_select"]["selected_option"] = {"value": techcorp_id}
    ok = await slack.sender.interaction({"type": "view_submission", "user": {"id": CSM}, "view": view})
    assert ok.status == 200 and not ok.body
    (drafting,) = await slack.fake.wait_for("chat.postMessage")
    assert drafting.params["channel"] == "C0PLANS9"
    assert "TechCorp Industries FY2027" in drafting.params["text"]
    (summary,) = await slack.fake.wait_for("chat.update", is_summary)
    assert "FY2027" in summary.params["blocks"][0]["text"]["text"]


async def test_view_full_plan_and_switch_tabs(slack: SlackHarness) -> None:
    plan_id, _ = await drafted_plan(slack)
    await slack.sender.interaction(block_actions(button("plan_view", plan_id), channel={"id": "C0PLANS1"}))
    (opened,) = await slack.fake.wait_for("views.open")
    modal = View(**opened.params["view"])
    assert modal.callback_id == "plan_modal" and modal.private_metadata == plan_id
    assert "Executive summary" in str(opened.params["view"]["blocks"])

    view = {"id": "V0PLAN01", "hash": "h", "private_metadata": plan_id}
    await slack.sender.interaction(block_actions(button("plan_tab_stakeholders", plan_id), view=view))
    (update,) = await slack.fake.wait_for("views.update")
    assert update.params["view_id"] == "V0PLAN01"
    blocks = [Block.parse(b) for b in update.params["view"]["blocks"]]
    texts = " ".join(b.text.text for b in blocks if isinstance(b, SectionBlock) and b.text)
    assert "Stakeholder map" in texts and "Multi-threading target" in texts
    tabs = update.params["view"]["blocks"][1]["elements"]
    assert [t["text"]["text"] for t in tabs] == [
        "Summary", "Objectives", "Stakeholders", "Expansion & risks", "Actions & QBRs",
    ]  # fmt: skip
    assert [t.get("style") for t in tabs] == [None, None, "primary", None, None]
    # Each tab holds what its name says.
    for tab, heading in (("expansion", "*Risks*"), ("actions", "*QBR schedule*"), ("objectives", "*Milestones*")):
        await slack.sender.interaction(block_actions(button(f"plan_tab_{tab}", plan_id), view=view))
        (shown,) = await slack.fake.wait_for(
            "views.update", lambda c, tab=tab: f"plan_tab_{tab}" in str(_primary_tab(c)), timeout=10
        )
        assert heading in str(shown.params["view"]["blocks"])
    # The CSM may edit: the objectives carry Edit buttons that open that objective's form on top.
    objectives = slack.fake.calls_to("views.update")[-1].params["view"]["blocks"]
    edit = next(b for b in objectives if b.get("accessory", {}).get("action_id") == "plan_edit_objective")
    edit_click = button("plan_edit_objective", plan_id) | {"block_id": edit["block_id"]}
    in_modal = {"container": {"type": "view", "view_id": "V0PLAN01"}, "view": view}
    await slack.sender.interaction(block_actions(edit_click, **in_modal))
    (pushed,) = await slack.fake.wait_for("views.push")
    assert pushed.params["view"]["private_metadata"].endswith("|" + edit["block_id"].removeprefix("objective:"))


def _primary_tab(call: RecordedCall) -> str:
    tabs = call.params["view"]["blocks"][1]["elements"]
    return next((t["action_id"] for t in tabs if t.get("style") == "primary"), "")


async def test_edit_objective_saves_a_revision_and_updates_the_summary_in_place(slack: SlackHarness) -> None:
    plan_id, summary = await drafted_plan(slack)
    await slack.sender.interaction(
        block_actions(button("plan_edit_objective", plan_id), channel={"id": "C0PLANS1"})
    )
    (opened,) = await slack.fake.wait_for("views.open")
    view = opened.params["view"]
    metadata = view["private_metadata"]
    objective_id = metadata.split("|")[2]
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        element = block["element"]
        if element["type"] == "plain_text_input":
            values[block["block_id"]] = {
                element["action_id"]: {"type": "plain_text_input", "value": element["initial_value"]}
            }
    values[f"objective_priority_block:{objective_id}"] = {
        "objective_priority": {"type": "static_select", "selected_option": {"value": "medium"}}
    }
    values[f"objective_text_block:{objective_id}"]["objective_text"]["value"] = (
        "Win back the <!channel> executive sponsor with Dana Whitfield, our CFO"
    )
    submitted = {
        "type": "view_submission",
        "user": {"id": CSM},
        "view": view | {"id": "V2", "state": {"values": values}},
    }
    response = await slack.sender.interaction(submitted)
    assert response.status == 200

    (reply,) = await slack.fake.wait_for(
        "chat.postMessage", lambda c: c.params.get("thread_ts") == summary.params["ts"]
    )
    assert "v2" in reply.params["text"]
    assert "&lt;!channel&gt;" in reply.params["text"] and "<!channel>" not in reply.params["text"]
    updates = await slack.fake.wait_for("chat.update", is_summary, count=2)
    assert updates[1].params["ts"] == summary.params["ts"]
    assert "v2" in str(updates[1].params["blocks"][1])
    async with slack.deps.database.session() as session:
        plan = await session.get(AccountPlan, plan_id)
        assert plan is not None and plan.version == 2
        # The edited plan is reviewed as it is saved: the person the CSM typed is not on record.
        findings = plan.generation_context["review"]["findings"]
        assert any(f["code"] == "unknown_person" and "Dana Whitfield" in f["message"] for f in findings)


async def test_stale_objective_form_is_refused_with_an_explanation(slack: SlackHarness) -> None:
    plan_id, _ = await drafted_plan(slack)
    view = {
        "id": "V3",
        "type": "modal",
        "callback_id": "objective_modal",
        "private_metadata": f"{plan_id}|7|obj-1",
        "state": {
            "values": {
                "objective_text_block:obj-1": {
                    "objective_text": {"type": "plain_text_input", "value": "A different aim"}
                },
                "objective_priority_block:obj-1": {
                    "objective_priority": {"selected_option": {"value": "high"}}
                },
            }
        },
    }
    await slack.sender.interaction({"type": "view_submission", "user": {"id": CSM}, "view": view})
    (note,) = await slack.fake.wait_for("chat.postEphemeral")
    assert "Could not save the objective" in note.params["text"] and "reload" in note.params["text"]


async def test_submit_for_approval_updates_status(slack: SlackHarness) -> None:
    plan_id, _summary = await drafted_plan(slack)
    await slack.sender.interaction(block_actions(button("plan_submit", plan_id), channel={"id": "C0PLANS1"}))
    (note,) = await slack.fake.wait_for("chat.postEphemeral")
    assert note.params["text"].startswith(":outbox_tray: Sent *TechCorp Industries FY2026* v1 to ")
    assert note.params["text"].endswith(" for approval.")
    updates = await slack.fake.wait_for("chat.update", is_summary, count=2)
    assert "Pending review" in str(updates[1].params["blocks"][1])
    assert updates[1].params["text"].startswith("TechCorp Industries FY2026 plan waiting for approval: ")
    # A pending plan has no Submit button any more.
    assert "plan_submit" not in str(updates[1].params["blocks"][-1])


async def test_did_you_mean_button_drafts_the_picked_customer(slack: SlackHarness) -> None:
    async with slack.deps.database.session() as session:
        techcorp_id = (
            await session.execute(select(Customer.id).where(Customer.name == "TechCorp Industries"))
        ).scalar_one()
    await slack.sender.interaction(
        block_actions(
            button("pick_customer_0", techcorp_id) | {"block_id": "did_you_mean:FY2027"},
            channel={"id": "C0PLANS2"},
        )
    )
    (drafting,) = await slack.fake.wait_for("chat.postMessage")
    assert drafting.params["channel"] == "C0PLANS2"
    assert "TechCorp Industries FY2027" in drafting.params["text"]
    await slack.fake.wait_for("chat.update", is_summary)


async def test_export_uploads_markdown_into_the_thread_and_creates_a_canvas(slack: SlackHarness) -> None:
    plan_id, summary = await drafted_plan(slack)
    await slack.fake.wait_for("files.completeUploadExternal", timeout=60)  # the pictures after drafting
    await slack.sender.interaction(
        block_actions(button("plan_export", plan_id), channel={"id": "C0PLANS1"}, team={"id": "T1", "domain": "acme"})
    )
    (note,) = await slack.fake.wait_for("chat.postEphemeral", timeout=60)
    assert "Exported" in note.params["text"] and "canvas" in note.params["text"]
    # The canvas is one click away.
    (open_canvas,) = [e for b in note.params["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert open_canvas["url"].startswith("https://acme.slack.com/docs/T1/F")
    _drafted, complete = slack.fake.calls_to("files.completeUploadExternal")
    assert complete.params["channel_id"] == "C0PLANS1" and complete.params["thread_ts"] == summary.params["ts"]
    exported = [f for f in slack.fake.uploaded_files() if f["initial_comment"] == complete.params["initial_comment"]]
    markdown, timeline, stakeholders = exported
    text = markdown["content"].decode()
    assert markdown["name"].endswith(".md") and text.startswith("# ") and "TechCorp Industries" in text
    # The pictures travel with the Markdown, which embeds them by file name.
    assert timeline["name"].endswith("-timeline.png") and stakeholders["name"].endswith("-stakeholders.png")
    assert f"]({timeline['name']})" in text and f"]({stakeholders['name']})" in text
    assert all(f["content"].startswith(b"\x89PNG") and f["alt_txt"] for f in (timeline, stakeholders))
    (canvas,) = slack.fake.calls_to("canvases.create")
    # The canvas holds the same plan; picture links to files beside an export mean nothing there.
    canvas_text = canvas.params["document_content"]["markdown"]
    assert canvas_text.split("\n")[0] == text.split("\n")[0] and timeline["name"] not in canvas_text
    grants = {
        (c.params.get("access_level"), str(c.params.get("user_ids") or c.params.get("channel_ids")))
        for c in slack.fake.calls_to("canvases.access.set")
    }
    assert grants == {("write", CSM), ("read", "C0PLANS1")}


async def test_canvas_refusal_still_leaves_the_markdown_file(slack: SlackHarness) -> None:
    plan_id, _ = await drafted_plan(slack)
    slack.fake.fail_next("canvases.create", "free_teams_cannot_create_non_tabbed_canvases")
    await slack.sender.interaction(block_actions(button("plan_export", plan_id), channel={"id": "C0PLANS1"}))
    (note,) = await slack.fake.wait_for("chat.postEphemeral", timeout=60)
    assert (
        "paid Slack plan" in note.params["text"]
        and "Markdown file is in the plan's thread" in note.params["text"]
    )
    assert any(f["name"].endswith(".md") for f in slack.fake.uploaded_files())


async def test_health_check_reports_the_database(slack: SlackHarness) -> None:
    url = slack.sender.url.replace("/slack/events", "/healthz")
    async with slack.sender.session.get(url) as response:
        assert response.status == 200
        assert (await response.json()) == {"status": "ok", "database": "ok"}


async def test_a_stale_preview_update_is_dropped_quietly(slack: SlackHarness) -> None:
    slack.fake.fail_next("views.update", "hash_conflict")
    view = {"id": "V0GEN002", "hash": "old", "private_metadata": "C0PLANS1", "callback_id": "generator_modal"}
    action = {
        "type": "external_select",
        "action_id": "customer_select",
        "block_id": "customer_block",
        "selected_option": {"value": "acct-00000", "text": {"type": "plain_text", "text": "x"}},
    }
    async with slack.deps.database.session() as session:
        action["selected_option"]["value"] = await session.scalar(select(Customer.id).limit(1))
    await slack.sender.interaction(block_actions(action, view=view))
    await slack.fake.wait_for("views.update")
    # A later, unrelated request is answered; by then the first one has finished without telling anyone.
    await slack.sender.command("help")
    await slack.fake.wait_for("response_url")
    assert slack.fake.calls_to("chat.postEphemeral") == [] and slack.fake.calls_to("chat.postMessage") == []


async def test_type_ahead_for_someone_unknown_offers_nothing(slack: SlackHarness) -> None:
    payload = {
        "type": "block_suggestion",
        "user": {"id": "UNOBODY1"},
        "action_id": "customer_select",
        "block_id": "customer_block",
        "value": "tech",
        "view": {"id": "V1", "callback_id": "generator_modal", "type": "modal"},
    }
    response = await slack.sender.interaction(payload)
    assert response.status == 200 and response.json() == {"options": []}
