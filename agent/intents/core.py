"""The shapes one part of a request takes once understood: a change to make (`Intent`), a question
answered, a submission, a refusal, or something not understood; and what a parser gets to read."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from agent.intents.references import Ref, Workspace
from storage.plan_document import AccountPlanDocument
from tools.plans.edits import PlanEdit


@dataclass
class PlanFacts:
    """What questions are answered from besides the plan: the account's data and the plan's history."""

    today: date
    renewal_date: date | None = None
    health_score: int | None = None
    approved_version: int | None = None
    changes_since_approval: list[str] | None = None
    reviewer: str | None = None


@dataclass
class Context:
    """What a parser reads: the working copy (with references), the plan as shown, and the facts."""

    ws: Workspace
    document: AccountPlanDocument
    facts: PlanFacts

    @property
    def customer(self) -> str:
        return self.document.customer_name

    @property
    def title(self) -> str:
        return f"{self.document.customer_name} {self.document.fiscal_year}"


@dataclass
class Intent:
    """A change: its edits are built when it is applied, from where its references are by then."""

    text: str
    build: Callable[[Workspace], list[PlanEdit]]
    subject: Ref | None = None  # what it acts on ("it" in the next part)
    creates: str | None = None  # the list it adds an item to, when it adds one
    already: str | None = None  # what to say when the plan already says this
    note: str | None = None  # how the request was read, when that is worth saying
    section: str = ""  # the kind of thing it changes; the reply leads with those lines


@dataclass
class Answer:
    text: str
    answer: str


@dataclass
class Submission:
    text: str


@dataclass
class Refusal:
    text: str
    reason: str


@dataclass
class Failure:
    """Understood, but it cannot be done as said (ambiguous, not in the plan, against a rule)."""

    text: str
    reason: str


@dataclass
class NotUnderstood:
    text: str
    suggestions: list[str] = field(default_factory=list)
    aside: bool = False  # a remark around the request ("we have two critical objectives"), not one


Understood = Intent | Answer | Submission | Refusal | Failure | NotUnderstood
Parser = Callable[[Context, str], "Understood | list[Intent] | None"]


def search(pattern: str, text: str) -> re.Match[str] | None:
    return re.search(pattern, text, re.IGNORECASE)


def full(pattern: str, text: str) -> re.Match[str] | None:
    return re.fullmatch(pattern, text.strip(), re.IGNORECASE)


def cap(text: str) -> str:
    text = text.strip().strip("'\"“”‘’").strip()
    return text[:1].upper() + text[1:]
