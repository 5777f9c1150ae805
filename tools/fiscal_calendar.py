"""Fiscal years and quarters, and when QBRs should land. A fiscal year is named by the calendar
year in which it ends (FY2026 with a February start runs 2025-02-01 .. 2026-01-31)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from storage.plan_document import Quarter


class FiscalQuarter(BaseModel):
    name: Quarter
    start: date
    end: date


class PlannedQBR(BaseModel):
    quarter: Quarter
    date: date
    pre_renewal: bool
    reason: str


# TYPES ONLY so far; functions are implemented by the analytics work (issue 2):
#   parse_fiscal_year(text) -> int                         BadInput "fiscal year must look like FY2026"
#   fiscal_year_of(day, start_month) -> str                 e.g. "FY2026"
#   fiscal_quarters(fiscal_year, start_month) -> list[FiscalQuarter]
#   quarter_of(day, fiscal_year, start_month) -> Quarter | None
#   plan_qbr_schedule(fiscal_year, start_month, renewal_date, as_of) -> list[PlannedQBR]
