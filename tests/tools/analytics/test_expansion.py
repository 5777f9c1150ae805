from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tools.analytics.expansion import assess_expansion
from tools.analytics.snapshot import CustomerSnapshot, OpportunityFact

AS_OF = date(2025, 12, 1)


def customer(**overrides: Any) -> CustomerSnapshot:
    values: dict[str, Any] = {
        "id": "cust-1",
        "name": "Acme",
        "industry": "Technology",
        "segment": "Enterprise",
        "arr": 250_000.0,
        "health_score": 80,
        "renewal_date": date(2026, 9, 30),
        "contract_start": date(2023, 10, 1),
        "seats_purchased": 100,
        "seats_active": 60,
        "feature_utilization": 50.0,
        "csm_email": None,
        "goals": None,
        "competitors": None,
        "renewal_outcome": "pending",
        "arr_change_last_year": None,
    }
    values.update(overrides)
    return CustomerSnapshot(**values)


def opportunity(**overrides: Any) -> OpportunityFact:
    values: dict[str, Any] = {
        "id": "opp-1",
        "type": "upsell",
        "description": "Premium analytics tier",
        "value": 50_000.0,
        "probability": 0.7,
        "expected_close": date(2026, 5, 15),
        "stage": "open",
    }
    values.update(overrides)
    return OpportunityFact(**values)


def test_seats_at_92_percent_produce_a_seat_expansion_priced_at_arr_per_seat() -> None:
    result = assess_expansion(customer(seats_active=92), [], "FY2026", 1, AS_OF)
    seat = [c for c in result.candidates if c.type == "seat_expansion"]
    assert len(seat) == 1
    assert seat[0].source == "detected"
    assert result.arr_per_seat == 2_500.0
    assert seat[0].value == 20 * 2_500.0  # 20% more of 100 seats at $2,500 each
    assert result.seat_utilization == pytest.approx(0.92)
    assert "92 of 100 seats in use (92%" in seat[0].evidence
    assert 0.1 <= seat[0].probability <= 0.8
    assert seat[0].expected_quarter == "Q1" and seat[0].expected_close == date(2026, 3, 31)
    assert result.expansion_ready


def test_crm_opportunities_count_with_their_quarter_and_weighted_pipeline() -> None:
    result = assess_expansion(
        customer(),
        [
            opportunity(),
            opportunity(
                id="opp-2",
                type="cross_sell",
                description="Data connector",
                value=20_000.0,
                probability=0.5,
                expected_close=date(2026, 11, 2),
            ),
            opportunity(id="opp-3", type="renewal", description="Renewal", value=250_000.0, probability=0.9),
            opportunity(id="opp-4", stage="won"),
        ],
        "FY2026",
        1,
        AS_OF,
    )
    assert [(c.opportunity_id, c.expected_quarter) for c in result.candidates] == [
        ("opp-1", "Q2"),
        ("opp-2", "Q4"),
    ]
    assert result.total_pipeline == 70_000.0
    assert result.weighted_pipeline == pytest.approx(50_000 * 0.7 + 20_000 * 0.5)
    assert result.expansion_ready  # health 80 and open opportunities


def test_detected_signal_is_not_duplicated_when_a_crm_opportunity_of_that_type_is_open() -> None:
    crm_seats = opportunity(
        id="opp-seats", type="seat_expansion", description="30 more seats", value=60_000.0
    )
    result = assess_expansion(customer(seats_active=95), [crm_seats], "FY2026", 1, AS_OF)
    assert [c.source for c in result.candidates] == ["crm"]
    assert "already covered by an open CRM opportunity" in result.explanation


def test_high_adoption_and_health_produce_an_upsell_signal() -> None:
    result = assess_expansion(customer(feature_utilization=85.0, health_score=82), [], "FY2026", 1, AS_OF)
    upsell = [c for c in result.candidates if c.type == "upsell"]
    assert len(upsell) == 1 and upsell[0].value == pytest.approx(0.15 * 250_000)
    assert "feature utilization 85%" in upsell[0].evidence
    unhealthy = assess_expansion(customer(feature_utilization=85.0, health_score=55), [], "FY2026", 1, AS_OF)
    assert not [c for c in unhealthy.candidates if c.type == "upsell"]
    assert not unhealthy.expansion_ready
    assert "health 55 is below 70" in unhealthy.explanation


def test_probability_rises_with_seat_pressure_and_health() -> None:
    def seat_probability(active: int, health: int) -> float:
        result = assess_expansion(customer(seats_active=active, health_score=health), [], "FY2026", 1, AS_OF)
        return next(c.probability for c in result.candidates if c.type == "seat_expansion")

    assert seat_probability(98, 80) > seat_probability(88, 80)
    assert seat_probability(92, 85) > seat_probability(92, 45)


def test_quiet_account_has_no_pipeline() -> None:
    result = assess_expansion(customer(health_score=72), [], "FY2026", 1, AS_OF)
    assert result.candidates == [] and result.total_pipeline == 0 and result.weighted_pipeline == 0
    assert not result.expansion_ready
    unknown = assess_expansion(customer(seats_purchased=None, arr=None), [], "FY2026", 1, AS_OF)
    assert unknown.arr_per_seat is None and unknown.seat_utilization is None
