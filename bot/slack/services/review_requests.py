"""What a chat surface needs around a review, each in its own short transaction: the request to show
a reviewer, deciding on behalf of a chat user, and where the reviewer's message was posted (so a
decision taken anywhere updates it in place).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from bot.slack.services.plan_cards import AccountFacts, facts_of
from storage.db import Database
from storage.models import AuditEvent
from storage.plan_document import AccountPlanDocument
from storage.plans import document_of, get_plan
from storage.users import find_user
from tools.plans.identity import UserDirectory, slack_id_for
from tools.plans.lifecycle import (
    TransitionResult,
    changes_since_approved,
    check_transition,
    ownership_of,
    transition,
)
from tools.plans.policy import Actor

REVIEW_MESSAGE_ACTION = "review_requested"
SYSTEM_ACTOR = "accountplan"


@dataclass(frozen=True)
class ReviewRequest:
    """A submitted plan as its reviewer sees it."""

    plan_id: str
    version: int
    status: str
    document: AccountPlanDocument
    csm: Actor | None
    reviewer: Actor | None
    previously_approved_version: int | None
    changes_since_approved: list[str]
    submitted_by: str | None
    facts: AccountFacts | None = None  # today's health, renewal and people (what the card shows)


@dataclass(frozen=True)
class PostedMessage:
    channel: str
    ts: str


async def review_request(database: Database, plan_id: str, today: date | None = None) -> ReviewRequest:
    """The plan as its reviewer sees it; with `today`, the account's facts as of that day too."""
    async with database.session() as session:
        plan = await get_plan(session, plan_id)
        owner = await ownership_of(session, plan)
        document = document_of(plan)
        csm_user = await find_user(session, owner.csm_email) if owner.csm_email else None
        reviewer_user = await find_user(session, owner.csm_manager_email) if owner.csm_manager_email else None
        return ReviewRequest(
            plan_id=plan.id,
            version=plan.version,
            status=plan.status,
            document=document,
            csm=Actor.from_user(csm_user) if csm_user else None,
            reviewer=Actor.from_user(reviewer_user) if reviewer_user else None,
            previously_approved_version=plan.approved_version
            if plan.approved_version != plan.version
            else None,
            changes_since_approved=await changes_since_approved(session, plan),
            submitted_by=owner.submitted_by,
            facts=await facts_of(session, plan, document, today) if today is not None else None,
        )


async def chat_id_for(database: Database, email: str, directory: UserDirectory | None) -> str | None:
    """The Slack id to reach `email` at (stored, else looked up by email and remembered)."""
    async with database.session() as session:
        return await slack_id_for(session, email, directory)


async def check_decision(
    database: Database,
    plan_id: str,
    action: str,
    *,
    actor: Actor,
    version: int,
) -> Actor:
    """PermissionDenied / Conflict now, before the reviewer types a comment for nothing."""
    async with database.session() as session:
        return await check_transition(
            session, plan_id, action, actor=actor, surface="slack", expected_version=version
        )


async def decide(
    database: Database,
    plan_id: str,
    action: str,
    *,
    actor: Actor,
    version: int,
    comment: str | None,
) -> TransitionResult:
    async with database.session() as session:
        return await transition(
            session, plan_id, action, actor=actor, surface="slack", expected_version=version, comment=comment
        )


async def record_review_message(
    database: Database, plan_id: str, version: int, reviewer_email: str, message: PostedMessage
) -> None:
    """Audit that the reviewer was asked (and where), so any surface can update that message later."""
    async with database.session() as session:
        session.add(
            AuditEvent(
                plan_id=plan_id,
                actor=SYSTEM_ACTOR,
                action=REVIEW_MESSAGE_ACTION,
                surface="slack",
                version=version,
                comment=f"asked {reviewer_email} to review",
                details={"reviewer": reviewer_email, "channel": message.channel, "ts": message.ts},
            )
        )


async def review_message(database: Database, plan_id: str, version: int) -> PostedMessage | None:
    """The newest review message posted for this version of the plan."""
    async with database.session() as session:
        event = (
            await session.execute(
                select(AuditEvent)
                .where(
                    AuditEvent.plan_id == plan_id,
                    AuditEvent.action == REVIEW_MESSAGE_ACTION,
                    AuditEvent.version == version,
                )
                .order_by(AuditEvent.id.desc())
                .limit(1)
            )
        ).scalar_one_or_none()
    details = event.details if event is not None else None
    if not details or not details.get("channel") or not details.get("ts"):
        return None
    return PostedMessage(channel=str(details["channel"]), ts=str(details["ts"]))
