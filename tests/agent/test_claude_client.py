"""The client wrapper through the real SDK over HTTP: errors users understand, retries, request ids."""

from __future__ import annotations

import logging
import re

import pytest

from agent.claude.client import ClaudeClient, ClaudeUnavailable, Usage
from tests.fakes.anthropic_api import ApiError, Call, FakeAnthropic, Reply, text

SECRET = "sk-ant-test-secret-key-123"


def client_for(fake: FakeAnthropic, **overrides: object) -> ClaudeClient:
    options: dict[str, object] = {
        "api_key": SECRET,
        "model": "claude-test",
        "base_url": fake.url,
        "max_retries": 2,
    }
    options.update(overrides)
    return ClaudeClient(**options)  # type: ignore[arg-type]


async def ask(client: ClaudeClient, usage: Usage | None = None):  # type: ignore[no-untyped-def]
    return await client.create(purpose="test", usage=usage, messages=[{"role": "user", "content": "hi"}])


async def test_success_counts_tokens_and_sends_the_key_as_header_only(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    async with FakeAnthropic(lambda call: Reply([text("hello")], output_tokens=7)) as fake:
        client = client_for(fake)
        usage = Usage()
        message = await ask(client, usage)
        await client.close()
    assert message.content[0].text == "hello"  # type: ignore[union-attr]
    assert fake.calls[0].headers["authorization"] == f"Bearer {SECRET}"
    assert fake.calls[0].body["model"] == "claude-test"
    assert usage.calls == 1 and usage.output_tokens == 7 and usage.request_ids == ["req_fake_00001"]
    assert "req_fake_00001" in caplog.text
    assert SECRET not in caplog.text


@pytest.mark.parametrize(
    ("status", "kind", "expected"),
    [
        (401, "authentication_error", "the Anthropic key was rejected"),
        (400, "invalid_request_error", "Claude rejected the request as invalid (400)"),
        (403, "permission_error", "not allowed"),
        (404, "not_found_error", "model 'claude-test' was not found"),
        (413, "request_too_large", "too large"),
    ],
)
async def test_client_errors_are_not_retried_and_read_clearly(status: int, kind: str, expected: str) -> None:
    async with FakeAnthropic(lambda call: ApiError(status, kind, "nope")) as fake:
        client = client_for(fake)
        with pytest.raises(ClaudeUnavailable, match=re.escape(expected)) as caught:
            await ask(client)
        await client.close()
    assert len(fake.calls) == 1
    assert caught.value.request_id == "req_fake_00001"
    assert not caught.value.retryable


@pytest.mark.parametrize(
    ("status", "kind"), [(529, "overloaded_error"), (429, "rate_limit_error"), (500, "api_error")]
)
async def test_overload_storms_are_retried_by_the_sdk_then_reported(status: int, kind: str) -> None:
    async with FakeAnthropic(lambda call: ApiError(status, kind, "busy")) as fake:
        client = client_for(fake, max_retries=2)
        with pytest.raises(ClaudeUnavailable, match="after retries") as caught:
            await ask(client)
        await client.close()
    assert len(fake.calls) == 3  # the first try and two SDK retries
    assert caught.value.retryable and caught.value.status == status


async def test_a_storm_that_passes_is_invisible() -> None:
    def responder(call: Call) -> Reply | ApiError:
        return ApiError(529, "overloaded_error", "busy") if call.index < 3 else Reply([text("ok")])

    async with FakeAnthropic(responder) as fake:
        client = client_for(fake, max_retries=3)
        message = await ask(client)
        await client.close()
    assert message.content[0].text == "ok"  # type: ignore[union-attr]
    assert [c.status for c in fake.calls] == [529, 529, 200]


async def test_unreachable_api_is_a_clear_message() -> None:
    client = ClaudeClient(api_key=SECRET, model="m", base_url="http://127.0.0.1:9", max_retries=0)
    with pytest.raises(ClaudeUnavailable, match="could not reach the Anthropic API"):
        await ask(client)
    await client.close()
