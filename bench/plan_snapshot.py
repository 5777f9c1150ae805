"""Content guard for speed work: every demo account's offline plan, drafted one at a time
(`draft_generation`) and by a bulk run (saved), as JSON without timing fields.

    .venv/bin/python -m bench.plan_snapshot snapshot /tmp/before.json   # before a change
    .venv/bin/python -m bench.plan_snapshot compare /tmp/before.json    # after it: exit 1 on any difference

Seeds the 200-account demo portfolio as of 2026-12-04 into a SQLite file in $TMPDIR (kept), so an
optimisation can be checked to change no plan's content (generation_context included).
"""
from __future__ import annotations

import asyncio
import json
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from agent.bulk import RunScope, execute_run, start_run
from agent.deps import AgentDeps
from agent.generate import GenerationRequest, draft_generation
from storage.db import Database
from storage.demo.portfolio import seed_demo_portfolio
from storage.models import AccountPlan, Customer
from storage.settings import Settings

AS_OF = date(2026, 12, 4)
DIR = Path(tempfile.gettempdir()) / "accountplan-plan-snapshot"
TEMPLATE = DIR / "guard-200.db"
VOLATILE = {"elapsed_ms", "elapsed", "wall_ms", "created_at", "updated_at", "generated_at", "saved_at"}


def norm(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: norm(v) for k, v in value.items() if k not in VOLATILE and not k.endswith("_ms")}
    if isinstance(value, list):
        return [norm(v) for v in value]
    return value


def fresh(name: str) -> str:
    work = DIR / name
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    shutil.copy(TEMPLATE, work)
    return f"sqlite+aiosqlite:///{work}"


async def seed() -> None:
    if TEMPLATE.exists():
        return
    db = Database(f"sqlite+aiosqlite:///{TEMPLATE}")
    await db.ensure_schema()
    await seed_demo_portfolio(db, accounts=200, as_of=AS_OF)
    await db.dispose()


async def single() -> dict[str, Any]:
    db = Database(fresh("single.db"))
    deps = AgentDeps(settings=Settings(), database=db)
    out: dict[str, Any] = {}
    async with db.session() as session:
        ids = list((await session.execute(select(Customer.id).order_by(Customer.id))).scalars())
    for cid in ids:
        req = GenerationRequest(customer=cid, as_of=AS_OF, offline=True, save=False)
        d = await draft_generation(deps, req, cid)
        out[cid] = norm(json.loads(d.document.model_dump_json()))
        out[cid + "#reason"] = d.reason
    await db.dispose()
    return out


async def bulk() -> dict[str, Any]:
    db = Database(fresh("bulk.db"))
    deps = AgentDeps(settings=Settings(), database=db)
    rec = await start_run(deps, RunScope(offline=True, as_of=AS_OF), author="guard", surface="cli", workers=1)
    await execute_run(deps, rec.run_id, workers=1, in_process=True)
    out: dict[str, Any] = {}
    async with db.session() as session:
        plans = (await session.execute(select(AccountPlan).order_by(AccountPlan.customer_id))).scalars()
        for p in plans:
            out[p.customer_id] = norm(
                {"document": p.document, "generation_context": p.generation_context, "version": p.version,
                 "ai_confidence": str(p.ai_confidence), "ai_generated": p.ai_generated}
            )
    await db.dispose()
    return out


async def collect() -> dict[str, dict[str, Any]]:
    DIR.mkdir(exist_ok=True)
    await seed()
    return json.loads(json.dumps({"single": await single(), "bulk": await bulk()}, sort_keys=True))


def compare(before: dict[str, dict[str, Any]], now: dict[str, dict[str, Any]]) -> int:
    """Prints the first differences; returns how many plans differ."""
    bad = 0
    for kind in ("single", "bulk"):
        for key in sorted(set(before[kind]) | set(now[kind])):
            old, new = before[kind].get(key), now[kind].get(key)
            if old == new:
                continue
            bad += 1
            if bad <= 5:
                print("DIFF", kind, key)
                if isinstance(old, dict) and isinstance(new, dict):
                    for field in sorted(set(old) | set(new)):
                        if old.get(field) != new.get(field):
                            print("   field", field, str(old.get(field))[:300], "||", str(new.get(field))[:300])
    return bad


def main() -> None:
    if len(sys.argv) != 3 or sys.argv[1] not in ("snapshot", "compare"):
        raise SystemExit(__doc__)
    data = asyncio.run(collect())
    path = Path(sys.argv[2])
    if sys.argv[1] == "snapshot":
        path.write_text(json.dumps(data, sort_keys=True, indent=0))
        print("single", len(data["single"]), "bulk", len(data["bulk"]))
        return
    bad = compare(json.loads(path.read_text()), data)
    print("single", len(data["single"]), "bulk", len(data["bulk"]), "differences:", bad)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
