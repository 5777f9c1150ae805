from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storage.errors import BadInput
from tools.analytics.fiscal_calendar import (
    check_fiscal_year,
    fiscal_quarters,
    fiscal_year_bounds,
    fiscal_year_of,
    parse_as_of,
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


@pytest.mark.parametrize(
    "bad",
    ["FY\u0662\u0660\u0662\u0667", "FY\U0001d7d0\U0001d7ce\U0001d7d0\U0001d7d5", "FY2027\n", " FY2027", "FY2027 ", "FY２０２７"],
)
def test_parse_fiscal_year_takes_ascii_digits_and_nothing_around_them(bad: str) -> None:
    """`\\d` took Arabic-Indic and mathematical digits, `$` a trailing newline: each became a plan."""
    with pytest.raises(BadInput, match="must look like FY2026"):
        parse_fiscal_year(bad)


@pytest.mark.parametrize("bad", ["FY0000", "FY1999", "FY2020", "FY2032", "FY2035", "FY9999"])
def test_fiscal_years_outside_the_window_are_refused(bad: str) -> None:
    with pytest.raises(BadInput) as caught:
        check_fiscal_year(bad, as_of=date(2026, 12, 4), start_month=1)
    assert caught.value.message == (
        f"fiscal year {bad} is outside the planning window FY2021-FY2031 "
        "(5 years either side of 2026-12-04; FISCAL_YEAR_WINDOW_YEARS)"
    )


def test_the_window_is_the_setting_either_side_of_the_as_of_year() -> None:
    for good in ("FY2021", "FY2026", "FY2031"):
        assert check_fiscal_year(good, as_of=date(2026, 12, 4), start_month=1) == good
    # With a July start, 2026-12-04 is in FY2027: the window moves with it.
    assert check_fiscal_year("FY2032", as_of=date(2026, 12, 4), start_month=7) == "FY2032"
    assert check_fiscal_year("FY2027", as_of=date(2026, 12, 4), start_month=1, window_years=1) == "FY2027"
    with pytest.raises(BadInput, match="FY2026-FY2026"):
        check_fiscal_year("FY2027", as_of=date(2026, 12, 4), start_month=1, window_years=0)


@pytest.mark.parametrize(
    "bad", ["9999-12-31", "1999-12-31", "2100-01-01", "2026-02-30", "2026-3-1", "٢٠٢٦-03-01", "2026-03-01\n", ""]
)
def test_as_of_dates_are_iso_ascii_and_within_range(bad: str) -> None:
    with pytest.raises(BadInput, match="--as-of"):
        parse_as_of(bad)
    assert parse_as_of("2026-03-01") == date(2026, 3, 1)
    assert parse_as_of("2099-12-31") == date(2099, 12, 31)


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


@settings(max_examples=300, deadline=None)
@given(
    year=st.integers(2000, 2100),
    start_month=st.integers(1, 12),
    renewal_offset=st.integers(-400, 800),
    as_of_offset=st.integers(-200, 400),
)
def test_qbr_schedule_properties(year: int, start_month: int, renewal_offset: int, as_of_offset: int) -> None:
    fiscal_year = f"FY{year}"
    start, end = fiscal_year_bounds(fiscal_year, start_month)
    quarters = fiscal_quarters(fiscal_year, start_month)
    assert quarters[0].start == start and quarters[-1].end == end
    assert all(a.end + timedelta(days=1) == b.start for a, b in pairwise(quarters))
    assert fiscal_year_of(start, start_month) == fiscal_year == fiscal_year_of(end, start_month)

    renewal = start + timedelta(days=renewal_offset)
    as_of = start + timedelta(days=as_of_offset)
    schedule = plan_qbr_schedule(fiscal_year, start_month, renewal, as_of)
    assert [q.quarter for q in schedule] == ["Q1", "Q2", "Q3", "Q4"]
    for qbr, quarter in zip(schedule, quarters, strict=True):
        assert quarter.start <= qbr.date <= quarter.end
        if quarter.end >= as_of:  # avoidable: never in the past
            assert qbr.date >= as_of
    pre = [q for q in schedule if q.pre_renewal]
    assert len(pre) <= 1
    window_start = max(renewal - timedelta(days=90), start, as_of)
    window_end = min(renewal - timedelta(days=60), end)
    if window_start <= window_end:
        assert len(pre) == 1 and 60 <= (renewal - pre[0].date).days <= 90


def test_planning_fiscal_year_moves_to_next_year_in_the_last_quarter() -> None:
    from tools.analytics.fiscal_calendar import planning_fiscal_year

    assert planning_fiscal_year(date(2026, 9, 30), 1) == "FY2026"
    assert planning_fiscal_year(date(2026, 10, 1), 1) == "FY2027"
    assert planning_fiscal_year(date(2026, 11, 24), 1) == "FY2027"
    # February start: FY2026 runs 2025-02-01 .. 2026-01-31, its Q4 starts 2025-11-01.
    assert planning_fiscal_year(date(2025, 10, 31), 2) == "FY2026"
    assert planning_fiscal_year(date(2025, 11, 1), 2) == "FY2027"
