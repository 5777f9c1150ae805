from __future__ import annotations

import math
from datetime import date

import numpy as np

from tools.analytics.feature_index import UNKNOWN_CODE, UNSEEN_CODE, FeatureIndex, QueryFeatures
from tools.analytics.peer_distance import DISTANCE_WEIGHTS, UNKNOWN_DISTANCE, distances, peers_as_of

NAN = math.nan


def index() -> FeatureIndex:
    """Four accounts: industries tech/retail/unknown/tech, one without an outcome, one started late."""
    rows = 4
    floats = np.asarray([100_000.0, 50_000.0, NAN, 80_000.0])
    return FeatureIndex(
        signature=(),
        ids=["a", "b", "c", "d"],
        position={"a": 0, "b": 1, "c": 2, "d": 3},
        names=["A", "B", "C", "D"],
        industries=["Tech", "Retail", None, "Tech"],
        segments=["SMB", "SMB", "SMB", None],
        industry_vocabulary={"tech": 0, "retail": 1},
        segment_vocabulary={"smb": 0},
        industry_code=np.asarray([0, 1, UNKNOWN_CODE, 0], dtype=np.int32),
        segment_code=np.asarray([0, 0, 0, UNKNOWN_CODE], dtype=np.int32),
        arr=floats,
        log_arr=np.log10(floats),
        health=np.asarray([70.0, NAN, 40.0, 95.0]),
        feature_utilization=np.asarray([50.0, 60.0, NAN, 10.0]),
        seat_utilization=np.asarray([0.5, NAN, 0.9, 1.2]),
        arr_change=np.zeros(rows),
        outcome=np.asarray([1, 2, 0, 1], dtype=np.int8),
        contract_start=np.asarray([0, 0, 0, date(2026, 1, 1).toordinal()], dtype=np.int64),
        active_contacts=np.zeros(rows, dtype=np.int32),
        champions=np.zeros(rows, dtype=np.int32),
        exec_sponsor=np.zeros(rows, dtype=bool),
    )


def query(industry: int, segment: int, health: float = 70.0) -> QueryFeatures:
    return QueryFeatures("q", None, industry, segment, 5.0, health, 50.0, 0.5)


def expected(features: FeatureIndex, q: QueryFeatures) -> list[float]:
    """The distance as the weights describe it, one account at a time."""

    def mismatch(code: int, target: int) -> float:
        if code < 0 or target == UNKNOWN_CODE:
            return UNKNOWN_DISTANCE
        return 0.0 if code == target else 1.0

    def gap(value: float, target: float, scale: float) -> float:
        if math.isnan(value) or math.isnan(target):
            return UNKNOWN_DISTANCE
        return min(abs(value - target) / scale, 1.0)

    w = DISTANCE_WEIGHTS
    return [
        w["industry"] * mismatch(int(features.industry_code[i]), q.industry_code)
        + w["segment"] * mismatch(int(features.segment_code[i]), q.segment_code)
        + w["arr"] * gap(float(features.log_arr[i]), q.log_arr, 1.0)
        + w["health"] * gap(float(features.health[i]), q.health, 50.0)
        + w["feature_utilization"] * gap(float(features.feature_utilization[i]), q.feature_utilization, 50.0)
        + w["seat_utilization"] * gap(float(features.seat_utilization[i]), q.seat_utilization, 0.5)
        for i in range(len(features.ids))
    ]


def test_distances_match_the_weighted_definition_for_known_unknown_and_unseen_categories() -> None:
    features = index()
    peers = peers_as_of(features, date(2025, 12, 1))
    for q in (
        query(0, 0),
        query(1, UNKNOWN_CODE),
        query(UNSEEN_CODE, 0),
        query(UNKNOWN_CODE, UNSEEN_CODE, NAN),
    ):
        assert distances(peers, q).tolist() == expected(features, q)


def test_peers_are_the_accounts_with_an_outcome_started_by_the_day() -> None:
    features = index()
    before, after = peers_as_of(features, date(2025, 12, 1)), peers_as_of(features, date(2026, 2, 1))
    assert before.ineligible.tolist() == [False, False, True, True] and before.eligible_count == 2
    assert after.ineligible.tolist() == [False, False, True, False] and after.eligible_count == 3
    assert after.pool_size(QueryFeatures("a", 0, 0, 0, 5.0, 70.0, 50.0, 0.5)) == 2  # not itself
    assert after.pool_size(query(0, 0)) == 3
