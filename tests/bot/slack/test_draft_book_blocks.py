"""The draft-book messages without Slack: progress, summary, list and refusal stay within Slack's
limits, escape what people typed, and say the numbers."""

from __future__ import annotations

import json

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement

from bot.slack.blocks.draft_book import (
    MAX_LIST_ROWS,
    SEE_LIST,
    BookRunItem,
    BookRunSummary,
    BookRunView,
    duration,
    progress_bar,
    reason_lines,
    refusal_text,
    run_list_view,
    run_progress_blocks,
    run_summary_blocks,
)
from bot.slack.limits import MAX_BLOCKS_PER_MESSAGE, MAX_BLOCKS_PER_MODAL

HOSTILE = "<!channel> Acme & <@U123>"


def text_of(blocks: list[Block]) -> str:
    return json.dumps([b.to_dict() for b in blocks], ensure_ascii=False)


def test_the_bar_fills_in_proportion_and_is_full_only_when_done() -> None:
    assert progress_bar(0, 10, width=10) == "░░░░░░░░░░ 0%"
    assert progress_bar(5, 10, width=10) == "█████░░░░░ 50%"
    assert progress_bar(999, 1000, width=10) == "█████████░ 99%"
    assert progress_bar(10, 10, width=10) == "██████████ 100%"
    assert progress_bar(0, 0, width=4) == "████ 100%"  # nothing to draft is done


def test_durations_read_like_a_person_says_them() -> None:
    assert [duration(s) for s in (0.2, 45, 180, 4800)] == ["1s", "45s", "3 min", "1 h 20 min"]


def test_progress_shows_counts_bar_rate_and_time_left() -> None:
    view = BookRunView(
        "run-abc",
        "your book",
        total=200,
        drafted=90,
        skipped=8,
        failed=2,
        rate_per_second=12.5,
        seconds_left=8,
    )
    text = text_of(run_progress_blocks(view))
    assert "Drafting your book" in text and "200 accounts" in text
    assert "50%" in text and "100 of 200 done: 90 drafted · 8 skipped · 2 failed" in text
    assert "12.5 plans/s" in text and "about 8s left" in text and "run-abc" in text


def test_progress_before_anything_is_done_promises_no_rate() -> None:
    text = text_of(run_progress_blocks(BookRunView("run-abc", "your book", total=3)))
    assert "plans/s" not in text and "left" not in text and "0 of 3 done" in text


def test_the_summary_has_counts_main_reasons_and_the_list_button() -> None:
    view = BookRunView("run-abc", "Dana's book", total=10, drafted=6, skipped=3, failed=1)
    summary = BookRunSummary(
        view,
        seconds=75,
        skip_reasons=[("submitted for review", 1), ("edited by a person", 2)],
        failure_reasons=[(f"no health data {HOSTILE}", 1)],
    )
    blocks = run_summary_blocks(summary)
    text = text_of(blocks)
    assert "Drafted Dana's book" in text and "1 min" in text
    for label, count in (("Drafted", 6), ("Skipped", 3), ("Failed", 1)):
        assert f"*{label}*\\n{count}" in text
    assert "edited by a person (2)" in text and "submitted for review (1)" in text
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
    buttons = [e for b in blocks if isinstance(b, ActionsBlock) for e in b.elements]
    assert len(buttons) == 1 and isinstance(buttons[0], ButtonElement)
    assert buttons[0].action_id == SEE_LIST and buttons[0].value == "run-abc"
    assert len(blocks) <= MAX_BLOCKS_PER_MESSAGE


def test_a_stopped_run_says_so_and_why() -> None:
    view = BookRunView("run-abc", "your book", total=10, drafted=4)
    text = text_of(
        run_summary_blocks(BookRunSummary(view, seconds=3, state="failed", message="the database went away"))
    )
    assert "stopped" in text and "the database went away" in text


def test_reasons_are_grouped_most_common_first_and_the_rest_counted() -> None:
    reasons = [("c", 1), ("a", 5), ("d", 1), ("b", 3), ("e", 1)]
    assert reason_lines(reasons, limit=2) == ["a (5)", "b (3)", "3 others"]


def test_the_list_puts_problems_first_and_says_how_to_open_each_plan() -> None:
    view = BookRunView("run-abc", "your book", total=3, drafted=2, failed=1)
    items = [
        BookRunItem("Zeta Corp", "drafted", version=2, fiscal_year="FY2026"),
        BookRunItem("Bolt Co", "drafted", version=1, link="https://slack.example/archives/C1/p1"),
        BookRunItem(HOSTILE, "failed", reason="no data"),
    ]
    modal = run_list_view(view, items).to_dict()
    text = json.dumps(modal, ensure_ascii=False)
    assert text.index("no data") < text.index("Bolt Co") < text.index("Zeta Corp")
    assert (
        "`/accountplan show Zeta Corp FY2026`" in text
        and "<https://slack.example/archives/C1/p1|Bolt Co>" in text
    )
    assert "<!channel>" not in text


def test_a_long_run_list_is_cut_within_slack_limits_and_points_to_the_cli() -> None:
    items = [BookRunItem(f"Customer {i:05d} " + "x" * 60, "drafted", version=1) for i in range(5000)]
    view = BookRunView("run-abc", "your team's books", total=5000, drafted=5000)
    modal = run_list_view(view, items)
    payload = modal.to_dict()  # validates Slack's limits
    assert len(payload["blocks"]) <= MAX_BLOCKS_PER_MODAL
    assert f"{5000 - MAX_LIST_ROWS:,} more" in json.dumps(
        payload
    ) and "accountplan runs show run-abc" in json.dumps(payload)


def test_the_refusal_says_how_far_the_other_run_is_and_links_it() -> None:
    text = refusal_text("your book", 40, 120, "https://slack.example/archives/C1/p9")
    assert (
        text
        == "A run for your book is already going: 40 of 120 done. <https://slack.example/archives/C1/p9|See its progress>."
    )


def test_progress_updates_are_throttled_to_one_per_interval() -> None:
    from bot.slack.book_drafting import Throttle

    now = [100.0]
    throttle = Throttle(2.0, clock=lambda: now[0])
    seen = []
    for step in range(10):  # progress every half second for five seconds
        now[0] = 100.0 + step * 0.5
        seen.append(throttle.due())
    assert [i * 0.5 for i, due in enumerate(seen) if due] == [0.0, 2.0, 4.0]
