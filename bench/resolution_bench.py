"""Customer resolution at portfolio scale: how long naming a customer costs.

    .venv/bin/python -m bench.resolution_bench [--accounts 100000] [--rounds 200]

Builds the name index over the demo portfolio's naming scheme (at 100k accounts: 2,400 base names,
each again with a regional qualifier and a number, so thousands share every word - the hard case for
fuzzy matching), then times each kind of lookup as everyone and as one CSM (their book as the
scope), and finally the database path on SQLite: an exact name (answered by SQL), the first lookup
that needs the index (reads every name) and later ones (one `count(*), max(updated_at)` query, then
the cached index).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import insert

from storage.customer_names import CustomerName, NameIndex
from storage.customers import find_customer
from storage.db import Database
from storage.demo.accounts import account_id, csm_email
from storage.demo.names import company_name
from storage.errors import UnknownCustomer
from storage.models import Customer


def _customers(count: int) -> list[CustomerName]:
    names = ["TechCorp Industries"] + [company_name(i) for i in range(1, count)]
    return [CustomerName(account_id(i), name, csm_email(i)) for i, name in enumerate(names)]


def _timed(work: Callable[[], object], rounds: int) -> str:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered):7.3f} ms  p95 {p95:7.3f} ms"


async def _database_path(customers: list[CustomerName], folder: Path, rounds: int) -> list[str]:
    database = Database(f"sqlite+aiosqlite:///{folder / 'resolution.db'}")
    try:
        await database.ensure_schema()
        async with database.session() as session:
            rows = [{"id": c.id, "name": c.name, "csm_email": c.csm_email} for c in customers]
            for start in range(0, len(rows), 5000):
                await session.execute(insert(Customer), rows[start : start + 5000])
        middle = customers[len(customers) // 2]
        reordered = " ".join(reversed(middle.name.split()))  # resolved only by the index
        lines = []

        async def find(query: str) -> float:
            started = time.perf_counter()
            async with database.session() as session:
                assert (await find_customer(session, query)).id == middle.id
            return (time.perf_counter() - started) * 1000

        exact = [await find(middle.name) for _ in range(rounds)]
        lines.append(
            f"find_customer by exact name (SQL, no index)        median {statistics.median(exact):7.2f} ms"
        )
        first = await find(reordered)
        lines.append(f"first find_customer needing the index (builds it)  {first:14.1f} ms")
        later = [await find(reordered) for _ in range(rounds)]
        lines.append(
            f"later ones (signature query + cached index)        median {statistics.median(later):7.2f} ms"
        )
        return lines
    finally:
        await database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()

    customers = _customers(args.accounts)
    started = time.perf_counter()
    index = NameIndex(customers)
    print(
        f"name index over {len(index):,} customers built in {(time.perf_counter() - started) * 1000:.0f} ms"
    )
    middle = customers[len(customers) // 2]
    book = {c.id for c in customers if c.csm_email == middle.csm_email}
    print(f"the CSM's book: {len(book)} accounts; rapidfuzz scores a prefiltered set, at most 300 names")

    def in_book(customer: CustomerName) -> bool:
        return customer.id in book

    typo = middle.name.replace(middle.name.split()[0], middle.name.split()[0][:-1], 1)
    cases: list[tuple[str, Callable[[], object]]] = [
        ("id", lambda: index.resolve(middle.id)),
        ("exact name", lambda: index.resolve(middle.name)),
        ("words in another order", lambda: index.resolve(" ".join(reversed(middle.name.split())))),
        ("fragment shared by many (everyone)", lambda: index.resolve(middle.name.split()[0])),
        ("fragment shared by many (one CSM)", lambda: index.resolve(middle.name.split()[0], in_book)),
        (f"typo {typo!r} (everyone)", lambda: index.resolve(typo)),
        (f"typo {typo!r} (one CSM)", lambda: index.resolve(typo, in_book)),
        (
            "chat naming a customer",
            lambda: index.named_in(f"rewrite the executive summary for {middle.name}"),
        ),
        (
            "chat naming nobody",
            lambda: index.named_in("move the CFO review to Q3 and add a training objective"),
        ),
        ("chat with a typo (everyone)", lambda: index.named_in(f"rewrite the summary for {typo} please")),
        (
            "chat with a typo (one CSM)",
            lambda: index.named_in(f"rewrite the summary for {typo} please", in_book),
        ),
    ]
    for label, work in cases:
        print(f"  {label:44s} {_timed(work, args.rounds)}")
    sample = index.resolve(typo)
    print(f"  (the typo suggests: {', '.join(c.name for c in sample.candidates) or 'nothing'})")
    with tempfile.TemporaryDirectory() as folder:
        for line in asyncio.run(_database_path(customers, Path(folder), min(args.rounds, 50))):
            print(f"  {line}")
    try:
        raise UnknownCustomer(typo, [c.name for c in sample.candidates])
    except UnknownCustomer as error:
        print(f"  the CLI says: error: {error.message}")


if __name__ == "__main__":
    main()
