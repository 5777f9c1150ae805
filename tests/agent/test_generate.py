"""generate_plan end to end on a seeded database: resolve, gather, draft, validate, save."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from agent.generate import GenerationRequest, ProgressEvent, generate_plan
from agent.section_writer import ProgressCallback, SectionOutcome
from storage.db import Database
from storage.demo.portfolio import seed_demo_portfolio
from storage.demo.techcorp import TECHCORP_ID
from storage.errors import BadInput, UnknownCustomer
from storage.models import AccountPlan, AuditEvent, PlanRevision
from storage.plan_document import SECTIONS, AccountPlanDocument
from storage.plans import document_of, find_plan, save_plan_version
from tests.conftest import agent_deps
from tools.analytics.context import PlanningContext

AS_OF = date(2026, 2, 2)


@pytest.fixture
async def seeded(db: Database) -> Database:
    await seed_demo_portfolio(db, accounts=30, as_of=AS_OF)
    return db


async def count(db: Database, model: Any) -> int:
    async with db.session() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def test_generates_and_saves_version_one_as_a_draft(seeded: Database) -> None:
    events: list[ProgressEvent] = []

    async def progress(event: ProgressEvent) -> None:
        events.append(event)

    result = await generate_plan(
        agent_deps(seeded), GenerationRequest(customer="techcorp industries", as_of=AS_OF), progress=progress
    )

    document = result.document
    assert (result.saved, result.created) == (True, True)
    assert (document.customer_id, document.fiscal_year, document.version, document.status) == (
        TECHCORP_ID,
        "FY2026",
        1,
        "draft",
    )
    assert document.expansion_plan.current_arr == 250000
    async with seeded.session() as session:
        stored = document_of(await find_plan(session, TECHCORP_ID, "FY2026"))
    assert stored == document
    assert [e.section for e in events if e.state == "done"] == list(SECTIONS)
    # The shared situation contract (Slack's status chip reads risk_level), stored with the plan.
    situation = stored.generation_context["situation"]
    assert situation["stage"] == "established" and situation["risk_level"] == "watch"
    assert any("Competitive evaluation" in reason for reason in situation["reasons"])
    assert stored.generation_context["data_to_fix"] == []
    assert [e.section for e in events if e.state == "started"] == list(SECTIONS)
    assert await count(seeded, PlanRevision) == 1
    assert await count(seeded, AuditEvent) == 1


async def test_generation_context_records_inputs_drafter_and_gaps(seeded: Database) -> None:
    result = await generate_plan(
        agent_deps(seeded), GenerationRequest(customer=TECHCORP_ID, as_of=AS_OF, author="jordan@example.com")
    )
    context = result.document.generation_context

    assert context["drafter"] == "offline" and context["drafter_version"].startswith("offline-")
    assert context["as_of"] == "2026-02-02"
    assert context["sections"] == list(SECTIONS)
    assert context["fallbacks"] == {} and context["usage"] == {}
    assert context["data_gaps"] == result.context.data_gaps
    assert context["inputs"]["arr"] == 250000 and context["inputs"]["contacts"] == 5
    assert context["requested_by"] == "jordan@example.com"
    assert context["confidence"]["value"] == result.document.ai_confidence


async def test_generating_again_makes_the_next_revision(seeded: Database) -> None:
    first = await generate_plan(agent_deps(seeded), GenerationRequest(customer=TECHCORP_ID, as_of=AS_OF))
    second = await generate_plan(agent_deps(seeded), GenerationRequest(customer=TECHCORP_ID, as_of=AS_OF))

    assert second.created is False
    assert second.document.version == 2
    assert second.document.plan_id == first.document.plan_id
    assert await count(seeded, AccountPlan) == 1
    assert await count(seeded, PlanRevision) == 2


async def test_same_inputs_give_the_same_plan(seeded: Database) -> None:
    request = GenerationRequest(customer=TECHCORP_ID, as_of=AS_OF, save=False)
    first = await generate_plan(agent_deps(seeded), request)
    second = await generate_plan(agent_deps(seeded), request)

    assert first.document == second.document
    assert first.saved is False
    assert await count(seeded, AccountPlan) == 0


@pytest.mark.parametrize(
    ("request_kwargs", "message"),
    [
        ({"fiscal_year": "FY26"}, "FY2026"),
        ({"fiscal_year": "2026"}, "FY2026"),
        ({"sections": ("objectives",)}, "accepted: all"),
    ],
)
async def test_bad_input_saves_nothing(
    seeded: Database, request_kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(BadInput, match=message):
        await generate_plan(
            agent_deps(seeded), GenerationRequest(customer=TECHCORP_ID, as_of=AS_OF, **request_kwargs)
        )
    assert await count(seeded, AccountPlan) == 0


async def test_unknown_customer_suggests_close_names(seeded: Database) -> None:
    with pytest.raises(UnknownCustomer, match="did you mean 'TechCorp Industries'"):
        await generate_plan(agent_deps(seeded), GenerationRequest(customer="TechCorp Industrys", as_of=AS_OF))


async def test_partial_regeneration_keeps_the_other_sections_of_the_saved_plan(seeded: Database) -> None:
    await generate_plan(agent_deps(seeded), GenerationRequest(customer=TECHCORP_ID, as_of=AS_OF))
    async with seeded.session() as session:
        plan = await find_plan(session, TECHCORP_ID, "FY2026")
        edited = document_of(plan).model_copy(
            update={"executive_summary": "Edited by the CSM: keep this summary as written."}
        )
        await save_plan_version(session, edited, author="csm@example.com", reason="edited summary")

    result = await generate_plan(
        agent_deps(seeded),
        GenerationRequest(customer=TECHCORP_ID, as_of=AS_OF, sections=("risk_mitigation",)),
    )

    assert result.document.version == 3
    assert result.document.executive_summary == "Edited by the CSM: keep this summary as written."
    assert result.document.generation_context["sections"] == ["risk_mitigation"]
    assert "executive_summary" in result.document.generation_context["kept_from_previous_version"]


class ScriptedWriter:
    """A writer standing in for Claude: writes the summary, leaves the rest to the fallback."""

    name = "claude"

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail

    async def write_sections(
        self,
        context: PlanningContext,
        fiscal_year: str,
        sections: tuple[str, ...],
        baseline: AccountPlanDocument,
        progress: ProgressCallback | None,
    ) -> SectionOutcome:
        if self.fail:
            raise RuntimeError("model exploded")
        summary = f"{context.customer.name}: a summary written by the scripted writer for {fiscal_year}."
        return SectionOutcome(
            sections={"executive_summary": summary},
            fallbacks={"strategic_objectives": "grounding check failed"},
            usage={"input_tokens": 10, "output_tokens": 5, "model": "scripted"},
        )


async def test_writer_sections_replace_the_baseline_and_missing_ones_fall_back(seeded: Database) -> None:
    events: list[ProgressEvent] = []

    async def progress(event: ProgressEvent) -> None:
        events.append(event)

    result = await generate_plan(
        agent_deps(seeded),
        GenerationRequest(customer=TECHCORP_ID, as_of=AS_OF),
        progress=progress,
        writer=ScriptedWriter(),
    )
    offline = await generate_plan(
        agent_deps(seeded), GenerationRequest(customer=TECHCORP_ID, as_of=AS_OF, save=False, offline=True)
    )

    document = result.document
    assert document.executive_summary.endswith("written by the scripted writer for FY2026.")
    assert document.strategic_objectives == offline.document.strategic_objectives
    context = document.generation_context
    assert context["drafter"] == "claude"
    assert context["fallbacks"]["strategic_objectives"] == "grounding check failed"
    assert set(context["fallbacks"]) == set(SECTIONS) - {"executive_summary"}
    assert context["usage"]["model"] == "scripted"
    assert {e.section for e in events if e.state == "fallback"} == set(SECTIONS) - {"executive_summary"}


async def test_a_failing_writer_still_yields_a_complete_offline_plan(seeded: Database) -> None:
    result = await generate_plan(
        agent_deps(seeded),
        GenerationRequest(customer=TECHCORP_ID, as_of=AS_OF),
        writer=ScriptedWriter(fail=True),
    )

    assert result.saved
    assert set(result.document.generation_context["fallbacks"]) == set(SECTIONS)
    assert "RuntimeError" in result.document.generation_context["fallbacks"]["executive_summary"]
    assert "model exploded" not in str(result.document.generation_context)


async def test_offline_request_never_uses_the_configured_writer(seeded: Database) -> None:
    from agent.claude.client import ClaudeClient

    # A client that would fail loudly if it were called (nothing listens on port 9).
    claude = ClaudeClient(api_key="sk-test-not-used", model="m", base_url="http://127.0.0.1:9", max_retries=0)
    try:
        result = await generate_plan(
            agent_deps(seeded, claude=claude),
            GenerationRequest(customer=TECHCORP_ID, as_of=AS_OF, offline=True, save=False),
        )
    finally:
        await claude.close()
    assert result.document.generation_context["drafter"] == "offline"


async def test_concurrent_generations_for_one_plan_both_land_as_versions(seeded: Database) -> None:
    request = GenerationRequest(customer=TECHCORP_ID, as_of=AS_OF)
    results = await asyncio.gather(
        generate_plan(agent_deps(seeded), request), generate_plan(agent_deps(seeded), request)
    )

    assert sorted(r.document.version for r in results) == [1, 2]
    assert await count(seeded, AccountPlan) == 1
    assert await count(seeded, PlanRevision) == 2


async def test_plans_are_stored_and_revised_the_same_on_sqlite_and_postgresql(any_db: Database) -> None:
    await seed_demo_portfolio(any_db, accounts=5, as_of=AS_OF)
    request = GenerationRequest(customer="TechCorp Industries", as_of=AS_OF)

    results = await asyncio.gather(
        generate_plan(agent_deps(any_db), request), generate_plan(agent_deps(any_db), request)
    )

    assert sorted(r.document.version for r in results) == [1, 2]
    latest = max(results, key=lambda r: r.document.version).document
    async with any_db.session() as session:
        stored = document_of(await find_plan(session, TECHCORP_ID, "FY2026"))
    assert stored == latest
    assert float(stored.ai_confidence) == latest.ai_confidence
    assert await count(any_db, PlanRevision) == 2


async def test_an_offline_plan_records_and_exports_its_sources(seeded: Database) -> None:
    from bot.render.markdown import render_markdown

    result = await generate_plan(agent_deps(seeded), GenerationRequest(customer=TECHCORP_ID, as_of=AS_OF))
    provenance = result.document.generation_context["provenance"]
    assert provenance["expansion_plan.current_arr"] == {
        "kind": "record", "source": "customers.arr", "label": "ARR", "value": 250000.0
    }
    assert provenance['executive_summary:"$250K"']["source"] == "customers.arr"
    assert provenance["stakeholder_plan.current_map[0].name"]["source"] == "contacts[techcorp-p1].name"
    markdown = render_markdown(result.document)
    sources = markdown[markdown.index("## Sources") :]
    assert "| Executive summary | $250K | ARR (customers.arr) |" in sources
    assert "| Stakeholder plan | Sarah Chen | contact on record (contacts" in sources
    # Read in the plan's order: sections as the plan runs, then Action 2 before Action 11.
    places = [line.split("|")[1].strip() for line in sources.splitlines()[4:] if line.startswith("|")]
    assert places.index("Executive summary") < places.index("Stakeholder plan") < places.index("Benchmark comparison")
    actions = [int(p.split()[1]) for p in places if p.startswith("Action ")]
    assert actions == sorted(actions) and len(actions) > 1
