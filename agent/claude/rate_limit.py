"""Pacing Claude calls against the organisation's rate limits, one limiter per process.

The API meters requests, input tokens and output tokens per minute as token buckets that refill
continuously, and reports each bucket on every response as `anthropic-ratelimit-{requests,
input-tokens,output-tokens}-{limit,remaining,reset}` (reset: RFC 3339, when the bucket is full
again); a 429 carries `retry-after` (seconds). Prompt-cache reads do not count towards the input
limit on current models, cache writes do (https://platform.claude.com/docs/en/api/rate-limits).

The limiter reads those headers from every response (an httpx response hook on the client the
`ClaudeClient` builds), and before each call waits until every bucket, refilled at limit/minute
since the last report and less what calls still in flight are expected to take, has room for this
call's estimate. Until the first response says what the limits are, one call is in flight at a
time (an API that sends no such headers is not paced). A 429 that still happens pauses every
caller for its `retry-after` (the SDK's own retry of that call waits the same). `max_concurrent`
caps calls in flight whatever the limits say.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

DIMENSIONS = ("requests", "input-tokens", "output-tokens")
HEADER = "anthropic-ratelimit-{dimension}-{what}"
# Calls are admitted only while a bucket keeps this share of its limit beyond their estimates:
# estimates are estimates, and other processes of the organisation share the buckets.
HEADROOM = 0.1
POLL_SECONDS = 0.05


@dataclass
class Bucket:
    limit: int
    remaining: float
    seen_at: float  # monotonic time of the report


@dataclass
class Cost:
    """What one call is expected to take from each bucket."""

    requests: int = 1
    input_tokens: int = 0
    output_tokens: int = 0

    def of(self, dimension: str) -> float:
        return {
            "requests": self.requests,
            "input-tokens": self.input_tokens,
            "output-tokens": self.output_tokens,
        }[dimension]


@dataclass
class PacingStats:
    """What pacing cost and saved, for logs and the bench."""

    calls: int = 0
    waited_calls: int = 0
    wait_seconds: float = 0.0
    rate_limited: int = 0  # 429 responses seen
    retry_after_seconds: float = 0.0


@dataclass
class RateLimiter:
    """See the module docstring. `window_seconds` is the API's minute (a test fake may run faster)."""

    max_concurrent: int = 32
    window_seconds: float = 60.0
    clock: Callable[[], float] = time.monotonic
    buckets: dict[str, Bucket] = field(default_factory=dict)
    in_flight: list[Cost] = field(default_factory=list)
    paused_until: float = 0.0
    answered: bool = False  # a response has been seen (with or without rate-limit headers)
    warm_prefixes: dict[int, float] = field(default_factory=dict)  # prefix key -> last seen answered
    stats: PacingStats = field(default_factory=PacingStats)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    @asynccontextmanager
    async def slot(self, cost: Cost) -> AsyncIterator[None]:
        """Wait for room for `cost`, hold it while the call runs, then give it back."""
        started = self.clock()
        waited = False
        while (delay := self._delay(cost)) > 0:
            waited = True
            self._changed.clear()
            with suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), timeout=min(delay, 1.0))
        self.stats.calls += 1
        if waited:
            self.stats.waited_calls += 1
            self.stats.wait_seconds += self.clock() - started
        self.in_flight.append(cost)
        try:
            yield
        finally:
            self.in_flight.remove(cost)
            self._changed.set()

    def _delay(self, cost: Cost) -> float:
        """Seconds until `cost` fits (0: now); an estimate, rechecked whenever something changes."""
        now = self.clock()
        if now < self.paused_until:
            return self.paused_until - now
        if len(self.in_flight) >= self.max_concurrent:
            return POLL_SECONDS
        if not self.buckets:
            # Limits unknown until the first answer: one call at a time. An API (a proxy) that
            # answers without rate-limit headers is not paced, only capped.
            return POLL_SECONDS if self.in_flight and not self.answered else 0.0
        delay = 0.0
        for dimension, bucket in self.buckets.items():
            rate = bucket.limit / self.window_seconds
            available = min(bucket.limit, bucket.remaining + (now - bucket.seen_at) * rate)
            available -= sum(c.of(dimension) for c in self.in_flight)
            # A call larger than the whole bucket can only ever run on a full one.
            need = min(cost.of(dimension), bucket.limit * (1 - HEADROOM)) + bucket.limit * HEADROOM
            if available < need:
                delay = max(delay, (need - available) / rate if rate else POLL_SECONDS, POLL_SECONDS)
        return delay

    def observe(self, status: int, headers: Mapping[str, str]) -> None:
        """Take the buckets from a response's headers; a 429 pauses everyone for its retry-after."""
        now = self.clock()
        self.answered = True
        for dimension in DIMENSIONS:
            limit = headers.get(HEADER.format(dimension=dimension, what="limit"))
            remaining = headers.get(HEADER.format(dimension=dimension, what="remaining"))
            if limit is None or remaining is None:
                continue
            try:
                level = float(remaining)
                known = self.buckets.get(dimension)
                if known is not None:
                    # Responses can be handled out of the order the API wrote them in: a report
                    # never raises the bucket above what the last one projects to by now.
                    rate = known.limit / self.window_seconds
                    level = min(level, known.limit, known.remaining + (now - known.seen_at) * rate)
                self.buckets[dimension] = Bucket(int(limit), level, now)
            except ValueError:
                log.debug("unreadable %s rate-limit headers: %r / %r", dimension, limit, remaining)
        if status == 429:
            wait = retry_after_seconds(headers)
            self.stats.rate_limited += 1
            self.stats.retry_after_seconds += wait
            self.paused_until = max(self.paused_until, now + wait)
            log.warning("Claude rate limit hit (429); pausing calls for %.1fs", wait)
        self._changed.set()


def retry_after_seconds(headers: Mapping[str, str], default: float = 1.0) -> float:
    """`retry-after-ms` or `retry-after` (seconds or an HTTP date), as the SDK reads them."""
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return max(0.0, float(value) * scale)
        except ValueError:
            parsed = email.utils.parsedate_tz(value)
            if parsed is not None:
                return max(0.0, email.utils.mktime_tz(parsed) - time.time())
    return default


# The prompt cache keeps a prefix for 5 minutes after its last use ("ephemeral"); a prefix seen
# more recently than that is expected to be read, not counted against the input-token limit.
CACHE_TTL_SECONDS = 300.0
CHARS_PER_TOKEN = 4
DEFAULT_OUTPUT_ESTIMATE = 1024


def call_cost(
    params: Mapping[str, Any], warm: dict[int, float], now: float, expected_output_tokens: int | None
) -> tuple[Cost, int | None]:
    """A call's expected cost, and the key of its cacheable prefix (None: it has none). The system
    blocks are one plan's shared strings, so hashing them is cached by Python after the first call."""
    system = params.get("system") or []
    blocks = [system] if isinstance(system, str) else [b.get("text", "") for b in system]
    marked = [i for i, b in enumerate(system) if isinstance(b, dict) and b.get("cache_control")]
    rest = len(json.dumps(params.get("messages") or [], default=str))
    prefix = sum(len(b) for b in blocks) + sum(len(json.dumps(t)) for t in params.get("tools") or [])
    key = hash(tuple(blocks[: marked[-1] + 1])) if marked else None
    counted = (
        rest
        if key is not None and now - warm.get(key, -CACHE_TTL_SECONDS) < CACHE_TTL_SECONDS
        else rest + prefix
    )
    output = expected_output_tokens or min(int(params.get("max_tokens") or 0), DEFAULT_OUTPUT_ESTIMATE)
    return Cost(1, counted // CHARS_PER_TOKEN, output), key
