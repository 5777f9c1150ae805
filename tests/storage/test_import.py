"""`import_path`: CSV folders and JSON files, upserts, and all-or-nothing rejection of bad rows."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.db import Database
from storage.errors import BadInput, ImportFailed
from storage.importer import import_path, infer_contact_role
from storage.models import (
    Contact,
    Customer,
    HealthScore,
    Interaction,
    Opportunity,
    RiskSignal,
    UsageMonth,
    User,
)

EXAMPLE = {
    "users.csv": """email,name,role,manager_email,slack_user_id
maria@example.com,Maria Lopez,manager,,U0MGR001
jordan@example.com,Jordan Lee,csm,maria@example.com,U0CSM001
""",
    "customers.csv": """id,name,industry,segment,arr,health_score,renewal_date,contract_start,seats_purchased,seats_active,feature_utilization,csm_email,goals,competitors,renewal_outcome,arr_change_last_year,crm_owner
acme,Acme Corp,technology,enterprise,250000,68,2027-06-30,2024-07-01,500,450,55,jordan@example.com,Scale support,Gainsight,pending,,ignored column
bolt,Bolt Retail,retail,smb,12000.50,81,2027-01-31,,40,22,71.5,jordan@example.com,,,renewed,1500,
""",
    "contacts.csv": """id,customer_id,name,title,role,email,engagement_level,last_contacted,active
p1,acme,Sarah Chen,VP Product,champion,sarah@acme.test,high,2026-11-18,true
p2,acme,Tom Reyes,Chief Financial Officer,,,low,,
p3,acme,Ana Diaz,Director of Engineering,,,medium,2026-09-01,no
p4,bolt,Lee Park,Store Manager,,,,,
""",
    "health_history.csv": """customer_id,date,score
acme,2026-09-01,72
acme,2026-10-01,70
acme,2026-11-01,68
""",
    "usage.csv": """customer_id,month,active_users,feature_utilization
acme,2026-10,440,54
acme,2026-11,450,55
""",
    "opportunities.csv": """id,customer_id,type,description,value,probability,expected_close,stage
o1,acme,upsell,Premium analytics tier,50000,0.7,2027-05-15,
o2,bolt,seat_expansion,20 more seats,4000,0.4,,won
""",
    "risk_signals.csv": """id,customer_id,type,severity,description,detected_at,status
r1,acme,competitor_evaluation,medium,Evaluating alternatives,2026-10-20,
""",
    "interactions.csv": """id,customer_id,contact_id,date,kind,sentiment,summary
i1,acme,p1,2026-11-18,call,0.8,Roadmap review
i2,acme,,2026-11-02,email,-0.2,"Asked about pricing,
and about the renewal"
""",
}

MODELS = (User, Customer, Contact, HealthScore, UsageMonth, Opportunity, RiskSignal, Interaction)


def write_folder(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_text(content, encoding="utf-8")
    return folder


def example_json(path: Path) -> Path:
    """The CSV example as one JSON document, with typed scalars where JSON has them."""
    document = {
        "customers": [
            {
                "id": "acme", "name": "Acme Corp", "industry": "technology", "segment": "enterprise",
                "arr": 250000, "health_score": 68, "renewal_date": "2027-06-30", "contract_start": "2024-07-01",
                "seats_purchased": 500, "seats_active": 450, "feature_utilization": 55,
                "csm_email": "jordan@example.com", "goals": "Scale support", "competitors": "Gainsight",
                "renewal_outcome": "pending", "arr_change_last_year": None,
            },
        ],
        "contacts": [
            {"id": "p1", "customer_id": "acme", "name": "Sarah Chen", "title": "VP Product", "role": "champion",
             "engagement_level": "high", "last_contacted": "2026-11-18", "active": True},
            {"id": "p2", "customer_id": "acme", "name": "Tom Reyes", "title": "Chief Financial Officer"},
        ],
        "usage": [{"customer_id": "acme", "month": "2026-11", "active_users": 450, "feature_utilization": 55.0}],
        "opportunities": [
            {"id": "o1", "customer_id": "acme", "type": "upsell", "description": "Premium analytics tier",
             "value": 50000, "probability": 0.7, "expected_close": "2027-05-15"},
        ],
        "notes": "unknown keys are ignored",
    }  # fmt: skip
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return path


async def table_counts(database: Database) -> dict[str, int]:
    async with database.session() as session:
        return {
            model.__tablename__: (await session.execute(select(func.count()).select_from(model))).scalar_one()
            for model in MODELS
        }


async def test_csv_folder_imports_every_entity(any_db: Database, tmp_path: Path) -> None:
    summary = await import_path(any_db, write_folder(tmp_path / "crm", EXAMPLE))

    assert {name: count.created for name, count in summary.counts.items()} == {
        "users": 2, "customers": 2, "contacts": 4, "health_history": 3, "usage": 2,
        "opportunities": 2, "risk_signals": 1, "interactions": 2,
    }  # fmt: skip
    assert summary.total_rows == 18
    async with any_db.session() as session:
        acme = await session.get(Customer, "acme")
        contacts = {c.id: c for c in (await session.execute(select(Contact))).scalars()}
        jordan = (await session.execute(select(User).where(User.email == "jordan@example.com"))).scalar_one()
        upsell = await session.get(Opportunity, "o1")
        risk = await session.get(RiskSignal, "r1")
        note = await session.get(Interaction, "i2")
        usage = await session.get(UsageMonth, ("acme", "2026-11"))
    assert acme is not None and acme.arr == Decimal("250000.00") and acme.health_score == 68
    assert acme.renewal_date == date(2027, 6, 30) and acme.renewal_outcome == "pending"
    assert acme.arr_change_last_year is None and acme.feature_utilization == 55.0
    assert contacts["p1"].role == "champion"  # given roles are kept
    assert contacts["p2"].role == "economic_buyer"  # blank roles come from the title
    assert contacts["p3"].role == "technical_buyer" and contacts["p3"].active is False
    assert contacts["p4"].role == "user" and contacts["p4"].active is True  # blank active = still there
    assert jordan.manager_email == "maria@example.com" and jordan.slack_user_id == "U0CSM001"
    assert upsell is not None and upsell.stage == "open" and upsell.probability == 0.7
    assert risk is not None and risk.status == "active"
    assert (
        note is not None
        and note.contact_id is None
        and note.summary == "Asked about pricing,\nand about the renewal"
    )
    assert usage is not None and usage.active_users == 450


async def test_json_file_imports_like_the_csv_folder(any_db: Database, tmp_path: Path) -> None:
    write_folder(tmp_path / "users", {"users.csv": EXAMPLE["users.csv"]})
    await import_path(any_db, tmp_path / "users")

    summary = await import_path(any_db, example_json(tmp_path / "crm.json"))

    assert summary.ignored == ("notes",)
    assert {name: count.rows for name, count in summary.counts.items()} == {
        "customers": 1, "contacts": 2, "usage": 1, "opportunities": 1,
    }  # fmt: skip
    async with any_db.session() as session:
        acme = await session.get(Customer, "acme")
        tom = await session.get(Contact, "p2")
    assert acme is not None and acme.arr == Decimal("250000.00") and acme.seats_active == 450
    assert tom is not None and tom.role == "economic_buyer" and tom.active is True


async def test_reimport_updates_rows_instead_of_duplicating(any_db: Database, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "crm", EXAMPLE)
    await import_path(any_db, folder)
    before = await table_counts(any_db)
    write_folder(
        folder,
        {
            "customers.csv": "id,name,arr,health_score\nacme,Acme Corporation,275000,61\n",
            "health_history.csv": "customer_id,date,score\nacme,2026-11-01,61\nacme,2026-12-01,60\n",
        },
    )

    summary = await import_path(any_db, folder)

    assert summary.counts["customers"].created == 0 and summary.counts["customers"].updated == 1
    assert summary.counts["health_history"].created == 1 and summary.counts["health_history"].updated == 1
    after = await table_counts(any_db)
    assert (
        after["customers"] == before["customers"] and after["health_history"] == before["health_history"] + 1
    )
    async with any_db.session() as session:
        acme = await session.get(Customer, "acme")
        november = (
            await session.execute(select(HealthScore.score).where(HealthScore.date == date(2026, 11, 1)))
        ).scalar_one()
    assert acme is not None and acme.name == "Acme Corporation" and acme.arr == Decimal("275000.00")
    # Columns the new file does not have are left as they were.
    assert acme.industry == "technology" and acme.renewal_date == date(2027, 6, 30)
    assert november == 61


async def test_rows_may_reference_customers_already_in_the_database(any_db: Database, tmp_path: Path) -> None:
    await import_path(any_db, write_folder(tmp_path / "first", {"customers.csv": EXAMPLE["customers.csv"]}))

    later = write_folder(tmp_path / "later", {"contacts.csv": EXAMPLE["contacts.csv"]})
    summary = await import_path(any_db, later)

    assert summary.counts["contacts"].created == 4


BAD_INPUTS = [
    pytest.param(
        "customers.csv",
        "id,name,arr\nzed,Zed Inc,lots\n",
        "customers.csv:2: arr: not an amount: 'lots'",
        id="wrong-type",
    ),
    pytest.param(
        "customers.csv",
        "id,name,renewal_outcome\nzed,Zed Inc,maybe\n",
        "customers.csv:2: renewal_outcome: unknown value 'maybe' (expected one of: renewed, churned, pending)",
        id="unknown-enum",
    ),
    pytest.param(
        "contacts.csv",
        "id,customer_id,name\nq1,acme,Ok Person\nq2,ghost,Lost Person\n",
        "contacts.csv:3: customer_id: no customer 'ghost' in this import or the database",
        id="dangling-customer",
    ),
    pytest.param(
        "opportunities.csv",
        "id,customer_id,type,description,value,probability\nx1,acme,upsell,A,1,0.5\nx1,acme,upsell,B,2,0.5\n",
        "opportunities.csv:3: id: duplicate 'x1' (first on line 2)",
        id="duplicate-id",
    ),
    pytest.param(
        "health_history.csv",
        "customer_id,date,score\nacme,2026-02-30,70\n",
        "health_history.csv:2: date: no such date: '2026-02-30'",
        id="impossible-date",
    ),
    pytest.param(
        "interactions.csv",
        "id,customer_id,date\ne1,acme,31/12/2026\n",
        "interactions.csv:2: date: not a date (expected YYYY-MM-DD): '31/12/2026'",
        id="bad-date-format",
    ),
    pytest.param(
        "usage.csv",
        "customer_id,month\nacme,2026-13\n",
        "usage.csv:2: month: not a month (expected YYYY-MM): '2026-13'",
        id="bad-month",
    ),
    pytest.param(
        "opportunities.csv",
        "id,customer_id,type,value,probability\nx9,acme,upsell,5,0.5\n",
        "opportunities.csv:1: description: missing required column",
        id="missing-column",
    ),
    pytest.param(
        "risk_signals.csv",
        "id,customer_id,type,severity,description\nr9,acme,churn_risk,high,\n",
        "risk_signals.csv:2: description: missing value",
        id="missing-value",
    ),
    pytest.param(
        "interactions.csv",
        "id,customer_id,contact_id,date,sentiment\ne2,acme,p1,2026-11-01,1.5\n",
        "interactions.csv:2: sentiment: 1.5 is outside -1..1",
        id="out-of-range",
    ),
    pytest.param(
        "interactions.csv",
        "id,customer_id,contact_id,date\ne3,bolt,p1,2026-11-01\n",
        "interactions.csv:2: contact_id: contact 'p1' belongs to customer 'acme', not 'bolt'",
        id="contact-of-another-customer",
    ),
    pytest.param(
        "users.csv",
        "email,name,role,manager_email\nnew@example.com,New Csm,csm,boss@example.com\n",
        "users.csv:2: manager_email: no user 'boss@example.com' in this import or the database",
        id="dangling-manager",
    ),
    pytest.param(
        "users.csv",
        "email,name,role,slack_user_id\nnew@example.com,New Csm,csm,U0CSM001\n",
        "users.csv:2: slack_user_id: 'U0CSM001' already belongs to jordan@example.com",
        id="slack-id-taken",
    ),
]


@pytest.mark.parametrize(("filename", "content", "expected"), BAD_INPUTS)
async def test_a_bad_row_aborts_the_whole_import_with_its_location(
    any_db: Database, tmp_path: Path, filename: str, content: str, expected: str
) -> None:
    await import_path(any_db, write_folder(tmp_path / "base", EXAMPLE))
    before = await table_counts(any_db)
    # A valid change to an existing customer rides along: it must not be written either.
    files = {"customers.csv": "id,name,arr\nacme,Renamed Acme,1\n", filename: content}
    if filename == "customers.csv":
        files[filename] = content + "acme,Renamed Acme,\n"
    folder = write_folder(tmp_path / "bad", files)

    with pytest.raises(ImportFailed) as caught:
        await import_path(any_db, folder)

    assert expected in caught.value.errors
    assert await table_counts(any_db) == before
    async with any_db.session() as session:
        acme = await session.get(Customer, "acme")
    assert acme is not None and acme.name == "Acme Corp" and acme.arr == Decimal("250000.00")


async def test_every_problem_is_listed_in_file_and_line_order(any_db: Database, tmp_path: Path) -> None:
    folder = write_folder(
        tmp_path / "crm",
        {
            "customers.csv": "id,name,health_score,segment\nz1,Zed,high,smb\nz2,,50,smb\nz3,Ok,40,smb\n",
            # z1 is bad, but it is declared: its contacts are not reported as dangling too.
            "contacts.csv": 'id,customer_id,name,engagement_level\nk1,z1,Kim,very\nk2,z3,"Multi\nLine",low\nk3,nope,Al,low\n',
        },
    )

    with pytest.raises(ImportFailed) as caught:
        await import_path(any_db, folder)

    assert caught.value.errors == [
        "customers.csv:2: health_score: not a whole number: 'high'",
        "customers.csv:3: name: missing value",
        "contacts.csv:2: engagement_level: unknown value 'very' (expected one of: high, medium, low, none)",
        "contacts.csv:5: customer_id: no customer 'nope' in this import or the database",
    ]
    assert "nothing was written" in caught.value.message
    assert (await table_counts(any_db))["customers"] == 0


async def test_json_problems_name_the_line_of_the_object(any_db: Database, tmp_path: Path) -> None:
    path = tmp_path / "crm.json"
    path.write_text(
        '{\n  "customers": [\n    {"id": "a", "name": "A"},\n    {"id": "b", "name": "B",\n     "arr": "much"}\n  ]\n}\n',
        encoding="utf-8",
    )

    with pytest.raises(ImportFailed) as caught:
        await import_path(any_db, path)

    assert caught.value.errors == ["crm.json:4: arr: not an amount: 'much'"]


async def test_malformed_json_and_missing_paths_are_one_clear_error(db: Database, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"customers": [\n  {"id": "a",}\n]}', encoding="utf-8")
    with pytest.raises(ImportFailed) as caught:
        await import_path(db, broken)
    assert caught.value.errors[0].startswith("broken.json:2: file: not valid JSON")

    with pytest.raises(BadInput, match="nothing to import"):
        await import_path(db, tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(BadInput, match="none of the import files"):
        await import_path(db, tmp_path / "empty")


async def test_a_large_import_with_a_progress_bar_writes_every_row(db: Database, tmp_path: Path) -> None:
    rows = "\n".join(f"c{i},Customer {i},{i * 10}" for i in range(6000))
    folder = write_folder(tmp_path / "big", {"customers.csv": f"id,name,arr\n{rows}\n"})

    summary = await import_path(db, folder, progress=True)

    assert summary.counts["customers"].created == 6000
    assert (await table_counts(db))["customers"] == 6000


@pytest.mark.parametrize(
    ("title", "role"),
    [
        ("Chief Financial Officer", "economic_buyer"),
        ("VP Finance", "economic_buyer"),
        ("Procurement Manager", "economic_buyer"),
        ("CTO", "technical_buyer"),
        ("Director of Engineering", "technical_buyer"),
        ("IT Administrator", "technical_buyer"),
        ("Solutions Architect", "technical_buyer"),
        ("VP Product", "exec_sponsor"),
        ("SVP, Customer Experience", "exec_sponsor"),
        ("Head of Customer Success", "exec_sponsor"),
        ("Chief Operating Officer", "exec_sponsor"),
        ("Customer Success Manager", "user"),
        ("Senior Data Analyst", "user"),
        ("", "user"),
        (None, "user"),
    ],
)
def test_contact_role_is_inferred_from_the_title(title: str | None, role: str) -> None:
    assert infer_contact_role(title) == role


async def test_unreadable_keys_do_not_hide_other_problems(db: Database, tmp_path: Path) -> None:
    long_id = "x" * 80
    folder = write_folder(
        tmp_path / "crm",
        {"contacts.csv": f"id,customer_id,name\nk1,{long_id},Kim\nk2,,Lee\nk3,nobody,Max\n"},
    )

    with pytest.raises(ImportFailed) as caught:
        await import_path(db, folder)

    assert caught.value.errors == [
        "contacts.csv:2: customer_id: longer than 64 characters",
        "contacts.csv:3: customer_id: missing value",
        "contacts.csv:4: customer_id: no customer 'nobody' in this import or the database",
    ]
