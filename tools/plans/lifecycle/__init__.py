"""The plan lifecycle: draft -> pending_review -> approved -> active, plus changes_requested and
rejected (both back to draft). `transitions` holds the state machine and its one write path,
`conflicts` explains a lost race, `editing` saves edited documents, `activation` starts plans,
`versions` knows the approved version in force, `parties` who owns and reviews a plan."""

from tools.plans.lifecycle.activation import activate, activate_started_plans, fiscal_year_start
from tools.plans.lifecycle.conflicts import DECISION_ACTIONS
from tools.plans.lifecycle.editing import EditResult, edit_plan
from tools.plans.lifecycle.parties import customer_ownership, ownership_of
from tools.plans.lifecycle.transitions import (
    MAX_COMMENT_CHARS,
    SURFACES,
    TRANSITIONS,
    TransitionResult,
    approve,
    check_transition,
    reject,
    request_changes,
    submit_for_approval,
    transition,
)
from tools.plans.lifecycle.versions import changes_since_approved, document_in_force

__all__ = [
    "DECISION_ACTIONS",
    "MAX_COMMENT_CHARS",
    "SURFACES",
    "TRANSITIONS",
    "EditResult",
    "TransitionResult",
    "activate",
    "activate_started_plans",
    "approve",
    "changes_since_approved",
    "check_transition",
    "customer_ownership",
    "document_in_force",
    "edit_plan",
    "fiscal_year_start",
    "ownership_of",
    "reject",
    "request_changes",
    "submit_for_approval",
    "transition",
]
