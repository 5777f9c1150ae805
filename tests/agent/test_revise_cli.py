"""`accountplan revise` from the terminal, and Claude configured through the environment."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from agent.revise import revise_plan
from bot.cli import cli
from storage.db import Database
from storage.settings import get_settings
from tests.conftest import run_in_fresh_loop
from tests.fakes.anthropic_api import FakeAnthropic, Reply, text, tool_use
from tests.fakes.plan_samples import seed_plan


def test_revise_command_prints_reply_and_diff(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = run_in_fresh_loop(seed_plan(db))
    monkeypatch.setenv("DATABASE_URL", db.url)
    get_settings.cache_clear()
    result = CliRunner().invoke(
        cli, ["revise", plan.plan_id, "set priority of objective 2 to critical", "--as", "csm@example.com"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Done: 1 change.",
        "  - Objective 2: priority 'high' -> 'critical'",
        "saved as version 2 (draft)",
    ]
    by_customer = CliRunner().invoke(cli, ["revise", "TechCorp", "fly to the moon", "--fy", "FY2026"])
    assert by_customer.exit_code == 0 and "I can do these offline" in by_customer.output


def test_revise_command_reports_unknown_plans(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", db.url)
    get_settings.cache_clear()
    result = CliRunner().invoke(cli, ["revise", "nobody", "mark action 1 done"])
    assert result.exit_code == 2 and "no customer 'nobody'" in result.output


async def test_key_and_base_url_from_the_environment_select_claude(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = await seed_plan(db)
    replies = [
        Reply([tool_use("edit_action", {"number": 2, "status": "done"})], stop_reason="tool_use"),
        Reply([text("Done.")]),
    ]
    async with FakeAnthropic(lambda call: replies[call.index - 1]) as fake:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-env-key")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        monkeypatch.setenv("ANTHROPIC_MODEL", "claude-env-model")
        get_settings.cache_clear()
        outcome = await revise_plan(
            db, plan.plan_id, "briefing is prepared", actor="csm@example.com", surface="api"
        )
    assert fake.calls[0].body["model"] == "claude-env-model"
    assert fake.calls[0].headers["authorization"] == "Bearer sk-env-key"
    assert outcome.diff == ["90-day plan: action 'Prepare executive briefing materials' marked done"]
    offline = await revise_plan(
        db, plan.plan_id, "mark action 1 done", actor="csm@example.com", surface="api", offline=True
    )
    assert offline.diff == ["90-day plan: action 'Request intro to CTO from Sarah' marked done"]
    assert len(fake.calls) == 2
