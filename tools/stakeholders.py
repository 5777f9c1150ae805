"""Stakeholder coverage against the ideal map: an executive sponsor (VP+), 2-3 champions, a
technical buyer and an economic buyer; single-threading and departed contacts."""

from __future__ import annotations

from pydantic import BaseModel


class ContactRef(BaseModel):
    contact_id: str
    name: str
    title: str | None
    role: str


class StakeholderCoverage(BaseModel):
    covered_roles: dict[str, list[str]]  # ideal role -> contact ids filling it
    missing_roles: list[str]  # e.g. ["executive sponsor (VP+)", "economic buyer", "2nd champion"]
    champion_count: int
    has_exec_sponsor: bool
    active_contacts: int
    engaged_contacts: int  # active with engagement high/medium
    single_threaded: bool
    departed: list[ContactRef]
    explanation: str
