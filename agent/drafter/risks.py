"""Risk mitigation: one risk per underlying cause (agent.drafter.register) with all of its evidence
and what it threatens, mitigated by the playbook's play for that cause and situation (who does
what). Nothing is added that the data does not show."""

from __future__ import annotations

from dataclasses import dataclass

from agent.drafter.people import fill, placeholders
from agent.drafter.register import RiskCause
from agent.drafter.situation import Situation
from agent.drafter.text import names
from storage.plan_document import IdentifiedRisk, RiskMitigation
from storage.vocabulary import Severity

EVIDENCE_SHOWN = 4


@dataclass(frozen=True)
class PlannedStep:
    """A 90-day action a risk's play puts into the plan."""

    week: int
    action: str
    owner: str


def risk_title(situation: Situation, cause: RiskCause) -> str:
    title = situation.plays.play(cause.cause).title
    if cause.cause == "champion_loss" and situation.departed_key_contacts:
        return f"{title}: {names(situation.departed_key_contacts)}"
    if cause.cause == "other" and cause.signal_type and cause.signal_type != "signal":
        return f"{title}: {cause.signal_type.replace('_', ' ')}"
    return title


def risk_text(situation: Situation, cause: RiskCause) -> str:
    """The title, every piece of evidence (bounded) and what the risk threatens."""
    evidence = "; ".join(cause.evidence[:EVIDENCE_SHOWN])
    more = len(cause.evidence) - EVIDENCE_SHOWN
    if more > 0:
        evidence += f"; and {more} more"
    title = situation.plays.play(cause.cause).title if cause.cause == "champion_loss" else risk_title(situation, cause)
    text = f"{title}: {evidence}" if evidence else risk_title(situation, cause)
    if cause.threatens:
        text += f". Threatens {cause.threatens}"
    return text


def mitigation_for(situation: Situation, cause: RiskCause) -> tuple[str, str, list[PlannedStep]]:
    """(mitigation, owner, first steps) from the playbook for this cause and situation."""
    play = situation.plays.play(cause.cause)
    mitigation, owner, actions = play.for_situation(situation.risk_level, situation.stage)
    values = placeholders(situation, cause.threatens)
    steps = [PlannedStep(a.week, fill(a.action, values), a.owner) for a in actions]
    return fill(mitigation, values), owner, steps


def draft_risk_mitigation(situation: Situation) -> RiskMitigation:
    identified: list[IdentifiedRisk] = []
    for cause in situation.register:
        mitigation, owner, _ = mitigation_for(situation, cause)
        identified.append(
            IdentifiedRisk(
                risk=risk_text(situation, cause),
                severity=Severity(cause.severity),
                mitigation=mitigation,
                owner=owner,
            )
        )
    return RiskMitigation(identified_risks=identified)
