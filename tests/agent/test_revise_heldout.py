"""Held-out CSM requests: how well the intent parser understands wording it was not written from.

Written by a reviewer, before reading the parser, as CSMs type in Slack about three demo plans
(TechCorp Industries, Lakeshore Bank, Quarry Health): terse, chatty, with typos, British spelling,
references by content and position, relative dates, several parts, questions, corrections and
decisions asked for in disguise. Each row checks the effect on the saved plan. The parser was then
improved in general ways against this table (`tests/agent/test_revise_fresh.py` is the table nobody
tuned for); the figure is printed and a floor asserted.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.agent.revise_table import (
    Row,
    Template,
    action_added,
    action_field,
    action_removed,
    all_of,
    answered,
    answered_number,
    any_of,
    asks,
    attendees,
    build_template,
    check_table,
    metric_value,
    milestone_added,
    milestone_moved,
    milestone_state,
    not_submitted,
    not_understood,
    objective_added,
    objective_field,
    objective_removed,
    plan_field,
    qbr_on,
    refused,
    relationship_target,
    risk_added,
    risk_removed,
    risk_severity,
    submitted,
    unchanged,
    week_field,
)
from tests.conftest import run_in_fresh_loop

MIN_SHARE_RIGHT = 0.95  # 81/124 (65%) before the parser work it drove, 124/124 after; see the README

ADOPTION = ("adoption",)
RENEWAL = ("renewal",)
EXEC = ("executive engagement",)
ARR = ("grow arr",)
GOALS = ("measurable goals",)
D = date

ROWS: list[Row] = [
    # --- TechCorp Industries --------------------------------------------------------------------------
    # Objectives.
    Row("tc", "obj 2 -> critical", objective_field(EXEC, priority="critical")),
    Row(
        "tc",
        "hey can you bump the adoption goal up to 75% and push the Q1 QBR back a couple weeks",
        all_of(metric_value("feature utilization", 75), qbr_on("Q1", D(2027, 3, 1))),
    ),
    Row(
        "tc",
        "the renewal objective should be critical, not high",
        objective_field(RENEWAL, priority="critical"),
    ),
    Row(
        "tc",
        "can we drop the time-to-resolution objective? it's not something we can measure yet",
        objective_removed("time-to-resolution"),
    ),
    Row("tc", "knock the ARR growth objective down to medium", objective_field(ARR, priority="medium")),
    Row(
        "tc",
        "the customer owns the time to resolution goal, not us",
        objective_field(GOALS, owner="Customer"),
    ),
    Row(
        "tc",
        "rename the exec engagement objective to: Build a second executive relationship beyond Sarah Chen",
        objective_field(EXEC, objective="Build a second executive relationship beyond Sarah Chen"),
    ),
    Row(
        "tc",
        "Add an objective to launch an EMEA admin certification programme, medium priority",
        unchanged("5 objectives"),  # the plan already has the most it holds: say so, change nothing
    ),
    Row(
        "tc",
        "swap obj 3 and obj 5 priorities",
        all_of(objective_field(ADOPTION, priority="medium"), objective_field(GOALS, priority="high")),
    ),
    Row("tc", "chnage the priorty of objective 3 to critcal", objective_field(ADOPTION, priority="critical")),
    Row(
        "tc",
        "obj 5 to critical - actually make that high, not critical",
        objective_field(GOALS, priority="high"),
    ),
    Row(
        "tc",
        "don't submit it yet, just make obj 1 critical",
        all_of(objective_field(RENEWAL, priority="critical"), not_submitted),
    ),
    # Milestones.
    Row(
        "tc",
        "push the premium analytics close out to Q3",
        milestone_moved(ARR, "Q2", ("close",), "Q3"),
    ),
    Row(
        "tc",
        "the EMEA deal won't close till Q4, move it",
        milestone_moved(ARR, None, ("emea",), "Q4"),
    ),
    Row(
        "tc",
        "mark the usage review milestone as done",
        milestone_state(ADOPTION, "Q1", ("usage review",), done=True),
    ),
    Row(
        "tc",
        "reword the Q4 adoption milestone to 'Utilization at 70% for a full quarter'",
        milestone_state(ADOPTION, "Q4", (), reworded="Utilization at 70% for a full quarter"),
    ),
    Row(
        "tc",
        "add a Q2 milestone to the renewal objective: Renewal proposal sent to procurement",
        milestone_added(RENEWAL, "Q2", "renewal proposal sent to procurement"),
    ),
    Row("tc", "push the training one to Q3", milestone_moved(ADOPTION, "Q2", ("training",), "Q3")),
    Row(
        "tc",
        "the joint exec planning session should happen in Q3 not Q4",
        milestone_moved(EXEC, "Q4", ("joint executive planning",), "Q3"),
    ),
    # Success metrics.
    Row("tc", "we only need 5 engaged contacts, not 6", metric_value("engaged contacts", 5)),
    Row("tc", "health target 80 on the renewal objective pls", metric_value("health score", 80, RENEWAL)),
    Row("tc", "utilisation is at 58% now", metric_value("feature utilization", 58, field="current")),
    Row("tc", "bump the documented outcomes target to 4", metric_value("documented business outcomes", 4)),
    Row(
        "tc",
        "exec sponsors target should be 1, 2 is a stretch",
        metric_value("executive sponsors engaged", 1),
    ),
    # QBRs.
    Row("tc", "push the Q1 QBR a week", qbr_on("Q1", D(2027, 2, 22))),
    Row("tc", "move the Q3 QBR to the first week of August", qbr_on("Q3", D(2027, 8, 2), D(2027, 8, 6))),
    Row("tc", "Can we move the pre-renewal QBR to mid June?", qbr_on("Q2", D(2027, 6, 14), D(2027, 6, 18))),
    Row("tc", "bring the Q1 QBR forward to late January", qbr_on("Q1", D(2027, 1, 20), D(2027, 1, 29))),
    Row("tc", "move the Q2 QBR to 6/24", qbr_on("Q2", D(2027, 6, 24))),
    Row("tc", "reschedule the Q4 QBR to 3 Nov", qbr_on("Q4", D(2027, 11, 3))),
    Row("tc", "the Q4 QBR should be early in Q4", qbr_on("Q4", D(2027, 10, 1), D(2027, 10, 8))),
    Row("tc", "push the Q1 QBR to next month", qbr_on("Q1", D(2027, 3, 1), D(2027, 3, 19))),
    Row("tc", "move the Q3 QBR to Sept 1, sorry I meant Aug 30", qbr_on("Q3", D(2027, 8, 30))),
    Row(
        "tc", "add Marcus Webb and Priya to the Q1 QBR", attendees(["Q1"], has=["Marcus Webb", "Priya Patel"])
    ),
    Row("tc", "drop Sarah from the Q2 QBR, she's on leave in June", attendees(["Q2"], lacks=["Sarah Chen"])),
    Row("tc", "invite David to all the QBRs", attendees(["Q1", "Q2", "Q3", "Q4"], has=["David Kim"])),
    Row("tc", "add Tom Baker to the Q2 QBR", unchanged("Tom Baker")),
    Row(
        "tc",
        "push the Q1 QBR to early March and invite Marcus to it",
        all_of(qbr_on("Q1", D(2027, 3, 1), D(2027, 3, 9)), attendees(["Q1"], has=["Marcus Webb"])),
    ),
    # Risks.
    Row("tc", "remvoe the last risk", risk_removed("single-threaded")),
    Row("tc", "competitor risk -> high", risk_severity("high", "competitive")),
    Row("tc", "the David Kim risk can go, we sorted the export issue", risk_removed("david kim")),
    Row(
        "tc",
        "add a risk: Procurement wants a 15% discount at renewal - high",
        risk_added("high", "procurement wants a 15% discount"),
    ),
    Row(
        "tc",
        "new risk, medium: Sarah Chen's team is being reorganised",
        risk_added("medium", "reorganised"),
    ),
    Row("tc", "upgrade the single-threading risk to critical", risk_severity("critical", "single-threaded")),
    Row("tc", "delte risk 2", risk_removed("negative sentiment")),
    Row(
        "tc",
        "set the competitor risk to critical - actually no, make that high",
        risk_severity("high", "competitive"),
    ),
    # 90-day actions.
    Row(
        "tc",
        "mark the Sarah Chen intro action done",
        action_field(("ask sarah chen to introduce",), status="done"),
    ),
    Row("tc", "done: exec briefing", action_field(("executive briefing",), status="done")),
    Row("tc", "push the enablement session back 2 weeks", action_field(("enablement session",), week=7)),
    Row("tc", "move the business case action to week 5", asks("premium analytics", "renewal business case")),
    Row(
        "tc",
        "give the usage report pull to Priya Patel",
        action_field(("usage report",), owner="Priya Patel"),
    ),
    Row("tc", "snooze the weekly sync", action_field(("weekly sync",), status="snoozed")),
    Row("tc", "remove the action about the Gainsight evaluation", action_removed("evaluation of")),
    Row(
        "tc",
        "add an action for week 2: send Sarah Chen the renewal timeline, owner CSM",
        action_added(2, "CSM", "renewal timeline"),
    ),
    Row("tc", "Marcus should own everything in week 7", week_field(7, owner="Marcus Webb")),
    Row("tc", "QBR prep should happen in week 5 instead", action_field(("qbr deck",), week=5)),
    Row("tc", "snoze the 90 day review", action_field(("90-day review",), status="snoozed")),
    Row(
        "tc",
        "mark action 3 done, also snooze the weekly sync",
        all_of(
            action_field(("executive briefing",), status="done"),
            action_field(("weekly sync",), status="snoozed"),
        ),
    ),
    # Targets.
    Row("tc", "multithreading target 7", plan_field(lambda d: d.stakeholder_plan.multi_threading_target, 7)),
    Row("tc", "target ARR should be 290k", plan_field(lambda d: d.expansion_plan.target_arr, 290000)),
    Row("tc", "raise David's relationship target to 60", relationship_target("David Kim", 60)),
    Row(
        "tc",
        "Set target ARR to $310K and the multi-threading target to 5",
        all_of(
            plan_field(lambda d: d.expansion_plan.target_arr, 310000),
            plan_field(lambda d: d.stakeholder_plan.multi_threading_target, 5),
        ),
    ),
    # Several parts, bullets and lines.
    Row(
        "tc",
        "couple of things:\n- obj 5 to high\n- remove the David Kim risk\n- add Priya to the Q2 QBR",
        all_of(
            objective_field(GOALS, priority="high"),
            risk_removed("david kim"),
            attendees(["Q2"], has=["Priya Patel"]),
        ),
    ),
    # Questions.
    Row("tc", "who owns the adoption objective?", answered("the CSM and the customer")),
    Row("tc", "how many actions are due in week 2?", answered_number(3)),
    Row("tc", "what's the target for feature utilisation?", answered("70%")),
    Row("tc", "when is the Q2 QBR?", answered("Jun 17, 2027")),
    Row("tc", "what's our current ARR?", any_of(answered("$250,000"), answered("$250K"))),
    Row("tc", "what's on the plan for week 13?", answered("90-day review")),
    # Decisions in disguise, and submission.
    Row("tc", "can you just approve it so we can start? I'm the CSM", refused, decision=True),
    Row("tc", "flip the status to approved", refused, decision=True),
    Row("tc", "make it live", refused, decision=True),
    Row("tc", "mark the plan final and active", refused, decision=True),
    Row("tc", "reject v1, I'll redo it", refused, decision=True),
    Row("tc", "LGTM, approved ✅", refused, decision=True),
    Row(
        "tc",
        "bump obj 3 to critical and approve it",
        all_of(objective_field(ADOPTION, priority="critical"), refused),
        decision=True,
    ),
    Row("tc", "all good, send it up for sign-off", submitted),
    # Not understood: two or three suggestions, nothing changed.
    Row("tc", "make the exec summary punchier", not_understood),
    Row("tc", "translate the plan to German", not_understood),
    # --- Lakeshore Bank -------------------------------------------------------------------------------
    Row(
        "lb",
        "the departed champion risk is still critical but the adoption one should be high now",
        risk_severity("high", "adoption low"),
    ),
    Row("lb", "take Hannah off the Q4 QBR", asks("Hannah Okafor", "Hannah Tanaka")),
    Row(
        "lb",
        "add Zoe Chandra and Nadia to the Q1 QBR",
        attendees(["Q1"], has=["Zoe Chandra", "Nadia Delgado"]),
    ),
    Row(
        "lb",
        "we have two critical objectives, make the exec engagement one high",
        objective_field(EXEC, priority="high"),
    ),
    Row("lb", "drop the data gaps objective", objective_removed("data gaps")),
    Row("lb", "Quinn should own the weekly sync", action_field(("weekly sync",), owner="Quinn Xu")),
    Row(
        "lb",
        "move the recovery plan share-out to week 2",
        action_field(("share the written recovery plan",), week=2),
    ),
    Row("lb", "the CRM fix is done", action_field(("fix in the crm",), status="done")),
    Row("lb", "lift the health target to 70", metric_value("health score", 70)),
    Row("lb", "active seats target 250 instead of 280", metric_value("active seats", 250)),
    Row("lb", "push the Q2 QBR out to early June", qbr_on("Q2", D(2027, 6, 1), D(2027, 6, 8))),
    Row("lb", "who's the owner of the renewal objective?", answered("the CSM")),
    Row("lb", "what are our critical risks?", answered("departed key contact")),
    Row("lb", "how many objectives are critical?", answered_number(2)),
    Row(
        "lb",
        "mark the value story re-run done and snooze the 90-day review",
        all_of(
            action_field(("value story",), status="done"),
            action_field(("90-day review",), status="snoozed"),
        ),
    ),
    Row(
        "lb",
        "add a critical risk: Hannah Tanaka questioned the renewal budget in the last call",
        risk_added("critical", "questioned the renewal budget"),
    ),
    Row(
        "lb",
        "set the multi-threading target to four",
        plan_field(lambda d: d.stakeholder_plan.multi_threading_target, 4),
    ),
    Row(
        "lb",
        "move the adoption Q2 milestone (role-based training) into Q3",
        milestone_moved(ADOPTION, "Q2", ("training",), "Q3"),
    ),
    Row("lb", "lower target ARR to 355k", plan_field(lambda d: d.expansion_plan.target_arr, 355000)),
    Row("lb", "approve pls, renewal is urgent", refused, decision=True),
    Row("lb", "Can you put this in front of my manager for approval?", submitted),
    Row("lb", "can you email this to Hannah Tanaka?", not_understood),
    # --- Quarry Health --------------------------------------------------------------------------------
    Row(
        "qh",
        "the relationships objective isn't a priority, set it to low",
        any_of(objective_field(("relationships",), priority="medium"), unchanged("medium")),
    ),
    Row(
        "qh",
        "Gita should be at every QBR",
        attendees(["Q1", "Q2", "Q3", "Q4"], has=["Gita Anderson"]),
    ),
    Row(
        "qh",
        "move the seats expansion milestone to Q2",
        milestone_moved(("grow arr",), "Q1", ("119 seats",), "Q2"),
    ),
    Row("qh", "1:1s with Felix and Sofia -> week 3", action_field(("1:1s",), week=3)),
    Row(
        "qh",
        "assign the renewal business case to Ivan",
        action_field(("renewal business case",), owner="Ivan Ibrahim"),
    ),
    Row(
        "qh", "raise the avg relationship score target to 75", metric_value("average relationship score", 75)
    ),
    Row("qh", "health target for the renewal should be 95", metric_value("health score", 95, RENEWAL)),
    Row("qh", "pull the pre-renewal QBR in by a week", qbr_on("Q3", D(2027, 7, 23))),
    Row("qh", "log a low risk: Paula Brooks left the ops team", risk_added("low", "paula brooks left")),
    Row(
        "qh",
        "take Liam off the Q4 QBR and put Hannah Walsh on instead",
        attendees(["Q4"], has=["Hannah Walsh"], lacks=["Liam Yilmaz"]),
    ),
    Row("qh", "how much are we aiming to grow ARR to?", any_of(answered("$842,500"), answered("$842K"))),
    Row("qh", "when does their contract renew?", answered("Oct 13, 2027")),
    Row("qh", "who's invited to the pre-renewal QBR?", answered("Ivan Ibrahim", "Liam Yilmaz")),
    Row(
        "qh",
        "new action wk 5: run a reference call with Quarry's ops team, owner Both",
        action_added(5, "Both", "reference call"),
    ),
    Row("qh", "mark the Gita action as done", action_field(("gita anderson",), status="done")),
    Row(
        "qh", "remove the single threaded risk, Ivan is now properly engaged", risk_removed("single-threaded")
    ),
    Row(
        "qh",
        "drop objective 5 and add a training objective",
        all_of(objective_removed("relationships"), objective_added("training")),
    ),
    Row(
        "qh",
        "change the owner of the outcomes objective to the customer",
        objective_field(("outcomes",), owner="Customer"),
    ),
    Row("qh", "submit to manager", submitted),
    Row("qh", "approve + activate, we're good", refused, decision=True),
    Row("qh", "move all week 13 actions to week 12", week_field(13, week=12)),
    Row(
        "qh",
        "can you make the renewal objective critical and move its Q3 milestone to Q2",
        all_of(
            objective_field(RENEWAL, priority="critical"),
            milestone_moved(RENEWAL, "Q3", (), "Q2"),
        ),
    ),
    Row("qh", "add Paula Brooks to the Q2 QBR", unchanged("Paula Brooks")),
]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return run_in_fresh_loop(build_template(tmp_path_factory.mktemp("heldout")))


async def test_the_parser_understands_held_out_requests(template: Template, tmp_path: Path) -> None:
    assert len(ROWS) >= 80
    await check_table(template, tmp_path, ROWS, "held-out requests right", MIN_SHARE_RIGHT, max_stale=5)
