"""Regenerating a plan keeps what people changed (edited and added objectives, done and snoozed
actions, added risks, rewritten sections) unless asked to replace it; people's edits are told apart
from the drafter's by the revision history. On SQLite and PostgreSQL, through the real paths: the
offline drafter, the offline revision grammar, Slack's Done/Snooze tracking, the REST edit."""

from __future__ import annotations

import asyncio
from datetime import date

from sqlalchemy import select

from agent.generate import GenerationRequest, generate_plan
from agent.revise import revise_plan
from storage.db import Database
from storage.demo.portfolio import seed_demo_portfolio
from storage.demo.techcorp import TECHCORP_CSM, TECHCORP_ID
from storage.models import AuditEvent, PlanRevision
from storage.plan_document import AccountPlanDocument
from storage.plans import document_of, get_plan
from tests.conftest import agent_deps
from tools.living.actions import snooze_action
from tools.plans.kept_edits import RevisionRecord, human_edits, keep_human_edits, text_key

AS_OF = date(2026, 2, 2)


async def _generate(database: Database, **options: object) -> tuple[AccountPlanDocument, list[str]]:
    request = GenerationRequest(customer=TECHCORP_ID, fiscal_year="FY2026", as_of=AS_OF, author="demo", **options)  # type: ignore[arg-type]
    generated = await generate_plan(agent_deps(database), request)
    return generated.document, generated.kept


async def _revise(database: Database, plan_id: str, message: str) -> None:
    outcome = await revise_plan(
        agent_deps(database), plan_id, message, actor=TECHCORP_CSM, surface="slack", offline=True
    )
    assert outcome.changed, outcome.reply


def _risks(document: AccountPlanDocument) -> list[str]:
    return [r.risk for r in document.risk_mitigation.identified_risks]


def _objectives(document: AccountPlanDocument) -> list[str]:
    return [o.objective for o in document.strategic_objectives]


def _action(document: AccountPlanDocument, text: str) -> str:
    return next(a.status for a in document.action_plan_90day if a.action == text)


async def test_regenerating_keeps_peoples_edits_until_replace(any_db: Database) -> None:
    """Before: regenerating silently replaced them: done actions reopened, removed objectives came
    back, added risks vanished."""
    await seed_demo_portfolio(any_db, accounts=25, as_of=AS_OF)
    first, kept = await _generate(any_db)
    assert kept == [] and first.version == 1
    plan_id = first.plan_id
    drafted = _objectives(first)
    assert len(drafted) >= 3
    removed_text, edited_text = drafted[-1], drafted[0]
    done_text = first.action_plan_90day[0].action
    snoozed_text = first.action_plan_90day[1].action

    # People change the plan: in Slack through the assistant's grammar and the digest's buttons.
    await _revise(any_db, plan_id, f"remove objective {len(drafted)}")
    await _revise(any_db, plan_id, "add objective: Launch an admin training program")
    await _revise(any_db, plan_id, "set priority of objective 1 to medium")
    await _revise(any_db, plan_id, "mark action 1 done")
    await _revise(any_db, plan_id, "add risk: Budget freeze announced by the CFO (high)")
    async with any_db.session() as session:
        await snooze_action(
            session, plan_id, 1, actor=TECHCORP_CSM, as_of=AS_OF, surface="slack", action_text=snoozed_text
        )
    async with any_db.session() as session:
        edited = document_of(await get_plan(session, plan_id))

    second, kept = await _generate(any_db)
    for kept_now in (second,):
        objectives = _objectives(kept_now)
        assert "Launch an admin training program" in objectives
        assert removed_text not in objectives  # a removed objective does not come back
        assert next(o for o in kept_now.strategic_objectives if o.objective == edited_text).priority == "medium"
        assert _action(kept_now, done_text) == "done"
        assert _action(kept_now, snoozed_text) == "snoozed"
        assert "Budget freeze announced by the CFO" in _risks(kept_now)
        ids = [o.id for o in kept_now.strategic_objectives]
        assert ids == [f"obj-{n}" for n in range(1, len(ids) + 1)]
        assert all(a.objective_id in (*ids, None) for a in kept_now.action_plan_90day)
    assert "objective 'Launch an admin training program'" in kept
    assert "1 done action" in kept and "1 snoozed action" in kept
    assert "risk 'Budget freeze announced by the CFO'" in kept
    ledger = second.generation_context["kept_edits"]
    assert ledger["since_version"] == 1
    assert f"{TECHCORP_CSM} via slack (v2)" in ledger["editors"]
    snoozed_due = next(a.due_date for a in edited.action_plan_90day if a.action == snoozed_text)
    assert next(a.due_date for a in second.action_plan_90day if a.action == snoozed_text) == snoozed_due

    # And again (`make demo` twice more): what was kept is kept again.
    third, kept = await _generate(any_db)
    assert "Launch an admin training program" in _objectives(third) and removed_text not in _objectives(third)
    assert _action(third, done_text) == "done" and "Budget freeze announced by the CFO" in _risks(third)
    assert "objective 'Launch an admin training program'" in kept

    # --replace drafts from the data alone.
    fourth, kept = await _generate(any_db, replace=True)
    assert kept == []
    assert _objectives(fourth) == drafted
    assert {a.status for a in fourth.action_plan_90day} == {"open"}
    assert "Budget freeze announced by the CFO" not in _risks(fourth)

    async with any_db.session() as session:
        revisions = (
            await session.execute(
                select(PlanRevision.version, PlanRevision.kind, PlanRevision.author)
                .where(PlanRevision.plan_id == plan_id)
                .order_by(PlanRevision.version)
            )
        ).all()
        events = (
            await session.execute(
                select(AuditEvent.version, AuditEvent.surface, AuditEvent.details).where(
                    AuditEvent.plan_id == plan_id, AuditEvent.action.in_(("created", "revised"))
                )
            )
        ).all()
    kinds = [kind for _, kind, _ in revisions]
    assert kinds == ["generated", *["edited"] * 6, "generated", "generated", "generated"]
    assert {surface for version, surface, _ in events if 2 <= version <= 7} == {"slack"}
    assert all(details["kind"] == kinds[version - 1] for version, _, details in events)


async def test_three_simultaneous_generates_of_one_plan_all_end_well(any_db: Database) -> None:
    """Before: 409s. Now they run one after another: versions 1, 2 and 3, each a whole plan."""
    await seed_demo_portfolio(any_db, accounts=10, as_of=AS_OF)
    results = await asyncio.gather(*(_generate(any_db) for _ in range(3)))
    assert sorted(document.version for document, _ in results) == [1, 2, 3]
    async with any_db.session() as session:
        revisions = (
            (await session.execute(select(PlanRevision.version).order_by(PlanRevision.version))).scalars().all()
        )
    assert revisions == [1, 2, 3]


def _plan(objectives: list[str], risks: list[str], actions: list[tuple[str, str]]) -> dict:
    return {
        "strategic_objectives": [
            {"id": f"obj-{n}", "objective": text, "priority": "high"} for n, text in enumerate(objectives, 1)
        ],
        "risk_mitigation": {"identified_risks": [{"risk": r, "severity": "high"} for r in risks]},
        "action_plan_90day": [{"action": a, "status": s, "week": 1} for a, s in actions],
        "executive_summary": "Drafted summary.",
    }


def test_only_peoples_revisions_count_as_edits() -> None:
    """A change proposal's additions (kind 'proposal') are the bot's, not a person's."""
    generated = _plan(["Renew", "Adopt", "Expand"], ["Churn risk"], [("Call CFO", "open")])
    proposal = _plan(["Renew", "Adopt", "Expand"], ["Churn risk", "Champion left"], [("Call CFO", "open")])
    person = _plan(["Renew", "Adopt", "Expand"], ["Churn risk", "Champion left", "Budget freeze"], [("Call CFO", "done")])
    person["executive_summary"] = "Rewritten by the CSM."
    edits = human_edits(
        [
            RevisionRecord(1, "generated", "demo", "cli", generated),
            RevisionRecord(2, "proposal", "ana@example.com", "slack", proposal),
            RevisionRecord(3, "edited", "ana@example.com", "api", person),
        ],
        person,
    )
    assert edits.risks == {text_key("Budget freeze")}
    assert edits.sections == {"executive_summary"}
    assert edits.editors == ["ana@example.com via api (v3)"]
    assert edits.since_version == 1


def test_nothing_to_keep_leaves_the_draft_alone() -> None:
    from tests.fakes.plan_samples import sample_plan

    draft = sample_plan()
    current = draft.to_json_dict()
    edits = human_edits([RevisionRecord(1, "generated", "demo", "cli", current)], current)
    assert edits.empty
    assert keep_human_edits(draft, edits) == (draft, [])
