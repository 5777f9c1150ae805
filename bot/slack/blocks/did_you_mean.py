"""The "Did you mean ...?" answer to a customer name nobody matched: a button per suggestion."""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, SectionBlock

from bot.slack import ids
from bot.slack.blocks.text import escape, mrkdwn, plain
from bot.slack.limits import MAX_BUTTON_TEXT
from storage.errors import UnknownCustomer

DID_YOU_MEAN_BLOCK = "did_you_mean"


def did_you_mean_blocks(
    error: UnknownCustomer, choices: list[tuple[str, str]], fiscal_year: str | None = None
) -> list[Block]:
    """`choices`: (customer id, name). Buttons carry the customer id only; the fiscal year asked
    for rides in the block id."""
    blocks: list[Block] = [
        SectionBlock(text=mrkdwn(f"I could not find a customer named *{escape(error.query)}*. Did you mean:"))
    ]
    if choices:
        blocks.append(
            ActionsBlock(
                block_id=f"{DID_YOU_MEAN_BLOCK}:{fiscal_year or ''}",
                elements=[
                    ButtonElement(
                        text=plain(name, MAX_BUTTON_TEXT), action_id=f"{ids.PICK_CUSTOMER}_{i}", value=cid
                    )
                    for i, (cid, name) in enumerate(choices)
                ],
            )
        )
    else:
        blocks = [SectionBlock(text=mrkdwn(f"I could not find a customer named *{escape(error.query)}*."))]
    return blocks
