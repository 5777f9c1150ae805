"""The revision agent's tools: name + description + input schema (from a pydantic model) + async
execute, bound to one run's `RevisionDeps`.

Edits apply to the run's working copy of the plan, each validated and grounded as it is made; the
working copy is saved as one revision only when the run finishes cleanly. There is deliberately no
tool that approves, rejects or sets a status: `request_submission` only asks for a submission,
which the lifecycle performs after saving.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent.claude.grounding import GroundingFacts
from agent.claude.workflow import fenced_json
from agent.intents.split import split_request
from agent.intents.status import SUBMIT, is_decision_request
from storage.errors import AccountPlanError
from storage.plan_diff import diff_plans
from storage.plan_document import SECTIONS, AccountPlanDocument, SectionName
from tools.analytics.context import PlanningContext
from tools.plans import edits as plan_edits
from tools.plans.edits import PlanEditRejected, validation_problems
from tools.plans.revisions import GroundingCheck

log = logging.getLogger(__name__)


@dataclass
class RevisionDeps:
    """Everything one revision run's tools may touch."""

    plan_id: str
    original: AccountPlanDocument
    document: AccountPlanDocument  # the working copy the edit tools change
    facts: GroundingFacts
    check: GroundingCheck
    context: PlanningContext | None = None
    # Whether the person's own message asks for submission: checked in code, not left to the model.
    submission_asked: bool = False
    submit_requested: bool = False
    submit_comment: str | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class ToolFailed(Exception):
    """A tool could not do what was asked; the message goes back to the model as an error result."""


class _NoInput(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _SectionInput(_NoInput):
    section: SectionName = Field(description="Which section to read.")


class _SubmissionInput(_NoInput):
    comment: str | None = Field(default=None, description="An optional note for the reviewing manager.")


@dataclass(frozen=True)
class AgentTool:
    name: str
    description: str
    input_model: type[BaseModel]
    execute: Callable[[RevisionDeps, Any], Awaitable[Any]]

    def definition(self) -> dict[str, Any]:
        # Not `strict`: the API takes at most 20 strict tools per request (there are 30 here) and
        # `update_section` carries free-form section content no strict schema can describe; every
        # input is validated against its pydantic model instead, and failures go back as errors.
        return {
            "name": self.name,
            "description": self.description,
            "input_schema": self.input_model.model_json_schema(),
        }


def as_data(payload: Any) -> str:
    """Tool output for the model, with customer-written text fenced as data."""
    return "<data>\n" + fenced_json(payload) + "\n</data>"


async def _get_plan(deps: RevisionDeps, _: _NoInput) -> Any:
    plan = deps.document.to_json_dict()
    return {k: plan[k] for k in ("plan_id", "status", "version", "customer_name", "fiscal_year", *SECTIONS)}


async def _get_section(deps: RevisionDeps, request: _SectionInput) -> Any:
    return {request.section: deps.document.to_json_dict()[request.section]}


def _context(deps: RevisionDeps) -> PlanningContext:
    if deps.context is None:
        raise ToolFailed("the account's live data is not available right now; work from the plan itself")
    return deps.context


async def _get_customer_context(deps: RevisionDeps, _: _NoInput) -> Any:
    return _context(deps).model_dump(mode="json", exclude={"similar"})


async def _find_similar_accounts(deps: RevisionDeps, _: _NoInput) -> Any:
    similar = _context(deps).similar
    if similar is None:
        raise ToolFailed("no similar accounts were found for this customer")
    return similar.model_dump(mode="json")


async def _explain_benchmark(deps: RevisionDeps, _: _NoInput) -> Any:
    similar = _context(deps).similar
    return {
        "plan_benchmark": deps.document.benchmark_comparison.model_dump(mode="json"),
        "how_it_was_computed": similar.explanation if similar else "no similar accounts with a known outcome",
        "distinguishing_factors": similar.distinguishing_factors if similar else [],
        "successful_profile": similar.successful_profile if similar else {},
    }


def asks_for_decision(message: str) -> bool:
    """Whether some part of a person's message asks the assistant to approve, reject or activate the
    plan: refused in code whatever the model answers (there is no tool for it either)."""
    return any(is_decision_request(part.strip()) for part in split_request(message))


def asks_to_submit(message: str) -> bool:
    """Whether a person's message asks for the plan to be submitted for approval: some part of it
    is a submission request as the offline intent parser reads one ("submit it", "send it to my
    manager for review"), not a question about it or "don't submit yet"."""
    return any(SUBMIT.search(part.strip()) for part in split_request(message))


async def _request_submission(deps: RevisionDeps, request: _SubmissionInput) -> Any:
    if not deps.submission_asked:
        raise ToolFailed(
            "the CSM did not ask to submit this plan, so it stays a draft; submit only when they ask for it"
        )
    deps.submit_requested = True
    deps.submit_comment = request.comment
    return {
        "ok": True,
        "note": "the plan will be submitted for a manager's approval once your changes are saved",
    }


async def _apply_edit(deps: RevisionDeps, edit: plan_edits.Edit) -> Any:
    """Apply one edit to the working copy, validated and grounded against the plan as it was."""
    # Parallel tool calls edit one working copy; the lock applies them one at a time.
    # The same edit operations (and cascades: renumbering, placeholders, moved prep actions) as the
    # offline path; `notes` tell the model what followed so it can tell the CSM.
    async with deps.lock:
        before = deps.document
        applied = plan_edits.apply_edits_noted(before, [edit])
        problems = deps.check(deps.original, applied.document)
        if problems:
            raise PlanEditRejected(problems)
        deps.document = applied.document
    result: dict[str, Any] = {"ok": True, "changes": diff_plans(before, applied.document) or ["nothing changed"]}
    if applied.notes:
        result["notes"] = applied.notes
    return result


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


# Every shared plan edit is a tool, named after its type (ReassignActions -> reassign_actions).
_EDIT_MODELS: tuple[type[plan_edits.Edit], ...] = plan_edits.EDIT_TYPES

TOOLS: tuple[AgentTool, ...] = (
    AgentTool("get_plan", "Read the whole plan as it stands (with your changes so far).", _NoInput, _get_plan),
    AgentTool("get_section", "Read one section of the plan.", _SectionInput, _get_section),
    AgentTool(
        "get_customer_context",
        "Read the account's data: customer, contacts with relationship scores, health and usage trends, "
        "opportunities, risk signals, expansion candidates and detected risks.",
        _NoInput, _get_customer_context,
    ),
    AgentTool("find_similar_accounts", "The similar accounts found for this customer, with outcomes.", _NoInput,
              _find_similar_accounts),
    AgentTool("explain_benchmark", "How the plan's benchmark comparison was computed and what peers did.", _NoInput,
              _explain_benchmark),
    *(
        AgentTool(_snake(model.__name__), (model.__doc__ or model.__name__).strip(), model, _apply_edit)
        for model in _EDIT_MODELS
    ),
    AgentTool(
        "request_submission",
        "Ask for the plan to be submitted for a manager's approval after your changes are saved. Only when the "
        "CSM explicitly asks to submit. This does not approve anything.",
        _SubmissionInput, _request_submission,
    ),
)  # fmt: skip
TOOLS_BY_NAME = {tool.name: tool for tool in TOOLS}


def tool_definitions() -> list[dict[str, Any]]:
    return [tool.definition() for tool in TOOLS]


async def run_tool(deps: RevisionDeps, name: str, tool_input: Any, tool_use_id: str) -> dict[str, Any]:
    """One tool call -> its `tool_result` block; every failure becomes an `is_error` result."""
    tool = TOOLS_BY_NAME.get(name)
    try:
        if tool is None:
            raise ToolFailed(f"there is no tool {name!r}; use only the tools provided")
        try:
            request = tool.input_model.model_validate(tool_input or {})
        except ValidationError as error:
            raise ToolFailed("invalid input: " + "; ".join(validation_problems(error))) from error
        output = await tool.execute(deps, request)
        return {"type": "tool_result", "tool_use_id": tool_use_id, "content": as_data(output)}
    except (ToolFailed, AccountPlanError) as error:
        message = error.message if isinstance(error, AccountPlanError) else str(error)
        log.info("revision tool %s failed: %s", name, message)
        return {"type": "tool_result", "tool_use_id": tool_use_id, "is_error": True, "content": message}
