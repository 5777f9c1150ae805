"""The one authorization gate in front of every Slack action, view submission, type-ahead and
subcommand.

Each registration declares a `Gate` (see `bot.slack.listeners.registry`): `anyone` (help),
`member` (any accountplan user: their own lists, the generator), or a policy action from
`tools.plans.policy` (view, export, edit, track, submit, generate, or `decide` for approve / request
changes / reject) together with how to find the plan or customer the request is about. The gate
runs after the acknowledgement (a type-ahead's options are its acknowledgement, so there it runs
before) and before the handler: the person must be an accountplan user
(else "ask an admin to add you") and the policy must allow that action on that plan or customer.
A handler therefore only ever runs for someone allowed to, with the subject already resolved.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks.objective_modal import parse_objective_metadata
from bot.slack.deps import SlackDeps
from bot.slack.services.access import customer_book, plan_ownership
from bot.slack.services.book import slack_actor
from storage.errors import BadInput, UnknownCustomer
from tools.plans.books import Book
from tools.plans.policy import ACTIONS, DECISIONS, Action, Actor, PlanOwnership, authorize

GateAction = Literal["anyone", "member", "decide"] | Action
OPEN_GATES = ("anyone", "member")


@dataclass(frozen=True)
class Subject:
    """What a request is about: a plan, or a customer (drafting). For `decide` gates, which decision.
    `unknown` is a customer name nobody matched: nothing was identified, so there is nothing to
    authorize, and the handler offers "Did you mean ...?" (suggested names only, no account data)."""

    plan_id: str | None = None
    customer_id: str | None = None
    decision: Action | None = None
    unknown: UnknownCustomer | None = None
    # Filled in when the lookup that found the subject already knew them (one transaction fewer).
    name: str | None = None
    ownership: PlanOwnership | None = None
    book: Book | None = None  # a bulk run's book (its ownership is the book's)


class Requester:
    """The Slack user behind a request, resolved to an accountplan `Actor` on first use and then
    remembered. Resolution waits until after the ack: a `users.info` lookup never delays it."""

    def __init__(self, deps: SlackDeps, user_id: str) -> None:
        self.deps = deps
        self.user_id = user_id
        self._actor: Actor | None = None

    async def actor(self) -> Actor:
        """The accountplan user, or UnknownChatUser ("ask an admin to add you")."""
        if self._actor is None:
            self._actor = await slack_actor(self.deps.database, self.user_id, self.deps.directory)
        return self._actor


@dataclass
class Interaction:
    """One request as a handler sees it: the deps and the person from the middleware, the client,
    the raw body, where to answer, and (once the gate has run) the actor and the subject."""

    deps: SlackDeps
    client: AsyncWebClient
    body: dict[str, Any]
    requester: Requester
    channel: str | None = None  # where answers and failures go (None: the person's DM)
    thread_ts: str | None = None
    respond: AsyncRespond | None = None  # slash commands answer through their response_url
    text: str = ""  # slash commands: what follows the subcommand word
    subject: Subject = field(default_factory=Subject)
    person: Actor | None = None

    @property
    def user_id(self) -> str:
        return self.requester.user_id

    @property
    def actor(self) -> Actor:
        """The accountplan user; only for listeners whose gate is not `anyone`."""
        if self.person is None:
            raise RuntimeError("this listener's gate lets anyone in; it has no actor")
        return self.person

    @property
    def action_value(self) -> str:
        """The clicked element's value (button values carry ids only)."""
        return str(self.body["actions"][0].get("value") or "")


SubjectOf = Callable[[Interaction], Awaitable[Subject]]


@dataclass(frozen=True)
class Gate:
    action: GateAction
    subject: SubjectOf | None = None

    def __post_init__(self) -> None:
        if self.action not in (*OPEN_GATES, "decide", *ACTIONS):
            raise ValueError(f"unknown gate action {self.action!r}")
        if (self.action in OPEN_GATES) == (self.subject is not None):
            raise ValueError(f"a {self.action!r} gate {'takes no' if self.subject else 'needs a'} subject")


ANYONE = Gate("anyone")
MEMBER = Gate("member")


async def open_gate(gate: Gate, it: Interaction) -> None:
    """Let the request through or raise: UnknownChatUser for people accountplan does not know,
    PermissionDenied (with the policy's reason) for someone the policy refuses."""
    if gate.action == "anyone":
        return
    it.person = await it.requester.actor()
    if gate.subject is None:
        return
    it.subject = await gate.subject(it)
    if it.subject.unknown is not None:
        return
    authorize(_policy_action(gate, it.subject), it.actor, await _ownership(it.deps, it.subject))


def _policy_action(gate: Gate, subject: Subject) -> Action:
    """The policy action to check: the gate's, or for `decide` the decision the request names."""
    if gate.action == "decide":
        if subject.decision is None or subject.decision not in DECISIONS:
            raise BadInput("this button is not a review decision; use the buttons on the review message")
        return subject.decision
    if gate.action == "anyone" or gate.action == "member":  # OPEN_GATES, spelled out for the type checker
        raise ValueError(f"an {gate.action!r} gate has no policy action")
    return gate.action


async def _ownership(deps: SlackDeps, subject: Subject) -> PlanOwnership:
    if subject.ownership is not None:
        return subject.ownership
    if subject.plan_id is not None:
        return await plan_ownership(deps.database, subject.plan_id)
    if subject.customer_id is not None:
        return await customer_book(deps.database, subject.customer_id)
    raise BadInput("this request names no plan or customer")


# Subjects most listeners share (others live next to their listener).


async def plan_in_value(it: Interaction) -> Subject:
    """The plan id a plan button carries as its value."""
    return Subject(plan_id=it.action_value)


async def customer_in_value(it: Interaction) -> Subject:
    """The customer id a "Did you mean" button carries as its value."""
    return Subject(customer_id=it.action_value)


async def plan_in_objective_form(it: Interaction) -> Subject:
    """The plan an open Edit objective form is for (its private metadata)."""
    plan_id, _version, _objective = parse_objective_metadata(it.body["view"]["private_metadata"])
    return Subject(plan_id=plan_id)
