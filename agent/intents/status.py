"""Submission and decisions: "submit for approval" (the only status change a revision may ask for)
and every way of asking to approve, reject or activate a plan, which is refused: a manager decides."""

from __future__ import annotations

import re

from agent.intents.core import Context, Refusal, Submission, search
from tools.plans.edits.base import possessive

# Decisions, however they are worded ("approve", "sign off on it", "mark the plan as approved",
# "set status to active", "green-light it", "go live with the plan").
DECISION = re.compile(
    r"\b(?:approv(?:e|ed|es|ing)|reject(?:ed|s|ing)?|declin(?:e|ed|ing)|activat(?:e|ed|ing)|"
    r"sign(?:ed)?[- ]?off|green[- ]?light(?:ed)?|rubber[- ]?stamp|ok the plan|okay the plan|"
    r"go live|make (?:it|the plan|this plan) (?:live|active|official|final)|finali[sz]e (?:it|the plan|this plan)|"
    r"(?:status|plan|it)\s+(?:to|as)\s+(?:approved|active|rejected|final)|"
    r"(?:mark|make|set|flip|switch|turn|change|move|put|push)\s+(?:it|the plan|this plan|this|plan|the status|status|"
    r"v\d+|version \d+)\s+(?:as\s+|to\s+|into\s+|through\s+to\s+)?(?:(?:final|approved|active|live|rejected|official)"
    r"(?:\s+(?:and|&)\s+)?)+(?!\s+(?:milestone|qbr|action|objective|goal|risk|week|quarter|step|version|draft))|"
    r"(?:ship|publish|launch)\s+(?:it|the plan|this plan)\s+(?:live|to active))\b",
    re.IGNORECASE,
)
SUBMIT = re.compile(
    r"^(?:(?:let's|lets|go ahead and|ok,?|okay,?|now)\s+)?(?:submit|send|put|pass|forward|hand|escalate|route)\b.*?"
    r"\b(?:approval|review|manager|sign[- ]?off|boss|lead|for a decision)\b.*$|^submit(?:\s+(?:it|this|the plan|this plan|that))?\s*$|"
    r"^(?:request|ask for|get)\s+(?:an?\s+)?(?:approval|review|sign[- ]?off)\b.*$|^(?:it'?s|this is|the plan is|plan is)\s+ready for (?:approval|review)\b.*$",
    re.IGNORECASE,
)
# Phrases that mention approval without asking for a decision.
NOT_A_DECISION = re.compile(
    r"\b(?:since|before|after|from|until)\s+(?:the\s+)?(?:last\s+)?approv|\bfor approval\b|\bapproved version\b|"
    r"\bwho (?:approves|can approve|will approve)\b|\bwho(?:'s| is) approving\b",
    re.IGNORECASE,
)


def decision(ctx: Context, text: str) -> Submission | Refusal | None:
    if SUBMIT.search(text.strip()) and not search(
        r"\b(?:approve|reject|activate)\s+(?:it|the plan|this)\b", text
    ):
        return Submission(text)
    if is_decision_request(text):
        return Refusal(text, decision_refusal(ctx.customer, ctx.document.fiscal_year))
    return None


def is_decision_request(text: str) -> bool:
    """Whether `text` asks to approve, reject or activate a plan, however worded; questions about
    approval ("what changed since approval?") and content being written ("rename objective 4 to
    Outcomes signed off at QBRs") are not requests."""
    # Free text a request carries (new wording after "rename ... to", anything after a colon) is
    # content, not a request.
    head = re.split(
        r":|\b(?:rename|reword|retitle|rephrase)\b.*?\bto\b|\bshould (?:read|say)\b",
        text,
        maxsplit=1,
        flags=re.IGNORECASE,
    )[0]
    stripped = NOT_A_DECISION.sub(" ", head)
    return bool(DECISION.search(stripped)) and not search(r"^(?:what|when|who|how|which|is|has|was|did|does)\b", text)


def decision_refusal(customer: str, fiscal_year: str) -> str:
    """What the person reads when they ask the assistant to take a manager's decision."""
    return (
        f"I can't approve, reject or activate {possessive(customer)} {fiscal_year} plan: a manager "
        "decides on plans. Say 'submit for approval' and I'll send it to them."
    )
