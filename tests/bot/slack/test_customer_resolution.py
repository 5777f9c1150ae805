"""Which customer a Slack request is about, through the resolution the Slack surface uses: every
demo customer is found by its exact name, a name never captures a request for another customer,
Slack markup names nobody, typos and ambiguity are asked about with buttons (never guessed), and
every edit reply names the customer and fiscal year it changed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from agent.generate import GenerationRequest, generate_plan
from bot.slack.services.book import customer_named_in
from storage.db import Database
from storage.demo.portfolio import seed_demo_portfolio
from storage.errors import UnknownCustomer
from storage.models import Customer
from tests.bot.slack.conftest import ADMIN, AS_OF, CSM, SlackHarness
from tests.bot.slack.test_events import ScriptedReviser, message
from tests.bot.slack.test_interactions import block_actions
from tests.conftest import agent_deps
from tools.plans.policy import Actor

TEMPLATES = (
    "rewrite the executive summary for {name}",
    "<@U0BOT0001> make objective 2 critical for {name}.",
    "{name}: move the CFO review to Q3",
    "<!channel> what changed since approval for {name}?",
)


@pytest.fixture
async def seeded_db(db: Database) -> Database:
    """The full 200-account demo portfolio (it has Jasper Energy, Capital, Supply and Foods)."""
    await seed_demo_portfolio(db, accounts=200, as_of=AS_OF)
    return db


async def _customers(database: Database) -> list[tuple[str, str, str]]:
    async with database.session() as session:
        rows = (await session.execute(select(Customer.id, Customer.name, Customer.csm_email))).all()
    return [(r[0], r[1], r[2]) for r in rows]


async def test_every_demo_customer_is_found_by_its_exact_name_in_a_slack_message(any_db: Database) -> None:
    await seed_demo_portfolio(any_db, accounts=200, as_of=AS_OF)
    customers = await _customers(any_db)
    assert len(customers) == 200 and "TechCorp Industries" in {name for _, name, _ in customers}
    wrong = []
    for position, (customer_id, name, csm_email) in enumerate(customers):
        text = TEMPLATES[position % len(TEMPLATES)].format(name=name)
        for actor in (Actor(email=csm_email, role="csm"), Actor(email="admin@example.com", role="admin")):
            found = await customer_named_in(any_db, text, actor)
            if found is None or found.customer_id != customer_id:
                wrong.append((text, actor.role, found))
    assert wrong == []


async def _plan_for(database: Database, customer_name: str) -> str:
    result = await generate_plan(
        agent_deps(database),
        GenerationRequest(customer=customer_name, fiscal_year="FY2026", as_of=AS_OF, offline=True),
    )
    return result.document.plan_id


async def test_jasper_energy_is_not_jasper_capital(slack: SlackHarness) -> None:
    """The reported bug: this request changed Jasper Capital's plan, and the reply did not say so."""
    energy = await _plan_for(slack.deps.database, "Jasper Energy")
    await _plan_for(slack.deps.database, "Jasper Capital")
    reviser = ScriptedReviser()
    slack.deps.revise_plan = reviser
    await slack.sender.event(
        message(
            "rewrite the executive summary for Jasper Energy", channel="D0ADM001", channel_type="im", user=ADMIN
        )
    )
    await slack.settle(events=1)
    assert [asked[0] for asked in reviser.asked] == [energy]
    (reply,) = slack.fake.calls_to("chat.postMessage")
    assert reply.params["text"].startswith("Updated *Jasper Energy FY2026* (v2): ")


async def test_a_customer_named_like_slack_markup_captures_nothing(slack: SlackHarness) -> None:
    async with slack.deps.database.session() as session:
        session.add(Customer(id="chan", name="<!channel> Partners", csm_email="csm001@demo.accountplan.test"))
    energy = await _plan_for(slack.deps.database, "Jasper Energy")
    reviser = ScriptedReviser()
    slack.deps.revise_plan = reviser
    await slack.sender.event(
        message("<!channel> please make objective 1 critical for Jasper Energy", channel="D0CSM001", channel_type="im")
    )
    await slack.settle(events=1)
    assert [asked[0] for asked in reviser.asked] == [energy]
    csm = Actor(email="csm001@demo.accountplan.test", role="csm")
    for text in ("which channel should partners use?", "<!channel> standup moved to 10am"):
        assert await customer_named_in(slack.deps.database, text, csm) is None
    named = await customer_named_in(slack.deps.database, "update the &lt;!channel&gt; Partners plan", csm)
    assert named is not None and named.customer_id == "chan"


def _buttons(call: Any) -> list[dict[str, Any]]:
    return [e for b in call.params.get("blocks") or [] if b.get("type") == "actions" for e in b["elements"]]


async def test_a_typo_in_a_dm_asks_with_a_button_that_answers_the_request_once(slack: SlackHarness) -> None:
    energy = await _plan_for(slack.deps.database, "Jasper Energy")
    reviser = ScriptedReviser()
    slack.deps.revise_plan = reviser
    request = "make objective 1 critical for Jaspr Energy"
    await slack.sender.event(message(request, channel="D0CSM001", channel_type="im"))
    await slack.settle(events=1)
    assert reviser.asked == []  # a typo is never resolved by itself
    (question,) = slack.fake.calls_to("chat.postMessage")
    assert "Did you mean *Jasper Energy*?" in question.params["text"]
    (pick,) = _buttons(question)
    assert pick["action_id"] == "pick_customer_request_0" and pick["text"]["text"] == "Jasper Energy"
    assert json.loads(pick["value"])["request"] == request

    click = block_actions(
        pick | {"block_id": "which_customer"},
        channel={"id": "D0CSM001"},
        message={"ts": "1800000000.000900", "thread_ts": "1800000000.000200"},
        container={"type": "message", "message_ts": "1800000000.000900", "channel_id": "D0CSM001"},
    )
    await slack.sender.interaction(click)
    reply = (await slack.fake.wait_for("chat.postMessage", count=2))[-1]
    assert [asked[0] for asked in reviser.asked] == [energy]
    (picked,) = [c for c in slack.fake.calls_to("chat.update") if c.params["ts"] == "1800000000.000900"]
    assert "Jasper Energy" in picked.params["text"] and picked.params["blocks"] == []
    assert reply.params["thread_ts"] == "1800000000.000200"
    assert reply.params["text"].startswith("Updated *Jasper Energy FY2026* (v2): ")

    await slack.sender.interaction(click)  # a second click on the same question changes nothing
    (note,) = await slack.fake.wait_for("chat.postEphemeral")
    assert "already answered" in note.params["text"]
    assert len(reviser.asked) == 1


async def test_suggestions_stay_inside_the_askers_book(slack: SlackHarness) -> None:
    """Jasper Capital is in csm005's book: its CSM's colleague is never offered it; an admin is."""
    csm = Actor(email="csm001@demo.accountplan.test", role="csm")
    admin = Actor(email="admin001@demo.accountplan.test", role="admin")
    text = "rewrite the summary for Jaspr Capital"
    assert await customer_named_in(slack.deps.database, text, csm) is None
    with pytest.raises(UnknownCustomer) as asked:
        await customer_named_in(slack.deps.database, text, admin)
    assert asked.value.choices == [("demo-000121", "Jasper Capital")]


async def test_a_slash_command_naming_several_customers_asks_which(slack: SlackHarness) -> None:
    await slack.sender.command("Jasper", user_id=ADMIN)
    (reply,) = await slack.fake.wait_for("response_url")
    assert "Several customers match *Jasper*" in str(reply.params["blocks"])
    labels = [e["text"]["text"] for e in _buttons(reply)]
    assert labels == ["Jasper Capital", "Jasper Energy", "Jasper Foods", "Jasper Supply"]
    # A CSM is only offered the ones in their own book.
    await slack.sender.command("Jasper Wroks", user_id=CSM)
    replies = await slack.fake.wait_for("response_url", count=2)
    assert "Jasper Capital" not in str(replies[-1].params)
