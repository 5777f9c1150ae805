"""Similar accounts: nearest neighbours among accounts with a known renewal outcome; success =
renewed and grew. Computed from data, never a constant."""

from __future__ import annotations

from pydantic import BaseModel


class SimilarAccount(BaseModel):
    customer_id: str
    name: str
    industry: str | None
    segment: str | None
    arr: float | None
    health_score: int | None
    feature_utilization: float | None
    similarity: float  # 0-1
    outcome: str  # renewed | churned
    arr_change_last_year: float | None
    succeeded: bool  # renewed and grew


class SimilarAccounts(BaseModel):
    accounts: list[SimilarAccount]
    sample_size: int
    success_rate: float | None  # None when no neighbour has a known outcome
    distinguishing_factors: list[str]  # "successful peers average 74% utilization vs 41% for the rest"
    successful_profile: dict[str, float]  # averages of the successful neighbours
    explanation: str
