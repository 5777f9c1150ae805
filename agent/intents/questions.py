"""Questions answered from the plan (and the account's data and the plan's history), changing
nothing: "what's our benchmark?", "when is the renewal?", "what changed since approval?", "when is
the next QBR?", "who owns objective 2?", "what's due in week 2?", "what's the target ARR?"."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from agent.intents.core import Answer, Context, search
from agent.intents.milestones import find_metric
from agent.intents.qbrs import find_qbrs
from agent.intents.references import Unclear, find_objective
from agent.intents.values import week_in
from storage.plan_diff import OWNER_WORDS, money, shown
from tools.plans.edits.base import short
from tools.plans.edits.cascades import human_date

QUESTION = re.compile(
    r"^(?:what|what's|whats|when|when's|whens|who|who's|whos|how|how's|which|where|is|are|do|does|did|has|have|"
    r"can you (?:tell|show|remind)|tell me|show me|remind me (?:what|when|who)|list|give me)\b|\?\s*$",
    re.IGNORECASE,
)


def _day(value: object) -> str:
    return human_date(date.fromisoformat(str(value)))


def benchmark(ctx: Context, text: str) -> str | None:
    if not search(
        r"\bbenchmark|\bsimilar accounts?\b|\bpeers?\b|\bcompare\b|\bsuccess rate\b|\blookalike", text
    ):
        return None
    bench = ctx.document.benchmark_comparison
    if bench.similar_accounts_success_rate is None or not bench.similar_accounts:
        return "there are no similar accounts with a known outcome to compare with yet."
    succeeded = sum(1 for a in bench.similar_accounts if a.succeeded)
    names = ", ".join(a.name for a in bench.similar_accounts[:3])
    answer = (
        f"{round(bench.similar_accounts_success_rate * 100)}% of similar accounts succeeded "
        f"({succeeded} of the {len(bench.similar_accounts)} closest, e.g. {names})."
    )
    if bench.missing_elements:
        answer += (
            " What the successful ones had that this plan lacks: "
            + "; ".join(bench.missing_elements[:3])
            + "."
        )
    return answer


def renewal(ctx: Context, text: str) -> str | None:
    if not search(r"\brenew", text):
        return None
    when = ctx.facts.renewal_date
    if when is None:
        found = re.search(
            r"renew\w*[^.]*?\b((?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d{1,2}, \d{4})",
            ctx.document.executive_summary,
            re.IGNORECASE,
        )
        return f"the renewal is on {found.group(1)}." if found else "the plan does not record a renewal date."
    days = (when - ctx.facts.today).days
    ahead = f"{days} days from today" if days >= 0 else f"{-days} days ago"
    return f"the renewal is on {human_date(when)} ({ahead})."


def since_approval(ctx: Context, text: str) -> str | None:
    if not search(r"\bapprov|\bchanged\b|\bdifferen|\bdiff\b|\bwhat's new\b", text):
        return None
    if not search(r"\bapprov|\blast version\b|\bsince\b", text):
        return None
    facts = ctx.facts
    if facts.approved_version is None:
        return "the plan has never been approved, so there is no approved version to compare with."
    changes = facts.changes_since_approval or []
    if not changes:
        return f"nothing changed since the approved version (v{facts.approved_version})."
    listed = "; ".join(changes[:8]) + ("; …" if len(changes) > 8 else "")
    return f"{len(changes)} change{'s' if len(changes) != 1 else ''} since the approved version (v{facts.approved_version}): {listed}."


def status(ctx: Context, text: str) -> str | None:
    if not search(
        r"\bstatus\b|\bis (?:it|the plan|this) approved\b|\bwho approves\b|\bwhich version\b|\bwhat version\b",
        text,
    ):
        return None
    doc = ctx.document
    state = doc.status.replace("_", " ")
    reviewer = f" {ctx.facts.reviewer} approves it." if ctx.facts.reviewer else ""
    return f"version {doc.version}, {state}.{reviewer}"


def qbrs(ctx: Context, text: str) -> str | None:
    if not search(r"\bqbrs?\b|\bbusiness reviews?\b", text):
        return None
    try:
        refs = find_qbrs(ctx, text)
    except Unclear as unclear:
        return unclear.message + "."
    if len(refs) == 1:
        qbr = refs[0].item
        who = ", ".join(qbr["attendees"]) or "no attendees yet"
        return f"the {qbr['quarter']} QBR is on {_day(qbr['date'])} ({who}): {short(qbr['focus'], 90)}."
    return "QBRs: " + "; ".join(f"{q['quarter']} on {_day(q['date'])}" for q in ctx.ws.qbrs) + "."


def objectives(ctx: Context, text: str) -> str | None:
    if not search(r"\bobjectives?\b|\bgoals?\b|\bpriorities\b|\bobj\b", text):
        return None
    ref = (
        find_objective(ctx.ws, text, pronoun=False)
        if search(r"\d|\bthe \w+ (?:objective|goal)\b|\blast\b|\bfirst\b", text)
        else None
    )
    if ref is not None:
        o = ref.item
        number = ctx.ws.objectives.index(o) + 1
        if search(r"\bwho\b|\bowner\b|\bowns\b", text):
            return f"objective {number} is owned by {OWNER_WORDS.get(o['owner'], o['owner'])}."
        metrics = "; ".join(
            f"{m['metric']}: {shown(m['current'])} -> {shown(m['target'])}" for m in o["success_metrics"]
        )
        return f"objective {number} ({o['priority'].capitalize()}): {o['objective']}. Metrics: {metrics}."
    listed = "; ".join(
        f"{i + 1}. {short(o['objective'], 60)} ({o['priority'].capitalize()})"
        for i, o in enumerate(ctx.ws.objectives)
    )
    return f"{len(ctx.ws.objectives)} objectives: {listed}."


def risks(ctx: Context, text: str) -> str | None:
    if not search(r"\brisks?\b|\bworr(?:y|ied)\b|\bthreats?\b", text):
        return None
    items = ctx.ws.risks
    if not items:
        return "the plan lists no risks."
    listed = "; ".join(
        f"{i + 1}. {short(r['risk'], 60)} ({r['severity'].capitalize()})" for i, r in enumerate(items)
    )
    return f"{len(items)} risk{'s' if len(items) != 1 else ''}: {listed}."


def actions(ctx: Context, text: str) -> str | None:
    if not search(
        r"\bactions?\b|\btasks?\b|\bdue\b|\bto-?dos?\b|\bnext steps?\b|\bweek\b|\bon my plate\b", text
    ):
        return None
    items = ctx.ws.actions
    week = week_in(text)
    if week is None and search(r"\bthis week\b", text):
        week = (
            max(
                1,
                min(
                    13,
                    1
                    + max(
                        0,
                        (ctx.facts.today - date.fromisoformat(str(items[0]["due_date"]))).days // 7
                        + items[0]["week"]
                        - 1,
                    ),
                ),
            )
            if items
            else None
        )
    chosen = (
        [a for a in items if a["week"] == week]
        if week is not None
        else [a for a in items if a["status"] == "open"][:5]
    )
    if not chosen:
        return f"nothing is planned in week {week}."
    scope = f"week {week}" if week is not None else "next open actions"
    listed = "; ".join(
        f"{items.index(a) + 1}. {short(a['action'], 60)} ({a['owner']}, due {_day(a['due_date'])})"
        for a in chosen
    )
    return f"{scope}: {listed}."


def expansion(ctx: Context, text: str) -> str | None:
    if not search(r"\barr\b|\bexpansion\b|\bpipeline\b|\bupsell\b|\bopportunit", text):
        return None
    plan = ctx.document.expansion_plan
    opportunities = "; ".join(
        f"{o.description} ({money(o.value)} at {round(o.probability * 100)}%, {o.timeline})"
        for o in plan.opportunities
    )
    return f"target ARR {money(plan.target_arr)} from {money(plan.current_arr)} today. Opportunities: {opportunities or 'none'}."


def stakeholders(ctx: Context, text: str) -> str | None:
    if not search(
        r"\bstakeholders?\b|\bcontacts?\b|\bchampion\b|\bsponsor\b|\bmulti[- ]?thread|\bwho do we know\b",
        text,
    ):
        return None
    plan = ctx.document.stakeholder_plan
    people = "; ".join(
        f"{c.name} ({c.title or c.role}, score {shown(c.relationship_score)})" for c in plan.current_map
    )
    missing = f" Missing: {', '.join(plan.missing_roles)}." if plan.missing_roles else ""
    return (
        f"multi-threading target {plan.multi_threading_target} engaged contacts. Contacts: {people}.{missing}"
    )


def metric(ctx: Context, text: str) -> str | None:
    if not search(r"\btarget\b|\bmetrics?\b|\bkpis?\b|\butili[sz]ation\b|\bhealth\b|\bscore\b", text):
        return None
    if search(r"\bhealth\b", text) and ctx.facts.health_score is not None and not search(r"\btarget\b", text):
        return f"the health score is {ctx.facts.health_score} today."
    try:
        ref = find_metric(
            ctx,
            re.sub(r"^(?:what(?:'s| is| are)?|how(?:'s| is)?)\s+", "", text.rstrip("?"), flags=re.IGNORECASE),
        )
    except Unclear as unclear:
        return unclear.message + "."
    if ref is None or ref.parent is None:
        return None
    m = ref.item
    number = ctx.ws.objectives.index(ref.parent.item) + 1
    return f"{m['metric']} (objective {number}): {shown(m['current'])} today, target {shown(m['target'])}; measured by {m['measurement'].lower()}."


def owners(ctx: Context, text: str) -> str | None:
    """'who owns the adoption objective?', 'who's the owner of the weekly sync?', 'who has risk 2?'."""
    if not search(
        r"\bwho\b.*\b(?:owns?|owner|responsible|in charge|on the hook|has|doing|handling|running)\b|\bowner of\b", text
    ):
        return None
    from agent.intents.actions import find_actions
    from agent.intents.risks import find_risks

    described = re.sub(
        r"^who(?:'s| is| will be| should be)?\s+(?:the\s+)?(?:owns?|owner\s+(?:of|for)|responsible for|in charge of|"
        r"on the hook for|has|doing|handling|running|driving|leading)\s+",
        "",
        text.rstrip("?"),
        flags=re.IGNORECASE,
    )
    if search(r"\b(?:objectives?|obj|goals?|initiatives?)\b", described):
        ref = find_objective(ctx.ws, described, pronoun=False)
        if ref is not None:
            number = ctx.ws.objectives.index(ref.item) + 1
            return f"objective {number} is owned by {OWNER_WORDS.get(ref.item['owner'], ref.item['owner'])}."
    if search(r"\b(?:risks?|concerns?)\b", described):
        found = find_risks(ctx, described)
        if len(found) == 1:
            return f"'{short(found[0].item['risk'], 60)}' is owned by {found[0].item['owner']}."
    refs = find_actions(ctx, described)
    if refs:
        listed = "; ".join(f"'{short(r.item['action'], 60)}': {r.item['owner']}" for r in refs[:6])
        return f"{listed}."
    return None


# Whichever kind of thing the question names is answered first ("who's invited to the pre-renewal
# QBR?" is about a QBR, not the renewal).
_NAMED = (
    (r"\bqbrs?\b|\bbusiness reviews?\b", "qbrs"),
    (r"\brisks?\b", "risks"),
    (r"\b(?:objectives?|obj|goals?)\b", "objectives"),
    (r"\b(?:actions?|tasks?|to-?dos?)\b|\bweek\s*\d", "actions"),
)

ANSWERS: tuple[Callable[[Context, str], str | None], ...] = (
    owners, since_approval, benchmark, renewal, status, qbrs, risks, actions, expansion, stakeholders, metric,
    objectives,
)  # fmt: skip


def _in_order(text: str) -> list[Callable[[Context, str], str | None]]:
    named = [name for pattern, name in _NAMED if search(pattern, text)]
    first = [h for h in ANSWERS if h.__name__ in named[:1]]
    return [ANSWERS[0], *first, *(h for h in ANSWERS[1:] if h not in first)]


def is_question(text: str) -> bool:
    return bool(QUESTION.search(text.strip()))


def answer(ctx: Context, text: str) -> Answer | None:
    if not is_question(text):
        return None
    for handler in _in_order(text):
        try:
            found = handler(ctx, text)
        except Unclear as unclear:
            found = unclear.message + "."
        if found:
            return Answer(text, found[:1].upper() + found[1:])
    return None
