"""When QBRs should land, on the fiscal calendar (storage.fiscal_year, re-exported here: fiscal
years, their bounds and quarters, the year being planned)."""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel

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
    "FiscalQuarter",
    "PlannedQBR",
    "fiscal_quarters",
    "fiscal_year_bounds",
    "fiscal_year_of",
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


class PlannedQBR(BaseModel):
    quarter: Quarter
    date: date
    pre_renewal: bool
    reason: str


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
