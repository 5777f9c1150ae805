"""The authorization matrix: every role against every action on a plan in someone's book."""

from __future__ import annotations

import pytest

from storage.errors import PermissionDenied
from tools.plans.policy import ACTIONS, Actor, PlanOwnership, authorize, decide, may, may_review_for

CARL = Actor(email="carl@example.com", role="csm", manager_email="maya@example.com")
OTHER_CSM = Actor(email="dina@example.com", role="csm", manager_email="mo@example.com")
MAYA = Actor(email="maya@example.com", role="manager")
MO = Actor(email="mo@example.com", role="manager")
ADA = Actor(email="ada@example.com", role="admin")
OPERATOR = Actor.operator()

CARLS_PLAN = PlanOwnership(csm_email="carl@example.com", csm_manager_email="maya@example.com")
SUBMITTED_BY_CARL = PlanOwnership(
    csm_email="carl@example.com", csm_manager_email="maya@example.com", submitted_by="carl@example.com"
)

Y, N = True, False
# action:  view export generate edit track submit approve request_changes reject activate reopen draft_book
MATRIX: dict[str, tuple[Actor, tuple[bool, ...]]] = {
    "owner csm": (CARL, (Y, Y, Y, Y, Y, Y, N, N, N, Y, Y, Y)),
    "another csm": (OTHER_CSM, (N, N, N, N, N, N, N, N, N, N, N, N)),
    # A manager drafts their team's books in bulk, though not one plan at a time.
    "owner's manager": (MAYA, (Y, Y, N, N, Y, N, Y, Y, Y, Y, N, Y)),
    # Any manager may mark actions done or decide change proposals (covering for a CSM).
    "another manager": (MO, (N, N, N, N, Y, N, N, N, N, N, N, N)),
    "admin": (ADA, (Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y)),
    "terminal operator": (OPERATOR, (Y, Y, Y, Y, Y, Y, N, N, N, Y, Y, Y)),
}


@pytest.mark.parametrize("who", list(MATRIX))
@pytest.mark.parametrize("action_index", range(len(ACTIONS)), ids=list(ACTIONS))
def test_authorization_matrix(who: str, action_index: int) -> None:
    actor, expected = MATRIX[who]
    action = ACTIONS[action_index]
    decision = decide(action, actor, SUBMITTED_BY_CARL)
    assert decision.allowed is expected[action_index], decision.reason
    assert decision.reason  # every answer explains itself


def test_denials_raise_with_the_reason() -> None:
    with pytest.raises(PermissionDenied, match=r"only maya@example\.com or an admin can approve"):
        authorize("approve", MO, CARLS_PLAN)
    with pytest.raises(PermissionDenied, match="your own book"):
        authorize("edit", OTHER_CSM, CARLS_PLAN)
    with pytest.raises(PermissionDenied, match="--as EMAIL"):
        authorize("reject", OPERATOR, CARLS_PLAN)


def test_no_self_approval_even_for_admins() -> None:
    admins_own_plan = PlanOwnership(csm_email="ada@example.com", csm_manager_email="ada@example.com")
    assert not may("approve", ADA, admins_own_plan)
    submitted_by_admin = PlanOwnership(
        csm_email="carl@example.com", csm_manager_email="maya@example.com", submitted_by="ada@example.com"
    )
    decision = decide("approve", ADA, submitted_by_admin)
    assert not decision.allowed and "you submitted this plan" in decision.reason
    # The manager may still approve what the admin submitted on the CSM's behalf.
    assert may("approve", MAYA, submitted_by_admin)


def test_manager_who_owns_a_book_cannot_approve_their_own_plan() -> None:
    mayas_plan = PlanOwnership(csm_email="maya@example.com", csm_manager_email="ada@example.com")
    assert may("edit", MAYA, mayas_plan)
    assert not may("approve", MAYA, mayas_plan)
    assert may("approve", ADA, mayas_plan)


def test_emails_compare_case_insensitively() -> None:
    shouting = PlanOwnership(csm_email="Carl@Example.com", csm_manager_email="MAYA@example.com")
    assert may("edit", CARL, shouting)
    assert may("approve", MAYA, shouting)


def test_a_csm_named_as_manager_is_not_a_reviewer() -> None:
    """Reviewing needs the manager role, not just being someone's manager_email."""
    odd = PlanOwnership(csm_email="dina@example.com", csm_manager_email="carl@example.com")
    assert not may("approve", CARL, odd)


def test_plan_without_a_csm_is_only_for_admins_and_operator() -> None:
    orphan = PlanOwnership(csm_email=None)
    assert not may("edit", CARL, orphan)
    assert not may("approve", MAYA, orphan)
    assert may("approve", ADA, orphan)
    assert may("edit", OPERATOR, orphan)


def test_may_review_for() -> None:
    assert may_review_for(MAYA, CARL)
    assert not may_review_for(MO, CARL)
    assert may_review_for(ADA, CARL)
    assert not may_review_for(ADA, Actor(email="ada@example.com", role="admin"))


def test_a_team_is_drafted_by_its_manager_only() -> None:
    mayas_team = PlanOwnership(csm_email=None, csm_manager_email="maya@example.com", csm_manager_name="Maya")
    assert may("draft_book", MAYA, mayas_team) and may("draft_book", ADA, mayas_team)
    with pytest.raises(PermissionDenied, match="your own book or your team's \\(this is Maya's team\\)"):
        authorize("draft_book", MO, mayas_team)
    with pytest.raises(PermissionDenied, match="only draft your own book \\(this is Maya's team\\)"):
        authorize("draft_book", CARL, mayas_team)
    carls_book = PlanOwnership(
        csm_email="carl@example.com", csm_name="Carl", csm_manager_email="maya@example.com"
    )
    with pytest.raises(PermissionDenied, match="only draft your own book \\(this is Carl's book\\)"):
        authorize("draft_book", OTHER_CSM, carls_book)
