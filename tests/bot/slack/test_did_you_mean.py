"""The "which customer?" question as Block Kit: what it says for a typo, for a name several
customers share and for a chat request, and what its buttons carry."""

from __future__ import annotations

import json

import pytest

from bot.slack.blocks.did_you_mean import (
    did_you_mean_blocks,
    parse_request_value,
    question_text,
    which_customer_blocks,
)
from storage.errors import UnknownCustomer

TWO = [("c1", "Jasper Capital"), ("c2", "Jasper Energy")]


def test_a_typo_and_a_shared_name_read_differently() -> None:
    typo = UnknownCustomer("Jaspr Energy", ["Jasper Energy"], choices=[("c2", "Jasper Energy")])
    assert (
        question_text(typo)
        == "I could not find a customer named *Jaspr Energy*. Did you mean *Jasper Energy*?"
    )
    shared = UnknownCustomer("jasper", [n for _, n in TWO], choices=TWO, ambiguous=True)
    assert (
        question_text(shared)
        == "Several customers match *jasper*. Did you mean *Jasper Capital* or *Jasper Energy*?"
    )
    assert (
        question_text(shared, in_message=True)
        == "Which customer do you mean: *Jasper Capital* or *Jasper Energy*?"
    )
    lead, actions = (b.to_dict() for b in did_you_mean_blocks(shared, TWO, "FY2027"))
    assert lead["text"]["text"] == "Several customers match *jasper*. Which one do you mean?"
    assert actions["block_id"] == "did_you_mean:FY2027"
    assert [(e["action_id"], e["value"]) for e in actions["elements"]] == [
        ("pick_customer_0", "c1"),
        ("pick_customer_1", "c2"),
    ]


def test_customer_text_in_the_question_is_escaped() -> None:
    error = UnknownCustomer("<!channel> x", [])
    assert "&lt;!channel&gt;" in question_text(error) and "<!channel>" not in question_text(error)


def test_a_chat_question_button_carries_the_request_it_answers() -> None:
    shared = UnknownCustomer("...", [n for _, n in TWO], choices=TWO, ambiguous=True)
    question, actions = (b.to_dict() for b in which_customer_blocks(shared, "make objective 2 critical"))
    assert question["text"]["text"] == "Which customer do you mean: *Jasper Capital* or *Jasper Energy*?"
    values = [parse_request_value(e["value"]) for e in actions["elements"]]
    assert values == [("c1", "make objective 2 critical"), ("c2", "make objective 2 critical")]
    assert [e["action_id"] for e in actions["elements"]] == [
        "pick_customer_request_0",
        "pick_customer_request_1",
    ]


def test_a_request_too_long_for_a_button_gets_the_question_alone() -> None:
    shared = UnknownCustomer("...", [n for _, n in TWO], choices=TWO, ambiguous=True)
    (only,) = (b.to_dict() for b in which_customer_blocks(shared, "x" * 2500))
    assert only["type"] == "section" and "full name" in only["text"]["text"]


@pytest.mark.parametrize("value", ["", "{", "[]", json.dumps({"customer": 1, "request": "x"})])
def test_a_malformed_button_value_is_refused(value: str) -> None:
    with pytest.raises(ValueError):
        parse_request_value(value)
