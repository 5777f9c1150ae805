from __future__ import annotations

from datetime import date

import pytest

from storage.errors import BadInput
from tools.fiscal_calendar import (
    fiscal_quarters,
    fiscal_year_bounds,
    fiscal_year_of,
    parse_fiscal_year,
    plan_qbr_schedule,
    quarter_of,
)


def test_parse_fiscal_year_accepts_only_the_fy2026_form() -> None:
    assert parse_fiscal_year("FY2026") == 2026
    for bad in ("FY26", "2026", "fy2026", "FY 2026", "FY20266", ""):
        with pytest.raises(BadInput) as caught:
            parse_fiscal_year(bad)
        assert str(caught.value) == f"fiscal year must look like FY2026 (got {bad!r})"
        assert caught.value.exit_code == 2


def test_fiscal_year_is_named_by_the_calendar_year_it_ends_in() -> None:
    assert fiscal_year_of(date(2026, 1, 1), 1) == "FY2026"
    assert fiscal_year_of(date(2026, 12, 31), 1) == "FY2026"
    # February start: FY2026 runs 2025-02-01 .. 2026-01-31.
    assert fiscal_year_of(date(2025, 2, 1), 2) == "FY2026"
    assert fiscal_year_of(date(2026, 1, 31), 2) == "FY2026"
    assert fiscal_year_of(date(2025, 1, 31), 2) == "FY2025"
    assert fiscal_year_bounds("FY2026", 2) == (date(2025, 2, 1), date(2026, 1, 31))
    assert fiscal_year_bounds("FY2026", 7) == (date(2025, 7, 1), date(2026, 6, 30))
    with pytest.raises(BadInput):
        fiscal_year_of(date(2026, 1, 1), 13)


def test_quarters_tile_the_fiscal_year() -> None:
    quarters = fiscal_quarters("FY2026", 2)
    assert [(q.name, q.start, q.end) for q in quarters] == [
        ("Q1", date(2025, 2, 1), date(2025, 4, 30)),
        ("Q2", date(2025, 5, 1), date(2025, 7, 31)),
        ("Q3", date(2025, 8, 1), date(2025, 10, 31)),
        ("Q4", date(2025, 11, 1), date(2026, 1, 31)),
    ]
    calendar = fiscal_quarters("FY2026", 1)
    assert calendar[3].start == date(2026, 10, 1) and calendar[3].end == date(2026, 12, 31)


def test_quarter_of_a_day() -> None:
    assert quarter_of(date(2025, 5, 1), "FY2026", 2) == "Q2"
    assert quarter_of(date(2026, 1, 31), "FY2026", 2) == "Q4"
    assert quarter_of(date(2026, 2, 1), "FY2026", 2) is None
    assert quarter_of(date(2026, 6, 15), "FY2026", 1) == "Q2"


def test_qbr_schedule_has_one_per_quarter_and_a_pre_renewal_one() -> None:
    schedule = plan_qbr_schedule("FY2026", 1, date(2026, 9, 30), as_of=date(2025, 12, 1))
    assert [q.quarter for q in schedule] == ["Q1", "Q2", "Q3", "Q4"]
    pre = [q for q in schedule if q.pre_renewal]
    assert len(pre) == 1
    days_before = (date(2026, 9, 30) - pre[0].date).days
    assert 60 <= days_before <= 90
    assert pre[0].quarter == "Q3"
    assert "2026-09-30" in pre[0].reason
    assert all(q.date.weekday() < 5 for q in schedule)
    for qbr in schedule:
        assert quarter_of(qbr.date, "FY2026", 1) == qbr.quarter


def test_renewal_just_after_the_year_puts_the_pre_renewal_qbr_in_q4() -> None:
    schedule = plan_qbr_schedule("FY2026", 1, date(2027, 2, 15), as_of=date(2026, 1, 5))
    pre = [q for q in schedule if q.pre_renewal]
    assert len(pre) == 1 and pre[0].quarter == "Q4"
    assert 60 <= (date(2027, 2, 15) - pre[0].date).days <= 90


def test_renewal_far_after_the_year_gets_no_pre_renewal_qbr() -> None:
    schedule = plan_qbr_schedule("FY2026", 1, date(2027, 9, 1), as_of=date(2026, 1, 5))
    assert not any(q.pre_renewal for q in schedule)
    assert len(schedule) == 4


def test_qbrs_are_not_scheduled_in_the_past_when_avoidable() -> None:
    as_of = date(2026, 5, 20)  # Q2's usual date (May 15) has passed, Q1 is over
    schedule = plan_qbr_schedule("FY2026", 1, None, as_of=as_of)
    by_quarter = {q.quarter: q for q in schedule}
    assert by_quarter["Q1"].date < as_of and "ended" in by_quarter["Q1"].reason
    assert as_of <= by_quarter["Q2"].date <= date(2026, 6, 30)
    assert by_quarter["Q3"].date >= as_of and by_quarter["Q4"].date >= as_of


def test_renewal_inside_the_notice_window_gets_an_as_soon_as_possible_review() -> None:
    as_of = date(2026, 6, 1)
    schedule = plan_qbr_schedule("FY2026", 1, date(2026, 7, 10), as_of=as_of)
    pre = [q for q in schedule if q.pre_renewal]
    assert len(pre) == 1
    assert as_of <= pre[0].date < date(2026, 7, 10)
    assert "39 days away" in pre[0].reason
