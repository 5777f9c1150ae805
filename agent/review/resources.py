"""The resource plan matches the account: the touch model and hours fit the segment, the cadence
fits the hours (and a tech-touch account gets no standing executive meetings), and the objectives
have the people they need (an account executive for growth, enablement for adoption)."""

from __future__ import annotations

import re

from agent.review.facts import ReviewFacts

# Segment -> (touch, lowest and highest monthly CSM hours a plan should ask for, risk included).
SEGMENT_HOURS: dict[str, tuple[str, int, int]] = {
    "smb": ("tech-touch", 1, 10),
    "mid-market": ("medium-touch", 4, 24),
    "midmarket": ("medium-touch", 4, 24),
    "enterprise": ("high-touch", 8, 50),
    "strategic": ("high-touch", 12, 60),
}
TECH_TOUCH = re.compile(r"tech[- ]touch|pooled|digital[- ]led|scaled|one[- ]to[- ]many|low[- ]touch", re.I)
HIGH_TOUCH = re.compile(r"high[- ]touch|dedicated|on[- ]?site", re.I)
# Touches per month a cadence word implies, and the hours that takes at the least.
CADENCE_HOURS = (
    (re.compile(r"\bdaily\b", re.I), 10, "daily"),
    (re.compile(r"\bweekly\b(?<!bi-weekly)", re.I), 4, "weekly"),
)
STANDING_EXEC = re.compile(r"\b(weekly|bi-?weekly|monthly|every (?:week|month|two weeks))\b", re.I)
GROWTH = re.compile(
    r"\bexpansion\b|\bexpand (?:the )?(?:account|footprint|contract|seats|licen[cs]es|into)\b|up-?sell|cross-sell|new (?:use case|team|department|region)s?|\bARR growth\b|"
    r"\bgrow (?:the )?(?:account|ARR|revenue|footprint|contract|spend)",
    re.I,
)
ADOPTION = re.compile(r"adoption|utili[sz]ation|enablement|\btrain\w*|onboard\w*|usage|activation", re.I)
COMMERCIAL = re.compile(
    r"account executive|\bAE\b|sales|account manager|commercial|renewals? (?:manager|team)", re.I
)
ENABLEMENT = re.compile(
    r"solutions? (?:engineer|architect|consultant)|enablement|training|trainer|onboarding|implementation|"
    r"professional services|technical|adoption|\bSE\b|academy|customer education",
    re.I,
)


def _segment(facts: ReviewFacts) -> str:
    return (facts.context.customer.segment or "").strip().lower()


def check(facts: ReviewFacts) -> None:
    plan = facts.document.resource_plan
    segment = _segment(facts)
    expected = SEGMENT_HOURS.get(segment)
    hours = plan.csm_hours_per_month
    model = plan.engagement_model
    if expected is not None:
        touch, low, high = expected
        if not low <= hours <= high:
            facts.warning(
                "resources_segment_mismatch",
                "resource_plan.csm_hours_per_month",
                f"{hours} CSM hours a month for a {segment} account; {touch} accounts usually get {low}-{high}.",
                f"Bring the hours into {low}-{high}, or say in the rationale why this account needs more.",
            )
        if touch == "tech-touch" and HIGH_TOUCH.search(model) and not TECH_TOUCH.search(model):
            facts.warning(
                "resources_segment_mismatch",
                "resource_plan.engagement_model",
                f"A {segment} account with a high-touch model ('{model}').",
                "Use the tech-touch model for this segment, or explain the exception in the rationale.",
            )
        if touch == "high-touch" and TECH_TOUCH.search(model):
            facts.warning(
                "resources_segment_mismatch",
                "resource_plan.engagement_model",
                f"A {segment} account on a tech-touch model ('{model}').",
                "Give a named CSM to an account of this size.",
            )
    for pattern, least, word in CADENCE_HOURS:
        if pattern.search(model) and hours < least:
            facts.error(
                "resources_cadence_mismatch",
                "resource_plan.csm_hours_per_month",
                f"The engagement model promises {word} contact, but the plan gives the CSM {hours} hours a month.",
                f"Give at least {least} hours a month, or a cadence the hours can carry.",
            )
            break
    if TECH_TOUCH.search(model) and (standing := STANDING_EXEC.search(plan.executive_alignment)):
        facts.error(
            "resources_cadence_mismatch",
            "resource_plan.executive_alignment",
            f"A tech-touch account with a {standing.group(0).lower()} executive meeting "
            f"('{plan.executive_alignment}').",
            "Keep executive contact to the QBRs (or an escalation) for a tech-touch account, or move it to a "
            "higher-touch model.",
        )
    objectives = facts.document.strategic_objectives
    staffed = " ".join([model, plan.executive_alignment, *plan.specialists])
    growth = any(GROWTH.search(o.objective) for o in objectives)
    if growth and not COMMERCIAL.search(staffed):
        facts.warning(
            "resources_objectives_mismatch",
            "resource_plan.specialists",
            "The plan has a growth objective but no account executive (or other commercial owner) in the resource plan.",
            "Add the account executive who will work the expansion.",
        )
    adoption = any(ADOPTION.search(o.objective) for o in objectives)
    if adoption and not ENABLEMENT.search(staffed) and not TECH_TOUCH.search(model):
        facts.warning(
            "resources_objectives_mismatch",
            "resource_plan.specialists",
            "The plan has an adoption objective but nobody for enablement or training in the resource plan.",
            "Add a solutions engineer or enablement specialist, or a training programme.",
        )
