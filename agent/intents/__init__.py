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
from agent.intents.lexicon import kind_of
from agent.intents.references import Unclear
from agent.intents.reread import clauses, paraphrase, plain, reread
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


_ONE = re.compile(
    r"\b(the|this|that)\s+((?:[\w'-]+\s+){0,4}?)ones?\b(?!\s+(?:of|more|week|day|quarter|month|step))",
    re.IGNORECASE,
)
# A statement around the request that asks for nothing by itself ("we have two critical objectives",
# "I think the negative sentiment risk is overblown"); what it names is what "it" means next.
ASIDE = re.compile(
    r"^(?:(?:we|they|i)(?:'ve| have)?\s+(?:have|got|already have)(?!\s+to\b)|there(?:'s| is| are)|since|because|"
    r"given|(?:i|we)\s+(?:think|feel|believe|reckon|guess)|honestly|frankly|looks like|seems like|it seems|"
    r"in my (?:view|opinion))\b",
    re.IGNORECASE,
)
OPINION = re.compile(
    r"^(?:(?:i|we)\s+(?:think|feel|believe|reckon|guess)|honestly|frankly|in my (?:view|opinion))[\s,]+"
    r"(?:that\s+)?(?:(?:we|you)\s+(?:should|could|need to|ought to|must)\s+)?(?P<rest>.+)$",
    re.IGNORECASE,
)
# "Q2 QBR: add Rachel Torres", "the weekly sync: move to week 5": the thing first, then the request.
_HEADED = re.compile(r"^(?P<head>[^:]{2,60}?)\s*:\s+(?P<request>\S.*)$")
_PUT_IT = re.compile(r"^(move|push|shift|pull|bring|set|make|mark|snooze|reschedule|assign|give|rename|reword|drop|remove|delete|bump|raise|lower)\b(?!\s+(?:it|that)\b)", re.IGNORECASE)
_TO_IT = re.compile(r"^(?:add|invite|include|put|bring|loop in)\b(?!.*\b(?:to|in|on)\s+(?:it|that)\b)", re.IGNORECASE)
_FROM_IT = re.compile(r"^(?:remove|drop|take|uninvite|exclude)\s+[A-Z]", re.IGNORECASE)
# "move it", "do that too" after a part that says it all.
_ECHO = re.compile(r"^(?:so\s+)?(?:move|push|shift|update|change|fix|do)\s+(?:it|that|them)(?:\s+(?:accordingly|too|as well))?$", re.IGNORECASE)


def _one_as_noun(ctx: Context, text: str) -> str:
    """'the adoption one' -> 'the adoption risk' when the part before was about risks; 'drop it to
    low' -> 'drop it risk to low' (the parsers read 'it' next to the kind of thing it is)."""
    noun = ctx.ws.last_kind
    if noun is None or kind_of(text) is not None:
        return text
    text = _ONE.sub(lambda m: f"{m.group(1)} {m.group(2)}{noun}", text, count=1)
    if ctx.ws.last is not None and kind_of(text) is None:
        text = re.sub(r"\bit\b(?!')", f"it {noun}", text, count=1, flags=re.IGNORECASE)
    return text


def _subject(ctx: Context, text: str) -> None:
    """Make what `text` names (by its noun) what "it" means in the next part."""
    from agent.intents.actions import find_actions
    from agent.intents.references import find_objective
    from agent.intents.risks import find_risks

    kind = kind_of(text)
    finders = {
        "objective": lambda: [r for r in [find_objective(ctx.ws, text, pronoun=False)] if r],
        "risk": lambda: find_risks(ctx, text),
        "action": lambda: find_actions(ctx, text),
        "qbr": lambda: qbrs.find_qbrs(ctx, text),
    }
    if kind not in finders:
        return
    try:
        found = finders[kind]()
    except Unclear:
        return
    if len(found) == 1:
        ctx.ws.last, ctx.ws.last_kind = found[0], kind


def _headed(ctx: Context, text: str, asked: bool) -> Understood | list[Intent] | None:
    """'Q2 QBR: add Rachel Torres' read as 'add Rachel Torres to it', "it" being the Q2 QBR."""
    m = _HEADED.match(text)
    if not m or kind_of(m["head"]) is None:
        return None
    _subject(ctx, m["head"])
    if ctx.ws.last is None:
        return None
    request = m["request"]
    if _TO_IT.match(request):
        request += " to it"
    elif _FROM_IT.match(request) and ctx.ws.last.kind == "qbr":
        request += " from it"
    else:
        request = _PUT_IT.sub(r"\1 it", request)
    found = _read(ctx, _one_as_noun(ctx, request), asked)
    return found if _done(found) else None


def _read(ctx: Context, text: str, asked: bool) -> Understood | list[Intent]:
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
    second = reread(ctx, text, lambda plain_request: _commands(ctx, plain_request))
    if second is not None:
        return second
    return NotUnderstood(text, suggestions(text, ctx.document))


def _done(found: Understood | list[Intent]) -> bool:
    return not isinstance(found, NotUnderstood | Failure)


def understand(ctx: Context, part: str) -> Understood | list[Intent]:
    """What one part of a request asks for."""
    text = part.strip()
    asked = text.endswith("?")
    text = plain(text.rstrip("?.! ").strip())
    if _ECHO.match(text) and ctx.ws.last is not None:
        return NotUnderstood(part, aside=True)
    if not questions.QUESTION.match(text):  # "who owns X?" is asked, not said another way
        text = paraphrase(text)
    text = _one_as_noun(ctx, text)
    opinion = OPINION.match(text)
    if opinion:  # "I think we should make obj 2 critical" asks; "I think X is overblown" remarks
        said = _read(ctx, opinion["rest"], asked)
        if _done(said):
            return said
    found = _read(ctx, text, asked)
    if ASIDE.match(text) and not asked and not _done(found):
        _subject(ctx, text)
        return NotUnderstood(part, suggestions(text, ctx.document), aside=True)
    if not isinstance(found, NotUnderstood):
        return found
    headed = _headed(ctx, text, asked)
    if headed is not None:
        return headed
    # A request with a remark around it: "exec sponsors target should be 1, 2 is a stretch" (a part
    # understood but impossible keeps its reason: its remark is never dropped to make it pass).
    # Only a change is read this way: a remark that negates ("submit it, not yet") keeps the part whole,
    # and a status change or an answer is never read out of part of a sentence.
    negated = re.search(r"\b(?:not|don't|do not|never|no)\b", text, re.IGNORECASE)
    for clause in [] if negated else clauses(text):
        again = _read(ctx, _one_as_noun(ctx, paraphrase(plain(clause))), asked and clause is text)
        if isinstance(again, Intent) or (isinstance(again, list) and again):
            return again
    found.text = part.rstrip("?.! ") if not asked else part
    return found


__all__ = [
    "PartResult",
    "PlanFacts",
    "SessionResult",
    "compose_reply",
    "run_request",
    "split_request",
    "understand",
]
