"""Similar accounts: nearest neighbours among accounts with a known renewal outcome; success =
renewed and grew. Computed from data, never a constant.

A compact feature index (numpy arrays, one row per customer) is loaded once per process and
database, and rebuilt when one cheap signature query (customer count, latest customer update,
contact count) says the data changed; each search is then a vectorized distance + argpartition.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from pydantic import BaseModel
from sqlalchemy import Engine, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import NotFound
from storage.models import Contact, Customer

# Weights of the distance components (each 0-1); they sum to 1, so similarity = 1 - distance.
DISTANCE_WEIGHTS: dict[str, float] = {
    "industry": 0.25,
    "segment": 0.15,
    "arr": 0.20,  # |log10 ARR difference|: 10x larger or smaller is as far as it gets
    "health": 0.15,  # 50 health points apart is as far as it gets
    "feature_utilization": 0.15,  # 50 percentage points
    "seat_utilization": 0.10,  # 50 percentage points
}
SCALES = {"arr": 1.0, "health": 50.0, "feature_utilization": 50.0, "seat_utilization": 0.5}
UNKNOWN_DISTANCE = 0.5  # a missing value on either side counts as half-way
OUTCOME_CODES = {"renewed": 1, "churned": 2}
OUTCOME_NAMES = {code: name for name, code in OUTCOME_CODES.items()}


class SimilarAccount(BaseModel):
    customer_id: str
    name: str
    industry: str | None
    segment: str | None
    arr: float | None
    health_score: int | None
    feature_utilization: float | None
    similarity: float  # 0-1
    outcome: str  # renewed | churned
    arr_change_last_year: float | None
    succeeded: bool  # renewed and grew
    seat_utilization: float | None = None  # 0-1+
    active_contacts: int = 0
    has_exec_sponsor: bool = False


class SimilarAccounts(BaseModel):
    accounts: list[SimilarAccount]
    sample_size: int
    success_rate: float | None  # None when no neighbour has a known outcome
    distinguishing_factors: list[str]  # "successful peers average 74% utilization vs 41% for the rest"
    successful_profile: dict[str, float]  # averages of the successful neighbours
    explanation: str


@dataclass(frozen=True)
class FeatureIndex:
    """Every customer's comparable features as parallel arrays (row i = ids[i])."""

    signature: tuple[Any, ...]
    ids: list[str]
    position: dict[str, int]
    names: list[str]
    industries: list[str | None]
    segments: list[str | None]
    industry_code: np.ndarray  # int32, -1 unknown
    segment_code: np.ndarray
    arr: np.ndarray  # float64, NaN unknown
    log_arr: np.ndarray
    health: np.ndarray
    feature_utilization: np.ndarray
    seat_utilization: np.ndarray
    arr_change: np.ndarray
    outcome: np.ndarray  # int8: 0 unknown/pending, 1 renewed, 2 churned
    contract_start: np.ndarray  # int64 date ordinal, 0 unknown
    active_contacts: np.ndarray  # int32
    champions: np.ndarray  # int32
    exec_sponsor: np.ndarray  # bool

    def succeeded(self, rows: np.ndarray) -> np.ndarray:
        """Renewed and grew (ARR change last year > 0), for the given rows."""
        return (self.outcome[rows] == OUTCOME_CODES["renewed"]) & (self.arr_change[rows] > 0)


_INDEXES: weakref.WeakKeyDictionary[Engine, FeatureIndex] = weakref.WeakKeyDictionary()


def _engine_of(session: AsyncSession) -> Engine:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


async def _signature(session: AsyncSession) -> tuple[Any, ...]:
    contacts = select(func.count()).select_from(Contact).scalar_subquery()
    row = (await session.execute(select(func.count(), func.max(Customer.updated_at), contacts))).one()
    return (row[0], str(row[1]), row[2])


def _codes(values: list[str | None]) -> np.ndarray:
    vocabulary: dict[str, int] = {}
    codes = [-1 if v is None else vocabulary.setdefault(v.strip().lower(), len(vocabulary)) for v in values]
    return np.asarray(codes, dtype=np.int32)


def _floats(values: list[Any]) -> np.ndarray:
    return np.asarray([math.nan if v is None else float(v) for v in values], dtype=np.float64)


async def _build_index(session: AsyncSession, signature: tuple[Any, ...]) -> FeatureIndex:
    rows = (
        await session.execute(
            select(
                Customer.id,
                Customer.name,
                Customer.industry,
                Customer.segment,
                Customer.arr,
                Customer.health_score,
                Customer.feature_utilization,
                Customer.seats_purchased,
                Customer.seats_active,
                Customer.arr_change_last_year,
                Customer.renewal_outcome,
                Customer.contract_start,
            ).order_by(Customer.id)
        )
    ).all()
    is_active = Contact.active.is_(True)
    contact_rows = (
        await session.execute(
            select(
                Contact.customer_id,
                func.sum(case((is_active, 1), else_=0)),
                func.sum(case((is_active & (Contact.role == "champion"), 1), else_=0)),
                func.sum(case((is_active & (Contact.role == "exec_sponsor"), 1), else_=0)),
            ).group_by(Contact.customer_id)
        )
    ).all()
    ids = [r.id for r in rows]
    position = {customer_id: i for i, customer_id in enumerate(ids)}
    active_contacts = np.zeros(len(ids), dtype=np.int32)
    champions = np.zeros(len(ids), dtype=np.int32)
    exec_sponsor = np.zeros(len(ids), dtype=bool)
    for customer_id, active, champion_count, sponsors in contact_rows:
        i = position.get(customer_id)
        if i is not None:
            active_contacts[i], champions[i], exec_sponsor[i] = (
                active or 0,
                champion_count or 0,
                (sponsors or 0) > 0,
            )
    arr = _floats([r.arr for r in rows])
    with np.errstate(divide="ignore", invalid="ignore"):
        log_arr = np.where(arr > 0, np.log10(np.where(arr > 0, arr, 1.0)), math.nan)
        seat_utilization = np.asarray(
            [
                r.seats_active / r.seats_purchased
                if r.seats_purchased and r.seats_active is not None
                else math.nan
                for r in rows
            ],
            dtype=np.float64,
        )
    industries = [r.industry for r in rows]
    segments = [r.segment for r in rows]
    return FeatureIndex(
        signature=signature,
        ids=ids,
        position=position,
        names=[r.name for r in rows],
        industries=industries,
        segments=segments,
        industry_code=_codes(industries),
        segment_code=_codes(segments),
        arr=arr,
        log_arr=log_arr,
        health=_floats([r.health_score for r in rows]),
        feature_utilization=_floats([r.feature_utilization for r in rows]),
        seat_utilization=seat_utilization,
        arr_change=_floats([r.arr_change_last_year for r in rows]),
        outcome=np.asarray(
            [OUTCOME_CODES.get((r.renewal_outcome or "").lower(), 0) for r in rows], dtype=np.int8
        ),
        contract_start=np.asarray(
            [r.contract_start.toordinal() if r.contract_start else 0 for r in rows], dtype=np.int64
        ),
        active_contacts=active_contacts,
        champions=champions,
        exec_sponsor=exec_sponsor,
    )


async def load_feature_index(session: AsyncSession) -> FeatureIndex:
    """The cached index for this database, rebuilt only when the signature changed."""
    engine = _engine_of(session)
    signature = await _signature(session)
    index = _INDEXES.get(engine)
    if index is None or index.signature != signature:
        index = await _build_index(session, signature)
        _INDEXES[engine] = index
    return index


def _mismatch(codes: np.ndarray, target: int) -> np.ndarray:
    if target < 0:
        return np.full(codes.shape, UNKNOWN_DISTANCE)
    return np.where(codes < 0, UNKNOWN_DISTANCE, (codes != target).astype(np.float64))


def _gap(values: np.ndarray, target: float, scale: float) -> np.ndarray:
    if math.isnan(target):
        return np.full(values.shape, UNKNOWN_DISTANCE)
    gap = np.minimum(np.abs(values - target) / scale, 1.0)
    return np.where(np.isnan(gap), UNKNOWN_DISTANCE, gap)


def distances(index: FeatureIndex, row: int) -> np.ndarray:
    """Weighted distance (0-1) from customer `row` to every customer in the index."""
    weights = DISTANCE_WEIGHTS
    return (
        weights["industry"] * _mismatch(index.industry_code, int(index.industry_code[row]))
        + weights["segment"] * _mismatch(index.segment_code, int(index.segment_code[row]))
        + weights["arr"] * _gap(index.log_arr, float(index.log_arr[row]), SCALES["arr"])
        + weights["health"] * _gap(index.health, float(index.health[row]), SCALES["health"])
        + weights["feature_utilization"]
        * _gap(
            index.feature_utilization, float(index.feature_utilization[row]), SCALES["feature_utilization"]
        )
        + weights["seat_utilization"]
        * _gap(index.seat_utilization, float(index.seat_utilization[row]), SCALES["seat_utilization"])
    )


def _nearest(index: FeatureIndex, row: int, as_of: date, k: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Rows of the k nearest accounts with a known outcome (closest first), their distances, and
    how many accounts were eligible."""
    eligible = index.outcome > 0
    eligible &= (index.contract_start == 0) | (index.contract_start <= as_of.toordinal())
    eligible[row] = False
    pool = int(eligible.sum())
    if pool == 0 or k <= 0:
        return np.empty(0, dtype=np.int64), np.empty(0), pool
    distance = np.where(eligible, distances(index, row), np.inf)
    take = min(k, pool)
    chosen = np.argpartition(distance, take - 1)[:take]
    # Closest first; ties broken by row (= customer id order) so results are reproducible.
    chosen = chosen[np.lexsort((chosen, distance[chosen]))]
    return chosen, distance[chosen], pool


def _mean(values: np.ndarray) -> float | None:
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if finite.size else None


def _optional(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


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
    profile: dict[str, float] = {}
    for key, source, *_ in _FACTORS:
        mean = _mean(values[source][succeeded])
        if mean is not None:
            profile[key] = round(mean, 2)
    arr_mean = _mean(values["arr"][succeeded])
    if arr_mean is not None:
        profile["arr"] = round(arr_mean, 2)
    if not succeeded.any() or succeeded.all():
        return [], profile
    ranked: list[tuple[float, str]] = []
    for _, source, threshold, template in _FACTORS:
        good, rest = _mean(values[source][succeeded]), _mean(values[source][~succeeded])
        if good is None or rest is None or abs(good - rest) < threshold:
            continue
        ranked.append((abs(good - rest) / threshold, template.format(s=good, u=rest)))
    ranked.sort(key=lambda item: -item[0])
    return [sentence for _, sentence in ranked], profile


async def find_similar_accounts(
    session: AsyncSession, customer_id: str, as_of: date, *, k: int = 12
) -> SimilarAccounts:
    """The `k` most similar accounts with a known renewal outcome, their success rate, and what
    distinguishes the ones that renewed and grew. Accounts that started after `as_of` are left out."""
    index = await load_feature_index(session)
    row = index.position.get(customer_id)
    if row is None:
        raise NotFound(f"no customer with id {customer_id!r}")
    chosen, distance, pool = _nearest(index, row, as_of, k)
    succeeded = index.succeeded(chosen)
    accounts = [
        SimilarAccount(
            customer_id=index.ids[i],
            name=index.names[i],
            industry=index.industries[i],
            segment=index.segments[i],
            arr=_optional(index.arr[i]),
            health_score=None if math.isnan(index.health[i]) else int(index.health[i]),
            feature_utilization=_optional(index.feature_utilization[i]),
            similarity=round(float(max(0.0, 1.0 - d)), 3),
            outcome=OUTCOME_NAMES[int(index.outcome[i])],
            arr_change_last_year=_optional(index.arr_change[i]),
            succeeded=bool(ok),
            seat_utilization=_optional(index.seat_utilization[i]),
            active_contacts=int(index.active_contacts[i]),
            has_exec_sponsor=bool(index.exec_sponsor[i]),
        )
        for i, d, ok in zip(chosen.tolist(), distance.tolist(), succeeded.tolist(), strict=True)
    ]
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
    same_industry = (
        int((index.industry_code[chosen] == index.industry_code[row]).sum())
        if index.industry_code[row] >= 0
        else 0
    )
    same_segment = (
        int((index.segment_code[chosen] == index.segment_code[row]).sum())
        if index.segment_code[row] >= 0
        else 0
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
