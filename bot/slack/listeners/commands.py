"""`/accountplan`: no text opens the generator; `CUSTOMER [FY2026]` drafts directly; `list`,
`show CUSTOMER`, `help`; other features add subcommands with `register_subcommand`."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks.did_you_mean import did_you_mean_blocks, question_text
from bot.slack.blocks.generator_modal import generator_modal_payload
from bot.slack.blocks.plan_summary import status_label, who
from bot.slack.blocks.symbols import legend_lines, standing_chip
from bot.slack.blocks.text import escape
from bot.slack.blocks.words import day
from bot.slack.deps import SlackDeps
from bot.slack.drafting import (
    DraftTarget,
    card_message,
    default_fiscal_year,
    draft_plan_in_slack,
    fiscal_year_choices,
    split_customer_and_year,
)
from bot.slack.gate import ANYONE, MEMBER, Gate, Interaction, Subject
from bot.slack.listeners.registry import (
    ANY_TEXT,
    NO_TEXT,
    SUBCOMMANDS,
    on_command,
    register_subcommand,
)
from bot.slack.services.access import customer_named, plan_id_named
from bot.slack.services.book import CustomerChoice, plans_for
from storage.errors import BadInput, UnknownCustomer

COMMAND = "/accountplan"


def help_text() -> str:
    lines = ["*/accountplan* drafts and maintains account plans."]
    lines += [f"• `{f'{COMMAND} {sub.usage}'.strip()}` {sub.help}" for sub in SUBCOMMANDS.values()]
    lines.append("Reply in a plan's thread, DM me, or @mention me to change a plan in plain words.")
    lines += ["", "*What the symbols mean*", *legend_lines()]
    return "\n".join(lines)


async def open_generator(deps: SlackDeps, client: AsyncWebClient, trigger_id: str, channel_id: str) -> None:
    await client.views_open(
        trigger_id=trigger_id,
        view=generator_modal_payload(
            fiscal_year_choices(deps), default_fiscal_year(deps), channel_id=channel_id
        ),
    )


# Subjects: what the text after the subcommand names.


async def customer_in_text(it: Interaction) -> Subject:
    """`CUSTOMER [FY2026]`: the customer, or the name nobody matched (answered with "Did you mean")."""
    name, _fiscal_year = split_customer_and_year(it.text)
    try:
        customer_id, customer_name, book = await customer_named(it.deps.database, name, it.actor)
    except UnknownCustomer as error:
        return Subject(unknown=error)
    return Subject(customer_id=customer_id, name=customer_name, ownership=book)


async def plan_in_text(it: Interaction) -> Subject:
    """`show CUSTOMER [FY2026]`: that customer's plan for the year (their newest without one)."""
    name, fiscal_year = split_customer_and_year(it.text)
    if not name:
        raise BadInput(f"say which customer: `{COMMAND} show CUSTOMER [FY2026]`")
    return Subject(plan_id=await plan_id_named(it.deps.database, name, fiscal_year, it.actor))


# Handlers: parse, call, render (the registry has acknowledged and opened the gate).


async def generator(it: Interaction) -> None:
    await open_generator(it.deps, it.client, it.body["trigger_id"], it.body["channel_id"])


async def show_help(it: Interaction) -> None:
    assert it.respond is not None
    await it.respond(text=help_text())


async def list_plans(it: Interaction) -> None:
    assert it.respond is not None
    rows = await plans_for(it.deps.database, it.actor, it.deps.today())
    if not rows:
        await it.respond(text=f"No plans yet. Draft one with `{COMMAND} CUSTOMER`.")
        return
    today = it.deps.today()
    lines = [
        f"{standing_chip(r.risk_level)} · *{escape(r.customer_name)} {escape(r.fiscal_year)}* · "
        f"{status_label(r.status)} v{r.version}"
        + (f" · {who(r.csm)}" if it.actor.role != "csm" and r.csm else "")
        + (f" · renews {day(r.renewal_date, today=today)}" if r.renewal_date else "")
        for r in rows
    ]
    heading = "Your plans" if it.actor.role == "csm" else "Plans in your team" if it.actor.role == "manager" else "Plans"
    await it.respond(text=f"{heading}, most urgent first:\n" + "\n".join(lines))


async def show_plan(it: Interaction) -> None:
    assert it.respond is not None and it.subject.plan_id is not None
    text, blocks = await card_message(it.deps, it.subject.plan_id, with_progress=True)
    await it.respond(text=text, blocks=blocks)


async def draft_named(it: Interaction) -> None:
    assert it.respond is not None
    _name, fiscal_year = split_customer_and_year(it.text)
    unknown = it.subject.unknown
    if unknown is not None:  # several customers fit, or none: ask (buttons for the choices), never guess
        await it.respond(
            text=question_text(unknown),
            blocks=did_you_mean_blocks(unknown, unknown.choices, fiscal_year),
        )
        return
    assert it.subject.customer_id is not None and it.subject.name is not None
    await draft_plan_in_slack(
        it.deps,
        it.client,
        DraftTarget(channel=it.body["channel_id"], user_id=it.user_id),
        customer=CustomerChoice(it.subject.customer_id, it.subject.name),
        fiscal_year=fiscal_year or default_fiscal_year(it.deps),
        actor=it.actor,
    )


def register(app: AsyncApp) -> None:
    # In the order `help` lists them; features append theirs (queue, stats) from their modules.
    register_subcommand(NO_TEXT, generator, usage="", help="opens the plan generator", gate=MEMBER)
    register_subcommand(
        ANY_TEXT,
        draft_named,
        usage="CUSTOMER [FY2026]",
        help="drafts a plan right here",
        gate=Gate("generate", customer_in_text),
        admits_itself=True,
    )
    register_subcommand("list", list_plans, usage="list", help="shows your plans", gate=MEMBER)
    register_subcommand(
        "show",
        show_plan,
        usage="show CUSTOMER [FY2026]",
        help="shows a plan",
        gate=Gate("view", plan_in_text),
    )
    register_subcommand("help", show_help, usage="help", help="shows this", gate=ANYONE)
    on_command(app, COMMAND)
