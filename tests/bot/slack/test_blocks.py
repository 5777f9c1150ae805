"""Block builders without Slack: escaping, truncation and Slack's limits hold for any plan."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from slack_sdk.models.blocks import ActionsBlock, Block, SectionBlock
from slack_sdk.models.views import View

from bot.slack.blocks.generator_modal import generator_modal, preview_text
from bot.slack.blocks.home import home_view
from bot.slack.blocks.objective_modal import objective_modal, parse_objective_metadata
from bot.slack.blocks.plan_modal import plan_modal
from bot.slack.blocks.plan_summary import plan_summary_blocks, plan_summary_text
from bot.slack.blocks.progress import progress_blocks
from bot.slack.blocks.text import escape, fit_blocks, mrkdwn, truncate
from bot.slack.limits import (
    MAX_BLOCKS_PER_HOME,
    MAX_BLOCKS_PER_MESSAGE,
    MAX_BLOCKS_PER_MODAL,
    MAX_SECTION_TEXT,
)
from bot.slack.services.book import ContextPreview, PlanRow
from storage.plan_document import AccountPlanDocument
from tests.fakes.plan_samples import plan_data, sample_plan
from tools.living.outcomes import OutcomeGroup, OutcomeStats, Rate
from tools.living.progress import ObjectiveProgress, objective_progress

HOSTILE = "<!channel> Acme & <@U123> <https://evil.example|click>"


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


def test_summary_of_a_hostile_plan_pings_nobody_and_fits_slack() -> None:
    blocks = plan_summary_blocks(hostile_plan())
    dicts = [b.to_dict() for b in blocks]  # to_dict() enforces Slack's per-field limits
    assert len(dicts) <= MAX_BLOCKS_PER_MESSAGE
    texts = [t for t in all_texts(dicts) if t]
    mrkdwn_texts = [
        b["text"]["text"]
        for b in dicts
        if b.get("type") == "section" and b.get("text", {}).get("type") == "mrkdwn"
    ]
    assert all("<!channel>" not in t and "<@U123>" not in t for t in mrkdwn_texts)
    assert all(len(t) <= MAX_SECTION_TEXT for t in texts)
    summary = next(t for t in mrkdwn_texts if t.startswith("*Executive summary*"))
    assert "View full plan" in summary  # cut with a pointer, not rejected
    assert "<!channel>" not in plan_summary_text(hostile_plan())


def test_summary_has_the_prd_pieces() -> None:
    document = sample_plan()
    blocks = plan_summary_blocks(document)
    text = "\n".join(all_texts([b.to_dict() for b in blocks]))
    assert f"{document.customer_name} {document.fiscal_year} account plan" in text
    assert "confidence" in text and "Draft" in text and "Executive summary" in text
    for objective in document.strategic_objectives:
        assert escape(objective.objective) in text
    assert all(q in text for q in ("Q1:", "Q2:", "Q3:", "Q4:"))
    assert "Stakeholders" in text and "Expansion" in text and "Risks" in text and "success rate" in text
    (actions,) = [b for b in blocks if isinstance(b, ActionsBlock)]
    assert {e.value for e in actions.elements} == {document.plan_id}


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
    for tab in ("summary", "objectives", "stakeholders", "actions"):
        view = plan_modal(document, tab).to_dict()
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
    assert ":white_check_mark: Executive summary" in text and "(offline draft)" in text
    assert "2/10 sections" in blocks[1].to_dict()["elements"][0]["text"]


def test_objective_modal_round_trips_its_metadata() -> None:
    document = sample_plan()
    view = objective_modal(document, "obj-2").to_dict()
    assert parse_objective_metadata(view["private_metadata"]) == (document.plan_id, document.version, "obj-2")
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert len(inputs) == 7  # pick, text, priority, Q1-Q4


def test_home_lists_plans_and_overdue_actions() -> None:
    document = sample_plan()
    first = document.action_plan_90day[0]
    row = PlanRow(document.plan_id, "<!channel> Acme", "FY2026", "pending_review", 2, 0.81, [first])
    view = home_view([row] * 60, [row], today=date(2100, 1, 1)).to_dict()
    text = str(view["blocks"])
    assert "Waiting for your approval" in text and "overdue" in text and "Pending review" in text
    assert "<!channel>" not in text and len(view["blocks"]) <= 100
    assert "more: `/accountplan list`" in text


def progress_of(document: AccountPlanDocument) -> list[ObjectiveProgress]:
    """Progress as action tracking computes it, with the first objective's Q1 milestone done."""
    objectives = list(document.strategic_objectives)
    first = objectives[0]
    milestones = [m.model_copy(update={"done": m.quarter == "Q1"}) for m in first.quarterly_milestones]
    objectives[0] = first.model_copy(update={"quarterly_milestones": milestones})
    return [objective_progress(o) for o in objectives]


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


def test_summary_with_progress_shows_each_objective_and_its_basis() -> None:
    document = sample_plan()
    progress = progress_of(document)
    blocks = [b.to_dict() for b in plan_summary_blocks(document, progress=progress)]
    objective_sections = [
        b["text"]["text"]
        for b in blocks
        if b["type"] == "section" and b["text"]["text"].startswith(("*1.", "*2.", "*3.", "*4.", "*5."))
    ]
    assert len(objective_sections) == len(document.strategic_objectives) == len(progress)
    for text, shown in zip(objective_sections, progress, strict=True):
        assert f"*{shown.progress:.0%}*" in text
        assert f"milestones {shown.milestones_done}/{shown.milestones_total}" in text
        assert ("metrics at" in text) == (shown.metric_progress is not None)
    assert "milestones 1/4" in objective_sections[0]
    # Without progress the summary is as before: the drafting message shows no bars.
    assert "milestones" not in str([b.to_dict() for b in plan_summary_blocks(document)])


def test_summary_with_progress_of_a_hostile_plan_still_fits() -> None:
    document = hostile_plan(length=400)
    dicts = [b.to_dict() for b in plan_summary_blocks(document, progress=progress_of(document))]
    assert len(dicts) <= MAX_BLOCKS_PER_MESSAGE
    sections = [b["text"]["text"] for b in dicts if b["type"] == "section" and "text" in b]
    assert all(len(t) <= MAX_SECTION_TEXT and "<!channel>" not in t for t in sections)
    # A long objective is cut below its progress line, never through it.
    assert all("milestones " in t for t in sections if t.startswith("*1."))


def test_home_shows_objective_progress_per_plan_and_team_outcomes_within_limits() -> None:
    document = sample_plan()
    first = document.action_plan_90day[0]
    row = PlanRow(document.plan_id, "Acme", "FY2026", "approved", 3, 0.8, [first])
    progress = {document.plan_id: progress_of(document)}
    view = home_view(
        [row] * 60, [row] * 30, today=date(2026, 3, 1), progress=progress, team_outcomes=team_stats(40)
    )
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
    document = sample_plan()
    row = PlanRow(document.plan_id, "Acme", "FY2026", "draft", 1, 0.8, [])
    text = str(home_view([row], None, today=date(2026, 3, 1)).to_dict()["blocks"])
    assert "Plan coverage" not in text and "Objectives" not in text
    text = str(home_view([row], None, today=date(2026, 3, 1), progress={document.plan_id: []}).to_dict())
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
