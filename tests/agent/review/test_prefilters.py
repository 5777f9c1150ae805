"""The review's shortcuts (one combined pattern, cheap tests before a costly pattern, only the items
that can hold a problem) find exactly what the plain reading finds, on text written to trip them:
other cases, long s ("ſince"), dotted I, quotations, ellipses, brackets, trailing spaces."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.review import text as text_check
from agent.review.facts import ReviewFacts
from agent.review.model import Finding
from agent.review.risks import CAUSES, cause_of
from agent.review.timing import AFTER_WORDS, _action_event
from tests.agent.review.clean_plan import clean_data, context, document

PIECES = [
    "and", "AND", "And", " the", "or", "aſ", "as", "İn", "in", "Renewal", "renewal", "after", "AFTER", "ſince",
    "since", "Follow-up", "post-renewal", "POST", "once", "thank", "recap", "debrief", "departed", "left the company",
    "single-threaded", "health", "HEALTH", "usage", "renewal", "competitor", "RFP", "budget", "pricing", "support",
    "ticket", "invoice", "frustrated", "leadership", "new CIO", ",", ":", "(", ")", "-", "–", "/", "&", "+", "…",
    "...", "\u201c", "\u201d", '"', "'", " ", "  ", "\u00a0", "\t", "\n", ".", "x", "Q2", "Mar 3", "Σ", "K",
]  # fmt: skip
texts = st.lists(st.sampled_from(PIECES), max_size=10).map(" ".join) | st.lists(
    st.sampled_from(PIECES), max_size=10
).map("".join)


def _first_cause(text: str) -> str | None:
    """The plain reading: every cause's pattern, the one that matches first wins (earlier on ties)."""
    best: tuple[int, str] | None = None
    for cause, pattern in CAUSES.items():
        match = pattern.search(text)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), cause)
    return best[1] if best else None


@settings(max_examples=400, deadline=None)
@given(text=texts)
def test_the_combined_cause_pattern_names_the_cause_named_first(text: str) -> None:
    assert cause_of(text) == _first_cause(text)


def _plan_with(values: list[str]) -> dict[str, Any]:
    """The clean plan with `values` written into its free text (actions, owners, milestones, risks)."""
    plan = clean_data()
    slots: list[tuple[dict[str, Any], str]] = [(a, "action") for a in plan["action_plan_90day"]]
    slots += [(a, "owner") for a in plan["action_plan_90day"]]
    slots += [(m, "milestone") for o in plan["strategic_objectives"] for m in o["quarterly_milestones"]]
    slots += [(r, key) for r in plan["risk_mitigation"]["identified_risks"] for key in ("risk", "mitigation")]
    for (holder, key), value in zip(slots, values, strict=False):
        holder[key] = value
    return plan


def _cut_offs_read_everywhere(facts: ReviewFacts) -> list[Finding]:
    """The plain reading of the cut-off check: every item with text."""
    for item in facts.texts:
        if item.text.strip():
            text_check._cut_off(facts, item)
    return facts.findings


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(texts.filter(str.strip), min_size=1, max_size=40))
def test_cut_offs_are_found_on_exactly_the_items_a_full_reading_finds(values: list[str]) -> None:
    plan = document(_plan_with(values))
    shortcut, everywhere = ReviewFacts(plan, context(), 1), ReviewFacts(plan, context(), 1)
    for item in text_check._cut_off_candidates(shortcut):
        if item.text.strip():
            text_check._cut_off(shortcut, item)
    assert shortcut.findings == _cut_offs_read_everywhere(everywhere)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(action=texts)
def test_an_action_with_after_words_names_no_event_whatever_their_case(action: str) -> None:
    plan = clean_data()
    plan["action_plan_90day"][0]["action"] = action
    facts = ReviewFacts(document(plan), context(), 1)
    item = facts.texts_of("action")[0]
    # Due long after everything: only the 'after' words keep an event from being named.
    named = _action_event(facts, item, date(2099, 1, 1))
    if AFTER_WORDS.search(item.own):
        assert named is None
