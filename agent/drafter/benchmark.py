"""Benchmark comparison: how comparable accounts fared, what the successful ones had, and which of
those elements this plan lacks. All from the similar-accounts tool; nothing is assumed."""

from __future__ import annotations

from agent.drafter.situation import Situation
from agent.drafter.text import pct
from storage.plan_document import BenchmarkComparison, SimilarAccountRef
from tools.analytics.similar_accounts import MIN_GROUP_FOR_FACTORS


def draft_benchmark(situation: Situation, objective_keys: list[str]) -> BenchmarkComparison:
    similar = situation.context.similar
    if similar is None or not similar.accounts:
        return BenchmarkComparison(
            similar_accounts_success_rate=None,
            similar_accounts=[],
            key_differentiators="No comparable accounts with a known renewal outcome yet, so this plan has no benchmark.",
            missing_elements=[],
        )
    refs = [
        SimilarAccountRef(
            customer_id=a.customer_id,
            name=a.name,
            industry=a.industry,
            segment=a.segment,
            arr=a.arr,
            similarity=round(max(0.0, min(1.0, a.similarity)), 2),
            outcome=a.outcome,
            succeeded=a.succeeded,
        )
        # Every account the success rate is computed over, so the plan shows its whole basis.
        for a in sorted(similar.accounts, key=lambda a: (-a.similarity, a.name))
    ]
    rate = similar.success_rate
    rate_text = (
        f"{pct(rate * 100)} of {similar.sample_size} comparable accounts renewed and grew"
        if rate is not None
        else ""
    )
    # "successful peers average health 72 vs 57 ...; successful peers use 79% ...": say who once.
    factors = "; ".join(
        factor if index == 0 else factor.removeprefix("successful peers ")
        for index, factor in enumerate(similar.distinguishing_factors[:3])
    )
    wins = sum(1 for a in similar.accounts if a.succeeded)
    if not factors and rate_text and 0 < wins < MIN_GROUP_FOR_FACTORS:
        rate_text += f" (just {wins}): too few to say what set {'it' if wins == 1 else 'them'} apart"
    differentiators = ". ".join(
        p for p in (rate_text, f"What set the successful ones apart: {factors}" if factors else "") if p
    )
    return BenchmarkComparison(
        similar_accounts_success_rate=None if rate is None else round(max(0.0, min(1.0, rate)), 2),
        similar_accounts=refs,
        key_differentiators=(differentiators or similar.explanation) + ".",
        missing_elements=_missing_elements(situation, objective_keys),
    )


def _missing_elements(situation: Situation, objective_keys: list[str]) -> list[str]:
    """What successful peers have that this account does not yet, and the plan does not address."""
    similar = situation.context.similar
    profile = similar.successful_profile if similar else {}
    missing: list[str] = []
    peer_utilization = situation.peer_utilization
    utilization = situation.utilization
    if peer_utilization is not None and utilization is not None and utilization < peer_utilization - 5:
        gap = f"Utilization {pct(utilization)} vs {pct(peer_utilization)} for successful peers"
        missing.append(gap + ("" if "adoption" in objective_keys else ": consider an adoption objective"))
    peer_health = profile.get("health_score")
    if peer_health is not None and situation.health is not None and situation.health < peer_health - 5:
        missing.append(f"Health {situation.health} vs {peer_health:.0f} for successful peers")
    if not situation.context.coverage.has_exec_sponsor:
        missing.append(
            "An executive sponsor (VP+)" + ("" if "executive" in objective_keys else ": not yet targeted")
        )
    if situation.context.coverage.champion_count < 2:
        missing.append(f"A second champion (today: {situation.context.coverage.champion_count})")
    return missing
