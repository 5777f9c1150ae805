"""Model-style answers through the real SDK and the fake Messages API, on the demo portfolio.

Careful answers (rounded, derived, freely worded; see tests/fakes/model_answers.py) must all be
kept: zero fallbacks, no repair turns. The same answers with planted inventions must have every
invention caught, reported to the model in its repair turn, and only the parts carrying one left
to the offline draft.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from agent.claude.client import ClaudeClient
from agent.claude.workflow import ClaudeSectionWriter
from agent.drafter import draft_plan
from agent.section_writer import SectionOutcome
from storage.db import Database
from storage.demo.accounts import account_id
from storage.demo.portfolio import seed_demo_portfolio
from storage.demo.techcorp import TECHCORP_ID
from storage.plan_document import SECTIONS
from tests.fakes.anthropic_api import Call, FakeAnthropic
from tests.fakes.model_answers import PLANTS, Account, author
from tools.analytics.context import gather_planning_context
from tools.analytics.fiscal_calendar import planning_fiscal_year

ACCOUNTS = [TECHCORP_ID, *(account_id(index) for index in range(1, 12))]


async def demo_accounts(tmp_path: Path, ids: list[str]) -> list[Account]:
    """The demo portfolio as of today, each account's planning context and offline draft."""
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}")
    await database.ensure_schema()
    today = date.today()
    await seed_demo_portfolio(database, accounts=40, as_of=today)
    fiscal_year = planning_fiscal_year(today, 1)
    accounts = []
    async with database.session() as session:
        for customer_id in ids:
            context = await gather_planning_context(session, customer_id, today, fiscal_year=fiscal_year)
            accounts.append(Account(context, draft_plan(context, fiscal_year).to_json_dict()))
    await database.dispose()
    return accounts


async def draft(account: Account, *, planted: bool = False) -> tuple[SectionOutcome, FakeAnthropic]:
    baseline = draft_plan(account.context, account.draft["fiscal_year"])
    async with FakeAnthropic(author(account, planted=planted)) as fake:
        client = ClaudeClient(api_key="sk-test", model="claude-test", base_url=fake.url, max_retries=0)
        writer = ClaudeSectionWriter(client)
        outcome = await writer.write_sections(
            account.context, account.draft["fiscal_year"], SECTIONS, baseline, None
        )
        await client.close()
    return outcome, fake


def repair_text(call: Call) -> str:
    result = call.body["messages"][-1]["content"][0]
    assert result["type"] == "tool_result" and result["is_error"] is True
    return str(result["content"])


async def test_careful_model_answers_are_kept_whole(tmp_path: Path) -> None:
    accounts = await demo_accounts(tmp_path, ACCOUNTS)
    for account in accounts:
        outcome, fake = await draft(account)
        name = account.customer.name
        assert outcome.fallbacks == {}, (name, outcome.fallbacks)
        assert outcome.usage["repaired_jobs"] == [], (name, outcome.usage["repaired_jobs"])
        assert not any(len(c.body["messages"]) > 1 for c in fake.calls), name
        assert set(outcome.sections) == set(SECTIONS)
    # The answers are the model's own wording and arithmetic, not the draft echoed back.
    techcorp = accounts[0]
    outcome, _ = await draft(techcorp)
    summary = outcome.sections["executive_summary"]
    assert summary != techcorp.draft["executive_summary"]
    assert (
        " at 70% = $35K" in summary
        and "idle seats x $833 = $25K" in summary
        and "about 24% growth" in summary
    )
    assert "In their own words" in outcome.sections["business_context"].customer_goals


@pytest.mark.parametrize("customer_id", [TECHCORP_ID])
async def test_planted_inventions_are_all_caught_and_reported(tmp_path: Path, customer_id: str) -> None:
    (account,) = await demo_accounts(tmp_path, [customer_id])
    outcome, fake = await draft(account, planted=True)
    repairs: dict[str, str] = {}
    for call in fake.calls:
        if call.forced_tool and len(call.body["messages"]) == 3:
            key = call.forced_tool
            if key == "write_objective":
                key += ":" + call.body["messages"][0]["content"].split()[3]
            if key == "write_actions":
                key += ":" + call.body["messages"][0]["content"].split("weeks ")[1].split()[0]
            repairs[key] = repair_text(call)
    caught: Counter[str] = Counter()
    # The week ranges follow the draft's actions (see agent.claude.balance); the plant is in the first.
    first_weeks = next(key for key in repairs if key.startswith("write_actions:1-"))
    for plant in PLANTS:
        key = {"write_objective": "write_objective:obj-1", "write_actions": first_weeks}.get(
            plant.tool, plant.tool
        )
        clue = plant.clue_for(account)
        assert clue in repairs.get(key, ""), (plant.kind, clue, repairs.get(key))
        caught[plant.kind] += 1
    assert caught == Counter(plant.kind for plant in PLANTS)
    # Only the parts that carried an invention fell back, each once, with its reason; the rest -
    # the risk mitigation, the other objectives
    # and week ranges - stayed Claude's.
    weeks = f"action_plan_90day[weeks {first_weeks.split(':')[1]}]"
    map_slice = next(p for p in outcome.fallbacks if p.startswith("stakeholder_plan.current_map[1-"))
    assert set(outcome.fallbacks) == {
        "executive_summary", "business_context", "strategic_objectives[0]", "stakeholder_plan[overview]", map_slice,
        "expansion_plan", "benchmark_comparison[overview]", "qbr_schedule", "resource_plan", weeks,
    }, set(outcome.fallbacks)  # fmt: skip
    assert "Tom Reyes" in outcome.fallbacks["executive_summary"]
    assert "$1.37M" in outcome.fallbacks["business_context"]
    assert "Dana Whitfield" in outcome.fallbacks["strategic_objectives[0]"]
    assert "1,850 seats" in outcome.fallbacks[weeks]
    assert "risk_mitigation" in outcome.sections and "strategic_objectives" in outcome.sections
    assert outcome.offline_share["strategic_objectives"] == pytest.approx(
        1 / len(account.draft["strategic_objectives"])
    )
    print("\nplanted inventions caught, by kind:", dict(sorted(caught.items())))
