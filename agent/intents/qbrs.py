"""Requests about QBRs: reschedule ("push the Q1 QBR to early March", "move the renewal QBR a week
later") and attendees ("add Marcus to the Q2 QBR", "take David off the Q3 QBR")."""

from __future__ import annotations

import re
from datetime import date

from agent.intents.core import Context, Failure, Intent, search
from agent.intents.dates import parse_date, parse_shift, relative_month
from agent.intents.lexicon import LAST_WORDS, MONTHS, NUMBER, ORDINAL, number_value
from agent.intents.references import Ref, Unclear, Workspace, best, content_words, described
from agent.intents.values import quarters_in
from tools.analytics.fiscal_calendar import fiscal_year_bounds
from tools.plans.edits import EditQbrAttendees, PlanEdit, RescheduleQbr
from tools.plans.edits.cascades import human_date

QBR_NOUN = r"qbrs?|ebrs?|(?:quarterly )?business reviews?|quarterly reviews?|q[1-4] reviews?"
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))


def _start_month(ctx: Context) -> int:
    return int(ctx.document.generation_context.get("fiscal_year_start_month") or 1)


def find_qbrs(ctx: Context, description: str) -> list[Ref]:
    """QBRs named by quarter ('the Q1 QBR'), number or position ('QBR 2', 'the last QBR', 'the
    next QBR'), month ('the February QBR'), content ('the renewal QBR'), or 'all QBRs'."""
    ws = ctx.ws
    qbrs = ws.qbrs
    if not qbrs:
        raise Unclear("the plan has no QBRs scheduled")
    if search(
        r"\b(?:all|every|each)\s+(?:the\s+)?(?:of the\s+)?(?:qbrs|business reviews|qbr)\b", description
    ):
        return [ws.ref("qbr", q) for q in qbrs]
    last = ws.last
    if last is not None and last.kind == "qbr" and search(r"^\s*(?:it|that|this)(?:\s+(?:qbr|one))?\s*$", description):
        return [last]
    quarters = quarters_in(description)
    if quarters:
        found = [q for q in qbrs if q["quarter"] == quarters[0]]
        if not found:
            have = ", ".join(q["quarter"] for q in qbrs)
            raise Unclear(f"the plan has no {quarters[0]} QBR (it has {have})")
        return [ws.ref("qbr", found[0])]
    if m := search(rf"\b(?:{QBR_NOUN})\s*#?({NUMBER})\b", description):
        number = number_value(m.group(1)) or 0
        if not 1 <= number <= len(qbrs):
            raise Unclear(f"the plan has {len(qbrs)} QBRs")
        return [ws.ref("qbr", qbrs[number - 1])]
    if m := search(rf"\b({ORDINAL}|{LAST_WORDS}|next|upcoming|coming) (?:{QBR_NOUN})\b", description):
        word = m.group(1).lower()
        if word in ("next", "upcoming", "coming"):
            ahead = [q for q in qbrs if date.fromisoformat(str(q["date"])) >= ctx.facts.today]
            if not ahead:
                raise Unclear("every QBR in the plan is already in the past")
            return [ws.ref("qbr", ahead[0])]
        index = len(qbrs) - 1 if re.fullmatch(LAST_WORDS, word) else (number_value(word) or 0) - 1
        if not 0 <= index < len(qbrs):
            raise Unclear(f"the plan has {len(qbrs)} QBRs")
        return [ws.ref("qbr", qbrs[index])]
    if m := search(rf"\b({_MONTH})\s+(?:{QBR_NOUN})\b", description):
        month = MONTHS[m.group(1).lower()]
        found = [q for q in qbrs if date.fromisoformat(str(q["date"])).month == month]
        if len(found) == 1:
            return [ws.ref("qbr", found[0])]
    m = search(rf"\b(?:the\s+)?([\w' -]+?)\s+(?:{QBR_NOUN})\b", description)
    for phrase in (described(description, QBR_NOUN), m.group(1) if m else None):
        if phrase and content_words(phrase):
            found_ref = best(phrase, [(ws.ref("qbr", q), q["focus"], 1.0) for q in qbrs], "QBR")
            if found_ref is not None:
                return [found_ref]
    if search(rf"\b(?:the\s+)?(?:{QBR_NOUN})\b", description) and len(qbrs) == 1:
        return [ws.ref("qbr", qbrs[0])]
    return []


def reschedule(ctx: Context, text: str) -> Intent | Failure | None:
    m = search(
        rf"\b(?:move|push|shift|reschedule|slide|slip|delay|postpone|pull in|pull forward|pull|bring forward|bring|change the date of|change the date for|set the date of|set the date for|book)\s+(?P<q>.*?(?:{QBR_NOUN}).*?)\s+(?P<when>(?:to|for|until|till|on|into|back|forward|out|up|in|by|a|one|two|three|\d+\s+(?:days?|weeks?))\b.*)$",
        text,
    ) or search(
        rf"^(?P<q>.*?(?:{QBR_NOUN}).*?)\s+(?:should be|is now|will be|moves? to|on)\s+(?P<when>.+)$", text
    ) or search(
        rf"\b(?:set|change|update|make|move)\s+(?:the\s+)?(?:date\s+(?:of|for)\s+)?(?P<q>.*?(?:{QBR_NOUN}).*?)(?:'s)?(?:\s+date)?\s+(?:to|for|as|on)\s+(?P<when>.+)$",
        text,
    )
    if not m:
        return None
    refs = find_qbrs(ctx, m.group("q"))
    if len(refs) != 1:
        return None if not refs else Failure(text, "reschedule one QBR at a time")
    ref = refs[0]
    old = date.fromisoformat(str(ref.item["date"]))
    first, last = fiscal_year_bounds(ctx.document.fiscal_year, _start_month(ctx))
    when = m.group("when")
    new = parse_date(when, first=first, last=last, near=old) or relative_month(
        text, today=ctx.facts.today, old=old
    )
    if new is None:
        shift = parse_shift(when)
        if shift is not None and re.search(r"\b(?:pull|bring)\b", text, re.IGNORECASE):
            shift = -abs(shift)
        if shift is None:
            if quarters_in(when):
                return Failure(
                    text,
                    "say the new date (e.g. 'early March' or 'March 3'); each QBR already belongs to a quarter",
                )
            return None
        new = old + shift
    quarter = ref.item["quarter"]

    def build(ws: Workspace) -> list[PlanEdit]:
        return [RescheduleQbr(quarter=ws.now(ref)["quarter"], date=new)]

    return Intent(text, build, subject=ref, already=f"The {quarter} QBR is already on {human_date(new)}.")


# "it", "that one": the QBR the part before was about ("push the Q1 QBR to March and invite Marcus to it").
_SAME = r"it|that|this|that one|this one|the same one|that meeting|that qbr"


def attendees(ctx: Context, text: str) -> Intent | None:
    last = ctx.ws.last if ctx.ws.last is not None and ctx.ws.last.kind == "qbr" else None
    same = rf"|{_SAME}" if last else ""
    adding = (
        search(
            rf"^(?:add|invite|include|bring|loop in|put)\s+(?P<who>.+?)\s+(?:to|in|into|on|for)\s+(?P<q>.*?(?:{QBR_NOUN}).*{same})$",
            text,
        )
        or search(rf"^(?P<q>.*?(?:{QBR_NOUN}).*?)\s+should (?:include|have)\s+(?P<who>.+)$", text)
        or (last and search(r"^(?:add|invite|put|bring|loop)\s+(?P<who>.+?)\s+(?:on|in)(?P<q>)(?:\s+instead)?$", text))
    )
    removing = search(
        rf"^(?:remove|drop|take|uninvite|un-invite|exclude)\s+(?P<who>.+?)\s+(?:from|off|out of)\s+(?:the\s+)?(?:list for\s+)?(?P<q>.*?(?:{QBR_NOUN}).*{same})$",
        text,
    )
    m = adding or removing
    if not m or search(r"\b(?:milestone|action|task|risk|objective|goal|metric)s?\b", m.group("who")):
        return None
    q = m.group("q")
    if last is not None and (not q.strip() or re.fullmatch(_SAME, q.strip(), re.IGNORECASE)):
        refs = [last]
    else:
        refs = find_qbrs(ctx, re.sub(r"\battendees?\b|\binvite list\b", " ", q, flags=re.IGNORECASE))
    if not refs:
        return None
    who = [
        w.strip()
        for w in re.split(r"\s*(?:,|\band\b|&)\s*", re.sub(r"\s+as an? attendees?$", "", m.group("who")))
        if w.strip()
    ]
    key = "add" if adding else "remove"

    def build(ws: Workspace) -> list[PlanEdit]:
        return [EditQbrAttendees.model_validate({"quarter": ws.now(r)["quarter"], key: who}) for r in refs]

    state = "already attending" if adding else "not attending"
    return Intent(text, build, subject=refs[-1], already=f"{' and '.join(who)}: {state}.")


PARSERS = (attendees, reschedule)
