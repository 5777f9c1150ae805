"""Relationship strength per contact (PRD-227): 0-100 from recency, frequency, sentiment,
seniority and engagement, with the components that produced it."""

from __future__ import annotations

from pydantic import BaseModel


class RelationshipScore(BaseModel):
    contact_id: str
    score: int  # 0-100
    components: dict[str, float]  # recency, frequency, sentiment, seniority, engagement (each 0-100)
    weights: dict[str, float]
    explanation: str


# To implement (issue 2): seniority_level(title) -> int, infer_role(title) -> str,
# score_relationship(contact, interactions, as_of) -> RelationshipScore
