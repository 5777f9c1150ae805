"""Review and approval in Slack, through the real Bolt app over signed HTTP and the fake Web API:
the reviewer's DM, decisions updating it in place, the CSM told in the plan's thread, refusals as
ephemeral messages that change nothing, `/accountplan queue`, and REST decisions shown in Slack."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from slack_sdk.models.views import View
from sqlalchemy import select

from agent.deps import AgentDeps
from bot.http_server import build_web_app
from bot.slack.app import create_app
from bot.slack.blocks.approval import APPROVE, COMMENT_BLOCK, COMMENT_INPUT, REJECT, REQUEST_CHANGES
from bot.slack.deps import SlackDeps
from bot.slack.ids import VIEW_PLAN
from bot.slack.services.review_requests import PostedMessage, review_message
from bot.slack.services.slack_links import link_plan_message
from storage.db import Database
from storage.models import AuditEvent
from storage.plans import get_plan, save_plan_version
from storage.settings import Settings
from storage.users import create_token
from tests.fakes.review_org import ADMIN, CARL, MAYA, SLACK_IDS, Org, plan_document, seed_org
from tests.fakes.slack_api import FakeSlackApi, RecordedCall, SlackSender

SECRET = "approval-test-secret"
NOW = datetime(2026, 1, 5, 14, 2, tzinfo=UTC)
PLANS_CHANNEL = "C0PLANS1"
SUMMARY_TS = "1699999999.000100"
CARL_ID, MAYA_ID, MO_ID, ADA_ID = (SLACK_IDS[e] for e in (CARL, MAYA, "mo@example.com", ADMIN))
MAYA_DM = "D" + MAYA_ID.lstrip("U")  # what the fake's conversations.open answers


@dataclass
class Bot:
    fake: FakeSlackApi
    sender: SlackSender
    deps: SlackDeps
    org: Org
    http: aiohttp.ClientSession
    base_url: str

    async def click(
        self, action_id: str, value: str, *, user: str, channel: str = MAYA_DM, **extra: Any
    ) -> None:
        payload = {
            "type": "block_actions",
            "user": {"id": user},
            "trigger_id": f"trigger-{action_id}",
            "channel": {"id": channel},
            "container": {"type": "message", "channel_id": channel, "message_ts": "1700000001.000100"},
            "message": {"ts": "1700000001.000100"},
            "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": value}],
            "response_url": self.fake.response_url(),
        } | extra
        response = await self.sender.interaction(payload)
        assert response.status == 200

    async def status(self) -> tuple[str, int]:
        async with self.deps.database.session() as session:
            plan = await get_plan(session, self.org.plan_id)
            return plan.status, plan.version


def _settings(fake: FakeSlackApi) -> Settings:
    return Settings(SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=fake.base_url)


async def _start(db: Database, *, slack_ids: bool = True) -> AsyncIterator[Bot]:
    fake = FakeSlackApi()
    await fake.start()
    org = await seed_org(db, slack_ids=slack_ids)
    await link_plan_message(db, org.plan_id, PLANS_CHANNEL, SUMMARY_TS)
    deps = SlackDeps(AgentDeps(settings=_settings(fake), database=db, clock=lambda: NOW))
    app = create_app(deps)
    runner = web.AppRunner(build_web_app(app, deps), access_log=None)  # default registrars: REST too
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    async with aiohttp.ClientSession() as http:
        sender = SlackSender(f"http://127.0.0.1:{port}/slack/events", SECRET, http, fake.response_url())
        yield Bot(fake, sender, deps, org, http, f"http://127.0.0.1:{port}")
        await deps.tasks.drain()
    await runner.cleanup()
    await fake.stop()


@pytest.fixture
async def bot(db: Database) -> AsyncIterator[Bot]:
    async for running in _start(db):
        yield running


def posted_to(channel: str) -> Any:
    return lambda call: call.params.get("channel") == channel


def has_button(call: RecordedCall, action_id: str) -> bool:
    return action_id in str(call.params.get("blocks"))


async def submit(bot: Bot) -> RecordedCall:
    """The CSM clicks Submit for approval on the summary; returns the reviewer's DM."""
    await bot.click("plan_submit", bot.org.plan_id, user=CARL_ID, channel=PLANS_CHANNEL)
    (dm,) = await bot.fake.wait_for("chat.postMessage", posted_to(MAYA_DM))
    return dm


async def review_dm(bot: Bot, version: int = 1, timeout: float = 5.0) -> PostedMessage:  # noqa: ASYNC109
    """Where the reviewer's DM for `version` was posted (recorded right after posting it)."""
    async with asyncio.timeout(timeout):
        while (found := await review_message(bot.deps.database, bot.org.plan_id, version)) is None:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    return found


async def test_submission_dms_the_manager_with_summary_changes_and_buttons(bot: Bot) -> None:
    dm = await submit(bot)
    opened = bot.fake.calls_to("conversations.open")
    assert opened[0].params["users"] == MAYA_ID
    blocks = dm.params["blocks"]
    text = str(blocks)
    assert blocks[0]["type"] == "header" and "TechCorp Industries FY2026" in blocks[0]["text"]["text"]
    assert f"Plan v1 from <@{CARL_ID}>, for your approval" in text and "first submission" in text
    assert "*ARR*" in text and "*Renewal*" in text and "Top risks" in text
    # What the manager decides on first, then View full plan, then the decision.
    actions = [(i, b) for i, b in enumerate(blocks) if b["type"] == "actions"]
    assert [[e["action_id"] for e in b["elements"]] for _, b in actions] == [
        [VIEW_PLAN],
        [APPROVE, REQUEST_CHANGES, REJECT],
    ]
    assert all(b["type"] != "actions" for b in blocks[: actions[0][0]])
    assert {e["value"] for e in actions[1][1]["elements"]} == {f"{bot.org.plan_id}:1"}
    assert [e["action_id"] for _, b in actions for e in b["elements"] if e.get("style") == "primary"] == [APPROVE]
    assert len(dm.params["text"]) < 150 and "needs your approval" in dm.params["text"]
    assert (await review_dm(bot)).channel == MAYA_DM
    assert await bot.status() == ("pending_review", 1)
    (home,) = await bot.fake.wait_for("views.publish", lambda c: c.params["user_id"] == MAYA_ID)
    assert "Waiting for your approval" in str(home.params["view"]) and "TechCorp" in str(home.params["view"])
    ephemeral = await bot.fake.wait_for("chat.postEphemeral", lambda c: c.params["user"] == CARL_ID)
    # The reviewer is named as who decides next, never as if they had submitted it.
    assert "Sent *TechCorp Industries FY2026* v1 to Maya Manager for approval" in ephemeral[0].params["text"]


async def test_approve_updates_dm_summary_and_tells_the_csm_in_the_thread(bot: Bot) -> None:
    await submit(bot)
    dm = await review_dm(bot)
    await bot.click(APPROVE, f"{bot.org.plan_id}:1", user=MAYA_ID)
    (updated,) = await bot.fake.wait_for("chat.update", lambda c: c.params.get("ts") == dm.ts)
    assert updated.params["channel"] == MAYA_DM
    decided = re.search(
        r"Approved by <@U0MAYA> · <!date\^(\d+)\^\{date_short_pretty\} at \{time\}\|(\w{3} \d+) at (\d\d:\d\d) UTC>",
        str(updated.params["blocks"]),
    )
    assert decided is not None
    moment = datetime.fromtimestamp(int(decided.group(1)), UTC)
    assert (decided.group(2), decided.group(3)) == (f"{moment:%b} {moment.day}", moment.strftime("%H:%M"))
    assert updated.params["text"] == "Approved by <@U0MAYA>: TechCorp Industries FY2026 v1"
    assert not has_button(updated, APPROVE) and not has_button(updated, REJECT)  # the decision is made
    assert has_button(updated, VIEW_PLAN)  # and the plan is still one click away
    (card,) = await bot.fake.wait_for(
        "chat.update",
        lambda c: c.params.get("ts") == SUMMARY_TS and "Approved" in str(c.params.get("blocks")),
    )
    assert f"*Approved* by <@{MAYA_ID}> · v1" in str(card.params["blocks"][1])  # the card says who
    (notice,) = await bot.fake.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == SUMMARY_TS)
    assert notice.params["channel"] == PLANS_CHANNEL
    # The note names the decider only: "@carl @maya approved" read as if both had approved.
    note = notice.params["blocks"][0]["text"]["text"]
    assert note.startswith(
        f":white_check_mark: Approved by <@{MAYA_ID}>: *TechCorp Industries FY2026* v1 is now the plan in force"
    )
    assert re.findall(r"<@U\w+>", str(notice.params)) == [f"<@{MAYA_ID}>"] * 2  # in the note and its text
    assert notice.params["text"] == f"Approved by <@{MAYA_ID}>: TechCorp Industries FY2026 v1"
    assert await bot.status() == ("approved", 1)
    # Homes re-published: Maya's after the DM, then Maya's (queue now empty) and Carl's.
    await bot.fake.wait_for("views.publish", lambda c: c.params["user_id"] == CARL_ID)
    mayas = await bot.fake.wait_for("views.publish", lambda c: c.params["user_id"] == MAYA_ID, count=2)
    assert "Nothing waiting for you" in str(mayas[1].params["view"])
    async with bot.deps.database.session() as session:
        event = (
            await session.execute(select(AuditEvent).where(AuditEvent.action == "approved"))
        ).scalar_one()
        assert (event.actor, event.surface, event.version) == (MAYA, "slack", 1)


async def test_clicks_that_must_not_count_get_an_ephemeral_and_change_nothing(bot: Bot) -> None:
    await submit(bot)
    value = f"{bot.org.plan_id}:1"
    await bot.click(APPROVE, value, user=MO_ID)  # another team's manager
    (other,) = await bot.fake.wait_for("chat.postEphemeral", lambda c: c.params["user"] == MO_ID)
    assert "only Maya Manager or an admin can approve" in other.params["text"]
    assert "@example.com" not in other.params["text"]  # people are named, not their addresses
    await bot.click(APPROVE, value, user=CARL_ID)  # the CSM on their own plan
    (own,) = await bot.fake.wait_for(
        "chat.postEphemeral", lambda c: c.params["user"] == CARL_ID and "own plan" in c.params["text"]
    )
    assert own.params["channel"] == MAYA_DM
    assert await bot.status() == ("pending_review", 1)

    await bot.click(APPROVE, value, user=MAYA_ID)
    await bot.fake.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == SUMMARY_TS)
    await bot.click(APPROVE, value, user=MAYA_ID)  # the second click
    (second,) = await bot.fake.wait_for("chat.postEphemeral", lambda c: c.params["user"] == MAYA_ID)
    assert "Maya Manager already approved version 1" in second.params["text"]
    assert (
        len([c for c in bot.fake.calls_to("chat.postMessage") if c.params.get("thread_ts") == SUMMARY_TS])
        == 1
    )


async def test_button_for_a_superseded_version_is_refused(bot: Bot) -> None:
    await submit(bot)
    async with bot.deps.database.session() as session:  # the CSM edits after submitting: v2, draft
        await save_plan_version(
            session,
            plan_document(executive_summary="Reworked summary after the submission."),
            author=CARL,
            reason="x",
        )
    await bot.click(APPROVE, f"{bot.org.plan_id}:1", user=MAYA_ID)
    (stale,) = await bot.fake.wait_for("chat.postEphemeral", lambda c: c.params["user"] == MAYA_ID)
    assert "version 1, but the plan has changed since (it is now version 2, draft)" in stale.params["text"]
    assert await bot.status() == ("draft", 2)
    assert not bot.fake.calls_to("chat.update") or all(
        "Approved by" not in str(c.params.get("blocks")) for c in bot.fake.calls_to("chat.update")
    )


async def test_request_changes_asks_for_a_comment_then_tells_the_csm(bot: Bot) -> None:
    await submit(bot)
    dm = await review_dm(bot)
    await bot.click(REQUEST_CHANGES, f"{bot.org.plan_id}:1", user=MAYA_ID)
    (opened,) = await bot.fake.wait_for("views.open")
    modal = View(**opened.params["view"])
    assert modal.callback_id == "approval_comment_modal"
    view = opened.params["view"] | {"id": "V1"}

    def submission(comment: str) -> dict[str, Any]:
        values = {COMMENT_BLOCK: {COMMENT_INPUT: {"type": "plain_text_input", "value": comment}}}
        return {
            "type": "view_submission",
            "user": {"id": MAYA_ID},
            "view": view | {"state": {"values": values}},
        }

    blank = await bot.sender.interaction(submission("   "))
    assert blank.json()["response_action"] == "errors" and COMMENT_BLOCK in blank.json()["errors"]
    assert await bot.status() == ("pending_review", 1)

    done = await bot.sender.interaction(submission("Add a <!channel> training objective"))
    assert done.status == 200 and not done.body
    (updated,) = await bot.fake.wait_for("chat.update", lambda c: c.params.get("ts") == dm.ts)
    blocks = str(updated.params["blocks"])
    assert f"Changes requested by <@{MAYA_ID}>" in blocks
    assert "&lt;!channel&gt; training objective" in blocks  # escaped: pings nobody
    (notice,) = await bot.fake.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == SUMMARY_TS)
    note = notice.params["blocks"][0]["text"]["text"]
    assert note.startswith(f":leftwards_arrow_with_hook: Changes requested by <@{MAYA_ID}> on")
    assert "training objective" in note and CARL_ID not in str(notice.params)
    assert len(notice.params["text"]) < 150
    # The flow goes on: the CSM changes the plan, then submits it again from right here.
    assert has_button(notice, "plan_submit") and has_button(notice, VIEW_PLAN)
    assert await bot.status() == ("changes_requested", 1)


async def test_reject_button_from_someone_else_opens_no_modal(bot: Bot) -> None:
    await submit(bot)
    await bot.click(REJECT, f"{bot.org.plan_id}:1", user=MO_ID)
    (refusal,) = await bot.fake.wait_for("chat.postEphemeral", lambda c: c.params["user"] == MO_ID)
    assert "only Maya Manager or an admin can reject" in refusal.params["text"]
    assert bot.fake.calls_to("views.open") == []


async def test_two_reviewers_clicking_at_once_settle_once(bot: Bot) -> None:
    await submit(bot)
    value = f"{bot.org.plan_id}:1"
    await asyncio.gather(bot.click(APPROVE, value, user=MAYA_ID), bot.click(APPROVE, value, user=ADA_ID))
    (loser,) = await bot.fake.wait_for(
        "chat.postEphemeral",
        lambda c: c.params["user"] in (MAYA_ID, ADA_ID) and "already approved" in c.params["text"],
    )
    await bot.fake.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == SUMMARY_TS)
    assert await bot.status() == ("approved", 1)
    async with bot.deps.database.session() as session:
        approvals = (
            (await session.execute(select(AuditEvent).where(AuditEvent.action == "approved"))).scalars().all()
        )
    assert len(approvals) == 1
    assert loser.params["user"] != {MAYA: MAYA_ID, ADMIN: ADA_ID}[approvals[0].actor]


async def test_queue_command_lists_plans_waiting_for_me(bot: Bot) -> None:
    await submit(bot)
    await bot.sender.command("queue", user_id=MAYA_ID, channel_id=PLANS_CHANNEL)
    (answer,) = await bot.fake.wait_for("response_url")
    assert answer.params["text"] == "1 plan waiting for your approval"
    assert "TechCorp Industries FY2026" in str(answer.params["blocks"])
    assert f"{bot.org.plan_id}:1" in str(answer.params["blocks"])
    await bot.sender.command("queue", user_id=CARL_ID, channel_id=PLANS_CHANNEL)
    (csm_answer,) = await bot.fake.wait_for(
        "response_url", lambda c: "Only managers" in str(c.params.get("text"))
    )
    assert csm_answer


async def test_rest_decision_updates_the_slack_dm(bot: Bot) -> None:
    await submit(bot)
    dm = await review_dm(bot)
    async with bot.deps.database.session() as session:
        token = await create_token(session, MAYA)
    async with bot.http.post(
        f"{bot.base_url}/api/account-plans/{bot.org.plan_id}/reject",
        json={"comment": "Wrong fiscal year focus"},
        headers={"Authorization": f"Bearer {token}", "If-Match": '"1"'},
    ) as response:
        assert response.status == 200
    (updated,) = await bot.fake.wait_for("chat.update", lambda c: c.params.get("ts") == dm.ts)
    assert f"Rejected by <@{MAYA_ID}>" in str(updated.params["blocks"])
    (notice,) = await bot.fake.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == SUMMARY_TS)
    assert "Wrong fiscal year focus" in str(notice.params["blocks"])


async def test_people_are_matched_by_email_when_their_slack_id_is_unknown(db: Database) -> None:
    async for running in _start(db, slack_ids=False):
        running.fake.add_user(CARL_ID, email=CARL, name="Carl CSM")
        running.fake.add_user(MAYA_ID, email=MAYA, name="Maya Manager")
        await submit(running)  # Carl found through users.info, Maya through users.lookupByEmail
        assert [c.params["email"] for c in running.fake.calls_to("users.lookupByEmail")] == [MAYA]
        await running.click(APPROVE, f"{running.org.plan_id}:1", user=MAYA_ID)
        await running.fake.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == SUMMARY_TS)
        assert await running.status() == ("approved", 1)
        # Remembered: Maya's id is stored, so no second lookup was needed for her click.
        assert [c.params["user"] for c in running.fake.calls_to("users.info")] == [CARL_ID]
