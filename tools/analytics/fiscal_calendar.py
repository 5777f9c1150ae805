"""The fiscal calendar for planning: when QBRs should land, and the one place that bounds what people
may type for a year or a date (the strict `FY2026` form, the window of fiscal years a plan may be
drafted for, the range of as-of dates). The year arithmetic itself (a fiscal year is named by the
calendar year it ends in: FY2026 with a February start runs 2025-02-01 .. 2026-01-31) lives in
storage.fiscal_year, so the demo book can date itself; it is re-exported here.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from pydantic import BaseModel

from storage.errors import BadInput
from storage.fiscal_year import (
    FiscalQuarter,
    add_months,
    fiscal_quarters,
    fiscal_year_bounds,
    fiscal_year_of,
    parse_fiscal_year,
    planning_fiscal_year,
    quarter_of,
)
from storage.plan_document import Quarter

__all__ = [
    "DEFAULT_FISCAL_YEAR_WINDOW_YEARS",
    "EARLIEST_AS_OF",
    "LATEST_AS_OF",
    "FiscalQuarter",
    "PlannedQBR",
    "check_as_of",
    "check_fiscal_year",
    "fiscal_quarters",
    "fiscal_year_bounds",
    "fiscal_year_of",
    "fiscal_year_window",
    "parse_as_of",
    "parse_fiscal_year",
    "plan_qbr_schedule",
    "planning_fiscal_year",
    "quarter_of",
]

# A pre-renewal QBR lands inside this many days before the renewal; the middle is the target.
PRE_RENEWAL_EARLIEST_DAYS = 90
PRE_RENEWAL_LATEST_DAYS = 60
PRE_RENEWAL_TARGET_DAYS = 75
# When a quarter's usual QBR date has already passed, reschedule it this many days after as_of.
RESCHEDULE_NOTICE_DAYS = 7
# The usual QBR: the 15th of the quarter's middle month.
USUAL_QBR_DAY = 15
# Fiscal years a plan may be drafted for: this many either side of the as-of date's own year
# (FISCAL_YEAR_WINDOW_YEARS); FY0000, FY1999 or a typo'd FY2062 never become plans.
DEFAULT_FISCAL_YEAR_WINDOW_YEARS = 5
# As-of dates people may give. Together with the window this keeps every date a plan can contain
# inside the plan document's EARLIEST_PLAN_DATE..LATEST_PLAN_DATE.
EARLIEST_AS_OF = date(2000, 1, 1)
LATEST_AS_OF = date(2099, 12, 31)
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z", re.ASCII)


class PlannedQBR(BaseModel):
    quarter: Quarter
    date: date
    pre_renewal: bool
    reason: str


def fiscal_year_window(as_of: date, start_month: int, window_years: int) -> tuple[int, int]:
    """The first and last fiscal year (as numbers) a plan drafted on `as_of` may be for."""
    current = parse_fiscal_year(fiscal_year_of(as_of, start_month))
    return current - window_years, current + window_years


def check_fiscal_year(
    text: str, *, as_of: date, start_month: int, window_years: int = DEFAULT_FISCAL_YEAR_WINDOW_YEARS
) -> str:
    """`text` if it is a fiscal year a plan may be drafted for on `as_of`, else BadInput naming the
    accepted range (FY2021-FY2031 for a 2026 date and the default five-year window)."""
    year = parse_fiscal_year(text)
    first, last = fiscal_year_window(as_of, start_month, window_years)
    if not first <= year <= last:
        raise BadInput(
            f"fiscal year {text} is outside the planning window FY{first}-FY{last} "
            f"({window_years} years either side of {as_of.isoformat()}; FISCAL_YEAR_WINDOW_YEARS)"
        )
    return text


def check_as_of(day: date, what: str = "the as-of date") -> date:
    """`day` if it is a plausible as-of date (2000-01-01 .. 2099-12-31), else BadInput."""
    if not EARLIEST_AS_OF <= day <= LATEST_AS_OF:
        raise BadInput(
            f"{what} must be between {EARLIEST_AS_OF.isoformat()} and {LATEST_AS_OF.isoformat()} "
            f"(got {day.isoformat()})"
        )
    return day


def parse_as_of(text: str, what: str = "--as-of") -> date:
    """A typed as-of date: exactly YYYY-MM-DD in ASCII digits, a real day, in the accepted range."""
    try:
        if not ISO_DATE.match(text):
            raise ValueError
        day = date.fromisoformat(text)
    except ValueError:
        raise BadInput(f"{what} must be a date like 2026-03-31 (YYYY-MM-DD), got {text!r}") from None
    return check_as_of(day, what)


def _on_a_weekday(day: date, earliest: date, latest: date) -> date:
    """`day` moved off a weekend (forward first, else back) without leaving [earliest, latest]."""
    if day.weekday() < 5:
        return day
    forward = day + timedelta(days=7 - day.weekday())
    if forward <= latest:
        return forward
    backward = day - timedelta(days=day.weekday() - 4)
    return backward if backward >= earliest else day


def _usual_qbr(quarter: FiscalQuarter, as_of: date) -> PlannedQBR:
    usual = add_months(quarter.start, 1).replace(day=USUAL_QBR_DAY)
    if usual >= as_of:
        day = _on_a_weekday(usual, quarter.start, quarter.end)
        return PlannedQBR(
            quarter=quarter.name, date=day, pre_renewal=False, reason=f"{quarter.name} business review"
        )
    if quarter.end < as_of:
        # Unavoidably in the past: the quarter is over before the plan starts.
        return PlannedQBR(
            quarter=quarter.name,
            date=_on_a_weekday(usual, quarter.start, quarter.end),
            pre_renewal=False,
            reason=f"{quarter.name} business review (the quarter ended before {as_of.isoformat()})",
        )
    moved = min(as_of + timedelta(days=RESCHEDULE_NOTICE_DAYS), quarter.end)
    return PlannedQBR(
        quarter=quarter.name,
        date=_on_a_weekday(moved, as_of, quarter.end),
        pre_renewal=False,
        reason=f"{quarter.name} business review (mid-quarter date already passed; first date after a week's notice)",
    )


def _pre_renewal_qbr(
    quarters: list[FiscalQuarter], renewal_date: date, as_of: date, fiscal_year: str, start_month: int
) -> PlannedQBR | None:
    year_start, year_end = quarters[0].start, quarters[-1].end
    earliest = max(renewal_date - timedelta(days=PRE_RENEWAL_EARLIEST_DAYS), year_start, as_of)
    latest = min(renewal_date - timedelta(days=PRE_RENEWAL_LATEST_DAYS), year_end)
    if earliest <= latest:
        target = renewal_date - timedelta(days=PRE_RENEWAL_TARGET_DAYS)
        day = _on_a_weekday(min(max(target, earliest), latest), earliest, latest)
        days_before = (renewal_date - day).days
        reason = (
            f"pre-renewal review {days_before} days before the renewal on {renewal_date.isoformat()} "
            f"(window {PRE_RENEWAL_LATEST_DAYS}-{PRE_RENEWAL_EARLIEST_DAYS} days)"
        )
    elif as_of <= renewal_date <= year_end and renewal_date - timedelta(days=PRE_RENEWAL_LATEST_DAYS) < as_of:
        # Less than 60 days of notice left: hold it as soon as practical rather than skip it.
        day = min(as_of + timedelta(days=RESCHEDULE_NOTICE_DAYS), renewal_date)
        day = max(day, year_start)
        day = _on_a_weekday(day, max(as_of, year_start), renewal_date)
        reason = (
            f"pre-renewal review as soon as possible: the renewal on {renewal_date.isoformat()} is "
            f"{(renewal_date - as_of).days} days away, inside the {PRE_RENEWAL_LATEST_DAYS}-day notice window"
        )
    else:
        return None
    quarter = quarter_of(day, fiscal_year, start_month)
    if quarter is None:
        return None
    return PlannedQBR(quarter=quarter, date=day, pre_renewal=True, reason=reason)


def plan_qbr_schedule(
    fiscal_year: str, start_month: int, renewal_date: date | None, as_of: date
) -> list[PlannedQBR]:
    """One QBR per quarter; the one in the renewal's quarter lands 60-90 days before the renewal
    (when the renewal falls in or just after the year). Dates avoid weekends and, where the
    quarter is not over yet, the past relative to `as_of`."""
    quarters = fiscal_quarters(fiscal_year, start_month)
    schedule = [_usual_qbr(quarter, as_of) for quarter in quarters]
    if renewal_date is not None:
        pre_renewal = _pre_renewal_qbr(quarters, renewal_date, as_of, fiscal_year, start_month)
        if pre_renewal is not None:
            schedule = [pre_renewal if qbr.quarter == pre_renewal.quarter else qbr for qbr in schedule]
    return schedule
