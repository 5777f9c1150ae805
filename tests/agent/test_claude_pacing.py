"""Pacing Claude calls against rate limits: the fake API meters requests and tokens per (shrunk)
minute and answers 429 past them; one limiter per process reads its headers and keeps a burst of
plans under them."""

from __future__ import annotations

import asyncio
from typing import Any

from agent.claude.client import ClaudeClient
from agent.claude.rate_limit import Cost, RateLimiter, retry_after_seconds
from agent.claude.workflow import ClaudeSectionWriter
from agent.section_writer import SectionOutcome
from storage.plan_document import SECTIONS
from tests.fakes.anthropic_api import FakeAnthropic
from tests.fakes.anthropic_limits import RateLimits
from tests.fakes.plan_samples import plan_author, sample_context, sample_plan

PLANS = 20
WINDOW = 1.0  # the fake's "minute", so the test takes seconds


def limits() -> RateLimits:
    # A fraction of what 20 plans ask for at once, in every dimension.
    return RateLimits(
        requests_per_window=60,
        input_tokens_per_window=8_000,
        output_tokens_per_window=8_000,
        window_seconds=WINDOW,
    )


async def burst(limiter: RateLimiter | None, max_retries: int) -> tuple[list[SectionOutcome], FakeAnthropic]:
    async with FakeAnthropic(plan_author(), limits=limits()) as fake:
        client = ClaudeClient(
            api_key="sk-test",
            model="claude-test",
            base_url=fake.url,
            max_retries=max_retries,
            limiter=limiter,
        )
        writer = ClaudeSectionWriter(client)
        outcomes = await asyncio.gather(*(
            writer.write_sections(sample_context(), "FY2026", SECTIONS, sample_plan(), None) for _ in range(PLANS)
        ))  # fmt: skip
        await client.close()
    return list(outcomes), fake


async def test_twenty_plans_at_once_draw_no_429_with_the_limiter() -> None:
    limiter = RateLimiter(window_seconds=WINDOW)
    outcomes, fake = await burst(limiter, max_retries=2)
    assert [c for c in fake.calls if c.status == 429] == []
    assert all(outcome.fallbacks == {} for outcome in outcomes)
    assert limiter.stats.waited_calls > 0 and limiter.stats.rate_limited == 0
    # It learnt the limits from the headers.
    assert limiter.buckets["output-tokens"].limit == 8_000


async def test_without_the_limiter_the_same_burst_draws_429s() -> None:
    outcomes, fake = await burst(None, max_retries=0)
    assert sum(c.status == 429 for c in fake.calls) > 0
    assert any(outcome.fallbacks for outcome in outcomes)


async def test_a_429_pauses_every_caller_for_its_retry_after() -> None:
    now = [100.0]
    limiter = RateLimiter(clock=lambda: now[0])
    headers: dict[str, Any] = {
        "anthropic-ratelimit-requests-limit": "50", "anthropic-ratelimit-requests-remaining": "0",
        "retry-after": "7",
    }  # fmt: skip
    limiter.observe(429, headers)
    assert limiter.paused_until == 107.0 and limiter.stats.rate_limited == 1
    assert limiter._delay(Cost(1, 10, 10)) == 7.0
    now[0] = 107.0
    # Seven seconds at 50/minute refilled 5.8 requests: not yet the 10% headroom (5) plus this one.
    assert 0 < limiter._delay(Cost(1, 10, 10)) < 0.5
    now[0] = 108.0
    assert limiter._delay(Cost(1, 10, 10)) == 0.0
    assert retry_after_seconds({"retry-after-ms": "250"}) == 0.25
    assert retry_after_seconds({}) == 1.0


async def test_an_api_without_rate_limit_headers_is_not_paced() -> None:
    limiter = RateLimiter()
    assert limiter._delay(Cost(1, 10, 10)) == 0.0
    async with limiter.slot(Cost(1, 10, 10)):
        assert limiter._delay(Cost(1, 10, 10)) > 0  # the first call goes alone: limits unknown
        limiter.observe(200, {"request-id": "req_1"})
        assert limiter._delay(Cost(1, 10, 10)) == 0.0  # answered, and no limits were reported
