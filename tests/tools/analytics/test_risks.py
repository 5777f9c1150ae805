from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.tools.analytics.test_expansion import customer
from tests.tools.analytics.test_stakeholders import Person
from tools.analytics.risks import RiskAssessment, detect_risks
from tools.analytics.snapshot import InteractionSummary, RiskSignalFact, Trend
from tools.analytics.stakeholders import assess_coverage

AS_OF = date(2025, 12, 1)
FLAT = Trend(points=[], latest=None, change_90d=None, change_pct_90d=None)
QUIET = InteractionSummary(
    count_90d=0, count_total=0, average_sentiment_90d=None, last_interaction=None, recent=[]
)
WELL_COVERED = [
    Person("1", "Ann", "CTO", "exec_sponsor"),
    Person("2", "Bo", "Director of Product", "champion"),
    Person("3", "Cy", "VP Finance", "economic_buyer"),
]


def assess(**overrides: Any) -> RiskAssessment:
    parts: dict[str, Any] = {
        "customer": customer(renewal_date=AS_OF + timedelta(days=300)),
        "health": FLAT,
        "usage_active_users": FLAT,
        "coverage": assess_coverage(WELL_COVERED),
        "risk_signals": [],
        "interactions": QUIET,
        "as_of": AS_OF,
    }
    parts.update(overrides)
    return detect_risks(**parts)


def test_healthy_account_has_no_risks() -> None:
    result = assess()
    assert result.risks == [] and result.highest_severity is None and not result.at_risk


def test_health_decline_of_15_points_is_a_medium_risk_with_numbers() -> None:
    result = assess(health=Trend(points=[], latest=60, change_90d=-15, change_pct_90d=-20))
    assert [(r.kind, r.severity) for r in result.risks] == [("health_decline", "medium")]
    assert "fell 15 points" in result.risks[0].evidence and "75 -> 60" in result.risks[0].evidence
    assert not result.at_risk
    steep = assess(health=Trend(points=[], latest=55, change_90d=-25, change_pct_90d=-31))
    assert steep.risks[0].severity == "high" and steep.at_risk


def test_usage_decline_needs_15_percent() -> None:
    small = assess(usage_active_users=Trend(points=[], latest=90, change_90d=-10, change_pct_90d=-10))
    assert small.risks == []
    big = assess(usage_active_users=Trend(points=[], latest=80, change_90d=-20, change_pct_90d=-20))
    assert [r.kind for r in big.risks] == ["usage_decline"]
    assert "down 20%" in big.risks[0].evidence and "100 -> 80" in big.risks[0].evidence


def test_departed_champion_without_replacement_is_high() -> None:
    coverage = assess_coverage(
        [
            Person("1", "Ann", "CTO", "exec_sponsor"),
            Person("2", "Bo", "VP Sales", "champion", active=False),
            Person("3", "Cy", "VP Finance", "economic_buyer"),
        ]
    )
    result = assess(coverage=coverage)
    departed = [r for r in result.risks if r.kind == "departed_champion"]
    assert len(departed) == 1 and departed[0].severity == "high"
    assert "Bo, VP Sales (champion) has left the company" in departed[0].evidence
    assert result.at_risk


def test_single_threaded_is_high_close_to_renewal_and_renewal_soon_is_flagged() -> None:
    lone = assess_coverage([Person("s", "Sarah Chen", "VP Product", "champion")])
    far = assess(coverage=lone)
    assert [(r.kind, r.severity) for r in far.risks] == [("single_threaded", "medium")]
    near = assess(coverage=lone, customer=customer(renewal_date=AS_OF + timedelta(days=60), health_score=80))
    kinds = {r.kind: r.severity for r in near.risks}
    assert kinds == {"single_threaded": "high", "renewal_soon": "medium"}
    renewal = next(r for r in near.risks if r.kind == "renewal_soon")
    assert "60 days away" in renewal.evidence


def test_open_signals_keep_their_severity_and_resolved_ones_are_ignored() -> None:
    signals = [
        RiskSignalFact(
            id="r1",
            type="competitor",
            severity="medium",
            description="Evaluating a competitor",
            detected_at=date(2025, 11, 2),
            status="active",
        ),
        RiskSignalFact(
            id="r2",
            type="budget",
            severity="critical",
            description="Budget freeze",
            detected_at=None,
            status="active",
        ),
        RiskSignalFact(
            id="r3",
            type="outage",
            severity="high",
            description="Old outage",
            detected_at=None,
            status="resolved",
        ),
    ]
    result = assess(risk_signals=signals)
    assert [(r.signal_id, r.severity) for r in result.risks] == [("r2", "critical"), ("r1", "medium")]
    assert result.highest_severity == "critical" and result.at_risk


def test_negative_sentiment_and_low_adoption_and_ordering() -> None:
    sour = InteractionSummary(
        count_90d=4, count_total=9, average_sentiment_90d=-0.35, last_interaction=AS_OF, recent=[]
    )
    result = assess(interactions=sour, customer=customer(feature_utilization=22.0, health_score=45))
    kinds = [(r.kind, r.severity) for r in result.risks]
    assert kinds == [("low_health", "high"), ("low_adoption", "high"), ("negative_sentiment", "medium")]
    assert "-0.35 over 4 interactions" in result.risks[2].evidence
    assert "22%" in result.risks[1].evidence
    assert result.at_risk
