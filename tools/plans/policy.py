"""Who may do what with a plan: the one authorization policy every surface asks.

Pure functions over an `Actor` (the person asking) and a `PlanOwnership` (whose book the plan is
in). CSMs plan for their own book; a manager decides on plans of the CSMs who report to them;
admins may do both; nobody decides on a plan they own or submitted themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from storage.errors import PermissionDenied
from storage.models import User
from storage.vocabulary import USER_ROLES, Role

Action = Literal[
    "view",
    "export",
    "generate",
    "edit",
    "track",
    "submit",
    "approve",
    "request_changes",
    "reject",
    "activate",
    "reopen",
    "draft_book",
]
ACTIONS: tuple[Action, ...] = (
    "view",
    "export",
    "generate",
    "edit",
    "track",
    "submit",
    "approve",
    "request_changes",
    "reject",
    "activate",
    "reopen",
    "draft_book",
)
# The review decisions: only a reviewer (the owner's manager or an admin) may take them.
DECISIONS: frozenset[Action] = frozenset({"approve", "request_changes", "reject"})
OPERATOR_EMAIL = "cli"

_VERBS: dict[Action, str] = {
    "view": "view",
    "export": "export",
    "generate": "generate",
    "edit": "edit",
    "track": "update the actions of",
    "submit": "submit",
    "approve": "approve",
    "request_changes": "request changes on",
    "reject": "reject",
    "activate": "activate",
    "reopen": "reopen",
    "draft_book": "draft every plan of",
}


def as_decision(text: str) -> Action | None:
    """`text` as a review decision, or None when it names none (buttons and forms are untrusted)."""
    return next((decision for decision in DECISIONS if decision == text), None)


@dataclass(frozen=True)
class Actor:
    """A person acting on plans (a `users` row), or the terminal operator."""

    email: str
    role: Role
    name: str = ""
    manager_email: str | None = None
    slack_user_id: str | None = None

    @classmethod
    def from_user(cls, user: User) -> Actor:
        role = user.role if user.role in USER_ROLES else Role.CSM
        return cls(
            email=user.email,
            role=role,
            name=user.name,
            manager_email=user.manager_email,
            slack_user_id=user.slack_user_id,
        )

    @classmethod
    def operator(cls) -> Actor:
        """Whoever runs the CLI without `--as`: may prepare plans, never decide on them, because a
        decision must name the person who took it."""
        return cls(email=OPERATOR_EMAIL, role=Role.OPERATOR, name="terminal operator")

    @property
    def label(self) -> str:
        return self.name or self.email


@dataclass(frozen=True)
class PlanOwnership:
    """What the policy needs to know about a plan: whose book it is in, and who submitted it. The
    names, when known, are what refusals say (people are named, not their addresses)."""

    csm_email: str | None
    csm_manager_email: str | None = None
    submitted_by: str | None = None
    csm_name: str | None = None
    csm_manager_name: str | None = None

    @property
    def csm_label(self) -> str | None:
        return self.csm_name or self.csm_email

    @property
    def manager_label(self) -> str | None:
        return self.csm_manager_name or self.csm_manager_email


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


def _same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and a.strip().lower() == b.strip().lower()


def _owns(actor: Actor, plan: PlanOwnership) -> bool:
    return _same(actor.email, plan.csm_email)


def _manages(actor: Actor, plan: PlanOwnership) -> bool:
    return actor.role in (Role.MANAGER, Role.ADMIN) and _same(actor.email, plan.csm_manager_email)


def decide(action: Action, actor: Actor, plan: PlanOwnership) -> Decision:
    """Whether `actor` may take `action` on `plan`, with the reason either way."""
    verb = _VERBS[action]
    if action in DECISIONS:
        if actor.role == Role.OPERATOR:
            return Decision(False, f"to {verb} a plan, say who you are (`--as EMAIL`)")
        if _owns(actor, plan):
            return Decision(False, f"you cannot {verb} your own plan; your manager reviews it")
        if _same(actor.email, plan.submitted_by):
            return Decision(False, f"you submitted this plan, so you cannot {verb} it yourself")
        if actor.role == Role.ADMIN:
            return Decision(True, "admins review every plan")
        if _manages(actor, plan):
            return Decision(True, "you manage this plan's CSM")
        owner = plan.csm_label or "nobody"
        return Decision(
            False,
            f"only {plan.manager_label or 'the CSM’s manager'} or an admin can {verb} this plan "
            f"(it is in {owner}'s book)",
        )

    if actor.role in (Role.OPERATOR, Role.ADMIN):
        return Decision(True, f"{actor.role}s may {verb} any plan")
    if action == "draft_book":
        return _draft_book(actor, plan)
    if _owns(actor, plan):
        return Decision(True, "the plan is in your book")
    if action in ("view", "export", "activate") and _manages(actor, plan):
        return Decision(True, "you manage this plan's CSM")
    if action == "track":
        # Marking actions done and deciding change proposals: the CSM, or any manager covering.
        if actor.role == Role.MANAGER:
            return Decision(True, "managers update the actions of any plan")
        return Decision(False, "only the account's CSM or a manager can update this plan's actions")
    owner = plan.csm_label or "no CSM"
    return Decision(False, f"you can only {verb} plans in your own book (this one belongs to {owner})")


def _draft_book(actor: Actor, book: PlanOwnership) -> Decision:
    """A bulk run over a book (`csm_email` its CSM) or a team (`csm_email` None, the manager set):
    a CSM drafts their own book, a manager their team's books."""
    if _owns(actor, book):
        return Decision(True, "it is your book")
    if _manages(actor, book):
        return Decision(True, "you manage this book's CSM" if book.csm_email else "it is your team")
    whose = f"{book.csm_label}'s book" if book.csm_label else f"{book.manager_label or 'another'}'s team"
    mine = "your own book or your team's" if actor.role == Role.MANAGER else "your own book"
    return Decision(False, f"you can only draft {mine} (this is {whose})")


def authorize(action: Action, actor: Actor, plan: PlanOwnership) -> None:
    """`decide`, raising PermissionDenied with the reason when not allowed."""
    decision = decide(action, actor, plan)
    if not decision.allowed:
        raise PermissionDenied(decision.reason)


def may(action: Action, actor: Actor, plan: PlanOwnership) -> bool:
    return decide(action, actor, plan).allowed


def may_review_for(actor: Actor, csm: Actor) -> bool:
    """Whether `actor` reviews `csm`'s plans (their manager, or an admin other than themselves)."""
    if _same(actor.email, csm.email):
        return False
    return actor.role == Role.ADMIN or (actor.role == Role.MANAGER and _same(actor.email, csm.manager_email))
