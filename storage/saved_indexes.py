"""Derived indexes saved by the process that built them, so the next process loads instead of
rebuilding. Each is a payload keyed by a signature of the data it was built from; a payload whose
signature differs is never returned.

Where it lives depends on the database:
- SQLite file: a file next to the database (`accountplan.db.<name>.idx`): the signature on its first
  line, then the payload. Written to a temporary file and renamed over the old one (os.replace), so
  a reader sees the old file or the new one, never half of one, and never waits on SQLite's single
  writer lock (which a drafting transaction may hold).
- PostgreSQL: a row of `saved_indexes`, upserted on its own connection in a short transaction of its
  own, so the caller's transaction never holds that row's lock; readers see the last committed row.
- In-memory SQLite: nowhere (nothing outlives the process anyway).
Saving is best effort: a failure is logged and the index is simply built again next time.
"""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from storage.db import sqlite_file
from storage.models import SavedIndex, utcnow

log = logging.getLogger(__name__)

FILE_MODE = 0o644


def _file_for(session: AsyncSession, name: str) -> Path | None:
    database = sqlite_file(session.get_bind().engine.url)  # Engine.engine is the engine itself
    return None if database is None else database.with_name(f"{database.name}.{name}.idx")


def _is_postgresql(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _read_file(path: Path, signature: str) -> bytes | None:
    try:
        with path.open("rb") as file:
            if file.readline().rstrip(b"\n") != signature.encode():
                return None
            return file.read()
    except OSError:  # missing (never saved) or unreadable: build it
        return None


def _write_file(path: Path, signature: str, payload: bytes) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(signature.encode() + b"\n")
            file.write(payload)
        os.chmod(temporary, FILE_MODE)  # mkstemp makes it private; the database file is not
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


async def read_saved_index(session: AsyncSession, name: str, signature: str) -> bytes | None:
    """The payload saved under `name` for exactly this `signature`, else None."""
    if "\n" in signature:
        raise ValueError("a signature is one line")
    if _is_postgresql(session):
        statement = select(SavedIndex.payload).where(
            SavedIndex.name == name, SavedIndex.signature == signature
        )
        return (await session.execute(statement)).scalar_one_or_none()
    path = _file_for(session, name)
    return None if path is None else await asyncio.to_thread(_read_file, path, signature)


async def save_index(session: AsyncSession, name: str, signature: str, payload: bytes) -> bool:
    """Save `payload` under `name` for `signature` (replacing any older one). False when it could
    not be saved (logged): callers go on with the index they built."""
    if "\n" in signature:
        raise ValueError("a signature is one line")
    try:
        if _is_postgresql(session):
            engine = session.bind
            if not isinstance(engine, AsyncEngine):
                return False
            values = {"name": name, "signature": signature, "payload": payload, "saved_at": utcnow()}
            upsert = pg_insert(SavedIndex).values(**values)
            upsert = upsert.on_conflict_do_update(index_elements=[SavedIndex.name], set_=values)
            async with engine.begin() as connection:  # its own transaction, committed at once
                await connection.execute(upsert)
            return True
        path = _file_for(session, name)
        if path is None:
            return False
        await asyncio.to_thread(_write_file, path, signature, payload)
        return True
    except (OSError, SQLAlchemyError) as error:
        log.warning("could not save the %s index (it will be built again next time): %s", name, error)
        return False
