"""Finding a customer the way people name them, everywhere through one resolution
(storage.customer_names: id, exact name, normalized name, a full name inside the text, word order,
fragment, then fuzzy suggestions) over a name index cached per database and rebuilt when customers
change (a `count(*)` and a `max(updated_at)` per lookup check that). Until a process has built
the index, an exact id or name is answered by SQL, so a one-shot CLI command naming its customer
exactly never reads every name.

`allowed` narrows fragments and suggestions to the customers someone may plan for; the policy that
decides it lives in tools.plans.customer_resolution.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.customer_names import Allowed, CustomerName, NameIndex, Resolution
from storage.errors import UnknownCustomer
from storage.models import Customer

MAX_CHOICES = 5  # an ambiguous name lists at most this many customers (and how many more)


@dataclass(frozen=True)
class _Cached:
    index: NameIndex
    signature: tuple[Any, ...]


_INDEXES: weakref.WeakKeyDictionary[Engine, _Cached] = weakref.WeakKeyDictionary()


def _engine_of(session: AsyncSession) -> Engine:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


async def customer_names(session: AsyncSession) -> NameIndex:
    """The name index of this database as of now (rebuilt only when customers changed)."""
    # Two statements: together, SQLite would scan every row; apart, max() reads the updated_at index.
    count = (await session.execute(select(func.count()).select_from(Customer))).scalar_one()
    latest = (await session.execute(select(func.max(Customer.updated_at)))).scalar_one()
    signature = (int(count), str(latest))
    engine = _engine_of(session)
    cached = _INDEXES.get(engine)
    if cached is not None and cached.signature == signature:
        return cached.index
    rows = (await session.execute(select(Customer.id, Customer.name, Customer.csm_email))).all()
    index = NameIndex([CustomerName(id=r[0], name=r[1], csm_email=r[2]) for r in rows])
    _INDEXES[engine] = _Cached(index, signature)
    return index


def unresolved(query: str, resolution: Resolution) -> UnknownCustomer:
    """The question to ask when `query` names nobody, or several customers."""
    candidates = resolution.candidates
    shown = candidates[:MAX_CHOICES]
    names = [c.name for c in candidates]
    labels = [c.name if names.count(c.name) == 1 else f"{c.name} ({c.id})" for c in shown]
    return UnknownCustomer(
        query,
        labels,
        choices=[(c.id, label) for c, label in zip(shown, labels, strict=True)],
        ambiguous=resolution.ambiguous,
        more=len(candidates) - len(shown),
    )


async def _by_id_or_exact_name(session: AsyncSession, text: str) -> Customer | None:
    """The common case in a few queries (the primary key, the name index, a scan of lower-cased
    names), instead of reading every name to build the index (seconds at 100k customers)."""
    if not text:
        return None
    by_id = await session.get(Customer, text)
    if by_id is not None:
        return by_id
    for condition in (Customer.name == text, func.lower(Customer.name) == text.lower()):  # indexed, then a scan
        exact = (await session.execute(select(Customer).where(condition).limit(2))).scalars().all()
        if exact:
            return exact[0] if len(exact) == 1 else None
    return None


async def resolve_customer(session: AsyncSession, query: str, allowed: Allowed | None = None) -> Resolution:
    return (await customer_names(session)).resolve(query, allowed)


async def find_customer(session: AsyncSession, query: str, *, allowed: Allowed | None = None) -> Customer:
    """The customer `query` names (id, name, or a fragment only one customer's name has).

    Raises UnknownCustomer otherwise, with "did you mean" choices: the customers that fit equally
    well, or close names for a typo (never resolved by itself).
    """
    if _engine_of(session) not in _INDEXES:  # a one-shot command: spare it building the index
        quick = await _by_id_or_exact_name(session, query.strip())
        if quick is not None:
            return quick
    resolution = await resolve_customer(session, query, allowed)
    if resolution.customer is None:
        raise unresolved(query.strip(), resolution)
    customer = await session.get(Customer, resolution.customer.id)
    if customer is None:  # deleted since the index was read: same as never there
        raise UnknownCustomer(query.strip(), [])
    return customer


async def customer_named_in_text(
    session: AsyncSession, text: str, allowed: Allowed | None = None
) -> CustomerName | None:
    """The customer a chat message names (its longest full customer name), None when it names
    none; UnknownCustomer with the choices when it names several or only comes close to some."""
    resolution = (await customer_names(session)).named_in(text, allowed)
    if resolution.customer is not None:
        return resolution.customer
    if resolution.candidates:
        raise unresolved(text.strip(), resolution)
    return None
