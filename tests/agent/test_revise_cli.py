"""`accountplan revise` from the terminal, and Claude configured through the environment."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from agent.deps import AgentDeps
from agent.revise import revise_plan
from bot.cli import cli
from storage.db import Database
from storage.settings import Settings, get_settings
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
        "TechCorp Industries FY2026, saved as version 2: Objective 2 is now Critical (was High).",
        "  - Objective 2 is now Critical (was High)",
    ]
    by_customer = CliRunner().invoke(cli, ["revise", "TechCorp", "fly to the moon", "--fy", "FY2026"])
    assert by_customer.exit_code == 1 and "You could say" in by_customer.output
    assert "offline" not in by_customer.output.lower()


def test_revise_exit_codes_say_what_happened(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = run_in_fresh_loop(seed_plan(db))
    monkeypatch.setenv("DATABASE_URL", db.url)
    get_settings.cache_clear()

    def revise(message: str, *extra: str):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(cli, ["revise", plan.plan_id, message, "--as", "csm@example.com", *extra])

    assert revise("make objective 1 critical").exit_code == 1  # it already is: nothing changed
    refused = revise("approve the plan")
    assert refused.exit_code == 5 and "a manager decides" in refused.output
    assert revise("remove objective 9").exit_code == 1
    assert revise("when is the renewal?").exit_code == 0
    as_json = revise("approve it and activate it", "--format", "json")
    assert as_json.exit_code == 5 and '"refused": true' in as_json.output
    assert revise("make objective 1 high and approve the plan").exit_code == 0  # the change was saved


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
        # What an entry point does: settings from the environment, deps (and client) built once.
        deps = AgentDeps.create(Settings(), db)
        try:
            outcome = await revise_plan(
                deps, plan.plan_id, "briefing is prepared", actor="csm@example.com", surface="api"
            )
            offline = await revise_plan(
                deps, plan.plan_id, "mark action 1 done", actor="csm@example.com", surface="api", offline=True
            )
        finally:
            await deps.close()
    assert fake.calls[0].body["model"] == "claude-env-model"
    assert fake.calls[0].headers["authorization"] == "Bearer sk-env-key"
    assert outcome.diff == ["Action 'Prepare executive briefing materials' marked done"]
    assert offline.diff == ["Action 'Request intro to CTO from Sarah' marked done"]
    assert len(fake.calls) == 2


def test_plans_show_usage_reports_tokens_per_plan_and_revision(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    generation = {
        "model": "claude-sonnet-4-5",
        "calls": 7,
        "input_tokens": 900,
        "cache_read_input_tokens": 24000,
        "cache_creation_input_tokens": 4000,
        "output_tokens": 5000,
        "wall_ms": 21000.0,
    }
    revision = {
        "model": "claude-sonnet-4-5",
        "calls": 2,
        "input_tokens": 3000,
        "cache_read_input_tokens": 500,
        "cache_creation_input_tokens": 0,
        "output_tokens": 120,
        "wall_ms": 2400.0,
        "version": 2,
        "surface": "slack",
        "at": "2026-01-05T10:00:00+00:00",
    }
    context = {
        "drafter": "claude",
        "usage": generation,
        "fallbacks": {"benchmark_comparison": "Claude is overloaded"},
        "revisions": [revision],
    }
    run_in_fresh_loop(seed_plan(db, generation_context=context))
    monkeypatch.setenv("DATABASE_URL", db.url)
    get_settings.cache_clear()
    result = CliRunner().invoke(cli, ["plans", "show", "TechCorp", "--usage"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1] == (
        "generation: claude-sonnet-4-5, 7 calls, 900 in + 24,000 cache-read + 4,000 cache-write, 5,000 out, 21,000 ms"
    )
    assert lines[2] == "  Benchmark comparison drafted from your data instead: Claude is overloaded"
    assert lines[3].startswith("revision v2 (slack, 2026-01-05T10:00:00+00:00): claude-sonnet-4-5, 2 calls")
    assert lines[4] == "total: 9 calls, 3,900 in + 24,500 cache-read + 4,000 cache-write, 5,120 out"
    as_json = CliRunner().invoke(cli, ["plans", "show", "TechCorp", "--usage", "--format", "json"])
    assert '"calls": 9' in as_json.output
