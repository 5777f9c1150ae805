"""Living plans in Slack, through the real Bolt app and slack_sdk client against the fake Web API:
the digest's Done / Snooze buttons update the message in place, change proposals are accepted or
dismissed in place, and `/accountplan stats` answers with numbers and an uploaded chart."""

from __future__ import annotations

from typing import Any

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select, update

from bot.scheduler.jobs import LivingPlansJobs
from bot.scheduler.notify import SlackNotifier
from bot.slack.blocks.living import ACTION_DONE, ACTION_SNOOZE, PROPOSAL_ACCEPT, PROPOSAL_DISMISS
from storage.models import Customer
from storage.plans import get_plan
from tests.bot.slack.conftest import CSM, NOW, SlackHarness
from tests.fakes.slack_api import RecordedCall
from tests.tools.living.living_data import add_approved_plan, plan_document

OTHER_CSM = "U0CSM002"


async def _book_plans(slack: SlackHarness, count: int = 2) -> list[tuple[str, str]]:
    """Approved plans for the first `count` customers of the demo CSM: (customer id, plan id)."""
    async with slack.deps.database.session() as session:
        customers = (
            await session.execute(
                select(Customer)
                .where(Customer.csm_email == "csm001@demo.accountplan.test")
                .order_by(Customer.name)
                .limit(count)
            )
        ).scalars()
        picked = [(c.id, c.name, c.health_score or 70) for c in customers]
    plans = []
    for customer_id, name, health in picked:
        recorded = {"as_of": "2026-01-01", "inputs": {"health_score": health, "feature_utilization": None}}
        document = plan_document(customer_id, name, generation_context=recorded)
        plans.append((customer_id, await add_approved_plan(slack.deps.database, document)))
    return plans


def _jobs(slack: SlackHarness) -> LivingPlansJobs:
    client = AsyncWebClient(token="xoxb-test-token", base_url=slack.fake.base_url)
    return LivingPlansJobs(slack.deps.database, SlackNotifier(client, slack.deps.database), worker="test")


def _click(message: RecordedCall, action_id: str, block_id: str, *, user: str = CSM) -> dict[str, Any]:
    """A block_actions payload for a button of a message the bot posted (as Slack sends it)."""
    block = next(b for b in message.params["blocks"] if b.get("block_id") == block_id)
    element = next(e for e in block["elements"] if e["action_id"] == action_id)
    return {
        "type": "block_actions",
        "user": {"id": user},
        "trigger_id": "trigger-living",
        "channel": {"id": "D0CSM001"},
        "container": {"type": "message", "channel_id": "D0CSM001", "message_ts": "1700000001.000100"},
        "message": {
            "ts": "1700000001.000100",
            "text": message.params["text"],
            "blocks": message.params["blocks"],
        },
        "actions": [
            {"type": "button", "action_id": action_id, "block_id": block_id, "value": element["value"]}
        ],
        "response_url": "http://127.0.0.1:9/",
    }


def _value(message: RecordedCall, action_id: str) -> str:
    return next(
        e["value"] for b in message.params["blocks"] if b["type"] == "actions" for e in b["elements"]
        if e["action_id"] == action_id
    )  # fmt: skip


async def _digest(slack: SlackHarness) -> RecordedCall:
    await _jobs(slack).run_due(NOW, ("digest",))
    [digest] = await slack.fake.wait_for("chat.postMessage", lambda c: c.params["channel"] == CSM)
    return digest


async def test_digest_lists_the_most_urgent_handful_with_buttons(slack: SlackHarness) -> None:
    await _book_plans(slack)
    digest = await _digest(slack)
    assert "12 plan actions due this week" in digest.params["text"]  # 2 plans x 6 overdue actions
    items = [b for b in digest.params["blocks"] if b.get("block_id", "").startswith("living_item_actions_")]
    assert len(items) == 5
    assert "…and 7 more" in str(digest.params["blocks"][-1])
    assert "overdue" in digest.params["blocks"][2]["text"]["text"]


async def test_done_and_snooze_update_the_digest_in_place(slack: SlackHarness) -> None:
    [(_, plan_id), _second] = await _book_plans(slack)
    digest = await _digest(slack)

    response = await slack.sender.interaction(_click(digest, ACTION_DONE, "living_item_actions_0"))
    assert response.status == 200
    [done] = await slack.fake.wait_for("chat.update")
    assert done.params["ts"] == "1700000001.000100" and done.params["channel"] == "D0CSM001"
    blocks = done.params["blocks"]
    item = next(b for b in blocks if b.get("block_id") == "living_item_0")["text"]["text"]
    first, second = item.split("\n")
    # Done reads done: struck through, no longer "overdue", and its buttons are gone.
    assert first.startswith("~*") and first.endswith("~") and "overdue" not in item
    assert second == ":white_check_mark: Done · marked by <@U0CSM001>"
    assert not any(b.get("block_id") == "living_item_actions_0" for b in blocks)
    assert any(b.get("block_id") == "living_item_actions_1" for b in blocks)  # the others keep theirs

    await slack.sender.interaction(_click(digest, ACTION_SNOOZE, "living_item_actions_1"))
    [_, snoozed] = await slack.fake.wait_for("chat.update", count=2)
    assert "Snoozed 7 days" in str(snoozed.params["blocks"]) and "next due Mar 9" in str(
        snoozed.params["blocks"]
    )

    async with slack.deps.database.session() as session:
        plans = [await get_plan(session, pid) for pid in {plan_id, _second[1]}]
    statuses = sorted(a["status"] for p in plans for a in p.document["action_plan_90day"])
    assert statuses.count("done") == 1 and statuses.count("snoozed") == 1
    assert all(p.status == "approved" for p in plans)  # progress does not reopen approval


async def test_someone_elses_click_is_refused_and_changes_nothing(slack: SlackHarness) -> None:
    [(_, plan_id), _] = await _book_plans(slack)
    digest = await _digest(slack)
    await slack.sender.interaction(_click(digest, ACTION_DONE, "living_item_actions_0", user=OTHER_CSM))
    [refusal] = await slack.fake.wait_for("chat.postEphemeral")
    assert refusal.params["user"] == OTHER_CSM and "only the account's CSM" in refusal.params["text"]
    assert slack.fake.calls_to("chat.update") == []
    async with slack.deps.database.session() as session:
        assert (await get_plan(session, plan_id)).version == 1


async def test_change_proposal_accept_and_dismiss_in_place(slack: SlackHarness) -> None:
    plans = await _book_plans(slack)
    async with slack.deps.database.session() as session:
        for customer_id, _ in plans:
            await session.execute(update(Customer).where(Customer.id == customer_id).values(health_score=20))
    await _jobs(slack).run_due(NOW, ("changes",))
    proposals = await slack.fake.wait_for(
        "chat.postMessage", lambda c: "the account changed" in str(c.params["blocks"][0]), count=2
    )
    assert "Health score fell" in str(proposals[0].params["blocks"])

    # View proposed plan shows the revision itself, read-only, before anyone accepts it.
    await slack.sender.interaction(_click(proposals[0], "living_proposal_view", "living_proposal_actions"))
    [opened] = await slack.fake.wait_for("views.open")
    assert opened.params["view"]["title"]["text"] == "Proposed plan"
    assert "plan_submit" not in str(opened.params["view"]) and "plan_edit_objective" not in str(opened.params["view"])
    tabs = opened.params["view"]["blocks"][1]["elements"]
    assert {t["value"] for t in tabs} == {f"proposal:{_value(proposals[0], 'living_proposal_accept')}"}

    await slack.sender.interaction(_click(proposals[0], PROPOSAL_ACCEPT, "living_proposal_actions"))
    [accepted] = await slack.fake.wait_for("chat.update")
    assert "Accepted by <@U0CSM001>: version 2 is a draft now" in str(accepted.params["blocks"])
    # The flow goes on: Submit for approval is right there.
    buttons = [e for b in accepted.params["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [e["action_id"] for e in buttons] == ["plan_submit", "plan_view"]
    await slack.sender.interaction(_click(proposals[1], PROPOSAL_DISMISS, "living_proposal_actions"))
    [_, dismissed] = await slack.fake.wait_for("chat.update", count=2)
    assert "Dismissed by <@U0CSM001>" in str(dismissed.params["blocks"])

    async with slack.deps.database.session() as session:
        statuses = sorted([(await get_plan(session, pid)).status for _, pid in plans])
    assert statuses == ["approved", "draft"]

    # A second click on the decided proposal is refused, not applied twice.
    await slack.sender.interaction(_click(proposals[0], PROPOSAL_ACCEPT, "living_proposal_actions"))
    [again] = await slack.fake.wait_for("chat.postEphemeral")
    assert "already accepted" in again.params["text"]


async def test_stats_command_answers_with_numbers_and_a_chart(slack: SlackHarness) -> None:
    await _book_plans(slack)
    response = await slack.sender.command("stats")
    assert response.status == 200
    [answer] = await slack.fake.wait_for("response_url")
    text = str(answer.params["blocks"])
    assert "Plan coverage" in text and "Objective completion" in text and "Renewal rate" in text
    [completed] = await slack.fake.wait_for("files.completeUploadExternal")
    assert completed.params["channel_id"].startswith("D")
    assert any(body.startswith(b"\x89PNG") for body in slack.fake.uploads.values())


def _tracked(n: int, overdue: int) -> Any:
    from datetime import date, timedelta

    from tools.living.actions import TrackedAction

    return TrackedAction(
        plan_id="p1",
        plan_version=1,
        customer_id="c1",
        customer_name="Acme <Corp>",
        csm_email="a@x",
        index=n,
        action=f"Action {n} & more",
        owner="CSM",
        week=1,
        due_date=date(2026, 3, 2) - timedelta(days=overdue),
        status="open",
        objective_id="obj-1",
        days_overdue=overdue,
    )


def test_digest_builder_escapes_caps_and_fits_slack() -> None:
    from bot.slack.blocks.living import MAX_DIGEST_ITEMS, digest_blocks, parse_action_value, replace_buttons

    blocks = [
        b.to_dict() for b in digest_blocks([_tracked(n, 8 - n) for n in range(8)])
    ]  # to_dict checks limits
    items = [b for b in blocks if b.get("block_id", "").startswith("living_item_actions_")]
    assert len(items) == MAX_DIGEST_ITEMS
    assert (
        "Acme &lt;Corp&gt;" in blocks[2]["text"]["text"]
        and "Action 0 &amp; more" in blocks[2]["text"]["text"]
    )
    assert "8 days overdue" in blocks[2]["text"]["text"] and "…and 3 more" in str(blocks[-1])
    plan_id, index, fingerprint = parse_action_value(items[0]["elements"][0]["value"])
    assert (plan_id, index, len(fingerprint)) == ("p1", 0, 12)
    replaced = replace_buttons(blocks, "living_item_actions_0", "Done")
    assert replaced[3]["type"] == "context" and replaced[5] == blocks[5] and len(replaced) == len(blocks)


def test_proposal_builder_cuts_a_long_diff_and_stats_flag_small_samples() -> None:
    from datetime import date

    from bot.slack.blocks.living import MAX_DIFF_LINES, proposal_blocks, stats_blocks
    from tools.living.change_detection import Proposal
    from tools.living.outcomes import OutcomeGroup, OutcomeStats, Rate
    from tools.living.tracked_inputs import ChangeReason

    proposal = Proposal(
        id="x",
        plan_id="p",
        customer_id="c",
        customer_name="Acme",
        csm_email=None,
        base_version=1,
        status="proposed",
        reasons=[
            ChangeReason(key="risk:1", kind="new_risk", text="New critical risk: <!channel> budget cut")
        ],
        diff=[f"Risks: added risk {n}" for n in range(40)],
    )
    blocks = [b.to_dict() for b in proposal_blocks(proposal)]
    assert "&lt;!channel&gt;" in str(blocks) and "<!channel>" not in str(blocks)
    assert f"+{40 - MAX_DIFF_LINES} more changes in the proposed plan" in str(blocks)
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert [e["action_id"] for e in buttons] == ["living_proposal_view", "living_proposal_accept", "living_proposal_dismiss"]
    assert [e["action_id"] for e in buttons if e.get("style") == "primary"] == ["living_proposal_accept"]
    group = OutcomeGroup(accounts=3, renewal=Rate(hits=2, total=3), expansion=Rate(hits=0, total=0))
    stats = OutcomeStats(
        as_of=date(2026, 3, 2),
        coverage=Rate(hits=3, total=4),
        completion=Rate(hits=1, total=4),
        overdue_by_csm={},
        by_csm=[],
        with_plan=group,
        without_plan=group,
    )
    text = str([b.to_dict() for b in stats_blocks(stats)])
    assert "*75%* (3/4) :white_check_mark:" in text and "*25%* (1/4) (target 60%)" in text
    assert "n/a (no accounts)" in text and "read it as a hint" in text
