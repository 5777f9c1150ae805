"""The REST API's contract in one place: request and error models (pydantic) and the route table.

`routes.py` mounts exactly these routes and validates bodies with these models; `openapi.py` derives
the OpenAPI document from them (schemas from the models, statuses from `Route.errors`), so the
document cannot drift from what the server does. The response body of every plan route is the plan
document itself (`storage.plan_document.AccountPlanDocument`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic.config import JsonDict

from storage.plan_document import SECTION_ALIASES, SECTIONS, parse_sections
from tools.analytics import fiscal_calendar

GENERATE_PATH = "/api/customers/{customer_id}/account-plan/generate"
PLAN_PATH = "/api/account-plans/{plan_id}"
OPENAPI_PATH = "/api/openapi.json"

# The largest request body accepted (413 above it; plan documents are tens of kilobytes) and the
# deepest JSON nesting (400 beyond it; a plan document nests about 6 levels).
MAX_BODY_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 32

SECTION_NAMES = ["all", *SECTIONS, *sorted(SECTION_ALIASES)]
SECTIONS_SCHEMA: JsonDict = {"items": {"type": "string", "enum": [*SECTION_NAMES]}, "default": ["all"]}


class FieldError(BaseModel):
    field: str = Field(description="Where, as a dotted path: `strategic_objectives.1.priority`.")
    message: str


class ErrorDetail(BaseModel):
    code: str = Field(examples=["conflict"], description="Stable, for programs: `not_found`, `conflict`, ...")
    message: str = Field(description="What went wrong and what to do, for a person to read.")
    fields: list[FieldError] = Field(default_factory=list)


class Error(BaseModel):
    """Every error response: `{"error": {"code", "message", "fields"}}`."""

    error: ErrorDetail


class GenerateRequest(BaseModel):
    """The PRD's generate request. Every field is optional: `{}` (or no body) drafts every section
    for the fiscal year being planned."""

    model_config = ConfigDict(extra="forbid")

    fiscal_year: str | None = Field(
        default=None,
        # Documented, and enforced by the validator below with a message naming the form.
        json_schema_extra={"pattern": "^FY[0-9]{4}$"},
        examples=["FY2026"],
        description="Default: the fiscal year being planned today. Must lie within "
        "FISCAL_YEAR_WINDOW_YEARS (5) of the current fiscal year.",
    )
    include_sections: list[str] = Field(
        default_factory=lambda: ["all"],
        json_schema_extra=SECTIONS_SCHEMA,
        description="Section names or aliases; `all` (the default) drafts every section.",
        validate_default=True,
    )
    reference_similar_accounts: bool = Field(
        default=True, description="False keeps the saved benchmark comparison instead of redrafting it."
    )
    replace: bool = Field(
        default=False,
        description="True drops what people changed since the last generation (edited or added "
        "objectives, done or snoozed actions, added risks, rewritten sections); by default they are "
        "kept and listed in generation_context.kept_edits.",
    )

    @field_validator("fiscal_year")
    @classmethod
    def _fiscal_year(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        context = info.context or {}
        today: date | None = context.get("today")
        if today is None:
            fiscal_calendar.parse_fiscal_year(value)
            return value
        try:
            return fiscal_calendar.check_fiscal_year(
                value,
                as_of=today,
                start_month=context.get("start_month", 1),
                window_years=context.get("window_years", fiscal_calendar.DEFAULT_FISCAL_YEAR_WINDOW_YEARS),
            )
        except Exception as error:  # BadInput -> a field error naming the accepted form or range
            raise ValueError(str(error)) from None

    @field_validator("include_sections")
    @classmethod
    def _sections(cls, value: list[str]) -> list[str]:
        return list(parse_sections(value))


class DecisionRequest(BaseModel):
    """A lifecycle transition's optional body."""

    model_config = ConfigDict(extra="forbid")

    comment: str | None = Field(default=None, description="Required to reject or request changes.")
    version: int | None = Field(default=None, ge=1, description="Same as If-Match: the version you saw.")


# What each error status means, in the words the document uses.
STATUS_MEANING: dict[int, str] = {
    400: "Malformed request: the body is not a JSON object (or nested deeper than 32 levels), a bad "
    "If-Match, or a comment missing where one is required.",
    401: "No bearer token, or an unknown or revoked one.",
    403: "The policy says no (not your book, your own plan, ...).",
    404: "No such plan or customer.",
    409: "Someone changed or decided first (stale version, already decided).",
    413: "The request body is over 1 MiB.",
    415: "A request body that is not `application/json`.",
    422: "The body is JSON but not a valid request or plan document; `fields` says where.",
    428: "PUT without If-Match: say which version you edited.",
    503: "The plan database is unreachable; nothing was changed. Retry later.",
}


@dataclass(frozen=True)
class Route:
    """One operation: what the server mounts and what the OpenAPI document says about it."""

    method: str
    path: str
    operation_id: str
    summary: str
    success: dict[int, str]  # status -> description; the body is the plan document
    errors: tuple[int, ...]
    request_model: type[BaseModel] | None = None
    request_required: bool = False
    if_match: bool = False  # "optional" header unless `if_match_required`
    if_match_required: bool = False
    description: str = ""
    path_parameters: tuple[str, ...] = ("plan_id",)
    extra: dict[str, Any] = field(default_factory=dict)


BODY_ERRORS = (400, 413, 415, 422)

DECISIONS: dict[str, tuple[str, str, bool]] = {
    # URL verb: (lifecycle action, summary, comment required)
    "submit": ("submit", "Submit the plan for approval by the CSM's manager", False),
    "approve": ("approve", "Approve the submitted version (its CSM's manager or an admin)", False),
    "request-changes": ("request_changes", "Send the plan back to its CSM with a comment", True),
    "reject": ("reject", "Reject the plan with a comment", True),
    "activate": ("activate", "Put an approved plan in force", False),
    "reopen": ("reopen", "Move a rejected or changes-requested plan back to draft", False),
}

ROUTES: tuple[Route, ...] = (
    Route(
        method="post",
        path=GENERATE_PATH,
        operation_id="generate",
        summary="Generate (or regenerate) the customer's account plan for a fiscal year",
        description="Regenerating keeps what people changed since the last generation (edited or "
        "added objectives, done or snoozed actions, added risks); `generation_context.kept_edits` "
        "lists them. Requests for the same plan are drafted one after another.",
        success={201: "A new plan (version 1).", 200: "A new revision of the customer's plan for that year."},
        errors=(*BODY_ERRORS, 401, 403, 404, 503),
        request_model=GenerateRequest,
        path_parameters=("customer_id",),
    ),
    Route(
        method="get",
        path=PLAN_PATH,
        operation_id="get_plan",
        summary="The plan document",
        success={200: "The current version."},
        errors=(401, 403, 404, 503),
    ),
    Route(
        method="put",
        path=PLAN_PATH,
        operation_id="replace_plan",
        summary="Replace the plan with an edited document (a new revision)",
        description="Fields marked readOnly belong to the server: they may be left out, and values "
        "sent for them are ignored (the stored ones are kept), except that a document naming "
        "another plan (plan_id, customer_id or fiscal_year) is refused with 422. Editing an "
        "approved or active plan creates a draft that needs approval again; the approved "
        "version (approved_version) stays in force meanwhile.",
        success={200: "The new revision (or the unchanged plan when nothing differs)."},
        errors=(*BODY_ERRORS, 401, 403, 404, 409, 428, 503),
        request_required=True,
        if_match=True,
        if_match_required=True,
    ),
    *(
        Route(
            method="post",
            path=f"{PLAN_PATH}/{verb}",
            operation_id=action,
            summary=summary,
            success={200: "The plan after the transition."},
            errors=(*BODY_ERRORS, 401, 403, 404, 409, 503),
            request_model=DecisionRequest,
            request_required=needs_comment,
            if_match=True,
        )
        for verb, (action, summary, needs_comment) in DECISIONS.items()
    ),
)
