"""Objective drafts before they become plan objectives: the shared shape, milestone spreading
and targets used by every objective builder."""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.drafter.situation import Situation
from agent.drafter.text import day
from storage.plan_document import (
    QUARTERS,
    ObjectiveOwner,
    Priority,
    Quarter,
    QuarterlyMilestone,
    SuccessMetric,
)

ENDED = "ended before this plan began"  # the milestone of a quarter that was over already
HEALTH_TARGET_FLOOR = 60  # an account below this is at risk of churn; recovery aims at least here
HEALTH_TARGET_CAP = 85
HEALTH_LIFT = 10
RECOVERY_LIFT = 15


@dataclass
class FirstAction:
    """A step for the 90-day plan that starts this objective (week relative to plan start)."""

    week: int
    action: str
    owner: str


@dataclass
class ObjectiveDraft:
    key: str
    priority: Priority
    objective: str
    rationale: str
    metrics: list[SuccessMetric]
    milestones: dict[Quarter, str]
    owner: ObjectiveOwner
    first_actions: list[FirstAction] = field(default_factory=list)


def milestones(situation: Situation, by_quarter: dict[Quarter, str]) -> list[QuarterlyMilestone]:
    """Q1-Q4. A quarter that was over when the plan starts says so and schedules nothing; the
    builders' `sequence` already fits their steps into the quarters still open."""
    return [
        QuarterlyMilestone(
            quarter=quarter,
            milestone=by_quarter[quarter] if quarter in situation.open_quarters else f"{quarter} {ENDED}",
        )
        for quarter in QUARTERS
    ]


def health_target(health: int, *, recovering: bool = False, year_left: float = 1.0) -> int:
    """A reachable lift by year end: +10 (+15 when recovering) over a full year, scaled to the
    share of the year left; a recovery aims at least at 60; never above 85 or below today."""
    lift = round((RECOVERY_LIFT if recovering else HEALTH_LIFT) * max(0.25, year_left))
    target = health + max(1, lift)
    if recovering:
        target = max(HEALTH_TARGET_FLOOR, target)
    return int(max(health, min(HEALTH_TARGET_CAP, target)))


def renewal_day(situation: Situation) -> str | None:
    """'Aug 31, 2027' for a renewal still ahead; None when unknown or passed."""
    renewal = situation.context.customer.renewal_date
    return day(renewal) if renewal is not None and not situation.renewal_stale else None


def quarter_plan(
    anchor: Quarter | None,
    *,
    early: tuple[str, str],
    just_before: str,
    at: str,
    just_after: str,
    later: tuple[str, str],
) -> dict[Quarter, str]:
    """Milestones around an anchor quarter (e.g. the renewal's): groundwork early (three, then two
    quarters ahead), preparation the quarter before, the event itself, follow-through the quarter
    after, then sustaining it (two, then three quarters after)."""
    if anchor is None:
        return {}
    steps = {-3: early[0], -2: early[1], -1: just_before, 0: at, 1: just_after, 2: later[0], 3: later[1]}
    anchor_index = QUARTERS.index(anchor)
    return {quarter: steps[index - anchor_index] for index, quarter in enumerate(QUARTERS)}


def within_reach(current: int, full_year_target: int, year_left: float) -> int:
    """A count target scaled to the share of the year left: at least one step up, never past
    the full-year target (0 -> 2 executives in a full year is 0 -> 1 with one quarter left)."""
    if full_year_target <= current:
        return current
    return min(full_year_target, current + max(1, round((full_year_target - current) * year_left)))


def multi_threading_target(situation: Situation) -> int:
    """Engaged contacts to aim for by year end: the segment's norm within reach of the time left,
    and always at least one more than today. One number, used by the objective and the
    stakeholder plan alike."""
    base = {"enterprise": 6, "strategic": 6, "mid-market": 4, "midmarket": 4, "smb": 3}.get(
        situation.segment, 4
    )
    engaged = situation.context.coverage.engaged_contacts
    return min(50, max(engaged + 1, within_reach(engaged, base, situation.year_left)))


def _overlap(first: str, second: str, run: int = 3) -> bool:
    """Do two steps share a run of `run` words (so joining them would repeat a phrase)?"""
    def runs(text: str) -> set[tuple[str, ...]]:
        words = text.lower().replace(";", " ").split()
        return {tuple(words[i : i + run]) for i in range(len(words) - run + 1)}

    return bool(runs(first) & runs(second))


def sequence(
    situation: Situation,
    steps: list[str],
    *,
    before: Quarter | None = None,
    after: tuple[str, ...] = (),
) -> dict[Quarter, str]:
    """Milestones in order over the open quarters. With `before` (the quarter of the event the
    steps lead to), the last step lands in that quarter and the quarters after it take the
    `after` steps instead, so nothing serving an event comes after it. With fewer quarters than
    steps, the first ones are kept and the last step still closes the window; spare quarters
    before the last step review progress at the QBR."""
    open_quarters = list(situation.open_quarters)
    window = open_quarters[: open_quarters.index(before) + 1] if before in open_quarters else open_quarters
    rest = open_quarters[len(window) :]
    plan: dict[Quarter, str] = dict.fromkeys(QUARTERS, steps[0])  # quarters over: milestones() marks them
    if len(window) == 1:
        # One quarter left: its first step and its goal, unless they say the same thing twice.
        plan[window[0]] = steps[-1] if len(steps) == 1 or _overlap(steps[0], steps[-1]) else f"{steps[0]}; {steps[-1]}"
    elif len(window) >= len(steps):
        chosen = steps[:-1] + ["Progress reviewed at the QBR"] * (len(window) - len(steps)) + steps[-1:]
        plan.update(zip(window, chosen, strict=True))
    else:
        plan.update(zip(window, [*steps[: len(window) - 1], steps[-1]], strict=True))
    follow = list(after) or ["Results reviewed at the QBR", "Next year's goals agreed", "Annual review held"]
    for index, quarter in enumerate(rest):
        plan[quarter] = follow[min(index, len(follow) - 1)] if index < len(follow) else f"{follow[-1]} ({quarter})"
    return plan
