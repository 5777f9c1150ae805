"""Who writes a plan's sections: the contract every drafter (offline, Claude) fulfils.

`generate_plan` always drafts a full offline baseline first; a writer then supplies the requested
sections. Sections (or parts of them) a writer could not produce are taken from the baseline and
listed in `fallbacks` with the reason, so a plan is never half-written.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from storage.plan_document import AccountPlanDocument
from tools.analytics.context import PlanningContext

ProgressState = Literal["started", "done", "fallback"]


@dataclass(frozen=True)
class ProgressEvent:
    """One step of a generation, for checklists in Slack or a spinner in the terminal."""

    section: str
    state: ProgressState
    detail: str = ""


ProgressCallback = Callable[[ProgressEvent], Awaitable[None]]


@dataclass
class SectionOutcome:
    """What a writer produced for the requested sections."""

    sections: dict[str, Any]  # section name -> validated value (section model, list or str)
    # What was drafted offline and why: a whole section ("risk_mitigation") or one part of it
    # ("strategic_objectives[1]", "action_plan_90day[weeks 5-8]"), each named once.
    fallbacks: dict[str, str] = field(default_factory=dict)
    offline_share: dict[str, float] = field(default_factory=dict)  # section -> share drafted offline (0-1)
    usage: dict[str, Any] = field(default_factory=dict)  # tokens in/out/cache, model, latency; {} offline


class SectionWriter(Protocol):
    """Writes the requested sections of one plan; `baseline` is the offline draft of every section."""

    name: str  # "offline" | "claude"; a writer may also have `version: str`, recorded with the plan

    async def write_sections(
        self,
        context: PlanningContext,
        fiscal_year: str,
        sections: tuple[str, ...],
        baseline: AccountPlanDocument,
        progress: ProgressCallback | None,
    ) -> SectionOutcome: ...


class OfflineSectionWriter:
    """The deterministic drafter as a writer: hands back the baseline's sections, reporting progress
    per section so every surface shows the same checklist whichever writer ran."""

    name = "offline"

    async def write_sections(
        self,
        context: PlanningContext,
        fiscal_year: str,
        sections: tuple[str, ...],
        baseline: AccountPlanDocument,
        progress: ProgressCallback | None,
    ) -> SectionOutcome:
        written: dict[str, Any] = {}
        for section in sections:
            if progress is not None:
                await progress(ProgressEvent(section, "started"))
            written[section] = getattr(baseline, section)
            if progress is not None:
                await progress(ProgressEvent(section, "done", "offline drafter"))
        return SectionOutcome(sections=written)
