"""Executive summary and business context: the account in a paragraph, with its numbers, and the
customer's own words quoted (never interpreted). Gaps in the data are said, not filled in."""

from __future__ import annotations

from agent.drafter.expansion import expansion_summary
from agent.drafter.risks import risk_title
from agent.drafter.situation import Situation
from agent.drafter.text import day, days_phrase, lower_first, money, names, pct, quote
from storage.plan_document import BusinessContext, StrategicObjective


def _health_phrase(situation: Situation) -> str:
    health = situation.health
    if health is None:
        return "no health score on record"
    change = situation.context.health.change_90d
    trend = ""
    if change is not None and abs(change) >= 3:
        trend = f", {'up' if change > 0 else 'down'} {abs(change):.0f} in 90 days"
    return f"health {health}{trend}"


def _profile(situation: Situation) -> str:
    customer = situation.context.customer
    size = f"{money(customer.arr)} " if customer.arr is not None else ""
    segment = f"{customer.segment} " if customer.segment else ""
    industry = f" in {customer.industry}" if customer.industry else ""
    facts = [_health_phrase(situation)]
    if situation.utilization is not None:
        facts.append(f"{pct(situation.utilization)} feature utilization")
    if situation.days_to_renewal is not None and customer.renewal_date is not None:
        facts.append(f"renewal on {day(customer.renewal_date)} ({days_phrase(situation.days_to_renewal)})")
    described = f"{size}{segment}account{industry}"
    article = "an" if described[:1].lower() in "aeiou" else "a"
    return f"{customer.name} is {article} {described} with {names(facts)}."


STAGE_SENTENCES = {
    "onboarding": "Onboarding: {reason}.",
    "adoption": "Adoption stage: {reason}.",
    "renewal": "Renewal stage: {reason}.",
    "established": "",
}


def _stage_sentence(situation: Situation) -> str:
    reason = situation.assessment.reasons[0]
    reason = reason.split(": ", 1)[1] if ": " in reason else reason
    return STAGE_SENTENCES[situation.stage].format(reason=reason)


def _risk_sentence(situation: Situation) -> str:
    anchor = situation.anchor_contact
    titles = [
        f"a relationship single-threaded through {anchor.name}"
        if cause.cause == "single_threaded" and anchor is not None
        else lower_first(risk_title(situation, cause))
        for cause in situation.register
    ]
    shown = 3 if situation.at_risk else 2
    if situation.at_risk:
        sentence = f"The account is at risk: {names(titles[:shown])}."
    elif situation.risk_level == "watch":
        sentence = f"On watch: {names(titles[:shown])}."
    elif situation.thin_data:
        sentence = "Too little is on record to judge the risk: no open risk was found in the data there is."
    elif titles:
        sentence = f"On track; to keep an eye on: {names(titles[:shown])}."
    else:
        sentence = "On track: no open risk on record."
    thin = [t for t in titles[shown:] if t.startswith("a relationship single-threaded")]
    if thin and anchor is not None:
        sentence += f" The relationship is single-threaded through {anchor.name}."
    return sentence


def draft_executive_summary(situation: Situation, objectives: list[StrategicObjective]) -> str:
    parts = [_profile(situation)]
    stage = _stage_sentence(situation)
    risk = _risk_sentence(situation)
    # The verdict before the background when the account needs attention: the sentence after the
    # profile is the one a card or a notification quotes.
    if situation.at_risk or situation.risk_level == "watch":
        parts += [risk, stage] if stage else [risk]
    else:
        parts += [stage, risk] if stage else [risk]
    top = [o.objective[0].lower() + o.objective[1:] for o in objectives[:3]]
    parts.append(f"{situation.fiscal_year} priorities: {'; '.join(top)}.")
    parts.append(expansion_summary(situation))
    if situation.data_to_fix:
        parts.append(f"Data to fix: {'; '.join(f.problem for f in situation.data_to_fix)}.")
    if situation.data_gaps:
        parts.append(f"Data gaps (left open, not guessed): {'; '.join(situation.data_gaps)}.")
    return " ".join(parts)


def draft_business_context(situation: Situation) -> BusinessContext:
    customer = situation.context.customer
    similar = situation.context.similar
    industry = customer.industry or "an unrecorded industry"
    if similar is not None and similar.sample_size and similar.success_rate is not None:
        peers = [a for a in similar.accounts if a.industry == customer.industry]
        scope = f"{len(peers)} of them in {industry}" if peers else f"none of them in {industry}"
        trends = (
            f"Among {similar.sample_size} comparable accounts ({scope}), "
            f"{pct(similar.success_rate * 100)} renewed and grew last cycle. "
            "No external industry research on record; add it during QBR preparation."
        )
    else:
        trends = f"No industry trend data on record for {industry}; add it during QBR preparation."
    goals = quote(customer.goals)
    competitors = quote(customer.competitors)
    return BusinessContext(
        industry_trends=trends,
        customer_goals=f"In the customer's words: {goals}"
        if goals
        else "No customer goals on record; confirm them in the first weeks of the plan.",
        competitive_landscape=_competition(situation, competitors),
    )


def _competition(situation: Situation, competitors: str | None) -> str:
    """Competitors on record and, when the data shows an evaluation, its evidence and what it threatens."""
    evaluation = next((c for c in situation.register if c.cause == "competition"), None)
    parts = [f"Competitors on record: {competitors}." if competitors else "No competitor on record."]
    if evaluation is not None:
        evidence = "; ".join(evaluation.evidence[:2])
        parts.append(f"Active evaluation: {evidence}" + (f" (threatens {evaluation.threatens})." if evaluation.threatens else "."))
    elif not competitors:
        parts.append(f"Ask {situation.champion.name if situation.champion else 'the main contact'} which alternatives were evaluated.")
    return " ".join(parts)
