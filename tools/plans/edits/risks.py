"""Edits to identified risks: add, change (severity, wording, mitigation, owner), merge duplicates,
remove."""

from __future__ import annotations

from pydantic import Field

from storage.errors import BadInput
from storage.plan_document import Severity
from tools.plans.edits.actions import ItemRef
from tools.plans.edits.base import Edit, Json, pick, shift_paths

SEVERITY_ORDER: tuple[str, ...] = Severity.values()


class AddRisk(Edit):
    """Add an identified risk with its mitigation."""

    risk: str = Field(min_length=3)
    severity: Severity
    mitigation: str
    owner: str

    def apply(self, plan: Json) -> list[str]:
        plan["risk_mitigation"]["identified_risks"].append(self.model_dump(mode="json"))
        return []


class EditRisk(ItemRef):
    """Change an identified risk: wording, severity, mitigation or owner."""

    risk: str | None = None
    severity: Severity | None = None
    mitigation: str | None = None
    owner: str | None = None

    def apply(self, plan: Json) -> list[str]:
        risks = plan["risk_mitigation"]["identified_risks"]
        item = risks[pick(risks, "risk", self.number, self.match, "risk")]
        item.update(self.model_dump(mode="json", exclude_none=True, exclude={"number", "match"}))
        return []


class MergeRisks(Edit):
    """Merge duplicate risks into the first one named: it keeps the highest severity of the group and
    every distinct mitigation; the others are removed."""

    numbers: list[int] = Field(min_length=2, description="The risks' positions in the list, from 1.")

    def apply(self, plan: Json) -> list[str]:
        risks = plan["risk_mitigation"]["identified_risks"]
        indexes = list(dict.fromkeys(pick(risks, "risk", n, None, "risk") for n in self.numbers))
        if len(indexes) < 2:
            raise BadInput("name two different risks to merge")
        keep, *others = indexes
        kept = risks[keep]
        group = [risks[i] for i in indexes]
        kept["severity"] = max((r["severity"] for r in group), key=SEVERITY_ORDER.index)
        mitigations = list(dict.fromkeys(r["mitigation"].strip() for r in group if r["mitigation"].strip()))
        kept["mitigation"] = " ".join(m if m.endswith(".") else m + "." for m in mitigations).rstrip(".")
        for index in sorted(others, reverse=True):
            del risks[index]
            shift_paths(plan, "risk_mitigation.identified_risks", index)
        return []


class RemoveRisk(ItemRef):
    """Remove an identified risk."""

    def apply(self, plan: Json) -> list[str]:
        risks = plan["risk_mitigation"]["identified_risks"]
        index = pick(risks, "risk", self.number, self.match, "risk")
        del risks[index]
        shift_paths(plan, "risk_mitigation.identified_risks", index)
        return []
