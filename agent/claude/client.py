"""The Anthropic client, configured from settings, with API failures turned into messages a CSM can
act on. The entry point creates one per process, inside its event loop, and hands it down in
`agent.deps.AgentDeps`.

The SDK retries 429, 5xx and 529 (overloaded) itself with backoff; callers bound the total time
with `deadline`. 400/401/403/404/413 are not retried. Logs carry the `request-id`, never the key.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import anthropic
from anthropic.types import Message

from agent.claude.rate_limit import RateLimiter, call_cost
from storage.errors import AccountPlanError
from storage.settings import Settings

log = logging.getLogger(__name__)


class ClaudeUnavailable(AccountPlanError):
    """Claude could not answer; `retryable` says whether waiting might help."""

    exit_code = 3

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        request_id: str | None = None,
        retryable: bool = False,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.request_id = request_id
        self.retryable = retryable


@dataclass
class Usage:
    """Tokens and time spent on model calls, summed over a plan or a revision."""

    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_input_tokens: int = 0
    cache_creation_input_tokens: int = 0
    latency_ms: float = 0.0
    request_ids: list[str] = field(default_factory=list)

    def add(self, message: Message, latency_ms: float) -> None:
        usage = message.usage
        self.calls += 1
        self.input_tokens += usage.input_tokens
        self.output_tokens += usage.output_tokens
        self.cache_read_input_tokens += usage.cache_read_input_tokens or 0
        self.cache_creation_input_tokens += usage.cache_creation_input_tokens or 0
        self.latency_ms += latency_ms
        request_id = getattr(message, "_request_id", None)  # None for a batch result's message
        if request_id:
            self.request_ids.append(request_id)

    @property
    def total_input_tokens(self) -> int:
        return self.input_tokens + self.cache_read_input_tokens + self.cache_creation_input_tokens

    def as_dict(self, model: str) -> dict[str, Any]:
        return {
            "model": model,
            "calls": self.calls,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cache_read_input_tokens": self.cache_read_input_tokens,
            "cache_creation_input_tokens": self.cache_creation_input_tokens,
            "latency_ms": round(self.latency_ms, 1),
        }


def _status_message(error: anthropic.APIStatusError, model: str) -> str:
    status = error.status_code
    detail = f" ({error.api_message})" if error.api_message else ""
    if status == 401:
        return "the Anthropic key was rejected; check ANTHROPIC_API_KEY"
    if status == 403:
        return f"the Anthropic key is not allowed to do this (403){detail}"
    if status == 404:
        return f"Claude model {model!r} was not found (404); check ANTHROPIC_MODEL"
    if status == 413:
        return "the request was too large for Claude (413); the account's data needs trimming"
    if status == 400:
        return f"Claude rejected the request as invalid (400){detail}"
    if status == 429:
        return "Claude is rate-limiting us (429) even after retries; try again in a minute"
    if status == 529:
        return "Claude is overloaded (529) even after retries; try again shortly"
    if status >= 500:
        return f"the Anthropic API failed ({status}) even after retries; try again shortly"
    return f"the Anthropic API answered {status}{detail}"


class ClaudeClient:
    """`AsyncAnthropic` plus the model, limits and error mapping this app uses."""

    def __init__(
        self,
        *,
        api_key: str,
        model: str,
        base_url: str | None = None,
        timeout: float = 60.0,
        max_retries: int = 2,
        deadline: float = 120.0,
        max_tokens: int = 4096,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.model = model
        self.deadline = deadline
        self.max_tokens = max_tokens
        self.base_url = base_url
        self.limiter = limiter
        # Our own HTTP client only to see every response's rate-limit headers (429s the SDK
        # retries included); the SDK's default connection settings are kept.
        http = (
            anthropic.DefaultAsyncHttpxClient(event_hooks={"response": [self._observe]}) if limiter else None
        )
        self.sdk = anthropic.AsyncAnthropic(
            api_key=api_key, base_url=base_url, timeout=timeout, max_retries=max_retries, http_client=http
        )

    async def _observe(self, response: Any) -> None:
        if self.limiter is not None:
            self.limiter.observe(response.status_code, response.headers)

    @classmethod
    def from_settings(cls, settings: Settings) -> ClaudeClient:
        if settings.anthropic_api_key is None or not settings.anthropic_api_key.get_secret_value():
            raise ClaudeUnavailable("ANTHROPIC_API_KEY is not set; Claude is off (the offline drafter works)")
        return cls(
            api_key=settings.anthropic_api_key.get_secret_value(),
            model=settings.anthropic_model,
            base_url=settings.anthropic_base_url,
            timeout=settings.anthropic_timeout_seconds,
            max_retries=settings.anthropic_max_retries,
            deadline=settings.anthropic_deadline_seconds,
            max_tokens=settings.anthropic_max_tokens_per_section,
            limiter=RateLimiter(max_concurrent=settings.anthropic_max_concurrent_calls)
            if settings.anthropic_pacing
            else None,
        )

    async def create(
        self,
        *,
        purpose: str,
        usage: Usage | None = None,
        max_retries: int | None = None,
        expected_output_tokens: int | None = None,
        **params: Any,
    ) -> Message:
        """One `messages.create` call (full history, no server-side threads), paced by the limiter,
        mapped errors, logged; its tokens and latency are added to `usage`. `max_retries` overrides
        the SDK's retries for this call (0: one attempt, e.g. for a call that only saves tokens);
        `expected_output_tokens` is what the limiter reserves for the answer."""
        params.setdefault("model", self.model)
        params.setdefault("max_tokens", self.max_tokens)
        if self.limiter is None:
            return await self._create(purpose, usage, max_retries, params)
        cost, prefix = call_cost(params, self.limiter.warm_prefixes, time.monotonic(), expected_output_tokens)
        async with self.limiter.slot(cost):
            message = await self._create(purpose, usage, max_retries, params)
        if prefix is not None:
            self.limiter.warm_prefixes[prefix] = time.monotonic()
        return message

    async def _create(
        self, purpose: str, usage: Usage | None, max_retries: int | None, params: dict[str, Any]
    ) -> Message:
        sdk = self.sdk if max_retries is None else self.sdk.with_options(max_retries=max_retries)
        started = time.perf_counter()
        try:
            message = await sdk.messages.create(**params)
        except anthropic.APIStatusError as error:
            retryable = error.status_code == 429 or error.status_code >= 500
            log.warning("claude %s failed: %s (request-id %s)", purpose, error.status_code, error.request_id)
            raise ClaudeUnavailable(
                _status_message(error, params["model"]),
                status=error.status_code,
                request_id=error.request_id,
                retryable=retryable,
            ) from error
        except anthropic.APITimeoutError as error:
            log.warning("claude %s timed out", purpose)
            raise ClaudeUnavailable(
                "Claude did not answer in time; try again shortly", retryable=True
            ) from error
        except anthropic.APIConnectionError as error:
            log.warning("claude %s could not connect: %s", purpose, type(error.__cause__).__name__)
            raise ClaudeUnavailable(
                f"could not reach the Anthropic API{' at ' + self.base_url if self.base_url else ''}",
                retryable=True,
            ) from error
        latency_ms = (time.perf_counter() - started) * 1000
        tokens = message.usage
        log.info(
            "claude %s: %s, %d in + %d cache-read, %d out, %.0f ms (request-id %s)",
            purpose,
            message.stop_reason,
            tokens.input_tokens,
            tokens.cache_read_input_tokens or 0,
            tokens.output_tokens,
            latency_ms,
            message._request_id,
        )
        if usage is not None:
            usage.add(message, latency_ms)
        return message

    async def close(self) -> None:
        await self.sdk.close()
