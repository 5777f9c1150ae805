"""Events API through the real Bolt app: plan-thread replies, DMs, mentions, the Assistant pane,
App Home, duplicates, Slack's retries and the bot's own messages."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from sqlalchemy import func, select

from agent.deps import AgentDeps
from agent.revise import RevisionOutcome
from storage.models import Customer, ProcessedEvent, User
from storage.plans import document_of, get_plan, list_plans
from tests.bot.slack.conftest import CSM, SlackHarness
from tests.fakes.slack_api import BOT_ID, BOT_USER_ID, RecordedCall
from tests.tools.living.living_data import add_approved_plan, plan_document
from tools.plans.edits import EditObjective
from tools.plans.revisions import save_edits


def is_summary(call: RecordedCall) -> bool:
    return any(b.get("type") == "header" for b in call.params.get("blocks") or [])


class ScriptedReviser:
    """The revision agent's contract, scripted: makes objective 1 critical (a real saved edit) and
    records what it was asked."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str, str]] = []

    async def __call__(
        self, deps: AgentDeps, plan_id: str, message: str, *, actor: str, surface: str
    ) -> RevisionOutcome:
        self.asked.append((plan_id, message, actor))
        async with deps.database.session() as session:
            result = await save_edits(
                session,
                plan_id,
                [
                    EditObjective(
                        objective_id="obj-1", priority="critical", objective="Keep <!channel> renewal safe"
                    )
                ],
                actor=actor,
                surface="slack",
                check=None,
            )
        return RevisionOutcome(
            reply="Done: objective 1 is now critical.",
            diff=result.diff,
            document=result.document,
            changed=result.changed,
            submitted=False,
        )


async def drafted(slack: SlackHarness) -> tuple[str, RecordedCall]:
    await slack.sender.command("TechCorp", channel_id="C0PLANS1")
    (summary,) = await slack.fake.wait_for("chat.update", is_summary)
    return summary.params["blocks"][-1]["elements"][0]["value"], summary


def message(
    text: str, *, channel: str = "C0PLANS1", thread_ts: str | None = None, **extra: Any
) -> dict[str, Any]:
    event = {"type": "message", "user": CSM, "text": text, "ts": "1800000000.000200", "channel": channel}
    event |= {"channel_type": "channel"} | extra
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


async def test_reply_in_a_plan_thread_revises_that_plan_and_updates_the_summary(slack: SlackHarness) -> None:
    reviser = ScriptedReviser()
    slack.deps.revise_plan = reviser
    plan_id, summary = await drafted(slack)
    await slack.sender.event(message("make objective 1 critical", thread_ts=summary.params["ts"]))
    await slack.settle(events=1)
    assert reviser.asked == [(plan_id, "make objective 1 critical", "csm001@demo.accountplan.test")]
    (status,) = slack.fake.calls_to("assistant.threads.setStatus")
    assert status.params["status"] == "is thinking…" and status.params["thread_ts"] == summary.params["ts"]
    (reply,) = [
        c
        for c in slack.fake.calls_to("chat.postMessage")
        if c.params.get("thread_ts") == summary.params["ts"]
    ]
    assert "objective 1 is now critical" in reply.params["text"]
    # The agent's own words, then (once, in small print) the saved changes its words leave out.
    blocks = str(reply.params["blocks"])
    assert "Saved changes" in blocks and "Objective 1 is now Critical (was High)" in blocks
    assert "<!channel>" not in reply.params["text"] and "<!channel>" not in blocks
    updated = [c for c in slack.fake.calls_to("chat.update") if is_summary(c)]
    assert updated[-1].params["ts"] == summary.params["ts"] and "v2" in str(updated[-1].params["blocks"][1])
    assert "&lt;!channel&gt;" in str(updated[-1].params["blocks"])


async def test_duplicate_and_retried_events_run_once(slack: SlackHarness) -> None:
    reviser = ScriptedReviser()
    slack.deps.revise_plan = reviser
    _plan_id, summary = await drafted(slack)
    event = message("make objective 1 critical", thread_ts=summary.params["ts"])
    first = await slack.sender.event(event, event_id="EvDUPLICATE1")
    retry = await slack.sender.event(event, event_id="EvDUPLICATE1", retry_num=1)
    again = await slack.sender.event(event, event_id="EvDUPLICATE1", retry_num=2)
    assert (first.status, retry.status, again.status) == (200, 200, 200)
    await slack.settle(events=3)
    assert len(reviser.asked) == 1
    async with slack.deps.database.session() as session:
        stored = await session.scalar(
            select(func.count()).select_from(ProcessedEvent).where(ProcessedEvent.event_id == "EvDUPLICATE1")
        )
    assert stored == 1


async def test_ordinary_channel_chatter_and_own_messages_are_ignored(slack: SlackHarness) -> None:
    reviser = ScriptedReviser()
    slack.deps.revise_plan = reviser
    _plan_id, summary = await drafted(slack)
    posts_before = len(slack.fake.calls_to("chat.postMessage"))
    await slack.sender.event(message("lunch anyone?"))
    await slack.sender.event(
        message("Done: objective 1", thread_ts=summary.params["ts"], bot_id=BOT_ID, user=BOT_USER_ID)
    )
    await slack.sender.event(message("edited", thread_ts=summary.params["ts"], subtype="message_changed"))
    # A DM afterwards is answered; everything sent before it has been handled by the time it is.
    await slack.sender.event(message("hello there", channel="D0CSM001", channel_type="im"))
    await slack.settle(events=1)
    assert reviser.asked == []
    posts = slack.fake.calls_to("chat.postMessage")[posts_before:]
    assert [p.params["channel"] for p in posts] == ["D0CSM001"]


async def test_mention_naming_a_customer_revises_its_plan(slack: SlackHarness) -> None:
    reviser = ScriptedReviser()
    slack.deps.revise_plan = reviser
    plan_id, _summary = await drafted(slack)
    mention = {
        "type": "app_mention",
        "user": CSM,
        "text": f"<@{BOT_USER_ID}> make objective 1 critical for TechCorp Industries",
        "ts": "1800000000.000300",
        "channel": "C0OTHER1",
    }
    await slack.sender.event(mention)
    # The same text also arrives as a channel message; only the mention answers.
    await slack.sender.event(message(mention["text"], channel="C0OTHER1"))
    await slack.settle(events=2)
    assert [a[0] for a in reviser.asked] == [plan_id]
    replies = [
        c for c in slack.fake.calls_to("chat.postMessage") if c.params.get("thread_ts") == "1800000000.000300"
    ]
    assert len(replies) == 1 and "critical" in replies[0].params["text"]


async def test_dm_without_a_customer_asks_which_plan(slack: SlackHarness) -> None:
    slack.deps.revise_plan = ScriptedReviser()
    await slack.sender.event(message("make objective 1 critical", channel="D0CSM001", channel_type="im"))
    await slack.settle(events=1)
    (reply,) = slack.fake.calls_to("chat.postMessage")
    assert "Which plan" in reply.params["text"] and reply.params["thread_ts"] == "1800000000.000200"


async def test_dm_draft_request_drafts_in_the_dm(slack: SlackHarness) -> None:
    await slack.sender.event(
        message("Draft a plan for TechCorp Industries", channel="D0CSM001", channel_type="im")
    )
    await slack.settle(events=1)
    drafting = slack.fake.calls_to("chat.postMessage")[0]
    assert drafting.params["channel"] == "D0CSM001" and drafting.params["text"].startswith(
        "Drafting TechCorp"
    )
    assert any(is_summary(c) for c in slack.fake.calls_to("chat.update"))


async def test_assistant_pane_greets_with_prompts_and_answers_in_its_thread(slack: SlackHarness) -> None:
    started = {
        "type": "assistant_thread_started",
        "assistant_thread": {
            "user_id": CSM,
            "channel_id": "D0CSM001",
            "thread_ts": "1800000001.000100",
            "context": {},
        },
        "event_ts": "1800000001.000200",
    }
    await slack.sender.event(started)
    (prompts,) = await slack.fake.wait_for("assistant.threads.setSuggestedPrompts")
    titles = [p["title"] for p in prompts.params["prompts"]]
    assert "What are my riskiest accounts?" in titles and "What changed since approval?" in titles
    # The draft prompt names one of the CSM's own accounts.
    (draft_prompt,) = [t for t in titles if t.startswith("Draft a plan for ")]
    async with slack.deps.database.session() as session:
        owner = await session.scalar(
            select(Customer.csm_email).where(Customer.name == draft_prompt.removeprefix("Draft a plan for "))
        )
    assert owner == "csm001@demo.accountplan.test"
    (greeting,) = slack.fake.calls_to("chat.postMessage")
    assert greeting.params["thread_ts"] == "1800000001.000100"

    question = message(
        "What are my riskiest accounts?", channel="D0CSM001", channel_type="im", thread_ts="1800000001.000100"
    )
    await slack.sender.event(replace_ts(question, "1800000001.000300"))
    replies = await slack.fake.wait_for(
        "chat.postMessage", lambda c: "riskiest" in str(c.params.get("text")).lower(), timeout=5
    )
    await slack.settle(events=2)
    assert replies[0].params["thread_ts"] == "1800000001.000100"
    assert "health" in replies[0].params["text"]


def replace_ts(event: dict[str, Any], ts: str) -> dict[str, Any]:
    return event | {"ts": ts}


async def test_app_home_lists_my_plans_with_next_actions(slack: SlackHarness) -> None:
    await drafted(slack)
    await slack.sender.event({"type": "app_home_opened", "user": CSM, "channel": "D0CSM001", "tab": "home"})
    (published,) = await slack.fake.wait_for("views.publish")
    assert published.params["user_id"] == CSM
    view = published.params["view"]
    assert view["type"] == "home"
    text = str(view["blocks"])
    assert "TechCorp Industries FY2026" in text and "Draft" in text and "View full plan" in text
    assert view["blocks"][0]["text"]["text"] == "Your account plans"
    assert "Waiting for your approval" not in text  # a CSM reviews nobody


async def test_app_home_shows_objective_progress_and_no_team_outcomes_to_a_csm(slack: SlackHarness) -> None:
    await drafted(slack)
    await slack.sender.event({"type": "app_home_opened", "user": CSM, "channel": "D0CSM001", "tab": "home"})
    (published,) = await slack.fake.wait_for("views.publish")
    blocks = published.params["view"]["blocks"]
    (plan,) = [b["text"]["text"] for b in blocks if "TechCorp Industries FY2026" in str(b)]
    assert re.search(r"Objectives \d+/\d+ on track · \d+% complete", plan)
    assert "Plan coverage" not in str(blocks) and "Overdue actions" not in str(blocks)


async def test_app_home_for_a_manager_shows_the_review_queue(slack: SlackHarness) -> None:
    await slack.sender.event(
        {"type": "app_home_opened", "user": "U0MGR001", "channel": "D0MGR001", "tab": "home"}
    )
    (published,) = await slack.fake.wait_for("views.publish")
    assert "Waiting for your approval" in str(published.params["view"]["blocks"])


async def test_app_home_for_a_manager_shows_team_outcomes(slack: SlackHarness) -> None:
    async with slack.deps.database.session() as session:
        customer = (
            await session.execute(select(Customer).where(Customer.name == "TechCorp Industries"))
        ).scalar_one()
    plan_id = await add_approved_plan(slack.deps.database, plan_document(customer.id, customer.name))
    await slack.sender.event(
        {"type": "app_home_opened", "user": "U0MGR001", "channel": "D0MGR001", "tab": "home"}
    )
    (published,) = await slack.fake.wait_for("views.publish")
    blocks = published.params["view"]["blocks"]
    text = str(blocks)
    assert len(blocks) <= 100
    assert "Plan coverage" in text and "(target 70%)" in text
    assert "Objective completion" in text and "(target 60%)" in text
    # The team's outcomes name people, not their addresses.
    async with slack.deps.database.session() as session:
        csm = await session.scalar(select(User).where(User.email == "csm001@demo.accountplan.test"))
    assert csm is not None
    assert "Overdue actions by CSM" in text and f"{csm.name}: 6" in text and "@demo.accountplan.test" not in text
    assert blocks[0]["text"]["text"] == "Your team's account plans"
    (plan,) = [b["text"]["text"] for b in blocks if b.get("accessory", {}).get("value") == plan_id]
    # The fiscal year's first quarter is still running: nothing is overdue, so nothing is behind.
    assert "Objectives 3/3 on track" in plan


async def test_dataclass_replace_keeps_deps_usable(slack: SlackHarness) -> None:
    # Listeners read deps at call time, so swapping a part (here the clock) takes effect at once.
    slack.deps.clock = replace(slack.deps).clock
    await slack.sender.event({"type": "app_home_opened", "user": "UNKNOWN9", "channel": "D0X", "tab": "home"})
    (published,) = await slack.fake.wait_for("views.publish")
    assert "not set up in accountplan" in str(published.params["view"]["blocks"])


async def test_thread_reply_runs_the_real_revision_agent_offline(slack: SlackHarness) -> None:
    plan_id, summary = await drafted(slack)
    await slack.sender.event(
        message("set priority of objective 2 to critical", thread_ts=summary.params["ts"])
    )
    await slack.settle(events=1)
    (reply,) = [
        c
        for c in slack.fake.calls_to("chat.postMessage")
        if c.params.get("thread_ts") == summary.params["ts"]
    ]
    assert "Objective 2 is now Critical (was High)" in reply.params["text"]
    blocks = reply.params["blocks"]
    assert "saved as version 2" in str(blocks[0]) and str(blocks).count("is now Critical") == 1  # said once
    async with slack.deps.database.session() as session:
        document = document_of(await get_plan(session, plan_id))
    assert document.version == 2 and document.strategic_objectives[1].priority == "critical"
    latest = [c for c in slack.fake.calls_to("chat.update") if is_summary(c)][-1]
    assert latest.params["ts"] == summary.params["ts"] and "v2" in str(latest.params["blocks"][1])


async def test_approval_requests_in_chat_are_refused(slack: SlackHarness) -> None:
    plan_id, summary = await drafted(slack)
    await slack.sender.event(message("approve this plan", thread_ts=summary.params["ts"]))
    await slack.settle(events=1)
    (reply,) = [
        c
        for c in slack.fake.calls_to("chat.postMessage")
        if c.params.get("thread_ts") == summary.params["ts"]
    ]
    async with slack.deps.database.session() as session:
        plan = await get_plan(session, plan_id)
    assert plan.status == "draft" and plan.version == 1
    assert "approv" in reply.params["text"].lower()


async def test_in_a_dm_a_change_applies_to_the_plan_last_drafted_there(slack: SlackHarness) -> None:
    await slack.sender.event(
        message("Draft a plan for TechCorp Industries", channel="D0CSM001", channel_type="im")
    )
    await slack.settle(events=1)
    later = message("set priority of objective 3 to critical", channel="D0CSM001", channel_type="im")
    await slack.sender.event(later | {"ts": "1800000000.000900"})
    await slack.settle(events=2)
    (reply,) = [
        c for c in slack.fake.calls_to("chat.postMessage") if c.params.get("thread_ts") == "1800000000.000900"
    ]
    assert "Objective 3 is now Critical (was High)" in reply.params["text"]
    assert str(reply.params["blocks"]).count("is now Critical") == 1


async def test_an_assistant_thread_remembers_the_plan_drafted_in_it(slack: SlackHarness) -> None:
    async with slack.deps.database.session() as session:
        other = await session.scalar(
            select(Customer.name)
            .where(Customer.csm_email == "csm001@demo.accountplan.test", Customer.id != "techcorp")
            .order_by(Customer.name)
            .limit(1)
        )
    assert other is not None
    first, second = "1800000005.000100", "1800000006.000100"

    def in_thread(text: str, thread: str, ts: str) -> dict[str, Any]:
        return replace_ts(message(text, channel="D0CSM001", channel_type="im", thread_ts=thread), ts)

    await slack.sender.event(in_thread("Draft a plan for TechCorp Industries", first, "1800000005.000200"))
    await slack.settle(events=1)
    await slack.sender.event(in_thread(f"Draft a plan for {other}", second, "1800000006.000200"))
    await slack.settle(events=2)
    # Back in the first thread: "objective 3" means TechCorp's plan, though the other was drafted later.
    await slack.sender.event(in_thread("set priority of objective 3 to critical", first, "1800000005.000300"))
    await slack.settle(events=3)

    async with slack.deps.database.session() as session:
        plans = {name: (plan.version, plan.slack_thread_ts) for plan, name in await list_plans(session)}
    assert plans["TechCorp Industries"] == (2, first)
    assert plans[other] == (1, second)
    (reply,) = [
        c
        for c in slack.fake.calls_to("chat.postMessage")
        if c.params.get("thread_ts") == first and "critical" in str(c.params.get("text")).lower()
    ]
    assert "TechCorp" in reply.params["text"] or "Objective 3" in reply.params["text"]
