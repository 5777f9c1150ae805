"""The APScheduler side of living plans: cron triggers derived from settings (digest weekday and
hour, daily reminders, hourly change detection, a minute tick for proposals), all calling
`LivingPlansJobs.run_due` with the injected clock's time. The schedule needs no job store: it is
rebuilt from settings at start, and what already ran is in the database (job_claims)."""

from __future__ import annotations

import logging
import os
import socket
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from slack_sdk.web.async_client import AsyncWebClient

from agent.deps import Clock, utc_now
from bot.scheduler.jobs import JOBS, WEEKDAYS, LivingPlansJobs, RunReport, Schedule
from bot.scheduler.notify import Notifier, SlackNotifier
from bot.slack.deps import SlackDeps
from storage.errors import BadInput
from storage.settings import Settings

log = logging.getLogger(__name__)

# A run that starts late (event loop busy, process paused) still runs if within this many seconds.
MISFIRE_GRACE_SECONDS = 600


def schedule_from_settings(settings: Settings) -> Schedule:
    """The schedule, with DIGEST_WEEKDAY read the way people write it ("Monday", "mon", "MON")."""
    weekday = settings.digest_weekday.strip().lower()[:3]
    if weekday not in WEEKDAYS:
        raise BadInput(
            f"DIGEST_WEEKDAY must be a day of the week like mon or Monday, not {settings.digest_weekday!r}"
        )
    try:
        ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadInput(
            f"ACCOUNTPLAN_TIMEZONE must be a time zone like Europe/Paris, not {settings.timezone!r}"
        ) from None
    return Schedule(
        digest_weekday=weekday,
        digest_hour=settings.digest_hour,
        reminder_hour=settings.digest_hour,
        timezone=settings.timezone,
        fiscal_year_start_month=settings.fiscal_year_start_month,
    )


def worker_name() -> str:
    """Unique per process, readable in job_claims.claimed_by."""
    return f"{socket.gethostname()}:{os.getpid()}"


def triggers(schedule: Schedule) -> dict[str, CronTrigger]:
    zone = schedule.zone
    return {
        "digest": CronTrigger(day_of_week=schedule.digest_weekday, hour=schedule.digest_hour, timezone=zone),
        "reminders": CronTrigger(hour=schedule.reminder_hour, timezone=zone),
        "changes": CronTrigger(minute=0, timezone=zone),
        "proposals": CronTrigger(minute="*", timezone=zone),
        "activation": CronTrigger(hour=0, minute=5, timezone=zone),
    }


class LivingPlansScheduler:
    """An `AsyncIOScheduler` wired to the jobs, plus the catch-up run at start."""

    def __init__(self, jobs: LivingPlansJobs, *, clock: Clock = utc_now) -> None:
        self.jobs = jobs
        self.clock = clock
        self.scheduler = AsyncIOScheduler(timezone=jobs.schedule.zone)
        for name, trigger in triggers(jobs.schedule).items():
            self.scheduler.add_job(
                self.tick,
                trigger,
                args=[name],
                id=f"living:{name}",
                name=f"living plans: {name}",
                coalesce=True,  # several missed firings collapse into one run
                max_instances=1,
                misfire_grace_time=MISFIRE_GRACE_SECONDS,
                replace_existing=True,
            )

    async def tick(self, job: str = "proposals") -> RunReport | None:
        """What a trigger fires: one job's current slot (the minute tick: every job's)."""
        # The minute tick also re-runs any earlier slot that did not finish (Slack down, a crash):
        # slots that ran are one cheap claim lookup each.
        jobs = JOBS if job == "proposals" else (job,)
        try:
            return await self.jobs.run_due(self.clock(), jobs)
        except Exception:  # a failed run is retried by the next tick; the scheduler must live on
            log.exception("living plans job %s failed", job)
            return None

    async def catch_up(self) -> RunReport:
        """Run every job's latest slot that has not run yet (e.g. the digest of a Monday morning
        when every replica was down); claims make it happen once across replicas."""
        return await self.jobs.run_due(self.clock(), JOBS)

    def start(self) -> None:
        self.scheduler.start()
        self.scheduler.add_job(self._catch_up_logged, id="living:catch-up", replace_existing=True)

    async def _catch_up_logged(self) -> None:
        try:
            report = await self.catch_up()
            log.info("living plans catch-up: ran %s, sent %s", report.ran, report.sent)
        except Exception:
            log.exception("living plans catch-up failed; the next tick retries")

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    def next_run_times(self) -> dict[str, datetime | None]:
        return {job.id: job.next_run_time for job in self.scheduler.get_jobs()}


def start_scheduler(
    deps: SlackDeps,
    client: AsyncWebClient | None = None,
    *,
    notifier: Notifier | None = None,
    worker: str | None = None,
) -> LivingPlansScheduler:
    """Called by `accountplan serve` inside its running event loop: builds and starts the living
    plans scheduler (and queues the catch-up run). `client` is the app's Web API client."""
    if notifier is None:
        if client is None:
            from bot.slack.web_client import create_web_client

            client = create_web_client(deps)
        notifier = SlackNotifier(client, deps.database)
    from bot.scheduler.drafting import agent_drafter

    jobs = LivingPlansJobs(
        deps.database,
        notifier,
        worker=worker or worker_name(),
        schedule=schedule_from_settings(deps.settings),
        drafter=agent_drafter(deps.agent),
    )
    scheduler = LivingPlansScheduler(jobs, clock=deps.clock)
    scheduler.start()
    _share_bulk_runs(scheduler, deps)
    return scheduler


def _share_bulk_runs(scheduler: LivingPlansScheduler, deps: SlackDeps) -> None:
    """Every replica helps draft bulk runs with unclaimed accounts (and finishes a dead replica's)."""
    from agent.bulk import JOIN_EVERY_SECONDS, join_active_runs

    async def join() -> None:
        try:
            await join_active_runs(deps.agent, workers=deps.bulk_workers, in_process=deps.bulk_in_process)
        except Exception:  # the next tick tries again; the scheduler must live on
            log.exception("joining bulk runs failed")

    scheduler.scheduler.add_job(
        join,
        IntervalTrigger(seconds=JOIN_EVERY_SECONDS),
        id="bulk:join-runs",
        name="bulk runs: help draft",
        coalesce=True,
        max_instances=1,  # one run at a time per replica: it uses all the worker processes
        replace_existing=True,
    )
