"""Repair turns that teach: what goes back to the model when part of its answer cannot be used.

Each problem names where it is (in the model's own tool fields), what is wrong and what would be
allowed instead; the plan review's error findings for the parts the job wrote come with them, so
the model fixes a milestone after the renewal as readily as an unsupported figure.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from agent.claude.section_jobs import DraftJob, JobProblem, merge_parts
from agent.review import Finding, PlanReview
from storage.plan_document import SECTIONS, AccountPlanDocument
from tools.analytics.context import PlanningContext

log = logging.getLogger(__name__)

ReviewFn = Callable[[AccountPlanDocument, PlanningContext], PlanReview]
MAX_PROBLEMS_SHOWN = 12


class PlanReviewer:
    """Runs the plan review over the offline draft with one job's parts in place, and hands back
    the error findings those parts brought in (findings the draft already had are not the job's)."""

    def __init__(self, review: ReviewFn, baseline: AccountPlanDocument, context: PlanningContext) -> None:
        self.review, self.baseline, self.context = review, baseline, context
        self.known = {(f.code, f.path) for f in self._run(baseline)}

    def _run(self, document: AccountPlanDocument) -> list[Finding]:
        try:
            return self.review(document, self.context).errors
        except Exception:  # the review is advice for a repair turn; a bug in it must not sink drafting
            log.exception("plan review failed; drafting without its findings")
            return []

    def problems(self, job: DraftJob, parts: dict[str, Any]) -> list[JobProblem]:
        if not parts:
            return []
        data = self.baseline.to_json_dict()
        data.update(merge_parts(self.baseline, [job], parts, SECTIONS))
        try:
            document = AccountPlanDocument.model_validate(data)
        except ValidationError:
            return []  # the parts do not fit together yet; their own problems say why
        problems = []
        for finding in self._run(document):
            if (finding.code, finding.path) in self.known:
                continue
            path = finding.path or finding.section
            part = job.part_of_path(path, document)
            if part is None or part not in parts:
                continue
            text = (
                f"{job.tool_path(path, document_index=True)}: plan check ({finding.code}): {finding.message}"
            )
            hint = f"Instead: {finding.suggestion}" if finding.suggestion else ""
            problems.append(JobProblem(part, "review", text, hint))
        return problems


def repair_message(job: DraftJob, problems: list[JobProblem]) -> str:
    """The `is_error` tool_result text: every problem with what is allowed, then the rules."""
    lines = [f"- {problem.teaching()}" for problem in problems[:MAX_PROBLEMS_SHOWN]]
    if len(problems) > MAX_PROBLEMS_SHOWN:
        lines.append(f"- ... and {len(problems) - MAX_PROBLEMS_SHOWN} more of the same kinds")
    return (
        f"Part of this answer cannot be used yet. Fix exactly these problems and call {job.tool} again "
        "with the whole answer:\n" + "\n".join(lines) + "\n"
        "Rules: every money figure, percentage and seat/user count is a figure from <account_data> or is "
        "computed from such figures in one step, with its inputs written beside it ('$50K at 70% = $35K', "
        "'$274K vs $250K, about 10%'); a count or a scoring weight is never a percentage or dollars. A goal "
        "goes in a success metric's target. Name only contacts on record, and quote only text on record."
    )
