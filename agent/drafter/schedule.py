"""When and with whom: the QBR schedule (from the fiscal calendar), the resource plan (the
playbook's segment coverage, adjusted for risk) and the 90-day plan (agent.drafter.ninety_days)."""

from __future__ import annotations

from datetime import date, timedelta

from agent.drafter.objective_draft import ENDED
from agent.drafter.people import fill, placeholders
from agent.drafter.situation import Situation
from agent.drafter.text import day, days_phrase, money
from storage.plan_document import QBR, ResourcePlan, StrategicObjective
from tools.analytics.fiscal_calendar import plan_qbr_schedule

QBR_NOTICE_DAYS = 7
MIN_PRE_RENEWAL_DAYS = 14  # a "pre-renewal" review days before the date prepares nothing
WATCH_HOURS = 1.25
AT_RISK_HOURS = 1.5
CRITICAL_HOURS = 2.0


def _attendees(situation: Situation) -> list[str]:
    people = (
        situation.contacts_in("exec_sponsor", "economic_buyer", "champion")[:4]
        or situation.active_contacts[:2]
    )
    # Our side is named by role: an email address is not a name, and the CSM knows who they are.
    return [c.name for c in people] + ["CSM"]


def _after_renewal(situation: Situation, when: date) -> bool:
    renewal = situation.context.customer.renewal_date
    return renewal is not None and not situation.renewal_stale and when > renewal


def draft_qbr_schedule(situation: Situation, objectives: list[StrategicObjective]) -> list[QBR]:
    """One QBR per quarter still open when the plan starts (a quarter that is over gets none);
    the one before the renewal is the pre-renewal review. A QBR's focus is its quarter's first
    milestones, without renewal work once the renewal has passed."""
    customer = situation.context.customer
    renewal = None if situation.renewal_stale else customer.renewal_date
    # A QBR needs a week's notice when the plan starts today; planning ahead, the year's start will do.
    earliest = max(situation.plan_start, situation.context.as_of + timedelta(days=QBR_NOTICE_DAYS))
    planned = plan_qbr_schedule(situation.fiscal_year, situation.start_month, renewal, earliest)
    if renewal is not None and any(
        item.pre_renewal and (renewal - item.date).days < MIN_PRE_RENEWAL_DAYS for item in planned
    ):
        # Too close to the renewal to change it: keep the quarter's usual review instead.
        planned = plan_qbr_schedule(situation.fiscal_year, situation.start_month, None, earliest)
    attendees = _attendees(situation)
    qbrs: list[QBR] = []
    for item in planned:
        if item.quarter not in situation.open_quarters or item.date < earliest:
            continue
        if item.pre_renewal and renewal is not None:
            days_before = (renewal - item.date).days
            focus = (
                f"Pre-renewal review {days_before} days before the {day(renewal)} renewal: "
                "value delivered and the renewal proposal"
            )
        else:
            work = [
                m.milestone
                for o in objectives[:2]
                for m in o.quarterly_milestones
                if m.quarter == item.quarter and not m.milestone.endswith(ENDED)
            ]
            if _after_renewal(situation, item.date):
                work = [w for w in work if "renewal" not in w.lower() or "post-renewal" in w.lower()]
            unique = list(dict.fromkeys(work))
            focus = f"{item.quarter} business review" + (f": {'; '.join(unique)}" if unique else "")
        qbrs.append(QBR(quarter=item.quarter, date=item.date, focus=focus, attendees=attendees))
    return qbrs


def _specialists(situation: Situation, objective_keys: list[str]) -> list[str]:
    causes = situation.causes
    specialists: list[str] = []
    if "adoption" in objective_keys:
        specialists.append(
            "Onboarding specialist for provisioning and admin training"
            if situation.onboarding
            else "Solutions engineer for enablement sessions"
        )
    account_executive = [
        what
        for what, needed in (
            ("the expansion opportunities", "growth" in objective_keys or "discovery" in objective_keys),
            ("the competitive defense", "competition" in causes),
            ("the renewal", situation.days_to_renewal is not None and situation.days_to_renewal <= 120),
        )
        if needed
    ]
    if account_executive:
        specialists.append(f"Account executive for {' and '.join(account_executive)}")
    if "support" in causes:
        specialists.append("Support escalation manager for the open escalation")
    segment = situation.segment
    if segment in ("enterprise", "strategic") and ("executive" in objective_keys or situation.at_risk):
        specialists.append("Our VP Customer Success as executive sponsor counterpart")
    elif segment not in ("smb",) and situation.at_risk:
        specialists.append("Our CS Director as executive counterpart while the account is at risk")
    return specialists


def draft_resource_plan(situation: Situation, objective_keys: list[str]) -> ResourcePlan:
    coverage = situation.plays.segment(situation.segment)
    hours = coverage.csm_hours_per_month
    segment = situation.context.customer.segment
    reasons = [
        f"{segment} segment baseline {hours} h/month"
        if segment and situation.segment in situation.plays.segments
        else f"{'segment ' + repr(segment) + ' has no playbook entry' if segment else 'no segment on record'}: default {hours} h/month"
    ]
    critical = any(c.severity == "critical" for c in situation.register)
    if situation.at_risk and (critical or situation.churn_imminent):
        hours = round(hours * CRITICAL_HOURS)
        note = (
            "doubled while a critical risk is open"
            if critical
            else f"doubled: at risk with the renewal {days_phrase(situation.days_to_renewal or 0)}"
        )
    elif situation.at_risk:
        hours, note = round(hours * AT_RISK_HOURS), "+50% while the account is at risk"
    elif situation.risk_level == "watch":
        hours, note = round(hours * WATCH_HOURS), "+25% while the account is on watch"
    else:
        note = ""
    if note:
        reasons.append(note)
    values = placeholders(situation)
    return ResourcePlan(
        engagement_model=coverage.engagement_model,
        csm_hours_per_month=min(200, hours),
        specialists=_specialists(situation, objective_keys),
        executive_alignment=fill(coverage.executive_alignment[situation.risk_level], values),
        rationale=f"{'; '.join(reasons)}; "
        + (f"{money(situation.arr)} ARR." if situation.arr is not None else "ARR unknown."),
    )
