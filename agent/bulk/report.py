"""What a run reports: progress while it drafts, its record, and the summary with reasons grouped."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select

from agent.deps import AgentDeps
from storage import draft_runs
from storage.draft_runs import RunCounts
from storage.models import Customer, DraftRun, DraftRunItem
from storage.plans import timestamp
from storage.vocabulary import RunItemState

EXAMPLES_PER_REASON = 3


@dataclass(frozen=True)
class RunProgress:
    """Where a run stands (sent to the progress callback about twice a second while it changes)."""

    run_id: str
    total: int
    drafted: int
    skipped: int
    failed: int
    pending: int
    elapsed_seconds: float
    rate: float  # plans drafted per second by this execution
    eta_seconds: float | None  # None until a rate is known

    @property
    def done(self) -> int:
        return self.drafted + self.skipped + self.failed

    @classmethod
    def of(cls, run_id: str, counts: RunCounts, elapsed: float, drafted_now: int) -> RunProgress:
        rate = drafted_now / elapsed if elapsed > 0 and drafted_now > 0 else 0.0
        return cls(
            run_id=run_id,
            total=counts.total,
            drafted=counts.drafted,
            skipped=counts.skipped,
            failed=counts.failed,
            pending=counts.pending,
            elapsed_seconds=elapsed,
            rate=rate,
            eta_seconds=counts.pending / rate if rate > 0 else None,
        )


@dataclass(frozen=True)
class RunRecord:
    """A run as callers see it (a copy of the row, safe to keep after the session closed)."""

    run_id: str
    state: str
    mode: str
    scope: dict[str, Any]
    author: str
    surface: str
    workers: int
    total: int
    drafted: int
    skipped: int
    failed: int
    batch_ids: list[str]
    usage: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None

    @classmethod
    def of(cls, run: DraftRun) -> RunRecord:
        return cls(
            run_id=run.id,
            state=str(run.state),
            mode=str(run.mode),
            scope=dict(run.scope),
            author=run.author,
            surface=str(run.surface),
            workers=run.workers,
            total=run.total,
            drafted=run.drafted,
            skipped=run.skipped,
            failed=run.failed,
            batch_ids=list(run.batch_ids),
            usage=dict(run.usage),
            created_at=run.created_at,
            updated_at=run.updated_at,
            finished_at=run.finished_at,
        )

    def with_counts(self, counts: RunCounts) -> RunRecord:
        return replace(
            self, total=counts.total, drafted=counts.drafted, skipped=counts.skipped, failed=counts.failed
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "state": self.state,
            "mode": self.mode,
            "drafted": self.drafted,
            "skipped": self.skipped,
            "failed": self.failed,
            "total": self.total,
            "pending": self.total - self.drafted - self.skipped - self.failed,
            "scope": self.scope,
            "author": self.author,
            "surface": self.surface,
            "workers": self.workers,
            "batch_ids": self.batch_ids,
            "usage": self.usage,
            "created_at": timestamp(self.created_at),
            "updated_at": timestamp(self.updated_at),
            "finished_at": timestamp(self.finished_at),
        }


@dataclass(frozen=True)
class ReasonGroup:
    """Accounts skipped or failed for the same reason: how many, and a few of them by name."""

    reason: str
    count: int
    examples: list[str]


@dataclass(frozen=True)
class RunSummary:
    run: RunRecord
    elapsed_seconds: float = 0.0
    drafted_now: int = 0  # by this execution (a resumed run drafted the rest earlier)
    skipped_reasons: list[ReasonGroup] = field(default_factory=list[ReasonGroup])
    failed_reasons: list[ReasonGroup] = field(default_factory=list[ReasonGroup])

    @property
    def run_id(self) -> str:
        return self.run.run_id

    @property
    def state(self) -> str:
        return self.run.state

    @property
    def rate(self) -> float:
        return self.drafted_now / self.elapsed_seconds if self.elapsed_seconds > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        groups = {
            "skipped_reasons": self.skipped_reasons,
            "failed_reasons": self.failed_reasons,
        }
        return {
            **self.run.to_json(),
            **{
                key: [{"reason": g.reason, "count": g.count, "examples": g.examples} for g in value]
                for key, value in groups.items()
            },
        }


def group_reasons(items: list[tuple[str, str | None]]) -> list[ReasonGroup]:
    """(name, reason) pairs grouped by reason, most frequent first."""
    by_reason: dict[str, list[str]] = defaultdict(list)
    for name, reason in items:
        by_reason[reason or "no reason recorded"].append(name)
    return [
        ReasonGroup(reason, len(names), sorted(names)[:EXAMPLES_PER_REASON])
        for reason, names in sorted(by_reason.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    ]


async def load_summary(deps: AgentDeps, run_id: str, *, elapsed: float, drafted_now: int) -> RunSummary:
    """The run with live counts and its skipped and failed accounts grouped by reason."""
    async with deps.database.session() as session:
        run = RunRecord.of(await draft_runs.get_run(session, run_id))
        counts = await draft_runs.run_counts(session, run_id)
        rows = (
            await session.execute(
                select(DraftRunItem.state, DraftRunItem.reason, DraftRunItem.customer_id, Customer.name)
                .outerjoin(Customer, Customer.id == DraftRunItem.customer_id)
                .where(
                    DraftRunItem.run_id == run_id,
                    DraftRunItem.state.in_((RunItemState.SKIPPED, RunItemState.FAILED)),
                )
            )
        ).all()
    skipped = [(name or cid, reason) for state, reason, cid, name in rows if state == RunItemState.SKIPPED]
    failed = [(name or cid, reason) for state, reason, cid, name in rows if state == RunItemState.FAILED]
    return RunSummary(
        run=run.with_counts(counts),
        elapsed_seconds=elapsed,
        drafted_now=drafted_now,
        skipped_reasons=group_reasons(skipped),
        failed_reasons=group_reasons(failed),
    )


async def list_run_records(deps: AgentDeps, *, limit: int = 50) -> list[RunRecord]:
    """Newest first, with live counts for runs still going."""
    async with deps.database.session() as session:
        records = []
        for run in await draft_runs.list_runs(session, limit=limit):
            record = RunRecord.of(run)
            if record.state in ("pending", "running"):
                record = record.with_counts(await draft_runs.run_counts(session, run.id))
            records.append(record)
        return records


async def run_items(deps: AgentDeps, run_id: str) -> list[dict[str, Any]]:
    """Every item of the run, for `runs show --format json`."""
    async with deps.database.session() as session:
        await draft_runs.get_run(session, run_id)
        items = await draft_runs.list_items(session, run_id)
    return [
        {
            "customer_id": i.customer_id,
            "state": str(i.state),
            "reason": i.reason,
            "plan_id": i.plan_id,
            "version": i.version,
            **({"usage": i.usage} if i.usage else {}),
        }
        for i in items
    ]
