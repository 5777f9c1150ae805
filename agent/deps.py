"""What the agent is handed by its caller: settings, the database, the Claude client (or None) and a
clock, in one object.

The entry point (a CLI command, `accountplan serve`, a bench, a test) builds it once per process,
inside the event loop that will use it, and passes it down to `generate_plan`, `revise_plan` and
the scheduled jobs; nothing below `bot/` reads settings or a client from a global. Tests swap a part
(a fixed clock, a client pointed at the fake Anthropic API) by constructing it, never by patching.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from storage.db import Database
from storage.settings import Settings

if TYPE_CHECKING:
    from agent.claude.client import ClaudeClient
    from agent.drafter.playbook import Playbook

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class AgentDeps:
    settings: Settings
    database: Database
    # None: the offline drafter and the offline revision grammar do the work.
    claude: ClaudeClient | None = None
    clock: Clock = utc_now

    @classmethod
    def create(
        cls, settings: Settings, database: Database, *, clock: Clock = utc_now, offline: bool = False
    ) -> AgentDeps:
        """Deps for this process: a Claude client when a key is configured (and not `offline`).
        Call it inside the running event loop: the client's connection pool belongs to that loop."""
        from agent.drafter.playbook import load_playbook

        load_playbook(settings.playbook_path)  # an invalid playbook stops the process here, by file and line
        claude = None
        if settings.claude_enabled and not offline:
            from agent.claude.client import ClaudeClient  # the SDK loads only when Claude is on

            claude = ClaudeClient.from_settings(settings)
        return cls(settings=settings, database=database, claude=claude, clock=clock)

    def today(self) -> date:
        """Today's date in the configured timezone (what "as of" means when nobody says)."""
        now = self.clock()
        if now.tzinfo is None:  # a naive test clock is taken as local to the team
            return now.date()
        return now.astimezone(ZoneInfo(self.settings.timezone)).date()

    @property
    def playbook(self) -> Playbook:
        """The CS playbook the offline drafter follows (parsed once per file version)."""
        from agent.drafter.playbook import load_playbook

        return load_playbook(self.settings.playbook_path)

    @property
    def fiscal_year_start_month(self) -> int:
        return self.settings.fiscal_year_start_month

    async def close(self) -> None:
        """Close the Claude client (the database belongs to whoever opened it)."""
        if self.claude is not None:
            await self.claude.close()
