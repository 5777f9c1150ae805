"""/accountplan through the real Bolt app over signed HTTP, asserting on what reached Slack."""

from __future__ import annotations

import re
import time
from typing import NoReturn

from slack_sdk.models.blocks import ActionsBlock, Block, HeaderBlock
from slack_sdk.models.views import View

from storage.models import Customer
from tests.bot.slack.conftest import CSM, SlackHarness
from tests.fakes.slack_api import RecordedCall


def blocks_of(call: RecordedCall) -> list[Block]:
    return [Block.parse(b) for b in call.params.get("blocks") or []]  # type: ignore[misc]


def text_of(call: RecordedCall) -> str:
    parts = [str(call.params.get("text", ""))]
    for block in call.params.get("blocks") or []:
        parts.append(str(block))
    return "\n".join(parts)


async def test_bad_signature_and_stale_timestamp_are_rejected(slack: SlackHarness) -> None:
    forged = await slack.sender.post(
        "command=%2Faccountplan&text=", "application/x-www-form-urlencoded", signature="v0=bad"
    )
    stale = await slack.sender.post(
        "command=%2Faccountplan&text=", "application/x-www-form-urlencoded", timestamp=int(time.time()) - 600
    )
    assert forged.status == 401
    assert stale.status == 401
    assert slack.fake.calls_to("views.open") == []


async def test_no_text_opens_the_generator_modal(slack: SlackHarness) -> None:
    response = await slack.sender.command("")
    assert response.status == 200
    (call,) = await slack.fake.wait_for("views.open")
    view = View(**call.params["view"])
    assert view.callback_id == "generator_modal"
    assert call.params["trigger_id"].startswith("trigger-")
    # The customer picker is an external select (type-ahead) and the fiscal years start at the current one.
    customer = call.params["view"]["blocks"][0]["element"]
    assert customer["type"] == "external_select"
    fiscal_year = call.params["view"]["blocks"][1]["element"]["initial_option"]["value"]
    assert fiscal_year == "FY2026"


async def test_customer_name_drafts_with_live_progress_then_the_summary(slack: SlackHarness) -> None:
    response = await slack.sender.command("TechCorp FY2026", channel_id="C0PLANS1")
    assert response.status == 200 and response.elapsed_ms < 1000
    (drafting,) = await slack.fake.wait_for("chat.postMessage")
    assert drafting.params["text"].startswith("Drafting TechCorp Industries FY2026")
    assert drafting.params["channel"] == "C0PLANS1"
    assert drafting.params["unfurl_links"] is False

    summary = await slack.fake.wait_for(
        "chat.update", lambda c: any(b.get("type") == "header" for b in c.params.get("blocks") or [])
    )
    blocks = blocks_of(summary[0])
    assert isinstance(blocks[0], HeaderBlock) and len(blocks) <= 10
    chip, _, title = blocks[0].text.text.partition(" · ")
    assert chip in (":large_green_circle: On track", ":large_yellow_circle: Watch", ":red_circle: At risk")
    assert title == "TechCorp Industries FY2026"
    assert summary[0].params["channel"] == "C0PLANS1"  # the drafting message itself became the summary
    notification = summary[0].params["text"]
    assert notification.startswith("TechCorp Industries FY2026 plan drafted: ") and len(notification) < 150
    assert f": {chip.split(' ', 1)[1].lower()}, renewal " in notification
    body = text_of(summary[0])
    assert "*ARR*" in body and "*Renewal*" in body and "*CSM*" in body and "data coverage" not in body
    assert "FY2026 objectives" in body and "Q1:" not in body  # milestones live in the full plan
    buttons = [e for b in blocks if isinstance(b, ActionsBlock) for e in b.elements]
    assert [b.action_id for b in buttons] == [
        "plan_view",
        "plan_edit_objective",
        "plan_submit",
        "plan_export",
        "plan_charts",
    ]
    # Button values carry only the plan id.
    assert len({b.value for b in buttons}) == 1 and len(buttons[0].value) == 36
    assert [b.action_id for b in buttons if b.style == "primary"] == ["plan_view"]


async def test_a_drafted_plan_gets_its_timeline_and_stakeholder_map_in_its_thread(slack: SlackHarness) -> None:
    await slack.sender.command("TechCorp FY2026", channel_id="C0PLANS1")
    (summary,) = await slack.fake.wait_for("chat.update", lambda c: "header" in str(c.params.get("blocks")))
    (completed,) = await slack.fake.wait_for("files.completeUploadExternal", timeout=60)
    assert completed.params["channel_id"] == "C0PLANS1" and completed.params["thread_ts"] == summary.params["ts"]
    assert "Timeline and stakeholder map of *TechCorp Industries FY2026 v1*" in completed.params["initial_comment"]
    files = slack.fake.uploaded_files()
    assert [f["name"] for f in files] == [
        "techcorp-industries-FY2026-v1-timeline.png",
        "techcorp-industries-FY2026-v1-stakeholders.png",
    ]
    for picture in files:
        assert picture["content"].startswith(b"\x89PNG") and len(picture["content"]) > 20_000
        assert picture["alt_txt"] and "TechCorp Industries" in picture["alt_txt"] and len(picture["alt_txt"]) <= 1000
        assert picture["title"].startswith("TechCorp Industries FY2026")
    assert "Sarah Chen" in files[1]["alt_txt"]  # names are on the map, and in its description


async def test_unknown_customer_gets_did_you_mean_buttons(slack: SlackHarness) -> None:
    await slack.sender.command("TechCrop Industries FY2027")
    (reply,) = await slack.fake.wait_for("response_url")
    assert reply.params["blocks"][1]["block_id"] == "did_you_mean:FY2027"
    assert "Did you mean" in text_of(reply)
    actions = [b for b in blocks_of(reply) if isinstance(b, ActionsBlock)]
    assert actions and any(e.text.text == "TechCorp Industries" for e in actions[0].elements)
    assert reply.params.get("response_type", "ephemeral") == "ephemeral"
    assert slack.fake.calls_to("chat.postMessage") == []


async def test_did_you_mean_offers_only_customers_the_person_may_plan_for(slack: SlackHarness) -> None:
    # U0CSM002's book does not hold TechCorp Industries: it is never offered to them.
    await slack.sender.command("TechCrop Industries", user_id="U0CSM002")
    (reply,) = await slack.fake.wait_for("response_url")
    assert "TechCorp Industries" not in str(reply.params["blocks"])
    assert "I could not find a customer named *TechCrop Industries*" in text_of(reply)
    # An admin plans for everyone, so it is.
    await slack.sender.command("TechCrop Industries", user_id="U0ADM001")
    (_, admin_reply) = await slack.fake.wait_for("response_url", count=2)
    assert "TechCorp Industries" in str(admin_reply.params["blocks"])


async def test_help_list_and_show(slack: SlackHarness) -> None:
    await slack.sender.command("help")
    (help_reply,) = await slack.fake.wait_for("response_url")
    assert "/accountplan CUSTOMER" in help_reply.params["text"]
    # The legend: each family of symbols, each symbol with one meaning.
    legend = help_reply.params["text"].split("*What the symbols mean*")[1]
    for line in ("*Account:* :large_green_circle: on track", "*Objective priority:* :arrow_double_up: critical",
                 "*Actions:* :small_red_triangle: overdue", "*Objective progress:* :large_green_square: on track"):
        assert line in legend
    symbols = re.findall(r":[a-z_]+:", legend)
    assert len(symbols) == len(set(symbols))  # no symbol listed twice, so none means two things

    await slack.sender.command("list")
    listed = await slack.fake.wait_for("response_url", count=2)
    assert "No plans yet" in listed[1].params["text"]

    await slack.sender.command("TechCorp")
    await slack.fake.wait_for("chat.update", lambda c: "header" in str(c.params.get("blocks")))
    await slack.sender.command("show TechCorp")
    shown = await slack.fake.wait_for("response_url", count=3)
    assert any(isinstance(b, HeaderBlock) for b in blocks_of(shown[2]))

    await slack.sender.command("list")
    again = await slack.fake.wait_for("response_url", count=4)
    assert "TechCorp Industries FY2026" in again[3].params["text"] and "Draft" in again[3].params["text"]


async def test_show_gives_each_objective_its_progress_and_basis(slack: SlackHarness) -> None:
    await slack.sender.command("TechCorp")
    (summary,) = await slack.fake.wait_for("chat.update", lambda c: "header" in str(c.params.get("blocks")))
    # A fresh draft shows no progress; `show` does.
    assert "on track" not in str(summary.params["blocks"]).replace("On track", "")

    await slack.sender.command("show TechCorp FY2026")
    (shown,) = await slack.fake.wait_for("response_url")
    (objectives,) = [
        b["text"]["text"]
        for b in shown.params["blocks"]
        if b["type"] == "section" and b.get("text", {}).get("text", "").startswith("*FY2026 objectives*")
    ]
    assert re.search(r"\d/\d on track", objectives.split("\n")[0])
    lines = objectives.split("\n")[1:4]
    assert lines and all(re.search(r"\d+% (on track|behind|complete)$", line) for line in lines)


async def test_a_user_outside_the_customers_book_is_told_why(slack: SlackHarness) -> None:
    # U0CSM002 is a demo CSM whose book does not include TechCorp Industries.
    await slack.sender.command("TechCorp", user_id="U0CSM002")
    (reply,) = await slack.fake.wait_for("response_url")
    assert "own book" in reply.params["text"]
    assert slack.fake.calls_to("chat.postMessage") == []


async def test_show_is_only_for_people_who_may_view_the_plan(slack: SlackHarness) -> None:
    await slack.sender.command("TechCorp")
    await slack.fake.wait_for("chat.update", lambda c: "header" in str(c.params.get("blocks")))
    # U0CSM002 is another CSM: TechCorp's plan is not in their book.
    await slack.sender.command("show TechCorp", user_id="U0CSM002")
    (reply,) = await slack.fake.wait_for("response_url")
    assert "own book" in reply.params["text"] and "blocks" not in reply.params


async def test_unknown_slack_user_gets_a_readable_message(slack: SlackHarness) -> None:
    await slack.sender.command("list", user_id="UNOBODY1")
    (reply,) = await slack.fake.wait_for("response_url")
    assert "not set up in accountplan" in reply.params["text"]
    assert "Traceback" not in reply.params["text"]


async def test_rate_limited_post_is_retried_after_retry_after(slack: SlackHarness) -> None:
    slack.fake.rate_limit_next("chat.postMessage", retry_after=0)
    await slack.sender.command("TechCorp", user_id=CSM)
    posts = await slack.fake.wait_for("chat.postMessage", count=2, timeout=10)
    assert posts[1].params["text"].startswith("Drafting TechCorp Industries")
    await slack.fake.wait_for("chat.update", lambda c: "header" in str(c.params.get("blocks")))


async def test_slack_error_becomes_an_ephemeral_saying_what_to_do(slack: SlackHarness) -> None:
    slack.fake.fail_next("chat.postMessage", "not_in_channel")
    await slack.sender.command("TechCorp", channel_id="C0NOTMEMB")
    (note,) = await slack.fake.wait_for("chat.postEphemeral")
    assert note.params["user"] == CSM
    assert "invite me" in note.params["text"] and "not_in_channel" in note.params["text"]


async def test_a_hostile_customer_name_pings_nobody(slack: SlackHarness) -> None:
    async with slack.deps.database.session() as session:
        session.add(
            Customer(
                id="acct-hostile",
                name="<!channel> Acme & Co",
                industry="Technology",
                segment="smb",
                health_score=55,
                csm_email="csm001@demo.accountplan.test",
            )
        )
    await slack.sender.command("acct-hostile")
    (drafting,) = await slack.fake.wait_for("chat.postMessage")
    (summary,) = await slack.fake.wait_for("chat.update", lambda c: "header" in str(c.params.get("blocks")))
    for call in (drafting, summary):
        assert (
            "<!channel>" not in call.params["text"]
            and "&lt;!channel&gt; Acme &amp; Co" in call.params["text"]
        )
        mrkdwn_texts = [
            t["text"]
            for b in call.params["blocks"]
            for t in [b.get("text") or {}]
            if t.get("type") == "mrkdwn"
        ]
        assert all("<!channel>" not in t for t in mrkdwn_texts)


async def test_the_checklist_ticks_sections_off_before_the_summary(slack: SlackHarness) -> None:
    await slack.sender.command("TechCorp")
    await slack.fake.wait_for("chat.update", lambda c: "header" in str(c.params.get("blocks")))
    updates = slack.fake.calls_to("chat.update")
    checklists = [u for u in updates if ":white_check_mark:" in str(u.params.get("blocks"))]
    assert checklists and updates.index(checklists[0]) < len(updates) - 1
    assert "sections" in str(checklists[-1].params["blocks"])


async def test_a_failing_generator_leaves_a_readable_message(slack: SlackHarness) -> None:
    async def broken(*_args: object, **_kwargs: object) -> NoReturn:
        raise RuntimeError("database exploded at /secret/path line 42")

    slack.deps.generate_plan = broken
    await slack.sender.command("TechCorp")
    (failed,) = await slack.fake.wait_for(
        "chat.update", lambda c: "Could not draft" in str(c.params.get("blocks"))
    )
    text = str(failed.params["blocks"])
    assert "problem on our side" in text and "Try again" in text
    assert "secret" not in text and "Traceback" not in text and "RuntimeError" not in text
