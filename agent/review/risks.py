"""Risks: one risk per underlying cause (a signal, a departed contact and a coverage gap about the
same thing are one risk with all its evidence); each mitigation fits its risk; counts of risks in
metrics agree with the register."""

from __future__ import annotations

import re
from collections import defaultdict

from agent.review.facts import ReviewFacts
from agent.review.measures import metric_number
from agent.review.wording import and_list, short

# Cause -> how a risk names it. A risk's cause is the one named first in its text.
CAUSES: dict[str, re.Pattern[str]] = {
    "departed_contact": re.compile(
        r"\bdepart\w*|left the company|\bhas left\b|champion (?:left|lost|leaving)|sponsor (?:left|leaving)|"
        r"(?:lost|losing) (?:our |the |their )?(?:champion|sponsor)",
        re.I,
    ),
    "single_threaded": re.compile(
        r"single[- ]?thread\w*|multi[- ]?thread\w*|only one (?:senior )?(?:contact|thread)", re.I
    ),
    "health": re.compile(r"\bhealth\b", re.I),
    "adoption": re.compile(
        r"\busage\b|adoption|utili[sz]ation|active users|logins?\b|idle seats|unused seats", re.I
    ),
    "renewal": re.compile(r"\brenewal\b", re.I),
    "competitor": re.compile(r"compet\w*|alternatives?\b|\brival|\brfp\b|switch\w* (?:to|vendor)", re.I),
    "budget": re.compile(r"budget|pric\w*|cost[- ]cut\w*|downgrad\w*|spend\b", re.I),
    "support": re.compile(r"escalat\w*|tickets?\b|outage|incident|\bbugs?\b|support|defect|\bsla\b", re.I),
    "payment": re.compile(r"payment|invoice|billing|overdue", re.I),
    "sentiment": re.compile(r"sentiment|frustrat\w*|unhappy|dissatisf\w*|complain\w*|negative", re.I),
    "leadership": re.compile(
        r"executive change|leadership|re-?org\w*|new (?:cio|ceo|cto|cfo|coo|vp)\b|acquisition|merger", re.I
    ),
}
CAUSE_NAMES = {
    "departed_contact": "a departed contact",
    "single_threaded": "single-threading",
    "health": "the health score",
    "adoption": "adoption",
    "renewal": "the renewal",
    "competitor": "the competitive threat",
    "budget": "budget or pricing",
    "support": "support issues",
    "payment": "payment",
    "sentiment": "negative sentiment",
    "leadership": "a leadership change",
}
# Causes an account has at most one of: two risks about them are the same risk.
ONE_PER_ACCOUNT = frozenset({"single_threaded", "health", "adoption", "renewal", "sentiment"})
FITS: dict[str, re.Pattern[str]] = {
    "departed_contact": re.compile(
        r"champion|successor|replac\w*|sponsor|relationship|introduc\w*|identif\w*|new\b|hand-?over|transition|contact",
        re.I,
    ),
    "single_threaded": re.compile(
        r"multi[- ]?thread\w*|introduc\w*|sponsor|economic buyer|executive|exec\b|stakeholder|contacts|relationship|broaden|widen|second|additional|more people|champion",
        re.I,
    ),
    "health": re.compile(
        r"root[- ]cause|recover\w*|health|diagnos\w*|review|success plan|escalat\w*|value|get[- ]well", re.I
    ),
    "adoption": re.compile(
        r"usage|adoption|enabl\w*|train\w*|onboard\w*|workshop|feature|utili[sz]\w*|activat\w*|office hours|webinar|in-app|playbook",
        re.I,
    ),
    "renewal": re.compile(
        r"renew\w*|proposal|terms|commercial|contract|value|business case|negotiat\w*|order form|pricing",
        re.I,
    ),
    "competitor": re.compile(
        r"compet\w*|alternative|differentiat\w*|value|roi\b|outcomes?|comparison|roadmap|business case|pricing|battle ?card",
        re.I,
    ),
    "budget": re.compile(
        r"roi\b|budget|value|business case|terms|pric\w*|cost|financ\w*|procurement|discount|scope", re.I
    ),
    "support": re.compile(
        r"escalat\w*|tickets?|support|fix\w*|incident|resolv\w*|root[- ]cause|engineering|status|\bsla\b|post-incident",
        re.I,
    ),
    "payment": re.compile(
        r"financ\w*|billing|invoice|payment|accounts (?:payable|receivable)|collections?", re.I
    ),
    "sentiment": re.compile(
        r"listen\w*|call\w*|feedback|concerns?|issues?|sentiment|survey|meet\w*|understand|apolog\w*|close the loop|executive",
        re.I,
    ),
    "leadership": re.compile(
        r"leader\w*|meet\w*|introduc\w*|new\b|re-?present|sponsor|executive|priorit\w*|align\w*", re.I
    ),
}
RISK_COUNT_METRIC = re.compile(
    r"\b(?:open )?(?:high|critical)(?:[/ -]+(?:or )?(?:high|critical))?\b.{0,20}\brisks?\b", re.I
)
HIGH = frozenset({"high", "critical"})


# Every cause in one pattern, in CAUSES order: the leftmost match is the cause named first, and at
# one position the earlier alternative wins, as the earlier cause does. One scan, not eleven.
FIRST_CAUSE = re.compile(
    "|".join(f"(?P<{cause}>{pattern.pattern})" for cause, pattern in CAUSES.items()), re.I
)


def cause_of(text: str) -> str | None:
    """The cause a risk is about: the one its text names first."""
    match = FIRST_CAUSE.search(text)
    return match.lastgroup if match else None


def _subject(facts: ReviewFacts, text: str) -> str:
    """Who a departed-contact risk is about (two departures are two risks)."""
    lowered = text.lower()
    return next((name for name in facts.contacts_by_name if name and name in lowered), "")


def check(facts: ReviewFacts) -> None:
    risks = facts.document.risk_mitigation.identified_risks
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    causes: list[str | None] = []
    for i, risk in enumerate(risks):
        cause = cause_of(risk.risk)
        causes.append(cause)
        if cause is not None:
            subject = _subject(facts, risk.risk) if cause == "departed_contact" else ""
            groups[(cause, subject)].append(i)
    for (cause, subject), members in groups.items():
        if len(members) < 2:
            continue
        numbers = and_list([str(i + 1) for i in members])
        about = f"{CAUSE_NAMES[cause]} ({subject.title()})" if subject else CAUSE_NAMES[cause]
        same = cause in ONE_PER_ACCOUNT or cause == "departed_contact"
        for i in members[1:]:
            facts.report(
                "duplicate_risk",
                "error" if same else "warning",
                f"risk_mitigation.identified_risks[{i}]",
                f"Risks {numbers} are all about {about}"
                + (": one cause, one risk." if same else ": check whether they are the same risk."),
                f"Merge them into risk {members[0] + 1} with all the evidence and one mitigation.",
            )
    seen: dict[str, int] = {}
    for i, risk in enumerate(risks):
        key = " ".join(risk.mitigation.lower().split())
        first = seen.setdefault(key, i)
        if first != i and causes[first] != causes[i]:
            facts.warning(
                "repeated_mitigation",
                f"risk_mitigation.identified_risks[{i}].mitigation",
                f"Risks {first + 1} and {i + 1} have the same mitigation word for word, for different risks.",
                f"Write a mitigation for risk {i + 1} that answers its own cause.",
            )
    for i, (risk, cause) in enumerate(zip(risks, causes, strict=True)):
        if cause is not None and not FITS[cause].search(risk.mitigation):
            facts.error(
                "mitigation_mismatch",
                f"risk_mitigation.identified_risks[{i}].mitigation",
                f"Risk {i + 1} is about {CAUSE_NAMES[cause]}, but its mitigation "
                f"('{short(risk.mitigation)}') does not address that.",
                f"Write a mitigation for {CAUSE_NAMES[cause]}: who does what, by when.",
            )
    high = sum(1 for risk in risks if risk.severity in HIGH)
    for i, objective in enumerate(facts.document.strategic_objectives):
        for j, metric in enumerate(objective.success_metrics):
            current = metric_number(metric.current)
            if current is None or not RISK_COUNT_METRIC.search(metric.metric) or current == high:
                continue
            facts.error(
                "risk_count_mismatch",
                f"strategic_objectives[{i}].success_metrics[{j}].current",
                f"Objective {i + 1}'s metric '{short(metric.metric, 40)}' starts at {current:.0f}, but the risk "
                f"register has {high} high or critical risks.",
                "Count the risks in the register (after merging duplicates).",
            )
