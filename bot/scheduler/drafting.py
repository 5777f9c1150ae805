"""How a change proposal is drafted in production: the sections the change touches are redrafted
by the generation workflow (Claude when configured, else the offline drafter) from today's data,
on top of the deterministic adjustment that records the change and dates a follow-up action."""

from __future__ import annotations

import logging

from agent.deps import AgentDeps
from agent.generate import GenerationRequest, generate_plan
from agent.review import with_fresh_review, with_review
from storage.plan_document import AccountPlanDocument
from tools.living.adjustments import adjust_plan_for_changes
from tools.living.change_detection import ProposalDrafter
from tools.living.tracked_inputs import ChangeReason, TrackedInputs

log = logging.getLogger(__name__)

# Which plan sections each kind of change makes stale. The 90-day actions are never redrafted:
# their done / snoozed history must survive; the adjustment adds the follow-ups instead.
SECTIONS_BY_CHANGE: dict[str, tuple[str, ...]] = {
    "health_drop": ("risk_mitigation",),
    "utilization_swing": ("risk_mitigation",),
    "new_risk": ("risk_mitigation",),
    "departed_stakeholder": ("stakeholder_plan", "risk_mitigation"),
    "new_opportunity": ("expansion_plan",),
    "lost_opportunity": ("expansion_plan",),
}


def affected_sections(reasons: list[ChangeReason]) -> tuple[str, ...]:
    wanted = {section for reason in reasons for section in SECTIONS_BY_CHANGE.get(reason.kind, ())}
    return tuple(sorted(wanted))


def agent_drafter(deps: AgentDeps) -> ProposalDrafter:
    async def draft(
        document: AccountPlanDocument, reasons: list[ChangeReason], current: TrackedInputs
    ) -> AccountPlanDocument:
        adjusted = adjust_plan_for_changes(document, reasons, current)
        sections = affected_sections(reasons)
        if not sections:
            return await _reviewed(deps, adjusted)
        try:
            generated = await generate_plan(
                deps,
                GenerationRequest(
                    customer=document.customer_id,
                    fiscal_year=document.fiscal_year,
                    as_of=current.as_of,
                    sections=sections,
                    author="accountplan",
                    surface="scheduler",
                    save=False,
                ),
            )
        except Exception:  # the deterministic proposal is still a useful one
            log.exception(
                "redrafting %s for %s failed; proposing the adjusted plan", sections, document.customer_id
            )
            return await _reviewed(deps, adjusted)
        redrafted = {section: getattr(generated.document, section) for section in sections}
        if "risk_mitigation" in redrafted:
            # Keep the risk that names the change itself, even if the redraft words it differently.
            fresh = generated.document.risk_mitigation.identified_risks
            known = {r.risk for r in fresh}
            added = [
                r
                for r in adjusted.risk_mitigation.identified_risks[
                    len(document.risk_mitigation.identified_risks) :
                ]
            ]
            redrafted["risk_mitigation"] = generated.document.risk_mitigation.model_copy(
                update={"identified_risks": fresh + [r for r in added if r.risk not in known]}
            )
        context = {**generated.document.generation_context, "redrafted_sections": list(sections)}
        proposed = adjusted.model_copy(update=redrafted | {"generation_context": context})
        # The proposal mixes the old plan with redrafted sections: review what is actually proposed.
        return with_review(proposed, generated.context)

    return draft


async def _reviewed(deps: AgentDeps, document: AccountPlanDocument) -> AccountPlanDocument:
    async with deps.database.session() as session:
        return await with_fresh_review(
            session, document, today=deps.today(), start_month=deps.fiscal_year_start_month
        )
