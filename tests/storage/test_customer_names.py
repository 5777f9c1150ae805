"""The one customer resolution, as pure matching: ids, exact and normalized names, full names in
free text (Slack markup removed, longest wins), word order, fragments, and typos that are only ever
suggested, within the asker's scope."""

from __future__ import annotations

import pytest

from storage.customer_names import CustomerName, NameIndex, normalize, strip_slack_markup

MINE = "csm1@example.com"
THEIRS = "csm2@example.com"
CUSTOMERS = [
    CustomerName("c-je", "Jasper Energy", MINE),
    CustomerName("c-jc", "Jasper Capital", THEIRS),
    CustomerName("c-jeh", "Jasper Energy Holdings", THEIRS),
    CustomerName("c-tc", "TechCorp Industries", MINE),
    CustomerName("c-ch", "<!channel> Partners", MINE),
    CustomerName("c-aw", "Apex Works", MINE),
    CustomerName("c-al", "Apex Logistics", MINE),
    CustomerName("c-ab", "Apex Biotech", THEIRS),
    CustomerName("c-jj", "Johnson & Johnson", THEIRS),
    CustomerName("c-g1", "Beacon Group", MINE),
    CustomerName("c-dup1", "Acme Corp", MINE),
    CustomerName("c-dup2", "ACME  corp", THEIRS),
]
INDEX = NameIndex(CUSTOMERS)


def mine(customer: CustomerName) -> bool:
    return customer.csm_email == MINE


def named(text: str) -> str | None:
    found = INDEX.named_in(text).customer
    return None if found is None else found.id


def test_normalization_reads_names_the_way_people_type_them() -> None:
    assert normalize("  TechCorp   INDUSTRIES, Inc. ") == "techcorp industries inc"
    assert normalize("ＴｅｃｈＣｏｒｐ") == "techcorp"  # full-width letters
    assert normalize("Johnson & Johnson") == "johnson and johnson"
    assert strip_slack_markup("<!channel> hi <@U123> see <https://x.test|x.test> &lt;b&gt; A&amp;B") == (
        "  hi   see   <b> A&B"
    )


@pytest.mark.parametrize(
    ("query", "expected", "how"),
    [
        ("c-tc", "c-tc", "id"),
        ("techcorp industries", "c-tc", "exact"),
        ("  TechCorp    Industries ", "c-tc", "exact"),
        ("TechCorp Industries.", "c-tc", "name"),
        ("Industries TechCorp", "c-tc", "word_order"),
        ("energy jasper", "c-je", "word_order"),
        ("techcorp", "c-tc", "fragment"),
        ("techc", "c-tc", "fragment"),  # the last word may be cut short
        ("Johnson and Johnson", "c-jj", "name"),
        ("Jasper Energy FY plan", "c-je", "in_text"),
    ],
)
def test_a_query_resolves_to_one_customer(query: str, expected: str, how: str) -> None:
    resolution = INDEX.resolve(query)
    assert resolution.customer is not None and resolution.customer.id == expected
    assert resolution.how == how


def test_the_longest_full_name_wins_and_a_shorter_name_inside_it_does_not_capture_it() -> None:
    assert INDEX.resolve("Jasper Energy").customer.id == "c-je"  # type: ignore[union-attr]
    assert INDEX.resolve("Jasper Energy Holdings").customer.id == "c-jeh"  # type: ignore[union-attr]
    assert named("rewrite the executive summary for Jasper Energy") == "c-je"
    assert named("rewrite the executive summary for Jasper Capital") == "c-jc"
    assert named("rewrite the executive summary for jasper energy holdings, please") == "c-jeh"


def test_a_message_naming_two_customers_is_a_question() -> None:
    resolution = INDEX.named_in("compare Jasper Capital with Apex Works")
    assert resolution.customer is None and resolution.ambiguous
    assert {c.id for c in resolution.candidates} == {"c-jc", "c-aw"}


def test_slack_markup_never_names_a_customer() -> None:
    assert named("<!channel> the new pricing is out") is None
    assert named("which channel do partners use?") is None
    assert named("<!channel> please rewrite the summary for Jasper Energy") == "c-je"
    assert named("<@U0CSM001> make objective 2 critical for <https://techcorp.test|TechCorp> TechCorp Industries") == (
        "c-tc"
    )
    # Typed into Slack, the name arrives escaped; it still names that customer and only it.
    assert named("update &lt;!channel&gt; Partners please") == "c-ch"


def test_a_fragment_shared_by_several_customers_asks_offering_only_the_askers_own() -> None:
    everyone = INDEX.resolve("apex")
    assert everyone.customer is None and everyone.ambiguous
    assert [c.id for c in everyone.candidates] == ["c-ab", "c-al", "c-aw"]
    scoped = INDEX.resolve("apex", mine)
    assert [c.id for c in scoped.candidates] == ["c-al", "c-aw"]
    # A fragment only one name has is that customer, whoever's book it is in (the policy says why not).
    assert INDEX.resolve("biotech", mine).customer.id == "c-ab"  # type: ignore[union-attr]


def test_two_customers_with_the_same_name_are_asked_about_never_picked() -> None:
    resolution = INDEX.resolve("acme corp")
    assert resolution.customer is None and resolution.ambiguous
    assert {c.id for c in resolution.candidates} == {"c-dup1", "c-dup2"}


@pytest.mark.parametrize(
    ("query", "suggested"),
    [
        # Best first; a name that close is worth offering too ("Holdings" contains the typo'd name).
        ("Jaspr Energy", ["c-je", "c-jeh"]),
        ("Jasper Enrgy", ["c-je", "c-jeh"]),
        ("TechCorp Industrys", ["c-tc"]),
        ("Tech Corp Industries", ["c-tc"]),
        ("Apex Wroks", ["c-aw"]),
    ],
)
def test_a_typo_is_suggested_and_never_resolved(query: str, suggested: list[str]) -> None:
    resolution = INDEX.resolve(query)
    assert resolution.customer is None and resolution.how == "fuzzy" and not resolution.ambiguous
    assert [c.id for c in resolution.candidates] == suggested


def test_suggestions_come_only_from_the_askers_scope() -> None:
    assert [c.id for c in INDEX.resolve("Jaspr Capital").candidates] == ["c-jc"]
    assert "c-jc" not in {c.id for c in INDEX.resolve("Jaspr Capital", mine).candidates}
    assert [c.id for c in INDEX.named_in("fix the summary for jaspr capital").candidates] == ["c-jc"]
    assert INDEX.named_in("fix the summary for jaspr capital", mine).candidates == ()


def test_chat_that_names_no_customer_resolves_to_nothing_and_asks_nothing() -> None:
    for text in (
        "what a lovely day",
        "update the group plan",  # "Group" alone is not "Beacon Group"
        "can you update the plan please",
        "move the CFO review to Q3 and add a training objective",
        "mark action 2 done",
        "",
    ):
        resolution = INDEX.named_in(text)
        assert resolution.customer is None and resolution.candidates == (), text


def test_a_typo_in_chat_is_a_suggestion() -> None:
    resolution = INDEX.named_in("rewrite the summary for Jaspr Energy")
    assert resolution.customer is None and [c.id for c in resolution.candidates] == ["c-je"]
    assert [c.id for c in INDEX.named_in("rewrite the summary for energy jasper").candidates] == ["c-je"]
