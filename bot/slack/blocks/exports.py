"""The reply to Export: what was exported and where, with the canvas one click away."""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, SectionBlock

from bot.slack.blocks.text import mrkdwn, plain
from bot.slack.limits import MAX_BUTTON_TEXT

OPEN_CANVAS = "export_open_canvas"


def export_done_blocks(text: str, canvas_link: str | None) -> list[Block]:
    blocks: list[Block] = [SectionBlock(text=mrkdwn(text))]
    if canvas_link:
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text=plain("Open canvas", MAX_BUTTON_TEXT), action_id=OPEN_CANVAS, url=canvas_link, style="primary"
                    )
                ]
            )
        )
    return blocks
