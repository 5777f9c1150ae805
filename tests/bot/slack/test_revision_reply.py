"""The thread reply to a plan change (`revision_reply_blocks`): each change or answer once, what
could not be done apart with what to say instead, cascades listed only where the reply counted them."""

from __future__ import annotations

from typing import Any

from bot.slack.blocks.revision_reply import revision_reply_blocks


def texts(reply: str, diff: list[str]) -> list[str]:
    blocks: list[Any] = [b.to_dict() for b in revision_reply_blocks(reply, diff)]
    return [b["text"]["text"] if b["type"] == "section" else b["elements"][0]["text"] for b in blocks]


def test_changes_are_listed_once_and_problems_apart() -> None:
    reply = (
        "TechCorp Industries FY2027, saved as version 2: Objective 5 is now High (was Medium). "
        "Q1 QBR moved from Feb 15, 2027 to Feb 22, 2027. Its 2 related actions in the 90-day plan moved with it. "
        "I didn't understand 'fly to the moon'. You could say 'make objective 2 critical' or 'when is the renewal?'."
    )
    diff = [
        "Objective 5 is now High (was Medium)",
        "Q1 QBR moved from Feb 15, 2027 to Feb 22, 2027",
        "Action 'Hold the Q1 QBR on Feb 15, 2027' now reads 'Hold the Q1 QBR on Feb 22, 2027'",
    ]
    head, changes, problems = texts(reply, diff)
    assert head == "*TechCorp Industries FY2027* · saved as version 2"
    assert changes.splitlines() == [
        "• Objective 5 is now High (was Medium).",
        "• Q1 QBR moved from Feb 15, 2027 to Feb 22, 2027.",
        "• Its 2 related actions in the 90-day plan moved with it.",
    ]
    assert problems == (
        ":warning: I didn't understand 'fly to the moon'. You could say 'make objective 2 critical' or "
        "'when is the renewal?'."
    )


def test_lines_the_reply_only_counted_are_listed_in_small_print() -> None:
    reply = (
        "Acme FY2027, saved as version 3: Action 'Call Bob' reassigned to Priya Patel (was CSM). "
        "And 1 more like that. I can't approve, reject or activate Acme's FY2027 plan: a manager decides on "
        "plans. Say 'submit for approval' and I'll send it to them."
    )
    diff = [
        "Action 'Call Bob' reassigned to Priya Patel (was CSM)",
        "Action 'Send <b>deck</b>' reassigned to Priya Patel (was CSM)",
    ]
    head, changes, problems, extra = texts(reply, diff)
    assert head == "*Acme FY2027* · saved as version 3"
    assert changes == "Action 'Call Bob' reassigned to Priya Patel (was CSM)."  # one line: no bullet
    assert "And 1 more" not in changes
    assert problems.startswith(":warning: I can't approve") and problems.endswith("I'll send it to them.")
    assert extra == "Also changed: Action 'Send &lt;b&gt;deck&lt;/b&gt;' reassigned to Priya Patel (was CSM)"


def test_answers_and_nothing_changed() -> None:
    assert texts("Acme FY2027: Objective 3 is owned by the CSM.", []) == [
        "*Acme FY2027*",
        "Objective 3 is owned by the CSM.",
    ]
    assert texts("Nothing changed in Acme FY2027. The Q3 QBR is already on Aug 16, 2027.", []) == [
        "*Acme FY2027* · nothing changed",
        "The Q3 QBR is already on Aug 16, 2027.",
    ]


def test_a_free_worded_reply_keeps_its_words_and_shows_what_was_saved() -> None:
    reply = "Done: I raised the <renewal> objective to critical."
    diff = ["Objective 1 is now Critical (was High)"]
    assert texts(reply, diff) == [
        "Done: I raised the &lt;renewal&gt; objective to critical.",
        "Saved changes: Objective 1 is now Critical (was High)",
    ]


def test_a_free_worded_reply_is_headed_by_the_plan_it_changed() -> None:
    blocks = revision_reply_blocks(
        "Done.", ["Objective 1 is now Critical (was High)"], title="Acme FY2027", version=4, changed=True
    )
    assert [b.to_dict()["type"] for b in blocks] == ["section", "section", "context"]
    assert blocks[0].to_dict()["text"]["text"] == "*Acme FY2027* · saved as version 4"
