"""The last held-out table: written after the fixes the fresh table (`test_revise_fresh.py`) drove,
and not tuned for; its first run is the README's figure for wording nobody has seen. A fifth account
(Apex Works) appears only here. Rows are checked on the saved plan, as in the other tables.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.agent.revise_table import (
    Row,
    Template,
    action_field,
    all_of,
    answered,
    attendees,
    build_template,
    check_table,
    metric_value,
    milestone_moved,
    not_understood,
    objective_field,
    objective_removed,
    qbr_on,
    refused,
    relationship_target,
    risk_removed,
    risk_severity,
    submitted,
    unchanged,
)
from tests.conftest import run_in_fresh_loop

MIN_SHARE_RIGHT = 0.9  # its first (untuned) run: 25/26; see the README
D = date

ROWS: list[Row] = [
    # Apex Works
    Row("aw", "the payment risk is sorted, they paid last week", risk_removed("late payment")),
    Row("aw", "bump the support escalation to high", risk_severity("high", "support escalation")),
    Row("aw", "who's running the post-incident review?", answered("Post-incident review", "CSM")),
    Row("aw", "pull the pre-renewal QBR forward two weeks", qbr_on("Q1", D(2027, 3, 12))),
    Row("aw", "add Chloe to the pre-renewal QBR", attendees(["Q1"], has=["Chloe Petrov"])),
    Row("aw", "new champion objective is top priority", unchanged("already")),
    Row(
        "aw",
        "move the joint exec planning session into Q4",
        milestone_moved(("executive engagement",), "Q3", ("joint executive planning",), "Q4"),
    ),
    Row(
        "aw", "the escalation owner action is done", action_field(("escalation owner named",), status="done")
    ),
    Row("aw", "give the weekly sync to Quinn", action_field(("weekly sync",), owner="Quinn Chandra")),
    Row("aw", "Can you set active seats target to 300?", metric_value("active seats", 300)),
    Row("aw", "what's our renewal date again?", answered("Jun 9, 2027")),
    Row(
        "aw",
        "drop the measurable goals objective, we'll track that in the QBRs",
        objective_removed("measurable goals"),
    ),
    Row("aw", "please approve so I can share with the customer", refused, decision=True),
    Row("aw", "send for sign off", submitted),
    # TechCorp Industries
    Row(
        "tc",
        "push the enablement session to week 6 and make Priya the owner",
        all_of(
            action_field(("enablement session",), week=6),
            action_field(("enablement session",), owner="Priya Patel"),
        ),
    ),
    Row("tc", "what does objective 4 need to hit?", answered("Grow ARR")),
    Row("tc", "flag the competitor risk as critical", risk_severity("critical", "competitive")),
    Row("tc", "Sarah doesn't need to attend the Q4 QBR", attendees(["Q4"], lacks=["Sarah Chen"])),
    # Lakeshore Bank
    Row("lb", "lower the recovery objective to high", objective_field(("renewal status",), priority="high")),
    Row("lb", "what's in week 3?", answered("Value story", "written recovery plan")),
    Row("lb", "set Zoe's relationship target to 50", relationship_target("Zoe Chandra", 50)),
    # Quarry Health
    Row(
        "qh",
        "the Q2 value review with Ivan should move to Q3",
        milestone_moved(("renewal",), "Q2", ("value review",), "Q3"),
    ),
    Row("qh", "snooze the 1:1s", action_field(("1:1s",), status="snoozed")),
    # Cobalt Dynamics
    Row("cd", "remove Dana from all QBRs", attendees(["Q1", "Q2", "Q3", "Q4"], lacks=["Dana Zimmerman"])),
    Row("cd", "raise the health target on the outcomes objective to 55", metric_value("health score", 55)),
    Row("cd", "hmm can we make the plan more concise", not_understood),
]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return run_in_fresh_loop(build_template(tmp_path_factory.mktemp("unseen")))


async def test_the_parser_understands_wording_nobody_has_seen(template: Template, tmp_path: Path) -> None:
    assert len(ROWS) >= 25
    await check_table(template, tmp_path, ROWS, "unseen requests right", MIN_SHARE_RIGHT)
