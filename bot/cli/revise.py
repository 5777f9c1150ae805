"""`accountplan revise PLAN "message"`: change a plan in plain language from the terminal.

Claude does it when ANTHROPIC_API_KEY is set (the same revision agent as Slack); otherwise the
intent parser ("drop the expansion objective", "push the Q1 QBR to early March", ...).
Exit codes: 0 changed, submitted or answered; 1 nothing changed; 5 refused by policy (a decision
such as "approve" was asked for).
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import click

from bot.cli.common import agent_deps, async_command, resolve_plan
from storage.plan_document import part_title

if TYPE_CHECKING:
    from agent.revise import RevisionOutcome
    from storage.plan_document import AccountPlanDocument


@click.command("revise")
@click.argument("plan")
@click.argument("message")
@click.option("--fy", "fiscal_year", help="Fiscal year when PLAN names a customer (FY2026).")
@click.option("--as", "actor", default="cli", show_default=True, help="Your email (recorded as the author).")
@click.option("--offline", is_flag=True, help="Understand the request without a model even when a key is set.")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@async_command
async def revise_command(
    plan: str, message: str, fiscal_year: str | None, actor: str, offline: bool, output: str
) -> None:
    """Revise PLAN (a plan id, or a customer with --fy) as MESSAGE asks; prints the reply and diff."""
    from agent.revise import revise_plan

    async with agent_deps(offline=offline) as deps:
        async with deps.database.session() as session:
            plan_id = (await resolve_plan(session, plan, fiscal_year)).id
        outcome = await revise_plan(deps, plan_id, message, actor=actor, surface="cli", offline=offline)
    _print(outcome, output)
    sys.exit(exit_code(outcome))


def exit_code(outcome: RevisionOutcome) -> int:
    """0 when the request did something (a change, a submission, answers), 5 when a decision was
    refused by policy and nothing else happened, 1 when nothing changed."""
    if outcome.changed or outcome.submitted or outcome.answered:
        return 0
    return 5 if outcome.refused else 1


def _print(outcome: RevisionOutcome, output: str) -> None:
    if output == "json":
        click.echo(
            json.dumps(
                {
                    "reply": outcome.reply,
                    "diff": outcome.diff,
                    "changed": outcome.changed,
                    "submitted": outcome.submitted,
                    "version": outcome.document.version,
                    "status": outcome.document.status,
                    "usage": outcome.usage,
                    "refused": outcome.refused,
                },
                indent=2,
            )
        )
        return
    title = f"{outcome.document.customer_name} {outcome.document.fiscal_year}"
    # Always say which plan: the offline reply names it; a model's reply may not.
    click.echo(outcome.reply if title in outcome.reply else f"{title}: {outcome.reply}")
    for line in outcome.diff:
        click.echo(f"  - {line}")
    if outcome.changed and f"version {outcome.document.version}" not in outcome.reply:
        click.echo(f"saved as version {outcome.document.version} ({outcome.document.status})")


TOKEN_KEYS = (
    "calls",
    "input_tokens",
    "cache_read_input_tokens",
    "cache_creation_input_tokens",
    "output_tokens",
)


def usage_report(document: AccountPlanDocument) -> dict[str, Any]:
    """Model usage for one plan: its generation, each revision, and the total (`plans show --usage`)."""
    context = document.generation_context
    generation = dict(context.get("usage") or {})
    revisions = list(context.get("revisions") or [])
    total = {
        key: int(generation.get(key, 0)) + sum(int(r.get(key, 0)) for r in revisions) for key in TOKEN_KEYS
    }
    return {
        "plan_id": document.plan_id,
        "version": document.version,
        "drafter": context.get("drafter", "unknown"),
        "generation": generation,
        "fallbacks": dict(context.get("fallbacks") or {}),
        "revisions": revisions,
        "total": total,
    }


def _tokens(usage: dict[str, Any]) -> str:
    return (
        f"{usage.get('calls', 0)} calls, {usage.get('input_tokens', 0):,} in + "
        f"{usage.get('cache_read_input_tokens', 0):,} cache-read + {usage.get('cache_creation_input_tokens', 0):,} "
        f"cache-write, {usage.get('output_tokens', 0):,} out"
    )


def usage_lines(report: dict[str, Any]) -> list[str]:
    generation = report["generation"]
    lines = [f"plan {report['plan_id']} v{report['version']}, drafted by {report['drafter']}"]
    if generation:
        lines.append(
            f"generation: {generation.get('model', '?')}, {_tokens(generation)}, "
            f"{generation.get('wall_ms', generation.get('latency_ms', 0)):,.0f} ms"
        )
    else:
        lines.append("generation: no model calls (offline drafter)")
    for section, reason in sorted(report["fallbacks"].items()):
        lines.append(f"  {part_title(section)} drafted from your data instead: {reason}")
    for revision in report["revisions"]:
        lines.append(
            f"revision v{revision.get('version')} ({revision.get('surface', '?')}, {revision.get('at', '')}): "
            f"{revision.get('model', '?')}, {_tokens(revision)}, {revision.get('wall_ms', 0):,.0f} ms"
        )
    lines.append(f"total: {_tokens(report['total'])}")
    return lines


def register(cli: click.Group) -> None:
    cli.add_command(revise_command)
