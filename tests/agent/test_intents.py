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


def test_typos_shorthand_and_markup_are_read_but_names_and_free_text_are_kept() -> None:
    from agent.intents.normalize import known_words, normalize

    known = known_words(["Sarah Chen", "Gainsight evaluation", "Priya Patel"])
    assert normalize("remvoe the last risk", known) == "remove the last risk"
    assert normalize("chnage the priorty of objective 3 to critcal", known) == (
        "change the priority of objective 3 to critical"
    )
    assert normalize("*obj 2* -> critical :tada:", known).split() == ["obj", "2", "to", "critical"]
    assert normalize("new action wk 5: run a reference call", known) == "new action week 5: run a reference call"
    # A name, the plan's own words and a new risk's wording after the colon are never "corrected".
    assert normalize("add risk: Procuremnt is reorganised", known) == "add risk: Procuremnt is reorganised"
    assert normalize("ask Sarrah about the Gainsight evaluation", known) == (
        "ask Sarrah about the Gainsight evaluation"
    )
    assert normalize("we held the QBR", known) == "we held the QBR"  # an English word stays


def test_corrections_bullets_headers_and_one_verb_for_two_requests() -> None:
    assert split_request("obj 5 to critical - actually make that high, not critical") == ["obj 5 to high"]
    assert split_request("move the Q3 QBR to Sept 1, sorry I meant Aug 30") == ["move the Q3 QBR to Aug 30"]
    assert split_request("couple of things:\n- obj 5 to high\n* remove risk 2") == ["obj 5 to high", "remove risk 2"]
    assert split_request("Q1 QBR:\n- push to early March\n- add Marcus") == [
        "Q1 QBR: push to early March",
        "Q1 QBR: add Marcus",
    ]
    assert split_request("Set target ARR to $310K and the multi-threading target to 5") == [
        "Set target ARR to $310K",
        "Set the multi-threading target to 5",
    ]
    assert split_request("Make obj 1 critical. Actually, add a risk: budget freeze") == [
        "Make obj 1 critical.",
        "add a risk: budget freeze",
    ]


def test_more_dates_as_people_write_them() -> None:
    import pytest

    from agent.intents.references import Unclear

    first, last, near = date(2027, 1, 1), date(2027, 12, 31), date(2027, 2, 15)
    assert parse_date("6/24", first=first, last=last, near=near) == date(2027, 6, 24)
    assert parse_date("24/6", first=first, last=last, near=near) == date(2027, 6, 24)
    assert parse_date("the first week of August", first=first, last=last, near=near) == date(2027, 8, 2)
    assert parse_date("early in Q4", first=first, last=last, near=near) == date(2027, 10, 5)
    assert parse_date("to the 22nd", first=first, last=last, near=near) == date(2027, 2, 22)
    with pytest.raises(Unclear, match="could be Jun 7 or Jul 6"):
        parse_date("6/7", first=first, last=last, near=near)


def test_remarks_are_dropped_but_never_a_request_or_a_negation() -> None:
    plan = sample_plan(plan_id="p-1")

    def outcomes(message: str) -> list[tuple[str, str]]:
        result = run_request(message, plan, FACTS, None)
        assert not result.submit, message
        return [(p.outcome, p.text) for p in result.parts]

    assert outcomes("submit it, not yet") == [("unknown", "submit it, not yet")]
    assert [o for o, _ in outcomes("I think we should make objective 2 critical")] == ["changed"]
    assert [o for o, _ in outcomes("we have to make objective 2 critical")] == ["changed"]
    assert outcomes("I think objective 2 is overblown, make it medium")[0] == (
        "aside",
        "I think objective 2 is overblown",
    )
    assert run_request("I think objective 2 is overblown, make it medium", plan, FACTS, None).document.strategic_objectives[
        1
    ].priority == "medium"
