"""The generator modal: customer type-ahead, fiscal year, sections, and a live context preview."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    ExternalDataSelectElement,
    InputBlock,
    Option,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.slack import ids
from bot.slack.blocks.progress import SECTION_LABELS
from bot.slack.blocks.text import context_line, escape, mrkdwn, plain
from bot.slack.limits import MAX_MODAL_SUBMIT, MAX_MODAL_TITLE, MAX_OPTION_TEXT, MAX_OPTIONS
from bot.slack.services.book import ContextPreview, CustomerChoice
from storage.plan_document import SECTIONS

PREVIEW_PLACEHOLDER = "Pick a customer to see what the plan will draw on."


def plural(count: int, word: str, plural_word: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural_word or word + 's'}"


def preview_text(preview: ContextPreview, estimate_seconds: float) -> str:
    """ "health 68, 5 contacts, 2 opportunities, 1 active risk, 12 similar accounts" + the estimate."""
    health = "health n/a" if preview.health_score is None else f"health {preview.health_score}"
    facts = ", ".join(
        [
            health,
            plural(preview.contacts, "contact"),
            plural(preview.opportunities, "opportunity", "opportunities"),
            plural(preview.active_risks, "active risk"),
            plural(preview.similar_accounts, "similar account"),
        ]
    )
    gaps = f"\n_Data gaps: {escape(', '.join(preview.data_gaps[:3]))}_" if preview.data_gaps else ""
    return f"*{escape(preview.customer_name)}*: {facts}\nEstimated time: about {estimate_seconds:.0f}s{gaps}"


def customer_option(choice: CustomerChoice) -> Option:
    label = choice.name if not choice.detail else f"{choice.name} · {choice.detail}"
    # Plain text: Slack does not parse it, so names need no escaping here.
    return Option(value=choice.customer_id, text=plain(label, MAX_OPTION_TEXT))


def customer_options(choices: list[CustomerChoice]) -> list[Option]:
    return [customer_option(choice) for choice in choices[:MAX_OPTIONS]]


def generator_modal(
    fiscal_years: list[str],
    default_fiscal_year: str,
    *,
    channel_id: str,
    customer: CustomerChoice | None = None,
    preview: str | None = None,
) -> View:
    """`channel_id` (where the plan is posted) travels in private_metadata."""
    year_options = [Option(value=fy, text=plain(fy, MAX_OPTION_TEXT)) for fy in fiscal_years]
    initial_year = next((o for o in year_options if o.value == default_fiscal_year), year_options[0])
    section_options = [Option(value=s, text=plain(SECTION_LABELS[s], MAX_OPTION_TEXT)) for s in SECTIONS]
    blocks: list[Block] = [
        InputBlock(
            block_id=ids.CUSTOMER_BLOCK,
            label=plain("Customer", MAX_OPTION_TEXT),
            dispatch_action=True,  # picking a customer refreshes the preview below
            element=ExternalDataSelectElement(
                action_id=ids.CUSTOMER_SELECT,
                placeholder=plain("Type a customer name", MAX_OPTION_TEXT),
                min_query_length=0,
                initial_option=customer_option(customer) if customer else None,
            ),
        ),
        InputBlock(
            block_id=ids.FISCAL_YEAR_BLOCK,
            label=plain("Fiscal year", MAX_OPTION_TEXT),
            element=StaticSelectElement(
                action_id=ids.FISCAL_YEAR_SELECT, options=year_options, initial_option=initial_year
            ),
        ),
        InputBlock(
            block_id=ids.SECTIONS_BLOCK,
            label=plain("Sections", MAX_OPTION_TEXT),
            element=CheckboxesElement(
                action_id=ids.SECTIONS_CHECKBOXES, options=section_options, initial_options=section_options
            ),
        ),
        SectionBlock(block_id=ids.PREVIEW_BLOCK, text=mrkdwn(preview or f"_{PREVIEW_PLACEHOLDER}_")),
        context_line(
            "The draft is posted in this channel; you review it before anyone else sees it as final."
        ),
    ]
    return View(
        type="modal",
        callback_id=ids.GENERATOR_VIEW,
        title=plain("New account plan", MAX_MODAL_TITLE),
        submit=plain("Draft plan", MAX_MODAL_SUBMIT),
        close=plain("Cancel", MAX_MODAL_SUBMIT),
        private_metadata=channel_id,
        blocks=blocks,
    )


@lru_cache(maxsize=8)
def _blank_generator_payload(fiscal_years: tuple[str, ...], default_fiscal_year: str) -> dict[str, Any]:
    return generator_modal(list(fiscal_years), default_fiscal_year, channel_id="").to_dict()


def generator_modal_payload(
    fiscal_years: list[str], default_fiscal_year: str, *, channel_id: str
) -> dict[str, Any]:
    """The blank generator as a ready `views.open` payload. Building and validating Block Kit models
    costs milliseconds of CPU; a burst of `/accountplan` reuses one validated copy instead."""
    payload = dict(_blank_generator_payload(tuple(fiscal_years), default_fiscal_year))
    if channel_id:
        payload["private_metadata"] = channel_id
    return payload
