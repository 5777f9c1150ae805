"""/accountplan through the real Bolt app over signed HTTP, asserting on what reached Slack."""

from __future__ import annotations

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
    assert isinstance(blocks[0], HeaderBlock)
    assert blocks[0].text.text == "TechCorp Industries FY2026 account plan"
    assert summary[0].params["channel"] == "C0PLANS1"  # the drafting message itself became the summary
    body = text_of(summary[0])
    assert "Strategic objectives" in body and "Q1:" in body and "Q4:" in body
    assert "success rate" in body
    buttons = [e for b in blocks if isinstance(b, ActionsBlock) for e in b.elements]
    assert [b.action_id for b in buttons] == [
        "plan_view",
        "plan_edit_objective",
        "plan_submit",
        "plan_export",
    ]
    # Button values carry only the plan id.
    assert len({b.value for b in buttons}) == 1 and len(buttons[0].value) == 36


async def test_unknown_customer_gets_did_you_mean_buttons(slack: SlackHarness) -> None:
    await slack.sender.command("TechCrop Industries FY2027")
    (reply,) = await slack.fake.wait_for("response_url")
    assert reply.params["blocks"][1]["block_id"] == "did_you_mean:FY2027"
    assert "Did you mean" in text_of(reply)
    actions = [b for b in blocks_of(reply) if isinstance(b, ActionsBlock)]
    assert actions and any(e.text.text == "TechCorp Industries" for e in actions[0].elements)
    assert reply.params.get("response_type", "ephemeral") == "ephemeral"
    assert slack.fake.calls_to("chat.postMessage") == []


async def test_help_list_and_show(slack: SlackHarness) -> None:
    await slack.sender.command("help")
    (help_reply,) = await slack.fake.wait_for("response_url")
    assert "/accountplan CUSTOMER" in help_reply.params["text"]

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
    drafted = [b for b in summary.params["blocks"] if b["type"] == "section"]
    assert not any("milestones " in b["text"]["text"] for b in drafted)  # the drafting message has none

    await slack.sender.command("show TechCorp FY2026")
    (shown,) = await slack.fake.wait_for("response_url")
    objectives = [
        b["text"]["text"]
        for b in shown.params["blocks"]
        if b["type"] == "section" and b["text"]["text"][:3] in ("*1.", "*2.", "*3.", "*4.", "*5.")
    ]
    assert objectives
    for text in objectives:
        progress_line = text.split("\n")[2]
        assert "%*" in progress_line and "milestones 0/4" in progress_line
        assert "metrics at" in progress_line or "no measurable metric" in progress_line


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
