"""Slack's Block Kit and Web API limits we design around (https://docs.slack.dev/reference/block-kit)."""

from __future__ import annotations

MAX_BLOCKS_PER_MESSAGE = 50
MAX_BLOCKS_PER_MODAL = 100
MAX_BLOCKS_PER_HOME = 100
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_TEXT = 2000
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_OPTION_TEXT = 75
MAX_OPTIONS = 100
MAX_MODAL_TITLE = 24
MAX_MODAL_SUBMIT = 24
MAX_INPUT_TEXT = 3000
MAX_MESSAGE_TEXT = 4000  # the `text` fallback; Slack truncates longer notifications
