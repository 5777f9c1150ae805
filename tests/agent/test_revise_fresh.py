"""A second held-out table: requests written after the parser was improved against
`test_revise_heldout.py`, and never tuned for. Its figure is what to expect on wording nobody has
seen; the README states it beside the other two. A fourth account (Cobalt Dynamics) appears only
here. Rows are checked on the saved plan, as in the other tables.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.agent.revise_table import (
    Row,
    Template,
    action_field,
    action_removed,
    all_of,
    answered,
    answered_number,
    asks,
    attendees,
    build_template,
    check_table,
    metric_value,
    milestone_moved,
    not_understood,
    objective_field,
    qbr_on,
    refused,
    relationship_target,
    risk_added,
    risk_severity,
    submitted,
    unchanged,
    week_field,
)
from tests.conftest import run_in_fresh_loop

MIN_SHARE_RIGHT = 0.95  # 27/36 (75%) on its first run, 36/36 after the fixes it drove; see the README
D = date

ROWS: list[Row] = [
    # TechCorp Industries
    Row(
        "tc",
        "pls bump the time to resolution goal to high prio",
        objective_field(("measurable goals",), priority="high"),
    ),
    Row("tc", "Q2 QBR: add Rachel Torres", attendees(["Q2"], has=["Rachel Torres"])),
    Row(
        "tc", "can u push the usage review back by a week?", action_field(("pull the usage report",), week=3)
    ),
    Row(
        "tc",
        "I think the negative sentiment risk is overblown, drop it to low",
        risk_severity("low", "negative sentiment"),
    ),
    Row(
        "tc",
        "Who's on the hook for the renewal business case?",
        answered("renewal business case", "CSM"),
    ),
    Row("tc", "move both progress checks in week 12 to week 11", week_field(12, week=11)),
    Row(
        "tc",
        "the value review with Sarah should land in Q3",
        milestone_moved(("renewal",), "Q2", ("value review",), "Q3"),
    ),
    Row(
        "tc",
        "target 8 engaged contacts on the exec engagement objective",
        metric_value("engaged contacts", 8),
    ),
    Row(
        "tc",
        "add a medium risk - EMEA support team may churn to Zendesk",
        risk_added("medium", "zendesk"),
    ),
    Row(
        "tc",
        "David Kim and Rachel Torres should both be at the Q3 QBR",
        attendees(["Q3"], has=["David Kim", "Rachel Torres"]),
    ),
    Row(
        "tc",
        "cancel the weekly sync with Sarah, we meet at the QBR anyway",
        action_removed("weekly sync"),
    ),
    Row("tc", "what's the plan for the Premium analytics deal?", answered("Premium analytics")),
    Row("tc", "Can we reschedule the Feb QBR to the 22nd?", qbr_on("Q1", D(2027, 2, 22))),
    Row("tc", "approve it, Morgan said it's fine", refused, decision=True),
    Row("tc", "obj 4 owner -> customer", objective_field(("grow arr",), owner="Customer")),
    # Lakeshore Bank
    Row("lb", "recovery plan objective: make it high", objective_field(("renewal status",), priority="high")),
    Row(
        "lb",
        "move the Q1 QBR up a week and add Quinn Xu to it",
        all_of(qbr_on("Q1", D(2027, 2, 8)), attendees(["Q1"], has=["Quinn Xu"])),
    ),
    Row(
        "lb",
        "mark the first two actions done",
        all_of(
            action_field(("fix in the crm",), status="done"),
            action_field(("find out who takes over",), status="done"),
        ),
    ),
    Row(
        "lb",
        "Hannah Tanaka should own the value story re-run",
        action_field(("value story",), owner="Hannah Tanaka"),
    ),
    Row("lb", "set the severity of the champion risk to high", risk_severity("high", "departed key contact")),
    Row("lb", "what's the health target?", answered("68")),
    Row("lb", "pls submit this for my manager's review", submitted),
    # Quarry Health
    Row("qh", "Liam should own the QBR deck prep", action_field(("qbr deck",), owner="Liam Yilmaz")),
    Row("qh", "push the Q2 QBR to the week of June 7", qbr_on("Q2", D(2027, 6, 7), D(2027, 6, 11))),
    Row("qh", "expansion objective -> critical", objective_field(("grow arr",), priority="critical")),
    Row(
        "qh",
        "Add objective: Automate onboarding workflows for new hires (high)",
        unchanged("5 objectives"),
    ),
    Row("qh", "raise Felix Yilmaz's target score to 65", relationship_target("Felix Yilmaz", 65)),
    # Cobalt Dynamics
    Row(
        "cd",
        "make the data gaps objective critical and push its Q2 milestone to Q3",
        all_of(
            objective_field(("data gaps",), priority="critical"),
            milestone_moved(("data gaps",), "Q2", (), "Q3"),
        ),
    ),
    Row("cd", "take Rahul off the Q3 QBR", attendees(["Q3"], lacks=["Rahul Xu"])),
    Row("cd", "usage is at 41% now", metric_value("feature utilization", 41, field="current")),
    Row("cd", "snooze everything in week 10", week_field(10, status="snoozed")),
    Row("cd", "how many risks are there?", answered_number(3)),
    Row(
        "cd",
        "hey, could you reschedule the Q4 review to mid-October?",
        qbr_on("Q4", D(2027, 10, 13), D(2027, 10, 18)),
    ),
    Row("cd", "rubber stamp this one for me", refused, decision=True),
    Row("cd", "can you make the plan shorter", not_understood),
    Row("cd", "move the progress check to week 9", asks("progress check")),
]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return run_in_fresh_loop(build_template(tmp_path_factory.mktemp("fresh")))


async def test_the_parser_understands_requests_nobody_tuned_for(template: Template, tmp_path: Path) -> None:
    assert len(ROWS) >= 30
    await check_table(template, tmp_path, ROWS, "fresh requests right", MIN_SHARE_RIGHT)
