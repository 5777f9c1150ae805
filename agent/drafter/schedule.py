"""When and with whom: the QBR schedule (from the fiscal calendar), the resource plan (by segment
and risk) and the 90-day plan of weekly actions (from the first quarter's work and urgent risks)."""

from __future__ import annotations

from datetime import date, timedelta

from agent.drafter.objective_draft import ObjectiveDraft
from agent.drafter.objectives_grow import open_data_gaps
from agent.drafter.risks import mitigation_for
from agent.drafter.situation import Situation
from agent.drafter.text import day, money, names
from storage.plan_document import QBR, QUARTERS, ActionItem, ResourcePlan, StrategicObjective
from storage.vocabulary import Severity
from tools.analytics.fiscal_calendar import plan_qbr_schedule

WEEKS = 13
# Risks whose first step is already an objective's first action (no duplicate week-1 items).
RISK_OWNED_BY_OBJECTIVE = {
    "single_threaded": "executive",
    "departed_champion": "champion",
    "usage_decline": "adoption",
    "low_adoption": "adoption",
}
URGENT = (Severity.CRITICAL, Severity.HIGH)

# Monthly CSM hours and engagement model by segment, before the risk adjustment.
SEGMENT_MODELS: dict[str, tuple[str, int]] = {
    "enterprise": ("Dedicated CSM, high-touch: weekly syncs, quarterly on-site or executive QBRs", 20),
    "strategic": ("Dedicated CSM, high-touch: weekly syncs, quarterly on-site or executive QBRs", 24),
    "mid-market": ("Named CSM, medium-touch: bi-weekly syncs, virtual QBRs", 10),
    "midmarket": ("Named CSM, medium-touch: bi-weekly syncs, virtual QBRs", 10),
    "smb": ("Pooled CSM, tech-touch: monthly check-ins, automated health alerts, virtual QBRs", 4),
}
DEFAULT_MODEL = ("Named CSM, medium-touch: bi-weekly syncs, virtual QBRs", 8)


def week_due(situation: Situation, week: int) -> date:
    """Last day of plan week `week` (week 1 starts on the plan's first day)."""
    return situation.plan_start + timedelta(days=7 * week - 1)


def week_of(situation: Situation, when: date) -> int | None:
    offset = (when - situation.plan_start).days
    if offset < 0:
        return None
    week = offset // 7 + 1
    return week if week <= WEEKS else None


def _attendees(situation: Situation) -> list[str]:
    people = (
        situation.contacts_in("exec_sponsor", "economic_buyer", "champion")[:4]
        or situation.active_contacts[:2]
    )
    csm = situation.context.customer.csm_email
    return [c.name for c in people] + [f"CSM ({csm})" if csm else "CSM"]


def draft_qbr_schedule(situation: Situation, objectives: list[StrategicObjective]) -> list[QBR]:
    customer = situation.context.customer
    planned = plan_qbr_schedule(
        situation.fiscal_year, situation.start_month, customer.renewal_date, situation.context.as_of
    )
    attendees = _attendees(situation)
    qbrs: list[QBR] = []
    for item in planned:
        work = [
            m.milestone for o in objectives[:2] for m in o.quarterly_milestones if m.quarter == item.quarter
        ]
        if item.pre_renewal:
            focus = f"Pre-renewal review: value delivered and the renewal proposal; {item.reason}"
        elif item.date < situation.context.as_of:
            focus = item.reason
        else:
            unique = list(dict.fromkeys(w for w in work if w != "Ended before this plan began"))
            # The calendar's reason may explain a moved date in brackets; the focus is the work.
            focus = f"{item.reason.split(' (')[0]}: " + "; ".join(unique)
        qbrs.append(QBR(quarter=item.quarter, date=item.date, focus=focus.rstrip(": "), attendees=attendees))
    return qbrs


def draft_resource_plan(situation: Situation, objective_keys: list[str]) -> ResourcePlan:
    model, hours = SEGMENT_MODELS.get(situation.segment, DEFAULT_MODEL)
    severity = situation.context.risks.highest_severity
    segment = situation.context.customer.segment
    reasons = [
        f"{segment} segment baseline {hours} h/month"
        if segment
        else f"no segment on record: default {hours} h/month"
    ]
    if severity == Severity.CRITICAL or situation.churn_imminent:
        hours, note = hours * 2, "doubled while the account is at critical risk"
    elif situation.at_risk:
        hours, note = round(hours * 1.5), "+50% while the account is at risk"
    else:
        note = ""
    if note:
        reasons.append(note)
    specialists: list[str] = []
    if "adoption" in objective_keys:
        specialists.append("Solutions engineer for enablement sessions")
    if "growth" in objective_keys or "discovery" in objective_keys:
        specialists.append("Account executive for the expansion opportunities")
    if situation.at_risk:
        specialists.append("Support escalation manager for open issues")
    if "executive" in objective_keys or situation.segment in ("enterprise", "strategic"):
        specialists.append("Our VP Customer Success as executive sponsor counterpart")
    sponsor = situation.exec_sponsor or situation.economic_buyer
    counterpart = f"{sponsor.name}" if sponsor else "their executive sponsor (to be identified)"
    cadence = "monthly" if situation.at_risk else "quarterly"
    return ResourcePlan(
        engagement_model=model,
        csm_hours_per_month=min(200, hours),
        specialists=specialists,
        executive_alignment=f"Our VP Customer Success meets {counterpart} {cadence}",
        rationale=f"{'; '.join(reasons)}; "
        + (f"{money(situation.arr)} ARR." if situation.arr is not None else "ARR unknown."),
    )


def draft_action_plan(
    situation: Situation, drafts: list[ObjectiveDraft], objectives: list[StrategicObjective], qbrs: list[QBR]
) -> list[ActionItem]:
    """Weekly actions for the first 13 weeks: urgent risks first, then each objective's first
    steps, the QBR and renewal dates that fall inside the window, and a 90-day review."""
    planned: list[tuple[int, int, str, str, str | None]] = []  # (week, order, action, owner, objective)
    keys = {draft.key for draft in drafts}
    urgent = [
        risk
        for risk in situation.context.risks.risks
        if risk.severity in URGENT and RISK_OWNED_BY_OBJECTIVE.get(risk.kind) not in keys
    ][:2]
    for index, risk in enumerate(urgent):
        mitigation, owner = mitigation_for(situation, risk)
        planned.append((1 + index, 0, f"{mitigation} ({risk.title.lower()})", owner, None))
    for order, (draft, objective) in enumerate(zip(drafts, objectives, strict=True), start=1):
        for step in draft.first_actions:
            planned.append((min(WEEKS, step.week), order, step.action, step.owner, objective.id))
        by_quarter = {m.quarter: m.milestone for m in objective.quarterly_milestones}
        start = situation.start_quarter
        # Checked in the week the quarter ends (or at the end of the window), then the next
        # quarter's milestone started if it begins inside the 90 days.
        check_week = week_of(situation, situation.quarter_end(start)) or WEEKS
        planned.append(
            (check_week, order, f"{start} milestone due: {by_quarter[start]}", draft.owner, objective.id)
        )
        following = QUARTERS.index(start) + 1
        if following < len(QUARTERS) and check_week < WEEKS and order <= 2:
            next_quarter = QUARTERS[following]
            planned.append(
                (
                    check_week + 1,
                    order,
                    f"Kick off {next_quarter}: {by_quarter[next_quarter]}",
                    draft.owner,
                    objective.id,
                )
            )
    hygiene = open_data_gaps(situation)
    if hygiene and "baseline" not in keys:
        planned.append(
            (2, 0, f"Fill the data gaps before the next plan review: {'; '.join(hygiene)}", "CSM", None)
        )
    for qbr in qbrs:
        week = week_of(situation, qbr.date)
        if week is None:
            continue
        if week > 1:
            planned.append(
                (
                    week - 1,
                    0,
                    f"Prepare the {qbr.quarter} QBR deck and agenda; confirm {names(qbr.attendees[:-1]) or 'attendees'}",
                    "CSM",
                    None,
                )
            )
        planned.append((week, 0, f"Hold the {qbr.quarter} QBR on {day(qbr.date)}", "Both", None))
    renewal = situation.context.customer.renewal_date
    if renewal is not None:
        week = week_of(situation, renewal - timedelta(days=30))
        if week is not None:
            planned.append(
                (
                    week,
                    0,
                    f"Renewal proposal agreed ahead of the {day(renewal)} renewal",
                    "CSM + Account Executive",
                    None,
                )
            )
    planned.append(
        (
            WEEKS,
            99,
            "90-day review: report every success metric against target and reset the next 90 days",
            "CSM",
            None,
        )
    )
    planned.sort(key=lambda item: (item[0], item[1]))
    return [
        ActionItem(
            week=week,
            action=action,
            owner=owner,
            due_date=week_due(situation, week),
            objective_id=objective_id,
        )
        for week, _, action, owner, objective_id in planned
    ]
