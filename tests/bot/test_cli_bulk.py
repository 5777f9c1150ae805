"""`accountplan generate --all`, `runs list|show` and `plans list --format json` from the terminal:
usage errors in one line, JSON keys, a run in worker processes, resume."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli import cli

WIDE = {"COLUMNS": "200"}
AS_OF = "2026-02-02"
ACCOUNTS = 10


def run(*args: str) -> Result:
    return CliRunner(env=WIDE).invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def seeded() -> None:
    result = run("seed", "--accounts", str(ACCOUNTS), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("generate", "TechCorp", "--all"), "give CUSTOMER or --all, not both"),
        (("generate", "TechCorp", "--csm", "a@b.c"), "--csm only goes with --all"),
        (("generate", "--resume", "run-1", "--segment", "smb"), "--resume keeps the run's own scope"),
        (("generate", "--all", "--sections", "risk_mitigation"), "are for one CUSTOMER"),
    ],
)
def test_bulk_usage_errors_are_one_line(seeded: None, args: tuple[str, ...], message: str) -> None:
    result = CliRunner(env=WIDE).invoke(cli, list(args))
    assert result.exit_code == 2
    assert message in result.output  # main() prints it on one line (test_cli_startup)


def test_generate_all_in_a_worker_process_then_runs_and_plans_as_json(seeded: None) -> None:
    result = run("generate", "--all", "--offline", "--workers", "1", "--as-of", AS_OF, "--format", "json")

    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert {"run_id", "state", "drafted", "skipped", "failed", "total"} <= set(summary)
    assert (summary["state"], summary["drafted"], summary["total"]) == ("finished", ACCOUNTS, ACCOUNTS)
    assert "progress:" in result.stderr  # plain lines: stderr is not a terminal here
    run_id = summary["run_id"]

    listed = json.loads(run("runs", "list", "--format", "json").stdout)
    assert [(r["run_id"], r["drafted"], r["failed"]) for r in listed] == [(run_id, ACCOUNTS, 0)]
    shown = json.loads(run("runs", "show", run_id, "--format", "json").stdout)
    assert shown["state"] == "finished" and len(shown["items"]) == ACCOUNTS
    assert {i["state"] for i in shown["items"]} == {"drafted"}
    plans = json.loads(run("plans", "list", "--format", "json").stdout)
    assert len(plans) == ACCOUNTS
    assert set(plans[0]) == {"plan_id", "customer_id", "fiscal_year", "version", "status"}
    assert {p["version"] for p in plans} == {1}

    text = run("runs", "show", run_id)
    assert f"run {run_id} (offline, started from the command line): finished" in text.stdout
    assert "started 20" in text.stdout and "by this command" not in text.stdout  # as stored, not as run
    again = run("generate", "--resume", run_id)
    assert again.exit_code == 0 and "finished" in again.stdout  # nothing left: nothing drafted twice
    assert {p["version"] for p in json.loads(run("plans", "list", "--format", "json").stdout)} == {1}


def test_unknown_run_and_empty_lists_say_what_to_do(seeded: None) -> None:
    missing = CliRunner().invoke(cli, ["runs", "show", "run-000000000000"])
    assert missing.exit_code == 2 and "runs list" in missing.output
    assert "generate --all" in run("runs", "list").stdout
    assert json.loads(run("runs", "list", "--format", "json").stdout) == []
    nobody = run("plans", "list", "--csm", "nobody@example.com")
    assert "no plans for CSM nobody@example.com" in nobody.stdout


def test_two_processes_executing_one_run_draft_each_account_once(seeded: None, tmp_path: Path) -> None:
    """Two `generate --resume RUN` processes (two replicas) with two workers each, on one run."""
    from tests.bot.bulk_helpers import create_run

    run_id = create_run(AS_OF)
    env = {**os.environ, **WIDE}
    command = [sys.executable, "-c", "from bot.cli import main; main()", "generate", "--resume", run_id]
    processes = [
        subprocess.Popen(
            [*command, "--workers", "2"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    for process in processes:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err.decode()
    plans = json.loads(run("plans", "list", "--format", "json").stdout)
    assert len(plans) == ACCOUNTS and {p["version"] for p in plans} == {1}
    shown = json.loads(run("runs", "show", run_id, "--format", "json").stdout)
    assert (shown["state"], shown["drafted"]) == ("finished", ACCOUNTS)


async def test_generate_all_batch_drafts_through_message_batches(seeded: None) -> None:
    """`generate --all --batch` from the terminal: every plan through the fake Message Batches API,
    the batch id stored on the run, cost at batch prices; without a key it says what to set."""
    import asyncio

    from tests.agent.test_claude_generate import draft_echo
    from tests.fakes.anthropic_api import FakeAnthropic

    command = [sys.executable, "-c", "from bot.cli import main; main()", "generate", "--all", "--batch"]
    command += ["--as-of", AS_OF, "--format", "json"]
    async with FakeAnthropic(draft_echo) as fake:
        env = {
            **os.environ, **WIDE, "ANTHROPIC_API_KEY": "sk-test", "ANTHROPIC_BASE_URL": fake.url,
            "ANTHROPIC_MAX_RETRIES": "0", "ANTHROPIC_BATCH_POLL_SECONDS": "0.01",
        }  # fmt: skip
        process = await asyncio.create_subprocess_exec(
            *command, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        out, err = await asyncio.wait_for(process.communicate(), timeout=300)
    assert process.returncode == 0, err.decode()
    summary = json.loads(out)
    assert (summary["state"], summary["drafted"], summary["failed"]) == ("finished", ACCOUNTS, 0)
    # A subprocess too: this test's event loop is running, and the CLI runs its own.
    show = [sys.executable, "-c", "from bot.cli import main; main()", "runs", "show", summary["run_id"]]
    listing = await asyncio.create_subprocess_exec(*show, "--format", "json", env=env, stdout=asyncio.subprocess.PIPE)
    shown = json.loads((await asyncio.wait_for(listing.communicate(), timeout=120))[0])
    assert shown["mode"] == "batch" and shown["batch_ids"], shown
    assert shown["usage"]["cost_usd"] > 0

    keyless = {**os.environ, **WIDE}
    keyless.pop("ANTHROPIC_API_KEY", None)
    refused = await asyncio.create_subprocess_exec(*command, env=keyless, stderr=asyncio.subprocess.PIPE)
    _, refusal = await asyncio.wait_for(refused.communicate(), timeout=120)
    assert refused.returncode == 2
    assert refusal.decode().strip().splitlines() == [
        "error: --batch needs Claude: set ANTHROPIC_API_KEY (or drop --batch to draft offline)"
    ]
