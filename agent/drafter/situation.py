"""The account's situation read once from the planning context: the facts every section drafter
shares (its stage and risk level, its risk register, who is on record, which quarter the plan
starts in, what data needs fixing)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from agent.drafter.assessment import Assessment, Stage, lifecycle_stage, risk_level
from agent.drafter.confidence import coverage_inputs
from agent.drafter.playbook import Playbook, load_playbook
from agent.drafter.register import RiskCause, build_register
from agent.drafter.text import day, quote
from storage.plan_document import QUARTERS, Quarter
from storage.vocabulary import ContactRole
from tools.analytics.context import PlanningContext
from tools.analytics.fiscal_calendar import FiscalQuarter, fiscal_quarters, quarter_of
from tools.analytics.snapshot import ContactInsight
from tools.analytics.stakeholders import ContactRef

LOW_UTILIZATION = 60.0  # percent: below this, adoption is an objective
HIGH_UTILIZATION = 80.0  # percent: at or above this, an adoption push would contradict the data
LOW_SEAT_ACTIVATION = 0.7
CHURN_WINDOW_DAYS = 120  # at risk and renewing within this many days: about to churn
THIN_DATA_INPUTS = 5  # of the 11 coverage inputs: below this, "on track" only means nothing was found
EXEC_ROLES = ("exec_sponsor", "economic_buyer")
ENGAGED_LEVELS = ("high", "medium")

# Share of the weighted in-year pipeline counted towards target ARR, by risk level (and none
# when an account at risk renews within CHURN_WINDOW_DAYS: protect the base, push nothing new).
PIPELINE_FACTOR_BY_LEVEL: dict[str, float] = {"on_track": 1.0, "watch": 0.85, "at_risk": 0.5}


# Inputs whose absence makes a plan guesswork (see confidence.coverage_inputs), with the word
# that shows the analytics already reported the gap.
BASELINE_INPUTS = {
    "arr": "arr",
    "health_score": "health",
    "health_history": "health",
    "usage_history": "usage",
    "feature_utilization": "utilization",
    "renewal_date": "renewal",
    "seats": "seat",
    "stakeholders": "contact",
    "customer_goals": "goal",
}


def _missing_input(context: PlanningContext, name: str) -> str:
    """How a missing input reads: a short history is short, not absent."""
    if name == "stakeholders":
        return "fewer than two active contacts on record"
    if name == "health_history" and context.health.points:
        return "health history shorter than three months"
    if name == "usage_history" and (context.usage_utilization.points or context.usage_active_users.points):
        return "usage history shorter than three months"
    return f"no {name.replace('_', ' ')} on record"


ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def _readable_dates(text: str) -> str:
    """'latest score 2026-08-01' -> 'latest score Aug 1, 2026'."""
    return ISO_DATE.sub(lambda m: day(date(int(m[1]), int(m[2]), int(m[3]))), text)


def find_data_gaps(context: PlanningContext) -> list[str]:
    """The analytics' data gaps, plus any input the drafter found missing that they do not cover.
    A passed renewal date is a record to fix (Situation.data_to_fix), not a gap."""
    reported = [_readable_dates(gap) for gap in context.data_gaps if "in the past" not in gap]
    lowered = " ".join(reported).lower()
    inputs = coverage_inputs(context)
    own = [
        _missing_input(context, name)
        for name, word in BASELINE_INPUTS.items()
        if not inputs[name] and word not in lowered
    ]
    return reported + own


@dataclass(frozen=True)
class DataFix:
    """A record the CSM should correct: the plan never builds on it as if it were true."""

    record: str  # "customers.renewal_date", "opportunities[opp-1].expected_close"
    problem: str
    fix: str

    def as_dict(self) -> dict[str, str]:
        return {"record": self.record, "problem": self.problem, "fix": self.fix}


@dataclass(frozen=True)
class Situation:
    context: PlanningContext
    fiscal_year: str
    start_month: int
    playbook: Playbook | None = None

    @cached_property
    def plays(self) -> Playbook:
        return self.playbook or load_playbook()

    @cached_property
    def quarters(self) -> list[FiscalQuarter]:
        return fiscal_quarters(self.fiscal_year, self.start_month)

    @cached_property
    def plan_start(self) -> date:
        """The plan runs from as_of, or from the fiscal year's first day when planning ahead."""
        return max(self.context.as_of, self.quarters[0].start)

    @cached_property
    def start_quarter(self) -> Quarter:
        """The quarter the plan's first 90 days begin in (Q4 when the year is over already)."""
        return self.quarter_of(self.plan_start) or "Q4"

    @cached_property
    def open_quarters(self) -> list[Quarter]:
        """Quarters not yet over when the plan starts; work is scheduled only into these."""
        return list(QUARTERS[QUARTERS.index(self.start_quarter) :])

    @cached_property
    def year_left(self) -> float:
        """Share of the fiscal year still open (1.0 when planning ahead, 0.25 in Q4): targets are
        for the end of the year, so they scale with the time left to reach them."""
        return len(self.open_quarters) / len(QUARTERS)

    def quarter_end(self, quarter: Quarter) -> date:
        return self.quarters[QUARTERS.index(quarter)].end

    def quarter_of(self, day: date | None) -> Quarter | None:
        return quarter_of(day, self.fiscal_year, self.start_month) if day is not None else None

    # -- customer facts -------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.context.customer.name

    @property
    def arr(self) -> float | None:
        return self.context.customer.arr

    @property
    def health(self) -> int | None:
        return self.context.customer.health_score

    @property
    def utilization(self) -> float | None:
        return self.context.customer.feature_utilization

    @cached_property
    def seat_activation(self) -> float | None:
        customer = self.context.customer
        if not customer.seats_purchased or customer.seats_active is None:
            return None
        return customer.seats_active / customer.seats_purchased

    @property
    def days_to_renewal(self) -> int | None:
        """Days until the renewal; None when unknown or already passed (a record to fix)."""
        days = self.context.days_to_renewal
        return days if days is not None and days >= 0 else None

    @cached_property
    def renewal_stale(self) -> bool:
        renewal = self.context.customer.renewal_date
        return renewal is not None and renewal < self.context.as_of

    @cached_property
    def renewal_quarter(self) -> Quarter | None:
        """The fiscal quarter of the renewal when it falls inside this fiscal year, from the plan's
        start on (a renewal that passed, or falls before the plan starts, is not planned for)."""
        renewal = self.context.customer.renewal_date
        if renewal is None or renewal < self.plan_start:
            return None
        return self.quarter_of(renewal)

    @cached_property
    def renewal_label(self) -> str | None:
        """'the Aug 31, 2027 renewal', or None when the date is unknown or has passed."""
        renewal = self.context.customer.renewal_date
        if renewal is None or self.renewal_stale:
            return None
        return f"the {day(renewal)} renewal"

    # -- judgements -----------------------------------------------------------------------------
    @cached_property
    def data_gaps(self) -> list[str]:
        """What the plan cannot know: stated in the summary and generation_context, never filled in."""
        return find_data_gaps(self.context)

    @cached_property
    def stage_and_reason(self) -> tuple[Stage, str]:
        return lifecycle_stage(
            self.context.as_of,
            self.context.customer.contract_start,
            self.days_to_renewal,
            self.utilization,
            self.seat_activation,
        )

    @property
    def stage(self) -> str:
        return self.stage_and_reason[0]

    @property
    def onboarding(self) -> bool:
        return self.stage == "onboarding"

    @cached_property
    def register(self) -> list[RiskCause]:
        """One risk per underlying cause, most severe first."""
        candidates = [
            (c, c.expected_quarter if c.expected_quarter in self.open_quarters else None)
            for c in self.context.expansion.candidates
            if c.type != "renewal"
        ]
        return build_register(
            self.context, onboarding=self.onboarding, candidates=candidates, renewal_label=self.renewal_label
        )

    @cached_property
    def assessment(self) -> Assessment:
        level, weight, reasons = risk_level(
            self.register, self.health, self.days_to_renewal, lambda cause: self.plays.play(cause.cause).title
        )
        if self.thin_data:
            reasons.append(f"only {self.inputs_on_record} of {len(coverage_inputs(self.context))} planning inputs on record: risks may be hidden")
        stage, stage_reason = self.stage_and_reason
        return Assessment(stage=stage, risk_level=level, weight=weight, reasons=[stage_reason, *reasons])

    @cached_property
    def inputs_on_record(self) -> int:
        return sum(coverage_inputs(self.context).values())

    @property
    def thin_data(self) -> bool:
        """Too little on record to call the account on track with confidence."""
        return self.inputs_on_record < THIN_DATA_INPUTS

    @property
    def risk_level(self) -> str:
        return self.assessment.risk_level

    @property
    def at_risk(self) -> bool:
        return self.risk_level == "at_risk"

    @cached_property
    def churn_imminent(self) -> bool:
        """At risk with the renewal close: protect the base, push nothing new."""
        days = self.days_to_renewal
        return self.at_risk and days is not None and days <= CHURN_WINDOW_DAYS

    @cached_property
    def causes(self) -> set[str]:
        return {cause.cause for cause in self.register}

    @cached_property
    def urgent_causes(self) -> list[RiskCause]:
        return [c for c in self.register if c.severity in ("high", "critical")]

    @cached_property
    def risk_kinds(self) -> set[str]:
        """Detector kinds behind the register (onboarding's expected low usage left out)."""
        return {kind for cause in self.register for kind in cause.kinds}

    @cached_property
    def low_adoption(self) -> bool:
        utilization = self.utilization
        if utilization is not None and utilization >= HIGH_UTILIZATION and not self.onboarding:
            return False
        return (
            (utilization is not None and utilization < LOW_UTILIZATION)
            or (self.seat_activation is not None and self.seat_activation < LOW_SEAT_ACTIVATION)
            or "usage_decline" in self.risk_kinds
            or "low_adoption" in self.risk_kinds
        )

    @cached_property
    def expansion_ready(self) -> bool:
        """Growth is pushed unless the account is really at risk: an account on watch keeps its
        growth objective (with its pipeline discounted)."""
        return not self.at_risk

    @cached_property
    def needs_exec_coverage(self) -> bool:
        coverage = self.context.coverage
        return coverage.single_threaded or not coverage.has_exec_sponsor or coverage.active_contacts < 2

    @cached_property
    def pipeline_factor(self) -> float:
        if self.churn_imminent:
            return 0.0
        return PIPELINE_FACTOR_BY_LEVEL[self.risk_level]

    @cached_property
    def data_to_fix(self) -> list[DataFix]:
        """Records that contradict the calendar: the CSM fixes them, the plan does not build on them."""
        customer = self.context.customer
        fixes: list[DataFix] = []
        if customer.renewal_date is not None and self.renewal_stale:
            churned = customer.renewal_outcome == "churned"
            fixes.append(
                DataFix(
                    "customers.renewal_date",
                    f"the renewal date on record, {day(customer.renewal_date)}, has passed"
                    + (" and the account is recorded as churned" if churned else ""),
                    "confirm whether the account is still a customer; if it renewed, record the new renewal date"
                    if churned
                    else "record the renewal outcome and the new renewal date",
                )
            )
        if customer.contract_start and customer.renewal_date and customer.contract_start > customer.renewal_date:
            fixes.append(
                DataFix(
                    "customers.contract_start",
                    f"the contract start ({day(customer.contract_start)}) is after the renewal date",
                    "correct the contract dates",
                )
            )
        for opportunity in self.context.opportunities:
            if opportunity.stage != "open":
                continue
            close = opportunity.expected_close
            name = quote(opportunity.description, 60) or "an open opportunity"
            if close is None:
                fixes.append(
                    DataFix(
                        f"opportunities[{opportunity.id}].expected_close",
                        f"{name} has no close date",
                        "add its expected close date",
                    )
                )
            elif close < self.context.as_of:
                fixes.append(
                    DataFix(
                        f"opportunities[{opportunity.id}].expected_close",
                        f"{name} is past its close date ({day(close)})",
                        "update the close date, or mark it won or lost",
                    )
                )
        return fixes

    # -- people ---------------------------------------------------------------------------------
    @cached_property
    def active_contacts(self) -> list[ContactInsight]:
        """Active contacts, strongest relationship first (name breaks ties, for determinism)."""
        active = [c for c in self.context.contacts if c.active]
        return sorted(active, key=lambda c: (-c.relationship.score, c.name, c.id))

    def contacts_in(self, *roles: str) -> list[ContactInsight]:
        return [c for c in self.active_contacts if c.role in roles]

    @cached_property
    def anchor_contact(self) -> ContactInsight | None:
        """Who the account currently rests on: the strongest active relationship."""
        return self.active_contacts[0] if self.active_contacts else None

    @cached_property
    def champion(self) -> ContactInsight | None:
        """Who the work runs through: an engaged champion, else the strongest relationship."""
        champions = [c for c in self.contacts_in("champion") if (c.engagement_level or "") in ENGAGED_LEVELS]
        return champions[0] if champions else self.anchor_contact

    @cached_property
    def exec_sponsor(self) -> ContactInsight | None:
        sponsors = self.contacts_in("exec_sponsor")
        return sponsors[0] if sponsors else None

    @cached_property
    def economic_buyer(self) -> ContactInsight | None:
        buyers = self.contacts_in("economic_buyer")
        return buyers[0] if buyers else None

    @cached_property
    def engaged_execs(self) -> int:
        return sum(1 for c in self.contacts_in(*EXEC_ROLES) if (c.engagement_level or "") in ENGAGED_LEVELS)

    @cached_property
    def departed_key_contacts(self) -> list[str]:
        return [f"{ref.name} ({ref.role.replace('_', ' ')})" for ref in self.departed_key_refs]

    @cached_property
    def departed_key_refs(self) -> list[ContactRef]:
        """Champions, sponsors and economic buyers who left the company."""
        return [
            ref
            for ref in self.context.coverage.departed
            if ref.role in (ContactRole.CHAMPION, ContactRole.EXEC_SPONSOR, ContactRole.ECONOMIC_BUYER)
        ]

    @cached_property
    def segment(self) -> str:
        return (self.context.customer.segment or "").strip().lower()

    @cached_property
    def peer_utilization(self) -> float | None:
        """Average utilization of the successful similar accounts, when known."""
        similar = self.context.similar
        if similar is None:
            return None
        for key in ("feature_utilization", "utilization"):
            if key in similar.successful_profile:
                return similar.successful_profile[key]
        return None
