"""JSON columns (plan documents, audit details) keep what they are given on SQLite and PostgreSQL:
accents, non-Latin scripts and emoji exactly, numbers as numbers, and non-string keys as strings
(as the json module stored them before documents were serialised with orjson)."""

from __future__ import annotations

import json

from sqlalchemy import select

from storage.db import Database, dump_json
from storage.models import AuditEvent

DETAILS = {
    "comment": "Zoë Müller (São Paulo) asked for 東京 onboarding 🚀 — “soon”",
    "arr": 1250000.5,
    "seats": 300,
    "ratio": 0.1,
    "tiny": 1e-05,
    "nested": {"list": [1, "two", None, True], "empty": {}},
    2026: "a year as a key",
}


def test_dump_json_reads_back_as_the_json_module_would() -> None:
    text = dump_json(DETAILS)
    assert json.loads(text) == json.loads(json.dumps(DETAILS))
    assert "Zoë" in text and "🚀" in text  # written as themselves, not \\u escapes


async def test_json_details_round_trip(any_db: Database) -> None:
    async with any_db.session() as session:
        session.add(AuditEvent(actor="ana@example.com", action="noted", surface="cli", details=DETAILS))
    async with any_db.session() as session:
        stored = (await session.execute(select(AuditEvent.details))).scalar_one()
    assert stored is not None and stored == json.loads(json.dumps(DETAILS))
    assert stored["2026"] == "a year as a key" and stored["comment"].endswith("“soon”")
