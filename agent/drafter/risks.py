"""Risk mitigation: every detected risk with its evidence, a mitigation naming who and what, and
an owner. Nothing is added that the detectors did not find."""

from __future__ import annotations

from agent.drafter.situation import Situation
from agent.drafter.text import names
from storage.plan_document import IdentifiedRisk, RiskMitigation
from tools.analytics.risks import DetectedRisk


def mitigation_for(situation: Situation, risk: DetectedRisk) -> tuple[str, str]:
    """(mitigation, owner) for one detected risk."""
    champion = situation.champion
    sponsor = situation.exec_sponsor or situation.economic_buyer
    with_champion = f" with {champion.name}" if champion else ""
    others = [c.name for c in situation.active_contacts[1:3]]
    match risk.kind:
        case "health_decline" | "low_health":
            return (
                f"Root-cause review{with_champion} within two weeks; a recovery plan with weekly health tracking",
                "CSM",
            )
        case "usage_decline" | "low_adoption":
            return (
                f"Usage review by team{with_champion}; targeted enablement for the lagging teams and a monthly adoption report",
                "Both",
            )
        case "departed_champion":
            successor = f" ({names(others)} are candidates)" if others else ""
            return (
                f"Identify and brief a successor champion{successor}; re-run the value story with them within 30 days",
                "CSM",
            )
        case "single_threaded":
            anchor = situation.anchor_contact
            ask = f"Ask {anchor.name} to introduce" if anchor else "Identify"
            return (f"Multi-thread: {ask} the executive sponsor and economic buyer this quarter", "CSM")
        case "renewal_soon":
            who = f" with {sponsor.name}" if sponsor else " with the economic buyer"
            return (
                f"Start the renewal now: value summary and proposal reviewed{who}; commercial terms agreed 30 days before the date",
                "CSM + Account Executive",
            )
        case "negative_sentiment":
            return (
                "Listen first: call the contacts behind the negative interactions, log the issues, close each with an owner and date",
                "CSM",
            )
        case "open_signal":
            by_type = _signal_mitigation(risk.title.lower(), with_champion)
            if by_type is not None:
                return by_type
            return (
                "Work the open signal to closure with support and product; confirm the fix with the customer in writing",
                "CSM + Support",
            )
        case _:
            return (f"Agree an owner and a dated fix{with_champion}; review weekly until resolved", "CSM")


# CRM signal types (a categorical field, never free text) -> mitigation and owner.
SIGNAL_MITIGATIONS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (
        ("competitor",),
        "Competitive defense: quantify outcomes against the alternative being evaluated{with_champion}; bring the account executive in before any pricing comparison lands",
        "CSM + Account Executive",
    ),
    (
        ("budget", "price", "pricing"),
        "Build the ROI case{with_champion} for the budget owner; agree renewal scope and terms early",
        "CSM + Account Executive",
    ),
    (
        ("escalation", "support", "ticket", "outage"),
        "Own the escalation: daily status to the customer until closed, then a post-incident review",
        "CSM + Support",
    ),
    (
        ("executive_change", "leadership", "reorg"),
        "Meet the new leadership within 30 days: re-present outcomes and confirm the plan's priorities",
        "CSM",
    ),
    (
        ("payment", "invoice"),
        "Align with finance on the late payment; confirm the billing contact and terms before renewal",
        "CSM + Finance",
    ),
    (
        ("champion",),
        "Identify and brief a successor champion; re-run the value story with them within 30 days",
        "CSM",
    ),
    (
        ("usage", "adoption"),
        "Usage review by team{with_champion}; targeted enablement for the lagging teams",
        "Both",
    ),
)


def _signal_mitigation(title: str, with_champion: str) -> tuple[str, str] | None:
    for words, mitigation, owner in SIGNAL_MITIGATIONS:
        if any(word in title for word in words):
            return mitigation.format(with_champion=with_champion), owner
    return None


def draft_risk_mitigation(situation: Situation) -> RiskMitigation:
    identified: list[IdentifiedRisk] = []
    for risk in situation.context.risks.risks:
        mitigation, owner = mitigation_for(situation, risk)
        text = f"{risk.title}: {risk.evidence}" if risk.evidence else risk.title
        identified.append(
            IdentifiedRisk(risk=text, severity=risk.severity, mitigation=mitigation, owner=owner)
        )
    return RiskMitigation(identified_risks=identified)
