"""`accountplan import PATH`: a folder of CSV files or one JSON file, all-or-nothing.

Every row is read and checked (types, enums, duplicates, references to customers/contacts/users in
the import or already in the database) before anything is written; any problem aborts the import
with every problem listed as `file:line: column: problem`. Writes are batched upserts keyed on the
entity's id, so re-importing a file updates what it imported before.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy import Table, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.errors import BadInput, ImportFailed
from storage.import_files import SourceRows, read_sources
from storage.import_rows import ENTITIES, CellError, Entity, infer_contact_role, is_blank
from storage.models import Contact, Customer, User

__all__ = ["EntityCount", "ImportSummary", "bulk_upsert", "import_path", "infer_contact_role", "progress_bar"]

WRITE_BATCH_ROWS = 5000
LOOKUP_CHUNK = 2000  # ids per `IN (...)` lookup, well under every driver's parameter limit
PROGRESS_MIN_ROWS = 5000  # smaller imports finish before a bar would be readable


@dataclass(frozen=True)
class EntityCount:
    rows: int
    created: int
    updated: int


@dataclass(frozen=True)
class ImportSummary:
    source: Path
    counts: dict[str, EntityCount]  # entity name -> counts, in write order
    ignored: tuple[str, ...]  # files or JSON keys that are not part of the format
    seconds: float

    @property
    def total_rows(self) -> int:
        return sum(count.rows for count in self.counts.values())


@dataclass
class _Parsed:
    entity: Entity
    label: str
    columns: tuple[str, ...]  # written on update; columns absent from the file are left alone
    rows: list[dict[str, Any]]
    lines: list[int]
    # Every id the file declares, bad rows included, so one bad customer row does not also
    # report each of its contacts as dangling. id -> its customer_id (contacts) or None.
    declared: dict[Any, Any]


class _Problems:
    """Collects `file:line: column: problem` lines, reported in file and line order."""

    def __init__(self) -> None:
        self._items: list[tuple[int, int, str]] = []

    def add(self, order: int, label: str, line: int, column: str, problem: str) -> None:
        self._items.append((order, line, f"{label}:{line}: {column}: {problem}"))

    def __bool__(self) -> bool:
        return bool(self._items)

    def raise_if_any(self) -> None:
        if self._items:
            raise ImportFailed([message for _, _, message in sorted(self._items)])


async def _refresh_planner_statistics(session: AsyncSession, tables: list[str]) -> None:
    """PostgreSQL plans later queries (and the foreign-key checks of the next import) from table
    statistics; after a bulk load they still describe the empty table, so refresh them."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in dict.fromkeys(tables):
        await session.execute(text(f'ANALYZE "{table}"'))


async def import_path(database: Database, path: Path, *, progress: bool = False) -> ImportSummary:
    """Import `path` (a folder of CSV files, one CSV file or one JSON file) in one transaction."""
    started = time.perf_counter()
    sources, ignored = read_sources(Path(path))
    total = sum(len(source.rows) for source in sources)
    # Every row is counted twice: once read and checked, once written.
    with progress_bar(progress and total >= PROGRESS_MIN_ROWS, 2 * total, "importing") as advance:
        problems = _Problems()
        parsed = [_parse(order, source, problems, advance) for order, source in enumerate(sources)]
        try:
            async with database.session() as session:
                await _check_references(session, parsed, problems)
                problems.raise_if_any()
                counts: dict[str, EntityCount] = {}
                for item in parsed:
                    counts[item.entity.name] = await _write(session, item, advance)
                await _refresh_planner_statistics(session, [item.entity.table.name for item in parsed])
        except IntegrityError as error:
            reason = str(error.orig or error).splitlines()[0][:300]
            raise ImportFailed([f"{Path(path).name}: the database rejected the import: {reason}"]) from error
    return ImportSummary(Path(path), counts, tuple(ignored), time.perf_counter() - started)


# --- checking ------------------------------------------------------------------------------------


def _parse(order: int, source: SourceRows, problems: _Problems, advance: Callable[[int], None]) -> _Parsed:
    entity, label = source.entity, source.label
    for column in entity.columns:
        if column.required and column.name not in source.columns:
            problems.add(order, label, 1, column.name, "missing required column")
    present = [column for column in entity.columns if column.name in source.columns]
    infer_role = entity.name == "contacts"
    written = tuple(column.name for column in present)
    if infer_role and "role" not in written:
        written += ("role",)
    rows: list[dict[str, Any]] = []
    lines: list[int] = []
    seen: dict[tuple[Any, ...], int] = {}
    seen_slack: dict[str, int] = {}
    declared: dict[Any, Any] = {}
    for line, raw in source.rows:
        values: dict[str, Any] = {}
        valid = True
        for column in present:
            cell = raw.get(column.name)
            if is_blank(cell):
                if column.required:
                    problems.add(order, label, line, column.name, "missing value")
                    valid = False
                values[column.name] = column.default
                continue
            try:
                values[column.name] = column.parse(cell)
            except CellError as error:
                problems.add(order, label, line, column.name, str(error))
                valid = False
        if infer_role and values.get("role") is None:
            values["role"] = infer_contact_role(values.get("title"))
        if values.get(entity.key[0]) is not None:
            declared.setdefault(values[entity.key[0]], values.get("customer_id"))
        if not valid:
            # Kept for the reference checks, so those problems are listed too; with any problem
            # found nothing is written, so a half-read row never reaches the database.
            rows.append(values)
            lines.append(line)
            continue
        key = tuple(values.get(name) for name in entity.key)
        if None not in key:
            if key in seen:
                shown = key[0] if len(key) == 1 else ", ".join(str(part) for part in key)
                problems.add(
                    order, label, line, entity.key[-1], f"duplicate {shown!r} (first on line {seen[key]})"
                )
                continue
            seen[key] = line
        slack_id = values.get("slack_user_id")
        if slack_id:
            if slack_id in seen_slack:
                problems.add(
                    order,
                    label,
                    line,
                    "slack_user_id",
                    f"duplicate {slack_id!r} (first on line {seen_slack[slack_id]})",
                )
                continue
            seen_slack[slack_id] = line
        rows.append(values)
        lines.append(line)
    advance(len(source.rows))
    return _Parsed(entity, label, written, rows, lines, declared)


async def _existing(
    session: AsyncSession, column: Any, values: Iterable[Any], *extra: Any
) -> dict[Any, tuple[Any, ...]]:
    """Rows of `column`'s table whose `column` is among `values`: value -> the `extra` columns."""
    wanted = sorted(set(values) - {None})
    found: dict[Any, tuple[Any, ...]] = {}
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        chunk = wanted[start : start + LOOKUP_CHUNK]
        result = await session.execute(select(column, *extra).where(column.in_(chunk)))
        for row in result:
            found[row[0]] = tuple(row[1:])
    return found


async def _check_references(session: AsyncSession, parsed: list[_Parsed], problems: _Problems) -> None:
    """Every customer_id, contact_id and manager_email must exist in this import or the database."""
    by_entity = {item.entity.name: item for item in parsed}
    customers = set(by_entity.get("customers", _EMPTY).declared)
    contacts = dict(by_entity.get("contacts", _EMPTY).declared)
    users = set(by_entity.get("users", _EMPTY).declared)
    customer_refs = {
        row.get("customer_id")
        for item in parsed
        if "customer_id" in item.entity.references
        for row in item.rows
    } - {None}
    customers |= set(await _existing(session, Customer.id, customer_refs - customers))
    contact_refs = {row.get("contact_id") for row in by_entity.get("interactions", _EMPTY).rows} - {None}
    stored_contacts = await _existing(session, Contact.id, contact_refs - set(contacts), Contact.customer_id)
    contacts.update({contact_id: owner for contact_id, (owner,) in stored_contacts.items()})
    manager_refs = {row.get("manager_email") for row in by_entity.get("users", _EMPTY).rows} - {None}
    users |= set(await _existing(session, User.email, manager_refs - users))
    slack_ids = {row.get("slack_user_id") for row in by_entity.get("users", _EMPTY).rows} - {None}
    slack_owners = await _existing(session, User.slack_user_id, slack_ids, User.email)

    for order, item in enumerate(parsed):
        for row, line in zip(item.rows, item.lines, strict=True):
            customer_id = row.get("customer_id")
            if (
                "customer_id" in item.entity.references
                and customer_id is not None
                and customer_id not in customers
            ):
                problems.add(
                    order,
                    item.label,
                    line,
                    "customer_id",
                    f"no customer {customer_id!r} in this import or the database",
                )
            contact_id = row.get("contact_id")
            if contact_id is not None and contact_id not in contacts:
                problems.add(
                    order,
                    item.label,
                    line,
                    "contact_id",
                    f"no contact {contact_id!r} in this import or the database",
                )
            elif contact_id is not None and contacts[contact_id] not in (None, customer_id):
                problems.add(
                    order,
                    item.label,
                    line,
                    "contact_id",
                    f"contact {contact_id!r} belongs to customer {contacts[contact_id]!r}, not {customer_id!r}",
                )
            manager = row.get("manager_email") if item.entity.name == "users" else None
            if manager is not None and manager not in users:
                problems.add(
                    order,
                    item.label,
                    line,
                    "manager_email",
                    f"no user {manager!r} in this import or the database",
                )
            slack_id = row.get("slack_user_id") if item.entity.name == "users" else None
            owner = slack_owners.get(slack_id) if slack_id else None
            if owner is not None and owner[0] != row.get("email"):
                problems.add(
                    order, item.label, line, "slack_user_id", f"{slack_id!r} already belongs to {owner[0]}"
                )


_EMPTY = _Parsed(ENTITIES[0], "", (), [], [], {})


# --- writing -------------------------------------------------------------------------------------


async def _write(session: AsyncSession, item: _Parsed, advance: Callable[[int], None]) -> EntityCount:
    table, key = item.entity.table, item.entity.key
    stored = await _already_stored(session, table, key, item.rows)
    update = [name for name in item.columns if name not in key]
    await bulk_upsert(session, table, item.rows, key=key, update=update, on_batch=advance)
    return EntityCount(rows=len(item.rows), created=len(item.rows) - stored, updated=stored)


async def _already_stored(
    session: AsyncSession, table: Table, key: Sequence[str], rows: Sequence[dict[str, Any]]
) -> int:
    """How many of `rows` will update an existing row. Looks only at the rows' own keys (by the
    key's first column, e.g. the customer of a health score), so it costs as much as the import,
    not as much as the table."""
    wanted = {tuple(row[name] for name in key) for row in rows}
    columns = [table.c[name] for name in key]
    firsts = sorted({first for first, *_ in wanted})
    stored = 0
    for start in range(0, len(firsts), LOOKUP_CHUNK):
        chunk = firsts[start : start + LOOKUP_CHUNK]
        result = await session.execute(select(*columns).where(columns[0].in_(chunk)))
        stored += sum(1 for found in result if tuple(found) in wanted)
    return stored


async def bulk_upsert(
    session: AsyncSession,
    table: Table,
    rows: Sequence[dict[str, Any]],
    *,
    key: Sequence[str],
    update: Sequence[str] = (),
    batch_size: int = WRITE_BATCH_ROWS,
    on_batch: Callable[[int], None] | None = None,
) -> None:
    """INSERT ... ON CONFLICT (key) DO UPDATE the `update` columns (DO NOTHING without them), batched.

    Every row must have the same keys. Works on SQLite and PostgreSQL.
    """
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        raise BadInput(f"bulk import supports SQLite and PostgreSQL, not {dialect}")
    statement = insert(table)
    if update:
        set_ = {name: statement.excluded[name] for name in update}
        for column in table.columns:  # e.g. customers.updated_at
            if column.onupdate is not None and column.name not in set_:
                set_[column.name] = statement.excluded[column.name]
        statement = statement.on_conflict_do_update(index_elements=list(key), set_=set_)
    else:
        # No key: skip a row that collides with any unique constraint.
        statement = statement.on_conflict_do_nothing(index_elements=list(key) or None)
    for start in range(0, len(rows), batch_size):
        batch = rows[start : start + batch_size]
        await session.execute(statement, list(batch))
        if on_batch is not None:
            on_batch(len(batch))


@contextmanager
def progress_bar(enabled: bool, total: int, label: str) -> Generator[Callable[[int], None], None, None]:
    """A bar on stderr counting to `total`; yields `advance(n)`, a no-op when not enabled."""
    if not enabled:
        yield lambda _count: None
        return
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda count: bar.advance(task, count)
