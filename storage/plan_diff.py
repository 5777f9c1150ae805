"""What changed between two versions of a plan, as short lines a person reads in Slack or a log:
"Objective 2: priority high -> critical", "Objective 1: Q3 milestone moved from Q2: CFO review".

Items are matched by identity (objective id, stakeholder id, QBR quarter) or, for lists without
ids, by their text, so a reordered list is not reported as a rewrite.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from storage.plan_document import AccountPlanDocument

MAX_TEXT = 60  # quoted text is cut to this many characters so a line stays one line


def short(text: Any, limit: int = MAX_TEXT) -> str:
    value = " ".join(str(text).split())
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


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
    if isinstance(value, str):
        return f"'{short(value)}'"
    return str(value)


def objective_label(objective_id: str) -> str:
    number = objective_id.removeprefix("obj-")
    return f"Objective {number}" if number.isdigit() else f"Objective {objective_id}"


def _field_changes(
    label: str,
    old: dict[str, Any],
    new: dict[str, Any],
    fields: Iterable[str],
    *,
    rewritten: Iterable[str] = (),
    formats: dict[str, Callable[[Any], str]] | None = None,
) -> list[str]:
    """`label: field a -> b` for scalar fields; long prose fields just say they were rewritten."""
    lines: list[str] = []
    prose = set(rewritten)
    formats = formats or {}
    for name in fields:
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        words = name.replace("_", " ")
        if name in prose:
            lines.append(f"{label}: {words} rewritten")
        else:
            fmt = formats.get(name, shown)
            lines.append(f"{label}: {words} {fmt(before)} -> {fmt(after)}")
    return lines


def _keyed(items: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    keyed: dict[str, dict[str, Any]] = {}
    for item in items:
        name = str(item.get(key, "")).strip().lower()
        # Duplicate texts keep their first occurrence; the rest compare as added/removed.
        keyed.setdefault(name, item)
    return keyed


def _list_changes(
    label: str,
    old: list[dict[str, Any]],
    new: list[dict[str, Any]],
    key: str,
    fields: Iterable[str],
    *,
    noun: str,
    formats: dict[str, Callable[[Any], str]] | None = None,
) -> list[str]:
    """Added / removed / changed items of a list matched on `key`."""
    before, after = _keyed(old, key), _keyed(new, key)
    lines = [f"{label}: {noun} added: {short(item.get(key))}" for k, item in after.items() if k not in before]
    lines += [
        f"{label}: {noun} removed: {short(item.get(key))}" for k, item in before.items() if k not in after
    ]
    for name, item in after.items():
        if name in before:
            item_label = f"{label}: {noun} '{short(item.get(key), 40)}'"
            lines += _field_changes(item_label, before[name], item, fields, formats=formats)
    return lines


def _milestone_changes(label: str, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[str]:
    lines: list[str] = []
    before, after = _keyed(old, "milestone"), _keyed(new, "milestone")
    unmatched_old = {k: v for k, v in before.items() if k not in after}
    unmatched_new = {k: v for k, v in after.items() if k not in before}
    for name, item in after.items():
        if name not in before:
            continue
        previous = before[name]
        if previous["quarter"] != item["quarter"]:
            lines.append(
                f"{label}: {item['quarter']} milestone moved from {previous['quarter']}: {short(item['milestone'])}"
            )
        if bool(previous.get("done")) != bool(item.get("done")):
            state = "done" if item.get("done") else "reopened"
            lines.append(f"{label}: {item['quarter']} milestone {state}: {short(item['milestone'])}")
    # Same quarter, new wording: a rewrite of that quarter's milestone, not an add plus a remove.
    for name, item in list(unmatched_new.items()):
        replaced = next((k for k, v in unmatched_old.items() if v["quarter"] == item["quarter"]), None)
        if replaced is not None:
            old_item = unmatched_old.pop(replaced)
            del unmatched_new[name]
            lines.append(
                f"{label}: {item['quarter']} milestone '{short(old_item['milestone'], 40)}' -> "
                f"'{short(item['milestone'], 40)}'"
            )
    lines += [
        f"{label}: {item['quarter']} milestone added: {short(item['milestone'])}"
        for item in unmatched_new.values()
    ]
    lines += [
        f"{label}: {item['quarter']} milestone removed: {short(item['milestone'])}"
        for item in unmatched_old.values()
    ]
    return lines


def _objective_changes(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[str]:
    lines: list[str] = []
    before = {o["id"]: o for o in old}
    after = {o["id"]: o for o in new}
    for objective_id, objective in after.items():
        label = objective_label(objective_id)
        if objective_id not in before:
            lines.append(f"{label} added: {short(objective['objective'])} ({objective['priority']})")
            continue
        previous = before[objective_id]
        if previous["objective"] != objective["objective"]:
            lines.append(
                f"{label}: objective '{short(previous['objective'], 40)}' -> '{short(objective['objective'], 40)}'"
            )
        lines += _field_changes(
            label, previous, objective, ("priority", "owner", "rationale"), rewritten=("rationale",)
        )
        lines += _list_changes(
            label,
            previous["success_metrics"],
            objective["success_metrics"],
            "metric",
            ("current", "target", "measurement"),
            noun="metric",
        )
        lines += _milestone_changes(
            label, previous["quarterly_milestones"], objective["quarterly_milestones"]
        )
    for objective_id, objective in before.items():
        if objective_id not in after:
            lines.append(f"{objective_label(objective_id)} removed: {short(objective['objective'])}")
    return lines


def _stakeholder_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    label = "Stakeholders"
    lines = _field_changes(
        label,
        old,
        new,
        ("current_assessment", "multi_threading_target", "exec_sponsor_strategy"),
        rewritten=("current_assessment", "exec_sponsor_strategy"),
    )
    lines += _list_changes(
        label,
        old["current_map"],
        new["current_map"],
        "name",
        ("title", "role", "relationship_score", "engagement_level", "active"),
        noun="contact",
    )
    lines += _list_changes(
        label,
        old["relationship_goals"],
        new["relationship_goals"],
        "name",
        ("current_score", "target_score", "strategy"),
        noun="goal for",
    )
    added = [r for r in new["missing_roles"] if r not in old["missing_roles"]]
    removed = [r for r in old["missing_roles"] if r not in new["missing_roles"]]
    lines += [f"{label}: missing role added: {short(r)}" for r in added]
    lines += [f"{label}: missing role no longer listed: {short(r)}" for r in removed]
    return lines


def _percent(value: Any) -> str:
    return f"{round(float(value) * 100)}%" if isinstance(value, int | float) else shown(value)


def _expansion_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    label = "Expansion"
    lines = _field_changes(
        label,
        old,
        new,
        ("current_arr", "target_arr"),
        formats={"current_arr": money, "target_arr": money},
    )
    lines = [line.replace("current arr", "current ARR").replace("target arr", "target ARR") for line in lines]
    lines += _list_changes(
        label,
        old["opportunities"],
        new["opportunities"],
        "description",
        ("type", "value", "probability", "timeline"),
        noun="opportunity",
        formats={"value": money, "probability": _percent},
    )
    return lines


def diff_plans(old: AccountPlanDocument, new: AccountPlanDocument) -> list[str]:
    """Short human-readable lines describing how `new` differs from `old` (empty when the same)."""
    a, b = old.to_json_dict(), new.to_json_dict()
    lines: list[str] = []
    if a["status"] != b["status"]:
        lines.append(f"Status: {a['status']} -> {b['status']}")
    if a["executive_summary"] != b["executive_summary"]:
        lines.append("Executive summary rewritten")
    lines += _field_changes(
        "Business context",
        a["business_context"],
        b["business_context"],
        ("industry_trends", "customer_goals", "competitive_landscape"),
        rewritten=("industry_trends", "customer_goals", "competitive_landscape"),
    )
    lines += _objective_changes(a["strategic_objectives"], b["strategic_objectives"])
    lines += _stakeholder_changes(a["stakeholder_plan"], b["stakeholder_plan"])
    lines += _expansion_changes(a["expansion_plan"], b["expansion_plan"])
    lines += _list_changes(
        "Risks",
        a["risk_mitigation"]["identified_risks"],
        b["risk_mitigation"]["identified_risks"],
        "risk",
        ("severity", "mitigation", "owner"),
        noun="risk",
    )
    lines += _list_changes(
        "QBRs", a["qbr_schedule"], b["qbr_schedule"], "quarter", ("date", "focus", "attendees"), noun="QBR"
    )
    lines += _field_changes(
        "Resources",
        a["resource_plan"],
        b["resource_plan"],
        ("engagement_model", "csm_hours_per_month", "specialists", "executive_alignment", "rationale"),
        rewritten=("executive_alignment", "rationale"),
    )
    lines += _action_changes(a["action_plan_90day"], b["action_plan_90day"])
    if a["benchmark_comparison"] != b["benchmark_comparison"]:
        lines.append("Benchmark comparison updated")
    return lines


def _action_changes(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[str]:
    lines: list[str] = []
    for line in _list_changes(
        "90-day plan",
        old,
        new,
        "action",
        ("week", "owner", "due_date", "objective_id", "status"),
        noun="action",
    ):
        # "status 'open' -> 'done'" reads better as "marked done".
        lines.append(line.replace(": status 'open' -> 'done'", " marked done"))
    return lines
