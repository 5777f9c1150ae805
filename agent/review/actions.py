"""The 90-day plan: work in every two-week window of weeks 1-12 (inside the fiscal year), a load
a CSM can carry, and every action pointing at an objective the plan has."""

from __future__ import annotations

from collections import Counter

from agent.review.facts import ReviewFacts
from agent.review.wording import day

WINDOW_WEEKS = 2
COVERED_WEEKS = 12
MAX_OPEN_ACTIONS_PER_WEEK = 5


def _check_windows(facts: ReviewFacts) -> None:
    actions = facts.document.action_plan_90day
    weeks = {a.week for a in actions}
    empty: list[int] = []  # first week of each empty window
    for first in range(1, COVERED_WEEKS + 1, WINDOW_WEEKS):
        if facts.week_start(first) > facts.year_end:
            break  # past the fiscal year: the next year's plan covers it
        if not weeks & set(range(first, first + WINDOW_WEEKS)):
            empty.append(first)
    runs: list[list[int]] = []
    for first in empty:
        if runs and runs[-1][-1] + WINDOW_WEEKS == first:
            runs[-1].append(first)
        else:
            runs.append([first])
    for run in runs:
        start, end = run[0], run[-1] + WINDOW_WEEKS - 1
        dates = f"{day(facts.week_start(start))} to {day(min(facts.week_end(end), facts.year_end))}"
        if len(run) == 1:
            facts.warning(
                "action_plan_gap",
                "action_plan_90day",
                f"Nothing is planned in weeks {start}-{end} ({dates}).",
                "Add the next step of an objective to those weeks.",
            )
        else:
            facts.error(
                "action_plan_gap",
                "action_plan_90day",
                f"The 90-day plan has nothing in weeks {start}-{end} ({dates}): "
                f"{WINDOW_WEEKS * len(run)} weeks without planned work.",
                "Plan each objective's next steps through those weeks, so the 90 days are covered.",
            )


def _check_load(facts: ReviewFacts) -> None:
    actions = facts.document.action_plan_90day
    load = Counter(a.week for a in actions if a.status == "open")
    for week, count in sorted(load.items()):
        if count > MAX_OPEN_ACTIONS_PER_WEEK:
            first = next(i for i, a in enumerate(actions) if a.week == week)
            facts.warning(
                "action_overload",
                f"action_plan_90day[{first}]",
                f"Week {week} has {count} actions: more than a CSM can do well beside the rest of their book.",
                f"Spread them over the weeks around it (at most {MAX_OPEN_ACTIONS_PER_WEEK} a week).",
            )


def _check_links(facts: ReviewFacts) -> None:
    objectives = {o.id: n for n, o in enumerate(facts.document.strategic_objectives, start=1)}
    linked: set[str] = set()
    for i, action in enumerate(facts.document.action_plan_90day):
        if action.objective_id is None:
            continue
        if action.objective_id not in objectives:
            facts.error(
                "action_without_objective",
                f"action_plan_90day[{i}].objective_id",
                f"The week {action.week} action points at {action.objective_id}, which the plan does not have.",
                "Link it to an objective the plan has, or unlink it.",
            )
        linked.add(action.objective_id)
    for objective_id, number in objectives.items():
        if objective_id not in linked:
            facts.warning(
                "objective_without_action",
                f"strategic_objectives[{number - 1}]",
                f"Objective {number} has no action in the 90-day plan.",
                f"Add its first step to the 90-day plan, linked to objective {number}.",
            )


def check(facts: ReviewFacts) -> None:
    _check_windows(facts)
    _check_load(facts)
    _check_links(facts)
