"""Relationship strength per contact (PRD-227): 0-100 from recency, frequency, sentiment,
seniority and engagement, with the components that produced it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache
from itertools import pairwise
from typing import Protocol

from pydantic import BaseModel

# How much each component (each 0-100) counts towards the score; they sum to 1.
WEIGHTS: dict[str, float] = {
    "recency": 0.25,
    "frequency": 0.20,
    "sentiment": 0.20,
    "seniority": 0.15,
    "engagement": 0.20,
}
FREQUENCY_WINDOW_DAYS = 180
# Twelve touches in 180 days (about one a fortnight) is as frequent as a relationship needs.
FREQUENCY_FULL_MARKS = 12
# Days since the last touch -> recency points; linear between the knots, 0 after a year.
RECENCY_KNOTS: tuple[tuple[int, float], ...] = (
    (0, 100.0),
    (14, 90.0),
    (30, 75.0),
    (60, 50.0),
    (90, 35.0),
    (180, 10.0),
    (365, 0.0),
)
ENGAGEMENT_POINTS: dict[str, float] = {"high": 100.0, "medium": 60.0, "low": 25.0, "none": 0.0}
UNKNOWN_ENGAGEMENT_POINTS = 30.0
NEUTRAL_SENTIMENT_POINTS = 50.0

SENIORITY_NAMES = {5: "C-level", 4: "VP", 3: "director", 2: "manager", 1: "individual contributor"}
_C_LEVEL = re.compile(r"\bchief\b|\bc[a-z]{1,2}o\b|\bfounder\b|\bowner\b|(?<!vice )\bpresident\b")
_VP = re.compile(r"\b(?:svp|evp|avp|vp|vice president)\b")
_DIRECTOR = re.compile(r"\b(?:head|director)\b")
_MANAGER = re.compile(r"\b(?:manager|lead|supervisor)\b")


class ContactFacts(Protocol):
    """What scoring needs about a contact (an ORM `Contact` or a `ContactInsight` both fit)."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str | None: ...
    @property
    def engagement_level(self) -> str | None: ...
    @property
    def last_contacted(self) -> date | None: ...
    @property
    def active(self) -> bool: ...


class InteractionFacts(Protocol):
    """What scoring needs about an interaction (an ORM `Interaction` fits)."""

    @property
    def date(self) -> date: ...
    @property
    def sentiment(self) -> float | None: ...


class RelationshipScore(BaseModel):
    contact_id: str
    score: int  # 0-100
    components: dict[str, float]  # recency, frequency, sentiment, seniority, engagement (each 0-100)
    weights: dict[str, float]
    explanation: str


@lru_cache(maxsize=4096)  # titles repeat across contacts; each is read for scoring and for coverage
def seniority_level(title: str | None) -> int:
    """C-level/Chief 5, SVP/EVP/VP 4, Head/Director 3, Manager/Lead 2, anything else 1."""
    if not title:
        return 1
    lowered = title.lower().replace("-", " ").replace(".", "")
    if _C_LEVEL.search(lowered):
        return 5
    if _VP.search(lowered):
        return 4
    if _DIRECTOR.search(lowered):
        return 3
    if _MANAGER.search(lowered):
        return 2
    return 1


def recency_points(days_since: int | None) -> float:
    """Points for the days since the last touch (None = never contacted = 0)."""
    if days_since is None:
        return 0.0
    days = max(days_since, 0)
    for (day0, points0), (day1, points1) in pairwise(RECENCY_KNOTS):
        if days <= day1:
            return points0 + (points1 - points0) * (days - day0) / (day1 - day0)
    return 0.0


def score_relationship(
    contact: ContactFacts, interactions: Iterable[InteractionFacts], as_of: date
) -> RelationshipScore:
    """The contact's relationship score from plain facts; interactions are this contact's own.

    A contact who left the company scores 0 (the components still show what the relationship was).
    """
    window_start = as_of - timedelta(days=FREQUENCY_WINDOW_DAYS)
    past = [i for i in interactions if i.date <= as_of]
    recent = [i for i in past if i.date >= window_start]
    touches = [d for d in [contact.last_contacted, *(i.date for i in past)] if d is not None and d <= as_of]
    last_touch = max(touches) if touches else None
    days_since = (as_of - last_touch).days if last_touch else None
    sentiments = [i.sentiment for i in recent if i.sentiment is not None]
    mean_sentiment = sum(sentiments) / len(sentiments) if sentiments else None
    level = seniority_level(contact.title)
    engagement = (contact.engagement_level or "").lower()

    components = {
        "recency": recency_points(days_since),
        "frequency": 100.0 * min(1.0, len(recent) / FREQUENCY_FULL_MARKS),
        "sentiment": (mean_sentiment + 1.0) * 50.0
        if mean_sentiment is not None
        else NEUTRAL_SENTIMENT_POINTS,
        "seniority": 20.0 * level,
        "engagement": ENGAGEMENT_POINTS.get(engagement, UNKNOWN_ENGAGEMENT_POINTS),
    }
    components = {name: round(max(0.0, min(100.0, value)), 1) for name, value in components.items()}
    weighted = sum(components[name] * weight for name, weight in WEIGHTS.items())
    score = round(weighted) if contact.active else 0

    parts = [
        f"last contact {days_since} days ago" if days_since is not None else "never contacted",
        f"{len(recent)} interactions in {FREQUENCY_WINDOW_DAYS} days",
        f"mean sentiment {mean_sentiment:+.2f}" if mean_sentiment is not None else "no sentiment recorded",
        f"{SENIORITY_NAMES[level]} seniority",
        f"{engagement or 'unknown'} engagement",
    ]
    explanation = "; ".join(parts)
    if not contact.active:
        explanation = f"left the company (would score {round(weighted)}): {explanation}"
    return RelationshipScore(
        contact_id=contact.id,
        score=score,
        components=components,
        weights=WEIGHTS,  # validation copies it
        explanation=explanation,
    )
