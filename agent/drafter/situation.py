"""The account's situation read once from the planning context: the facts every section drafter
shares (is it at risk, expansion-ready, single-threaded; which quarter the plan starts in)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from agent.drafter.confidence import coverage_inputs
from storage.plan_document import QUARTERS, Quarter
from storage.vocabulary import ContactRole, EngagementLevel
from tools.analytics.context import PlanningContext
from tools.analytics.fiscal_calendar import FiscalQuarter, fiscal_quarters, quarter_of
from tools.analytics.snapshot import ContactInsight

LOW_UTILIZATION = 60.0  # percent: below this, adoption is an objective
HIGH_UTILIZATION = 80.0  # percent: at or above this, an adoption push would contradict the data
LOW_SEAT_ACTIVATION = 0.7
ONBOARDING_DAYS = 180  # a contract younger than this is still onboarding
CHURN_WINDOW_DAYS = 120  # at risk and renewing within this many days: about to churn
AT_RISK_HEALTH = 50
EXEC_ROLES = (ContactRole.EXEC_SPONSOR, ContactRole.ECONOMIC_BUYER)
ENGAGED_LEVELS = (EngagementLevel.HIGH, EngagementLevel.MEDIUM)

# Share of the weighted expansion pipeline counted towards target ARR, by the worst open risk.
PIPELINE_FACTOR_BY_SEVERITY: dict[str | None, float] = {
    None: 1.0,
    "low": 1.0,
    "medium": 0.85,
    "high": 0.5,
    "critical": 0.25,
}


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


def find_data_gaps(context: PlanningContext) -> list[str]:
    """The analytics' data gaps, plus any input the drafter found missing that they do not cover."""
    reported = list(context.data_gaps)
    lowered = " ".join(reported).lower()
    inputs = coverage_inputs(context)
    own = [
        "fewer than two active contacts on record"
        if name == "stakeholders"
        else f"no {name.replace('_', ' ')} on record"
        for name, word in BASELINE_INPUTS.items()
        if not inputs[name] and word not in lowered
    ]
    return reported + own


@dataclass(frozen=True)
class Situation:
    context: PlanningContext
    fiscal_year: str
    start_month: int

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
        return quarter_of(self.plan_start, self.fiscal_year, self.start_month) or "Q4"

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
        if day is None:
            return None
        return quarter_of(day, self.fiscal_year, self.start_month)

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
        return self.context.days_to_renewal

    @cached_property
    def renewal_quarter(self) -> Quarter | None:
        """The fiscal quarter of the renewal when it falls inside this fiscal year."""
        return self.quarter_of(self.context.customer.renewal_date)

    # -- judgements -----------------------------------------------------------------------------
    @cached_property
    def data_gaps(self) -> list[str]:
        """What the plan cannot know: stated in the summary and generation_context, never filled in."""
        return find_data_gaps(self.context)

    @cached_property
    def at_risk(self) -> bool:
        return self.context.risks.at_risk or (self.health is not None and self.health < AT_RISK_HEALTH)

    @cached_property
    def churn_imminent(self) -> bool:
        """At risk with the renewal close: protect the base, push nothing new."""
        days = self.days_to_renewal
        return self.at_risk and days is not None and 0 <= days <= CHURN_WINDOW_DAYS

    @cached_property
    def onboarding(self) -> bool:
        start = self.context.customer.contract_start
        return start is not None and start <= self.context.as_of < start + timedelta(days=ONBOARDING_DAYS)

    @cached_property
    def risk_kinds(self) -> set[str]:
        return {risk.kind for risk in self.context.risks.risks}

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
        """Growth is only pushed on a healthy account: never on one at risk."""
        return self.context.expansion.expansion_ready and not self.at_risk

    @cached_property
    def needs_exec_coverage(self) -> bool:
        coverage = self.context.coverage
        return coverage.single_threaded or not coverage.has_exec_sponsor or coverage.active_contacts < 2

    @cached_property
    def pipeline_factor(self) -> float:
        if self.churn_imminent:
            return 0.0
        return PIPELINE_FACTOR_BY_SEVERITY.get(self.context.risks.highest_severity, 1.0)

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
        champions = self.contacts_in("champion")
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
        return [
            f"{ref.name} ({ref.role.replace('_', ' ')})"
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
