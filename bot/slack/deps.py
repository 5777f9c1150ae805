"""What every listener is handed: the agent's dependencies (settings, database, Claude client, clock),
the planning operations, background work and the Slack directory.

Built once by the entry point and put into Bolt's context by one middleware
(`bot.slack.middleware`), so nothing reads a global and tests swap any part (a fixed clock, a
scripted generator) by constructing it, without patching. The planning operations are the agent's
own functions with the agent's own request and result types.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Coroutine
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from agent.deps import AgentDeps, Clock, utc_now
from agent.generate import GeneratedPlan, GenerationRequest, generate_plan
from agent.revise import RevisionOutcome, revise_plan
from agent.section_writer import ProgressCallback
from storage.db import Database
from storage.settings import Settings

if TYPE_CHECKING:
    from bot.slack.directory import SlackDirectory

log = logging.getLogger(__name__)

DRAFTING_CONCURRENCY = 2
WORK_CONCURRENCY = 4

__all__ = ["BackgroundTasks", "Clock", "GeneratePlan", "RevisePlan", "SlackDeps", "utc_now"]


class GeneratePlan(Protocol):
    """`agent.generate.generate_plan`'s shape (tests pass a scripted one)."""

    def __call__(
        self, deps: AgentDeps, request: GenerationRequest, *, progress: ProgressCallback | None = None
    ) -> Awaitable[GeneratedPlan]: ...


class RevisePlan(Protocol):
    """`agent.revise.revise_plan`'s shape (tests pass a scripted one)."""

    def __call__(
        self, deps: AgentDeps, plan_id: str, message: str, *, actor: str, surface: str
    ) -> Awaitable[RevisionOutcome]: ...


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
    """Handed to every listener (through Bolt's context) and web route registrar."""

    agent: AgentDeps
    generate_plan: GeneratePlan = generate_plan
    revise_plan: RevisePlan = revise_plan
    tasks: BackgroundTasks = field(default_factory=BackgroundTasks)
    # Drafting is CPU-heavy (the offline baseline runs even for Claude); a few at a time keeps the
    # event loop free to acknowledge Slack within its deadline while a burst of requests queues.
    drafting_slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(DRAFTING_CONCURRENCY))
    # Short post-ack work (look-ups, the first message) admitted at a time: in a burst, the event
    # loop keeps turning fast enough to acknowledge every new request within Slack's deadline.
    work_slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(WORK_CONCURRENCY))
    # Pictures are drawn in a thread but hold the GIL while drawing: one set at a time.
    chart_slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(1))
    # Slack id <-> email lookups (users.info), cached; create_app wires it to the app's client.
    directory: SlackDirectory | None = None
    # `/accountplan draft-book`: worker processes per run (None: one per CPU), or drafting on this
    # event loop instead (tests; a deployment that must not start processes).
    bulk_workers: int | None = None
    bulk_in_process: bool = False

    # The agent's parts, read through (one copy of each, in `agent`).
    @property
    def settings(self) -> Settings:
        return self.agent.settings

    @property
    def database(self) -> Database:
        return self.agent.database

    @property
    def clock(self) -> Clock:
        return self.agent.clock

    @clock.setter
    def clock(self, clock: Clock) -> None:
        self.agent = replace(self.agent, clock=clock)

    def today(self) -> date:
        return self.agent.today()
