"""The data gaps a planner should know about: missing fields, missing roles, missing or stale history."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tools.analytics.snapshot import (
        ContactInsight,
        CustomerSnapshot,
        InteractionSummary,
        SimilarAccounts,
        Trend,
    )
    from tools.analytics.stakeholders import StakeholderCoverage

STALE_DAYS = 120  # health history older than this no longer describes the account


def list_data_gaps(
    customer: CustomerSnapshot,
    contacts: list[ContactInsight],
    coverage: StakeholderCoverage,
    health_rows: int,
    health: Trend,
    health_last: date | None,
    usage_rows: int,
    interactions: InteractionSummary,
    similar: SimilarAccounts | None,
    as_of: date,
) -> list[str]:
    """What the planner should know is missing or stale, in plain words."""
    gaps: list[str] = []
    for value, gap in (
        (customer.arr, "ARR unknown"),
        (customer.health_score, "current health score unknown"),
        (customer.feature_utilization, "feature utilization unknown"),
        (customer.seats_purchased, "seat counts unknown"),
        (customer.industry, "industry unknown"),
        (customer.segment, "segment unknown"),
    ):
        if value is None:
            gaps.append(gap)
    if customer.renewal_date is None:
        gaps.append("renewal date unknown")
    elif customer.renewal_date < as_of:
        gaps.append(
            f"renewal date {customer.renewal_date.isoformat()} is in the past; the contract dates need updating"
        )
    if not contacts:
        gaps.append("no contacts on record")
    elif coverage.active_contacts == 0:
        gaps.append("no active contacts on record (every known contact has left)")
    for role, gap in (
        ("exec_sponsor", "no executive sponsor (VP+) on record"),
        ("champion", "no champion on record"),
        ("technical_buyer", "no technical buyer on record"),
        ("economic_buyer", "no economic buyer on record"),
    ):
        if contacts and not coverage.covered_roles.get(role):
            gaps.append(gap)
    untitled = sum(1 for c in contacts if c.active and not c.title)
    if untitled:
        gaps.append(
            f"{untitled} active contact{'s' if untitled != 1 else ''} without a title (seniority unknown)"
        )
    if health_rows == 0:
        gaps.append("no health history")
    elif health_last is not None and (as_of - health_last).days > STALE_DAYS:
        gaps.append(f"health history is stale (latest score {health_last.isoformat()})")
    elif health.change_90d is None:
        gaps.append("health history too short for a 90-day trend")
    if usage_rows == 0:
        gaps.append("no usage history")
    if interactions.count_total == 0:
        gaps.append("no interactions on record")
    elif interactions.count_90d == 0:
        gaps.append("no interactions in the last 90 days")
    if similar is not None and similar.sample_size == 0:
        gaps.append("no similar accounts with a known renewal outcome")
    return gaps
