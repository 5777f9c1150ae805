"""Timing: work comes before the event it serves (the renewal, a QBR); nothing is scheduled in a
quarter that is over or after the fiscal year; milestones run in quarter order; actions fall inside
the 90 days and not after the event or quarter they name; no negative day counts; a renewal date
that has passed is data to fix, not a date to work towards."""

from __future__ import annotations

import re
from datetime import date

from agent.review.facts import ReviewFacts, TextItem
from agent.review.wording import day, named_dates, own_words, short
from storage.plan_document import QUARTERS

RENEWAL = re.compile(r"\brenew(?:al|als|ing)?\b", re.I)
# The renewal as something already behind (post-renewal work) or the next one (a later year).
AFTER_RENEWAL = re.compile(
    r"post[- ]renewal|after (?:the |its |this )?renewal|\brenewed\b|next (?:year's )?renewal|"
    r"following (?:the )?renewal|since (?:the )?renewal|renewal (?:was|is) (?:signed|closed|done)|"
    r"\b(?:20\d\d|fy\s?\d{4})\s+renewal",
    re.I,
)
AFTER_WORDS = re.compile(
    r"\b(after|following|follow[- ]?ups?|recap|debrief|since|post[- ]\w+|once|thank)\b", re.I
)
# Substrings one of which every AFTER_WORDS match holds in lower case. Only a test for ASCII text:
# re.I also matches "ſince" (long s), which `str.lower` leaves alone.
AFTER_STEMS = ("after", "follow", "recap", "debrief", "since", "post", "once", "thank")
PRE_RENEWAL = re.compile(r"pre[- ]renewal", re.I)
PLACEHOLDER = re.compile(
    r"\b(ended|over|passed|already|before this plan|n/a|not applicable|no work|nothing (?:was )?scheduled|"
    r"held|took place|happened|completed|done)\b",
    re.I,
)
STALE_WORDS = re.compile(
    r"\b(passed|past|stale|overdue|lapsed|expired|was due|out of date|outdated|confirm|update|fix|correct|"
    r"outcome)\b",
    re.I,
)
NEGATIVE_DAYS = re.compile(r"[-−]\s?\d+\s*(?:days?|weeks?)\b", re.I)
QUARTER_NAME = re.compile(r"\bQ([1-4])\b(?!\s*(?:of\s+)?(?:FY|20)\d{2})", re.I)
QBR_NAME = re.compile(r"\bQ([1-4])\s+(?:QBR|business review)\b", re.I)
FISCAL_YEAR_NAME = re.compile(r"\bFY\s?(\d{4})\b", re.I)
RENEWAL_STEPS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (3, re.compile(r"\b(signed|secured|closed|committed|booked|executed)\b", re.I)),
    (2, re.compile(r"\b(proposal|terms|negotiat\w*|pricing|quote|order form)\b", re.I)),
    (
        1,
        re.compile(
            r"\b(value (?:review|summary|case|story)|business case|roi|outcomes? (?:review|against))\b", re.I
        ),
    ),
)
STEP_NAMES = {1: "the value case", 2: "the proposal", 3: "the signature"}


def _serves_renewal(facts: ReviewFacts, text: str) -> bool:
    """Does `text` work towards this plan's renewal (not after it, not a later year's)?"""
    if (
        "enew" not in text
        or not RENEWAL.search(text)
        or AFTER_RENEWAL.search(text)
        or STALE_WORDS.search(text)
    ):
        return False  # not about the renewal, or about one behind us, or about its record being wrong
    fiscal_year = int(facts.document.fiscal_year[2:])
    if any(int(year) > fiscal_year for year in FISCAL_YEAR_NAME.findall(text)):
        return False
    renewal = facts.renewal
    return renewal is None or not any(when > renewal for when, _ in named_dates(text, renewal))


def _check_milestones(facts: ReviewFacts) -> None:
    for i, objective in enumerate(facts.document.strategic_objectives):
        base = f"strategic_objectives[{i}]"
        order = [QUARTERS.index(m.quarter) for m in objective.quarterly_milestones]
        if order != sorted(order):
            facts.warning(
                "milestones_out_of_order",
                f"{base}.quarterly_milestones",
                f"Objective {i + 1}'s milestones are listed "
                f"{', '.join(m.quarter for m in objective.quarterly_milestones)}.",
                "Put the milestones in quarter order, Q1 to Q4.",
            )
        steps: list[tuple[int, int, int]] = []  # (quarter index, step, milestone index)
        for j, milestone in enumerate(objective.quarterly_milestones):
            quarter = facts.quarter(milestone.quarter)
            path = f"{base}.quarterly_milestones[{j}]"
            if (
                quarter.end < facts.as_of
                and not milestone.done
                and not PLACEHOLDER.search(milestone.milestone)
            ):
                facts.error(
                    "scheduled_in_past_quarter",
                    path,
                    f"Objective {i + 1}'s {milestone.quarter} milestone '{short(milestone.milestone)}' is "
                    f"scheduled in {milestone.quarter}, which ended on {day(quarter.end)}, before the plan's "
                    f"date ({day(facts.as_of)}).",
                    "Mark it done if it happened; otherwise move the work to a quarter that is still open.",
                )
            # A renewal date already behind the plan is stale data (reported once, as such).
            renewal = facts.renewal
            renewal_quarter = facts.renewal_quarter if renewal and renewal >= facts.as_of else None
            # The plan's own words: a quoted CRM deal named "Multi-year renewal" is not renewal work.
            serves = _serves_renewal(facts, own_words(milestone.milestone))
            if (
                serves
                and renewal is not None
                and renewal_quarter is not None
                and QUARTERS.index(milestone.quarter) > [str(q) for q in QUARTERS].index(renewal_quarter)
            ):
                facts.error(
                    "after_the_event",
                    path,
                    f"Objective {i + 1}'s {milestone.quarter} milestone '{short(milestone.milestone)}' works "
                    f"towards the renewal, but the renewal is on {day(renewal)} ({renewal_quarter}).",
                    f"Move it to {renewal_quarter} or earlier, or reword it as post-renewal work.",
                )
            if serves or RENEWAL_STEPS[2][1].search(milestone.milestone):
                step = next((n for n, pattern in RENEWAL_STEPS if pattern.search(milestone.milestone)), 0)
                if step:
                    steps.append((QUARTERS.index(milestone.quarter), step, j))
        for quarter_index, step, j in steps:
            later_step = next(((q, s, k) for q, s, k in steps if q < quarter_index and s > step), None)
            if later_step is not None:
                milestone = objective.quarterly_milestones[j]
                facts.error(
                    "milestones_out_of_sequence",
                    f"{base}.quarterly_milestones[{j}]",
                    f"Objective {i + 1} plans {STEP_NAMES[step]} in {milestone.quarter} "
                    f"('{short(milestone.milestone)}') after {STEP_NAMES[later_step[1]]} in "
                    f"{QUARTERS[later_step[0]]}.",
                    "Order the renewal steps: value case, then proposal, then signature.",
                )


def _action_event(facts: ReviewFacts, item: TextItem, due: date) -> tuple[str, date] | None:
    """(what it names, its date) when the action is due after an event or quarter it names."""
    text = item.own
    ascii_lower = text.lower() if text.isascii() else None
    if (ascii_lower is None or any(stem in ascii_lower for stem in AFTER_STEMS)) and AFTER_WORDS.search(text):
        return None
    for when, _ in named_dates(text, due):
        # A date before the plan starts is a reference ("since Jan 5"), not an event ahead.
        if facts.plan_start <= when < due:
            return "the date it names", when
    for match in QBR_NAME.finditer(text) if ("QBR" in text or "review" in text) else ():
        qbr = facts.qbr_dates.get(f"Q{match.group(1)}")
        if qbr is not None and due > qbr:
            return f"the Q{match.group(1)} QBR", qbr
    renewal = facts.renewal
    if renewal is not None and renewal >= facts.plan_start and due > renewal and _serves_renewal(facts, text):
        return "the renewal", renewal
    named = [int(q) for q in QUARTER_NAME.findall(text)] if "Q" in text or "q" in text else []
    if named:
        quarter = facts.quarter(f"Q{max(named)}")
        if due > quarter.end:
            return f"the end of Q{max(named)}", quarter.end
    return None


def _check_actions(facts: ReviewFacts) -> None:
    items = {item.path: item for item in facts.texts_of("action")}
    for i, action in enumerate(facts.document.action_plan_90day):
        path = f"action_plan_90day[{i}]"
        label = items[f"{path}.action"].label
        due = action.due_date
        if due > facts.year_end:
            facts.error(
                "after_fiscal_year",
                f"{path}.due_date",
                f"{label} is due {day(due)}, after {facts.document.fiscal_year} ends ({day(facts.year_end)}).",
                f"Bring it inside {facts.document.fiscal_year}, or leave it for next year's plan.",
            )
        elif due < facts.plan_start or due > facts.window_end:
            facts.error(
                "outside_90_days",
                f"{path}.due_date",
                f"{label} is due {day(due)}, outside the 90 days this plan covers "
                f"({day(facts.plan_start)} to {day(facts.window_end)}).",
                "Date it inside the 90 days, or make it a milestone instead.",
            )
        elif not facts.week_start(action.week) <= due <= facts.week_end(action.week):
            facts.warning(
                "week_and_date_disagree",
                f"{path}.due_date",
                f"{label} is in week {action.week} ({day(facts.week_start(action.week))} to "
                f"{day(facts.week_end(action.week))}) but due {day(due)}.",
                "Make the week and the due date agree.",
            )
        event = _action_event(facts, items[f"{path}.action"], due)
        if event is not None:
            named, when = event
            facts.error(
                "after_the_event",
                f"{path}.due_date",
                f"{label} is due {day(due)}, after {named} ({day(when)}).",
                f"Set the due date to {day(when)} or earlier: work for an event is due before it.",
            )


def _check_qbrs(facts: ReviewFacts) -> None:
    for i, qbr in enumerate(facts.document.qbr_schedule):
        path = f"qbr_schedule[{i}]"
        actual = facts.quarter_of(qbr.date)
        if actual != qbr.quarter:
            where = f"in {actual}" if actual else f"outside {facts.document.fiscal_year}"
            facts.error(
                "qbr_wrong_quarter",
                f"{path}.date",
                f"The {qbr.quarter} QBR is dated {day(qbr.date)}, which is {where}.",
                f"Date it inside {qbr.quarter} ({day(facts.quarter(qbr.quarter).start)} to "
                f"{day(facts.quarter(qbr.quarter).end)}).",
            )
        elif qbr.date < facts.as_of and not PLACEHOLDER.search(qbr.focus):
            facts.error(
                "scheduled_in_past_quarter"
                if facts.quarter(qbr.quarter).end < facts.as_of
                else "qbr_in_past",
                f"{path}.date",
                f"The {qbr.quarter} QBR is dated {day(qbr.date)}, before the plan's date ({day(facts.as_of)}).",
                "Move it to a date ahead, or say it was already held.",
            )
        renewal = facts.renewal
        if (
            renewal is not None
            and max(facts.year_start, facts.as_of) <= renewal < qbr.date
            and (PRE_RENEWAL.search(qbr.focus) or _serves_renewal(facts, qbr.focus))
        ):
            facts.error(
                "after_the_event",
                f"{path}.date",
                f"The {qbr.quarter} QBR on {day(qbr.date)} works towards the renewal ('{short(qbr.focus)}'), "
                f"but the renewal is earlier, on {day(renewal)}.",
                "Hold renewal work 60-90 days before the renewal date; after it, review post-renewal goals.",
            )


def _check_day_counts(facts: ReviewFacts) -> None:
    reported: set[str] = set()
    text = facts.joined
    for item, match, start in facts.matches(NEGATIVE_DAYS):
        at = match.start()
        if item.path in reported or (at > start and (text[at - 1].isalnum() or text[at - 1] in "-–")):
            continue  # "3-5 days", "mid-10 days": a range or a word, not a negative count
        reported.add(item.path)
        facts.error(
            "negative_days",
            item.path,
            f"{item.label} counts '{match.group(0).strip()}': a negative count means a date on record has passed.",
            "Treat the past date as data to fix (confirm it with the customer and update the record).",
        )


def _check_stale_renewal(facts: ReviewFacts) -> None:
    renewal = facts.renewal
    if renewal is None or renewal >= facts.as_of:
        return
    shown = [
        item
        for item in facts.texts
        if "enew" in item.own
        and RENEWAL.search(item.own)  # the date named as the renewal, not a note that fell on that day
        and any(when == renewal for when, _ in named_dates(item.own, renewal))
        and not STALE_WORDS.search(item.own)
    ]
    flagged = any(RENEWAL.search(item.own) and STALE_WORDS.search(item.own) for item in facts.texts)
    if shown:
        others = f" (and {len(shown) - 1} more places)" if len(shown) > 1 else ""
        facts.error(
            "stale_date",
            shown[0].path,
            f"{shown[0].label} works towards the renewal on {day(renewal)}{others}, but that date is before "
            f"the plan's date ({day(facts.as_of)}).",
            "Confirm whether the account renewed and fix the renewal date on record; plan against the real date.",
        )
    elif not flagged:
        facts.warning(
            "stale_date",
            "executive_summary",
            f"The renewal date on record ({day(renewal)}) is before the plan's date ({day(facts.as_of)}) and the "
            "plan does not say so.",
            "Add 'confirm the renewal outcome and fix the renewal date' to the first weeks of the plan.",
        )


def check(facts: ReviewFacts) -> None:
    _check_milestones(facts)
    _check_actions(facts)
    _check_qbrs(facts)
    _check_day_counts(facts)
    _check_stale_renewal(facts)
