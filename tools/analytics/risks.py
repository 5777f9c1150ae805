"""Risk detection: health decline, usage decline, departed champion, single-threading, renewal
within 90 days, open high-severity signals, negative sentiment; each with its evidence."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from pydantic import BaseModel

from storage.plan_document import Severity
from storage.vocabulary import ContactRole, RiskStatus
from tools.analytics.stakeholders import StakeholderCoverage

if TYPE_CHECKING:
    from tools.analytics.snapshot import CustomerSnapshot, InteractionSummary, RiskSignalFact, Trend

SEVERITY_RANK: dict[Severity, int] = {Severity.CRITICAL: 3, Severity.HIGH: 2, Severity.MEDIUM: 1, Severity.LOW: 0}
HEALTH_DROP_POINTS = 10.0  # over ~90 days
HEALTH_DROP_HIGH_POINTS = 20.0
LOW_HEALTH = 50
CRITICAL_HEALTH = 35
USAGE_DROP_PCT = 15.0  # active users, over ~90 days
USAGE_DROP_HIGH_PCT = 30.0
RENEWAL_SOON_DAYS = 90
RENEWAL_URGENT_DAYS = 30
SINGLE_THREAD_HIGH_DAYS = 180  # single-threaded with a renewal this close is high severity
NEGATIVE_SENTIMENT = -0.2
VERY_NEGATIVE_SENTIMENT = -0.5
LOW_ADOPTION_PCT = 40.0
VERY_LOW_ADOPTION_PCT = 25.0


class DetectedRisk(BaseModel):
    kind: str  # health_decline | usage_decline | departed_champion | single_threaded | renewal_soon
    #            | open_signal | negative_sentiment | low_adoption | low_health
    severity: Severity
    title: str
    evidence: str
    signal_id: str | None = None


class RiskAssessment(BaseModel):
    risks: list[DetectedRisk]  # most severe first
    highest_severity: Severity | None
    at_risk: bool  # any high/critical risk, or health < 50


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _health_risks(customer: CustomerSnapshot, health: Trend) -> list[DetectedRisk]:
    risks: list[DetectedRisk] = []
    if health.change_90d is not None and health.change_90d <= -HEALTH_DROP_POINTS:
        drop = -health.change_90d
        start = (health.latest or 0) + drop
        risks.append(
            DetectedRisk(
                kind="health_decline",
                severity=Severity.HIGH if drop >= HEALTH_DROP_HIGH_POINTS else Severity.MEDIUM,
                title="Health score declining",
                evidence=f"health fell {drop:.0f} points in about 90 days ({start:.0f} -> {health.latest:.0f})",
            )
        )
    score = customer.health_score
    if score is not None and score < LOW_HEALTH:
        risks.append(
            DetectedRisk(
                kind="low_health",
                severity=Severity.CRITICAL if score < CRITICAL_HEALTH else Severity.HIGH,
                title="Low health score",
                evidence=f"health score {score} is below {LOW_HEALTH}",
            )
        )
    return risks


def _usage_risks(customer: CustomerSnapshot, usage_active_users: Trend) -> list[DetectedRisk]:
    risks: list[DetectedRisk] = []
    change = usage_active_users.change_pct_90d
    if change is not None and change <= -USAGE_DROP_PCT and usage_active_users.change_90d is not None:
        latest = usage_active_users.latest or 0
        before = latest - usage_active_users.change_90d
        risks.append(
            DetectedRisk(
                kind="usage_decline",
                severity=Severity.HIGH if change <= -USAGE_DROP_HIGH_PCT else Severity.MEDIUM,
                title="Active users declining",
                evidence=f"active users down {-change:.0f}% in about 90 days ({before:.0f} -> {latest:.0f})",
            )
        )
    adoption = customer.feature_utilization
    if adoption is not None and adoption < LOW_ADOPTION_PCT:
        risks.append(
            DetectedRisk(
                kind="low_adoption",
                severity=Severity.HIGH if adoption < VERY_LOW_ADOPTION_PCT else Severity.MEDIUM,
                title="Low product adoption",
                evidence=f"feature utilization {adoption:.0f}% is below {LOW_ADOPTION_PCT:.0f}%",
            )
        )
    return risks


def _relationship_risks(coverage: StakeholderCoverage, days_to_renewal: int | None) -> list[DetectedRisk]:
    risks: list[DetectedRisk] = []
    for person in coverage.departed:
        if person.role not in (ContactRole.CHAMPION, ContactRole.EXEC_SPONSOR):
            continue
        replaced = coverage.champion_count > 0 if person.role == ContactRole.CHAMPION else coverage.has_exec_sponsor
        label = "champion" if person.role == ContactRole.CHAMPION else "executive sponsor"
        title = f", {person.title}" if person.title else ""
        risks.append(
            DetectedRisk(
                kind="departed_champion",
                severity=Severity.MEDIUM if replaced else Severity.HIGH,
                title=f"Departed {label}: {person.name}",
                evidence=f"{person.name}{title} ({label}) has left the company; "
                + (f"another {label} remains" if replaced else f"no active {label} remains"),
            )
        )
    if coverage.single_threaded:
        soon = days_to_renewal is not None and 0 <= days_to_renewal <= SINGLE_THREAD_HIGH_DAYS
        risks.append(
            DetectedRisk(
                kind="single_threaded",
                severity=Severity.HIGH if soon else Severity.MEDIUM,
                title="Single-threaded relationship",
                evidence=f"{_count(len(coverage.senior_threads), 'contact')} at director level or above with a "
                f"working relationship among {_count(coverage.active_contacts, 'active contact')}"
                + (f"; renewal in {days_to_renewal} days" if soon else ""),
            )
        )
    return risks


def _renewal_risk(customer: CustomerSnapshot, days_to_renewal: int | None) -> list[DetectedRisk]:
    if days_to_renewal is None or not 0 <= days_to_renewal <= RENEWAL_SOON_DAYS:
        return []
    health = customer.health_score
    urgent = days_to_renewal <= RENEWAL_URGENT_DAYS or (health is not None and health < 60)
    health_note = f", health {health}" if health is not None else ""
    return [
        DetectedRisk(
            kind="renewal_soon",
            severity=Severity.HIGH if urgent else Severity.MEDIUM,
            title="Renewal within 90 days",
            evidence=f"renewal on {customer.renewal_date} is {days_to_renewal} days away{health_note}",
        )
    ]


def _signal_risks(risk_signals: Sequence[RiskSignalFact]) -> list[DetectedRisk]:
    return [
        DetectedRisk(
            kind="open_signal",
            severity=signal.severity,
            title=f"Open {signal.severity} risk signal: {signal.type.replace('_', ' ')}",
            evidence=signal.description
            + (f" (detected {signal.detected_at.isoformat()})" if signal.detected_at else ""),
            signal_id=signal.id,
        )
        for signal in risk_signals
        if signal.status == RiskStatus.ACTIVE and signal.severity in SEVERITY_RANK
    ]


def _sentiment_risk(interactions: InteractionSummary) -> list[DetectedRisk]:
    mean = interactions.average_sentiment_90d
    if mean is None or mean >= NEGATIVE_SENTIMENT:
        return []
    return [
        DetectedRisk(
            kind="negative_sentiment",
            severity=Severity.HIGH if mean < VERY_NEGATIVE_SENTIMENT else Severity.MEDIUM,
            title="Negative sentiment in recent interactions",
            evidence=f"average sentiment {mean:+.2f} over {_count(interactions.count_90d, 'interaction')} in the last 90 days",
        )
    ]


def detect_risks(
    *,
    customer: CustomerSnapshot,
    health: Trend,
    usage_active_users: Trend,
    coverage: StakeholderCoverage,
    risk_signals: Sequence[RiskSignalFact],
    interactions: InteractionSummary,
    as_of: date,
) -> RiskAssessment:
    """Every risk the data shows, most severe first, each with the numbers behind it."""
    days_to_renewal = (customer.renewal_date - as_of).days if customer.renewal_date else None
    found = [
        *_signal_risks(risk_signals),
        *_health_risks(customer, health),
        *_usage_risks(customer, usage_active_users),
        *_relationship_risks(coverage, days_to_renewal),
        *_renewal_risk(customer, days_to_renewal),
        *_sentiment_risk(interactions),
    ]
    # sorted() is stable, so equally severe risks keep the order above.
    ordered = sorted(found, key=lambda risk: -SEVERITY_RANK[risk.severity])
    highest = ordered[0].severity if ordered else None
    at_risk = any(SEVERITY_RANK[r.severity] >= SEVERITY_RANK[Severity.HIGH] for r in ordered) or (
        customer.health_score is not None and customer.health_score < LOW_HEALTH
    )
    return RiskAssessment(risks=ordered, highest_severity=highest, at_risk=at_risk)
