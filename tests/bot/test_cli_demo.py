"""`accountplan demo` and `seed` build the demo book as of a date, and bring an old one up to date."""

from __future__ import annotations

import json

from click.testing import CliRunner, Result

from bot.cli import cli

WIDE = {"COLUMNS": "200"}


def run(*args: str) -> Result:
    return CliRunner(env=WIDE).invoke(cli, list(args), catch_exceptions=False)


def test_demo_as_of_plans_the_next_year_in_planning_season_from_a_current_book() -> None:
    result = run("demo", "--offline", "--as-of", "2026-12-04")

    assert result.exit_code == 0, result.output
    assert "seeded 200 demo accounts as of 2026-12-04" in result.stderr
    assert "ACCOUNT PLAN - TechCorp Industries FY2027" in result.stdout
    # The PRD's figures, with dates relative to the day: renewal 270 days out, the analytics
    # upsell in Q2 of the year being planned, threatened by the evaluation of alternatives.
    assert "renewal on Aug 31, 2027 (in 270 days)" in result.stdout
    shown = json.loads(run("plans", "show", "TechCorp", "--fy", "FY2027", "--format", "json").stdout)
    assert shown["expansion_plan"]["current_arr"] == 250000
    premium = next(o for o in shown["expansion_plan"]["opportunities"] if o["description"] == "Premium analytics tier")
    assert (premium["value"], premium["probability"], premium["timeline"]) == (50000, 0.7, "Q2")
    risks = shown["risk_mitigation"]["identified_risks"]
    competition = next(r for r in risks if r["risk"].startswith("Competitive evaluation"))
    assert "evaluating alternatives for analytics" in competition["risk"]
    assert "Premium analytics tier" in competition["risk"]  # the deal it threatens
    assert shown["generation_context"]["situation"]["risk_level"] == "watch"
    assert shown["generation_context"]["review"]["errors"] == 0


def test_demo_on_a_book_from_another_month_refreshes_it_first() -> None:
    assert run("seed", "--accounts", "12", "--as-of", "2026-01-29").exit_code == 0

    result = run("demo", "--offline", "--as-of", "2026-12-04")

    assert result.exit_code == 0, result.output
    assert "the demo portfolio is from January 2026: bringing it up to date as of 2026-12-04" in result.stderr
    assert "refreshed 12 demo accounts" in result.stderr
    assert "renewal on Aug 31, 2027 (in 270 days)" in result.stdout

    again = run("demo", "--offline", "--as-of", "2026-12-04")
    assert "bringing it up to date" not in again.stderr  # current now: nothing to do


def test_seed_refresh_says_what_it_did() -> None:
    run("seed", "--accounts", "5", "--as-of", "2026-01-29")

    result = run("seed", "--accounts", "5", "--as-of", "2026-12-04", "--refresh")

    assert result.exit_code == 0
    assert "refreshed 5 and added 0 demo accounts as of 2026-12-04" in result.stdout
