"""The deterministic offline drafter (work in progress: the section modules land next)."""

from __future__ import annotations

from typing import Any

from storage.plan_document import SECTIONS, AccountPlanDocument
from tools.context import PlanningContext

DRAFTER_VERSION = "offline-1.0"


def draft_plan(
    context: PlanningContext, fiscal_year: str, *, sections: tuple[str, ...] = SECTIONS, start_month: int = 1
) -> AccountPlanDocument:
    raise NotImplementedError("the offline drafter's section modules are being written")


def draft_section(name: str, context: PlanningContext, fiscal_year: str, *, start_month: int = 1) -> Any:
    raise NotImplementedError("the offline drafter's section modules are being written")
