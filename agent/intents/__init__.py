"""Understanding plan requests without a model: what CSMs actually say, turned into the shared typed
plan edits (`tools.plans.edits`), questions answered from the plan, submission, and refusals.

`split` cuts a request into parts; `status` handles submission and refuses decisions; `questions`
answers; the per-thing parsers (`qbrs`, `targets`, `risks`, `actions`, `milestones`, `objectives`)
each read one kind of change, finding plan items with `references` (by number as shown, by
position, by content, by "it"); `session` applies the parts on one working copy and writes the
reply; `suggest` offers close alternatives for what it did not understand. Word lists live in
`lexicon`, values (owners, priorities, amounts) in `values`, dates in `dates`.
"""

from __future__ import annotations

import re

from agent.intents import actions, milestones, objectives, qbrs, questions, risks, status, targets
from agent.intents.core import Context, Failure, Intent, NotUnderstood, PlanFacts, Understood
from agent.intents.references import Unclear
from agent.intents.session import PartResult, SessionResult, compose_reply, run_request
from agent.intents.split import split_request
from agent.intents.suggest import suggestions

PARSERS = (
    *qbrs.PARSERS,
    *targets.PARSERS,
    *risks.PARSERS,
    *actions.PARSERS,
    *milestones.PARSERS,
    *objectives.PARSERS,
)


SECTIONS = {"objectives": "objective", "milestones": "objective", "risks": "risk", "actions": "action",
            "qbrs": "qbr", "targets": "target"}  # fmt: skip


def _commands(ctx: Context, text: str) -> Understood | list[Intent] | None:
    for parser in PARSERS:
        try:
            found = parser(ctx, text)
        except Unclear as unclear:
            return Failure(text, unclear.message)
        if found is not None:
            section = SECTIONS.get(parser.__module__.rsplit(".", 1)[-1], "")
            for intent in found if isinstance(found, list) else [found]:
                if isinstance(intent, Intent) and not intent.section:
                    intent.section = section
            return found
    return None


# Paraphrases read as the plain request: "take X off the plan" is "remove X".
PARAPHRASES = (
    (
        re.compile(
            r"^take\s+(.+?)\s+(?:off|out of|out)(?:\s+(?:of\s+)?(?:the|this|our)\s+(?:plan|list|schedule|90-day plan))?$",
            re.IGNORECASE,
        ),
        r"remove \1",
    ),
    (re.compile(r"^(?:we|i)\s+(?:don't|do not|no longer)\s+need\s+(.+)$", re.IGNORECASE), r"remove \1"),
    (
        re.compile(
            r"^(.+?)\s+(?:is|are)\s+(?:no longer|not)\s+(?:relevant|needed|necessary|a priority|happening)"
            r"(?:\s+(?:this year|anymore|any more))?$",
            re.IGNORECASE,
        ),
        r"remove \1",
    ),
)


def understand(ctx: Context, part: str) -> Understood | list[Intent]:
    """What one part of a request asks for."""
    text = part.strip()
    asked = text.endswith("?")
    text = text.rstrip("?.! ").strip()
    for pattern, plain in PARAPHRASES:
        text = pattern.sub(plain, text)
    decided = status.decision(ctx, text)
    if decided is not None:
        return decided
    question_first = questions.QUESTION.search(text) is not None
    if question_first:
        answered = questions.answer(ctx, text + ("?" if asked else ""))
        if answered is not None:
            return answered
    found = _commands(ctx, text)
    if found is not None:
        return found
    if asked and not question_first:
        answered = questions.answer(ctx, text + "?")
        if answered is not None:
            return answered
    return NotUnderstood(part, suggestions(text))


__all__ = [
    "PartResult",
    "PlanFacts",
    "SessionResult",
    "compose_reply",
    "run_request",
    "split_request",
    "understand",
]
