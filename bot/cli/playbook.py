"""`accountplan playbook check [PATH]`: validate the CS playbook the offline drafter follows."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.common import run_command_errors


@click.group("playbook")
def playbook_group() -> None:
    """The CS playbook: mitigations, owners and first actions per risk, coverage per segment."""


@playbook_group.command("check")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def check_command(path: Path | None) -> None:
    """Validate PATH (default: ACCOUNTPLAN_PLAYBOOK, else the packaged playbook.yml); a problem is
    one line naming the file and line, exit code 2."""
    from agent.drafter.playbook import DEFAULT_PLAYBOOK, load_playbook
    from storage.settings import get_settings

    target = path or get_settings().playbook_path or DEFAULT_PLAYBOOK
    with run_command_errors():
        playbook = load_playbook(target)
    click.echo(
        f"{target}: valid: {len(playbook.risks)} risk plays "
        f"({', '.join(sorted(playbook.risks))}), {len(playbook.segments)} segments"
    )


def register(cli: click.Group) -> None:
    cli.add_command(playbook_group)
