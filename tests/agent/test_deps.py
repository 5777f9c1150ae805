"""AgentDeps: what an entry point builds once and hands down."""

from __future__ import annotations

from datetime import UTC, date, datetime

from agent.deps import AgentDeps
from storage.db import Database
from storage.settings import Settings


async def test_today_is_the_clocks_date_in_the_teams_timezone(db: Database) -> None:
    late_utc = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)  # already 2 March in Auckland
    utc = AgentDeps(settings=Settings(), database=db, clock=lambda: late_utc)
    auckland = AgentDeps(
        settings=Settings(ACCOUNTPLAN_TIMEZONE="Pacific/Auckland"), database=db, clock=lambda: late_utc
    )
    assert utc.today() == date(2026, 3, 1) and auckland.today() == date(2026, 3, 2)


async def test_a_claude_client_only_with_a_key_and_not_offline(db: Database) -> None:
    assert AgentDeps.create(Settings(), db).claude is None
    keyed = Settings(ANTHROPIC_API_KEY="sk-test", ANTHROPIC_MODEL="claude-test")
    assert AgentDeps.create(keyed, db, offline=True).claude is None
    deps = AgentDeps.create(keyed, db)
    try:
        assert deps.claude is not None and deps.claude.model == "claude-test"
    finally:
        await deps.close()
