"""'Did you mean ...?' / 'Which customer do you mean?': the question asked instead of guessing, with one button per
customer. For a slash command or a draft request the button drafts that customer's plan; for a
chat request (an edit, "what changed since approval") it answers the same request about the
customer picked, so the button carries the request too."""

from __future__ import annotations

import json

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, SectionBlock

from bot.slack import ids
from bot.slack.blocks.text import escape, mrkdwn, plain
from bot.slack.limits import MAX_BUTTON_TEXT, MAX_BUTTON_VALUE
from storage.errors import UnknownCustomer

DID_YOU_MEAN_BLOCK = "did_you_mean"
WHICH_CUSTOMER_BLOCK = "which_customer"


def question_text(error: UnknownCustomer, *, in_message: bool = False) -> str:
    """The question in words (also the notification text). `in_message`: the customer was looked
    for in a whole chat message, which is not repeated back as if it were a name."""
    names = [escape(label) for _, label in error.choices]
    listed = (
        " or ".join(f"*{n}*" for n in names)
        if len(names) <= 2
        else (", ".join(f"*{n}*" for n in names[:-1]) + f" or *{names[-1]}*")
    )
    if in_message:
        return f"Which customer do you mean: {listed}?" if error.ambiguous else f"Did you mean {listed}?"
    if error.ambiguous:
        return f"Several customers match *{escape(error.query)}*. Did you mean {listed}?"
    if names:
        return f"I could not find a customer named *{escape(error.query)}*. Did you mean {listed}?"
    return f"I could not find a customer named *{escape(error.query)}*."


def _buttons(
    choices: list[tuple[str, str]], action_prefix: str, value_of: dict[str, str]
) -> list[ButtonElement]:
    return [
        ButtonElement(
            text=plain(label, MAX_BUTTON_TEXT), action_id=f"{action_prefix}_{i}", value=value_of[cid]
        )
        for i, (cid, label) in enumerate(choices)
    ]


def did_you_mean_blocks(
    error: UnknownCustomer, choices: list[tuple[str, str]], fiscal_year: str | None = None
) -> list[Block]:
    """`choices`: (customer id, label). Buttons carry the customer id only; the fiscal year asked
    for rides in the block id."""
    blocks: list[Block] = [SectionBlock(text=mrkdwn(_lead(error) if choices else question_text(error)))]
    if choices:
        blocks.append(
            ActionsBlock(
                block_id=f"{DID_YOU_MEAN_BLOCK}:{fiscal_year or ''}",
                elements=_buttons(choices, ids.PICK_CUSTOMER, {cid: cid for cid, _ in choices}),
            )
        )
    return blocks


def _lead(error: UnknownCustomer) -> str:
    if error.ambiguous:
        return f"Several customers match *{escape(error.query)}*. Which one do you mean?"
    return f"I could not find a customer named *{escape(error.query)}*. Did you mean:"


def request_value(customer_id: str, request: str) -> str:
    return json.dumps({"customer": customer_id, "request": request}, ensure_ascii=False)


def parse_request_value(value: str) -> tuple[str, str]:
    """(customer id, the request) from a which-customer button; ValueError when malformed."""
    data = json.loads(value)
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("customer"), str)
        or not isinstance(data.get("request"), str)
    ):
        raise ValueError("not a which-customer button value")
    return data["customer"], data["request"]


def which_customer_blocks(error: UnknownCustomer, request: str) -> list[Block]:
    """The question for a chat request; each button answers `request` about its customer. A request
    too long to carry in a button gets the question alone (the person names the customer again)."""
    values = {cid: request_value(cid, request) for cid, _ in error.choices}
    question = question_text(error, in_message=True)
    if not error.choices or any(len(v) > MAX_BUTTON_VALUE for v in values.values()):
        return [SectionBlock(text=mrkdwn(question + " Say it again with the customer's full name."))]
    return [
        SectionBlock(text=mrkdwn(question)),
        ActionsBlock(
            block_id=WHICH_CUSTOMER_BLOCK,
            elements=_buttons(error.choices, ids.PICK_CUSTOMER_FOR_REQUEST, values),
        ),
    ]
