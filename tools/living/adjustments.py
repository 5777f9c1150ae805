"""The deterministic revision of a plan after its customer's data changed: risks added with a
mitigation, departed stakeholders marked and replaced as a goal, opportunities added or dropped,
and a dated 90-day action for each change. Used when no model is configured (and in tests)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from storage.plan_document import (
    AccountPlanDocument,
    ActionItem,
    ExpansionOpportunity,
    IdentifiedRisk,
)
from storage.vocabulary import ActionStatus, ContactRole, OpportunityType
from tools.living.tracked_inputs import ChangeReason, TrackedInputs

ACTION_LEAD_DAYS = 7  # a change's first action is due a week after it was noticed
ROLE_NAMES: dict[str, str] = {ContactRole.CHAMPION: "champion", ContactRole.EXEC_SPONSOR: "executive sponsor"}
MITIGATIONS = {
    "health_drop": "Run a health review with the champion within two weeks and agree a recovery plan",
    "utilization_swing": "Review adoption by team and schedule targeted enablement for the lagging ones",
    "new_risk": "Agree an owner and a mitigation with the customer at the next touchpoint",
}


def _plan_start(document: AccountPlanDocument) -> date:
    """The plan's week 1 start, recovered from its dated actions (week N is due 7N-1 days after)."""
    return min(a.due_date - timedelta(days=7 * a.week - 1) for a in document.action_plan_90day)


def _action(document: AccountPlanDocument, text: str, today: date, objective_id: str | None) -> ActionItem:
    due = today + timedelta(days=ACTION_LEAD_DAYS)
    week = (due - _plan_start(document)).days // 7 + 1
    return ActionItem(
        week=max(1, min(13, week)),
        action=text,
        owner="CSM",
        due_date=due,
        objective_id=objective_id,
        status=ActionStatus.OPEN,
    )


def _risk_objective(document: AccountPlanDocument) -> str | None:
    """Mitigation actions belong to the most important objective."""
    rank = {"critical": 0, "high": 1, "medium": 2}
    return min(document.strategic_objectives, key=lambda o: rank[o.priority]).id


def _timeline(expected_close: str | None, start: date) -> str:
    if not expected_close:
        return "this fiscal year"
    months = (date.fromisoformat(expected_close) - start).days // 30
    return f"Q{max(1, min(4, months // 3 + 1))}"


def adjust_plan_for_changes(
    document: AccountPlanDocument, reasons: list[ChangeReason], current: TrackedInputs
) -> AccountPlanDocument:
    """`document` revised for `reasons`, using today's facts in `current`."""
    data: dict[str, Any] = document.model_copy(deep=True).to_json_dict()
    risks: list[dict[str, Any]] = data["risk_mitigation"]["identified_risks"]
    stakeholders: dict[str, Any] = data["stakeholder_plan"]
    expansion: dict[str, Any] = data["expansion_plan"]
    new_actions: list[ActionItem] = []
    objective = _risk_objective(document)
    start = _plan_start(document)
    today = current.as_of
    opportunities = {o["id"]: o for o in current.opportunities}

    for reason in reasons:
        detail = reason.detail
        if reason.kind in ("health_drop", "utilization_swing", "new_risk"):
            if reason.kind == "utilization_swing" and detail.get("to", 0) > detail.get("from", 0):
                new_actions.append(
                    _action(
                        document, f"Share the adoption gain with the sponsor: {reason.text}", today, objective
                    )
                )
                continue
            severity = detail.get("severity") or (
                "critical" if (current.health_score or 100) < 50 else "high"
            )
            risks.append(
                {
                    "risk": reason.text,
                    "severity": severity,
                    "mitigation": MITIGATIONS[reason.kind],
                    "owner": "CSM",
                }
            )
            new_actions.append(_action(document, f"Mitigate: {reason.text}", today, objective))
        elif reason.kind == "departed_stakeholder":
            role = ROLE_NAMES.get(str(detail.get("role")), str(detail.get("role")))
            for entry in stakeholders["current_map"]:
                if entry["stakeholder_id"] == detail.get("contact_id"):
                    entry["active"] = False
            stakeholders["relationship_goals"] = [
                g
                for g in stakeholders["relationship_goals"]
                if g["stakeholder_id"] != detail.get("contact_id")
            ]
            if role not in stakeholders["missing_roles"]:
                stakeholders["missing_roles"].append(role)
            risks.append(
                {
                    "risk": f"Lost {role}: {detail.get('name')} left",
                    "severity": "high",
                    "mitigation": f"Find and engage a new {role} before the next QBR",
                    "owner": "CSM",
                }
            )
            new_actions.append(
                _action(document, f"Identify a new {role} to replace {detail.get('name')}", today, objective)
            )
        elif reason.kind == "new_opportunity":
            found = opportunities.get(str(detail.get("opportunity_id")))
            if found is None:
                continue
            expansion["opportunities"].append(
                ExpansionOpportunity(
                    type=OpportunityType.parse(str(found["type"])) or OpportunityType.UPSELL,
                    description=found["description"],
                    value=found["value"],
                    probability=found["probability"],
                    timeline=_timeline(found["expected_close"], start),
                ).model_dump(mode="json")
            )
            expansion["target_arr"] = round(
                expansion["target_arr"] + found["value"] * found["probability"], 2
            )
            new_actions.append(
                _action(document, f"Qualify the new opportunity: {found['description']}", today, None)
            )
        elif reason.kind == "lost_opportunity":
            found = opportunities.get(str(detail.get("opportunity_id")))
            if found is None:
                continue
            kept = [
                o
                for o in expansion["opportunities"]
                if o["description"].strip().lower() != found["description"].strip().lower()
            ]
            dropped = [o for o in expansion["opportunities"] if o not in kept]
            expansion["opportunities"] = kept
            weighted = sum(o["value"] * o["probability"] for o in dropped)
            expansion["target_arr"] = round(
                max(expansion["current_arr"], expansion["target_arr"] - weighted), 2
            )
            new_actions.append(
                _action(document, f"Debrief the lost opportunity: {found['description']}", today, None)
            )

    data["risk_mitigation"]["identified_risks"] = [
        IdentifiedRisk.model_validate(r).model_dump(mode="json") for r in risks
    ]
    data["action_plan_90day"] = data["action_plan_90day"] + [a.model_dump(mode="json") for a in new_actions]
    return AccountPlanDocument.model_validate(data)
