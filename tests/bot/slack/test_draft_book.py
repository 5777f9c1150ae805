"""`/accountplan draft-book` through the real Bolt app over signed HTTP and the fake Slack Web API:
ack, one progress message updated in place, the summary with counts and its list, one run per book,
and the policy (a CSM drafts their own book, a manager their team's)."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import func, select

from agent.bulk import RunScope, start_run
from bot.slack.blocks.draft_book import SEE_LIST
from bot.slack.services.book_runs import MessageAt, remember_progress_message
from storage.models import Customer, DraftRun
from tests.bot.slack.conftest import CSM, SlackHarness
from tests.fakes.slack_api import RecordedCall

CSM_EMAIL = "csm001@demo.accountplan.test"
OTHER_CSM_EMAIL = "csm002@demo.accountplan.test"
MANAGER = "U0MGR001"
FIRST_TS = "1700000001.000100"  # the fake's ts for the first message posted


def is_summary(call: RecordedCall) -> bool:
    return any(
        element.get("action_id") == SEE_LIST
        for block in call.params.get("blocks") or []
        for element in block.get("elements") or []
    )


async def accounts_of(slack: SlackHarness, *emails: str) -> int:
    async with slack.deps.database.session() as session:
        query = select(func.count()).select_from(Customer).where(Customer.csm_email.in_(emails))
        return int(await session.scalar(query) or 0)


async def runs(slack: SlackHarness) -> list[DraftRun]:
    async with slack.deps.database.session() as session:
        return list((await session.execute(select(DraftRun))).scalars())


async def summary_after(
    slack: SlackHarness, text: str, user_id: str = CSM
) -> tuple[RecordedCall, RecordedCall]:
    slack.deps.bulk_in_process = True  # this event loop drafts (the worker-process test is below)
    response = await slack.sender.command(text, user_id=user_id, channel_id="C0PLANS1")
    assert response.status == 200 and response.body == ""  # acknowledged, nothing waited for
    (posted,) = await slack.fake.wait_for("chat.postMessage")
    (summary,) = await slack.fake.wait_for("chat.update", is_summary, timeout=30)
    return posted, summary


async def test_a_csm_drafts_their_book_with_one_message_updated_into_the_summary(slack: SlackHarness) -> None:
    posted, summary = await summary_after(slack, "draft-book")
    assert posted.params["channel"] == "C0PLANS1" and posted.params["text"] == "Drafting your book …"
    updates = slack.fake.calls_to("chat.update")
    assert {(c.params["channel"], c.params["ts"]) for c in updates} == {("C0PLANS1", FIRST_TS)}  # in place
    assert updates[0].params["text"].startswith("Drafting your book: 0 of ")  # the progress message
    total = await accounts_of(slack, CSM_EMAIL)
    (run,) = await runs(slack)
    assert run.state == "finished" and run.total == total and run.scope["csm"] == CSM_EMAIL
    assert run.author == CSM_EMAIL and run.surface == "slack"
    text = str(summary.params["blocks"])
    assert f"*Drafted*\\n{run.drafted}" in text and f"*Accounts*\\n{total}" in text
    assert (
        summary.params["text"]
        == f"Drafted your book: {run.drafted} drafted · {run.skipped} skipped · 0 failed"
    )
    assert run.drafted == total  # a fresh book: nothing edited by a person to skip
    buttons = [
        e for b in summary.params["blocks"] for e in b.get("elements") or [] if e.get("type") == "button"
    ]
    assert [(b["action_id"], b["value"]) for b in buttons] == [(SEE_LIST, run.id)]
    assert slack.fake.calls_to("response_url") == []  # nothing to say to the person alone


async def test_see_the_list_opens_every_plan_of_the_run(slack: SlackHarness) -> None:
    await summary_after(slack, "draft-book")
    (run,) = await runs(slack)
    click = {
        "type": "block_actions",
        "user": {"id": CSM},
        "trigger_id": "trigger-list",
        "channel": {"id": "C0PLANS1"},
        "message": {"ts": "1.2"},
        "actions": [{"action_id": SEE_LIST, "value": run.id, "type": "button"}],
    }
    assert (await slack.sender.interaction(click)).status == 200
    (opened,) = await slack.fake.wait_for("views.open")
    view: dict[str, Any] = opened.params["view"]
    assert opened.params["trigger_id"] == "trigger-list" and view["title"]["text"] == "Drafted plans"
    listed = str(view["blocks"])
    assert listed.count("drafted v") == run.drafted and "/accountplan show " in listed


async def test_a_manager_drafts_the_team_books(slack: SlackHarness) -> None:
    _posted, summary = await summary_after(slack, "draft-book", user_id=MANAGER)
    (run,) = await runs(slack)
    assert OTHER_CSM_EMAIL in run.scope["csms"] and CSM_EMAIL in run.scope["csms"]
    assert run.total == await accounts_of(slack, CSM_EMAIL, OTHER_CSM_EMAIL) and run.state == "finished"
    assert summary.params["text"].startswith("Drafted your team's books: ")


async def test_a_manager_may_draft_one_report_s_book(slack: SlackHarness) -> None:
    await summary_after(slack, f"draft-book {OTHER_CSM_EMAIL}", user_id=MANAGER)
    (run,) = await runs(slack)
    assert run.scope["csm"] == OTHER_CSM_EMAIL and run.total == await accounts_of(slack, OTHER_CSM_EMAIL)


async def test_a_csm_cannot_draft_another_csm_s_book(slack: SlackHarness) -> None:
    await slack.sender.command(f"draft-book {OTHER_CSM_EMAIL}", user_id=CSM)
    (answer,) = await slack.fake.wait_for("response_url")
    assert "you can only draft your own book (this is " in answer.params["text"]
    assert "Traceback" not in answer.params["text"]
    await slack.settle()
    assert await runs(slack) == [] and slack.fake.calls_to("chat.postMessage") == []


async def test_a_second_request_while_a_run_for_the_book_is_going_is_refused_with_how_far_it_is(
    slack: SlackHarness,
) -> None:
    record = await start_run(slack.deps.agent, RunScope(csm=CSM_EMAIL), author=CSM_EMAIL, surface="slack")
    await remember_progress_message(
        slack.deps.agent, record.run_id, MessageAt("C0PLANS1", "1700000001.000100")
    )
    # The manager asking for the whole team is refused too: the team's books include this one.
    for user in (CSM, MANAGER):
        await slack.sender.command("draft-book", user_id=user)
    first, second = await slack.fake.wait_for("response_url", count=2)
    assert first.params["text"] == (
        f"A run for your book is already going: 0 of {record.total} done. "
        "<https://fake.slack.com/archives/C0PLANS1/p1700000001000100|See its progress>."
    )
    assert second.params["text"].startswith("A run for your team's books is already going: 0 of ")
    await slack.settle()
    assert len(await runs(slack)) == 1 and slack.fake.calls_to("chat.postMessage") == []


async def test_a_request_that_cannot_start_says_why_without_a_trace(slack: SlackHarness) -> None:
    await slack.sender.command("draft-book FY2099", user_id=CSM)
    (answer,) = await slack.fake.wait_for("response_url")
    assert answer.params["text"].startswith(":warning: Could not draft the book: ")
    assert "FY2099" in answer.params["text"] and "Traceback" not in answer.params["text"]
    (update,) = await slack.fake.wait_for("chat.update")
    assert "Could not draft your book" in update.params["text"]
    await slack.settle()
    assert await runs(slack) == []


async def test_other_commands_are_answered_while_worker_processes_draft_the_book(slack: SlackHarness) -> None:
    slack.deps.bulk_workers = 1  # a real worker process: the CPU work leaves this event loop
    await slack.sender.command("draft-book", user_id=CSM)
    (posted,) = await slack.fake.wait_for("chat.postMessage")
    await slack.fake.wait_for("chat.update")  # the run is recorded and executing
    help_response = await slack.sender.command("help", user_id=CSM)
    assert help_response.status == 200
    (helped,) = await slack.fake.wait_for("response_url")
    assert "draft-book" in helped.params["text"]
    assert not any(is_summary(c) for c in slack.fake.calls_to("chat.update"))  # still drafting
    (summary,) = await slack.fake.wait_for("chat.update", is_summary, timeout=60)
    assert {c.params["ts"] for c in slack.fake.calls_to("chat.update")} == {FIRST_TS}
    assert posted.params["channel"] == summary.params["channel"]
    (run,) = await runs(slack)
    assert run.state == "finished" and run.drafted == await accounts_of(slack, CSM_EMAIL)
    async with asyncio.timeout(10):
        await slack.settle()
