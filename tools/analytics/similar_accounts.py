"""Similar accounts: nearest neighbours among accounts with a known renewal outcome; success =
renewed and grew. Computed from data, never a constant.

The search runs over the cached feature index (tools.analytics.feature_index): a weighted distance over
industry, segment, log ARR, health, feature and seat utilization, vectorized, then argpartition.
The result types live in tools.analytics.snapshot, so reading a plan's context never loads numpy.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import NotFound
from tools.analytics.feature_index import (
    OUTCOME_CODES,
    SIGNATURE_MAX_AGE_SECONDS,
    FeatureIndex,
    QueryFeatures,
    load_feature_index,
    query_features,
)
from tools.analytics.peer_distance import Peers, distances, peers_as_of
from tools.analytics.rows import CustomerRow
from tools.analytics.snapshot import SimilarAccount, SimilarAccounts

OUTCOME_NAMES = {code: name for name, code in OUTCOME_CODES.items()}


def _nearest(peers: Peers, query: QueryFeatures, k: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Rows of the k nearest accounts the search may return (closest first), their distances, and
    how many accounts it may return."""
    pool = peers.pool_size(query)
    if pool == 0 or k <= 0:
        return np.empty(0, dtype=np.int64), np.empty(0), pool
    distance = distances(peers, query)
    np.putmask(distance, peers.ineligible, np.inf)
    if query.row is not None:
        distance[query.row] = np.inf
    take = min(k, pool)
    chosen = np.argpartition(distance, take - 1)[:take]
    # Closest first; ties broken by row (= customer id order) so results are reproducible.
    chosen = chosen[np.lexsort((chosen, distance[chosen]))]
    return chosen, distance[chosen], pool


def _mean(values: np.ndarray) -> float | None:
    finite = values[np.isfinite(values)]
    # What ndarray.mean computes (the same sum, divided by the count), without its Python wrapper:
    # a dozen values, where the wrapper costs more than the sum.
    return float(np.add.reduce(finite)) / finite.size if finite.size else None


def _optional(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


# Below this many successful (or unsuccessful) neighbours, a difference between the groups is one
# account's quirks: nothing is said about what set the winners apart.
MIN_GROUP_FOR_FACTORS = 2

# (profile key, values getter, minimum gap worth mentioning, sentence template)
_FACTORS: tuple[tuple[str, str, float, str], ...] = (
    (
        "feature_utilization",
        "feature_utilization",
        5.0,
        "successful peers average {s:.0f}% feature utilization vs {u:.0f}% for the rest",
    ),
    ("health_score", "health", 5.0, "successful peers average health {s:.0f} vs {u:.0f} for the rest"),
    (
        "seat_utilization_pct",
        "seat_utilization_pct",
        5.0,
        "successful peers use {s:.0f}% of their seats vs {u:.0f}% for the rest",
    ),
    (
        "exec_sponsor_share_pct",
        "exec_sponsor_pct",
        15.0,
        "{s:.0f}% of successful peers have an executive sponsor vs {u:.0f}% of the rest",
    ),
    (
        "active_contacts",
        "active_contacts",
        1.0,
        "successful peers have {s:.1f} active contacts on average vs {u:.1f} for the rest",
    ),
    (
        "champions",
        "champions",
        0.5,
        "successful peers have {s:.1f} champions on average vs {u:.1f} for the rest",
    ),
)


def _factor_values(index: FeatureIndex, rows: np.ndarray) -> dict[str, np.ndarray]:
    return {
        "feature_utilization": index.feature_utilization[rows],
        "health": index.health[rows],
        "seat_utilization_pct": index.seat_utilization[rows] * 100.0,
        "exec_sponsor_pct": index.exec_sponsor[rows].astype(np.float64) * 100.0,
        "active_contacts": index.active_contacts[rows].astype(np.float64),
        "champions": index.champions[rows].astype(np.float64),
        "arr": index.arr[rows],
    }


def _compare(
    index: FeatureIndex, rows: np.ndarray, succeeded: np.ndarray
) -> tuple[list[str], dict[str, float]]:
    """Sentences on what separates successful neighbours from the rest, largest gap first, and
    the successful neighbours' averages."""
    values = _factor_values(index, rows)
    successful = {source: _mean(column[succeeded]) for source, column in values.items()}
    profile: dict[str, float] = {}
    for key, source, *_ in _FACTORS:
        mean = successful[source]
        if mean is not None:
            profile[key] = round(mean, 2)
    arr_mean = successful["arr"]
    if arr_mean is not None:
        profile["arr"] = round(arr_mean, 2)
    wins = int(succeeded.sum())
    if min(wins, len(succeeded) - wins) < MIN_GROUP_FOR_FACTORS:
        return [], profile
    ranked: list[tuple[float, str]] = []
    failed = ~succeeded
    for _, source, threshold, template in _FACTORS:
        good, rest = successful[source], _mean(values[source][failed])
        # Every factor is "more is better"; winners having less of it is noise in a dozen peers,
        # not a lesson a CSM can act on ("successful peers have 0.0 champions").
        if good is None or rest is None or good - rest < threshold:
            continue
        ranked.append((abs(good - rest) / threshold, template.format(s=good, u=rest)))
    ranked.sort(key=lambda item: -item[0])
    return [sentence for _, sentence in ranked], profile


async def find_similar_accounts(
    session: AsyncSession,
    customer_id: str,
    as_of: date,
    *,
    k: int = 12,
    max_index_age: float = SIGNATURE_MAX_AGE_SECONDS,
    customer: CustomerRow | None = None,
) -> SimilarAccounts:
    """The `k` most similar accounts with a known renewal outcome, their success rate, and what
    distinguishes the ones that renewed and grew. Accounts that started after `as_of` are left out.

    The customer's own features are read fresh; its peers come from the feature index, re-checked
    against the database when older than `max_index_age` seconds (0 = always). `customer`: its row,
    when the caller has just read it (no second look-up).
    """
    found = await find_similar_accounts_for(
        session, {customer_id: customer}, as_of, k=k, max_index_age=max_index_age
    )
    return found[customer_id]


async def find_similar_accounts_for(
    session: AsyncSession,
    customers: Mapping[str, CustomerRow | None],
    as_of: date,
    *,
    k: int = 12,
    max_index_age: float = SIGNATURE_MAX_AGE_SECONDS,
) -> dict[str, SimilarAccounts]:
    """`find_similar_accounts` for each customer id (with its row, when the caller has just read
    it), keyed by id: what every search as of `as_of` shares is worked out once. NotFound for an
    unknown customer id."""
    index = await load_feature_index(session, max_age=max_index_age)
    peers = peers_as_of(index, as_of)
    found: dict[str, SimilarAccounts] = {}
    for customer_id, customer in customers.items():
        query = await query_features(session, index, customer_id, customer)
        if query is None:
            raise NotFound(f"no customer with id {customer_id!r}")
        if query.row is None:  # a customer added since the index was built: bring the index up to date
            index = await load_feature_index(session, max_age=0.0)
            query = await query_features(session, index, customer_id, customer)
            if query is None:
                raise NotFound(f"no customer with id {customer_id!r}")
            if peers.index is not index:
                peers = peers_as_of(index, as_of)
        found[customer_id] = _search(peers, query, k)
    return found


def _accounts(
    index: FeatureIndex, chosen: np.ndarray, distance: np.ndarray, succeeded: np.ndarray
) -> list[SimilarAccount]:
    """The chosen rows as results. Each column is read as one Python list: a numpy scalar per
    value costs several times more."""
    rows: list[int] = chosen.tolist()
    columns = zip(
        distance.tolist(),
        succeeded.tolist(),
        index.arr[chosen].tolist(),
        index.health[chosen].tolist(),
        index.feature_utilization[chosen].tolist(),
        index.outcome[chosen].tolist(),
        index.arr_change[chosen].tolist(),
        index.seat_utilization[chosen].tolist(),
        index.active_contacts[chosen].tolist(),
        index.exec_sponsor[chosen].tolist(),
        strict=True,
    )
    return [
        SimilarAccount(
            customer_id=index.ids[i],
            name=index.names[i],
            industry=index.industries[i],
            segment=index.segments[i],
            arr=_optional(arr),
            health_score=None if math.isnan(health) else int(health),
            feature_utilization=_optional(adoption),
            similarity=round(float(max(0.0, 1.0 - d)), 3),
            outcome=OUTCOME_NAMES[outcome],
            arr_change_last_year=_optional(arr_change),
            succeeded=ok,
            seat_utilization=_optional(seats),
            active_contacts=contacts,
            has_exec_sponsor=sponsor,
        )
        for i, (d, ok, arr, health, adoption, outcome, arr_change, seats, contacts, sponsor) in zip(
            rows, columns, strict=True
        )
    ]


def _search(peers: Peers, query: QueryFeatures, k: int) -> SimilarAccounts:
    index = peers.index
    chosen, distance, pool = _nearest(peers, query, k)
    succeeded = index.succeeded(chosen)
    accounts = _accounts(index, chosen, distance, succeeded)
    factors, profile = _compare(index, chosen, succeeded)
    if not accounts:
        return SimilarAccounts(
            accounts=[],
            sample_size=0,
            success_rate=None,
            distinguishing_factors=[],
            successful_profile={},
            explanation="no other account with a known renewal outcome to compare with",
        )
    wins = int(succeeded.sum())
    # Unknown (-1) matches nobody here; an unseen category (-2) cannot match any row's code.
    same_industry = (
        int((index.industry_code[chosen] == query.industry_code).sum()) if query.industry_code >= 0 else 0
    )
    same_segment = (
        int((index.segment_code[chosen] == query.segment_code).sum()) if query.segment_code >= 0 else 0
    )
    explanation = (
        f"{len(accounts)} nearest of {pool:,} accounts with a known outcome "
        f"({same_industry} in the same industry, {same_segment} in the same segment; "
        f"similarity {accounts[-1].similarity:.2f}-{accounts[0].similarity:.2f}); "
        f"{wins} renewed and grew ({wins / len(accounts):.0%})"
    )
    if not factors:
        explanation += "; " + (
            "all of them succeeded, so nothing separates winners from the rest"
            if wins == len(accounts)
            else "none of them succeeded"
            if wins == 0
            else f"too few succeeded ({wins}) to say what set them apart"
            if wins < MIN_GROUP_FOR_FACTORS
            else f"too few did not succeed ({len(accounts) - wins}) to say what set the rest apart"
            if len(accounts) - wins < MIN_GROUP_FOR_FACTORS
            else "no material difference between successful peers and the rest"
        )
    return SimilarAccounts(
        accounts=accounts,
        sample_size=len(accounts),
        success_rate=round(wins / len(accounts), 4),
        distinguishing_factors=factors,
        successful_profile=profile,
        explanation=explanation,
    )
