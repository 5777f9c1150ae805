"""Cutting a plan into jobs of about the same length, so the plan waits on no single long call.

A call's wall time is ~1.2 s to the first token plus its output at ~60 tokens/s (a Sonnet-class
model), so the plan takes as long as its longest job. Each job refines the offline draft's part,
so the draft's size of that part is a good estimate of what the model will write: lists are sliced
(objectives one per job, actions by week range, stakeholder map / relationship goals / similar
accounts by entries) until no job is expected to write more than `JOB_OUTPUT_BUDGET` tokens.
Measured on the demo portfolio before the split: median job ~244 tokens, benchmark comparison ~660,
stakeholder plan ~620, the first week range of actions up to ~830 (the draft puts most actions in
weeks 1-4); `bench.bulk_claude` prints the figures after it.
"""

from __future__ import annotations

import json
from typing import Any

from agent.claude.section_jobs import SECTION_TOOLS, SLICED_TOOLS, SPECS, TOOL_SPECS, DraftJob
from storage.plan_document import SECTIONS, AccountPlanDocument

CHARS_PER_TOKEN = 4  # the usual estimate for English and JSON
# ~1.5x the ~200-token jobs that cannot be split further (one objective, QBRs, resources).
JOB_OUTPUT_BUDGET = 300
LAST_WEEK = 13


def estimated_tokens(value: Any) -> int:
    """Output tokens a model needs to write `value` as tool input (compact JSON, ~4 chars a token)."""
    return max(1, len(json.dumps(value, separators=(",", ":"), default=str)) // CHARS_PER_TOKEN)


def expected_output_tokens(job: DraftJob, baseline: AccountPlanDocument) -> int:
    """What the job is expected to write: the offline draft's size of the part it refines."""
    draft = baseline.to_json_dict()
    if job.tool == "write_objective":
        return estimated_tokens({"objective": draft["strategic_objectives"][job.slot_index or 0]})
    if job.tool == "write_actions" and job.weeks:
        first, last = job.weeks
        return estimated_tokens(
            {"actions": [a for a in draft["action_plan_90day"] if first <= a["week"] <= last]}
        )
    if job.section and job.entries:
        first, last = job.entries
        return estimated_tokens({job.list_field: draft[job.section][job.list_field][first - 1 : last]})
    if job.section:
        return estimated_tokens({f: draft[job.section][f] for f in SPECS[job.tool].fields})
    return estimated_tokens({f: draft[f] for f in SPECS[job.tool].fields})


def slices(sizes: list[int], budget: int = JOB_OUTPUT_BUDGET) -> list[tuple[int, int]]:
    """Consecutive 1-based inclusive ranges of entries whose sizes add up to at most `budget` each
    (an entry larger than the budget alone), as even as the budget allows: the count of slices is
    the fewest that fit, then the entries are spread across them."""
    if not sizes:
        return []
    count = 1
    while True:
        ranges = _spread(sizes, count)
        if count >= len(sizes) or all(sum(sizes[a - 1 : b]) <= budget for a, b in ranges):
            return ranges
        count += 1


def _spread(sizes: list[int], count: int) -> list[tuple[int, int]]:
    """`sizes` cut into `count` consecutive ranges of about equal total size."""
    total, ranges, start, running = sum(sizes), [], 1, 0
    for index, size in enumerate(sizes, start=1):
        running += size
        remaining_cuts = count - len(ranges) - 1
        entries_left = len(sizes) - index
        if remaining_cuts and (
            running >= total * (len(ranges) + 1) / count or entries_left == remaining_cuts
        ):
            ranges.append((start, index))
            start = index + 1
    ranges.append((start, len(sizes)))
    return [r for r in ranges if r[0] <= r[1]]


def week_ranges(baseline: AccountPlanDocument) -> list[tuple[int, int]]:
    """Weeks 1-13 cut into ranges of about `JOB_OUTPUT_BUDGET` tokens of the draft's actions each
    (weeks without draft actions join their neighbour, so every week is someone's)."""
    draft = baseline.to_json_dict()["action_plan_90day"]
    sizes = [estimated_tokens([a for a in draft if a["week"] == week]) if any(a["week"] == week for a in draft) else 0
             for week in range(1, LAST_WEEK + 1)]  # fmt: skip
    return slices(sizes)


def plan_jobs(sections: tuple[str, ...], baseline: AccountPlanDocument, fiscal_year: str) -> list[DraftJob]:
    """The calls needed for `sections`, in a stable order."""
    jobs: list[DraftJob] = []
    draft = baseline.to_json_dict()
    for spec in TOOL_SPECS:
        wanted = tuple(s for s in SECTIONS if spec.name in SECTION_TOOLS[s] and s in sections)
        if not wanted:
            continue
        if spec.name == "write_objective":
            count = len(baseline.strategic_objectives)
            for index, objective in enumerate(baseline.strategic_objectives):
                jobs.append(DraftJob(
                    f"{spec.name}:{objective.id}", spec.name, wanted,
                    f"Write strategic objective {objective.id} (one of {count}) for {fiscal_year} with `write_objective`: "
                    f"refine the offline draft's {objective.id} - same theme, sharper and measurable. The other "
                    "objectives are written separately from their own draft slots, so stay on this one's theme.",
                    slot=objective.id, slot_index=index,
                ))  # fmt: skip
        elif spec.name == "write_actions":
            for first, last in week_ranges(baseline):
                jobs.append(DraftJob(
                    f"{spec.name}:{first}-{last}", spec.name, wanted,
                    f"Write the 90-day plan's actions for weeks {first}-{last} of {fiscal_year} with `write_actions` "
                    f"(only weeks {first}-{last}; refine the offline draft's actions in those weeks; link each to "
                    "an objective id of the offline draft where it serves one).",
                    weeks=(first, last),
                ))  # fmt: skip
        elif spec.name in SLICED_TOOLS and spec.section:
            field = next(iter(spec.fields))
            entries = draft[spec.section][field]
            # An empty list has nothing to refine: the draft's (empty) list stands.
            for first, last in slices([estimated_tokens(e) for e in entries]):
                jobs.append(DraftJob(
                    f"{spec.name}:{first}-{last}", spec.name, wanted,
                    f"Write entries {first}-{last} of the offline draft's {spec.section}.{field} ({len(entries)} in all) "
                    f"for {fiscal_year} with `{spec.name}`: refine exactly those entries, in the same order (the "
                    "other entries and fields are written separately).",
                    entries=(first, last), total=len(entries),
                ))  # fmt: skip
        else:
            what = ", ".join(spec.fields) + f" of {spec.section}" if spec.section else ", ".join(wanted)
            jobs.append(
                DraftJob(spec.name, spec.name, wanted, f"Write {what} for {fiscal_year} with `{spec.name}`.")
            )
    return jobs
