"""What Claude calls cost, in one place: per-model prices and the Message Batches discount.

USD per million tokens, from https://platform.claude.com/docs/en/about-claude/pricing (model pricing
table: base input, 5-minute cache writes, cache hits, output; checked December 2026, Sonnet 5.5's
cache hits after the October 2026 cut). "The Batch API offers a 50% discount on input and output"
(same page, "Batch processing"); prompt-caching prices stack with it, so every kind of token of a
batch request is billed at half. A model missing from the table is priced as the longest entry its
id starts with, else as the default model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Price:
    input: float
    output: float
    cache_write: float  # 5-minute cache writes (what `cache_control: ephemeral` writes)
    cache_read: float


PRICES: dict[str, Price] = {
    "claude-sonnet-5-5": Price(2.00, 10.00, 2.50, 0.10),
    "claude-sonnet-5": Price(2.00, 10.00, 2.50, 0.20),
    "claude-opus-5-5": Price(4.00, 20.00, 5.00, 0.20),
    "claude-opus-5": Price(5.00, 25.00, 6.25, 0.50),
    "claude-haiku-5-5": Price(0.10, 0.50, 0.125, 0.01),  # prompts up to 100K tokens
    "claude-haiku-4-5": Price(1.00, 5.00, 1.25, 0.10),
}
DEFAULT_MODEL = "claude-sonnet-5-5"
BATCH_DISCOUNT = 0.5


def price_of(model: str) -> Price:
    matches = [name for name in PRICES if model == name or model.startswith(name + "-")]
    return PRICES[max(matches, key=len)] if matches else PRICES[DEFAULT_MODEL]


def cost_usd(usage: dict[str, Any], model: str, *, batch: bool) -> float:
    """The cost of `usage` (a `Usage.as_dict`), at batch prices when `batch`."""
    price = price_of(model)
    total = (
        usage.get("input_tokens", 0) * price.input
        + usage.get("output_tokens", 0) * price.output
        + usage.get("cache_creation_input_tokens", 0) * price.cache_write
        + usage.get("cache_read_input_tokens", 0) * price.cache_read
    ) / 1_000_000
    return round(total * (BATCH_DISCOUNT if batch else 1.0), 6)
