"""Rate limits for the fake Anthropic API: token buckets as the real API meters them.

Requests, input tokens and output tokens per window (a minute on the real API; tests and benches
may shrink it), each a bucket of `limit` that refills continuously. A request is admitted when a
request and its counted input tokens (uncached input plus cache writes; cache reads are free) are
in the buckets and the output bucket is not overdrawn; its output tokens are taken when it is
answered. Every response carries `anthropic-ratelimit-{requests,input-tokens,output-tokens}-
{limit,remaining,reset}` (reset: RFC 3339, when the bucket is full again), and a refusal is a 429
`rate_limit_error` with `retry-after` in seconds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta


@dataclass
class _Bucket:
    limit: int
    level: float
    at: float

    def refill(self, now: float, window: float) -> None:
        self.level = min(self.limit, self.level + (now - self.at) * self.limit / window)
        self.at = now

    def seconds_until(self, amount: float, window: float) -> float:
        return max(0.0, (amount - self.level) * window / self.limit)


@dataclass
class RateLimits:
    requests_per_window: int = 1000
    input_tokens_per_window: int = 400_000
    output_tokens_per_window: int = 80_000
    window_seconds: float = 60.0
    rejected: int = 0
    _buckets: dict[str, _Bucket] = field(default_factory=dict)

    def __post_init__(self) -> None:
        now = time.monotonic()
        self._buckets = {
            "requests": _Bucket(self.requests_per_window, self.requests_per_window, now),
            "input-tokens": _Bucket(self.input_tokens_per_window, self.input_tokens_per_window, now),
            "output-tokens": _Bucket(self.output_tokens_per_window, self.output_tokens_per_window, now),
        }

    def _refill(self) -> None:
        now = time.monotonic()
        for bucket in self._buckets.values():
            bucket.refill(now, self.window_seconds)

    def admit(self, input_tokens: int) -> float | None:
        """Take a request and its input tokens; None when admitted, else seconds to retry after."""
        self._refill()
        need = {"requests": 1.0, "input-tokens": float(min(input_tokens, self.input_tokens_per_window)),
                "output-tokens": 0.0}  # fmt: skip
        waits = [b.seconds_until(need[d], self.window_seconds) for d, b in self._buckets.items()]
        if any(need[d] > b.level or (d == "output-tokens" and b.level < 0) for d, b in self._buckets.items()):
            self.rejected += 1
            return max(0.01, *waits)
        for dimension, amount in need.items():
            self._buckets[dimension].level -= amount
        return None

    def answered(self, output_tokens: int) -> None:
        self._refill()
        self._buckets["output-tokens"].level -= output_tokens

    def headers(self) -> dict[str, str]:
        self._refill()
        headers: dict[str, str] = {}
        now = datetime.now(UTC)
        for dimension, bucket in self._buckets.items():
            full = now + timedelta(seconds=bucket.seconds_until(bucket.limit, self.window_seconds))
            headers[f"anthropic-ratelimit-{dimension}-limit"] = str(bucket.limit)
            headers[f"anthropic-ratelimit-{dimension}-remaining"] = str(max(0, int(bucket.level)))
            headers[f"anthropic-ratelimit-{dimension}-reset"] = full.isoformat(timespec="seconds").replace(
                "+00:00", "Z"
            )
        return headers
