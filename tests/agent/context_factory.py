"""Hand-built planning contexts for drafter tests: the analytics' output types, filled in the way
the analytics would for a handful of recognisable account situations."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tools.analytics.context import PlanningContext
from tools.analytics.expansion import ExpansionAssessment, ExpansionCandidate
from tools.analytics.relationships import RelationshipScore
from tools.analytics.risks import DetectedRisk, RiskAssessment
from tools.analytics.similar_accounts import SimilarAccount, SimilarAccounts
from tools.analytics.snapshot import (
    ContactInsight,
    CustomerSnapshot,
    InteractionNote,
    InteractionSummary,
    OpportunityFact,
    RiskSignalFact,
    Trend,
    TrendPoint,
)
from tools.analytics.stakeholders import ContactRef, StakeholderCoverage

AS_OF = date(2026, 1, 15)  # Q1 of FY2026 with a January start
ENGAGED = ("high", "medium")


def contact(
    id: str,
    name: str,
    title: str | None,
    role: str,
    score: int,
    *,
    engagement: str | None = "medium",
    active: bool = True,
) -> ContactInsight:
    return ContactInsight(
        id=id,
        name=name,
        title=title,
        role=role,
        email=f"{id}@example.com",
        engagement_level=engagement,
        last_contacted=AS_OF - timedelta(days=20),
        active=active,
        relationship=RelationshipScore(
            contact_id=id,
            score=score,
            components={"recency": 70.0},
            weights={"recency": 1.0},
            explanation="hand-built",
        ),
    )


def trend(values: list[float], *, months: bool = True) -> Trend:
    points = [
        TrendPoint(period=f"2025-{index + 1:02d}" if months else f"2025-{index + 1:02d}-01", value=v)
        for index, v in enumerate(values)
    ]
    change = values[-1] - values[-4] if len(values) >= 4 else None
    return Trend(
        points=points,
        latest=values[-1] if values else None,
        change_90d=change,
        change_pct_90d=(change / values[-4] * 100) if change is not None and values[-4] else None,
    )


def coverage_for(contacts: list[ContactInsight], missing: list[str] | None = None) -> StakeholderCoverage:
    active = [c for c in contacts if c.active]
    roles: dict[str, list[str]] = {}
    for c in active:
        roles.setdefault(c.role, []).append(c.id)
    engaged = [c for c in active if (c.engagement_level or "") in ENGAGED]
    ideal = {
        "exec_sponsor": "executive sponsor (VP+)",
        "economic_buyer": "economic buyer",
        "technical_buyer": "technical buyer",
    }
    computed_missing = [label for role, label in ideal.items() if role not in roles]
    champions = len(roles.get("champion", []))
    if champions < 2:
        computed_missing.append("2nd champion" if champions == 1 else "champions (2-3)")
    return StakeholderCoverage(
        covered_roles=roles,
        missing_roles=missing if missing is not None else computed_missing,
        champion_count=champions,
        has_exec_sponsor="exec_sponsor" in roles,
        active_contacts=len(active),
        engaged_contacts=len(engaged),
        single_threaded=len(engaged) <= 1,
        departed=[
            ContactRef(contact_id=c.id, name=c.name, title=c.title, role=c.role)
            for c in contacts
            if not c.active
        ],
        explanation="hand-built coverage",
    )


def similar_accounts(
    success_rate: float | None = 0.75, count: int = 8, peer_utilization: float = 74.0
) -> SimilarAccounts:
    accounts = [
        SimilarAccount(
            customer_id=f"peer-{index}",
            name=f"Peer Account {index}",
            industry="Technology",
            segment="Enterprise",
            arr=200000.0 + index * 10000,
            health_score=70,
            feature_utilization=peer_utilization,
            similarity=round(0.9 - index * 0.03, 2),
            outcome="renewed" if index % 4 else "churned",
            arr_change_last_year=20000.0 if index % 4 else -200000.0,
            succeeded=bool(index % 4),
        )
        for index in range(count)
    ]
    return SimilarAccounts(
        accounts=accounts,
        sample_size=count,
        success_rate=success_rate,
        distinguishing_factors=[
            f"successful peers average {peer_utilization:.0f}% utilization vs 41% for the rest"
        ],
        successful_profile={"feature_utilization": peer_utilization, "health_score": 74.0},
        explanation="hand-built neighbours",
    )


def candidate(
    description: str,
    value: float,
    probability: float,
    quarter: str | None,
    type: str = "upsell",
    *,
    source: str = "crm",
) -> ExpansionCandidate:
    return ExpansionCandidate(
        source=source,  # type: ignore[arg-type]
        opportunity_id=f"opp-{description[:8]}" if source == "crm" else None,
        type=type,  # type: ignore[arg-type]
        description=description,
        value=value,
        probability=probability,
        expected_close=None,
        expected_quarter=quarter,  # type: ignore[arg-type]
        evidence="open CRM opportunity" if source == "crm" else "seats 92% used",
    )


def techcorp(**customer_overrides: Any) -> PlanningContext:
    """The PRD's TechCorp Industries: $250K, health 68, 55% utilization, Sarah Chen at 78, two
    open opportunities incl. Premium analytics tier $50K p=0.7 in Q2, one active risk."""
    contacts = [
        contact("c-sarah", "Sarah Chen", "VP Product", "champion", 78, engagement="high"),
        contact("c-mike", "Mike Ross", "Director of Engineering", "technical_buyer", 61),
        contact("c-ana", "Ana Lopez", "Ops Manager", "user", 52, engagement="low"),
        contact("c-raj", "Raj Patel", "Analyst", "user", 44, engagement="low"),
        contact("c-lee", "Lee Kim", "Team Lead", "champion", 58, engagement="low"),
    ]
    customer = CustomerSnapshot(
        id="cust-techcorp",
        name="TechCorp Industries",
        industry="Technology",
        segment="Enterprise",
        arr=250000.0,
        health_score=68,
        renewal_date=date(2026, 9, 30),
        contract_start=date(2023, 10, 1),
        seats_purchased=200,
        seats_active=150,
        feature_utilization=55.0,
        csm_email="jordan@vendor.example",
        goals="Scale customer success operations to 3 regions",
        competitors="Gainsight",
        renewal_outcome="renewed",
        arr_change_last_year=25000.0,
    )
    customer = customer.model_copy(update=customer_overrides)
    candidates = [
        candidate("Premium analytics tier", 50000, 0.7, "Q2"),
        candidate("Seat expansion: 40 seats", 50000, 0.5, "Q3", "seat_expansion"),
    ]
    risk = DetectedRisk(
        kind="single_threaded",
        severity="medium",
        title="Single-threaded relationship",
        evidence="only Sarah Chen engaged",
    )
    return PlanningContext(
        as_of=AS_OF,
        customer=customer,
        contacts=contacts,
        health=trend([70, 69, 70, 68, 68, 68]),
        usage_active_users=trend([140, 145, 150, 150, 150, 150]),
        usage_utilization=trend([52, 53, 54, 55, 55, 55]),
        opportunities=[
            OpportunityFact(
                id="opp-1",
                type="upsell",
                description="Premium analytics tier",
                value=50000,
                probability=0.7,
                expected_close=date(2026, 5, 15),
                stage="open",
            ),
        ],
        risk_signals=[
            RiskSignalFact(
                id="rs-1",
                type="single_threaded",
                severity="medium",
                description="Only Sarah engaged",
                detected_at=date(2025, 12, 1),
                status="active",
            )
        ],
        interactions=InteractionSummary(
            count_90d=9,
            count_total=40,
            average_sentiment_90d=0.3,
            last_interaction=AS_OF - timedelta(days=5),
            recent=[],
        ),
        days_to_renewal=(date(2026, 9, 30) - AS_OF).days,
        coverage=coverage_for(contacts),
        expansion=ExpansionAssessment(
            candidates=candidates,
            total_pipeline=100000,
            weighted_pipeline=60000,
            arr_per_seat=1250.0,
            seat_utilization=0.75,
            expansion_ready=True,
            explanation="two open opportunities worth $100K",
        ),
        risks=RiskAssessment(risks=[risk], highest_severity="medium", at_risk=False),
        similar=similar_accounts(),
        data_gaps=[],
    )


def techcorp_on_watch() -> PlanningContext:
    """The PRD's TechCorp with its competitive evaluation on record: the customer is "currently
    evaluating alternatives for analytics" (a signal and an interaction note)."""
    base = techcorp()
    signal = RiskSignalFact(
        id="rs-2",
        type="competitor_evaluation",
        severity="medium",
        description="Currently evaluating alternatives for analytics",
        detected_at=AS_OF - timedelta(days=10),
        status="active",
    )
    note = InteractionNote(
        date=AS_OF - timedelta(days=6),
        kind="meeting",
        contact_id="c-sarah",
        contact_name="Sarah Chen",
        sentiment=-0.1,
        summary="Roadmap review: the product org is currently evaluating alternatives for analytics",
    )
    risks = [
        *base.risks.risks,
        DetectedRisk(
            kind="open_signal",
            severity="medium",
            title="Open medium risk signal: competitor evaluation",
            evidence=signal.description,
            signal_id="rs-2",
        ),
    ]
    return base.model_copy(
        update={
            "risk_signals": [*base.risk_signals, signal],
            "interactions": base.interactions.model_copy(update={"notes": [note]}),
            "risks": RiskAssessment(risks=risks, highest_severity="medium", at_risk=False),
        }
    )


def at_risk() -> PlanningContext:
    """Health fell to 38, a champion left, renewal in 75 days, yet an upsell is still in the CRM."""
    base = techcorp(health_score=38, feature_utilization=41.0, renewal_date=AS_OF + timedelta(days=75))
    contacts = [c for c in base.contacts if c.id != "c-sarah"] + [
        contact("c-sarah", "Sarah Chen", "VP Product", "champion", 30, engagement="none", active=False)
    ]
    risks = [
        DetectedRisk(
            kind="health_decline", severity="critical", title="Health decline", evidence="68 -> 38 in 90 days"
        ),
        DetectedRisk(
            kind="departed_champion",
            severity="high",
            title="Champion departed",
            evidence="Sarah Chen left the company",
        ),
        DetectedRisk(
            kind="renewal_soon",
            severity="high",
            title="Renewal within 90 days",
            evidence="75 days to renewal",
        ),
        DetectedRisk(
            kind="usage_decline", severity="high", title="Usage decline", evidence="utilization 55% -> 41%"
        ),
    ]
    return base.model_copy(
        update={
            "contacts": contacts,
            "coverage": coverage_for(contacts),
            "health": trend([70, 68, 60, 52, 45, 38]),
            "usage_utilization": trend([55, 55, 52, 48, 44, 41]),
            "days_to_renewal": 75,
            "risks": RiskAssessment(risks=risks, highest_severity="critical", at_risk=True),
            "expansion": base.expansion.model_copy(update={"expansion_ready": False}),
        }
    )


def expansion_ready() -> PlanningContext:
    """Healthy, well adopted and multi-threaded, with seats nearly full and a strong pipeline."""
    base = techcorp(health_score=84, feature_utilization=82.0, seats_active=190)
    contacts = [
        *base.contacts,
        contact("c-dana", "Dana White", "CFO", "economic_buyer", 70),
        contact("c-tom", "Tom Hale", "CTO", "exec_sponsor", 74),
    ]
    contacts = [c.model_copy(update={"engagement_level": "high"}) for c in contacts]
    return base.model_copy(
        update={
            "contacts": contacts,
            "coverage": coverage_for(contacts),
            "risks": RiskAssessment(risks=[], highest_severity=None, at_risk=False),
            "usage_utilization": trend([75, 78, 80, 81, 82, 82]),
        }
    )


def onboarding() -> PlanningContext:
    """Signed two months ago: a third of the seats active, no usage history yet."""
    base = techcorp(
        contract_start=AS_OF - timedelta(days=60),
        seats_active=60,
        feature_utilization=22.0,
        renewal_date=date(2026, 11, 15),
        renewal_outcome=None,
    )
    return base.model_copy(
        update={
            "usage_utilization": trend([18, 22]),
            "health": trend([60]),
            "days_to_renewal": (date(2026, 11, 15) - AS_OF).days,
            "expansion": base.expansion.model_copy(update={"expansion_ready": False, "candidates": []}),
            "risks": RiskAssessment(risks=[], highest_severity=None, at_risk=False),
            "similar": similar_accounts(success_rate=0.6, count=4),
        }
    )


def single_threaded() -> PlanningContext:
    """Healthy but resting entirely on one champion: nobody else engaged, no exec on record."""
    contacts = [
        contact("c-sarah", "Sarah Chen", "VP Product", "champion", 81, engagement="high"),
        contact("c-ana", "Ana Lopez", "Ops Manager", "user", 35, engagement="low"),
    ]
    base = techcorp(health_score=74, feature_utilization=71.0)
    return base.model_copy(update={"contacts": contacts, "coverage": coverage_for(contacts)})


def almost_no_data() -> PlanningContext:
    """A customer row with a name and little else: no contacts, history, ARR or benchmarks."""
    customer = CustomerSnapshot(
        id="cust-bare",
        name="Bare Minimum Ltd",
        industry=None,
        segment=None,
        arr=None,
        health_score=None,
        renewal_date=None,
        contract_start=None,
        seats_purchased=None,
        seats_active=None,
        feature_utilization=None,
        csm_email=None,
        goals=None,
        competitors=None,
        renewal_outcome=None,
        arr_change_last_year=None,
    )
    empty = Trend(points=[], latest=None, change_90d=None, change_pct_90d=None)
    return PlanningContext(
        as_of=AS_OF,
        customer=customer,
        contacts=[],
        health=empty,
        usage_active_users=empty,
        usage_utilization=empty,
        opportunities=[],
        risk_signals=[],
        interactions=InteractionSummary(
            count_90d=0, count_total=0, average_sentiment_90d=None, last_interaction=None, recent=[]
        ),
        days_to_renewal=None,
        coverage=coverage_for([]),
        expansion=ExpansionAssessment(
            candidates=[],
            total_pipeline=0,
            weighted_pipeline=0,
            arr_per_seat=None,
            seat_utilization=None,
            expansion_ready=False,
            explanation="no data",
        ),
        risks=RiskAssessment(risks=[], highest_severity=None, at_risk=False),
        similar=None,
        data_gaps=[
            "no ARR on record",
            "no health history",
            "no usage history",
            "no contacts on record",
            "no renewal date",
        ],
    )
