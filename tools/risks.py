"""Risk detection: health decline, usage decline, departed champion, single-threading, renewal
within 90 days, open high-severity signals, negative sentiment; each with its evidence."""

from __future__ import annotations

from pydantic import BaseModel

from storage.plan_document import Severity


class DetectedRisk(BaseModel):
    kind: str  # health_decline | usage_decline | departed_champion | single_threaded | renewal_soon
    #            | open_signal | negative_sentiment | low_adoption ...
    severity: Severity
    title: str
    evidence: str
    signal_id: str | None = None


class RiskAssessment(BaseModel):
    risks: list[DetectedRisk]  # most severe first
    highest_severity: Severity | None
    at_risk: bool  # any high/critical risk, or health < 50
