"""`accountplan review PLAN` and the plan check in `plans show`; honest labels in the terminal and
the Markdown export; customer text that stays inert in the export."""

from __future__ import annotations

import asyncio
import html as entities
import json
import re
from datetime import date
from decimal import Decimal

import pytest
from click.testing import CliRunner, Result
from markdown_it import MarkdownIt

from bot.cli import cli
from bot.render.markdown import render_markdown
from storage.db import database_from_settings
from storage.models import Contact, Customer, Opportunity, User
from storage.plans import save_plan_version
from storage.settings import get_settings
from tests.agent.review.clean_plan import document as clean_document

WIDE = {"COLUMNS": "200"}


def run(*args: str) -> Result:
    return CliRunner(env=WIDE).invoke(cli, list(args), catch_exceptions=False)


def seed_clean_techcorp() -> str:
    """The account behind tests/agent/review/clean_plan.py, and that plan saved: a plan the review
    has nothing to say about."""

    async def seed() -> str:
        database = database_from_settings(get_settings())
        await database.ensure_schema()
        try:
            async with database.session() as session:
                session.add(User(email="jordan@vendor.example", name="Jordan", role="csm"))
                session.add(
                    Customer(
                        id="cust-techcorp",
                        name="TechCorp Industries",
                        industry="Technology",
                        segment="Enterprise",
                        arr=Decimal(250000),
                        health_score=68,
                        renewal_date=date(2026, 9, 30),
                        contract_start=date(2023, 10, 1),
                        seats_purchased=200,
                        seats_active=150,
                        feature_utilization=55.0,
                        csm_email="jordan@vendor.example",
                        goals="Scale customer success operations to 3 regions",
                        competitors="Gainsight",
                    )
                )
                await session.flush()
                for cid, name, title, role, engagement in (
                    ("c-sarah", "Sarah Chen", "VP Product", "champion", "high"),
                    ("c-mike", "Mike Ross", "Director of Engineering", "technical_buyer", "medium"),
                    ("c-ana", "Ana Lopez", "Ops Manager", "user", "low"),
                    ("c-raj", "Raj Patel", "Analyst", "user", "low"),
                    ("c-lee", "Lee Kim", "Team Lead", "champion", "low"),
                ):
                    session.add(
                        Contact(
                            id=cid,
                            customer_id="cust-techcorp",
                            name=name,
                            title=title,
                            role=role,
                            engagement_level=engagement,
                            active=True,
                        )
                    )
                session.add(
                    Opportunity(
                        id="opp-1",
                        customer_id="cust-techcorp",
                        type="upsell",
                        description="Premium analytics tier",
                        value=Decimal(50000),
                        probability=0.7,
                        expected_close=date(2026, 5, 15),
                        stage="open",
                    )
                )
                await session.flush()
                saved = await save_plan_version(
                    session, clean_document(), author="jordan@vendor.example", reason="t"
                )
            return saved.document.plan_id
        finally:
            await database.dispose()

    return asyncio.run(seed())


def test_review_of_a_clean_plan_says_so_and_exits_0() -> None:
    plan_id = seed_clean_techcorp()
    result = run("review", plan_id)
    assert result.exit_code == 0, result.output
    assert "Plan check: nothing to look at" in result.stdout
    as_json = run("review", "TechCorp", "--fy", "FY2026", "--format", "json")
    assert as_json.exit_code == 0
    assert json.loads(as_json.stdout) == {
        "plan_id": plan_id,
        "customer_name": "TechCorp Industries",
        "fiscal_year": "FY2026",
        "version": 1,
        "findings": [],
        "errors": 0,
        "warnings": 0,
    }


def test_review_lists_error_findings_and_exits_1() -> None:
    plan_id = seed_clean_techcorp()
    revised = run(
        "revise",
        plan_id,
        "set priority of objective 2 to critical; set priority of objective 3 to critical",
        "--offline",
    )
    assert revised.exit_code == 0, revised.output
    result = run("review", "techcorp", "--format", "json")
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["version"] == 2 and payload["errors"] == 1
    assert [(f["code"], f["severity"], f["path"]) for f in payload["findings"]] == [
        ("too_many_critical", "error", "strategic_objectives[2].priority")
    ]
    text = run("review", "TechCorp")
    assert text.exit_code == 1
    assert "Plan check: 1 to look at (1 error)" in text.stdout
    assert "3 objectives are critical (1, 2 and 3)" in text.stdout
    # plans show prints the stored review: the revision was reviewed when it was saved.
    shown = run("plans", "show", "TechCorp")
    assert "Plan check: 1 to look at (1 error)" in shown.stdout and "make objective 3 high" in shown.stdout
    listed = run("plans", "list")
    assert "data coverage" in listed.stdout and "1 error" in listed.stdout


def test_review_of_an_unknown_plan_is_bad_input() -> None:
    seed_clean_techcorp()
    result = run("review", "Globex")
    assert result.exit_code == 2 and "Globex" in result.stderr


def test_labels_say_data_coverage_and_who_drafted() -> None:
    seed_clean_techcorp()
    shown = run("plans", "show", "TechCorp")
    assert "Data coverage 82%" in shown.stdout and "Drafted from your data" in shown.stdout
    assert "AI confidence" not in shown.stdout and "AI-drafted" not in shown.stdout
    markdown = render_markdown(clean_document())
    assert "**Data coverage:** 82% · Drafted from your data" in markdown
    claude = clean_document().model_copy(update={"ai_generated": True})
    assert "AI-drafted (Claude)" in render_markdown(claude)


HOSTILE = [
    "<!channel> Acme",
    "<@U0123ABCD> [click here](https://evil.example/x) ![pixel](https://evil.example/p.png)",
    "<script>alert(1)</script> <img src=x onerror=alert(1)> **bold** _it_ `code` | pipe",
    "<https://evil.example|Totally safe> &lt;b&gt; # Heading",
]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_the_markdown_export_shows_customer_text_literally(hostile: str) -> None:
    data = clean_document().model_dump(mode="json")
    data["customer_name"] = hostile
    data["business_context"]["customer_goals"] = hostile
    data["strategic_objectives"][0]["objective"] = "Secure the renewal " + hostile
    data["stakeholder_plan"]["current_map"][0]["name"] = hostile
    data["executive_summary"] = "1. " + hostile + " and more text for the summary."
    markdown = render_markdown(type(clean_document()).model_validate(data))
    # Slack never sees a mention or a link token in the export or the canvas made from it.
    assert "<!channel>" not in markdown and "<@U" not in markdown and "<https://" not in markdown
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    assert not re.search(r"<(a|img|script)\b", html), html
    assert "<ol" not in html  # a summary starting "1. " is not turned into a list
    # ...and a person reads exactly what was typed.
    shown = entities.unescape(re.sub(r"<[^>]+>", "", html))
    assert " ".join(hostile.split()) in shown
