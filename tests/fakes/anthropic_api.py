"""A fake Anthropic Messages API on 127.0.0.1 that the real `anthropic` SDK talks to over HTTP.

Each test scripts the model with a responder (pydantic-ai's FunctionModel idea): a function that
gets the parsed request and returns a `Reply` (a message), an `ApiError` (an error status with the
API's JSON body) or either with a `delay`. Every request is recorded with its arrival and finish
times, so tests can check concurrency and the exact bytes of the shared prompt prefix.

Wire format as the real API: `POST /v1/messages`, a `request-id` header, `{"type": "error",
"error": {...}}` bodies, and usage with `cache_read_input_tokens` / `cache_creation_input_tokens`
computed from the `cache_control` breakpoint (a prefix is readable once the request that wrote it
has finished, as with the real cache).
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import itertools
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.anthropic_batches import BatchesApi
from tests.fakes.anthropic_limits import RateLimits

CHARS_PER_TOKEN = 4


@dataclass
class Reply:
    content: list[dict[str, Any]]
    stop_reason: str = "end_turn"
    delay: float = 0.0
    output_tokens: int | None = None  # default: estimated from the content's size


@dataclass
class ApiError:
    status: int
    type: str = "api_error"
    message: str = "error"
    delay: float = 0.0
    # Tells the SDK how long to wait before retrying (the real API sends `retry-after`); tests keep it tiny.
    retry_after_ms: int | None = 1
    retry_after_s: float | None = None  # `retry-after`, as a 429 from the rate limiter sends it


@dataclass
class Call:
    """One request as the server saw it."""

    index: int
    body: dict[str, Any]
    headers: dict[str, str]
    started: float
    finished: float = 0.0
    status: int = 0
    request_id: str = ""
    usage: dict[str, int] = field(default_factory=dict)

    @property
    def forced_tool(self) -> str | None:
        choice = self.body.get("tool_choice") or {}
        return choice.get("name") if choice.get("type") == "tool" else None

    def prefix_bytes(self) -> bytes:
        """The request's cacheable prefix (tools, then system up to the breakpoint), as sent."""
        return _prefix_text(self.body).encode()


Responder = Callable[[Call], "Reply | ApiError | Awaitable[Reply | ApiError]"]


def text(value: str) -> dict[str, Any]:
    return {"type": "text", "text": value}


_tool_ids = itertools.count(1)


def tool_use(name: str, tool_input: dict[str, Any], tool_id: str | None = None) -> dict[str, Any]:
    return {
        "type": "tool_use",
        "id": tool_id or f"toolu_fake_{next(_tool_ids):04d}",
        "name": name,
        "input": tool_input,
    }


def tokens(value: Any) -> int:
    raw = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    return max(1, len(raw) // CHARS_PER_TOKEN)


def _prefix_text(body: dict[str, Any]) -> str:
    """Tools and system blocks up to the last `cache_control` breakpoint ("" when there is none)."""
    tools = body.get("tools") or []
    system = body.get("system") or []
    if isinstance(system, str):
        system = [{"type": "text", "text": system}]
    marked = [i for i, block in enumerate(system) if block.get("cache_control")]
    if marked:
        return json.dumps(tools, sort_keys=True) + json.dumps(system[: marked[-1] + 1], sort_keys=True)
    if tools and tools[-1].get("cache_control"):
        return json.dumps(tools, sort_keys=True)
    return ""


# Strict tool use (structured outputs) takes a subset of JSON Schema; the API answers 400 otherwise.
# What the SDK's `transform_schema` leaves out is what the API does not take.
STRICT_UNSUPPORTED = frozenset({
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength",
    "maxItems", "minProperties", "maxProperties", "uniqueItems", "patternProperties", "if", "then", "else", "not",
})  # fmt: skip
STRICT_FORMATS = frozenset(
    {"date-time", "time", "date", "duration", "email", "hostname", "uri", "ipv4", "ipv6", "uuid"}
)
MAX_STRICT_TOOLS, MAX_OPTIONAL_PARAMETERS, MAX_UNION_PARAMETERS = 20, 24, 16


@dataclass
class _StrictWalk:
    """One strict tool's schema, walked for what the API refuses; counts add up across tools."""

    tool: str
    definitions: dict[str, Any]
    problems: list[str]
    optional: int = 0
    unions: int = 0

    def walk(self, node: Any, where: str = "", seen: tuple[str, ...] = ()) -> None:
        if not isinstance(node, dict):
            return
        ref = node.get("$ref")
        if ref is not None:
            name = str(ref).removeprefix("#/$defs/")
            if not str(ref).startswith("#/$defs/") or name not in self.definitions:
                self.problems.append(f"{self.tool}{where}: only local $refs")
            elif name in seen:
                self.problems.append(f"{self.tool}{where}: recursive schema")
            else:
                self.walk(self.definitions[name], where, (*seen, name))
            return
        for key in sorted(STRICT_UNSUPPORTED & set(node)):
            self.problems.append(f"{self.tool}{where}: {key} is not supported")
        if node.get("minItems") not in (None, 0, 1):
            self.problems.append(f"{self.tool}{where}: minItems must be 0 or 1")
        if node.get("type") == "string" and node.get("format") not in (None, *STRICT_FORMATS):
            self.problems.append(f"{self.tool}{where}: format {node['format']!r} is not supported")
        if node.get("type") == "object":
            if node.get("additionalProperties") is not False:
                self.problems.append(f"{self.tool}{where}: objects need additionalProperties false")
            required = set(node.get("required", []))
            for name, child in (node.get("properties") or {}).items():
                self.optional += name not in required
                self.unions += isinstance(child, dict) and (
                    "anyOf" in child or isinstance(child.get("type"), list)
                )
                self.walk(child, f"{where}.{name}", seen)
        for child in node.get("anyOf", []):
            self.walk(child, where, seen)
        self.walk(node.get("items"), f"{where}[]", seen)


def strict_tool_problems(tools: list[dict[str, Any]]) -> list[str]:
    """Why the real API would refuse these tools' strict schemas (empty: it accepts them)."""
    strict = [tool for tool in tools if tool.get("strict")]
    problems = [f"at most {MAX_STRICT_TOOLS} strict tools"] if len(strict) > MAX_STRICT_TOOLS else []
    optional = unions = 0
    for tool in strict:
        schema = tool.get("input_schema") or {}
        walk = _StrictWalk(tool["name"], schema.get("$defs", {}), problems)
        walk.walk(schema)
        optional, unions = optional + walk.optional, unions + walk.unions
    if optional > MAX_OPTIONAL_PARAMETERS:
        problems.append(
            f"{optional} optional parameters across strict schemas (at most {MAX_OPTIONAL_PARAMETERS})"
        )
    if unions > MAX_UNION_PARAMETERS:
        problems.append(
            f"{unions} union-typed parameters across strict schemas (at most {MAX_UNION_PARAMETERS})"
        )
    return problems


class FakeAnthropic:
    """Run with `async with FakeAnthropic(responder) as fake:`; point the SDK at `fake.url`."""

    def __init__(self, responder: Responder | None = None, *, limits: RateLimits | None = None) -> None:
        self.responder: Responder | None = responder
        self.limits = limits  # None: no rate limits
        self.batch_calls: list[Call] = []  # requests answered through the Message Batches API
        self.batches = BatchesApi(self)
        self.calls: list[Call] = []
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._cache_ready: dict[str, float] = {}  # prefix hash -> when it became readable
        self._counter = itertools.count(1)

    async def __aenter__(self) -> FakeAnthropic:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/v1/messages", self._messages)
        self.batches.register(app)
        # Requests still being "processed" when a test ends (a simulated hang) are cancelled quickly.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.2)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def finished_calls(self) -> list[Call]:
        return [c for c in self.calls if c.finished]

    async def _messages(self, request: web.Request) -> web.Response:
        index = next(self._counter)
        call = Call(
            index=index,
            body=await request.json(),
            headers={k.lower(): v for k, v in request.headers.items()},
            started=time.perf_counter(),
            request_id=f"req_fake_{index:05d}",
        )
        self.calls.append(call)
        invalid = strict_tool_problems(call.body.get("tools") or [])
        retry_after = self.limits.admit(self._input_usage(call)[0]) if self.limits else None
        if retry_after is not None:
            # The real API sends whole seconds; a fake running a shrunk window needs fractions.
            outcome: Reply | ApiError = ApiError(
                429, "rate_limit_error", "rate limit exceeded", retry_after_ms=None, retry_after_s=retry_after
            )
        elif self.responder is None:
            outcome = ApiError(500, message="no responder configured")
        elif invalid:
            outcome = ApiError(400, "invalid_request_error", "tools: " + "; ".join(invalid))
        elif call.body.get("stream"):
            outcome = ApiError(400, "invalid_request_error", "this fake does not stream")
        else:
            result = self.responder(call)
            outcome = await result if inspect.isawaitable(result) else result  # type: ignore[assignment]
        if outcome.delay:
            await asyncio.sleep(outcome.delay)
        headers = {"request-id": call.request_id}
        if isinstance(outcome, ApiError):
            if outcome.retry_after_ms is not None:
                headers["retry-after-ms"] = str(outcome.retry_after_ms)
            if outcome.retry_after_s is not None:
                headers["retry-after"] = f"{outcome.retry_after_s:.3f}"
            body: dict[str, Any] = {
                "type": "error",
                "error": {"type": outcome.type, "message": outcome.message},
                "request_id": call.request_id,
            }
            call.status = outcome.status
        else:
            body = self._message(call, outcome)
            call.status = 200
            if self.limits:
                self.limits.answered(call.usage["output_tokens"])
        if self.limits:
            headers |= self.limits.headers()
        call.finished = time.perf_counter()
        return web.json_response(body, status=call.status, headers=headers)

    def _input_usage(self, call: Call) -> tuple[int, int, int]:
        """(uncached input, cache read, cache write) tokens: the input a rate limit counts is the first
        plus the last. A prefix is read when a request that wrote it was answered before this arrived."""
        prefix = _prefix_text(call.body)
        system = call.body.get("system") or []
        full = json.dumps(call.body.get("tools") or [], sort_keys=True) + json.dumps(system, sort_keys=True)
        full += json.dumps(call.body.get("messages") or [], sort_keys=True)
        total = max(1, len(full) // CHARS_PER_TOKEN)  # same serialization as the prefix, so shares add up
        cached = len(prefix) // CHARS_PER_TOKEN
        read = created = 0
        if prefix:
            ready = self._cache_ready.get(hashlib.sha256(prefix.encode()).hexdigest())
            if ready is not None and ready <= call.started:
                read = cached
            else:
                created = cached
        return max(0, total - read - created) + created, read, created

    def _message(self, call: Call, reply: Reply) -> dict[str, Any]:
        counted, read, created = self._input_usage(call)
        prefix = _prefix_text(call.body)
        if created:
            # Readable by requests that arrive after this one has been answered.
            self._cache_ready.setdefault(hashlib.sha256(prefix.encode()).hexdigest(), time.perf_counter())
        usage = {
            "input_tokens": counted - created,
            "output_tokens": reply.output_tokens
            if reply.output_tokens is not None
            else tokens(reply.content),
            "cache_read_input_tokens": read,
            "cache_creation_input_tokens": created,
        }
        call.usage = usage
        return {
            "id": f"msg_fake_{call.index:05d}",
            "type": "message",
            "role": "assistant",
            "model": call.body.get("model", "claude-fake"),
            "content": reply.content,
            "stop_reason": reply.stop_reason,
            "stop_sequence": None,
            "usage": usage,
        }
