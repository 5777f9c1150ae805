"""What changed between two versions of a plan, in the words a CSM or manager uses: "Objective 2 is
now Critical (was High)", "Objective 1: moved 'CFO value review' from Q2 to Q3", "Target ARR is now
$320,000 (was $301,000)". One short line per change, read in Slack, approvals and revision replies.

Items are matched by identity: objectives by their wording first, then by number (so removing one
and renumbering the rest reads as one removal plus a renumbering, not as rewrites), QBRs by quarter
(then by agenda, for one moved into another quarter), other lists by their text, so a reordered
list is not reported as a change.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, cast

from storage.plan_document import AccountPlanDocument

MAX_TEXT = 60  # quoted text is cut to this many characters so a line stays one line
Item = dict[str, Any]

OWNER_WORDS = {"CSM": "the CSM", "Customer": "the customer", "Both": "the CSM and the customer"}


def short(text: Any, limit: int = MAX_TEXT) -> str:
    """`text` on one line, cut at a word (never leaving an opening quote or a colon dangling)."""
    value = " ".join(str(text).split())
    if len(value) <= limit:
        return value
    cut = value[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:-–“\"'(") + "…"


def risk_name(risk: str, others: list[str]) -> str:
    """How a person names a risk: its title before the colon ('Negative sentiment: email with David
    Kim ...' -> 'Negative sentiment'), unless another risk has the same title."""
    name = risk.split(": ", 1)[0]
    if name == risk or len(name) > 45:
        return risk
    same = [other for other in others if other != risk and other.split(": ", 1)[0] == name]
    return risk if same else name


def quote(text: Any, limit: int = MAX_TEXT) -> str:
    return f"'{short(text, limit)}'"


def money(value: float | int | None) -> str:
    if value is None:
        return "none"
    return f"${value:,.0f}"


def shown(value: Any) -> str:
    """A scalar as a person would write it."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ", ".join(str(v) for v in cast(list[object], value)) or "none"
    return short(value)


def title(word: Any) -> str:
    """'critical' -> 'Critical', 'pending_review' -> 'Pending review'."""
    text = str(word).replace("_", " ")
    return text[:1].upper() + text[1:]


def day(value: Any) -> str:
    try:
        parsed = date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{parsed:%b} {parsed.day}, {parsed.year}"


def objective_label(objective_id: str) -> str:
    number = objective_id.removeprefix("obj-")
    return f"Objective {number}" if number.isdigit() else f"Objective {objective_id}"


def _key(item: Item, key: str) -> str:
    return " ".join(str(item.get(key, "")).lower().split())


def _pair(
    old: list[Item], new: list[Item], key: str
) -> tuple[list[tuple[Item, Item]], list[Item], list[Item]]:
    """Match items on their `key` text: (pairs, added, removed). Duplicates pair in order."""
    remaining = list(old)
    pairs: list[tuple[Item, Item]] = []
    added: list[Item] = []
    for item in new:
        match = next((o for o in remaining if _key(o, key) == _key(item, key)), None)
        if match is None:
            added.append(item)
        else:
            remaining.remove(match)
            pairs.append((match, item))
    return pairs, added, remaining


def _reworded(
    old: list[Item], new: list[Item], added: list[Item], removed: list[Item]
) -> list[tuple[Item, Item]]:
    """Unmatched items at the same place in both lists: the same item reworded."""
    pairs: list[tuple[Item, Item]] = []
    for item in list(added):
        index = next(i for i, n in enumerate(new) if n is item)
        before = old[index] if index < len(old) else None
        if before is not None and any(before is r for r in removed):
            pairs.append((before, item))
            added.remove(item)
            removed.remove(before)
    return pairs


def _changed(old: Item, new: Item, name: str) -> bool:
    return old.get(name) != new.get(name)


# --- objectives -----------------------------------------------------------------------------------


def _match_objectives(
    old: list[Item], new: list[Item]
) -> tuple[list[tuple[Item, Item]], list[Item], list[Item]]:
    """Same wording first (survives renumbering), then same id (a reworded objective)."""
    pairs, added, removed = _pair(old, new, "objective")
    for item in list(added):
        match = next((o for o in removed if o["id"] == item["id"]), None)
        if match is not None:
            removed.remove(match)
            added.remove(item)
            pairs.append((match, item))
    pairs.sort(key=lambda p: new.index(p[1]))
    return pairs, added, removed


def _metric_lines(label: str, old: list[Item], new: list[Item]) -> list[str]:
    pairs, added, removed = _pair(old, new, "metric")
    lines: list[str] = []
    for before, after in pairs:
        name = quote(after["metric"], 40)
        if _changed(before, after, "target"):
            lines.append(
                f"{label}: target for {name} is now {shown(after['target'])} (was {shown(before['target'])})"
            )
        if _changed(before, after, "current"):
            lines.append(
                f"{label}: {name} now stands at {shown(after['current'])} (was {shown(before['current'])})"
            )
        if _changed(before, after, "measurement"):
            lines.append(f"{label}: {name} is now measured by: {short(after['measurement'])}")
    lines += [f"{label}: added metric {quote(m['metric'], 40)} (target {shown(m['target'])})" for m in added]
    lines += [f"{label}: removed metric {quote(m['metric'], 40)}" for m in removed]
    return lines


def _milestone_lines(label: str, old: list[Item], new: list[Item]) -> list[str]:
    pairs, added, removed = _pair(old, new, "milestone")
    lines: list[str] = []
    for before, after in pairs:
        if before["quarter"] != after["quarter"]:
            lines.append(
                f"{label}: moved {quote(after['milestone'])} from {before['quarter']} to {after['quarter']}"
            )
        if bool(before.get("done")) != bool(after.get("done")):
            state = "marked done" if after.get("done") else "reopened"
            lines.append(f"{label}: {after['quarter']} milestone {quote(after['milestone'])} {state}")
    # Same quarter, new wording: a rewrite of that quarter's milestone, not an add plus a remove.
    for item in list(added):
        replaced = next((o for o in removed if o["quarter"] == item["quarter"]), None)
        if replaced is not None:
            removed.remove(replaced)
            added.remove(item)
            lines.append(
                f"{label}: {item['quarter']} milestone now reads {quote(item['milestone'], 50)} "
                f"(was {quote(replaced['milestone'], 40)})"
            )
    lines += [f"{label}: added {m['quarter']} milestone {quote(m['milestone'])}" for m in added]
    lines += [f"{label}: removed {m['quarter']} milestone {quote(m['milestone'])}" for m in removed]
    return lines


def _objective_lines(old: list[Item], new: list[Item]) -> tuple[list[str], dict[str, str]]:
    """Lines for objectives, and old id -> new id for those renumbered (links that merely follow a
    renumbering are not reported again)."""
    pairs, added, removed = _match_objectives(old, new)
    renumbered = {b["id"]: a["id"] for b, a in pairs if b["id"] != a["id"]}
    lines = [f"Removed objective {b['id'].removeprefix('obj-')}: {quote(b['objective'])}" for b in removed]
    if renumbered:
        moves = ", ".join(
            f"{o.removeprefix('obj-')} is now {n.removeprefix('obj-')}" for o, n in sorted(renumbered.items())
        )
        lines.append(f"Objectives renumbered: {moves}")
    for before, after in pairs:
        label = objective_label(after["id"])
        if before["objective"] != after["objective"]:
            lines.append(
                f"{label} now reads {quote(after['objective'], 50)} (was {quote(before['objective'], 40)})"
            )
        if _changed(before, after, "priority"):
            lines.append(f"{label} is now {title(after['priority'])} (was {title(before['priority'])})")
        if _changed(before, after, "owner"):
            lines.append(
                f"{label} is now owned by {OWNER_WORDS.get(after['owner'], after['owner'])} "
                f"(was {OWNER_WORDS.get(before['owner'], before['owner'])})"
            )
        if _changed(before, after, "rationale"):
            lines.append(f"{label}: rationale rewritten")
        lines += _metric_lines(label, before["success_metrics"], after["success_metrics"])
        lines += _milestone_lines(label, before["quarterly_milestones"], after["quarterly_milestones"])
    lines += [
        f"Added objective {a['id'].removeprefix('obj-')}: {quote(a['objective'])} ({title(a['priority'])})"
        for a in added
    ]
    return lines, renumbered


# --- the other sections ---------------------------------------------------------------------------


def _stakeholder_lines(old: Item, new: Item) -> list[str]:
    lines: list[str] = []
    if _changed(old, new, "multi_threading_target"):
        lines.append(
            f"Multi-threading target is now {new['multi_threading_target']} engaged contacts "
            f"(was {old['multi_threading_target']})"
        )
    if _changed(old, new, "current_assessment"):
        lines.append("Stakeholder assessment rewritten")
    if _changed(old, new, "exec_sponsor_strategy"):
        lines.append("Executive sponsor strategy rewritten")
    pairs, added, removed = _pair(old["current_map"], new["current_map"], "name")
    lines += [f"Stakeholder map: added {a['name']}" for a in added]
    lines += [f"Stakeholder map: removed {r['name']}" for r in removed]
    for before, after in pairs:
        for name in ("title", "role", "relationship_score", "engagement_level", "active"):
            if _changed(before, after, name):
                lines.append(
                    f"Stakeholder map: {after['name']}'s {name.replace('_', ' ')} is now "
                    f"{shown(after.get(name))} (was {shown(before.get(name))})"
                )
    pairs, added, removed = _pair(old["relationship_goals"], new["relationship_goals"], "name")
    lines += [f"Added a relationship goal for {a['name']} (target score {a['target_score']})" for a in added]
    lines += [f"Removed the relationship goal for {r['name']}" for r in removed]
    for before, after in pairs:
        if _changed(before, after, "target_score"):
            lines.append(
                f"Relationship goal for {after['name']}: target score {after['target_score']} "
                f"(was {before['target_score']})"
            )
        if _changed(before, after, "strategy"):
            lines.append(f"Relationship goal for {after['name']}: strategy rewritten")
    lines += [
        f"Missing role added: {short(r)}" for r in new["missing_roles"] if r not in old["missing_roles"]
    ]
    lines += [f"No longer missing: {short(r)}" for r in old["missing_roles"] if r not in new["missing_roles"]]
    return lines


def _percent(value: Any) -> str:
    return f"{round(float(value) * 100)}%" if isinstance(value, int | float) else shown(value)


def _expansion_lines(old: Item, new: Item) -> list[str]:
    lines: list[str] = []
    for name, label in (("current_arr", "Current ARR"), ("target_arr", "Target ARR")):
        if _changed(old, new, name):
            lines.append(f"{label} is now {money(new[name])} (was {money(old[name])})")
    pairs, added, removed = _pair(old["opportunities"], new["opportunities"], "description")
    lines += [f"Added expansion opportunity {quote(a['description'])} ({money(a['value'])})" for a in added]
    lines += [f"Removed expansion opportunity {quote(r['description'])}" for r in removed]
    formats: dict[str, Callable[[Any], str]] = {"value": money, "probability": _percent}
    for before, after in pairs:
        for name in ("type", "value", "probability", "timeline"):
            if _changed(before, after, name):
                fmt = formats.get(name, shown)
                lines.append(
                    f"Opportunity {quote(after['description'], 40)}: {name} {fmt(after[name])} (was {fmt(before[name])})"
                )
    return lines


def _risk_lines(old: list[Item], new: list[Item]) -> list[str]:
    pairs, added, removed = _pair(old, new, "risk")
    texts = [str(r["risk"]) for r in old + new]
    lines = [
        f"Risk {quote(b['risk'], 40)} now reads {quote(a['risk'], 50)}"
        for b, a in _reworded(old, new, added, removed)
    ]
    lines += [f"Added risk {quote(a['risk'])} ({title(a['severity'])})" for a in added]
    lines += [f"Removed risk {quote(risk_name(r['risk'], texts))}" for r in removed]
    for before, after in pairs:
        label = f"Risk {quote(risk_name(after['risk'], texts), 40)}"
        if _changed(before, after, "severity"):
            lines.append(f"{label} is now {title(after['severity'])} (was {title(before['severity'])})")
        if _changed(before, after, "mitigation"):
            lines.append(f"{label}: mitigation rewritten")
        if _changed(before, after, "owner"):
            lines.append(f"{label} is now owned by {after['owner']} (was {before['owner']})")
    return lines


def _qbr_lines(old: list[Item], new: list[Item]) -> list[str]:
    pairs, added, removed = _pair(old, new, "quarter")
    moved, added, removed = _pair(removed, added, "focus")  # a QBR rescheduled into another quarter
    lines: list[str] = []
    for before, after in moved:
        lines.append(
            f"{before['quarter']} QBR moved from {day(before['date'])} to {day(after['date'])} "
            f"(now the {after['quarter']} QBR)"
        )
    for before, after in pairs:
        label = f"{after['quarter']} QBR"
        if _changed(before, after, "date"):
            lines.append(f"{label} moved from {day(before['date'])} to {day(after['date'])}")
        if _changed(before, after, "focus"):
            lines.append(f"{label}: agenda rewritten")
        joined = [a for a in after["attendees"] if a not in before["attendees"]]
        left = [a for a in before["attendees"] if a not in after["attendees"]]
        if joined:
            lines.append(f"{label}: {', '.join(joined)} added to the attendees")
        if left:
            lines.append(f"{label}: {', '.join(left)} no longer attending")
    lines += [f"Added a {a['quarter']} QBR on {day(a['date'])}" for a in added]
    lines += [f"Removed the {r['quarter']} QBR ({day(r['date'])})" for r in removed]
    return lines


def _resource_lines(old: Item, new: Item) -> list[str]:
    lines: list[str] = []
    for name in ("engagement_model", "csm_hours_per_month", "specialists"):
        if _changed(old, new, name):
            words = name.replace("_", " ").replace("csm", "CSM")
            lines.append(f"Resource plan: {words} is now {shown(new[name])} (was {shown(old[name])})")
    for name in ("executive_alignment", "rationale"):
        if _changed(old, new, name):
            lines.append(f"Resource plan: {name.replace('_', ' ')} rewritten")
    return lines


def _objective_word(objective_id: str | None) -> str:
    return f"objective {objective_id.removeprefix('obj-')}" if objective_id else "no objective"


def _action_lines(old: list[Item], new: list[Item], renumbered: dict[str, str]) -> list[str]:
    pairs, added, removed = _pair(old, new, "action")
    reworded = _reworded(old, new, added, removed)
    lines = [f"Action {quote(b['action'], 40)} now reads {quote(a['action'], 50)}" for b, a in reworded]
    for before, after in pairs + reworded:
        label = f"Action {quote(after['action'], 50)}"
        if _changed(before, after, "status"):
            state = {"done": "marked done", "snoozed": "snoozed", "open": "reopened"}.get(
                after["status"], f"is now {after['status']}"
            )
            lines.append(f"{label} {state}")
        if _changed(before, after, "owner"):
            lines.append(f"{label} reassigned to {after['owner']} (was {before['owner']})")
        if _changed(before, after, "week"):
            lines.append(
                f"{label} moved to week {after['week']}, due {day(after['due_date'])} (was week {before['week']})"
            )
        elif _changed(before, after, "due_date"):
            lines.append(f"{label} now due {day(after['due_date'])} (was {day(before['due_date'])})")
        link_before, link_after = before.get("objective_id"), after.get("objective_id")
        followed = link_before in renumbered and renumbered[link_before] == link_after
        if link_before != link_after and not followed:
            if link_after is None:
                lines.append(f"{label} is no longer linked to an objective")
            else:
                lines.append(f"{label} now serves {_objective_word(link_after)}")
    lines += [f"Added action {quote(a['action'])} (week {a['week']}, {a['owner']})" for a in added]
    lines += [f"Removed action {quote(r['action'])}" for r in removed]
    return lines


def diff_plans(old: AccountPlanDocument, new: AccountPlanDocument) -> list[str]:
    """Short lines in the CSM's words describing how `new` differs from `old` (empty when the same)."""
    a, b = old.to_json_dict(), new.to_json_dict()
    lines: list[str] = []
    if a["status"] != b["status"]:
        lines.append(f"Status is now {title(b['status'])} (was {title(a['status'])})")
    if a["executive_summary"] != b["executive_summary"]:
        lines.append("Executive summary updated")
    for name in ("industry_trends", "customer_goals", "competitive_landscape"):
        if _changed(a["business_context"], b["business_context"], name):
            lines.append(f"Business context: {name.replace('_', ' ')} rewritten")
    objective_lines, renumbered = _objective_lines(a["strategic_objectives"], b["strategic_objectives"])
    lines += objective_lines
    lines += _stakeholder_lines(a["stakeholder_plan"], b["stakeholder_plan"])
    lines += _expansion_lines(a["expansion_plan"], b["expansion_plan"])
    lines += _risk_lines(a["risk_mitigation"]["identified_risks"], b["risk_mitigation"]["identified_risks"])
    lines += _qbr_lines(a["qbr_schedule"], b["qbr_schedule"])
    lines += _resource_lines(a["resource_plan"], b["resource_plan"])
    lines += _action_lines(a["action_plan_90day"], b["action_plan_90day"], renumbered)
    if a["benchmark_comparison"] != b["benchmark_comparison"]:
        lines.append("Benchmark comparison updated")
    return lines
