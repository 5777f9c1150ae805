"""Block builders without Slack: escaping, truncation and Slack's limits hold for any plan."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from slack_sdk.models.blocks import ActionsBlock, Block, SectionBlock
from slack_sdk.models.views import View

from bot.slack.blocks.generator_modal import generator_modal, preview_text
from bot.slack.blocks.home import home_view
from bot.slack.blocks.objective_modal import objective_modal, parse_objective_metadata
from bot.slack.blocks.plan_modal import TAB_LABELS, plan_modal
from bot.slack.blocks.plan_summary import MAX_CARD_BLOCKS, plan_summary_blocks, plan_summary_text
from bot.slack.blocks.progress import progress_blocks
from bot.slack.blocks.text import escape, fit_blocks, mrkdwn, truncate
from bot.slack.limits import (
    MAX_BLOCKS_PER_HOME,
    MAX_BLOCKS_PER_MESSAGE,
    MAX_BLOCKS_PER_MODAL,
    MAX_SECTION_TEXT,
)
from bot.slack.services.book import ContextPreview, PlanRow
from bot.slack.services.plan_cards import AccountFacts, Person, ReviewerNote
from storage.plan_document import AccountPlanDocument
from tests.fakes.plan_samples import plan_data, sample_plan
from tools.living.outcomes import OutcomeGroup, OutcomeStats, Rate
from tools.living.progress import ObjectiveProgress, objective_progress

HOSTILE = "<!channel> Acme & <@U123> <https://evil.example|click>"
PLAN_ID = "6f1c0e52-2d7e-4c1b-9a53-0c2f3d4e5a6b"


def all_texts(blocks: list[dict[str, Any]]) -> list[str]:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text") and "text" in node:
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(blocks)
    return found


def hostile_plan(length: int = 100) -> AccountPlanDocument:
    data = plan_data(plan_id="6f1c0e52-2d7e-4c1b-9a53-0c2f3d4e5a6b")
    data["customer_name"] = HOSTILE
    data["executive_summary"] = (HOSTILE + " ") * length
    for objective in data["strategic_objectives"]:
        objective["objective"] = HOSTILE * 3
        for milestone in objective["quarterly_milestones"]:
            milestone["milestone"] = HOSTILE * 50
    return AccountPlanDocument.model_validate(data)


def test_escape_neutralises_mentions_links_and_entities() -> None:
    assert escape(HOSTILE) == ("&lt;!channel&gt; Acme &amp; &lt;@U123&gt; &lt;https://evil.example|click&gt;")
    assert escape(None) == ""


def test_truncate_never_leaves_half_an_entity() -> None:
    text = escape("a" * 10 + "<<<<")
    cut = truncate(text, 14)
    assert len(cut) <= 14 and cut.endswith("…")
    assert not cut[:-1].rstrip().endswith(("&", "&l", "&lt"))


def test_truncate_ends_on_a_whole_word() -> None:
    text = "Support escalation with Uma Delgado on Oct 19, 2026: frustrated by slow support responses"
    assert truncate(text, 60) == "Support escalation with Uma Delgado on Oct 19, 2026…"
    assert truncate(text, 50) == "Support escalation with Uma Delgado on Oct 19…"
    assert truncate("a" * 80, 20) == "a" * 19 + "…"  # one long word: cut inside it, no choice


def test_summary_of_a_hostile_plan_pings_nobody_and_fits_slack() -> None:
    blocks = plan_summary_blocks(hostile_plan(), facts=card_facts())
    dicts = [b.to_dict() for b in blocks]  # to_dict() enforces Slack's per-field limits
    assert len(dicts) <= MAX_CARD_BLOCKS
    texts = [t for t in all_texts(dicts) if t]
    assert all(len(t) <= MAX_SECTION_TEXT for t in texts)
    mrkdwn_texts = [
        t["text"] for b in dicts for t in [b.get("text") or {}, *b.get("fields", []), *b.get("elements", [])]
        if isinstance(t, dict) and t.get("type") == "mrkdwn"
    ]  # fmt: skip
    assert mrkdwn_texts and all("<!channel>" not in t and "<@U123>" not in t for t in mrkdwn_texts)
    text = plan_summary_text(hostile_plan(), card_facts())
    assert "<!channel>" not in text and len(text) < 150


def card_facts(**overrides: Any) -> AccountFacts:
    values: dict[str, Any] = {
        "today": date(2026, 12, 4),
        "health_score": 68,
        "health_change_90d": -7,
        "renewal_date": date(2027, 8, 31),
        "arr": 250000.0,
        "csm": Person("Carl Jones", "U0CARL"),
        "requested_by": Person("Ana Ruiz", "U0ANA"),
    }
    return AccountFacts(**(values | overrides))


def risky_plan(severity: str | None, **context: Any) -> AccountPlanDocument:
    data = plan_data(plan_id="6f1c0e52-2d7e-4c1b-9a53-0c2f3d4e5a6b")
    data["risk_mitigation"] = {
        "identified_risks": [{"risk": "Champion left", "severity": severity, "mitigation": "Find a new one", "owner": "CSM"}]
        if severity
        else []
    }
    data["generation_context"] = context
    return AccountPlanDocument.model_validate(data)


def test_the_card_is_scannable_fields_point_top_three_and_one_primary_button() -> None:
    document = sample_plan(plan_id=PLAN_ID)
    blocks = [b.to_dict() for b in plan_summary_blocks(document, facts=card_facts())]
    assert len(blocks) <= MAX_CARD_BLOCKS
    assert blocks[0]["type"] == "header"
    assert f"{document.customer_name} {document.fiscal_year}" in blocks[0]["text"]["text"]
    (fields,) = [b["fields"] for b in blocks if b.get("fields")]
    shown = "\n".join(f["text"] for f in fields)
    for label in ("*ARR*", "*Health*", "*Renewal*", "*Target ARR*", "*CSM*", "*Data coverage*"):
        assert label in shown
    assert "68 · ↓ 7 in 90 days" in shown and "Aug 31, 2027 · in 270 days" in shown and "<@U0CARL>" in shown
    text = "\n".join(all_texts(blocks))
    assert "asked for by <@U0ANA>" in text
    assert "confidence" not in text and "data coverage" not in text.replace("Data coverage", "")
    # Top three objectives, title and priority only: no milestones on the card.
    objectives = next(b["text"]["text"] for b in blocks if b.get("text", {}).get("text", "").startswith("*FY"))
    assert objectives.count("\n") == 3 + (len(document.strategic_objectives) > 3)
    assert "Q1" not in text and "milestone" not in text.lower()
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert [e["action_id"] for e in buttons if e.get("style") == "primary"] == ["plan_view"]
    assert {e["value"] for e in buttons} == {document.plan_id}


def test_the_cards_notification_says_the_point_in_under_150_characters() -> None:
    document = risky_plan("critical")
    text = plan_summary_text(document, card_facts(renewal_date=date(2027, 8, 31), today=date(2027, 1, 10)))
    assert text == f"{document.customer_name} FY2026 plan drafted: at risk, renewal Aug 31"
    long_name = risky_plan(None).model_copy(update={"customer_name": "A" * 300})
    assert len(plan_summary_text(long_name, card_facts())) < 150


def test_the_status_chip_reads_the_recorded_risk_level_else_the_plans_risks() -> None:
    recorded = risky_plan("critical", situation={"risk_level": "on_track", "stage": "established"})
    assert plan_summary_blocks(recorded)[0].to_dict()["text"]["text"].startswith(":large_green_circle: On track")
    chips = {
        severity: plan_summary_blocks(risky_plan(severity), facts=card_facts(health_score=80))[0]
        .to_dict()["text"]["text"]
        .split(" · ")[0]
        for severity in ("critical", "high", None)
    }
    assert chips == {
        "critical": ":red_circle: At risk",
        "high": ":large_yellow_circle: Watch",
        None: ":large_green_circle: On track",
    }


def test_honest_labels_drafted_from_your_data_and_plan_check() -> None:
    offline = risky_plan(None, drafter="offline").model_copy(update={"ai_generated": True})
    claude = risky_plan(None, drafter="claude").model_copy(update={"ai_generated": True})
    assert "drafted from your data" in str(plan_summary_blocks(offline)[1].to_dict())
    assert "AI-drafted" in str(plan_summary_blocks(claude)[1].to_dict())
    findings = [{"code": "x", "severity": "warning", "section": "s", "path": "p", "message": "m", "suggestion": ""}]
    reviewed = risky_plan(None, review={"findings": findings * 2, "errors": 0, "warnings": 2})
    assert "Plan check: 2 to look at" in str([b.to_dict() for b in plan_summary_blocks(reviewed)])
    assert "Plan check" not in str([b.to_dict() for b in plan_summary_blocks(risky_plan(None))])


def test_a_plan_sent_back_shows_the_reviewers_comment_on_the_card() -> None:
    note = ReviewerNote("changes_requested", Person("Maya Lopez", "U0MAYA"), "Add a <!here> training objective")
    document = sample_plan(status="changes_requested")
    text = str([b.to_dict() for b in plan_summary_blocks(document, facts=card_facts(sent_back=note))])
    assert "Changes requested by <@U0MAYA>" in text and "&lt;!here&gt; training objective" in text


def test_a_regenerated_summary_says_which_edits_it_kept() -> None:
    document = sample_plan()
    assert "Redrafted keeping" not in "\n".join(all_texts([b.to_dict() for b in plan_summary_blocks(document)]))
    context = {**document.generation_context, "kept_edits": {"kept": [f"objective '{HOSTILE}'", "1 done action"]}}
    kept = document.model_copy(update={"generation_context": context})
    text = "\n".join(all_texts([b.to_dict() for b in plan_summary_blocks(kept)]))
    assert f":pushpin: Redrafted keeping people's edits: objective '{escape(HOSTILE)}'; 1 done action" in text
    assert "<!channel>" not in text


def test_approved_plan_has_no_submit_button() -> None:
    blocks = plan_summary_blocks(sample_plan(status="approved"))
    (actions,) = [b for b in blocks if isinstance(b, ActionsBlock)]
    assert "plan_submit" not in [e.action_id for e in actions.elements]


def test_every_modal_tab_fits_and_escapes() -> None:
    document = hostile_plan(length=400)
    for tab in TAB_LABELS:
        view = plan_modal(document, tab, editable=True).to_dict()
        assert len(view["blocks"]) <= MAX_BLOCKS_PER_MODAL
        assert view["private_metadata"] == document.plan_id
        sections = [b for b in view["blocks"] if b["type"] == "section"]
        assert all(len(b["text"]["text"]) <= MAX_SECTION_TEXT for b in sections)
        assert all("<!channel>" not in b["text"]["text"] for b in sections)


def test_fit_blocks_keeps_the_buttons_and_marks_the_cut() -> None:
    blocks: list[Block] = [SectionBlock(text=mrkdwn(str(i))) for i in range(70)]
    blocks.append(ActionsBlock(elements=[]))
    fitted = fit_blocks(blocks, MAX_BLOCKS_PER_MESSAGE)
    assert len(fitted) == MAX_BLOCKS_PER_MESSAGE
    assert isinstance(fitted[-1], ActionsBlock)
    assert "Shortened" in str(fitted[-2].to_dict())


def test_generator_modal_and_preview() -> None:
    view = generator_modal(["FY2026", "FY2027", "FY2025"], "FY2026", channel_id="C42")
    data = view.to_dict()
    assert data["callback_id"] == "generator_modal" and data["private_metadata"] == "C42"
    checkboxes = data["blocks"][2]["element"]
    assert len(checkboxes["options"]) == 10 == len(checkboxes["initial_options"])
    preview = ContextPreview("c1", "<!here> Beta", 68, 5, 2, 1, 12)
    text = preview_text(preview, 2)
    assert "health 68, 5 contacts, 2 opportunities, 1 active risk, 12 similar accounts" in text
    assert "&lt;!here&gt; Beta" in text and "about 2s" in text


def test_progress_checklist_marks_each_state() -> None:
    blocks = progress_blocks(
        "Acme <x>", "FY2026", {"executive_summary": "done", "business_context": "fallback"}
    )
    text = blocks[0].to_dict()["text"]["text"]
    assert text.startswith("*Drafting Acme &lt;x&gt; FY2026 …*")
    assert ":white_check_mark: Executive summary" in text and "(drafted from your data)" in text
    assert "2/10 sections" in blocks[1].to_dict()["elements"][0]["text"]


def test_objective_modal_round_trips_its_metadata() -> None:
    document = sample_plan()
    view = objective_modal(document, "obj-2").to_dict()
    assert parse_objective_metadata(view["private_metadata"]) == (document.plan_id, document.version, "obj-2")
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert len(inputs) == 7  # pick, text, priority, Q1-Q4


def rows(count: int, prefix: str = "plan", **fields: Any) -> list[PlanRow]:
    document = sample_plan()
    values: dict[str, Any] = {
        "customer_name": "Acme",
        "fiscal_year": "FY2026",
        "status": "approved",
        "version": 3,
        "confidence": 0.8,
        "next_actions": [document.action_plan_90day[0]],
    }
    return [PlanRow(plan_id=f"{prefix}-{n}", **(values | fields)) for n in range(count)]


def test_home_lists_plans_and_overdue_actions() -> None:
    plans = rows(60, customer_name="<!channel> Acme", status="pending_review", risk_level="at_risk")
    queue = plans[:1]
    view = home_view(plans, queue, today=date(2100, 1, 1)).to_dict()
    text = str(view["blocks"])
    assert "Waiting for your approval" in text and "overdue" in text and "Pending review" in text
    assert ":red_circle: At risk" in text
    assert "<!channel>" not in text and len(view["blocks"]) <= 100
    assert "more: `/accountplan list`" in text
    # A plan in the queue is not listed a second time below it.
    listed = [b for b in view["blocks"] if b.get("accessory", {}).get("value") == "plan-0"]
    assert listed == []


def test_managers_home_has_the_decision_buttons_and_each_plan_names_its_csm() -> None:
    queue = rows(2, "waiting", status="pending_review", csm=Person("Carl Jones", "U0CARL"))
    team = rows(3, "team", csm=Person("Dina Park", None), renewal_date=date(2026, 4, 1))
    view = home_view([*team, *queue], queue, today=date(2026, 3, 1), team=True).to_dict()
    blocks = view["blocks"]
    assert blocks[0]["text"]["text"] == "Your team's account plans"
    decisions = [b for b in blocks if b["type"] == "actions" and b.get("block_id", "").startswith("queue_actions")]
    assert len(decisions) == 2
    assert [e["action_id"] for e in decisions[0]["elements"]] == [
        "plan_view", "approval_approve", "approval_request_changes", "approval_reject",
    ]  # fmt: skip
    team_sections = [b["text"]["text"] for b in blocks if b.get("accessory", {}).get("value", "").startswith("team")]
    assert len(team_sections) == 3
    assert all("Dina Park" in t and "renews Apr 1 (in 31 days)" in t for t in team_sections)
    queued = [b["text"]["text"] for b in blocks if b["type"] == "section" and "from <@U0CARL>" in b["text"]["text"]]
    assert len(queued) == 2
    primaries = [e for b in blocks if b["type"] == "actions" for e in b["elements"] if e.get("style") == "primary"]
    assert [e["action_id"] for e in primaries] == ["home_open_generator"]


def test_a_csms_home_shows_the_reviewers_comment_on_a_plan_sent_back() -> None:
    note = ReviewerNote("changes_requested", Person("Maya Lopez", "U0MAYA"), "Add a training objective")
    (row,) = rows(1, status="changes_requested", sent_back=note)
    text = str(home_view([row], None, today=date(2026, 3, 1)).to_dict()["blocks"])
    assert "Changes requested by <@U0MAYA>: _Add a training objective_" in text


def progress_of(document: AccountPlanDocument) -> list[ObjectiveProgress]:
    """Progress as action tracking computes it half-way through the year (Q1 and Q2 are over), with
    the first objective's Q1 milestone done: every objective has a milestone overdue."""
    objectives = list(document.strategic_objectives)
    first = objectives[0]
    milestones = [m.model_copy(update={"done": m.quarter == "Q1"}) for m in first.quarterly_milestones]
    objectives[0] = first.model_copy(update={"quarterly_milestones": milestones})
    return [objective_progress(o, quarters_done=frozenset({"Q1", "Q2"})) for o in objectives]


def team_stats(csms: int = 3) -> OutcomeStats:
    group = OutcomeGroup(accounts=12, renewal=Rate(hits=9, total=12), expansion=Rate(hits=4, total=12))
    return OutcomeStats(
        as_of=date(2026, 3, 1),
        coverage=Rate(hits=15, total=20),
        completion=Rate(hits=5, total=10),
        overdue_by_csm={f"csm{n}@example.com": 10 - n for n in range(csms)},
        by_csm=[],
        with_plan=group,
        without_plan=group,
    )


def test_summary_with_progress_shows_each_top_objectives_progress() -> None:
    document = sample_plan()
    progress = progress_of(document)
    blocks = [b.to_dict() for b in plan_summary_blocks(document, progress=progress)]
    objectives = next(b["text"]["text"] for b in blocks if b.get("text", {}).get("text", "").startswith("*FY"))
    on_track = sum(1 for p in progress if p.status in ("complete", "on_track"))
    assert f"{on_track}/{len(progress)} on track" in objectives
    for shown in progress[:3]:
        assert f"{shown.progress:.0%} {shown.status.replace('_', ' ')}" in objectives
    # Without progress (a fresh draft) the card shows no bars or percentages.
    assert "on track" not in str([b.to_dict() for b in plan_summary_blocks(document)]).replace("On track", "")


def test_modal_objectives_tab_gives_each_objective_its_progress_and_basis() -> None:
    document = sample_plan(plan_id=PLAN_ID)
    progress = progress_of(document)
    view = plan_modal(document, "objectives", progress=progress).to_dict()
    heads = [
        b["text"]["text"]
        for b in view["blocks"]
        if b["type"] == "section" and b["text"]["text"].startswith(("*1.", "*2.", "*3.", "*4.", "*5."))
    ]
    assert len(heads) == len(progress)
    for text, shown in zip(heads, progress, strict=True):
        assert f"*{shown.progress:.0%}*" in text
        assert f"milestones {shown.milestones_done}/{shown.milestones_total}" in text
    assert "milestones 1/4" in heads[0]
    # Read-only for a reviewer: no Edit buttons unless the viewer may edit.
    assert "plan_edit_objective" not in str(view)
    assert "plan_edit_objective" in str(plan_modal(document, "objectives", editable=True).to_dict())


def test_summary_with_progress_of_a_hostile_plan_still_fits() -> None:
    document = hostile_plan(length=400)
    dicts = [b.to_dict() for b in plan_summary_blocks(document, progress=progress_of(document))]
    assert len(dicts) <= MAX_CARD_BLOCKS
    sections = [b["text"]["text"] for b in dicts if b["type"] == "section" and "text" in b]
    assert all(len(t) <= MAX_SECTION_TEXT and "<!channel>" not in t for t in sections)


def test_home_shows_objective_progress_per_plan_and_team_outcomes_within_limits() -> None:
    document = sample_plan()
    plans, queue = rows(60), rows(30, "waiting")
    progress = {row.plan_id: progress_of(document) for row in plans}
    view = home_view(plans, queue, today=date(2026, 3, 1), progress=progress, team_outcomes=team_stats(40))
    blocks = view.to_dict()["blocks"]
    text = str(blocks)
    assert len(blocks) <= MAX_BLOCKS_PER_HOME
    total = len(document.strategic_objectives)
    assert f"Objectives 0/{total} on track" in text and "% complete" in text
    assert "Plan coverage" in text and "*75%* (15/20) :white_check_mark:" in text
    assert "*50%* (5/10) (target 60%)" in text and "Overdue actions by CSM" in text
    assert "more: `/accountplan list`" in text
    last_divider = max(i for i, b in enumerate(blocks) if b["type"] == "divider")
    my_plans = [b for b in blocks[last_divider + 1 :] if b["type"] == "section"]
    assert all("Objectives 0/" in b["text"]["text"] for b in my_plans)
    assert f"_{60 - len(my_plans)} more: `/accountplan list`_" in text


def test_home_without_team_outcomes_or_progress_leaves_them_out() -> None:
    (row,) = rows(1, status="draft", version=1, next_actions=[])
    text = str(home_view([row], None, today=date(2026, 3, 1)).to_dict()["blocks"])
    assert "Plan coverage" not in text and "Objectives" not in text
    text = str(home_view([row], None, today=date(2026, 3, 1), progress={row.plan_id: []}).to_dict())
    assert "No objectives yet" in text


@settings(max_examples=25, deadline=None)
@given(st.text(min_size=20, max_size=5000), st.text(min_size=1, max_size=300))
def test_any_text_renders_within_limits(summary: str, name: str) -> None:
    data = plan_data()
    data["executive_summary"] = summary
    data["customer_name"] = name
    document = AccountPlanDocument.model_validate(data)
    for block in plan_summary_blocks(document):
        block.to_dict()
    View(**plan_modal(document).to_dict()).to_dict()


def test_each_symbol_has_one_meaning_and_builders_take_them_from_one_place() -> None:
    from pathlib import Path

    from bot.slack.blocks import symbols

    meanings = [
        *symbols.STANDING.values(),
        *symbols.PRIORITY.values(),
        symbols.PROGRESS["on_track"],
        symbols.PROGRESS["behind"],
        symbols.OVERDUE,
        symbols.DUE_SOON,
        symbols.DUE_LATER,
        symbols.DONE,
        symbols.NOT_YET,
        symbols.IN_PROGRESS,
        symbols.SNOOZED,
        symbols.PLAN_CHECK,
        symbols.PROBLEM,
        symbols.FAILED,
        symbols.DECISIONS["request_changes"],
        symbols.DECISIONS["reject"],
        symbols.SUBMITTED,
        symbols.KEPT,
        symbols.DISMISSED,
        symbols.EXPORTED,
        symbols.CHART,
    ]
    assert len(meanings) == len(set(meanings))
    assert symbols.PROGRESS["complete"] == symbols.DECISIONS["approve"] == symbols.DONE  # all "done"
    # No other Slack module spells an emoji code: one place decides what each symbol means.
    root = Path(symbols.__file__).parents[1]
    spelled = [
        f"{path.relative_to(root)}: {line.strip()}"
        for path in root.rglob("*.py")
        if path.name != "symbols.py"
        for line in path.read_text(encoding="utf-8").splitlines()
        if re.search(r"[\"'][^\"']*:[a-z0-9_+]+:[^\"']*[\"']", line) and "http" not in line
    ]
    assert spelled == []


def test_every_message_has_at_most_one_primary_button_and_a_short_notification() -> None:
    from datetime import UTC, datetime

    from bot.slack.blocks.approval import (
        DecisionNote,
        csm_notice,
        csm_notice_blocks,
        csm_notice_text,
        decided_blocks,
        decided_text,
        queue_blocks,
        review_request_blocks,
        review_request_text,
    )
    from bot.slack.blocks.exports import export_done_blocks
    from bot.slack.blocks.living import accepted_blocks, digest_blocks
    from bot.slack.services.review_requests import ReviewRequest
    from tests.bot.slack.test_living import _tracked

    document = sample_plan(plan_id=PLAN_ID)
    request = ReviewRequest(
        plan_id=PLAN_ID, version=2, status="pending_review", document=document, csm=None, reviewer=None,
        previously_approved_version=1, changes_since_approved=["Objective 2 is now Critical"] * 20,
        submitted_by=None, facts=card_facts(),
    )  # fmt: skip
    note = DecisionNote("request_changes", "U0MAYA", "Maya", datetime(2026, 3, 2, 14, 2, tzinfo=UTC), "x" * 900)
    messages = {
        "card": (plan_summary_text(document, card_facts()), plan_summary_blocks(document, facts=card_facts())),
        "review": (review_request_text(request), review_request_blocks(request, csm_slack_id="U0CARL")),
        "decided": (decided_text(note, "Acme", "FY2026", 2), decided_blocks(request, note, csm_slack_id=None)),
        "thread note": (
            csm_notice_text("Acme", "FY2026", 2, note),
            csm_notice_blocks(PLAN_ID, csm_notice("Acme", "FY2026", 2, note), "request_changes"),
        ),
        "queue": ("", queue_blocks(rows(20, status="pending_review"), date(2026, 3, 1))),
        "digest": ("", digest_blocks([_tracked(n, 3 - n) for n in range(6)])),
        "accepted": ("", accepted_blocks(PLAN_ID, "Accepted")),
        "export": ("", export_done_blocks("Exported", "https://acme.slack.com/docs/T1/F1")),
    }
    for name, (text, blocks) in messages.items():
        dicts = [b.to_dict() for b in blocks]
        primaries = [e for b in dicts if b["type"] == "actions" for e in b["elements"] if e.get("style") == "primary"]
        assert len(primaries) <= 1, name
        assert len(text) < 150, name
    review = [b.to_dict() for b in messages["review"][1]]
    assert len(review) <= 10 and "+12 more changes in the full plan" in str(review)
