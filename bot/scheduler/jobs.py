"""The living-plans jobs: weekly digests, daily reminders, hourly change detection, and the
minute-by-minute delivery of proposals (including those an import just created).

Each job works on a *slot* (the digest of the week starting Monday 09:00, the reminders of a day,
the change check of an hour). A slot is run through a claim in the database, and so is every
message in it, so with several replicas each message goes out once; a slot that was missed while
everything was down is caught up once, on the next start or tick."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block
from sqlalchemy import func, select

from bot.scheduler.notify import Notifier
from bot.slack.blocks.living import (
    digest_blocks,
    digest_text,
    proposal_blocks,
    proposal_text,
    qbr_reminder_blocks,
    qbr_reminder_text,
    renewal_reminder_blocks,
    renewal_reminder_text,
)
from storage.db import Database
from storage.job_claims import done_keys, exactly_once, prune_done
from storage.models import Customer, PlanProposal
from storage.vocabulary import ProposalStatus
from tools.living.actions import due_actions_by_csm
from tools.living.change_detection import ProposalDrafter, default_drafter, propose_revisions
from tools.living.proposals import get_proposal
from tools.living.reminders import due_qbr_reminders, due_renewal_reminders

log = logging.getLogger(__name__)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
RUN_LEASE = timedelta(minutes=15)
MESSAGE_LEASE = timedelta(minutes=5)
JOBS = ("digest", "reminders", "changes", "proposals", "activation")
PRUNE_AFTER = timedelta(days=2)
# Slack errors no retry can fix: the person cannot be messaged.
PERMANENT_SLACK_ERRORS = frozenset(
    {
        "user_not_found",
        "users_not_found",
        "channel_not_found",
        "account_inactive",
        "user_disabled",
        "cannot_dm_bot",
    }
)


class RunIncomplete(Exception):
    """Some messages of a run were not sent; the run's slot stays open for the next tick."""


@dataclass(frozen=True)
class Message:
    kind: str  # digest | qbr | renewal | proposal
    key: str  # its exactly-once claim
    email: str | None
    text: str
    blocks: list[Block]


@dataclass
class RunReport:
    """What one call did: messages sent per kind (tests and logs read it)."""

    sent: dict[str, int] = field(default_factory=dict)
    ran: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def add(self, kind: str, count: int = 1) -> None:
        self.sent[kind] = self.sent.get(kind, 0) + count


@dataclass
class Schedule:
    """When the jobs run, in the team's time zone (from settings)."""

    digest_weekday: str = "mon"
    digest_hour: int = 9
    reminder_hour: int = 9
    timezone: str = "UTC"
    fiscal_year_start_month: int = 1  # when approved plans go live (the activation job)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def slot(self, job: str, now: datetime) -> str:
        """The most recent slot of `job` at or before `now`, as a stable name."""
        local = now.astimezone(self.zone)
        if job == "digest":
            weekday = WEEKDAYS.index(self.digest_weekday.lower()[:3])
            start = local.replace(hour=self.digest_hour, minute=0, second=0, microsecond=0)
            start -= timedelta(days=(local.weekday() - weekday) % 7)
            if start > local:
                start -= timedelta(days=7)
            return start.date().isoformat()
        if job == "reminders":
            day = local.date() if local.hour >= self.reminder_hour else local.date() - timedelta(days=1)
            return day.isoformat()
        if job == "changes":
            return local.strftime("%Y-%m-%dT%H")
        if job == "proposals":
            return local.strftime("%Y-%m-%dT%H:%M")
        if job == "activation":  # daily: approved plans go live when their fiscal year starts
            return local.date().isoformat()
        raise ValueError(f"unknown job {job!r}")


class LivingPlansJobs:
    """The jobs, bound to a database, a way to DM people and a clock-independent `now` argument
    (the APScheduler wrapper passes the injected clock's time; tests pass any time they like)."""

    def __init__(
        self,
        database: Database,
        notifier: Notifier,
        *,
        worker: str,
        schedule: Schedule | None = None,
        drafter: ProposalDrafter = default_drafter,
    ) -> None:
        self.database = database
        self.notifier = notifier
        self.worker = worker
        self.schedule = schedule or Schedule()
        self.drafter = drafter

    async def run_due(self, now: datetime, jobs: tuple[str, ...] = JOBS) -> RunReport:
        """Run each job's current slot unless it already ran: the tick and the start-up catch-up.

        A job that fails (or could not send every message) leaves its slot unclaimed, so the next
        tick runs it again; the messages it did send are claimed and never repeated."""
        report = RunReport()
        for job in jobs:
            slot = self.schedule.slot(job, now)
            try:
                async with exactly_once(
                    self.database, f"run:{job}:{slot}", worker=self.worker, now=now, lease=RUN_LEASE
                ) as mine:
                    if mine:
                        await getattr(self, f"_run_{job}")(now, slot, report)
                        report.ran.append(f"{job}:{slot}")
            except Exception:
                log.exception("living plans job %s (%s) did not finish; the next tick retries it", job, slot)
                report.failed.append(f"{job}:{slot}")
        return report

    async def _send_once(
        self, key: str, email: str | None, text: str, blocks: list[Block], now: datetime
    ) -> bool:
        if not email:
            return False
        async with exactly_once(self.database, key, worker=self.worker, now=now, lease=MESSAGE_LEASE) as mine:
            if not mine:
                return False
            try:
                return await self.notifier.dm(email, text, blocks)
            except SlackApiError as error:
                code = str(error.response.get("error", "")) if error.response is not None else ""
                if code not in PERMANENT_SLACK_ERRORS:
                    raise
                # Retrying cannot help (no such user, deactivated...): count it as handled.
                log.warning("Slack refused %s for %s (%s); not retrying", key, email, code)
                return False

    async def _send_all(self, messages: list[Message], now: datetime, report: RunReport) -> None:
        """Send each message once; one failure does not stop the others, and makes the run retry."""
        if not messages:
            return
        async with self.database.session() as session:
            already = await done_keys(session, [m.key for m in messages])
        failures = 0
        for message in messages:
            if message.key in already:
                continue
            try:
                if await self._send_once(message.key, message.email, message.text, message.blocks, now):
                    report.add(message.kind)
            except Exception as error:
                failures += 1
                log.warning("could not send %s (%s): %s", message.kind, message.key, error)
        if failures:
            raise RunIncomplete(f"{failures} message(s) not sent")

    async def _run_digest(self, now: datetime, slot: str, report: RunReport) -> None:
        today = now.astimezone(self.schedule.zone).date()
        async with self.database.session() as session:
            by_csm = await due_actions_by_csm(session, today)
        week_of = date.fromisoformat(slot)
        messages = [
            Message("digest", f"digest:{slot}:{csm}", csm, digest_text(items, week_of), digest_blocks(items))
            for csm, items in sorted(by_csm.items())
        ]
        await self._send_all(messages, now, report)

    async def _run_reminders(self, now: datetime, slot: str, report: RunReport) -> None:
        today = now.astimezone(self.schedule.zone).date()
        async with self.database.session() as session:
            qbrs = await due_qbr_reminders(session, today)
            renewals = await due_renewal_reminders(session, today)
        messages = [
            Message("qbr", q.key, q.csm_email, qbr_reminder_text(q), qbr_reminder_blocks(q)) for q in qbrs
        ] + [
            Message("renewal", r.key, r.csm_email, renewal_reminder_text(r), renewal_reminder_blocks(r))
            for r in renewals
        ]
        await self._send_all(messages, now, report)

    async def _run_changes(self, now: datetime, slot: str, report: RunReport) -> None:
        created = await propose_revisions(self.database, now=now, drafter=self.drafter)
        report.add("proposed", len(created))
        await self._deliver_proposals(now, report)
        # Minute slots and import checks never come round again; a day later they are just rows.
        for prefix in ("run:proposals:", "import-check:", "run:changes:"):
            await prune_done(self.database, prefix, before=now - PRUNE_AFTER)

    async def _run_activation(self, now: datetime, slot: str, report: RunReport) -> None:
        """Approved plans whose fiscal year has begun become active (the lifecycle's own update)."""
        from tools.plans.lifecycle import activate_started_plans

        async with self.database.session() as session:
            activated = await activate_started_plans(
                session, today=date.fromisoformat(slot), start_month=self.schedule.fiscal_year_start_month
            )
        report.add("activated", len(activated))

    async def _run_proposals(self, now: datetime, slot: str, report: RunReport) -> None:
        """Every minute: re-check right after an import, and deliver proposals nobody has sent yet."""
        async with self.database.session() as session:
            last_import = (await session.execute(select(func.max(Customer.updated_at)))).scalar_one_or_none()
        if last_import is not None:
            async with exactly_once(
                self.database,
                f"import-check:{last_import.isoformat()}",
                worker=self.worker,
                now=now,
                lease=RUN_LEASE,
            ) as mine:
                if mine:
                    created = await propose_revisions(self.database, now=now, drafter=self.drafter)
                    report.add("proposed", len(created))
        await self._deliver_proposals(now, report)

    async def _deliver_proposals(self, now: datetime, report: RunReport) -> None:
        # From the table, not from what this replica created: a proposal whose creator died (or
        # that an import made) still reaches the CSM, once.
        async with self.database.session() as session:
            pending = (
                await session.execute(
                    select(PlanProposal.id)
                    .where(PlanProposal.status == ProposalStatus.PROPOSED)
                    .order_by(PlanProposal.created_at)
                )
            ).scalars()
            proposals = [await get_proposal(session, proposal_id) for proposal_id in pending]
        messages = [
            Message("proposal", f"proposal:{p.id}", p.csm_email, proposal_text(p), proposal_blocks(p))
            for p in proposals
        ]
        await self._send_all(messages, now, report)
