"""The risk register: one risk per underlying cause, with all of its evidence.

The detectors (tools.analytics.risks) report symptoms: a CRM signal "champion left", a departed
champion contact and the single-threading it leaves behind are three symptoms of one cause. Here
they become one risk carrying every piece of evidence, its worst severity, and what it threatens
(the opportunity its words are about, else the renewal). Customer notes mined by
agent.drafter.evidence join the cause they speak to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from agent.drafter.evidence import Evidence, classify, competitor_names, mine_notes, signal_topic, words
from agent.drafter.text import clip, day, money, names, plural, quote
from tools.analytics.context import PlanningContext
from tools.analytics.expansion import ExpansionCandidate
from tools.analytics.risks import SEVERITY_RANK, DetectedRisk

SIGNAL_QUOTE_LIMIT = 140
RANK: dict[str, int] = {str(severity): rank for severity, rank in SEVERITY_RANK.items()}
# CRM signal types (a categorical field) -> cause, by the first word found in the type.
SIGNAL_CAUSES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("competitor", "competition", "competitive"), "competition"),
    (("budget", "price", "pricing", "cost"), "budget"),
    (("escalation", "support", "ticket", "outage", "incident", "bug"), "support"),
    (("executive", "leadership", "reorg"), "leadership"),
    (("payment", "invoice", "billing"), "payment"),
    (("champion", "sponsor", "contact"), "champion_loss"),
    (("usage", "adoption", "activation"), "adoption"),
    (("health",), "health"),
    (("sentiment", "nps", "csat", "satisfaction"), "sentiment"),
)
KIND_CAUSES = {
    "health_decline": "health",
    "low_health": "health",
    "usage_decline": "adoption",
    "low_adoption": "adoption",
    "departed_champion": "champion_loss",
    "single_threaded": "single_threaded",
    "renewal_soon": "renewal_timing",
    "negative_sentiment": "sentiment",
}
ORDER = (
    "health",
    "champion_loss",
    "adoption",
    "competition",
    "support",
    "sentiment",
    "budget",
    "leadership",
    "payment",
    "renewal_timing",
    "single_threaded",
    "other",
)
# Causes that threaten a specific opportunity when their words are about it.
TOPICAL = ("competition", "budget", "support", "sentiment")


@dataclass
class RiskCause:
    cause: str  # a playbook cause (see agent.drafter.playbook.CAUSES)
    severity: str
    evidence: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)  # detector kinds and "note" for mined text
    topic: frozenset[str] = frozenset()
    signal_type: str | None = None  # for "other": the CRM signal type it stands for
    threatens: str | None = None  # "the $50K Premium analytics tier upsell (Q2)" / "the Aug 31, 2027 renewal"
    threatened_opportunity: str | None = None  # the opportunity's description, when it is one

    def add(self, severity: str, evidence: str, kind: str, topic: frozenset[str] = frozenset()) -> None:
        if RANK.get(severity, 0) > RANK.get(self.severity, 0):
            self.severity = severity
        if evidence and evidence not in self.evidence:
            self.evidence.append(evidence)
        if kind not in self.kinds:
            self.kinds.append(kind)
        self.topic = self.topic | topic


def signal_cause(signal_type: str) -> str:
    lowered = signal_type.lower()
    for keys, cause in SIGNAL_CAUSES:
        if any(key in lowered for key in keys):
            return cause
    return "other"


def _detected_evidence(context: PlanningContext, risk: DetectedRisk) -> tuple[str, str, frozenset[str], str | None]:
    """(cause, evidence text, topic, signal type) for one detector finding."""
    if risk.kind == "open_signal":
        signal = next((s for s in context.risk_signals if s.id == risk.signal_id), None)
        if signal is not None:
            kind = signal.type.replace("_", " ").strip()
            kind = kind if kind.lower().endswith("signal") else f"{kind} signal"
            when = f", detected {day(signal.detected_at)}" if signal.detected_at else ""
            text = f"{kind} ({signal.severity}{when}): {quote(signal.description, SIGNAL_QUOTE_LIMIT)}"
            cause = signal_cause(signal.type)
            if cause == "other":
                # A type we do not know: what its description says decides the cause.
                read = classify(signal.description, None, competitor_names(context))
                cause = read[0] if read is not None else "other"
            return cause, text, signal_topic(signal.description), signal.type
        return "other", quote(risk.title, SIGNAL_QUOTE_LIMIT) or "open risk signal", frozenset(), "signal"
    cause = KIND_CAUSES.get(risk.kind, "other")
    if risk.kind == "renewal_soon" and context.customer.renewal_date and context.days_to_renewal is not None:
        text = f"renewal on {day(context.customer.renewal_date)} is {plural(context.days_to_renewal, 'day')} away"
    else:
        text = (clip(risk.evidence, SIGNAL_QUOTE_LIMIT) or risk.title) if risk.kind in KIND_CAUSES else (
            quote(risk.evidence or risk.title, SIGNAL_QUOTE_LIMIT) or "open risk"
        )
    return cause, text, frozenset(), risk.kind if cause == "other" else None


def _opportunity_label(candidate: ExpansionCandidate, quarter: str | None) -> str:
    kind = candidate.type.replace("_", " ")
    when = f", due {quarter}" if quarter else ""
    name = quote(candidate.description, 60) or kind
    return f"the {money(candidate.value)} {name} {kind}{when}"


def _tie(
    cause: RiskCause,
    candidates: list[tuple[ExpansionCandidate, str | None]],
    renewal_label: str | None,
) -> None:
    """What the cause threatens: the opportunity its words are about, else the renewal."""
    if cause.cause in TOPICAL and cause.topic:
        best: tuple[int, float, ExpansionCandidate, str | None] | None = None
        for candidate, quarter in candidates:
            if candidate.value <= 0:
                continue  # nothing at stake
            overlap = len(cause.topic & words(candidate.description))
            if overlap and (best is None or (overlap, candidate.value) > (best[0], best[1])):
                best = (overlap, candidate.value, candidate, quarter)
        if best is not None:
            cause.threatens = _opportunity_label(best[2], best[3])
            cause.threatened_opportunity = best[2].description
            return
    # The renewal is what every other risk ultimately threatens; said where it adds something.
    cause.threatens = None if cause.cause in ("renewal_timing", "other") else renewal_label


def build_register(
    context: PlanningContext,
    *,
    onboarding: bool,
    candidates: list[tuple[ExpansionCandidate, str | None]],
    renewal_label: str | None,
) -> list[RiskCause]:
    """Every risk cause, most severe first; `candidates` are the open opportunities with their
    timeline (to tie evidence to), `renewal_label` names the upcoming renewal (None when unknown
    or passed)."""
    causes: dict[str, RiskCause] = {}

    def cause_for(key: str, severity: str) -> RiskCause:
        if key not in causes:
            base, _, signal_type = key.partition(":")
            causes[key] = RiskCause(cause=base, severity=severity, signal_type=signal_type or None)
        return causes[key]

    # Signals of one type about one cause read as one piece of evidence (their dates and words).
    signals: dict[tuple[str, str], list[tuple[DetectedRisk, str, frozenset[str]]]] = {}
    for risk in context.risks.risks:
        if onboarding and risk.kind == "low_adoption":
            continue  # low usage is where every onboarding starts, not a risk
        cause, text, topic, signal_type = _detected_evidence(context, risk)
        key = f"other:{signal_type}" if cause == "other" and signal_type else cause
        if risk.kind == "open_signal" and signal_type:
            signals.setdefault((key, signal_type), []).append((risk, text, topic))
            continue
        cause_for(key, risk.severity).add(risk.severity, text, risk.kind, topic)
    for (key, signal_type), found_signals in signals.items():
        target = cause_for(key, found_signals[0][0].severity)
        if len(found_signals) == 1:
            risk, text, topic = found_signals[0]
            target.add(risk.severity, text, risk.kind, topic)
            continue
        for risk, _, topic in found_signals:
            target.add(risk.severity, "", risk.kind, topic)
        target.add(found_signals[0][0].severity, _signals_text(context, signal_type, found_signals), "open_signal")
    for found in mine_notes(context):
        _add_note(cause_for(found.cause, found.severity), found)
    if "champion_loss" in causes and "single_threaded" in causes:
        # The thin coverage is what the departure left behind: one cause, all its evidence.
        thin = causes.pop("single_threaded")
        for text in thin.evidence:
            causes["champion_loss"].add(thin.severity, text, "single_threaded")
    # Most severe first; among equals, what the customer said before what the map shows.
    register = sorted(
        causes.values(),
        key=lambda c: (-RANK.get(c.severity, 0), ORDER.index(c.cause), c.signal_type or ""),
    )
    for cause in register:
        _tie(cause, candidates, renewal_label)
    return register


def _signals_text(
    context: PlanningContext, signal_type: str, found: list[tuple[DetectedRisk, str, frozenset[str]]]
) -> str:
    """'competitor evaluation signals (critical, high; detected Jan 3, 2026 and Jan 20, 2026): “...”; “...”'."""
    by_id = {s.id: s for s in context.risk_signals}
    facts = [by_id[risk.signal_id] for risk, _, _ in found if risk.signal_id in by_id]
    kind = signal_type.replace("_", " ").strip()
    kind = kind if kind.lower().endswith("signals") else f"{kind.removesuffix(' signal')} signals"
    severities = ", ".join(dict.fromkeys(f.severity for f in facts))
    dates = names([day(f.detected_at) for f in facts if f.detected_at])
    words = "; ".join(dict.fromkeys(quote(f.description, SIGNAL_QUOTE_LIMIT) or "" for f in facts))
    return f"{kind} ({severities}" + (f"; detected {dates}" if dates else "") + f"): {words}"


def _add_note(cause: RiskCause, found: Evidence) -> None:
    cause.add(found.severity, found.text, "note", found.topic)


def competitors_phrase(context: PlanningContext) -> str:
    names = competitor_names(context)
    if not names:
        return "the alternative"
    quoted = [quote(name, 40) or name for name in names[:3]]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} and {quoted[-1]}"


def stale_day(value: date | None, as_of: date) -> bool:
    return value is not None and value < as_of
