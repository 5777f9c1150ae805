"""How much to trust a draft: `ai_confidence` from data coverage and benchmark support.

    coverage  = share of the 11 inputs below that the account actually has on record
    benchmark = min(1, similar accounts with a known outcome / 10) * mean similarity of those shown
                (0 when there are no comparable accounts)
    ai_confidence = min(0.95, 0.15 + 0.55 * coverage + 0.30 * benchmark), rounded to 2 decimals

The floor says a structured draft is never worthless; the cap says a draft is never certain.
Coverage weighs most because every section is computed from the account's own data; benchmarks
only tell whether the strategy has worked for peers.
"""

from __future__ import annotations

from typing import Any

from tools.analytics.context import PlanningContext

BASE = 0.15
COVERAGE_WEIGHT = 0.55
BENCHMARK_WEIGHT = 0.30
CAP = 0.95
FULL_BENCHMARK_SAMPLE = 10
MIN_HISTORY_POINTS = 3
FORMULA = (
    "min(0.95, 0.15 + 0.55*coverage + 0.30*benchmark); coverage = inputs on record / 11; "
    "benchmark = min(1, comparable accounts / 10) * mean similarity"
)


def coverage_inputs(context: PlanningContext) -> dict[str, bool]:
    """Each input the drafter relies on, and whether the account has it."""
    customer = context.customer
    return {
        "arr": customer.arr is not None,
        "health_score": customer.health_score is not None,
        "health_history": len(context.health.points) >= MIN_HISTORY_POINTS,
        "usage_history": len(context.usage_utilization.points) >= MIN_HISTORY_POINTS,
        "feature_utilization": customer.feature_utilization is not None,
        "renewal_date": customer.renewal_date is not None,
        "seats": customer.seats_purchased is not None and customer.seats_active is not None,
        "stakeholders": context.coverage.active_contacts >= 2,
        "recent_interactions": context.interactions.count_90d > 0,
        "customer_goals": bool(customer.goals and customer.goals.strip()),
        "opportunity_or_risk_records": bool(context.opportunities or context.risk_signals),
    }


def benchmark_support(context: PlanningContext) -> float:
    similar = context.similar
    if similar is None or similar.success_rate is None or not similar.accounts:
        return 0.0
    mean_similarity = sum(a.similarity for a in similar.accounts) / len(similar.accounts)
    return min(1.0, similar.sample_size / FULL_BENCHMARK_SAMPLE) * max(0.0, min(1.0, mean_similarity))


def confidence_breakdown(context: PlanningContext) -> dict[str, Any]:
    """The components behind `ai_confidence`, stored in `generation_context["confidence"]`."""
    inputs = coverage_inputs(context)
    coverage = sum(inputs.values()) / len(inputs)
    benchmark = benchmark_support(context)
    value = min(CAP, BASE + COVERAGE_WEIGHT * coverage + BENCHMARK_WEIGHT * benchmark)
    return {
        "value": round(value, 2),
        "coverage": round(coverage, 3),
        "benchmark": round(benchmark, 3),
        "missing_inputs": [name for name, present in inputs.items() if not present],
        "formula": FORMULA,
    }
