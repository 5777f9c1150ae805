"""What several listener modules share: exactly-once event handling."""

from __future__ import annotations

import logging
from typing import Any

from bot.slack.deps import SlackDeps
from bot.slack.services.event_dedupe import claim_event

log = logging.getLogger(__name__)


async def first_delivery(deps: SlackDeps, body: dict[str, Any]) -> bool:
    """True the first time this event id is seen by any replica; Slack's retries and redeliveries
    carry the same id, so they are acknowledged (Bolt already did) and dropped here."""
    event_id = body.get("event_id")
    if not event_id:
        return True
    if await claim_event(deps.database, str(event_id), now=deps.clock()):
        return True
    log.info("event %s already handled; skipping the redelivery", event_id)
    return False
