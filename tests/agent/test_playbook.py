"""The CS playbook is data CS Ops edits: validated on load, one clear error by file and line, and
what the drafter writes follows it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from agent.drafter import draft_plan
from agent.drafter.playbook import DEFAULT_PLAYBOOK, PlaybookInvalid, load_playbook, parse_playbook
from bot.cli import cli
from tests.agent import context_factory as accounts

PACKAGED = DEFAULT_PLAYBOOK.read_text(encoding="utf-8")


def test_the_packaged_playbook_covers_every_cause_and_segment() -> None:
    playbook = load_playbook()
    assert {"competition", "champion_loss", "single_threaded", "other"} <= set(playbook.risks)
    assert playbook.segment("midmarket") == playbook.segments["mid-market"]
    assert playbook.segment("unheard-of") == playbook.segments["default"]


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        # An unknown placeholder, on the line where it is written.
        (
            PACKAGED.replace("Root-cause review{with_champion}", "Root-cause review{with_champ}"),
            r"playbook.yml:3\d: risks\.health\.mitigation: unknown placeholder \{with_champ\}",
        ),
        # An owner left empty.
        (
            PACKAGED.replace("    title: Late payment\n    owner: CSM + Finance", "    title: Late payment\n    owner: ''"),
            r"playbook.yml:1\d\d: risks\.payment\.owner: String should have at least 1 character",
        ),
        # A week outside the 13 of the 90-day plan.
        (
            PACKAGED.replace("{week: 4, owner: CSM, action: \"Post-incident", "{week: 14, owner: CSM, action: \"Post-incident"),
            r"risks\.support\.actions\.1\.week: Input should be less than or equal to 13",
        ),
        # A situation that is neither a risk level nor a stage.
        (PACKAGED.replace("      watch:\n        mitigation: >-\n          Review the health", "      shaky:\n        mitigation: >-\n          Review the health"),
         r"risks\.health\.situations: unknown situation 'shaky'"),
        # A cause with no play.
        (PACKAGED.replace("  payment:\n", "  paymnt:\n"), r"risks: no play for payment"),
        # Not YAML at all.
        ("version: 1\nrisks: [a\n", r"playbook.yml:3: not valid YAML"),
    ],
)
def test_an_invalid_playbook_is_one_error_naming_file_line_and_problem(broken: str, expected: str) -> None:
    with pytest.raises(PlaybookInvalid, match=expected) as raised:
        parse_playbook(broken, "agent/drafter/playbook.yml")
    assert "\n" not in raised.value.message


def test_the_drafter_writes_what_the_playbook_says(tmp_path: Path) -> None:
    edited = PACKAGED.replace(
        "Competitive defense for {threatened}",
        "Win-back call with the account executive about {threatened}",
    )
    playbook = parse_playbook(edited, "edited.yml")

    plan = draft_plan(accounts.techcorp_on_watch(), "FY2026", playbook=playbook)

    competition = next(r for r in plan.risk_mitigation.identified_risks if r.risk.startswith("Competitive"))
    assert competition.mitigation.startswith(
        "Win-back call with the account executive about the $50K \u201cPremium analytics tier\u201d upsell"
    )


def test_playbook_check_command(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(cli, ["playbook", "check"])
    assert ok.exit_code == 0 and "valid: 12 risk plays" in ok.output

    bad = tmp_path / "playbook.yml"
    bad.write_text(PACKAGED.replace("title: Late payment", "title: 'x'"), encoding="utf-8")
    result = runner.invoke(cli, ["playbook", "check", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:" in result.output and "risks.payment.title" in result.output


def test_an_invalid_playbook_stops_a_command_at_start_with_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storage.settings import get_settings

    bad = tmp_path / "ops-playbook.yml"
    bad.write_text(PACKAGED.replace("csm_hours_per_month: 4\n", "csm_hours_per_month: lots\n"), encoding="utf-8")
    monkeypatch.setenv("ACCOUNTPLAN_PLAYBOOK", str(bad))
    get_settings.cache_clear()

    result = CliRunner().invoke(cli, ["demo", "--offline"])

    assert result.exit_code == 2
    assert f"error: playbook {bad}:" in result.output
    assert "segments.smb.csm_hours_per_month: Input should be a valid integer" in result.output
    assert "Traceback" not in result.output
