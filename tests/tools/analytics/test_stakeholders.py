from __future__ import annotations

from dataclasses import dataclass

from tools.analytics.relationships import RelationshipScore
from tools.analytics.snapshot import ContactInsight
from tools.analytics.stakeholders import assess_coverage


@dataclass
class Person:
    id: str
    name: str
    title: str | None
    role: str
    engagement_level: str | None = "high"
    active: bool = True


def test_full_coverage_is_not_single_threaded() -> None:
    coverage = assess_coverage(
        [
            Person("1", "Ann", "CTO", "exec_sponsor"),
            Person("2", "Bo", "Director of Product", "champion"),
            Person("3", "Cy", "Product Manager", "champion", "medium"),
            Person("4", "Di", "Head of Engineering", "technical_buyer"),
            Person("5", "Ed", "CFO", "economic_buyer", "low"),
        ]
    )
    assert coverage.missing_roles == []
    assert coverage.has_exec_sponsor and coverage.covered_roles["exec_sponsor"] == ["1"]
    assert coverage.champion_count == 2
    assert coverage.covered_roles["economic_buyer"] == ["5"]
    assert coverage.active_contacts == 5 and coverage.engaged_contacts == 4
    assert not coverage.single_threaded
    assert coverage.senior_threads == ["1", "2", "4"]


def test_techcorp_like_account_is_single_threaded_and_lists_what_is_missing() -> None:
    coverage = assess_coverage(
        [
            Person("sarah", "Sarah Chen", "VP Product", "champion", "high"),
            Person("m", "Mo", "Engineering Manager", "technical_buyer", "medium"),
            Person("u", "Uma", "Analyst", "user", "high"),
            Person("l", "Lee", "Director of Ops", "user", "low"),
        ]
    )
    assert coverage.single_threaded
    assert coverage.senior_threads == ["sarah"]
    assert (
        "Sarah Chen (VP Product) is the only contact at director level or above with a working relationship"
        in coverage.explanation
    )
    assert coverage.missing_roles == ["executive sponsor (VP+)", "2nd champion", "economic buyer"]
    assert not coverage.has_exec_sponsor


def test_sponsor_below_vp_does_not_count_as_executive_sponsor() -> None:
    coverage = assess_coverage([Person("1", "Dee", "Director of IT", "exec_sponsor")])
    assert not coverage.has_exec_sponsor
    assert "executive sponsor (VP+)" in coverage.missing_roles
    assert "below VP level" in coverage.explanation


def test_departed_contacts_are_listed_and_do_not_fill_roles() -> None:
    coverage = assess_coverage(
        [
            Person("1", "Gone Champion", "VP Sales", "champion", "high", active=False),
            Person("2", "Stay", "Director", "champion", "high"),
            Person("3", "Other", "SVP Finance", "economic_buyer", "medium"),
        ]
    )
    assert [(d.contact_id, d.role) for d in coverage.departed] == [("1", "champion")]
    assert coverage.champion_count == 1
    assert coverage.active_contacts == 2
    assert "2nd champion" in coverage.missing_roles
    assert "departed: Gone Champion (VP Sales), champion" in coverage.explanation
    assert not coverage.single_threaded


def test_no_contacts_misses_everything() -> None:
    coverage = assess_coverage([])
    assert coverage.single_threaded
    assert coverage.missing_roles == [
        "executive sponsor (VP+)",
        "champion",
        "2nd champion",
        "technical buyer",
        "economic buyer",
    ]
    assert "no contact at director level or above with a working relationship" in coverage.explanation


def scored(contact_id: str, name: str, title: str, role: str, engagement: str, score: int) -> ContactInsight:
    relationship = RelationshipScore(
        contact_id=contact_id, score=score, components={}, weights={}, explanation=""
    )
    return ContactInsight(
        id=contact_id,
        name=name,
        title=title,
        role=role,
        email=None,
        engagement_level=engagement,
        last_contacted=None,
        active=True,
        relationship=relationship,
    )


def test_scored_contacts_count_as_threads_only_with_a_working_relationship() -> None:
    # TechCorp's shape: Sarah (VP, 78) is a real thread; Marcus (director, medium engagement, 54) is not yet.
    contacts = [
        scored("sarah", "Sarah Chen", "VP Product", "champion", "high", 78),
        scored("marcus", "Marcus Webb", "Director of Engineering", "technical_buyer", "medium", 54),
    ]
    coverage = assess_coverage(contacts)
    assert coverage.single_threaded and coverage.senior_threads == ["sarah"]
    assert coverage.engaged_contacts == 2
    warmer = assess_coverage(
        [contacts[0], scored("marcus", "Marcus Webb", "Director", "technical_buyer", "medium", 65)]
    )
    assert not warmer.single_threaded
