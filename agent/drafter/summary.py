"""Executive summary and business context: the account in a paragraph, with its numbers, and the
customer's own words quoted (never interpreted). Gaps in the data are said, not filled in."""

from __future__ import annotations

from agent.drafter.expansion import expansion_summary
from agent.drafter.situation import Situation
from agent.drafter.text import day, money, names, pct, quote
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
        facts.append(f"renewal on {day(customer.renewal_date)} ({situation.days_to_renewal} days)")
    return f"{customer.name} is a {size}{segment}account{industry} with {names(facts)}."


def draft_executive_summary(situation: Situation, objectives: list[StrategicObjective]) -> str:
    parts = [_profile(situation)]
    risks = situation.context.risks.risks
    if situation.at_risk and risks:
        parts.append(f"The account is at risk: {names([r.title.lower() for r in risks[:3]])}.")
    elif risks:
        parts.append(f"Watch: {names([r.title.lower() for r in risks[:2]])}.")
    if situation.context.coverage.single_threaded and situation.anchor_contact is not None:
        parts.append(f"The relationship is single-threaded through {situation.anchor_contact.name}.")
    top = [o.objective[0].lower() + o.objective[1:] for o in objectives[:3]]
    parts.append(f"{situation.fiscal_year} priorities: {'; '.join(top)}.")
    parts.append(expansion_summary(situation))
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
        competitive_landscape=(
            f"Competitors on record: {competitors}"
            if competitors
            else "No competitor on record; ask the champion which alternatives were evaluated."
        ),
    )
