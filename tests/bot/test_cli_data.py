"""`accountplan import`, `accountplan seed` and `accountplan customers list|show` from the terminal."""

from __future__ import annotations

import asyncio
from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy import func, select

from bot.cli import cli
from storage.db import database_from_settings
from storage.models import Contact, Customer
from storage.settings import Settings

WIDE = {"COLUMNS": "220"}  # rich wraps table cells at 80 columns when output is not a terminal

CUSTOMERS = """id,name,industry,segment,arr,health_score,renewal_date,csm_email
acme,Acme Corp,technology,enterprise,250000,68,2027-06-30,jordan@example.com
bolt,Bolt Retail,retail,smb,12000,81,2027-01-31,sam@example.com
"""
CONTACTS = """id,customer_id,name,title,role,engagement_level
p1,acme,Sarah Chen,VP Product,champion,high
p2,acme,Tom Reyes,Chief Financial Officer,,low
"""


def run(*args: str) -> Result:
    return CliRunner(env=WIDE).invoke(cli, list(args), catch_exceptions=False)


def row_counts() -> tuple[int, int]:
    async def count() -> tuple[int, int]:
        database = database_from_settings(Settings())
        try:
            async with database.session() as session:
                customers = (await session.execute(select(func.count()).select_from(Customer))).scalar_one()
                contacts = (await session.execute(select(func.count()).select_from(Contact))).scalar_one()
        finally:
            await database.dispose()
        return customers, contacts

    return asyncio.run(count())


def crm_folder(tmp_path: Path, **files: str) -> Path:
    folder = tmp_path / "crm"
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / f"{name}.csv").write_text(content, encoding="utf-8")
    return folder


def test_seed_then_show_techcorp() -> None:
    seeded = run("seed", "--accounts", "30", "--as-of", "2026-01-29")
    assert seeded.exit_code == 0, seeded.output
    assert "added 30 demo accounts as of 2026-01-29" in seeded.stdout

    shown = run("customers", "show", "TechCorp Industries", "--as-of", "2026-01-29")

    assert shown.exit_code == 0, shown.output
    out = shown.stdout
    assert "TechCorp Industries (techcorp)" in out
    assert "$250,000" in out and "270 of 300 active (90%)" in out and "55%" in out
    sarah = next(line for line in out.splitlines() if "Sarah Chen" in line)
    assert "VP Product" in sarah and "champion" in sarah and " 78 " in sarah
    premium = next(line for line in out.splitlines() if "Premium analytics tier" in line)
    assert "$50,000" in premium and "70%" in premium and "2026-05-15" in premium
    assert "competitor_evaluation" in out
    assert "latest health: 68" in out


def test_seeding_again_adds_nothing() -> None:
    assert run("seed", "--accounts", "10").exit_code == 0
    again = run("seed", "--accounts", "10")
    assert again.exit_code == 0
    assert "already has these 10 accounts; nothing added" in again.stdout
    assert row_counts()[0] == 10


def test_unknown_customer_suggests_close_names_and_exits_2() -> None:
    run("seed", "--accounts", "5")

    result = run("customers", "show", "TechCrop Industries")

    assert result.exit_code == 2
    assert result.stderr.startswith(
        "error: no customer 'TechCrop Industries'; did you mean 'TechCorp Industries'"
    )


def test_import_then_list_filtered(tmp_path: Path) -> None:
    folder = crm_folder(tmp_path, customers=CUSTOMERS, contacts=CONTACTS)

    imported = run("import", str(folder))

    assert imported.exit_code == 0, imported.output
    assert "customers" in imported.stdout and "imported 4 rows in" in imported.stdout
    listed = run("customers", "list", "--segment", "SMB")
    assert "Bolt Retail" in listed.stdout and "Acme Corp" not in listed.stdout
    by_csm = run("customers", "list", "--csm", "jordan@example.com")
    acme = next(line for line in by_csm.stdout.splitlines() if "Acme Corp" in line)
    assert "$250,000" in acme and "68" in acme and "2027-06-30" in acme and "Bolt" not in by_csm.stdout
    limited = run("customers", "list", "--limit", "1")
    assert "showing 1 of 2 customers" in limited.stdout
    shown = run("customers", "show", "acme")
    tom = next(line for line in shown.stdout.splitlines() if "Tom Reyes" in line)
    assert "economic_buyer" in tom  # inferred from "Chief Financial Officer"


def test_a_bad_import_lists_every_problem_and_writes_nothing(tmp_path: Path) -> None:
    run("import", str(crm_folder(tmp_path, customers=CUSTOMERS)))
    before = row_counts()
    bad = crm_folder(
        tmp_path / "bad",
        customers="id,name,arr\nacme,Renamed,lots\n",
        contacts="id,customer_id,name,engagement_level\np9,ghost,Al,often\n",
    )

    result = run("import", str(bad))

    assert result.exit_code == 2
    assert "nothing was written" in result.stderr
    assert "customers.csv:2: arr: not an amount: 'lots'" in result.stderr
    assert "contacts.csv:2: customer_id: no customer 'ghost' in this import or the database" in result.stderr
    assert "contacts.csv:2: engagement_level: unknown value 'often'" in result.stderr
    assert row_counts() == before
    assert "Acme Corp" in run("customers", "show", "acme").stdout


def test_importing_a_missing_path_is_one_line(tmp_path: Path) -> None:
    result = run("import", str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: nothing to import at {tmp_path / 'nowhere'}"


def test_empty_database_list_says_how_to_get_data() -> None:
    result = run("customers", "list")
    assert result.exit_code == 0
    assert "accountplan seed" in result.stdout
