"""A bulk run created (not executed) in the configured database, for CLI tests that execute it."""

from __future__ import annotations

import asyncio
from datetime import date

from agent.bulk import RunScope, start_run
from agent.deps import AgentDeps
from storage.db import database_from_settings
from storage.settings import Settings


def create_run(as_of: str) -> str:
    async def create() -> str:
        settings = Settings()
        database = database_from_settings(settings)
        try:
            deps = AgentDeps(settings=settings, database=database)
            scope = RunScope(offline=True, as_of=date.fromisoformat(as_of))
            return (await start_run(deps, scope, author="cli", surface="cli")).run_id
        finally:
            await database.dispose()

    return asyncio.run(create())
