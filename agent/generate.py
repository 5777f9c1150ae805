"""Generating a plan end to end: resolve the customer, gather context, draft, validate, save.

Every surface (CLI, Slack, REST API) calls `generate_plan`; it is the one place that decides which
writer drafts, how fallbacks are recorded and how a plan is persisted (one transaction, never
half-written).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from agent.claude.grounding import plan_provenance
from agent.deps import AgentDeps
from agent.drafter import DRAFTER_VERSION, draft_plan
from agent.drafter.confidence import confidence_breakdown
from agent.generation_record import inputs_summary, revision_reason
from agent.regeneration import GenerationInputs, carry_edits, load_generation_inputs, plan_lock
from agent.review import with_review
from agent.section_writer import (
    OfflineSectionWriter,
    ProgressCallback,
    ProgressEvent,
    SectionOutcome,
    SectionWriter,
)
from storage.customers import find_customer
from storage.db import Database
from storage.errors import BadInput, Conflict, NotFound
from storage.plan_document import SECTIONS, AccountPlanDocument
from storage.plans import SavedPlan, save_plan_version
from storage.vocabulary import PlanStatus
from tools.analytics import fiscal_calendar
from tools.analytics.context import PlanningContext
from tools.living.tracked_inputs import tracked_inputs_from_context

log = logging.getLogger(__name__)

SAVE_ATTEMPTS = 2
# Confidence lost when every requested section fell back to the offline drafter (pro rata below).
FALLBACK_CONFIDENCE_PENALTY = 0.2

__all__ = [
    "DraftedGeneration",
    "GeneratedPlan",
    "GenerationRequest",
    "ProgressCallback",
    "ProgressEvent",
    "default_writer",
    "draft_generation",
    "generate_plan",
    "inputs_summary",
    "resolve_fiscal_year",
]


@dataclass
class GenerationRequest:
    customer: str  # id or (fuzzy) name
    fiscal_year: str | None = None  # "FY2026"; default: the fiscal year containing as_of
    as_of: date | None = None  # default: today
    sections: tuple[str, ...] = SECTIONS
    author: str = "cli"  # user email / Slack id of who asked
    surface: str = "cli"  # cli | slack | api
    save: bool = True
    offline: bool = False  # force the offline drafter even when an Anthropic key is set
    replace: bool = False  # drop what people changed since the last generation instead of keeping it


@dataclass
class GeneratedPlan:
    document: AccountPlanDocument
    context: PlanningContext
    saved: bool
    created: bool  # a new plan (version 1) rather than a new revision
    elapsed_ms: float
    kept: list[str] = field(default_factory=list)  # people's edits carried into the new draft


def default_writer(deps: AgentDeps) -> SectionWriter | None:
    """The writer used when the deps carry a Claude client; None means the offline drafter."""
    if deps.claude is None:
        return None
    from agent.claude.workflow import ClaudeSectionWriter

    return ClaudeSectionWriter(deps.claude)


def resolve_fiscal_year(
    fiscal_year: str | None,
    as_of: date,
    start_month: int,
    window_years: int = fiscal_calendar.DEFAULT_FISCAL_YEAR_WINDOW_YEARS,
) -> str:
    """The requested fiscal year, validated and inside the planning window around `as_of`, or the
    one being planned on `as_of` (the current fiscal year; the next one once its last quarter has
    begun). Raises BadInput, also for an as-of date outside the accepted range."""
    fiscal_calendar.check_as_of(as_of)
    if fiscal_year is None:
        return fiscal_calendar.planning_fiscal_year(as_of, start_month)
    return fiscal_calendar.check_fiscal_year(
        fiscal_year, as_of=as_of, start_month=start_month, window_years=window_years
    )


def _validate_sections(sections: tuple[str, ...]) -> tuple[str, ...]:
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown or not sections:
        raise BadInput(
            f"unknown section {', '.join(repr(s) for s in unknown) or '(none given)'}; "
            f"accepted: all, {', '.join(SECTIONS)}"
        )
    return tuple(s for s in SECTIONS if s in sections)


async def generate_plan(
    deps: AgentDeps,
    request: GenerationRequest,
    *,
    progress: ProgressCallback | None = None,
    writer: SectionWriter | None = None,
) -> GeneratedPlan:
    """Draft (and unless `save=False`, store) the customer's plan for the fiscal year.

    Sections not requested come from the customer's saved plan for that year when there is one
    (a partial regeneration), otherwise from the offline baseline. Raises BadInput before anything
    is written when the request is malformed, UnknownCustomer when nobody matches.
    """
    started = time.perf_counter()
    database = deps.database
    request = replace(request, as_of=request.as_of or deps.today())
    fiscal_year = resolve_fiscal_year(
        request.fiscal_year, request.as_of or deps.today(), deps.fiscal_year_start_month,
        deps.settings.fiscal_year_window_years,
    )  # fmt: skip
    _validate_sections(tuple(request.sections))
    async with database.session() as session:
        customer = await find_customer(session, request.customer)
    # One generation of a plan at a time (per process): a second request for the same plan waits,
    # then drafts over the first's result (keeping people's edits) instead of racing it to a 409.
    async with plan_lock(database, customer.id, fiscal_year):
        drafted = await draft_generation(deps, request, customer.id, progress=progress, writer=writer)
        document = drafted.document
        saved = created = False
        if request.save:
            result = await _save(database, document, request, drafted.reason)
            document, saved, created = result.document, True, result.created
    elapsed_ms = (time.perf_counter() - started) * 1000
    return GeneratedPlan(
        document=document,
        context=drafted.context,
        saved=saved,
        created=created,
        elapsed_ms=elapsed_ms,
        kept=drafted.kept,
    )


@dataclass
class DraftedGeneration:
    """A generation drafted, validated and reviewed as it will be saved, not saved yet: `reason`
    is its revision reason, `stored_version` the version it was drafted over (None: a new plan)."""

    document: AccountPlanDocument
    context: PlanningContext
    reason: str
    kept: list[str]
    stored_version: int | None


async def draft_generation(
    deps: AgentDeps,
    request: GenerationRequest,
    customer_id: str,
    *,
    progress: ProgressCallback | None = None,
    writer: SectionWriter | None = None,
    inputs: GenerationInputs | None = None,
) -> DraftedGeneration:
    """Everything `generate_plan` does for a resolved customer except saving: bulk runs save many
    of these in one transaction, with exactly the content a single generation would save. `inputs`:
    read already with the rest of a batch's (`load_generation_inputs`, with the request's as-of date,
    fiscal year and keep-edits); None reads them now."""
    database = deps.database
    start_month = deps.fiscal_year_start_month
    as_of = request.as_of or deps.today()
    fiscal_year = resolve_fiscal_year(
        request.fiscal_year, as_of, start_month, deps.settings.fiscal_year_window_years
    )
    sections = _validate_sections(tuple(request.sections))
    if inputs is None:
        async with database.session() as session:
            loaded = await load_generation_inputs(
                session, [customer_id], as_of, fiscal_year, start_month=start_month, keep_edits=not request.replace
            )
        if customer_id not in loaded:
            raise NotFound(f"no customer with id {customer_id!r}")
        inputs = loaded[customer_id]
    context, stored = inputs.context, inputs.stored
    # A partial regeneration keeps the unrequested sections from the saved plan.
    previous = stored.document if stored is not None and sections != SECTIONS else None

    baseline = draft_plan(context, fiscal_year, start_month=start_month, playbook=deps.playbook)
    if writer is None and not request.offline:
        writer = default_writer(deps)
    active_writer: SectionWriter = writer or OfflineSectionWriter()

    outcome = await _write(active_writer, context, fiscal_year, sections, baseline, progress)
    document = _assemble(baseline, previous, outcome, sections, active_writer.name)
    document = _with_generation_context(
        document, baseline, context, request, sections, outcome, active_writer, previous
    )
    kept: list[str] = []
    if stored is not None and stored.edits is not None:
        document, kept = carry_edits(document, stored.edits, sections)

    # Reviewed as it will be saved: people's kept edits included.
    document = with_review(document, context, start_month=start_month)
    reason = revision_reason(sections, active_writer.name, outcome, kept, request.replace)
    return DraftedGeneration(
        document=document,
        context=context,
        reason=reason,
        kept=kept,
        stored_version=stored.plan.version if stored is not None else None,
    )


async def _save(
    database: Database, document: AccountPlanDocument, request: GenerationRequest, reason: str
) -> SavedPlan:
    """One transaction. A generation racing another for the same plan (a double click, two
    surfaces) lost only the race, not its content: it is retried once as the next revision."""
    for attempt in range(SAVE_ATTEMPTS):
        try:
            async with database.session() as session:
                return await save_plan_version(
                    session,
                    document,
                    author=request.author,
                    reason=reason,
                    surface=request.surface,
                    kind="generated",
                )
        except (IntegrityError, Conflict):
            if attempt == SAVE_ATTEMPTS - 1:
                raise
            log.info(
                "plan for %s %s changed while generating; saving as the next revision",
                document.customer_id,
                document.fiscal_year,
            )
    raise AssertionError("unreachable")


async def _write(
    writer: SectionWriter,
    context: PlanningContext,
    fiscal_year: str,
    sections: tuple[str, ...],
    baseline: AccountPlanDocument,
    progress: ProgressCallback | None,
) -> SectionOutcome:
    """Run the writer; any section it did not deliver is the baseline's, with the reason recorded."""
    try:
        outcome = await writer.write_sections(context, fiscal_year, sections, baseline, progress)
    except Exception as error:
        # A writer is expected to fall back by itself; this is the net under it: the plan is still
        # drafted, offline, and the reason recorded. Never the error text (it may quote a prompt).
        log.exception("%s writer failed; drafting every section offline", writer.name)
        outcome = SectionOutcome(
            sections={},
            fallbacks=dict.fromkeys(sections, f"{writer.name} writer failed ({type(error).__name__})"),
        )
    for section in sections:
        if section not in outcome.sections:
            reason = outcome.fallbacks.get(section, f"{writer.name} writer returned nothing")
            outcome.fallbacks[section] = reason
            outcome.sections[section] = getattr(baseline, section)
            if progress is not None and writer.name != "offline":
                await progress(ProgressEvent(section, "fallback", reason))
    return outcome


def _assemble(
    baseline: AccountPlanDocument,
    previous: AccountPlanDocument | None,
    outcome: SectionOutcome,
    sections: tuple[str, ...],
    writer_name: str,
) -> AccountPlanDocument:
    """Merge the written sections over the baseline (or the saved plan) and validate the whole."""
    if previous is None and all(outcome.sections[s] is getattr(baseline, s) for s in sections):
        # The baseline's own sections (the offline writer): already a valid whole, so no round
        # trip through JSON (~0.35 ms of a bulk run's plan).
        return baseline.model_copy(update={"status": PlanStatus.DRAFT})
    base = (previous or baseline).to_json_dict()
    base["ai_confidence"] = baseline.ai_confidence
    base["status"] = "draft"  # saving decides the stored status; an unsaved draft is a draft
    for key in ("customer_id", "customer_name", "fiscal_year"):
        base[key] = getattr(baseline, key)
    merged = dict(base)
    for section in sections:
        merged[section] = _jsonable(outcome.sections[section])
    try:
        return AccountPlanDocument.model_validate(merged)
    except ValidationError as error:
        # The sections validated one by one but not together (e.g. duplicate objective ids):
        # the offline draft of every requested section is consistent by construction.
        log.warning(
            "%s sections did not validate as a whole; using the offline draft: %s", writer_name, error
        )
        for section in sections:
            merged[section] = baseline.to_json_dict()[section]
            outcome.fallbacks.setdefault(section, "the written plan did not validate as a whole")
        return AccountPlanDocument.model_validate(merged)


def _jsonable(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    return value


def _with_generation_context(
    document: AccountPlanDocument,
    baseline: AccountPlanDocument,
    context: PlanningContext,
    request: GenerationRequest,
    sections: tuple[str, ...],
    outcome: SectionOutcome,
    writer: SectionWriter,
    previous: AccountPlanDocument | None,
) -> AccountPlanDocument:
    """Record how the plan was made: inputs, as-of date, who drafted it (and with which version),
    sections, fallbacks, model usage, data gaps and the confidence components."""
    drafted = baseline.generation_context
    confidence = dict(drafted.get("confidence") or confidence_breakdown(context))
    ai_confidence = document.ai_confidence
    if writer.name != "offline" and sections:
        # What the model could not write well enough was drafted offline: say so in the score, pro
        # rata (one objective of five that fell back is a fifth of that section).
        fallback_share = sum(
            outcome.offline_share.get(s, 1.0 if s in outcome.fallbacks else 0.0) for s in sections
        ) / len(sections)
        ai_confidence = round(baseline.ai_confidence * (1 - FALLBACK_CONFIDENCE_PENALTY * fallback_share), 2)
        confidence.update(fallback_share=round(fallback_share, 2), after_fallbacks=ai_confidence)
    generation_context: dict[str, Any] = {
        "drafter": writer.name,
        "drafter_version": getattr(writer, "version", DRAFTER_VERSION),
        "baseline_drafter_version": DRAFTER_VERSION,
        "as_of": context.as_of.isoformat(),
        "fiscal_year": baseline.fiscal_year,
        "fiscal_year_start_month": drafted.get("fiscal_year_start_month"),
        "sections": list(sections),
        "kept_from_previous_version": (
            [s for s in SECTIONS if s not in sections] if previous is not None else []
        ),
        "fallbacks": dict(outcome.fallbacks),
        "usage": dict(outcome.usage),
        "data_gaps": list(drafted.get("data_gaps", context.data_gaps)),
        # The account's situation (shared contract: Slack's status chip reads risk_level) and the
        # records the CSM should fix, as the offline drafter read them, whoever wrote the sections.
        "situation": drafted.get("situation"),
        "data_to_fix": list(drafted.get("data_to_fix", [])),
        "inputs": inputs_summary(context),
        "confidence": confidence,
        "tracked_inputs": tracked_inputs_from_context(context).model_dump(mode="json"),
        # What every figure and person in the plan rests on, whoever drafted it.
        "provenance": plan_provenance(document, context),
        "requested_by": request.author,
        "surface": request.surface,
    }
    return document.model_copy(
        update={
            "generation_context": generation_context,
            "ai_generated": _ai_wrote(writer, sections, outcome, previous),
            "ai_confidence": ai_confidence,
        }
    )


def _ai_wrote(
    writer: SectionWriter,
    sections: tuple[str, ...],
    outcome: SectionOutcome,
    previous: AccountPlanDocument | None,
) -> bool:
    """True only when a model wrote at least one section of this plan: one it drafted now (and did
    not fall back on), or one kept from a saved version a model wrote. The offline drafter's plans
    are "drafted from your data", never AI-drafted."""
    if writer.name != "offline" and any(s not in outcome.fallbacks for s in sections):
        return True
    kept = [s for s in SECTIONS if s not in sections]
    return bool(previous is not None and previous.ai_generated and kept)
