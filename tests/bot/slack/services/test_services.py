"""The database side of the Slack surface, on SQLite and PostgreSQL: exactly-once event claims,
plan message links, and the user's book (type-ahead scope, preview, home rows, draft requests)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.slack.services.access import customer_book, customer_named
from bot.slack.services.book import (
    context_preview,
    customer_named_in,
    customers_for,
    plans_for,
    riskiest_accounts,
)
from bot.slack.services.event_dedupe import claim_event, forget_events_before
from bot.slack.services.slack_links import (
    latest_plan_in_channel,
    link_plan_message,
    plan_at_message,
    plan_message,
)
from storage.db import Database
from storage.demo.portfolio import seed_demo_portfolio
from storage.errors import PermissionDenied, UnknownCustomer
from tests.conftest import agent_deps
from tools.plans.policy import Actor, authorize

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
AS_OF = date(2026, 3, 1)
CSM = Actor(email="csm001@demo.accountplan.test", role="csm")
ADMIN = Actor(email="admin001@demo.accountplan.test", role="admin")


@pytest.fixture
async def portfolio(any_db: Database) -> Database:
    await seed_demo_portfolio(any_db, accounts=30, as_of=AS_OF)
    return any_db


async def test_an_event_is_claimed_once_even_by_concurrent_replicas(any_db: Database) -> None:
    assert await claim_event(any_db, "Ev1", now=NOW) is True
    assert await claim_event(any_db, "Ev1", now=NOW) is False
    results = await asyncio.gather(*(claim_event(any_db, "Ev2", now=NOW) for _ in range(8)))
    assert sorted(results) == [False] * 7 + [True]


async def test_old_event_ids_are_forgotten(any_db: Database) -> None:
    await claim_event(any_db, "EvOld", now=NOW - timedelta(days=2))
    await claim_event(any_db, "EvNew", now=NOW)
    assert await forget_events_before(any_db, NOW - timedelta(days=1)) == 1
    assert await claim_event(any_db, "EvNew", now=NOW) is False


async def test_plan_message_links(portfolio: Database) -> None:
    from agent.generate import GenerationRequest, generate_plan

    generated = await generate_plan(
        agent_deps(portfolio),
        GenerationRequest(customer="TechCorp Industries", fiscal_year="FY2026", as_of=AS_OF),
    )
    plan_id = generated.document.plan_id
    assert await plan_message(portfolio, plan_id) is None
    await link_plan_message(portfolio, plan_id, "C1", "1700000000.000100")
    where = await plan_message(portfolio, plan_id)
    assert where is not None and (where.channel, where.ts) == ("C1", "1700000000.000100")
    assert await plan_at_message(portfolio, "C1", "1700000000.000100") == plan_id
    assert await plan_at_message(portfolio, "C1", "1700000000.000999") is None
    assert await latest_plan_in_channel(portfolio, "C1") == plan_id
    assert await latest_plan_in_channel(portfolio, "C2") is None


async def test_type_ahead_scope_follows_the_book(portfolio: Database) -> None:
    mine = await customers_for(portfolio, CSM, "", limit=100)
    everyone = await customers_for(portfolio, ADMIN, "", limit=100)
    assert 0 < len(mine) < len(everyone) == 30
    assert {c.customer_id for c in mine} < {c.customer_id for c in everyone}
    assert [c.name for c in await customers_for(portfolio, ADMIN, "TECHCORP")] == ["TechCorp Industries"]


async def test_preview_counts_come_from_the_data(portfolio: Database) -> None:
    (techcorp,) = await customers_for(portfolio, ADMIN, "TechCorp")
    preview = await context_preview(portfolio, techcorp.customer_id, AS_OF)
    assert preview.customer_name == "TechCorp Industries"
    assert preview.health_score is not None and preview.contacts > 0
    assert preview.similar_accounts > 0


async def test_the_gates_lookups_find_the_book_a_request_is_about(portfolio: Database) -> None:
    techcorp, name, book = await customer_named(portfolio, "techcorp")
    assert name == "TechCorp Industries" and book == await customer_book(portfolio, techcorp)
    assert book.csm_email == CSM.email
    authorize("generate", CSM, book)
    with pytest.raises(PermissionDenied, match="own book"):
        authorize("generate", Actor(email="csm002@demo.accountplan.test", role="csm"), book)
    with pytest.raises(UnknownCustomer) as unknown:
        await customer_named(portfolio, "Techcrop Industries")
    assert "TechCorp Industries" in unknown.value.suggestions


async def test_home_rows_riskiest_and_names_in_text(portfolio: Database) -> None:
    from agent.generate import GenerationRequest, generate_plan

    await generate_plan(
        agent_deps(portfolio),
        GenerationRequest(customer="TechCorp Industries", fiscal_year="FY2026", as_of=AS_OF),
    )
    (row,) = await plans_for(portfolio, CSM, AS_OF)
    assert row.customer_name == "TechCorp Industries" and row.status == "draft" and row.confidence is not None
    assert row.next_actions and row.next_actions == sorted(row.next_actions, key=lambda a: a.due_date)
    risky = await riskiest_accounts(portfolio, CSM)
    book = {c.name for c in await customers_for(portfolio, CSM, "", limit=100)}
    assert risky and {a.name for a in risky} <= book
    named = await customer_named_in(portfolio, "please make objective 2 critical for techcorp industries.")
    assert named is not None and named.name == "TechCorp Industries"
    assert await customer_named_in(portfolio, "what a lovely day") is None


async def test_a_managers_lists_hold_their_teams_plans_most_urgent_first(any_db: Database) -> None:
    from bot.slack.services.book import review_queue
    from storage.plans import save_plan_version
    from storage.users import find_user
    from tests.fakes.review_org import CARL, DINA, MAYA, MO, OTHER_CUSTOMER_ID, plan_document, seed_org
    from tools.plans.lifecycle import submit_for_approval

    org = await seed_org(any_db)
    async with any_db.session() as session:
        maya, mo, carl = [Actor.from_user(await find_user(session, e)) for e in (MAYA, MO, CARL)]  # type: ignore[arg-type]
        # A second plan in Carl's book, at risk (a critical risk), renewing later than none at all.
        risky = plan_document(
            fiscal_year="FY2027",
            risk_mitigation={"identified_risks": [{"risk": "Champion left", "severity": "critical",
                                                    "mitigation": "Find one", "owner": "CSM"}]},
        )  # fmt: skip
        await save_plan_version(session, risky, author=CARL, reason="generated")
        await submit_for_approval(session, org.plan_id, actor=carl, surface="slack")
    mayas = await plans_for(any_db, maya, AS_OF)
    assert {row.customer_name for row in mayas} == {"TechCorp Industries"}  # not Mo's team's Globex
    assert mayas[0].risk_level == "at_risk" and mayas[0].fiscal_year == "FY2027"  # at risk first
    assert all(row.csm is not None and row.csm.name == "Carl CSM" for row in mayas)
    mos = await plans_for(any_db, mo, AS_OF)
    assert {row.plan_id for row in mos} == {org.other_plan_id} and mos[0].csm.name == "Dina CSM"  # type: ignore[union-attr]
    (waiting,) = await review_queue(any_db, maya, AS_OF)
    assert waiting.plan_id == org.plan_id and waiting.csm is not None and waiting.csm.slack_id == "U0CARL"
    assert await review_queue(any_db, mo, AS_OF) == []
    # The type-ahead offers a manager only their own book (they review their team's, not draft them).
    assert await customers_for(any_db, maya, "") == []
    assert OTHER_CUSTOMER_ID and DINA  # the other team exists, and stays out of Maya's lists
