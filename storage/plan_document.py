"""The account plan document: the PRD's API response JSON, validated.

Every plan, whoever drafts it (the offline drafter, Claude, a CSM editing it), is one of these.
Section models double as the JSON Schemas handed to Claude, so they are defined once, here.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.config import JsonDict

from storage.vocabulary import ActionStatus, OpportunityType, PlanStatus, Priority, Severity

ObjectiveOwner = Literal["CSM", "Customer", "Both"]
Quarter = Literal["Q1", "Q2", "Q3", "Q4"]

QUARTERS: tuple[Quarter, ...] = ("Q1", "Q2", "Q3", "Q4")
# "FY" and exactly four ASCII digits, nothing after: `\d` would take "FY٢٠٢٧" and `$` "FY2027\n".
FISCAL_YEAR_PATTERN = re.compile(r"^FY([0-9]{4})\Z", re.ASCII)
# Any date a plan may carry (QBRs, due dates). Wide enough for every fiscal year an as-of date in
# 2000-2099 can plan (see tools/analytics/fiscal_calendar.py), narrow enough to refuse 9999-12-31.
EARLIEST_PLAN_DATE = date(1980, 1, 1)
LATEST_PLAN_DATE = date(2199, 12, 31)
PlanDate = Annotated[date, Field(ge=EARLIEST_PLAN_DATE, le=LATEST_PLAN_DATE)]
Score = Annotated[int, Field(ge=0, le=100)]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
MetricValue = float | int | str | None


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BusinessContext(_Section):
    industry_trends: str
    customer_goals: str
    competitive_landscape: str


class SuccessMetric(_Section):
    metric: str
    current: MetricValue = Field(description="The value today, from the account's data; null when unknown.")
    target: MetricValue = Field(description="The value to reach by the end of the fiscal year.")
    measurement: str


class QuarterlyMilestone(_Section):
    quarter: Quarter
    milestone: str
    done: bool = False


class StrategicObjective(_Section):
    id: str = Field(pattern=r"^obj-\d+$")
    objective: str = Field(min_length=5)
    rationale: str = Field(min_length=5)
    success_metrics: list[SuccessMetric] = Field(min_length=1, max_length=4)
    quarterly_milestones: list[QuarterlyMilestone] = Field(min_length=4)
    owner: ObjectiveOwner
    priority: Priority

    @model_validator(mode="after")
    def _milestones_cover_the_year(self) -> StrategicObjective:
        missing = [q for q in QUARTERS if q not in {m.quarter for m in self.quarterly_milestones}]
        if missing:
            raise ValueError(
                f"{self.id}: quarterly milestones must cover Q1-Q4; missing {', '.join(missing)}"
            )
        return self


class StakeholderMapEntry(_Section):
    stakeholder_id: str
    name: str
    title: str | None = None
    role: str
    relationship_score: Score | None = None
    engagement_level: str | None = None
    active: bool = True


class RelationshipGoal(_Section):
    stakeholder_id: str
    name: str
    current_score: Score
    target_score: Score
    strategy: str


class StakeholderPlan(_Section):
    current_assessment: str
    current_map: list[StakeholderMapEntry]
    relationship_goals: list[RelationshipGoal]
    missing_roles: list[str]
    multi_threading_target: int = Field(ge=1, le=50)
    exec_sponsor_strategy: str


class ExpansionOpportunity(_Section):
    type: OpportunityType
    description: str
    value: float = Field(ge=0)
    probability: Probability
    timeline: str = Field(description="Expected fiscal quarter, e.g. 'Q2'.")


class ExpansionPlan(_Section):
    current_arr: float = Field(ge=0)
    target_arr: float = Field(ge=0)
    opportunities: list[ExpansionOpportunity]


class IdentifiedRisk(_Section):
    risk: str
    severity: Severity
    mitigation: str
    owner: str


class RiskMitigation(_Section):
    identified_risks: list[IdentifiedRisk]


class QBR(_Section):
    quarter: Quarter
    date: PlanDate
    focus: str
    attendees: list[str] = Field(default_factory=list)


class ResourcePlan(_Section):
    engagement_model: str
    csm_hours_per_month: int = Field(ge=0, le=200)
    specialists: list[str]
    executive_alignment: str
    rationale: str


class ActionItem(_Section):
    week: int = Field(ge=1, le=13)
    action: str
    owner: str
    due_date: PlanDate
    objective_id: str | None = None
    status: ActionStatus = ActionStatus.OPEN


class SimilarAccountRef(_Section):
    customer_id: str
    name: str
    industry: str | None = None
    segment: str | None = None
    arr: float | None = None
    similarity: float = Field(ge=0.0, le=1.0)
    outcome: str
    succeeded: bool


class BenchmarkComparison(_Section):
    similar_accounts_success_rate: Probability | None
    similar_accounts: list[SimilarAccountRef]
    key_differentiators: str
    missing_elements: list[str]


# Fields the server owns: a person's edit (REST PUT, a form) never sets them; the API documents them
# as readOnly and ignores values sent for them (see bot/api/service.replace_plan).
READ_ONLY: JsonDict = {"readOnly": True}
SERVER_OWNED_FIELDS: tuple[str, ...] = (
    "plan_id",
    "status",
    "customer_id",
    "customer_name",
    "fiscal_year",
    "ai_confidence",
    "version",
    "ai_generated",
    "generation_context",
    "approved_version",
)


class AccountPlanDocument(BaseModel):
    """The plan as stored, exported and returned by the API (the PRD's response JSON)."""

    model_config = ConfigDict(extra="forbid")

    plan_id: str = Field(json_schema_extra=READ_ONLY)
    status: PlanStatus = Field(default=PlanStatus.DRAFT, json_schema_extra=READ_ONLY)
    customer_id: str = Field(json_schema_extra=READ_ONLY)
    customer_name: str = Field(json_schema_extra=READ_ONLY)
    fiscal_year: str = Field(json_schema_extra=READ_ONLY)
    ai_confidence: Probability = Field(json_schema_extra=READ_ONLY)
    executive_summary: str = Field(min_length=20)
    business_context: BusinessContext
    strategic_objectives: list[StrategicObjective] = Field(min_length=3, max_length=5)
    stakeholder_plan: StakeholderPlan
    expansion_plan: ExpansionPlan
    risk_mitigation: RiskMitigation
    qbr_schedule: list[QBR]
    resource_plan: ResourcePlan
    action_plan_90day: list[ActionItem] = Field(min_length=1)
    benchmark_comparison: BenchmarkComparison
    version: int = Field(default=1, ge=1, json_schema_extra=READ_ONLY)
    ai_generated: bool = Field(default=False, json_schema_extra=READ_ONLY)
    generation_context: dict[str, Any] = Field(
        default_factory=dict,
        description=(
            "How the plan was made (drafter, as-of date, sections, fallbacks, usage, data gaps, confidence "
            "components) and its plan review: review = {findings: [{code, severity: error|warning, section, "
            "path, message, suggestion}], errors: N, warnings: N}, written by the server on every save."
        ),
        json_schema_extra=READ_ONLY,
    )
    # The version approved and in force while a newer draft waits (None: never approved).
    approved_version: int | None = Field(default=None, ge=1, json_schema_extra=READ_ONLY)

    @field_validator("fiscal_year")
    @classmethod
    def _fiscal_year_form(cls, value: str) -> str:
        if not FISCAL_YEAR_PATTERN.match(value):
            raise ValueError("fiscal year must look like FY2026")
        return value

    @model_validator(mode="after")
    def _objective_ids_unique(self) -> AccountPlanDocument:
        ids = [o.id for o in self.strategic_objectives]
        if len(ids) != len(set(ids)):
            raise ValueError("objective ids must be unique")
        return self

    def to_json_dict(self) -> dict[str, Any]:
        """The JSON-ready dict stored in the database and printed by `--format json`."""
        return self.model_dump(mode="json")


# The sections a plan is made of, in the PRD's order, with the model that validates each.
SectionName = Literal[
    "executive_summary",
    "business_context",
    "strategic_objectives",
    "stakeholder_plan",
    "expansion_plan",
    "risk_mitigation",
    "qbr_schedule",
    "resource_plan",
    "action_plan_90day",
    "benchmark_comparison",
]
SECTION_MODELS: dict[str, Any] = {
    "executive_summary": str,
    "business_context": BusinessContext,
    "strategic_objectives": list[StrategicObjective],
    "stakeholder_plan": StakeholderPlan,
    "expansion_plan": ExpansionPlan,
    "risk_mitigation": RiskMitigation,
    "qbr_schedule": list[QBR],
    "resource_plan": ResourcePlan,
    "action_plan_90day": list[ActionItem],
    "benchmark_comparison": BenchmarkComparison,
}
SECTIONS: tuple[str, ...] = tuple(SECTION_MODELS)
assert get_args(SectionName) == SECTIONS, "SectionName lists SECTION_MODELS' keys, in order"

# What people call each section (terminal, Markdown, Slack).
SECTION_TITLES: dict[str, str] = {
    "executive_summary": "Executive summary",
    "business_context": "Business context",
    "strategic_objectives": "Strategic objectives",
    "stakeholder_plan": "Stakeholder plan",
    "expansion_plan": "Expansion plan",
    "risk_mitigation": "Risks",
    "qbr_schedule": "QBR schedule",
    "resource_plan": "Resource plan",
    "action_plan_90day": "90-day action plan",
    "benchmark_comparison": "Benchmark comparison",
}
_PART = re.compile(r"^(?P<section>[a-z_0-9]+)(?:\[(?P<inside>[^\]]*)\])?", re.ASCII)


def part_title(path: str) -> str:
    """A document path or part key as a person reads it: "strategic_objectives[1]" -> "Objective 2",
    "action_plan_90day[weeks 5-8]" -> "90-day action plan, weeks 5-8", "risk_mitigation" -> "Risks"."""
    match = _PART.match(path)
    if match is None:
        return path
    section, inside = match.group("section"), match.group("inside")
    title = SECTION_TITLES.get(section, section.replace("_", " ").capitalize())
    if inside is None:
        return title
    if inside.isdigit():
        singular = {"strategic_objectives": "Objective", "qbr_schedule": "QBR", "action_plan_90day": "Action"}
        if section in singular:
            return f"{singular[section]} {int(inside) + 1}"
        return f"{title}, item {int(inside) + 1}"
    return f"{title}, {inside}"


SECTION_ALIASES: dict[str, str] = {
    "summary": "executive_summary",
    "context": "business_context",
    "objectives": "strategic_objectives",
    "stakeholders": "stakeholder_plan",
    "expansion": "expansion_plan",
    "risks": "risk_mitigation",
    "qbr": "qbr_schedule",
    "qbrs": "qbr_schedule",
    "resources": "resource_plan",
    "actions": "action_plan_90day",
    "90day": "action_plan_90day",
    "benchmarks": "benchmark_comparison",
    "benchmark": "benchmark_comparison",
}


def parse_sections(names: list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """Section names (or aliases, comma lists, 'all') -> canonical names in the PRD's order.

    Raises ValueError naming the accepted names for anything unknown.
    """
    if not names:
        return SECTIONS
    wanted: set[str] = set()
    for raw in names:
        for name in (part.strip().lower() for part in raw.split(",")):
            if not name:
                continue
            if name == "all":
                return SECTIONS
            canonical = SECTION_ALIASES.get(name, name)
            if canonical not in SECTION_MODELS:
                raise ValueError(
                    f"unknown section {name!r}; accepted: all, {', '.join(SECTIONS)} "
                    f"(or {', '.join(sorted(SECTION_ALIASES))})"
                )
            wanted.add(canonical)
    return tuple(s for s in SECTIONS if s in wanted)


def plan_json_schema() -> dict[str, Any]:
    """JSON Schema of the whole document (handed to Claude and served with the API docs)."""
    return AccountPlanDocument.model_json_schema()
