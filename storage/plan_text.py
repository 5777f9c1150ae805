"""How a plan writes dates, the same in the plan's own text, the terminal, Markdown and Slack."""

from __future__ import annotations

from datetime import date


def long_date(value: date) -> str:
    """2027-08-31 -> 'Aug 31, 2027' (what a CSM writes; ISO dates are for machines)."""
    return f"{value:%b} {value.day}, {value.year}"
