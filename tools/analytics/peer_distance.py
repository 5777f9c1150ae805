"""How far every indexed account is from the customer being compared: a weighted distance (0-1)
over industry, segment, log ARR, health, feature and seat utilization, vectorized over the
feature index (tools.analytics.feature_index).

What does not depend on the customer (which accounts a search as of a day may return, the category
codes as lookup positions) is worked out once per set of customers searched together (`Peers`),
not once per customer: a bulk run's batch searches for fifty.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np

from tools.analytics.feature_index import UNKNOWN_CODE, FeatureIndex, QueryFeatures

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


@dataclass(frozen=True)
class Peers:
    """The index as the searches as of one day read it."""

    index: FeatureIndex
    ineligible: np.ndarray  # bool per row: no known outcome, or a contract started after the day
    eligible_count: int
    # Category code + 1 per row: its position in a per-search lookup table (0: unknown); one table
    # lookup is one pass over the rows where comparing codes took several.
    industry_rows: np.ndarray  # intp
    segment_rows: np.ndarray

    def pool_size(self, query: QueryFeatures) -> int:
        """How many accounts the search may return: the eligible ones but the customer itself."""
        own = query.row is not None and not self.ineligible[query.row]
        return self.eligible_count - own


def peers_as_of(index: FeatureIndex, as_of: date) -> Peers:
    """The accounts with a known renewal outcome whose contract started by `as_of` (or whose start
    is unknown) are the ones a search may return."""
    eligible = index.outcome > 0
    eligible &= (index.contract_start == 0) | (index.contract_start <= as_of.toordinal())
    return Peers(
        index=index,
        ineligible=~eligible,
        eligible_count=int(eligible.sum()),
        industry_rows=index.industry_code.astype(np.intp) + 1,
        segment_rows=index.segment_code.astype(np.intp) + 1,
    )


def _mismatch(rows: np.ndarray, vocabulary_size: int, target: int, weight: float) -> np.ndarray:
    """Weighted 0 (same category), 1 (another) or UNKNOWN_DISTANCE (either unknown) per row."""
    table = np.full(vocabulary_size + 1, 1.0)
    table[0] = UNKNOWN_DISTANCE
    if target == UNKNOWN_CODE:
        table[:] = UNKNOWN_DISTANCE
    elif target >= 0:  # an unseen category (UNSEEN_CODE) matches nobody
        table[target + 1] = 0.0
    return (weight * table)[rows]


def _gap(values: np.ndarray, target: float, scale: float, weight: float) -> np.ndarray:
    """Weighted |difference| / scale, capped at 1, per row (UNKNOWN_DISTANCE where either is unknown)."""
    if math.isnan(target):
        return np.full(values.shape, weight * UNKNOWN_DISTANCE)
    # In place: every step is a pass over every row, and a fresh array each costs as much again.
    gap = np.abs(values - target)
    gap /= scale
    np.minimum(gap, 1.0, out=gap)
    np.putmask(gap, np.isnan(gap), UNKNOWN_DISTANCE)
    gap *= weight
    return gap


def distances(peers: Peers, query: QueryFeatures) -> np.ndarray:
    """Weighted distance (0-1) from the query customer to every customer in the index."""
    index, w = peers.index, DISTANCE_WEIGHTS
    total = _mismatch(peers.industry_rows, len(index.industry_vocabulary), query.industry_code, w["industry"])
    total += _mismatch(peers.segment_rows, len(index.segment_vocabulary), query.segment_code, w["segment"])
    total += _gap(index.log_arr, query.log_arr, SCALES["arr"], w["arr"])
    total += _gap(index.health, query.health, SCALES["health"], w["health"])
    total += _gap(
        index.feature_utilization,
        query.feature_utilization,
        SCALES["feature_utilization"],
        w["feature_utilization"],
    )
    total += _gap(
        index.seat_utilization, query.seat_utilization, SCALES["seat_utilization"], w["seat_utilization"]
    )
    return total
