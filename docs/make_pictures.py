"""Regenerate the README's pictures from the demo data with the project's own code:

    make pictures            # or: .venv/bin/python docs/make_pictures.py [--as-of YYYY-MM-DD]

Seeds the demo portfolio into a throwaway SQLite database, drafts TechCorp Industries' plan with the
offline drafter, and writes
- docs/plan-card.png: the plan card as Slack shows it (Block Kit from `bot.slack.blocks`, drawn by
  docs/render_blocks.py with headless Chromium; people's Slack ids shown as their names);
- docs/plan-timeline.png and docs/plan-stakeholders.png: the pictures `bot.charts` draws, the same
  bytes Slack gets in the plan's thread and `accountplan chart` writes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
from datetime import date
from pathlib import Path

from sqlalchemy import select

from agent.deps import AgentDeps
from agent.generate import GenerationRequest, generate_plan
from bot.charts import CHART_KINDS, render_chart
from bot.charts.inputs import ChartInputs, chart_inputs
from bot.slack.blocks.plan_summary import plan_summary_blocks, plan_summary_text
from bot.slack.services.plan_cards import plan_card
from storage.db import Database
from storage.demo.portfolio import seed_demo_portfolio
from storage.demo.techcorp import TECHCORP_ID
from storage.models import User
from storage.settings import Settings

DOCS = Path(__file__).resolve().parent


async def gather(as_of: date) -> tuple[str, ChartInputs]:
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
    return text, inputs


def make(as_of: date, out: Path) -> list[Path]:
    from render_blocks import render_png  # docs/render_blocks.py, beside this script

    message, inputs = asyncio.run(gather(as_of))
    out.mkdir(parents=True, exist_ok=True)
    card_png = render_png(json.loads(message), out / "plan-card.png")
    written = [card_png]
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
