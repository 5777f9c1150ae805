"""Regenerating a plan keeps what people changed in it.

Who changed what comes from the revision history: every revision records its `kind` ("generated" by
a drafter, "edited" by a person directly or through the assistant, an accepted "proposal") and its
author; the audit log adds the surface. Since the last generated revision, each person's revision
is compared with the one before it:

- objectives people added or edited (matched by id between consecutive revisions) are kept as
  they are now, and the drafter's version of an objective a person edited or removed is dropped;
- 90-day actions people added, and every action marked done or snoozed, are kept (with their
  status and due date), and actions people removed are not drafted back;
- risks people added or edited (matched by their text) are kept, removed ones stay removed;
- any other section a person rewrote (the summary, the QBR schedule, ...) is kept whole.

What a generation kept is recorded in its `generation_context["kept_edits"]`, so the next
generation keeps it again: edits survive any number of regenerations, until `--replace`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEvent, PlanRevision
from storage.plan_diff import short
from storage.plan_document import SECTIONS, AccountPlanDocument

Json = dict[str, Any]
ITEMIZED = ("strategic_objectives", "risk_mitigation", "action_plan_90day")
REMOVED = "(removed)"  # the objective a drafted action belonged to was removed by a person
MAX_OBJECTIVES, MIN_OBJECTIVES = 5, 3
PRIORITY_RANK = {"critical": 0, "high": 1, "medium": 2}
SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def text_key(text: Any) -> str:
    """Items without ids are matched by their words, ignoring case and spacing."""
    return " ".join(str(text).lower().split())


@dataclass(frozen=True)
class RevisionRecord:
    version: int
    kind: str  # generated | edited | proposal
    author: str
    surface: str
    document: Json


@dataclass
class HumanEdits:
    """What people changed since the plan was last generated, located in the current document."""

    current: Json
    since_version: int | None = None
    objective_ids: list[str] = field(default_factory=list[str])  # ids in `current`
    replaced_objectives: set[str] = field(default_factory=set[str])  # drafted texts people edited away
    removed_objectives: set[str] = field(default_factory=set[str])
    risks: set[str] = field(default_factory=set[str])  # text keys in `current`
    removed_risks: set[str] = field(default_factory=set[str])
    actions: set[str] = field(default_factory=set[str])  # added by people (text keys in `current`)
    removed_actions: set[str] = field(default_factory=set[str])
    sections: set[str] = field(default_factory=set[str])
    editors: list[str] = field(default_factory=list[str])

    @property
    def empty(self) -> bool:
        tracked = any(a.get("status", "open") != "open" for a in _items(self.current.get("action_plan_90day")))
        return not (self.objective_ids or self.risks or self.actions or self.sections or tracked
                    or self.removed_objectives or self.removed_risks or self.removed_actions)  # fmt: skip


def _json(value: Any) -> Json:
    """`value` if it is a JSON object, else an empty one (documents are stored JSON)."""
    return cast(Json, value) if isinstance(value, dict) else {}


def _items(value: Any) -> list[Json]:
    """The JSON objects in `value` if it is a list (an empty list otherwise)."""
    return [_json(item) for item in cast(list[Any], value)] if isinstance(value, list) else []


def _strings(value: Any) -> list[str]:
    return [str(item) for item in cast(list[Any], value)] if isinstance(value, list) else []


def _risks(document: Json) -> dict[str, Json]:
    return {
        text_key(r["risk"]): r for r in _items(_json(document.get("risk_mitigation")).get("identified_risks"))
    }


def _actions(document: Json) -> dict[str, Json]:
    return {text_key(a["action"]): a for a in _items(document.get("action_plan_90day"))}


def _objectives(document: Json) -> dict[str, Json]:
    return {str(o["id"]): o for o in _items(document.get("strategic_objectives"))}


def _note_changes(edits: HumanEdits, before: Json, after: Json, touched_ids: set[str]) -> None:
    """Fold one person's revision (before -> after) into `edits`."""
    old, new = _objectives(before), _objectives(after)
    for objective_id, objective in new.items():
        previous = old.get(objective_id)
        if previous is None or previous != objective:
            touched_ids.add(objective_id)
            if previous is not None and text_key(previous["objective"]) != text_key(objective["objective"]):
                edits.replaced_objectives.add(text_key(previous["objective"]))
    for objective_id, objective in old.items():
        if objective_id not in new:
            touched_ids.discard(objective_id)
            edits.removed_objectives.add(text_key(objective["objective"]))
    old_risks, new_risks = _risks(before), _risks(after)
    edits.risks |= {key for key, risk in new_risks.items() if old_risks.get(key) != risk}
    gone = set(old_risks) - set(new_risks)
    edits.removed_risks |= gone
    edits.risks -= gone
    old_actions, new_actions = _actions(before), _actions(after)
    edits.actions |= set(new_actions) - set(old_actions)
    gone = set(old_actions) - set(new_actions)
    edits.removed_actions |= gone
    edits.actions -= gone
    for section in SECTIONS:
        if section not in ITEMIZED and before.get(section) != after.get(section):
            edits.sections.add(section)


def human_edits(revisions: list[RevisionRecord], current: Json) -> HumanEdits:
    """What people changed since the last generation (plus what that generation had kept), as it
    stands in `current`. `revisions` are the plan's revisions, oldest first."""
    edits = HumanEdits(current=current)
    generated = [i for i, r in enumerate(revisions) if r.kind == "generated"]
    start = generated[-1] if generated else 0
    if generated:
        edits.since_version = revisions[start].version
        ledger = _json(_json(revisions[start].document.get("generation_context")).get("kept_edits"))
        kept_objectives = set(_strings(ledger.get("objectives")))
        touched = {
            objective_id
            for objective_id, objective in _objectives(revisions[start].document).items()
            if text_key(objective["objective"]) in kept_objectives
        }
        edits.risks = set(_strings(ledger.get("risks")))
        edits.actions = set(_strings(ledger.get("actions")))
        edits.sections = set(_strings(ledger.get("sections")))
        removed = _json(ledger.get("removed"))
        edits.removed_objectives = set(_strings(removed.get("objectives")))
        edits.replaced_objectives = set(_strings(removed.get("replaced_objectives")))
        edits.removed_risks = set(_strings(removed.get("risks")))
        edits.removed_actions = set(_strings(removed.get("actions")))
        edits.editors = _strings(ledger.get("editors"))
    else:
        touched = set[str]()
    for before, after in zip(revisions[start:], revisions[start + 1 :], strict=False):
        if after.kind != "edited":
            continue
        _note_changes(edits, before.document, after.document, touched)
        editor = f"{after.author} via {after.surface} (v{after.version})"
        if editor not in edits.editors:
            edits.editors.append(editor)
    present = _objectives(current)
    edits.objective_ids = [objective_id for objective_id in present if objective_id in touched]
    edits.risks &= set(_risks(current))
    edits.actions &= set(_actions(current))
    return edits


async def load_human_edits(session: AsyncSession, plan_id: str, current: AccountPlanDocument) -> HumanEdits:
    """`human_edits` for a stored plan, from its revisions since the last generation (the older ones
    are summed up in that generation's ledger) and the audit log's surfaces."""
    generated = or_(
        PlanRevision.kind == "generated",
        and_(PlanRevision.kind.is_(None), PlanRevision.reason.startswith("generated by the ")),
    )
    since = (
        await session.execute(
            select(func.max(PlanRevision.version)).where(PlanRevision.plan_id == plan_id, generated)
        )
    ).scalar_one_or_none() or 0
    current_json = current.to_json_dict()
    if since == current.version:  # nobody changed it since it was generated: its ledger says it all
        return human_edits([RevisionRecord(since, "generated", "", "", current_json)], current_json)
    revisions = (
        await session.execute(
            select(PlanRevision)
            .where(PlanRevision.plan_id == plan_id, PlanRevision.version >= since)
            .order_by(PlanRevision.version)
        )
    ).scalars()
    surfaces = dict(
        (
            await session.execute(
                select(AuditEvent.version, AuditEvent.surface).where(
                    AuditEvent.plan_id == plan_id,
                    AuditEvent.action.in_(("created", "revised")),
                    AuditEvent.version >= since,
                )
            )
        ).all()
    )
    records = [
        RevisionRecord(
            version=r.version,
            kind=r.kind or ("generated" if r.reason.startswith("generated by the ") else "edited"),
            author=r.author,
            surface=surfaces.get(r.version, "unknown"),
            document=r.document,
        )
        for r in revisions
    ]
    return human_edits(records, current_json)


def _renumbered(objectives: list[Json]) -> tuple[list[Json], dict[int, str]]:
    """Objectives as obj-1..obj-n; maps each input position to its new id."""
    ordered = sorted(enumerate(objectives), key=lambda pair: PRIORITY_RANK.get(pair[1]["priority"], 9))
    result: list[Json] = []
    ids: dict[int, str] = {}
    for number, (position, objective) in enumerate(ordered, start=1):
        ids[position] = f"obj-{number}"
        result.append({**objective, "id": f"obj-{number}"})
    return result, ids


def _merge_objectives(
    new: Json, edits: HumanEdits
) -> tuple[list[Json], dict[str, str], dict[str, str], list[str]]:
    """People's objectives first, then the drafter's that do not redo what people edited or removed;
    at most five, at least three. Returns them with maps old id -> new id (drafted, current)."""
    current = _objectives(edits.current)
    people = [current[i] for i in edits.objective_ids]
    people_texts = {text_key(o["objective"]) for o in people}
    dropped = edits.removed_objectives | edits.replaced_objectives | people_texts
    drafted_all = _items(new.get("strategic_objectives"))
    drafted = [o for o in drafted_all if text_key(o["objective"]) not in dropped]
    room = max(MAX_OBJECTIVES - len(people), 0)
    chosen = people + drafted[:room]
    if len(chosen) < MIN_OBJECTIVES:  # people removed so much that the plan would be too thin
        spare = [
            o
            for o in drafted_all
            if o not in drafted and text_key(o["objective"]) not in people_texts
        ]
        chosen += spare[: MIN_OBJECTIVES - len(chosen)]
    merged, ids = _renumbered(chosen)
    from_current = {str(people[i]["id"]): ids[i] for i in range(len(people))}
    from_drafted = {str(o["id"]): ids[i] for i, o in enumerate(chosen) if i >= len(people)}
    # The drafter's actions for an objective a person edited follow the person's version: the same
    # words, or the same slot (edits keep ids, and the drafter numbers the same data the same way).
    by_text = {text_key(o["objective"]): from_current[str(o["id"])] for o in people}
    for objective in drafted_all:
        key, objective_id = text_key(objective["objective"]), str(objective["id"])
        if key in edits.replaced_objectives and objective_id in from_current:
            from_drafted.setdefault(objective_id, from_current[objective_id])
        # A removed objective maps to REMOVED: its drafted first steps go with it.
        from_drafted.setdefault(
            objective_id, by_text.get(key, REMOVED if key in edits.removed_objectives else "")
        )
    lines = [f"objective '{short(o['objective'])}'" for o in people]
    return merged, from_drafted, from_current, lines


def _merge_actions(
    new: Json, edits: HumanEdits, drafted_ids: dict[str, str], current_ids: dict[str, str]
) -> tuple[list[Json], list[str]]:
    kept = [
        a for key, a in _actions(edits.current).items()
        if key in edits.actions or a.get("status", "open") != "open"
    ]  # fmt: skip
    kept_keys = {text_key(a["action"]) for a in kept}
    merged: list[Json] = []
    for action in _items(new.get("action_plan_90day")):
        key = text_key(action["action"])
        objective = drafted_ids.get(action.get("objective_id") or "")
        if key in kept_keys or key in edits.removed_actions or objective == REMOVED:
            continue
        merged.append({**action, "objective_id": drafted_ids.get(action.get("objective_id") or "") or None})
    for action in kept:
        merged.append({**action, "objective_id": current_ids.get(action.get("objective_id") or "") or None})
    merged.sort(key=lambda a: (int(a["week"]), str(a["due_date"])))
    done = sum(1 for a in kept if a.get("status") == "done")
    snoozed = sum(1 for a in kept if a.get("status") == "snoozed")
    added = sum(
        1 for a in kept if text_key(a["action"]) in edits.actions and a.get("status", "open") == "open"
    )
    lines = [
        f"{count} {label} action{'s' if count != 1 else ''}"
        for count, label in ((done, "done"), (snoozed, "snoozed"), (added, "added"))
        if count
    ]
    return merged, lines


def _merge_risks(new: Json, edits: HumanEdits) -> tuple[list[Json], list[str]]:
    current = _risks(edits.current)
    people = [current[key] for key in current if key in edits.risks]
    drafted = [
        r for r in new["risk_mitigation"]["identified_risks"]
        if text_key(r["risk"]) not in edits.risks and text_key(r["risk"]) not in edits.removed_risks
    ]  # fmt: skip
    merged = sorted(drafted + people, key=lambda r: SEVERITY_RANK.get(r["severity"], 9))
    return merged, [f"risk '{short(r['risk'])}'" for r in people]


def keep_human_edits(
    drafted: AccountPlanDocument, edits: HumanEdits, sections: tuple[str, ...] = SECTIONS
) -> tuple[AccountPlanDocument, list[str]]:
    """`drafted` with people's edits carried over into the `sections` being redrafted; the lines
    say what was kept. The record of what was kept goes into generation_context["kept_edits"]."""
    if edits.empty:
        return drafted, []
    new = drafted.to_json_dict()
    kept: list[str] = []
    if "strategic_objectives" in sections:
        objectives, drafted_ids, current_ids, lines = _merge_objectives(new, edits)
        new["strategic_objectives"] = objectives
        kept += lines
    else:  # objectives are the current ones: ids unchanged
        drafted_ids = current_ids = {o["id"]: o["id"] for o in new["strategic_objectives"]}
    if "action_plan_90day" in sections:
        new["action_plan_90day"], lines = _merge_actions(new, edits, drafted_ids, current_ids)
        kept += lines
    if "risk_mitigation" in sections:
        new["risk_mitigation"]["identified_risks"], lines = _merge_risks(new, edits)
        kept += lines
    for section in SECTIONS:
        if section in sections and section in edits.sections:
            new[section] = edits.current[section]
            kept.append(f"your {section.replace('_', ' ')}")
    if "strategic_objectives" in sections:
        people_new_ids = set(current_ids.values())
        people_objectives = [
            text_key(o["objective"]) for o in new["strategic_objectives"] if o["id"] in people_new_ids
        ]
    else:  # kept as they were, people's among them
        current = _objectives(edits.current)
        people_objectives = [text_key(current[i]["objective"]) for i in edits.objective_ids]
    new["generation_context"] = {
        **new.get("generation_context", {}),
        "kept_edits": {
            "since_version": edits.since_version,
            "kept": kept,
            "editors": edits.editors,
            "objectives": people_objectives,
            "risks": sorted(edits.risks),
            "actions": sorted(edits.actions),
            "sections": sorted(edits.sections),
            "removed": {
                "objectives": sorted(edits.removed_objectives),
                "replaced_objectives": sorted(edits.replaced_objectives),
                "risks": sorted(edits.removed_risks),
                "actions": sorted(edits.removed_actions),
            },
        },
    }  # fmt: skip
    return AccountPlanDocument.model_validate(new), kept
