"""What every listener is handed: settings, the database, a clock and the planning operations.

One object passed explicitly to each `register(app, deps)`, so nothing reads a global and tests
swap any part (a fixed clock, a scripted generator) without patching.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

from storage.db import Database
from storage.plan_document import AccountPlanDocument
from storage.settings import Settings
from tools.plans.identity import SlackDirectory

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
DRAFTING_CONCURRENCY = 2
WORK_CONCURRENCY = 4


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class PlanRequest:
    """One "draft a plan" request as the Slack surface sees it."""

    customer_id: str
    fiscal_year: str
    as_of: date
    sections: tuple[str, ...]
    author: str


@dataclass(frozen=True)
class Progress:
    """A section's drafting state, as reported by the generator while it works."""

    section: str
    state: Literal["started", "done", "fallback"]
    detail: str | None = None


@dataclass(frozen=True)
class PlanResult:
    plan_id: str
    document: AccountPlanDocument
    created: bool
    elapsed_ms: float


@dataclass(frozen=True)
class RevisionResult:
    reply: str
    diff: list[str]  # readable change lines ("Objective 2: priority high -> critical")
    document: AccountPlanDocument | None
    changed: bool
    submitted: bool = False


ProgressCallback = Callable[[Progress], Awaitable[None]]
GeneratePlan = Callable[[Database, PlanRequest, ProgressCallback], Awaitable[PlanResult]]
RevisePlan = Callable[[Database, str, str, str], Awaitable[RevisionResult]]


async def generate_with_agent(
    database: Database, request: PlanRequest, progress: ProgressCallback
) -> PlanResult:
    """The production generator: the drafting workflow in `agent.generate` (Claude or offline)."""
    from agent.generate import GenerationRequest, generate_plan

    async def forward(event: Any) -> None:
        await progress(
            Progress(section=event.section, state=event.state, detail=getattr(event, "detail", None))
        )

    generated = await generate_plan(
        database,
        GenerationRequest(
            customer=request.customer_id,
            fiscal_year=request.fiscal_year,
            as_of=request.as_of,
            sections=request.sections,
            author=request.author,
            surface="slack",
            save=True,
        ),
        progress=forward,
    )
    document: AccountPlanDocument = generated.document
    return PlanResult(
        plan_id=document.plan_id,
        document=document,
        created=bool(generated.created),
        elapsed_ms=float(generated.elapsed_ms),
    )


async def revise_with_agent(database: Database, plan_id: str, message: str, actor: str) -> RevisionResult:
    """The production reviser: the revision agent in `agent.revise` (Claude or the offline grammar)."""
    from agent.revise import revise_plan

    outcome = await revise_plan(database, plan_id, message, actor=actor, surface="slack")
    return RevisionResult(
        reply=outcome.reply,
        diff=list(outcome.diff),
        document=outcome.document,
        changed=bool(outcome.changed),
        submitted=bool(outcome.submitted),
    )


class BackgroundTasks:
    """Work started after an ack: kept referenced (so asyncio does not drop it) and awaitable at
    shutdown, with failures logged instead of vanishing."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self.started = 0
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []

    def start(self, coroutine: Coroutine[Any, Any, Any], *, name: str) -> asyncio.Task[Any]:
        task = asyncio.create_task(coroutine, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        self.started += 1
        for count, waiter in list(self._waiters):
            if self.started >= count and not waiter.done():
                waiter.set_result(None)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task %s failed", task.get_name(), exc_info=task.exception())

    @property
    def pending(self) -> int:
        return len(self._tasks)

    async def wait_started(self, count: int) -> None:
        """Until `count` tasks have been started in total (callers bound it with a timeout)."""
        if self.started >= count:
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((count, waiter))
        try:
            await waiter
        finally:
            self._waiters.remove((count, waiter))

    async def drain(self) -> None:
        """Wait for running work, including work that running work starts (shutdown, tests)."""
        while self._tasks:
            await asyncio.wait(set(self._tasks))


@dataclass
class SlackDeps:
    """Handed to every listener and web route registrar."""

    settings: Settings
    database: Database
    clock: Clock = utc_now
    generate_plan: GeneratePlan = generate_with_agent
    revise_plan: RevisePlan = revise_with_agent
    tasks: BackgroundTasks = field(default_factory=BackgroundTasks)
    # Drafting is CPU-heavy (the offline baseline runs even for Claude); a few at a time keeps the
    # event loop free to acknowledge Slack within its deadline while a burst of requests queues.
    drafting_slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(DRAFTING_CONCURRENCY))
    # Short post-ack work (look-ups, the first message) admitted at a time: in a burst, the event
    # loop keeps turning fast enough to acknowledge every new request within Slack's deadline.
    work_slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(WORK_CONCURRENCY))
    # Slack id -> email lookups (users.info), cached; create_app wires it to the app's client.
    directory: SlackDirectory | None = None

    def today(self) -> date:
        return self.clock().date()
