"""The CLI starts without loading the heavy stacks it does not need (matplotlib, numpy, alembic, the
Anthropic SDK, Bolt, aiohttp). Checked on `sys.modules` in a fresh interpreter, which is
deterministic; the timings themselves are measured by `python -m bench cli`, never asserted here."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from bot.cli import COMMAND_MODULES, cli

HEAVY = ("matplotlib", "numpy", "alembic", "anthropic", "slack_bolt", "slack_sdk", "aiohttp")


def loaded_after(code: str) -> dict[str, bool]:
    """Run `code` in a fresh interpreter; which of HEAVY (and a few of ours) it left in sys.modules."""
    probe = (
        f"{code}\nimport json, sys\n"
        f"print(json.dumps({{m: m in sys.modules for m in {[*HEAVY, 'sqlalchemy', 'agent.generate']!r}}}))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_the_cli_loads_none_of_the_heavy_libraries() -> None:
    loaded = loaded_after("import bot.cli")
    assert [name for name in HEAVY if loaded[name]] == []
    assert not loaded["sqlalchemy"], "the database stack loads when a command needs it, not on import"


def test_help_loads_no_heavy_library() -> None:
    loaded = loaded_after(
        "from click.testing import CliRunner\nfrom bot.cli import cli\n"
        "result = CliRunner().invoke(cli, ['--help'])\nassert result.exit_code == 0, result.output\n"
        "assert 'customers' in result.output and 'generate' in result.output"
    )
    assert [name for name in HEAVY if loaded[name]] == []
    assert not loaded["sqlalchemy"]


def test_customers_list_on_a_migrated_database_loads_neither_alembic_nor_the_generator() -> None:
    run_list = (
        "from click.testing import CliRunner\nfrom bot.cli import cli\n"
        "result = CliRunner().invoke(cli, ['customers', 'list'], catch_exceptions=False)\n"
        "assert result.exit_code == 0, result.output\n"
    )
    first = loaded_after(run_list)  # creates and migrates the database: alembic is needed here
    assert first["alembic"]
    again = loaded_after(run_list)  # schema current: one cheap query, no alembic
    assert [name for name in HEAVY if again[name]] == []
    assert not again["agent.generate"]


def test_an_offline_drafting_worker_loads_neither_the_anthropic_sdk_nor_aiohttp() -> None:
    """Each worker process of `generate --all --offline` imports its entry point at start; the SDK
    (~1 s of imports) loads only when a run uses Claude."""
    loaded = loaded_after("import agent.bulk.workers, agent.bulk")
    assert not loaded["anthropic"] and not loaded["aiohttp"]
    assert loaded["agent.generate"]


def test_the_command_map_names_exactly_what_each_module_registers() -> None:
    registered: dict[str, str] = {}
    for module in sorted(set(COMMAND_MODULES.values())):
        group = click.Group()
        importlib.import_module(module).register(group)
        registered.update(dict.fromkeys(group.commands, module))
    assert registered == COMMAND_MODULES


def test_every_command_has_its_help(tmp_path: Path) -> None:
    from click.testing import CliRunner

    for name in cli.list_commands(click.Context(cli)):
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert "Usage: " in result.output


@pytest.mark.parametrize("command", ["nonsense", "custmers"])
def test_an_unknown_command_is_a_usage_error(command: str) -> None:
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, [command])
    assert result.exit_code == 2
    assert f"No such command '{command}'" in result.output


def run_main(*args: str) -> subprocess.CompletedProcess[str]:
    """The console script's entry point in its own process (it ends with `os._exit`)."""
    return subprocess.run(
        [sys.executable, "-c", "from bot.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_entry_point_flushes_its_output_and_keeps_every_exit_code() -> None:
    """`main` skips interpreter teardown; what a command printed and its exit code must survive."""
    helped = run_main("--help")
    assert helped.returncode == 0 and "customers" in helped.stdout and "Exit codes" in helped.stdout
    usage = run_main("no-such-command")
    assert usage.returncode == 2 and "No such command 'no-such-command'" in usage.stderr
    unknown = run_main("customers", "show", "Nobody Anywhere Inc")  # creates and migrates the database
    assert unknown.returncode == 2
    assert unknown.stderr.strip().splitlines()[-1] == "error: no customer 'Nobody Anywhere Inc'"
    listed = run_main("customers", "list")
    assert listed.returncode == 0 and listed.stdout.strip()  # no customers yet: says how to add some


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("generate",), "error: Missing argument 'CUSTOMER' (or --all for every account). (see `accountplan generate --help`)"),
        (("generate", "TechCorp", "--all"), "error: give CUSTOMER or --all, not both (see `accountplan generate --help`)"),
        (("generate", "TechCorp", "--bogus"), "error: No such option '--bogus'. (see `accountplan generate --help`)"),
        (("no-such-command",), "error: No such command 'no-such-command'. (see `accountplan --help`)"),
    ],
)
def test_usage_errors_are_one_line_with_where_to_look(args: tuple[str, ...], message: str) -> None:
    result = run_main(*args)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [message]

