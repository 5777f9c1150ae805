"""The 90-day plan: 13 weeks of dated actions with a sensible load.

What goes in: records to fix first; each urgent risk's first steps from the playbook (unless an
objective's own first steps already cover it); each objective's first steps, a progress check
and its first milestone; the QBRs and renewal dates inside the window; a check-in from the
segment's cadence in any two-week stretch that would otherwise be empty; the 90-day review.
Flexible items go to the first week from their earliest one with room (at most MAX_PER_WEEK),
never past their deadline. An action that names an event (a QBR, the renewal) is due on or
before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from agent.drafter.objective_draft import ObjectiveDraft
from agent.drafter.objectives_outcomes import open_data_gaps
from agent.drafter.people import fill, placeholders
from agent.drafter.risks import mitigation_for
from agent.drafter.situation import Situation
from agent.drafter.text import capitalized, day, lower_first, names
from storage.plan_document import QBR, QUARTERS, ActionItem, StrategicObjective

WEEKS = 13
WINDOW_DAYS = 7 * WEEKS - 1
MAX_PER_WEEK = 4
SLACK_WEEKS = 2  # a flexible item may slip this far past its planned week
URGENT_RISKS = 3
# A risk whose first steps an objective's first steps already cover (no duplicate actions).
COVERED_BY_OBJECTIVE = {
    "single_threaded": "executive",
    "champion_loss": "champion",
    "adoption": "adoption",
    "health": "retention",
}


@dataclass
class Item:
    week: int
    order: int
    action: str
    owner: str
    objective_id: str | None = None
    latest: int = WEEKS
    due: date | None = None  # an event's own date
    fixed: bool = False
    optional: bool = False  # dropped when the weeks it could go in are full (a short year-end plan)


def week_due(situation: Situation, week: int) -> date:
    """Last day of plan week `week` (week 1 starts on the plan's first day), never past the end of
    the fiscal year (the next year's plan takes over from there)."""
    return min(situation.plan_start + timedelta(days=7 * week - 1), situation.quarters[-1].end)


def last_week(situation: Situation) -> int:
    """The last plan week inside the fiscal year (13 unless the year ends sooner)."""
    days = (situation.quarters[-1].end - situation.plan_start).days
    return max(1, min(WEEKS, days // 7 + 1))


def week_of(situation: Situation, when: date) -> int | None:
    offset = (when - situation.plan_start).days
    if offset < 0 or offset > WINDOW_DAYS:
        return None
    return offset // 7 + 1


def _events(situation: Situation, qbrs: list[QBR]) -> list[Item]:
    items: list[Item] = []
    for qbr in qbrs:
        week = week_of(situation, qbr.date)
        if week is None:
            continue
        people = names(qbr.attendees[:-1]) or "the attendees"
        prep_due = max(situation.plan_start, qbr.date - timedelta(days=1))
        items.append(
            Item(
                max(1, week - 1),
                0,
                f"Prepare the {qbr.quarter} QBR deck and agenda; confirm {people}",
                "CSM",
                due=min(prep_due, week_due(situation, max(1, week - 1))),
                fixed=True,
            )
        )
        items.append(Item(week, 0, f"Hold the {qbr.quarter} QBR on {day(qbr.date)}", "Both", due=qbr.date, fixed=True))
    renewal = situation.context.customer.renewal_date
    if renewal is not None and not situation.renewal_stale and week_of(situation, renewal) is not None:
        proposal = max(situation.plan_start, renewal - timedelta(days=30))
        items.append(
            Item(
                week_of(situation, proposal) or 1,
                0,
                f"Renewal proposal agreed ahead of the {day(renewal)} renewal",
                "CSM + Account Executive",
                due=min(proposal, renewal),
                fixed=True,
            )
        )
    return items


def _objective_items(
    situation: Situation, drafts: list[ObjectiveDraft], objectives: list[StrategicObjective]
) -> list[Item]:
    items: list[Item] = []
    start = situation.start_quarter
    quarter_end = situation.quarter_end(start)
    milestone_week = week_of(situation, quarter_end)
    for order, (draft, objective) in enumerate(zip(drafts, objectives, strict=True), start=1):
        for index, step in enumerate(draft.first_actions):
            week = min(WEEKS, step.week)
            items.append(
                Item(week, order, step.action, step.owner, objective.id, latest=min(WEEKS, week + SLACK_WEEKS), optional=index > 0)
            )
        by_quarter = {m.quarter: m.milestone for m in objective.quarterly_milestones}
        if milestone_week is not None and order <= 3:
            items.append(
                Item(
                    milestone_week,
                    order,
                    f"{start} milestone due: {by_quarter[start]}",
                    draft.owner,
                    objective.id,
                    latest=milestone_week,
                    due=quarter_end,
                    fixed=True,
                )
            )
            following = QUARTERS.index(start) + 1
            if order <= 2 and following < len(QUARTERS) and milestone_week < WEEKS - 1:
                next_quarter = QUARTERS[following]
                items.append(
                    Item(
                        milestone_week + 1,
                        order,
                        f"Kick off {next_quarter}: {by_quarter[next_quarter]}",
                        draft.owner,
                        objective.id,
                        latest=min(WEEKS - 1, milestone_week + 1 + SLACK_WEEKS),
                        optional=True,
                    )
                )
        else:
            # The milestone falls after the window (or is a lower priority's): check progress instead.
            week = 9 + min(order, 3) if milestone_week is None else max(1, milestone_week - 1)
            items.append(
                Item(
                    week,
                    order,
                    f"Progress check on the {start} milestone: {by_quarter[start]}",
                    draft.owner,
                    objective.id,
                    optional=order > 1,
                    latest=max(week, 12 if milestone_week is None else week),
                )
            )
        if order <= 3:
            items.append(
                Item(
                    5 + order,
                    order,
                    f"Progress check on objective {objective.id.removeprefix('obj-')}: "
                    f"{lower_first(objective.success_metrics[0].metric)} against its target",
                    "CSM",
                    objective.id,
                    latest=8,
                    optional=True,
                )
            )
    return items


def _risk_items(situation: Situation, keys: set[str]) -> list[Item]:
    items: list[Item] = []
    causes = [c for c in situation.register if COVERED_BY_OBJECTIVE.get(c.cause) not in keys]
    urgent = [c for c in causes if c.severity in ("high", "critical")]
    chosen = (urgent or causes[:1])[:URGENT_RISKS] if causes else []
    for rank, cause in enumerate(chosen):
        _, _, steps = mitigation_for(situation, cause)
        for step in steps:
            week = min(WEEKS, step.week)
            items.append(Item(week, 0 if rank == 0 else 1, step.action, step.owner, latest=min(WEEKS, week + SLACK_WEEKS)))
    return items


def _data_fix_item(situation: Situation, keys: set[str]) -> list[Item]:
    items: list[Item] = []
    fixes = situation.data_to_fix
    if fixes:
        text = "; ".join(f"{f.problem}: {f.fix}" for f in fixes[:3])
        more = f"; and {len(fixes) - 3} more" if len(fixes) > 3 else ""
        items.append(Item(1, 0, f"Fix in the CRM: {text}{more}", "CSM", latest=1))
    hygiene = open_data_gaps(situation)
    if hygiene and "baseline" not in keys:
        items.append(
            Item(2, 5, f"Fill the data gaps before the next plan review: {'; '.join(hygiene[:4])}", "CSM", latest=4)
        )
    return items


def _place(items: list[Item]) -> list[Item]:
    """Each flexible item in the first week from its own with room; an optional one that finds no
    room before its deadline is left out rather than piled on."""
    load = dict.fromkeys(range(1, WEEKS + 1), 0)
    for item in items:
        if item.fixed:
            load[item.week] += 1
    placed = [i for i in items if i.fixed]
    flexible = sorted((i for i in items if not i.fixed), key=lambda i: (i.week, i.order))
    for item in flexible:
        latest = max(item.week, min(WEEKS, item.latest))
        slot = next((w for w in range(item.week, latest + 1) if load[w] < MAX_PER_WEEK), None)
        if slot is None:
            if item.optional:
                continue
            slot = min(range(item.week, latest + 1), key=lambda w: (load[w], w))
        item.week = slot
        load[slot] += 1
        placed.append(item)
    return placed


def _fill_quiet_windows(situation: Situation, items: list[Item], last: int) -> list[Item]:
    """A check-in from the segment's cadence in every two-week stretch of weeks 1-12 (inside the
    fiscal year) without work."""
    checkin = fill(situation.plays.segment(situation.segment).checkin, placeholders(situation))
    busy = {item.week for item in items}
    added: list[Item] = []
    for first in range(1, WEEKS - 1, 2):
        if first > last:
            break
        if not busy & {first, first + 1}:
            week = min(first + 1, last)
            text = capitalized(checkin) if not added else f"{capitalized(checkin)} (follow-up {len(added)})"
            added.append(Item(week, 50, text, "CSM", latest=week))
    return items + added


def _within_year(items: list[Item], last: int) -> list[Item]:
    """When the fiscal year ends inside the 90 days, everything lands by its last week."""
    for item in items:
        item.week = min(item.week, last)
        item.latest = min(item.latest, last)
    return items


NAMED_DAY = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{1,2}), (\d{4})\b")
QUARTER_NAMED = re.compile(r"\bQ([1-4])\b(?!\s*(?:of\s+)?(?:FY|20)\d{2})")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
AFTERWARDS = ("post-renewal", "next renewal", "after the renewal", "next year")


def _named_days(text: str) -> list[date]:
    return [date(int(y), MONTHS.index(m) + 1, int(d)) for m, d, y in NAMED_DAY.findall(text)]


def _cap_at_events(situation: Situation, item: Item, week_dues: list[date]) -> None:
    """An action is due by the events it names: a date in its text, the renewal it works towards."""
    due = item.due or week_dues[item.week]
    text = item.action.lower()
    # A named day holds ", " and a named quarter "Q": most actions hold neither.
    limits = [when for when in _named_days(item.action) if situation.plan_start <= when < due] if ", " in item.action else []
    if "Q" in item.action:
        named_ends = [situation.quarter_end(QUARTERS[int(number) - 1]) for number in QUARTER_NAMED.findall(item.action)]
        limits += [end for end in named_ends if situation.plan_start <= end < due]
    renewal = situation.context.customer.renewal_date
    if (
        renewal is not None
        and not situation.renewal_stale
        and "renewal" in text
        and not any(word in text for word in AFTERWARDS)
        and situation.plan_start <= renewal < due
    ):
        limits.append(renewal)
    if not limits:
        return
    item.due = min(limits)
    item.week = week_of(situation, item.due) or item.week


def draft_action_plan(
    situation: Situation, drafts: list[ObjectiveDraft], objectives: list[StrategicObjective], qbrs: list[QBR]
) -> list[ActionItem]:
    keys = {draft.key for draft in drafts}
    last = last_week(situation)
    review = (
        "90-day review: report every success metric against target and reset the next 90 days"
        if last == WEEKS
        else f"Year-end review: report every success metric against target and carry open work into the plan after {situation.fiscal_year}"
    )
    items = [
        *_data_fix_item(situation, keys),
        *_risk_items(situation, keys),
        *_objective_items(situation, drafts, objectives),
        *_events(situation, qbrs),
        Item(last, 99, review, "CSM", fixed=True),
    ]
    seen: set[str] = set()
    unique = []
    for item in items:
        if item.action.lower() not in seen:
            seen.add(item.action.lower())
            unique.append(item)
    placed = _fill_quiet_windows(situation, _place(_within_year(unique, last)), last)
    week_dues = [week_due(situation, week) for week in range(WEEKS + 1)]  # [0] unused: weeks are 1-13
    for item in placed:
        _cap_at_events(situation, item, week_dues)
    placed.sort(key=lambda i: (i.week, i.order, i.due or week_dues[i.week]))
    return [
        ActionItem(
            week=item.week,
            action=item.action,
            owner=item.owner,
            due_date=min(item.due or week_dues[item.week], week_dues[item.week]),
            objective_id=item.objective_id,
        )
        for item in placed
    ]
