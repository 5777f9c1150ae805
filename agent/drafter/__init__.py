"""The deterministic offline drafter: every plan section from the planning analytics alone.

Same context and fiscal year in, same plan out. It serves when no Anthropic key is set, as the
baseline every Claude draft falls back to section by section, and as the benchmark of substance.
"""

from __future__ import annotations

import uuid
from functools import cached_property
from typing import Any

from agent.drafter.benchmark import draft_benchmark
from agent.drafter.confidence import confidence_breakdown
from agent.drafter.expansion import draft_expansion_plan
from agent.drafter.ninety_days import draft_action_plan
from agent.drafter.objective_draft import ObjectiveDraft
from agent.drafter.objectives import choose_objectives, to_objectives
from agent.drafter.playbook import Playbook
from agent.drafter.risks import draft_risk_mitigation
from agent.drafter.schedule import draft_qbr_schedule, draft_resource_plan
from agent.drafter.situation import Situation
from agent.drafter.stakeholders import draft_stakeholder_plan
from agent.drafter.summary import draft_business_context, draft_executive_summary
from storage.errors import BadInput
from storage.plan_document import (
    QBR,
    SECTIONS,
    AccountPlanDocument,
    ActionItem,
    BenchmarkComparison,
    BusinessContext,
    ExpansionPlan,
    ResourcePlan,
    RiskMitigation,
    StakeholderPlan,
    StrategicObjective,
)
from storage.vocabulary import PlanStatus
from tools.analytics.context import PlanningContext

DRAFTER_NAME = "offline"
DRAFTER_VERSION = "offline-2.0"
PLAN_ID_NAMESPACE = uuid.UUID("6f1d2c4e-2350-4a5b-9c1e-235a11acc017")

__all__ = [
    "DRAFTER_NAME",
    "DRAFTER_VERSION",
    "PlanDraft",
    "draft_plan",
    "draft_section",
    "provisional_plan_id",
]


class PlanDraft:
    """One account's plan being drafted; each section is computed once, on first use, so drafting
    a single section only computes what it depends on."""

    def __init__(
        self,
        context: PlanningContext,
        fiscal_year: str,
        *,
        start_month: int = 1,
        playbook: Playbook | None = None,
    ) -> None:
        self.context = context
        self.fiscal_year = fiscal_year
        self.situation = Situation(context, fiscal_year, start_month, playbook)

    @cached_property
    def objective_drafts(self) -> list[ObjectiveDraft]:
        return choose_objectives(self.situation)

    @cached_property
    def objective_keys(self) -> list[str]:
        return [draft.key for draft in self.objective_drafts]

    @cached_property
    def strategic_objectives(self) -> list[StrategicObjective]:
        return to_objectives(self.situation, self.objective_drafts)

    @cached_property
    def executive_summary(self) -> str:
        return draft_executive_summary(self.situation, self.strategic_objectives)

    @cached_property
    def business_context(self) -> BusinessContext:
        return draft_business_context(self.situation)

    @cached_property
    def stakeholder_plan(self) -> StakeholderPlan:
        return draft_stakeholder_plan(self.situation)

    @cached_property
    def expansion_plan(self) -> ExpansionPlan:
        return draft_expansion_plan(self.situation)

    @cached_property
    def risk_mitigation(self) -> RiskMitigation:
        return draft_risk_mitigation(self.situation)

    @cached_property
    def qbr_schedule(self) -> list[QBR]:
        return draft_qbr_schedule(self.situation, self.strategic_objectives)

    @cached_property
    def resource_plan(self) -> ResourcePlan:
        return draft_resource_plan(self.situation, self.objective_keys)

    @cached_property
    def action_plan_90day(self) -> list[ActionItem]:
        return draft_action_plan(
            self.situation, self.objective_drafts, self.strategic_objectives, self.qbr_schedule
        )

    @cached_property
    def benchmark_comparison(self) -> BenchmarkComparison:
        return draft_benchmark(self.situation, self.objective_keys)

    def section(self, name: str) -> Any:
        if name not in SECTIONS:
            raise BadInput(f"unknown section {name!r}; accepted: {', '.join(SECTIONS)}")
        return getattr(self, name)

    def document(self, sections: tuple[str, ...] = SECTIONS) -> AccountPlanDocument:
        customer = self.context.customer
        confidence = confidence_breakdown(self.context)
        return AccountPlanDocument(
            plan_id=provisional_plan_id(customer.id, self.fiscal_year),
            status=PlanStatus.DRAFT,
            customer_id=customer.id,
            customer_name=customer.name,
            fiscal_year=self.fiscal_year,
            ai_confidence=confidence["value"],
            executive_summary=self.executive_summary,
            business_context=self.business_context,
            strategic_objectives=self.strategic_objectives,
            stakeholder_plan=self.stakeholder_plan,
            expansion_plan=self.expansion_plan,
            risk_mitigation=self.risk_mitigation,
            qbr_schedule=self.qbr_schedule,
            resource_plan=self.resource_plan,
            action_plan_90day=self.action_plan_90day,
            benchmark_comparison=self.benchmark_comparison,
            version=1,
            ai_generated=False,  # written from the data by rules; only a model's sections make it "AI"
            generation_context={
                "drafter": DRAFTER_NAME,
                "drafter_version": DRAFTER_VERSION,
                "as_of": self.context.as_of.isoformat(),
                "fiscal_year": self.fiscal_year,
                "fiscal_year_start_month": self.situation.start_month,
                "sections": list(sections),
                "data_gaps": list(self.situation.data_gaps),
                "data_to_fix": [fix.as_dict() for fix in self.situation.data_to_fix],
                "situation": self.situation.assessment.as_dict(),
                "confidence": confidence,
            },
        )


def provisional_plan_id(customer_id: str, fiscal_year: str) -> str:
    """A stable id for an unsaved draft (same account and year -> same id); saving keeps it for a
    new plan and replaces it with the existing plan's id for a revision."""
    return str(uuid.uuid5(PLAN_ID_NAMESPACE, f"{customer_id}/{fiscal_year}"))


def draft_plan(
    context: PlanningContext,
    fiscal_year: str,
    *,
    sections: tuple[str, ...] = SECTIONS,
    start_month: int = 1,
    playbook: Playbook | None = None,
) -> AccountPlanDocument:
    """The whole plan. A document is only valid with every section, so all are drafted; `sections`
    records which ones the caller asked for (in `generation_context["sections"]`). `playbook`
    defaults to the packaged one (agent/drafter/playbook.yml)."""
    return PlanDraft(context, fiscal_year, start_month=start_month, playbook=playbook).document(sections)


def draft_section(
    name: str,
    context: PlanningContext,
    fiscal_year: str,
    *,
    start_month: int = 1,
    playbook: Playbook | None = None,
) -> Any:
    """One section's value (the section model, a list of them, or the summary string)."""
    return PlanDraft(context, fiscal_year, start_month=start_month, playbook=playbook).section(name)
