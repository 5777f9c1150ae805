"""Revising a plan from a plain-language request: the one API the Slack bot, REST API and CLI call.

With an Anthropic key, the Claude revision agent does it; without one, the intent parser
(`agent.intents`). Both apply the same typed edits (`tools.plans.edits`) with the same cascades.
Either way every change is validated and grounded, the whole request is saved as one new revision
(or nothing is), and submission for approval is the only status change ever requested.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from agent.claude.grounding import GroundingFacts, grounding_check, plan_provenance
from agent.deps import AgentDeps
from agent.intents import PlanFacts, compose_reply, run_request
from agent.intents.status import decision_refusal
from agent.review import review_finisher
from storage.db import Database
from storage.errors import AccountPlanError, BadInput, NotFound
from storage.plan_diff import diff_plans
from storage.plan_document import AccountPlanDocument
from storage.plans import document_of, get_plan
from storage.users import find_user
from tools.analytics import context as context_tools
from tools.analytics.context import PlanningContext
from tools.plans import lifecycle
from tools.plans.edits import PlanEdit
from tools.plans.identity import resolve_actor
from tools.plans.policy import authorize
from tools.plans.revisions import EditResult, Finisher, GroundingCheck, save_edits, save_revision

if TYPE_CHECKING:
    from agent.claude.client import ClaudeClient

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 4000
MAX_REVISIONS_KEPT = 50  # per-revision accounting entries kept in generation_context


@dataclass
class RevisionOutcome:
    reply: str
    diff: list[str]
    document: AccountPlanDocument
    changed: bool
    submitted: bool
    usage: dict[str, Any] = field(default_factory=dict)
    refused: bool = False  # a decision (approve, reject, activate) was asked for and refused
    answered: bool = False  # the request was only questions, all answered


@dataclass
class _Prepared:
    document: AccountPlanDocument
    context: PlanningContext | None
    check: GroundingCheck
    facts: GroundingFacts
    # Every saved revision carries its own plan review, against the data as of the plan's date.
    finish: Finisher


async def _prepare(deps: AgentDeps, plan_id: str, actor: str | None) -> _Prepared:
    """Load the plan, make sure `actor` may edit it, and gather the data edits are grounded in."""
    async with deps.database.session() as session:
        plan = await get_plan(session, plan_id)
        if actor is not None:
            who = await resolve_actor(session, actor)
            authorize("edit", who, await lifecycle.ownership_of(session, plan))
        document = document_of(plan)
        context: PlanningContext | None = None
        try:
            # The data as of the plan's own date, so the scores and figures read agree with the plan.
            as_of = _plan_as_of(document) or deps.today()
            context = await context_tools.gather_planning_context(
                session,
                plan.customer_id,
                as_of,
                fiscal_year=plan.fiscal_year,
                fiscal_year_start_month=deps.fiscal_year_start_month,
            )
        except AccountPlanError as error:
            log.warning(
                "no live data for plan %s (%s); grounding edits in the plan itself", plan_id, error.message
            )
    facts = GroundingFacts.from_context(context) if context else GroundingFacts.from_document(document)
    return _Prepared(
        document=document,
        context=context,
        check=grounding_check(facts),
        facts=facts,
        finish=review_finisher(today=deps.today(), start_month=deps.fiscal_year_start_month, context=context),
    )


def _plan_as_of(document: AccountPlanDocument) -> date | None:
    try:
        return date.fromisoformat(str(document.generation_context.get("as_of")))
    except ValueError:
        return None


def _with_accounting(
    document: AccountPlanDocument, usage: dict[str, Any], surface: str
) -> AccountPlanDocument:
    """Record this revision's model usage beside the generation's (tokens per plan and per revision)."""
    context = dict(document.generation_context)
    revisions = [
        *context.get("revisions", []),
        {
            **usage,
            "version": document.version + 1,
            "surface": surface,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
        },
    ]
    context["revisions"] = revisions[-MAX_REVISIONS_KEPT:]
    totals = dict(context.get("revision_usage_total", {}))
    for key in (
        "calls",
        "input_tokens",
        "output_tokens",
        "cache_read_input_tokens",
        "cache_creation_input_tokens",
    ):
        totals[key] = totals.get(key, 0) + int(usage.get(key, 0))
    context["revision_usage_total"] = totals
    return document.model_copy(update={"generation_context": context})


async def _save(
    database: Database,
    plan_id: str,
    original: AccountPlanDocument,
    edited: AccountPlanDocument,
    *,
    actor: str,
    surface: str,
    reason: str,
    check: GroundingCheck | None,
    submit: bool,
    usage: dict[str, Any],
    facts: GroundingFacts | None = None,
    finish: Finisher | None = None,
) -> tuple[AccountPlanDocument, list[str], bool, str]:
    """Save the edited plan as one revision, then submit it when asked. Returns the document, its
    diff, whether it was submitted, and a note for the reply."""
    diff = diff_plans(original, edited)
    document, note, submitted = original, "", False
    if diff:
        if usage:
            edited = _with_accounting(edited, usage, surface)
        if facts is not None:  # the plan's sources follow its edits
            context = {**edited.generation_context, "provenance": plan_provenance(edited, facts)}
            edited = edited.model_copy(update={"generation_context": context})
        async with database.session() as session:
            result = await save_revision(
                session,
                plan_id,
                edited,
                base_version=original.version,
                actor=actor,
                surface=surface,
                reason=reason,
                check=check,
                finish=finish,
            )
        document = result.document
    if submit:
        # Its own transaction: a refused submission must not undo the edits just saved.
        try:
            async with database.session() as session:
                transition = await lifecycle.submit_for_approval(
                    session, plan_id, actor=actor, surface=surface, expected_version=document.version
                )
                document = document_of(transition.plan)
            submitted = True
            reviewer = transition.manager_to_notify.label if transition.manager_to_notify else "a manager"
            note = f"Submitted for approval; {reviewer} will review it."
        except AccountPlanError as error:
            note = f"I couldn't submit it for approval: {error.message}"
    return document, diff, submitted, note


async def grounding_check_for(deps: AgentDeps, plan_id: str) -> GroundingCheck:
    """The grounding check for edits to this plan (for callers below the agent layer, e.g. a tools
    function saving a Slack form: pass it as `check=` to `tools.plans.edits.save_edits`)."""
    return (await _prepare(deps, plan_id, None)).check


async def apply_plan_edits(
    deps: AgentDeps,
    plan_id: str,
    edits: list[PlanEdit],
    *,
    actor: str,
    surface: str,
    expected_version: int | None = None,
) -> EditResult:
    """Typed edits from a form (the Slack "Edit objective" modal, the REST API), grounded in the
    account's data and saved as one revision. Raises PlanEditRejected (a BadInput) with the
    problems, Conflict when the plan moved past `expected_version`, PermissionDenied."""
    prepared = await _prepare(deps, plan_id, actor)
    async with deps.database.session() as session:
        return await save_edits(
            session,
            plan_id,
            edits,
            actor=actor,
            surface=surface,
            check=prepared.check,
            expected_version=expected_version if expected_version is not None else prepared.document.version,
            finish=prepared.finish,
        )


async def revise_plan(
    deps: AgentDeps,
    plan_id: str,
    message: str,
    *,
    actor: str,
    surface: str,
    offline: bool = False,
) -> RevisionOutcome:
    """Apply a plain-language change request to a plan (Claude when the deps carry a client, else the
    grammar; `offline` forces the grammar).

    Raises NotFound / PermissionDenied / BadInput before anything is changed, Conflict when the
    plan changed meanwhile, ClaudeUnavailable when Claude cannot be reached.
    """
    message = message.strip()
    if not message:
        raise BadInput("say what to change, e.g. 'set priority of objective 2 to critical'")
    if len(message) > MAX_MESSAGE_CHARS:
        raise BadInput(f"that request is too long ({len(message)} characters; at most {MAX_MESSAGE_CHARS})")
    client = None if offline else deps.claude
    prepared = await _prepare(deps, plan_id, actor)
    if client is None:
        return await _revise_offline(deps, plan_id, message, prepared, actor=actor, surface=surface)
    return await _revise_with_claude(
        deps.database, plan_id, message, prepared, client, actor=actor, surface=surface
    )


async def _revise_with_claude(
    database: Database,
    plan_id: str,
    message: str,
    prepared: _Prepared,
    client: ClaudeClient,
    *,
    actor: str,
    surface: str,
) -> RevisionOutcome:
    from agent.claude.revision_agent import relayable_reply, run_revision_agent
    from agent.claude.tools import RevisionDeps, asks_for_decision, asks_to_submit

    started = time.perf_counter()
    deps = RevisionDeps(
        plan_id=plan_id,
        original=prepared.document,
        document=prepared.document,
        facts=prepared.facts,
        # The model is told what would be allowed instead of each unsupported figure.
        check=grounding_check(prepared.facts, teach=True),
        context=prepared.context,
        submission_asked=asks_to_submit(message),
    )
    run = await run_revision_agent(client, deps, message)
    usage = run.usage.as_dict(client.model) | {
        "turns": run.turns,
        "stop_reason": run.stop_reason,
        "wall_ms": round((time.perf_counter() - started) * 1000, 1),
    }
    refused = asks_for_decision(message)
    refusal = decision_refusal(prepared.document.customer_name, prepared.document.fiscal_year) if refused else ""
    if not run.completed:
        reply = " ".join(part for part in (refusal, run.reply) if part)
        return RevisionOutcome(
            reply, [], prepared.document, changed=False, submitted=False, refused=refused, usage=usage
        )
    document, diff, submitted, note = await _save(
        database,
        plan_id,
        prepared.document,
        deps.document,
        actor=actor,
        surface=surface,
        reason=f"revised with Claude: {message[:200]}",
        check=prepared.check,
        finish=prepared.finish,
        submit=deps.submit_requested and deps.submission_asked,
        usage=usage,
        facts=prepared.facts,
    )
    # What the person reads is built from what happened: the model's words minus any claim the
    # tools do not back, then the lifecycle's own note on submission.
    said = relayable_reply(run.reply, changed=bool(diff), submitted=submitted)
    reply = " ".join(part for part in (said, note, refusal) if part)
    return RevisionOutcome(
        reply, diff, document, changed=bool(diff), submitted=submitted, refused=refused, usage=usage
    )


async def _plan_facts(deps: AgentDeps, plan_id: str, prepared: _Prepared) -> PlanFacts:
    """What questions about the plan are answered from besides the plan itself."""
    context = prepared.context
    async with deps.database.session() as session:
        plan = await get_plan(session, plan_id)
        changes = await lifecycle.changes_since_approved(session, plan) if plan.approved_version else None
        ownership = await lifecycle.ownership_of(session, plan)
        manager = (
            await find_user(session, ownership.csm_manager_email) if ownership.csm_manager_email else None
        )
    return PlanFacts(
        today=deps.today(),
        renewal_date=context.customer.renewal_date if context else None,
        health_score=context.customer.health_score if context else None,
        approved_version=plan.approved_version,
        changes_since_approval=changes,
        reviewer=(manager.name or manager.email) if manager else None,
    )


async def _revise_offline(
    deps: AgentDeps, plan_id: str, message: str, prepared: _Prepared, *, actor: str, surface: str
) -> RevisionOutcome:
    """Each part of the request that can be done is done, on one working copy saved as one
    revision; the reply says what changed, what could not be done and why, and answers questions."""
    original = prepared.document
    facts = await _plan_facts(deps, plan_id, prepared)
    # What a person types is the source of its figures: validated and reviewed, not grounded (as the
    # Slack form and REST edits); grounding guards against figures a model invents.
    result = run_request(message, original, facts, None)
    title = f"{original.customer_name} {original.fiscal_year}"
    refused = any(part.outcome == "refused" for part in result.parts)
    document, diff, submitted, note = original, [], False, ""
    if result.changed or result.submit:
        try:
            document, diff, submitted, note = await _save(
                deps.database,
                plan_id,
                original,
                result.document,
                actor=actor,
                surface=surface,
                reason=f"revised: {message[:200]}",
                check=None,
                finish=prepared.finish,
                submit=result.submit,
                usage={},
                facts=prepared.facts,
            )
        except (BadInput, NotFound) as error:  # understood, but the plan cannot take it
            reply = f"Nothing changed in {title}: {error.message}."
            return RevisionOutcome(reply, [], original, changed=False, submitted=False, refused=refused)
    reply = compose_reply(
        title, result.parts, saved_version=document.version if diff else None, submission_note=note or None
    )
    answered = any(part.outcome == "answered" for part in result.parts) and all(
        part.outcome in ("answered", "aside") for part in result.parts
    )
    return RevisionOutcome(
        reply, diff, document, changed=bool(diff), submitted=submitted, refused=refused, answered=answered
    )
