"""The plan review: deterministic checks that read a plan the way an experienced Customer Success
leader would, against the account's data. Errors are what a manager would send back (a
contradiction, the wrong person, an impossible date); warnings are worth a look.

    review = review_plan(document, context)      # -> PlanReview
    review.findings / review.errors / review.warnings / review.to_json()

A concern per module: targets (measures, priorities), timing (events, quarters, the 90 days),
people, risks, expansion, actions (the 90-day plan's coverage and load), resources, text.
`store` keeps the review with the plan in `generation_context["review"]`.
"""

from agent.review.model import Finding, FindingSeverity, PlanReview
from agent.review.run import review_plan
from agent.review.store import (
    REVIEW_KEY,
    review_finisher,
    stored_review,
    with_fresh_review,
    with_review,
    with_review_of_edit,
)

__all__ = [
    "REVIEW_KEY",
    "Finding",
    "FindingSeverity",
    "PlanReview",
    "review_finisher",
    "review_plan",
    "stored_review",
    "with_fresh_review",
    "with_review",
    "with_review_of_edit",
]
