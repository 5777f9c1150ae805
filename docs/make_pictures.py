"""Regenerate the README's pictures from the demo data with the project's own code:

    make pictures            # or: .venv/bin/python docs/make_pictures.py [--as-of YYYY-MM-DD]

Seeds the demo portfolio into a throwaway SQLite database, drafts TechCorp Industries' plan with the
offline drafter, and writes
- docs/plan-card.png: the plan card as Slack shows it (Block Kit from `bot.slack.blocks`, drawn by
  docs/render_blocks.py with headless Chromium; people's Slack ids shown as their names);
- docs/plan-timeline.png and docs/plan-stakeholders.png: the pictures `bot.charts` draws, the same
  bytes Slack gets in the plan's thread and `accountplan chart` writes;
- docs/draft-book.png: `/accountplan draft-book` for the demo CSM's book, drafted by a real run: its
  progress message as it reads halfway (at the run's own rate), and the summary it became.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
from datetime import date
from pathlib import Path

from sqlalchemy import select

from agent.bulk import RunScope, execute_run, start_run
from agent.deps import AgentDeps
from agent.generate import GenerationRequest, generate_plan
from bot.charts import CHART_KINDS, render_chart
from bot.charts.inputs import ChartInputs, chart_inputs
from bot.slack.blocks.draft_book import BookRunView, run_progress_blocks, run_summary_blocks
from bot.slack.blocks.plan_summary import plan_summary_blocks, plan_summary_text
from bot.slack.book_drafting import summary_view
from bot.slack.services.plan_cards import plan_card
from storage.db import Database
from storage.demo.portfolio import seed_demo_portfolio
from storage.demo.techcorp import TECHCORP_ID
from storage.models import User
from storage.settings import Settings

DOCS = Path(__file__).resolve().parent


DEMO_CSM = "csm001@demo.accountplan.test"


async def draft_book(deps: AgentDeps, as_of: date) -> list[dict[str, object]]:
    """The blocks of the draft-book message for a real run of the demo CSM's book: its progress
    message as it reads halfway (at the run's own rate; the run is too quick to catch there), then
    the summary it became."""
    record = await start_run(
        deps, RunScope(csm=DEMO_CSM, offline=True, as_of=as_of), author=DEMO_CSM, surface="slack"
    )
    summary = await execute_run(deps, record.run_id, workers=1, in_process=True)
    half = summary.run.total // 2
    rate = summary.rate or 1.0
    halfway = BookRunView(
        run_id=record.run_id,
        book="your book",
        total=summary.run.total,
        drafted=half,
        rate_per_second=rate,
        seconds_left=(summary.run.total - half) / rate,
    )
    return [
        *(b.to_dict() for b in run_progress_blocks(halfway)),
        {"type": "divider"},
        *(b.to_dict() for b in run_summary_blocks(summary_view(summary, "your book"))),
    ]


async def gather(as_of: date) -> tuple[str, ChartInputs, list[dict[str, object]]]:
    """(the card as Slack message JSON, what the pictures are drawn from) for TechCorp's demo plan."""
    with tempfile.TemporaryDirectory() as tmp:
        database = Database(f"sqlite+aiosqlite:///{tmp}/demo.db")
        try:
            await database.ensure_schema()
            await seed_demo_portfolio(database, as_of=as_of)
            deps = AgentDeps(settings=Settings(), database=database)
            request = GenerationRequest(
                customer=TECHCORP_ID, as_of=as_of, offline=True, author="csm001@demo.accountplan.test"
            )
            plan_id = (await generate_plan(deps, request)).document.plan_id
            card = await plan_card(database, plan_id, as_of)
            book_blocks = await draft_book(deps, as_of)
            async with database.session() as session:
                names = {u.slack_user_id: u.name for u in (await session.execute(select(User))).scalars()}
                inputs = await chart_inputs(session, plan_id, as_of, start_month=deps.fiscal_year_start_month)
        finally:
            await database.dispose()
    message = {
        "text": plan_summary_text(card.document, card.facts),
        "blocks": [b.to_dict() for b in plan_summary_blocks(card.document, facts=card.facts)],
    }
    # Slack shows a mention as the person's name; the offline renderer needs the name spelled out.
    text = json.dumps(message)
    for slack_id, name in names.items():
        if slack_id:
            text = text.replace(f"<@{slack_id}>", f"<@{slack_id}|{name}>")
    return text, inputs, book_blocks


def make(as_of: date, out: Path) -> list[Path]:
    from render_blocks import render_png  # docs/render_blocks.py, beside this script

    message, inputs, book_blocks = asyncio.run(gather(as_of))
    out.mkdir(parents=True, exist_ok=True)
    card_png = render_png(json.loads(message), out / "plan-card.png")
    written = [card_png, render_png({"blocks": book_blocks}, out / "draft-book.png")]
    for kind in CHART_KINDS:
        path = out / f"plan-{kind}.png"
        path.write_bytes(render_chart(kind, inputs).png)
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--as-of", type=date.fromisoformat, default=date.today(), help="YYYY-MM-DD (default: today)")
    parser.add_argument("--out", type=Path, default=DOCS, help="folder for the PNG files (default: docs/)")
    args = parser.parse_args()
    for path in make(args.as_of, args.out):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
