"""Where the account stands: its lifecycle stage and how much risk weighs on it.

Stage, from the contract and usage:
- onboarding: the contract started less than ONBOARDING_DAYS ago (or starts later);
- renewal: the renewal is at most RENEWAL_STAGE_DAYS away;
- adoption: in its first year, or usage still low (utilization under 40%, or under half the seats
  active) in its first two years;
- established: everything else (including an unknown contract start with ordinary usage).

Risk level, from the weight of the evidence (one risk per cause, see agent.drafter.register):
each cause weighs by its severity (medium 1, high 2, critical 4); single-threading weighs 1 with
the renewal within RENEWAL_AMPLIFIER_DAYS and nothing otherwise, and the renewal's closeness
weighs nothing by itself; health 50-59
adds 1; a renewal within RENEWAL_AMPLIFIER_DAYS adds 1 to an account already carrying 2.
Weight 4 or more is at_risk, 1-3 watch, 0 on_track: no single medium signal makes an account
"at risk", and a stable account with one coverage signal stays on track.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from agent.drafter.register import RiskCause
from agent.drafter.text import day, days_phrase, plural

Stage = Literal["onboarding", "adoption", "established", "renewal"]
RiskLevel = Literal["on_track", "watch", "at_risk"]

ONBOARDING_DAYS = 120
RENEWAL_STAGE_DAYS = 120
FIRST_YEAR_DAYS = 365
ADOPTION_STAGE_MAX_DAYS = 730
LOW_USAGE_UTILIZATION = 40.0
LOW_USAGE_SEATS = 0.5
SEVERITY_WEIGHT = {"low": 0, "medium": 1, "high": 2, "critical": 4}
AT_RISK_WEIGHT = 4
WATCH_WEIGHT = 1
FRAGILE_HEALTH = (50, 60)  # health in this band adds weight
RENEWAL_AMPLIFIER_DAYS = 120
AMPLIFIED_FROM = 2


@dataclass(frozen=True)
class Assessment:
    stage: Stage
    risk_level: RiskLevel
    weight: int
    reasons: list[str]

    def as_dict(self) -> dict[str, object]:
        """The shared `generation_context["situation"]` contract."""
        return {"stage": self.stage, "risk_level": self.risk_level, "reasons": list(self.reasons)}


def lifecycle_stage(
    as_of: date,
    contract_start: date | None,
    days_to_renewal: int | None,
    utilization: float | None,
    seat_activation: float | None,
) -> tuple[Stage, str]:
    """(stage, the reason in words)."""
    age = (as_of - contract_start).days if contract_start is not None else None
    if contract_start is not None and age is not None and age < ONBOARDING_DAYS:
        if age < 0:
            return "onboarding", f"onboarding: the contract starts {day(contract_start)}"
        return "onboarding", f"onboarding: contract started {day(contract_start)} ({plural(age, 'day')} ago)"
    if days_to_renewal is not None and 0 <= days_to_renewal <= RENEWAL_STAGE_DAYS:
        return "renewal", f"renewal stage: the renewal is {days_phrase(days_to_renewal)}"
    low_usage = (utilization is not None and utilization < LOW_USAGE_UTILIZATION) or (
        seat_activation is not None and seat_activation < LOW_USAGE_SEATS
    )
    if age is not None and age < FIRST_YEAR_DAYS:
        return "adoption", f"adoption: in the first year of the contract ({plural(age, 'day')} in)"
    if low_usage and (age is None or age < ADOPTION_STAGE_MAX_DAYS):
        return "adoption", "adoption: usage is still low"
    if age is None:
        return "established", "established account (no contract start on record)"
    return "established", f"established account ({plural(age // 365, 'year')} into the relationship)"


def _weight(cause: RiskCause, days_to_renewal: int | None) -> int:
    weight = SEVERITY_WEIGHT.get(cause.severity, 0)
    if cause.cause == "single_threaded":
        # Thin coverage matters when a decision is near: weight 1 with the renewal close, else 0.
        near = days_to_renewal is not None and 0 <= days_to_renewal <= RENEWAL_AMPLIFIER_DAYS
        return 1 if near and weight else 0
    if cause.cause == "renewal_timing":
        return 0
    return weight


def risk_level(
    register: list[RiskCause],
    health: int | None,
    days_to_renewal: int | None,
    title_of: Callable[[RiskCause], str] = lambda cause: cause.cause.replace("_", " "),
) -> tuple[RiskLevel, int, list[str]]:
    """(level, weight, reasons): what weighs on the account, heaviest first."""
    reasons: list[str] = []
    weight = 0
    for cause in register:
        points = _weight(cause, days_to_renewal)
        weight += points
        if points:
            reasons.append(f"{title_of(cause)} ({cause.severity})")
    health_counted = any(c.cause == "health" for c in register)
    if health is not None and FRAGILE_HEALTH[0] <= health < FRAGILE_HEALTH[1] and not health_counted:
        weight += 1
        reasons.append(f"health {health}, below {FRAGILE_HEALTH[1]}")
    if (
        days_to_renewal is not None
        and 0 <= days_to_renewal <= RENEWAL_AMPLIFIER_DAYS
        and weight >= AMPLIFIED_FROM
    ):
        weight += 1
        reasons.append(f"renewal {days_phrase(days_to_renewal)}")
    level: RiskLevel = "at_risk" if weight >= AT_RISK_WEIGHT else "watch" if weight >= WATCH_WEIGHT else "on_track"
    if not reasons:
        reasons.append("nothing on record weighs on the account")
    return level, weight, reasons
