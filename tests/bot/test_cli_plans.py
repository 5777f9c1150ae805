"""`accountplan generate`, `plans list|show`, `export` and `demo` from the terminal."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select

from bot.cli import cli
from storage.db import database_from_settings
from storage.models import AccountPlan
from storage.plan_document import SECTIONS, AccountPlanDocument
from storage.settings import Settings

WIDE = {"COLUMNS": "200"}
AS_OF = "2026-02-02"


def run(*args: str) -> Result:
    return CliRunner(env=WIDE).invoke(cli, list(args), catch_exceptions=False)


def plan_count() -> int:
    async def count() -> int:
        database = database_from_settings(Settings())
        try:
            async with database.session() as session:
                return (await session.execute(select(func.count()).select_from(AccountPlan))).scalar_one()
        finally:
            await database.dispose()

    return asyncio.run(count())


@pytest.fixture
def seeded() -> None:
    result = run("seed", "--accounts", "25", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output


def test_generate_json_prints_exactly_the_saved_document(seeded: None) -> None:
    result = run("generate", "TechCorp", "--fy", "FY2026", "--as-of", AS_OF, "--format", "json")

    assert result.exit_code == 0, result.output
    document = AccountPlanDocument.model_validate_json(result.stdout)
    assert list(json.loads(result.stdout))[:6] == [
        "plan_id",
        "status",
        "customer_id",
        "customer_name",
        "fiscal_year",
        "ai_confidence",
    ]
    assert (document.customer_name, document.fiscal_year, document.version) == (
        "TechCorp Industries",
        "FY2026",
        1,
    )
    assert "created plan" in result.stderr and "version 1" in result.stderr

    shown = run("plans", "show", "techcorp industries", "--format", "json")
    assert AccountPlanDocument.model_validate_json(shown.stdout) == document


def test_generate_text_shows_sections_in_the_prd_order(seeded: None) -> None:
    result = run("generate", "TechCorp Industries", "--as-of", AS_OF)

    assert result.exit_code == 0, result.output
    headings = [
        "EXECUTIVE SUMMARY",
        "BUSINESS CONTEXT",
        "STRATEGIC OBJECTIVES",
        "STAKEHOLDER PLAN",
        "EXPANSION PLAN",
        "RISK MITIGATION",
        "QBR SCHEDULE",
        "RESOURCE PLAN",
        "90-DAY ACTION PLAN",
        "BENCHMARK COMPARISON",
    ]
    positions = [result.stdout.index(heading) for heading in headings]
    assert positions == sorted(positions)
    assert "TechCorp Industries FY2026" in result.stdout
    assert "Sarah Chen" in result.stdout


def test_no_save_prints_the_draft_and_stores_nothing(seeded: None) -> None:
    result = run("generate", "techcorp", "--as-of", AS_OF, "--no-save", "--format", "markdown")

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# TechCorp Industries: account plan FY2026")
    assert "not saved" in result.stderr
    assert plan_count() == 0


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--fy", "FY26"], "fiscal year must look like FY2026"),
        (["--fy", "2026"], "fiscal year must look like FY2026"),
        (["--as-of", "02/02/2026"], "--as-of must be a date like 2026-03-31 (YYYY-MM-DD)"),
        (["--as-of", "2026-02-30"], "--as-of must be a date like 2026-03-31 (YYYY-MM-DD)"),
        (["--sections", "objectives,roadmap"], "unknown section 'roadmap'; accepted: all, executive_summary"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_nothing_saved(seeded: None, args: list[str], expected: str) -> None:
    result = run("generate", "TechCorp", *args)

    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: ") and expected in result.stderr
    assert plan_count() == 0


def test_unknown_customer_suggests_names(seeded: None) -> None:
    result = run("generate", "TechCrop Industries", "--as-of", AS_OF)

    assert result.exit_code == 2
    assert "did you mean 'TechCorp Industries'" in result.stderr


def test_sections_option_redrafts_only_those_and_keeps_the_rest(seeded: None) -> None:
    run("generate", "TechCorp", "--as-of", AS_OF)
    result = run(
        "generate",
        "TechCorp",
        "--as-of",
        AS_OF,
        "--sections",
        "risks",
        "--sections",
        "qbr",
        "--format",
        "json",
    )

    document = json.loads(result.stdout)
    assert document["version"] == 2
    assert document["generation_context"]["sections"] == ["risk_mitigation", "qbr_schedule"]
    assert set(document["generation_context"]["kept_from_previous_version"]) == set(SECTIONS) - {
        "risk_mitigation",
        "qbr_schedule",
    }


def test_plans_list_shows_every_plan(seeded: None) -> None:
    assert "no plans yet" in run("plans", "list").stdout
    run("generate", "TechCorp", "--as-of", AS_OF)
    run("generate", "TechCorp", "--as-of", AS_OF, "--fy", "FY2027")

    listed = run("plans", "list").stdout

    assert listed.count("TechCorp Industries") == 2
    assert "FY2026" in listed and "FY2027" in listed and "draft" in listed


def test_export_by_customer_or_plan_id_to_a_file(seeded: None, tmp_path: Path) -> None:
    created = json.loads(run("generate", "TechCorp", "--as-of", AS_OF, "--format", "json").stdout)

    by_name = run("export", "TechCorp Industries", "--format", "markdown", "-o", str(tmp_path / "plan.md"))
    by_id = run("export", created["plan_id"], "--format", "json")

    assert by_name.exit_code == 0, by_name.output
    markdown = (tmp_path / "plan.md").read_text(encoding="utf-8")
    assert markdown.startswith("# TechCorp Industries: account plan FY2026")
    assert "## 90-day action plan" in markdown and "| Week | Due | Action |" in markdown
    assert f"wrote {tmp_path / 'plan.md'}" in by_name.stderr
    assert json.loads(by_id.stdout) == created


def test_export_of_a_missing_plan_says_how_to_make_one(seeded: None) -> None:
    result = run("export", "TechCorp", "--format", "json")

    assert result.exit_code == 2
    assert "accountplan generate" in result.stderr


def test_demo_seeds_generates_shows_and_exports(tmp_path: Path) -> None:
    result = run("demo")

    assert result.exit_code == 0, result.output
    assert "seeding the demo portfolio" in result.stderr
    assert "ACCOUNT PLAN - TechCorp Industries FY" in result.stdout
    exports = list((tmp_path / "data" / "exports").glob("techcorp-industries-FY*-v1.md"))
    assert len(exports) == 1
    assert f"Markdown export written to {exports[0].resolve()}" in result.stdout
    assert exports[0].read_text(encoding="utf-8").startswith("# TechCorp Industries: account plan FY")

    again = run("demo")
    assert again.exit_code == 0
    assert "seeding" not in again.stderr
    assert "version 2" in again.stderr


def test_markdown_keeps_customer_text_inside_its_table_cell() -> None:
    from agent.drafter import draft_plan
    from bot.render.markdown import render_markdown
    from tests.agent.context_factory import techcorp

    context = techcorp()
    context.contacts[0] = context.contacts[0].model_copy(update={"title": "VP | Product\nand Ops"})
    markdown = render_markdown(draft_plan(context, "FY2026"))

    row = next(line for line in markdown.splitlines() if line.startswith("| Sarah Chen |"))
    assert "VP \\| Product and Ops" in row
    assert row.count(" | ") == 5  # six cells, the escaped pipe is not a separator


def test_terminal_rendering_shows_markup_in_customer_text_as_typed() -> None:
    from rich.console import Console

    from agent.drafter import draft_plan
    from bot.render.terminal import render_plan
    from tests.agent.context_factory import techcorp

    context = techcorp(goals="[bold red]Grow[/] fast [/]", competitors="[link=http://x]Rival[/link]")
    context.contacts[0] = context.contacts[0].model_copy(update={"name": "Sarah [/] Chen"})
    console = Console(record=True, width=200)

    render_plan(console, draft_plan(context, "FY2026"))

    text = console.export_text()
    assert "[bold red]Grow[/] fast [/]" in text
    assert "[link=http://x]Rival[/link]" in text
    assert "Sarah [/] Chen" in text


def test_plans_show_an_earlier_version(seeded: None) -> None:
    first = json.loads(run("generate", "TechCorp", "--as-of", AS_OF, "--format", "json").stdout)
    run("generate", "TechCorp", "--as-of", "2026-03-02")

    current = json.loads(run("plans", "show", "TechCorp", "--format", "json").stdout)
    earlier = json.loads(run("plans", "show", "TechCorp", "--version", "1", "--format", "json").stdout)
    missing = run("plans", "show", "TechCorp", "--version", "9")

    assert current["version"] == 2 and current["generation_context"]["as_of"] == "2026-03-02"
    assert earlier == first
    assert missing.exit_code == 2 and "has no version 9" in missing.stderr


def test_demo_on_a_database_without_techcorp_says_how_to_add_it(tmp_path: Path) -> None:
    folder = tmp_path / "crm"
    folder.mkdir()
    (folder / "customers.csv").write_text("id,name\nacme,Acme Corp\n", encoding="utf-8")
    assert run("import", str(folder)).exit_code == 0

    result = run("demo")

    assert result.exit_code == 2
    assert "not the demo account TechCorp Industries" in result.stderr
    assert "accountplan seed" in result.stderr


CSM = "csm001@demo.accountplan.test"
MANAGER = "mgr001@demo.accountplan.test"


def test_plans_show_takes_a_plan_id_or_a_unique_prefix(seeded: None) -> None:
    """Before: `plans show` took only a customer, though `export` took a plan id."""
    created = json.loads(run("generate", "TechCorp", "--as-of", AS_OF, "--format", "json").stdout)
    plan_id = created["plan_id"]
    for name in (plan_id, plan_id[:8], plan_id.upper()):
        shown = run("plans", "show", name, "--format", "json")
        assert shown.exit_code == 0, shown.output
        assert json.loads(shown.stdout)["plan_id"] == plan_id
    assert json.loads(run("export", plan_id[:8], "--format", "json").stdout)["plan_id"] == plan_id
    assert run("audit", plan_id[:8]).exit_code == 0


def test_an_ambiguous_id_prefix_is_one_line_exit_2(seeded: None) -> None:
    created = AccountPlanDocument.model_validate_json(
        run("generate", "TechCorp", "--as-of", AS_OF, "--no-save", "--format", "json").stdout
    )

    async def save_two() -> None:
        from storage.plans import save_plan_version

        database = database_from_settings(Settings())
        try:
            for plan_id, year in (("abcdef01-0000-4000-8000-000000000001", "FY2026"),
                                  ("abcdef02-0000-4000-8000-000000000002", "FY2027")):  # fmt: skip
                async with database.session() as session:
                    document = created.model_copy(update={"plan_id": plan_id, "fiscal_year": year})
                    await save_plan_version(session, document, author="t", reason="t")
        finally:
            await database.dispose()

    asyncio.run(save_two())
    ambiguous = run("plans", "show", "abcdef0")
    assert ambiguous.exit_code == 2
    assert ambiguous.stderr.strip() == (
        "error: plan id prefix 'abcdef0' fits 2+ plans (abcdef01-0000-4000-8000-000000000001, "
        "abcdef02-0000-4000-8000-000000000002); give more of the id"
    )
    unique = run("plans", "show", "abcdef02", "--format", "json")
    assert json.loads(unique.stdout)["fiscal_year"] == "FY2027"


def test_piped_tables_print_ids_in_full(seeded: None) -> None:
    """Before: a narrow or piped console cut ids to 'b9838769-c79e-…'."""
    plan_id = json.loads(run("generate", "TechCorp", "--as-of", AS_OF, "--format", "json").stdout)["plan_id"]
    narrow = CliRunner(env={"COLUMNS": "40"}).invoke(cli, ["plans", "list"], catch_exceptions=False)
    assert plan_id in narrow.stdout
    customers = CliRunner(env={"COLUMNS": "40"}).invoke(cli, ["customers", "list"], catch_exceptions=False)
    assert "techcorp-industries" in customers.stdout or "techcorp" in customers.stdout


def test_list_and_show_say_which_approved_version_is_in_force(seeded: None) -> None:
    """Before: after an approved plan was edited, list and show only said 'draft'."""
    plan_id = json.loads(run("generate", "TechCorp", "--as-of", AS_OF, "--format", "json").stdout)["plan_id"]
    assert run("submit", plan_id, "--as", CSM).exit_code == 0
    assert run("approve", plan_id, "--as", MANAGER).exit_code == 0
    listed = run("plans", "list").stdout
    assert "this one" in listed
    assert run("revise", plan_id, "set priority of objective 1 to critical", "--as", CSM).exit_code in (0, 1)
    assert run("revise", plan_id, "add risk: Budget freeze (high)", "--as", CSM).exit_code == 0
    listed = run("plans", "list").stdout
    row = next(line for line in listed.splitlines() if plan_id in line)
    assert "draft" in row and "v1 approved" in row
    shown = run("plans", "show", plan_id)
    assert "note: version 1 is the approved plan in force; this is draft version" in shown.stderr
    as_json = json.loads(run("plans", "show", plan_id, "--format", "json").stdout)
    assert (as_json["status"], as_json["approved_version"]) == ("draft", 1)


def test_export_to_a_missing_folder_is_refused_and_creates_nothing(seeded: None, tmp_path: Path) -> None:
    """Before: `export -o /nonexistent/dir/x.md` created the folders."""
    run("generate", "TechCorp", "--as-of", AS_OF)
    target = tmp_path / "no" / "such" / "dir" / "plan.md"
    result = run("export", "TechCorp", "-o", str(target))
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: cannot write {target}: the folder {target.parent} does not exist"
    assert not (tmp_path / "no").exists()


def test_demo_again_keeps_edits_and_says_so_unless_replace() -> None:
    """Before: `make demo` a second time reopened done actions and dropped added risks."""
    assert run("demo").exit_code == 0
    drafted = json.loads(run("plans", "show", "TechCorp", "--format", "json").stdout)
    plan_id, first_action = drafted["plan_id"], drafted["action_plan_90day"][0]["action"]
    assert run("revise", plan_id, "mark action 1 done; add risk: Budget freeze (high)", "--as", CSM).exit_code == 0

    again = run("demo")
    assert again.exit_code == 0, again.output
    kept_line = next(line for line in again.stderr.splitlines() if line.startswith("kept people's edits"))
    assert f"(edits by {CSM} via cli (v2))" in kept_line
    assert "1 done action" in kept_line and "risk 'Budget freeze'" in kept_line
    assert kept_line.endswith("--replace drafts without them")
    document = json.loads(run("plans", "show", plan_id, "--format", "json").stdout)
    # The action marked done stays done (among the week's actions, wherever the merge sorts it).
    kept = next(a for a in document["action_plan_90day"] if a["action"] == first_action)
    assert kept["status"] == "done"
    assert "Budget freeze" in [r["risk"] for r in document["risk_mitigation"]["identified_risks"]]

    replaced = run("demo", "--replace")
    assert replaced.exit_code == 0 and "kept people's edits" not in replaced.stderr
    document = json.loads(run("plans", "show", plan_id, "--format", "json").stdout)
    assert {a["status"] for a in document["action_plan_90day"]} == {"open"}


@pytest.fixture
def full_demo() -> None:
    result = run("seed", "--accounts", "200", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output


def test_a_customer_typo_is_a_did_you_mean_with_exit_2_and_nothing_drafted(full_demo: None) -> None:
    result = run("generate", "Jaspr Energy", "--as-of", AS_OF, "--offline")

    assert result.exit_code == 2
    assert result.stderr == "error: no customer 'Jaspr Energy'; did you mean 'Jasper Energy'?\n"
    assert plan_count() == 0


def test_a_name_several_customers_share_lists_them_with_exit_2(full_demo: None) -> None:
    result = run("customers", "show", "jasper")

    assert result.exit_code == 2
    assert result.stderr == (
        "error: several customers match 'jasper'; did you mean 'Jasper Capital', 'Jasper Energy', "
        "'Jasper Foods' or 'Jasper Supply'? (the full name or id picks one)\n"
    )


def test_a_name_in_another_word_order_is_that_customer(full_demo: None) -> None:
    result = run("generate", "energy jasper", "--as-of", AS_OF, "--offline", "--no-save", "--format", "json")

    assert result.exit_code == 0, result.stderr
    assert AccountPlanDocument.model_validate_json(result.stdout).customer_name == "Jasper Energy"
