"""Pictures of a plan: readable (no label on top of another, names on the map, text inside the
picture and inside its box), described in alt text, drawn for any plan shape, written by the CLI and
embedded in the Markdown export; matplotlib is not loaded until a picture is drawn."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot.charts import CHART_KINDS, render_chart, render_charts
from bot.charts.embedding import embed_pictures
from bot.charts.inputs import ChartInputs
from bot.charts.stakeholders import COL_W, MAX_PER_CELL, build_layout, seniority, stakeholder_figure
from bot.charts.timeline import timeline_figure
from bot.cli import cli
from tests.fakes.plan_samples import plan_data, sample_plan

DPI_SLACK_PREVIEW = 0.5  # Slack shows a picture at about half its width in a message


def contact(n: int, role: str, title: str | None, score: int | None = 60, active: bool = True) -> dict[str, Any]:
    return {
        "stakeholder_id": f"c-{n}",
        "name": f"Person Number{n} Longsurname",
        "title": title,
        "role": role,
        "relationship_score": score,
        "engagement_level": "medium",
        "active": active,
    }


def crowded_plan() -> Any:
    """Everything at once: long names and titles, a crowded cell, a departed contact, missing roles,
    QBRs close to the renewal and to each other, long objective names."""
    data = plan_data(plan_id="6f1c0e52-2d7e-4c1b-9a53-0c2f3d4e5a6b")
    data["stakeholder_plan"]["current_map"] = [
        contact(1, "champion", "Vice President of Global Customer Experience Operations", 82),
        contact(2, "economic_buyer", "Chief Financial Officer", 35),
        contact(3, "technical_buyer", "Director of Platform Engineering and Infrastructure", None),
        contact(4, "user", "Senior Support Analyst", 20, active=False),
        *(contact(10 + n, "user", "Support Team Lead", 45 + n) for n in range(7)),
    ]
    data["stakeholder_plan"]["missing_roles"] = ["executive sponsor (VP+)", "2nd champion", "a procurement contact"]
    long = "Secure an on-time multi-year renewal of the contract with expanded seats and analytics"
    data["strategic_objectives"] = [
        {**data["strategic_objectives"][0], "id": f"obj-{n}", "objective": f"{long} {n}"} for n in range(1, 6)
    ]
    data["qbr_schedule"] = [
        {"quarter": q, "date": d, "focus": "Review", "attendees": []}
        for q, d in (("Q1", "2026-02-15"), ("Q2", "2026-05-10"), ("Q2", "2026-05-20"), ("Q3", "2026-08-14"))
    ]
    return sample_plan(**{k: v for k, v in data.items() if k != "plan_id"}, plan_id=data["plan_id"])


def inputs_for(document: Any, **overrides: Any) -> ChartInputs:
    values: dict[str, Any] = {
        "document": document,
        "today": date(2026, 5, 12),
        "fiscal_year_start_month": 1,
        "renewal_date": date(2026, 5, 25),
    }
    return ChartInputs(**(values | overrides))


def text_boxes(figure: Any) -> list[tuple[str, Any]]:
    from matplotlib.text import Text

    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    return [
        (t.get_text(), t.get_window_extent(renderer))
        for t in figure.findobj(Text)
        if t.get_visible() and t.get_text().strip()
    ]


def assert_readable(figure: Any) -> None:
    boxes = text_boxes(figure)
    width, height = figure.canvas.get_width_height()
    for text, box in boxes:
        assert box.x0 >= -1 and box.y0 >= -1 and box.x1 <= width + 1 and box.y1 <= height + 1, text
    clashes = [
        (a, b)
        for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2)
        if box_a.shrunk(0.95, 0.9).overlaps(box_b.shrunk(0.95, 0.9))
    ]
    assert clashes == []
    # At Slack's preview size the smallest text is still about 6 px tall or more.
    smallest = min(box.height for _, box in boxes)
    assert smallest * DPI_SLACK_PREVIEW >= 5.5


@pytest.mark.parametrize("renewal", [date(2026, 5, 25), date(2027, 3, 1), None])
def test_the_timeline_is_readable_whatever_the_dates(renewal: date | None) -> None:
    figure = timeline_figure(inputs_for(crowded_plan(), renewal_date=renewal))
    assert_readable(figure)
    texts = [t for t, _ in text_boxes(figure)]
    assert "Today" in texts and any(t.startswith("QBR May 10") for t in texts)
    if renewal == date(2026, 5, 25):
        assert "Renewal May 25" in texts
    elif renewal is not None:
        assert "Renewal Mar 1, 2027 ▸" in texts  # after the year: said at the edge, not dropped
    assert any(t.startswith("1. Secure an on-time") for t in texts)  # objectives are named


def test_dollar_amounts_in_objectives_are_drawn_as_written_not_as_maths() -> None:
    data = plan_data(plan_id="6f1c0e52-2d7e-4c1b-9a53-0c2f3d4e5a6b")
    data["strategic_objectives"][0]["objective"] = "Grow ARR from $250K to $301K"
    document = sample_plan(**{k: v for k, v in data.items() if k != "plan_id"}, plan_id=data["plan_id"])
    figure = timeline_figure(inputs_for(document))
    from matplotlib.text import Text

    labels = [t for t in figure.findobj(Text) if "$250K" in t.get_text()]
    assert labels and all(not t.get_parse_math() for t in labels)
    assert_readable(figure)


def test_the_stakeholder_map_is_readable_names_on_it_and_text_inside_its_column() -> None:
    figure = stakeholder_figure(inputs_for(crowded_plan()))
    assert_readable(figure)
    boxes = dict(text_boxes(figure))
    assert any(t.startswith("Person Number1") for t in boxes)  # names are on the map, cut to fit
    dpi = figure.get_dpi()
    column_texts = [b for t, b in text_boxes(figure) if not t.startswith(("Executive sponsor path", "TechCorp"))]
    legend = figure.legends[0].get_window_extent(figure.canvas.get_renderer())
    assert all(b.width <= COL_W * dpi for b in column_texts if not b.overlaps(legend))


def test_the_map_places_people_by_role_and_seniority_and_marks_departed_and_missing() -> None:
    layout = build_layout(inputs_for(crowded_plan()))
    cells = {key: [b.kind for b in boxes] for key, boxes in layout.cells.items()}
    assert cells[("champion", "VP")] == ["contact"]
    assert cells[("economic_buyer", "C-level")] == ["contact"]
    assert cells[("exec_sponsor", "VP")] == ["missing"]
    assert "missing" in cells[("champion", "Director")]
    users = [k for k in cells if k[0] == "user"]
    assert all(len(cells[k]) <= MAX_PER_CELL for k in users)
    assert "more" in cells[("user", "Manager")]  # seven team leads: three shown, "+4 more"
    assert "departed" in cells[("user", "Individual")]
    assert [seniority(t) for t in ("CFO", "VP Product", "Head of IT", "Director, Sales", "Analyst", None)] == [
        "C-level", "VP", "VP", "Director", "Individual", "Individual",
    ]  # fmt: skip


def test_alt_text_describes_each_picture() -> None:
    timeline, stakeholders = render_charts(inputs_for(crowded_plan()))
    assert timeline.png.startswith(b"\x89PNG") and stakeholders.png.startswith(b"\x89PNG")
    assert "5 objectives with 20 quarterly milestones" in timeline.alt_text and "renewal May 25, 2026" in timeline.alt_text
    assert "Person Number1 Longsurname" in stakeholders.alt_text and "left the company" in stakeholders.alt_text
    assert "Missing roles: executive sponsor (VP+)" in stakeholders.alt_text
    assert "Executive sponsor path: CSM -> Person Number1 Lo… -> Executive sponsor" in stakeholders.alt_text
    assert all(len(i.alt_text) <= 1000 for i in (timeline, stakeholders))
    assert timeline.filename == "techcorp-industries-FY2026-v1-timeline.png"


def test_a_plan_with_no_contacts_and_no_qbrs_still_draws() -> None:
    data = plan_data()
    data["stakeholder_plan"]["current_map"] = []
    data["stakeholder_plan"]["missing_roles"] = []
    data["qbr_schedule"] = []
    for kind in CHART_KINDS:
        image = render_chart(kind, inputs_for(sample_plan(**data), renewal_date=None))
        assert image.png.startswith(b"\x89PNG")


def test_markdown_embeds_the_pictures_by_file_name_before_the_first_section() -> None:
    images = render_charts(inputs_for(crowded_plan()))
    markdown = "# Plan\n\nintro\n\n## Executive summary\n\ntext\n"
    embedded = embed_pictures(markdown, images)
    first_section = embedded.index("## Executive summary")
    for image in images:
        link = embedded.index(f"]({image.filename})")
        assert 0 < link < first_section
    assert "[" not in embedded.split("![", 1)[1].split("](", 1)[0]  # alt text holds no brackets


def test_importing_the_cli_and_the_slack_app_loads_no_matplotlib() -> None:
    code = "import sys, bot.cli, bot.slack.app, bot.slack.charts; print('matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


@pytest.fixture
def demo_cli(tmp_path: Path) -> Any:
    runner = CliRunner()

    def run(*args: str) -> Any:
        return runner.invoke(cli, list(args), catch_exceptions=False)

    seeded = run("seed", "--accounts", "12")
    assert seeded.exit_code == 0, seeded.output
    drafted = run("generate", "TechCorp Industries", "--format", "json", "--as-of", "2026-03-01")
    assert drafted.exit_code == 0, drafted.output
    return run


def test_accountplan_chart_writes_each_picture_and_refuses_bad_input(demo_cli: Any, tmp_path: Path) -> None:
    (tmp_path / "pics").mkdir()
    for kind in CHART_KINDS:
        out = tmp_path / "pics" / f"{kind}.png"
        result = demo_cli("chart", "TechCorp Industries", "--kind", kind, "-o", str(out), "--as-of", "2026-03-01")
        assert result.exit_code == 0, result.output
        assert out.read_bytes().startswith(b"\x89PNG") and "alt text: " in result.output
    assert demo_cli("chart", "TechCorp", "--kind", "timeline", "-o", str(tmp_path / "t.jpg")).exit_code == 2
    assert demo_cli("chart", "TechCorp", "--kind", "timeline", "-o", str(tmp_path / "nope" / "t.png")).exit_code == 2
    assert demo_cli("chart", "Nobody Inc", "--kind", "timeline", "-o", str(tmp_path / "t.png")).exit_code == 2
    assert demo_cli("chart", "TechCorp", "--kind", "gantt", "-o", str(tmp_path / "t.png")).exit_code == 2


def test_the_markdown_export_carries_its_pictures_beside_it(demo_cli: Any, tmp_path: Path) -> None:
    (tmp_path / "export").mkdir()
    out = tmp_path / "export" / "plan.md"
    assert demo_cli("export", "TechCorp Industries", "--format", "markdown", "-o", str(out)).exit_code == 0
    text = out.read_text(encoding="utf-8")
    pictures = sorted(p.name for p in out.parent.glob("*.png"))
    assert pictures == ["techcorp-industries-FY2026-v1-stakeholders.png", "techcorp-industries-FY2026-v1-timeline.png"]
    assert all(f"]({name})" in text for name in pictures)
    # JSON and stdout stay exactly the plan.
    plain = demo_cli("export", "TechCorp Industries", "--format", "json")
    assert json.loads(plain.stdout)["customer_name"] == "TechCorp Industries"
