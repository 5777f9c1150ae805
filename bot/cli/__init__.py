"""`accountplan`: the terminal entry point. Each command group lives in its own module."""

from __future__ import annotations

import importlib
import logging

import click

from bot.cli.common import EXIT_CODES_HELP, run_command_errors

# Command modules, each exposing `register(cli)`. Order is the order in `--help`.
COMMAND_MODULES = [
    "bot.cli.db",
    "bot.cli.plans",
    "bot.cli.charts",
    "bot.cli.users",
    "bot.cli.review",
    "bot.cli.plan_check",
    "bot.cli.data",
    "bot.cli.customers",
    "bot.cli.serve",
    "bot.cli.revise",
    "bot.cli.stats",
    "bot.cli.playbook",
]


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=EXIT_CODES_HELP,
)
@click.option("-v", "--verbose", is_flag=True, help="Log debug details to stderr.")
def cli(verbose: bool) -> None:
    """accountplan: AI account plans for Customer Success teams.

    With no configuration it uses a SQLite file in the data folder (ACCOUNTPLAN_DATA_DIR; by default
    the checkout's data/) and the deterministic offline drafter.
    Set ANTHROPIC_API_KEY for Claude, SLACK_* for the bot, DATABASE_URL for PostgreSQL.
    """
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


for _module in COMMAND_MODULES:
    importlib.import_module(_module).register(cli)


def main() -> None:
    with run_command_errors():
        cli.main(standalone_mode=True)
