"""The Message Batches API of the fake Anthropic server, answered by the same responder as
`POST /v1/messages` (each request's params go through it as one Messages call).

`POST /v1/messages/batches` checks what the real API checks (at most 100,000 requests and 256 MB,
unique `custom_id`s matching `^[a-zA-Z0-9_-]{1,64}$`), `GET .../{id}` reports `in_progress` until it
has been polled `polls_until_ended` times, and `GET .../{id}/results` streams JSONL in a shuffled
order (the real API does not keep request order). `outcome(custom_id)` scripts a request as
"succeeded", "errored", "expired" or "canceled".
"""

from __future__ import annotations

import inspect
import itertools
import json
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from tests.fakes.anthropic_api import FakeAnthropic

MAX_REQUESTS = 100_000
MAX_BYTES = 256 * 1000 * 1000
CUSTOM_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
Outcome = Callable[[str], str]


@dataclass
class FakeBatch:
    id: str
    requests: list[dict[str, Any]]
    body_bytes: int
    created_at: datetime
    results: list[dict[str, Any]] = field(default_factory=list)
    polls: int = 0


class BatchesApi:
    def __init__(self, fake: FakeAnthropic, *, polls_until_ended: int = 2, seed: int = 16) -> None:
        self.fake = fake
        self.polls_until_ended = polls_until_ended
        self.outcome: Outcome = lambda custom_id: "succeeded"
        self.batches: dict[str, FakeBatch] = {}
        self.random = random.Random(seed)
        self._ids = itertools.count(1)

    def register(self, app: web.Application) -> None:
        app.router.add_post("/v1/messages/batches", self._create)
        app.router.add_get("/v1/messages/batches/{batch_id}", self._retrieve)
        app.router.add_get("/v1/messages/batches/{batch_id}/results", self._results)

    async def _create(self, request: web.Request) -> web.Response:
        raw = await request.read()
        requests = json.loads(raw).get("requests") or []
        ids = [r.get("custom_id", "") for r in requests]
        problem = None
        if not 1 <= len(requests) <= MAX_REQUESTS:
            problem = f"requests: between 1 and {MAX_REQUESTS} requests per batch"
        elif len(raw) > MAX_BYTES:
            problem = f"the batch is {len(raw)} bytes; at most 256 MB"
        elif len(set(ids)) != len(ids) or not all(CUSTOM_ID.match(i) for i in ids):
            problem = "custom_id must be unique and match ^[a-zA-Z0-9_-]{1,64}$"
        if problem:
            error = {"type": "error", "error": {"type": "invalid_request_error", "message": problem}}
            return web.json_response(error, status=400)
        batch = FakeBatch(f"msgbatch_fake_{next(self._ids):04d}", requests, len(raw), datetime.now(UTC))
        for item in requests:
            batch.results.append({"custom_id": item["custom_id"], "result": await self._answer(item)})
        self.random.shuffle(batch.results)
        self.batches[batch.id] = batch
        return web.json_response(self._batch_json(batch, ended=False))

    async def _answer(self, item: dict[str, Any]) -> dict[str, Any]:
        from tests.fakes.anthropic_api import ApiError, Call

        kind = self.outcome(item["custom_id"])
        if kind in ("expired", "canceled"):
            return {"type": kind}
        fake = self.fake
        index = next(fake._counter)
        # The responder sees which batch request it answers as a pseudo-header.
        call = Call(index, item["params"], {"x-batch-custom-id": item["custom_id"]}, time.perf_counter())
        call.request_id = f"req_fake_{index:05d}"
        fake.batch_calls.append(call)
        outcome = fake.responder(call) if fake.responder else ApiError(500, message="no responder configured")
        if inspect.isawaitable(outcome):
            outcome = await outcome
        if kind == "errored" or isinstance(outcome, ApiError):
            error_type = outcome.type if isinstance(outcome, ApiError) else "api_error"
            return {
                "type": "errored",
                "error": {"type": "error", "error": {"type": error_type, "message": "failed"}},
            }
        return {"type": "succeeded", "message": fake._message(call, outcome)}

    async def _retrieve(self, request: web.Request) -> web.Response:
        batch = self.batches.get(request.match_info["batch_id"])
        if batch is None:
            return web.json_response(
                {"type": "error", "error": {"type": "not_found_error", "message": "no batch"}}, status=404
            )
        batch.polls += 1
        return web.json_response(self._batch_json(batch, ended=batch.polls >= self.polls_until_ended))

    async def _results(self, request: web.Request) -> web.Response:
        batch = self.batches[request.match_info["batch_id"]]
        lines = "".join(json.dumps(line) + "\n" for line in batch.results)
        return web.Response(text=lines, content_type="application/binary")

    def _batch_json(self, batch: FakeBatch, *, ended: bool) -> dict[str, Any]:
        counts = dict.fromkeys(("processing", "succeeded", "errored", "canceled", "expired"), 0)
        if ended:
            for line in batch.results:
                counts[line["result"]["type"]] += 1
        else:
            counts["processing"] = len(batch.requests)
        return {
            "id": batch.id,
            "type": "message_batch",
            "processing_status": "ended" if ended else "in_progress",
            "request_counts": counts,
            "created_at": batch.created_at.isoformat(),
            "expires_at": (batch.created_at + timedelta(hours=24)).isoformat(),
            "ended_at": datetime.now(UTC).isoformat() if ended else None,
            "archived_at": None,
            "cancel_initiated_at": None,
            "results_url": f"{self.fake.url}/v1/messages/batches/{batch.id}/results" if ended else None,
        }
