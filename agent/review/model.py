"""What the plan review returns: findings a CSM can act on, and the review they make up.

A finding is `{code, severity, section, path, message, suggestion}`: `section` is the plan section
key ("strategic_objectives"), `path` the exact place in the document
("strategic_objectives[1].quarterly_milestones[2]"), so a caller can pick one part's findings (the
Claude repair turn of one job, a Slack tab). Stored in `generation_context["review"]` as
`{"findings": [...], "errors": N, "warnings": N}`.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from storage.plan_document import SECTIONS

FindingSeverity = Literal["error", "warning"]
SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1}
_SECTION_OF_PATH = re.compile(r"^[a-z0-9_]+")
_INDEX = re.compile(r"\[(\d+)\]")


class Finding(BaseModel):
    """One thing the reviewer noticed, written for the CSM who owns the plan."""

    model_config = ConfigDict(frozen=True)

    code: str  # stable identifier, e.g. "conflicting_targets" (README lists them)
    severity: FindingSeverity  # error: a manager would send the plan back; warning: worth a look
    section: str  # plan section key, e.g. "strategic_objectives"
    path: str  # document path, e.g. "strategic_objectives[1].quarterly_milestones[2]"
    message: str  # what is wrong, naming the thing
    suggestion: str  # what to do about it

    def in_part(self, path_prefix: str) -> bool:
        """True when the finding is about `path_prefix` or something inside it
        ("strategic_objectives[1]" matches "strategic_objectives[1].success_metrics[0].target")."""
        return self.path == path_prefix or self.path.startswith((path_prefix + ".", path_prefix + "["))


def finding(code: str, severity: FindingSeverity, path: str, message: str, suggestion: str) -> Finding:
    """A finding whose section is read off its path."""
    match = _SECTION_OF_PATH.match(path)
    # Built by our own checks from typed values: no need to validate them again (the review's cost
    # is measured per plan, and findings are its most frequent object).
    return Finding.model_construct(
        code=code,
        severity=severity,
        section=match.group(0) if match else path,
        path=path,
        message=message,
        suggestion=suggestion,
    )


def _sort_key(item: Finding) -> tuple[int, int, tuple[int, ...], str]:
    section = SECTIONS.index(item.section) if item.section in SECTIONS else len(SECTIONS)
    indexes = tuple(int(i) for i in _INDEX.findall(item.path))
    return SEVERITY_ORDER[item.severity], section, indexes, item.path


class PlanReview(BaseModel):
    """Every finding about one plan: errors first, then warnings, each in document order."""

    findings: list[Finding]

    @classmethod
    def of(cls, findings: list[Finding]) -> PlanReview:
        unique = list(dict.fromkeys(findings))  # frozen findings hash: the same finding once
        return cls.model_construct(findings=sorted(unique, key=_sort_key))  # findings are built valid

    @property
    def errors(self) -> list[Finding]:
        """The error findings (a list: `len(review.errors)` is the count stored as "errors")."""
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def ok(self) -> bool:
        """No error finding: nothing a manager would send back."""
        return not any(f.severity == "error" for f in self.findings)

    def in_part(self, path_prefix: str) -> list[Finding]:
        """The findings about one part of the plan (a section, an objective, an action)."""
        return [f for f in self.findings if f.in_part(path_prefix)]

    def to_json(self) -> dict[str, Any]:
        """What is stored in `generation_context["review"]`."""
        return {
            "findings": [f.model_dump() for f in self.findings],
            "errors": len(self.errors),
            "warnings": len(self.warnings),
        }

    @classmethod
    def from_json(cls, stored: Any) -> PlanReview | None:
        """The review stored with a plan, or None when there is none (or it cannot be read)."""
        if not isinstance(stored, dict) or not isinstance(stored.get("findings"), list):
            return None
        try:
            return cls(findings=[Finding.model_validate(item) for item in stored["findings"]])
        except ValidationError:
            return None
