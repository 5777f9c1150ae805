"""The intent parser on its own (no database): splitting, references, dates, and that no wording,
however odd, breaks it or changes the plan's status."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from agent.intents import PlanFacts, run_request, split_request
from agent.intents.dates import parse_date, parse_shift
from tests.fakes.plan_samples import sample_plan

FACTS = PlanFacts(today=date(2026, 1, 5))


def test_requests_split_where_a_new_request_starts() -> None:
    assert split_request("set priority of objective 3 to critical and add a training objective") == [
        "set priority of objective 3 to critical",
        "add a training objective",
    ]
    assert split_request("Can you mark actions 1 and 2 done, then push the Q1 QBR to early March? Thanks!") == [
        "mark actions 1 and 2 done",
        "push the Q1 QBR to early March?",
    ]
    assert split_request("add Marcus and Priya to the Q2 QBR") == ["add Marcus and Priya to the Q2 QBR"]
    assert split_request("move the CFO review to Q3; drop risk 2\nwhat's our benchmark?") == [
        "move the CFO review to Q3",
        "drop risk 2",
        "what's our benchmark?",
    ]


def test_dates_as_people_say_them() -> None:
    first, last = date(2026, 1, 1), date(2026, 12, 31)
    near = date(2026, 2, 15)
    assert parse_date("early March", first=first, last=last, near=near) == date(2026, 3, 5)
    assert parse_date("mid-April", first=first, last=last, near=near) == date(2026, 4, 15)
    assert parse_date("late march", first=first, last=last, near=near) == date(2026, 3, 24)
    assert parse_date("March 3rd", first=first, last=last, near=near) == date(2026, 3, 3)
    assert parse_date("the 3rd of March", first=first, last=last, near=near) == date(2026, 3, 3)
    assert parse_date("2026-06-10", first=first, last=last, near=near) == date(2026, 6, 10)
    assert parse_date("early March", first=date(2026, 4, 1), last=date(2027, 3, 31), near=near) == date(2027, 3, 5)
    assert parse_shift("a week later").days == 7  # type: ignore[union-attr]
    assert parse_shift("two weeks earlier").days == -14  # type: ignore[union-attr]
    assert parse_shift("by 3 days").days == 3  # type: ignore[union-attr]


def test_references_by_number_position_content_and_it() -> None:
    plan = sample_plan(plan_id="p-1")
    result = run_request(
        "make the last objective high, then rename it to Secure a two-year renewal; "
        "make the executive engagement goal medium",
        plan,
        FACTS,
        None,
    )
    objectives = result.document.strategic_objectives
    assert (objectives[2].objective, objectives[2].priority) == ("Secure a two-year renewal", "high")
    assert objectives[0].priority == "medium"
    assert [p.outcome for p in result.parts] == ["changed", "changed", "changed"]


def test_two_equal_matches_are_asked_about_not_guessed() -> None:
    plan = sample_plan(plan_id="p-1")  # every objective has the same metric and milestones
    result = run_request("raise the feature utilization target to 90%", plan, FACTS, None)
    (part,) = result.parts
    assert part.outcome == "failed" and "say which objective" in part.message
    assert result.document == plan


VOCABULARY = ["set", "make", "move", "push", "drop", "remove", "add", "mark", "done", "snooze", "assign", "reassign", "swap", "merge", "rename", "approve", "submit", "the", "a", "to", "of", "and", "then", "objective", "2", "3", "9", "last", "first", "risk", "action", "week", "QBR", "Q1", "Q3", "milestone", "target", "80%", "critical", "high", "low", "medium", "Sarah", "John", "Smith", "CFO", "review", "early", "March", "it", "duplicate", "owner", "?", ",", ";", "."]


@settings(max_examples=300)
@given(st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=14))
def test_no_wording_breaks_the_parser_or_changes_the_status(tokens: list[str]) -> None:
    plan = sample_plan(plan_id="p-1")
    result = run_request(" ".join(tokens), plan, FACTS, None)
    assert result.document.status == "draft"
    assert result.document.strategic_objectives
    assert all(p.outcome in {"changed", "already", "failed", "answered", "refused", "submit", "unknown"} for p in result.parts)
