"""The compact, cached feature index behind similar-account search.

One row per customer as parallel numpy arrays, loaded once per process and database. A signature
(customer count, latest customer update, contact count) tells when the data changed; it costs a
scan of the customers table (no index on updated_at: ~35 ms at 100k rows on SQLite), so it is
re-checked at most every SIGNATURE_MAX_AGE_SECONDS. The customer being compared is always read
fresh (one primary-key lookup), so only its peers can be that many seconds stale.

A built index is saved with its signature (storage.saved_indexes: a file next to a SQLite
database, a row in PostgreSQL), so another process, or the next CLI run, loads it instead of reading
every customer again; a saved index with another signature, or one that cannot be read, is ignored
and rebuilt.
"""

from __future__ import annotations

import io
import json
import logging
import math
import time
import weakref
import zipfile
from collections.abc import Sized
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from sqlalchemy import Engine, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import Contact, Customer
from storage.saved_indexes import read_saved_index, save_index
from storage.vocabulary import ContactRole

log = logging.getLogger(__name__)

SIGNATURE_MAX_AGE_SECONDS = 5.0
SAVED_NAME = "similar-accounts"
# Part of the saved signature: a saved index of another layout is stale, never misread.
SAVED_FORMAT = 2
UNKNOWN_CODE = -1
UNSEEN_CODE = -2  # a category no indexed customer has: matches nobody
OUTCOME_CODES = {"renewed": 1, "churned": 2}

_CUSTOMER_COLUMNS = (
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
)


@dataclass(frozen=True)
class FeatureIndex:
    """Every customer's comparable features as parallel arrays (row i = ids[i])."""

    signature: tuple[Any, ...]
    ids: list[str]
    position: dict[str, int]
    names: list[str]
    industries: list[str | None]
    segments: list[str | None]
    industry_vocabulary: dict[str, int]
    segment_vocabulary: dict[str, int]
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


@dataclass(frozen=True)
class QueryFeatures:
    """The features of the customer being compared, read fresh from the database."""

    customer_id: str
    row: int | None  # its row in the index, when the index already has it
    industry_code: int
    segment_code: int
    log_arr: float
    health: float
    feature_utilization: float
    seat_utilization: float


@dataclass(frozen=True)
class _Cached:
    index: FeatureIndex
    checked_at: float  # time.monotonic() of the last signature check


_INDEXES: weakref.WeakKeyDictionary[Engine, _Cached] = weakref.WeakKeyDictionary()


def _engine_of(session: AsyncSession) -> Engine:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


async def _signature(session: AsyncSession) -> tuple[Any, ...]:
    contacts = select(func.count()).select_from(Contact).scalar_subquery()
    row = (await session.execute(select(func.count(), func.max(Customer.updated_at), contacts))).one()
    return (row[0], str(row[1]), row[2])


def _key(value: str | None) -> str | None:
    return None if value is None else value.strip().lower()


def _codes(values: list[str | None]) -> tuple[np.ndarray, dict[str, int]]:
    vocabulary: dict[str, int] = {}
    codes = [
        UNKNOWN_CODE if v is None else vocabulary.setdefault(v, len(vocabulary)) for v in map(_key, values)
    ]
    return np.asarray(codes, dtype=np.int32), vocabulary


def _floats(values: list[Any]) -> np.ndarray:
    return np.asarray([math.nan if v is None else float(v) for v in values], dtype=np.float64)


def _log_arr(arr: Any) -> float:
    return math.log10(float(arr)) if arr is not None and arr > 0 else math.nan


def _seat_utilization(purchased: int | None, active: int | None) -> float:
    return active / purchased if purchased and active is not None else math.nan


async def _build_index(session: AsyncSession, signature: tuple[Any, ...]) -> FeatureIndex:
    rows = (await session.execute(select(*_CUSTOMER_COLUMNS).order_by(Customer.id))).all()
    is_active = Contact.active.is_(True)
    contact_rows = (
        await session.execute(
            select(
                Contact.customer_id,
                func.sum(case((is_active, 1), else_=0)),
                func.sum(case((is_active & (Contact.role == ContactRole.CHAMPION), 1), else_=0)),
                func.sum(case((is_active & (Contact.role == ContactRole.EXEC_SPONSOR), 1), else_=0)),
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
            active_contacts[i] = active or 0
            champions[i] = champion_count or 0
            exec_sponsor[i] = (sponsors or 0) > 0
    industries = [r.industry for r in rows]
    segments = [r.segment for r in rows]
    industry_code, industry_vocabulary = _codes(industries)
    segment_code, segment_vocabulary = _codes(segments)
    return FeatureIndex(
        signature=signature,
        ids=ids,
        position=position,
        names=[r.name for r in rows],
        industries=industries,
        segments=segments,
        industry_vocabulary=industry_vocabulary,
        segment_vocabulary=segment_vocabulary,
        industry_code=industry_code,
        segment_code=segment_code,
        arr=_floats([r.arr for r in rows]),
        log_arr=np.asarray([_log_arr(r.arr) for r in rows], dtype=np.float64),
        health=_floats([r.health_score for r in rows]),
        feature_utilization=_floats([r.feature_utilization for r in rows]),
        seat_utilization=np.asarray(
            [_seat_utilization(r.seats_purchased, r.seats_active) for r in rows], dtype=np.float64
        ),
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


_ARRAYS = tuple(f.name for f in fields(FeatureIndex) if f.type == "np.ndarray")
SEPARATOR = "\x00"  # between saved ids and names: no customer id or name holds one


def _saved_signature(signature: tuple[Any, ...]) -> str:
    return json.dumps([SAVED_FORMAT, *signature], separators=(",", ":"))


def _label_codes(values: list[str | None]) -> tuple[list[str], np.ndarray]:
    """Display values (as spelled) as a short label list plus a code per row (-1: none)."""
    labels = sorted({v for v in values if v is not None})
    code = {label: i for i, label in enumerate(labels)}
    return labels, np.asarray([UNKNOWN_CODE if v is None else code[v] for v in values], dtype=np.int32)


def _labels(labels: list[str | None], codes: np.ndarray) -> list[str | None]:
    return np.asarray([*labels, None], dtype=object)[codes].tolist()  # code -1 picks the None


def _dump(index: FeatureIndex) -> bytes:
    """The index as an uncompressed .npz, loaded without pickle: numeric columns as they are, ids
    and names as one separated UTF-8 text (splitting it is several times faster than JSON or numpy
    string arrays), industries and segments as codes into short label lists."""
    strings = SEPARATOR.join([*index.ids, *index.names])
    if strings.count(SEPARATOR) != max(0, 2 * len(index.ids) - 1):
        raise ValueError("a customer id or name holds the separator")
    industry_labels, industry_rows = _label_codes(index.industries)
    segment_labels, segment_rows = _label_codes(index.segments)
    meta = {
        "rows": len(index.ids),
        "industry_labels": industry_labels,
        "segment_labels": segment_labels,
        "industry_vocabulary": index.industry_vocabulary,
        "segment_vocabulary": index.segment_vocabulary,
    }
    buffer = io.BytesIO()
    np.savez(
        buffer,
        meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
        strings=np.frombuffer(strings.encode(), dtype=np.uint8),
        industry_rows=industry_rows,
        segment_rows=segment_rows,
        **{name: getattr(index, name) for name in _ARRAYS},
    )
    return buffer.getvalue()


def _parse(payload: bytes, signature: tuple[Any, ...]) -> FeatureIndex:
    with np.load(io.BytesIO(payload), allow_pickle=False) as saved:
        meta = json.loads(saved["meta"].tobytes())
        strings: list[str] = saved["strings"].tobytes().decode().split(SEPARATOR)
        industry_rows: np.ndarray = saved["industry_rows"]
        segment_rows: np.ndarray = saved["segment_rows"]
        arrays: dict[str, np.ndarray] = {name: saved[name] for name in _ARRAYS}
    rows: int = meta["rows"]
    ids, names = (strings[:rows], strings[rows:]) if rows else ([], [])
    columns: list[Sized] = [names, industry_rows, segment_rows, *arrays.values()]
    if len(ids) != rows or any(len(column) != rows for column in columns):
        raise ValueError("columns of different lengths")
    return FeatureIndex(
        signature=signature,
        ids=ids,
        position=dict(zip(ids, range(rows), strict=True)),
        names=names,
        industries=_labels(meta["industry_labels"], industry_rows),
        segments=_labels(meta["segment_labels"], segment_rows),
        industry_vocabulary=meta["industry_vocabulary"],
        segment_vocabulary=meta["segment_vocabulary"],
        **arrays,
    )


async def _load_saved(session: AsyncSession, signature: tuple[Any, ...]) -> FeatureIndex | None:
    """The index saved for this signature, or None (never saved, stale, or unreadable)."""
    payload = await read_saved_index(session, SAVED_NAME, _saved_signature(signature))
    if payload is None:
        return None
    try:
        return _parse(payload, signature)
    except (ValueError, KeyError, IndexError, TypeError, OSError, zipfile.BadZipFile) as error:
        log.warning("ignoring an unreadable saved similar-accounts index (rebuilding it): %s", error)
        return None


async def _save(session: AsyncSession, index: FeatureIndex) -> None:
    try:
        payload = _dump(index)
    except ValueError as error:  # kept in memory only; the next process builds it again
        log.warning("not saving the similar-accounts index: %s", error)
        return
    await save_index(session, SAVED_NAME, _saved_signature(index.signature), payload)


async def load_feature_index(
    session: AsyncSession, *, max_age: float = SIGNATURE_MAX_AGE_SECONDS
) -> FeatureIndex:
    """The cached index for this database: used as is when its signature was checked less than
    `max_age` seconds ago, else re-checked (one query); when the data changed, the saved index for
    the new signature is loaded, or else the index is rebuilt and saved."""
    engine = _engine_of(session)
    cached = _INDEXES.get(engine)
    if cached is not None and time.monotonic() - cached.checked_at < max_age:
        return cached.index
    signature = await _signature(session)
    index = cached.index if cached is not None and cached.index.signature == signature else None
    if index is None:
        index = await _load_saved(session, signature)
    if index is None:
        index = await _build_index(session, signature)
        await _save(session, index)
    _INDEXES[engine] = _Cached(index=index, checked_at=time.monotonic())
    return index


async def warm_feature_index(database: Database) -> int:
    """Build the index before traffic arrives (at 100k accounts the first build takes seconds,
    which would otherwise land on someone's first plan). Returns the number of indexed accounts."""
    async with database.session() as session:
        index = await load_feature_index(session)
    return len(index.ids)


async def query_features(
    session: AsyncSession, index: FeatureIndex, customer_id: str, customer: Any | None = None
) -> QueryFeatures | None:
    """The customer's current features (one primary-key lookup, none when its row was just read:
    `customer`), or None when there is no such customer."""
    row = customer
    if row is None:
        row = (await session.execute(select(*_CUSTOMER_COLUMNS).where(Customer.id == customer_id))).one_or_none()
    if row is None:
        return None
    industry, segment = _key(row.industry), _key(row.segment)
    return QueryFeatures(
        customer_id=customer_id,
        row=index.position.get(customer_id),
        industry_code=UNKNOWN_CODE
        if industry is None
        else index.industry_vocabulary.get(industry, UNSEEN_CODE),
        segment_code=UNKNOWN_CODE if segment is None else index.segment_vocabulary.get(segment, UNSEEN_CODE),
        log_arr=_log_arr(row.arr),
        health=math.nan if row.health_score is None else float(row.health_score),
        feature_utilization=math.nan if row.feature_utilization is None else float(row.feature_utilization),
        seat_utilization=_seat_utilization(row.seats_purchased, row.seats_active),
    )
