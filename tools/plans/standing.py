"""Where an account stands according to its plan: on track, watch, or at risk.

The drafter records its reading of the account in `generation_context["situation"]["risk_level"]`;
that is used whenever present. Plans saved before it existed (or written by hand) get a level
derived from what the plan itself says: its risks' severities, the health score and how near the
renewal is. Surfaces show it as the plan's status chip and sort by it.
"""

from __future__ import annotations

from datetime import date
from typing import Literal, cast

from storage.plan_document import AccountPlanDocument

RiskLevel = Literal["on_track", "watch", "at_risk"]
RISK_LEVELS: tuple[RiskLevel, ...] = ("on_track", "watch", "at_risk")
# The derived level weighs the evidence like the drafter does: the worst risk by its severity, one
# more point when several risks are open, fragile health, and a near renewal on top of a real risk.
SEVERITY_WEIGHT = {"low": 0, "medium": 1, "high": 2, "critical": 4}
AT_RISK_WEIGHT = 4
WATCH_WEIGHT = 1
POOR_HEALTH = 50
FRAGILE_HEALTH = 60
RENEWAL_NEAR_DAYS = 120


def _recorded(document: AccountPlanDocument, part: str, key: str) -> object:
    """`generation_context[part][key]`, or None (older plans lack parts; nothing is trusted)."""
    section: object = document.generation_context.get(part)
    return cast(dict[str, object], section).get(key) if isinstance(section, dict) else None


def recorded_risk_level(document: AccountPlanDocument) -> RiskLevel | None:
    """The level the drafter recorded, if any (read defensively: older plans have none)."""
    level = _recorded(document, "situation", "risk_level")
    return next((known for known in RISK_LEVELS if known == level), None)


def recorded_health(document: AccountPlanDocument) -> int | None:
    """The health score the plan was drafted from (generation_context inputs), if recorded."""
    value = _recorded(document, "inputs", "health_score")
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def plan_risk_level(
    document: AccountPlanDocument,
    *,
    health_score: int | None = None,
    renewal_date: date | None = None,
    today: date | None = None,
) -> RiskLevel:
    """The recorded level, else one derived from the plan's risks, health and renewal. Risks are
    weighed by the worst one (plans often list one cause several times), so a single medium risk
    makes a watch, never an at-risk account."""
    recorded = recorded_risk_level(document)
    if recorded is not None:
        return recorded
    health = health_score if health_score is not None else recorded_health(document)
    weights = [SEVERITY_WEIGHT.get(risk.severity, 0) for risk in document.risk_mitigation.identified_risks]
    serious = [w for w in weights if w > 0]
    weight = max(serious, default=0) + (1 if len(serious) > 1 else 0)
    if health is not None:
        weight += 2 if health < POOR_HEALTH else 1 if health < FRAGILE_HEALTH else 0
    renewal_near = (
        renewal_date is not None and today is not None and 0 <= (renewal_date - today).days <= RENEWAL_NEAR_DAYS
    )
    if renewal_near and weight >= 2:
        weight += 1
    if weight >= AT_RISK_WEIGHT:
        return "at_risk"
    return "watch" if weight >= WATCH_WEIGHT else "on_track"
