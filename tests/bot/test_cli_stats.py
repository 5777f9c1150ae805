"""`accountplan stats` in the terminal: the report, JSON with the counts, the chart file."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path

from click.testing import CliRunner, Result

from bot.cli import cli
from storage.db import Database, database_from_settings
from storage.settings import Settings
from tests.tools.living.living_data import add_approved_plan, add_customer, plan_document


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def in_database(work: Callable[[Database], Awaitable[None]]) -> None:
    async def go() -> None:
        database = database_from_settings(Settings())
        try:
            await database.ensure_schema()
            await work(database)
        finally:
            await database.dispose()

    asyncio.run(go())


async def _book(database: Database) -> None:
    await add_customer(database, "c1", "Acme", csm="ana@example.com", outcome="renewed", arr_change=5000)
    await add_customer(database, "c2", "Globex", csm="bo@example.com", outcome="churned", arr_change=-9000)
    await add_approved_plan(database, plan_document("c1", "Acme"))


def test_stats_report_json_and_chart(tmp_path: Path) -> None:
    in_database(_book)
    text = run("stats", "--as-of", "2026-01-15")
    assert text.exit_code == 0
    assert "Plan coverage:          50% (1/2) (below the 70% target)" in text.output
    assert "ana@example.com" in text.output and "bo@example.com" in text.output

    data = json.loads(run("stats", "--as-of", "2026-01-15", "--format", "json").output)
    assert data["coverage"] == {"hits": 1, "total": 2, "rate": 0.5}
    assert data["with_plan"]["renewal"] == {"hits": 1, "total": 1, "rate": 1.0}
    assert data["without_plan"]["renewal"]["rate"] == 0.0
    assert data["overdue_by_csm"] == {"ana@example.com": 2}

    chart = tmp_path / "out" / "stats.png"
    refused = run("stats", "--csm", "ana@example.com", "--chart", str(chart))
    assert refused.exit_code == 2 and refused.stderr.strip().endswith(f"the folder {chart.parent} does not exist")
    chart.parent.mkdir()
    assert run("stats", "--csm", "ana@example.com", "--chart", str(chart)).exit_code == 0
    assert chart.read_bytes().startswith(b"\x89PNG")


def test_bad_as_of_is_one_clear_line() -> None:
    result = CliRunner().invoke(cli, ["stats", "--as-of", "15/01/2026"])
    assert result.exit_code == 2
    assert "--as-of must be a date like 2026-03-31" in result.output
