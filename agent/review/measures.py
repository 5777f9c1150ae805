"""The measures a plan sets targets on (health, feature utilization, active users, seats, ARR): how
a metric names each, whether the account has data for it, and the figure on record."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from storage.plan_document import MetricValue
from tools.analytics.context import PlanningContext


@dataclass(frozen=True)
class Measure:
    key: str
    label: str  # "health", "feature utilization"
    pattern: re.Pattern[str]  # how a metric or a sentence names it
    has_data: Callable[[PlanningContext], bool]
    on_record: Callable[[PlanningContext], float | None]
    missing: str  # "no health score"
    percent: bool = False


MEASURES: tuple[Measure, ...] = (
    Measure(
        "health",
        "health",
        re.compile(r"\bhealth\b", re.I),
        lambda c: c.customer.health_score is not None or c.health.latest is not None,
        lambda c: float(c.customer.health_score) if c.customer.health_score is not None else c.health.latest,
        "no health score",
    ),
    Measure(
        "utilization",
        "feature utilization",
        re.compile(r"utili[sz]ation|\badoption (rate|%)|feature (usage|adoption)", re.I),
        lambda c: c.customer.feature_utilization is not None or c.usage_utilization.latest is not None,
        lambda c: (
            c.customer.feature_utilization
            if c.customer.feature_utilization is not None
            else c.usage_utilization.latest
        ),
        "no feature utilization data",
        percent=True,
    ),
    Measure(
        "active_users",
        "active users",
        re.compile(r"\bactive users\b|\bmonthly active\b|\bMAU\b|\bweekly active\b", re.I),
        lambda c: c.usage_active_users.latest is not None,
        lambda c: c.usage_active_users.latest,
        "no usage history",
    ),
    Measure(
        "seats",
        "active seats",
        re.compile(r"\bseats?\b|\blicen[cs]es?\b", re.I),
        lambda c: c.customer.seats_purchased is not None and c.customer.seats_active is not None,
        lambda c: None,  # counted or as a share: compared for conflicts only
        "no seat data",
    ),
    Measure(
        "arr",
        "ARR",
        re.compile(r"\bARR\b|annual recurring revenue", re.I),
        lambda c: c.customer.arr is not None,
        lambda c: c.customer.arr,
        "no ARR",
    ),
)
MEASURE_BY_KEY = {m.key: m for m in MEASURES}
_NUMBER = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*(%|[KkMm]\b)?")
_DATEISH = re.compile(r"\b(19|20)\d{2}\b|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b", re.I)


def metric_number(value: MetricValue) -> float | None:
    """The figure in a metric value: 78, "78", "70%", "$300K" -> 300000; None for words and dates."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    text = value.strip()
    if not text or _DATEISH.search(text) or len(text.split()) > 4:
        return None
    match = _NUMBER.search(text.replace(",", ""))
    if match is None:
        return None
    amount = float(match.group(1))
    unit = (match.group(2) or "").lower()
    return amount * {"k": 1_000, "m": 1_000_000}.get(unit, 1)


def measure_of(metric_name: str) -> Measure | None:
    for measure in MEASURES:
        if measure.pattern.search(metric_name):
            return measure
    return None
