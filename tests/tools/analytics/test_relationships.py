from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from storage.models import Contact, Interaction
from tools.analytics.relationships import WEIGHTS, recency_points, score_relationship, seniority_level

AS_OF = date(2026, 1, 15)


@dataclass
class Person:
    id: str
    title: str | None
    engagement_level: str | None
    last_contacted: date | None
    active: bool = True


@dataclass
class Touch:
    date: date
    sentiment: float | None


def touches(days_ago_and_sentiment: list[tuple[int, float | None]]) -> list[Touch]:
    return [Touch(AS_OF - timedelta(days=days), sentiment) for days, sentiment in days_ago_and_sentiment]


@pytest.mark.parametrize(
    ("title", "level"),
    [
        ("Chief Technology Officer", 5),
        ("CFO", 5),
        ("CTO & VP Engineering", 5),
        ("VP Product", 4),
        ("Senior Vice President, Operations", 4),
        ("EVP Sales", 4),
        ("Head of Data", 3),
        ("Director of IT", 3),
        ("Customer Success Manager", 2),
        ("Tech Lead", 2),
        ("Data Analyst", 1),
        (None, 1),
    ],
)
def test_seniority_levels(title: str | None, level: int) -> None:
    assert seniority_level(title) == level


def test_sarah_chen_profile_scores_about_78() -> None:
    # VP Product, high engagement, five positive touches in the last 180 days, the last 10 days ago.
    sarah = Person("c-sarah", "VP Product", "high", AS_OF - timedelta(days=10))
    result = score_relationship(
        sarah, touches([(10, 0.6), (30, 0.5), (60, 0.4), (95, 0.5), (140, 0.5)]), AS_OF
    )
    assert 76 <= result.score <= 80
    assert result.components["seniority"] == 80.0
    assert result.components["engagement"] == 100.0
    assert result.components["sentiment"] == 75.0
    assert result.weights == WEIGHTS and sum(WEIGHTS.values()) == pytest.approx(1.0)
    expected = sum(result.components[name] * weight for name, weight in WEIGHTS.items())
    assert result.score == round(expected)
    assert "last contact 10 days ago" in result.explanation
    assert "5 interactions in 180 days" in result.explanation


def test_stale_negative_junior_contact_scores_low_and_each_component_moves_the_score() -> None:
    stale = Person("c-1", "Analyst", "low", AS_OF - timedelta(days=200))
    low = score_relationship(stale, touches([(200, -0.6)]), AS_OF)
    assert low.score < 25
    assert low.components["frequency"] == 0.0  # the only touch is outside the 180-day window
    assert low.components["sentiment"] == 50.0  # nothing recent to judge: neutral
    warmer = score_relationship(stale, touches([(200, -0.6), (20, 0.8)]), AS_OF)
    assert warmer.score > low.score
    assert warmer.components["recency"] > low.components["recency"]


def test_interactions_after_as_of_are_ignored() -> None:
    person = Person("c-2", "Director", "medium", None)
    before = score_relationship(person, touches([(40, 0.2)]), AS_OF)
    with_future = score_relationship(
        person, [*touches([(40, 0.2)]), Touch(AS_OF + timedelta(days=3), 1.0)], AS_OF
    )
    assert with_future == before


def test_departed_contact_scores_zero_but_keeps_components() -> None:
    gone = Person("c-3", "VP Engineering", "high", AS_OF - timedelta(days=5), active=False)
    result = score_relationship(gone, touches([(5, 0.7)]), AS_OF)
    assert result.score == 0
    assert result.components["recency"] > 90
    assert result.explanation.startswith("left the company")


def test_never_contacted_contact_has_zero_recency() -> None:
    result = score_relationship(Person("c-4", None, None, None), [], AS_OF)
    assert result.components["recency"] == 0.0
    assert "never contacted" in result.explanation


def test_recency_curve_is_monotone() -> None:
    values = [recency_points(days) for days in range(0, 400, 5)]
    assert values == sorted(values, reverse=True)
    assert recency_points(0) == 100.0 and recency_points(400) == 0.0


def test_orm_rows_are_accepted_directly() -> None:
    contact = Contact(
        id="c-9",
        customer_id="x",
        name="N",
        title="Head of Ops",
        role="champion",
        engagement_level="medium",
        last_contacted=AS_OF - timedelta(days=30),
        active=True,
    )
    rows = [
        Interaction(
            id="i1", customer_id="x", contact_id="c-9", date=AS_OF - timedelta(days=30), sentiment=0.0
        )
    ]
    result = score_relationship(contact, rows, AS_OF)
    assert result.contact_id == "c-9"
    assert result.components["recency"] == 75.0
    assert result.components["seniority"] == 60.0
