"""Fiscal years and their quarters: the calendar every plan is dated in. A fiscal year is named by
the calendar year in which it ends (FY2026 with a February start runs 2025-02-01 .. 2026-01-31).

Pure date arithmetic, here in storage because the plan document and the demo book need it as much
as the planning analytics do (tools.analytics.fiscal_calendar re-exports it, with QBR timing).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from pydantic import BaseModel, ConfigDict

from storage.errors import BadInput
from storage.plan_document import FISCAL_YEAR_PATTERN, QUARTERS, Quarter


class FiscalQuarter(BaseModel):
    model_config = ConfigDict(frozen=True)  # shared between callers (the quarters are cached)

    name: Quarter
    start: date
    end: date


def parse_fiscal_year(text: str) -> int:
    """`"FY2026"` -> 2026; anything else (`FY26`, `2026`, `fy 2026`, `FY٢٠٢٦`, `"FY2026\\n"`) is
    BadInput. Only the form is checked here: tools.analytics.fiscal_calendar.check_fiscal_year also
    bounds the year."""
    match = FISCAL_YEAR_PATTERN.match(text)
    if match is None:
        raise BadInput(f"fiscal year must look like FY2026 (got {text!r})")
    return int(match.group(1))


def _check_start_month(start_month: int) -> None:
    if not 1 <= start_month <= 12:
        raise BadInput(f"fiscal year start month must be 1-12 (got {start_month})")


def fiscal_year_of(day: date, start_month: int) -> str:
    """The fiscal year containing `day`, e.g. 2025-03-10 with a February start -> "FY2026"."""
    _check_start_month(start_month)
    ends_next_calendar_year = start_month > 1 and day.month >= start_month
    return f"FY{day.year + 1 if ends_next_calendar_year else day.year}"


def planning_fiscal_year(day: date, start_month: int) -> str:
    """The fiscal year a plan drafted on `day` is for: the current one, or the next one once the
    current year's last quarter has begun (planning season: nobody plans a year with weeks left)."""
    current = fiscal_year_of(day, start_month)
    if day >= fiscal_quarters(current, start_month)[-1].start:
        return f"FY{parse_fiscal_year(current) + 1}"
    return current


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def fiscal_year_bounds(fiscal_year: str, start_month: int) -> tuple[date, date]:
    """First and last day of `fiscal_year`."""
    _check_start_month(start_month)
    year = parse_fiscal_year(fiscal_year)
    start = date(year - 1 if start_month > 1 else year, start_month, 1)
    return start, add_months(start, 12) - timedelta(days=1)


def fiscal_quarters(fiscal_year: str, start_month: int) -> list[FiscalQuarter]:
    """Q1-Q4 of `fiscal_year`, three calendar months each."""
    return list(_quarters(fiscal_year, start_month))


@lru_cache(maxsize=256)  # every plan of a run asks for the same year's quarters, many times
def _quarters(fiscal_year: str, start_month: int) -> tuple[FiscalQuarter, ...]:
    start, _ = fiscal_year_bounds(fiscal_year, start_month)
    return tuple(
        FiscalQuarter(
            name=name,
            start=add_months(start, 3 * index),
            end=add_months(start, 3 * index + 3) - timedelta(days=1),
        )
        for index, name in enumerate(QUARTERS)
    )


def quarter_of(day: date, fiscal_year: str, start_month: int) -> Quarter | None:
    """The quarter of `fiscal_year` containing `day`, or None when `day` is outside that year."""
    for quarter in _quarters(fiscal_year, start_month):
        if quarter.start <= day <= quarter.end:
            return quarter.name
    return None
