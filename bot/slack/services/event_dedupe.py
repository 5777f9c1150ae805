"""Exactly-once handling of Slack events: the first process to insert an event id wins.

An INSERT into `processed_events` (event_id is the primary key) fails for every later attempt, so
Slack's retries, Socket Mode redeliveries and other replicas all see the event as taken.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from storage.db import Database, rows_affected
from storage.models import ProcessedEvent


async def claim_event(database: Database, event_id: str, *, now: datetime) -> bool:
    """True for the first caller with this `event_id`, False for every other one."""
    try:
        async with database.session() as session:
            session.add(ProcessedEvent(event_id=event_id, received_at=now))
            await session.flush()
    except IntegrityError:
        return False
    return True


async def forget_events_before(database: Database, cutoff: datetime) -> int:
    """Drop ids older than Slack's retry window so the table stays small; returns rows removed."""
    async with database.session() as session:
        result = await session.execute(delete(ProcessedEvent).where(ProcessedEvent.received_at < cutoff))
    return rows_affected(result)
