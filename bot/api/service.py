"""Plan operations for the REST API, each one policy-checked transaction over `Database`.

Callers authenticate first (`authenticate`) whenever they still have to parse the request before the
rest, so a missing token is reported before anything about the request itself.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ValidationError

from agent.review import with_review_of_edit
from storage.db import Database
from storage.errors import BadInput, NotFound
from storage.models import Customer
from storage.plan_document import SERVER_OWNED_FIELDS, AccountPlanDocument
from storage.plans import document_of, get_plan
from tools.plans.identity import actor_from_token
from tools.plans.lifecycle import TransitionResult, customer_ownership, edit_plan, ownership_of, transition
from tools.plans.policy import Actor, authorize

# The server owns these (readOnly in the OpenAPI document): a replacement document may leave them
# out, and values sent for them are ignored; the stored ones are kept. These three also identify
# the plan: a document naming another plan is refused rather than silently re-aimed at this one.
READ_ONLY_FIELDS = SERVER_OWNED_FIELDS
IDENTITY_FIELDS = ("plan_id", "customer_id", "fiscal_year")

FieldProblem = dict[str, str]


class PreconditionRequired(BadInput):
    """An edit that does not say which version it was made to; nothing was saved."""

    def __init__(self, current_version: int) -> None:
        super().__init__(f"say which version you edited (the plan is now version {current_version})")
        self.current_version = current_version


class InvalidDocument(BadInput):
    """A replacement plan document that is not valid; `fields` say where. Nothing was saved."""

    def __init__(self, fields: list[FieldProblem]) -> None:
        super().__init__("the plan document is not valid")
        self.fields = fields


def field_problems(error: ValidationError) -> list[FieldProblem]:
    """Pydantic's errors as `{"field": "strategic_objectives.1.priority", "message": ...}`."""
    return [
        {"field": ".".join(str(part) for part in item["loc"]) or "(document)", "message": item["msg"]}
        for item in error.errors(include_url=False)
    ]


async def authenticate(database: Database, token: str | None) -> Actor:
    """The user an API token was issued to; `Unauthenticated` for none or an unknown one."""
    async with database.session() as session:
        return await actor_from_token(session, token)


async def read_plan(database: Database, token: str | None, plan_id: str) -> AccountPlanDocument:
    """The plan's current document, for the token's user if they may view it."""
    async with database.session() as session:
        actor = await actor_from_token(session, token)
        plan = await get_plan(session, plan_id)
        authorize("view", actor, await ownership_of(session, plan))
        return document_of(plan)


async def authorize_generate(database: Database, actor: Actor, customer_id: str) -> None:
    """`NotFound` for an unknown customer, `PermissionDenied` unless `actor` may draft its plans."""
    async with database.session() as session:
        customer = await session.get(Customer, customer_id)
        if customer is None:
            raise NotFound(f"no customer {customer_id!r}")
        authorize("generate", actor, await customer_ownership(session, customer))


async def authorize_edit(
    database: Database, actor: Actor, plan_id: str, expected_version: int | None
) -> None:
    """The checks `replace_plan` starts with, for callers that want them before reading the new
    document: the plan exists, `actor` may edit it, and the edit names the version it was made to."""
    async with database.session() as session:
        plan = await get_plan(session, plan_id)
        authorize("edit", actor, await ownership_of(session, plan))
        if expected_version is None:
            raise PreconditionRequired(plan.version)


async def replace_plan(
    database: Database,
    actor: Actor,
    plan_id: str,
    body: dict[str, Any],
    expected_version: int | None,
    reason: str,
    *,
    today: date | None = None,
    start_month: int = 1,
) -> AccountPlanDocument:
    """Save `body` (a whole plan document) as the plan's next revision, with its plan review
    (against the data as of the plan's date; `today` when it records none); the saved document.

    Its identity (plan, customer, fiscal year) must match or be left out; every other server-owned
    field (status, version, customer name, confidence, generation context, ...) is taken from the
    stored plan whatever the body says. `Conflict` if the plan is no longer at `expected_version`.
    """
    async with database.session() as session:
        plan = await get_plan(session, plan_id)
        authorize("edit", actor, await ownership_of(session, plan))
        if expected_version is None:
            raise PreconditionRequired(plan.version)
        fixed = {"plan_id": plan.id, "customer_id": plan.customer_id, "fiscal_year": plan.fiscal_year}
        wrong = [
            {"field": key, "message": f"must be {fixed[key]!r}: it identifies the plan and cannot change"}
            for key in IDENTITY_FIELDS
            if body.get(key) not in (None, "", fixed[key])
        ]
        if wrong:
            raise InvalidDocument(wrong)
        stored = document_of(plan).to_json_dict()
        data = {key: value for key, value in body.items() if key not in READ_ONLY_FIELDS}
        data.update({key: stored[key] for key in READ_ONLY_FIELDS})
        try:
            document = AccountPlanDocument.model_validate(data)
        except ValidationError as error:
            raise InvalidDocument(field_problems(error)) from error
        # The stored review is ours to write, never the client's: review what is being saved.
        document = await with_review_of_edit(
            session, document_of(plan), document, today=today or date.today(), start_month=start_month
        )
        result = await edit_plan(
            session,
            plan_id,
            document,
            actor=actor,
            surface="api",
            expected_version=expected_version,
            reason=reason,
        )
        return result.saved.document


async def transition_plan(
    database: Database,
    actor: Actor,
    plan_id: str,
    action: str,
    *,
    expected_version: int | None,
    comment: str | None,
) -> tuple[TransitionResult, AccountPlanDocument]:
    """Apply one lifecycle transition for `actor`; what changed, and the plan's document after it."""
    async with database.session() as session:
        result = await transition(
            session,
            plan_id,
            action,
            actor=actor,
            surface="api",
            expected_version=expected_version,
            comment=comment,
        )
        return result, document_of(result.plan)
