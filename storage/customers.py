"""Finding a customer the way people name them: by id, exact name, or a close enough name."""

from __future__ import annotations

import difflib

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import UnknownCustomer
from storage.models import Customer

MAX_SUGGESTIONS = 3


async def find_customer(session: AsyncSession, query: str) -> Customer:
    """The customer `query` names (id, name, or an unambiguous fragment of a name).

    Raises UnknownCustomer with up to three "did you mean" suggestions otherwise.
    """
    needle = query.strip()
    if not needle:
        raise UnknownCustomer(query, [])
    by_id = await session.get(Customer, needle)
    if by_id is not None:
        return by_id
    lowered = needle.lower()
    exact = (
        (await session.execute(select(Customer).where(func.lower(Customer.name) == lowered).limit(2)))
        .scalars()
        .all()
    )
    if len(exact) == 1:
        return exact[0]
    fragment = (
        (
            await session.execute(
                select(Customer)
                .where(
                    or_(
                        func.lower(Customer.name).startswith(lowered),
                        func.lower(Customer.name).contains(lowered),
                    )
                )
                .limit(MAX_SUGGESTIONS + 1)
            )
        )
        .scalars()
        .all()
    )
    if len(fragment) == 1:
        return fragment[0]
    raise UnknownCustomer(query, await suggest_customers(session, needle))


async def suggest_customers(
    session: AsyncSession, query: str, limit: int = MAX_SUGGESTIONS, *, csm_email: str | None = None
) -> list[str]:
    """Customer names closest to `query`, best first; only one CSM's book when `csm_email` is given."""
    statement = select(Customer.name)
    if csm_email:
        statement = statement.where(func.lower(Customer.csm_email) == csm_email.strip().lower())
    names = (await session.execute(statement)).scalars().all()
    lowered = {name.lower(): name for name in names}
    contains = [name for key, name in lowered.items() if query.lower() in key]
    close = difflib.get_close_matches(query.lower(), list(lowered), n=limit, cutoff=0.5)
    ranked = contains[:limit] + [lowered[key] for key in close if lowered[key] not in contains]
    return ranked[:limit]
