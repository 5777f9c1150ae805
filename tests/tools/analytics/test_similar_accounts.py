from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import event, update

from storage.db import Database
from storage.errors import NotFound
from storage.models import Customer
from tests.tools.analytics.analytics_data import contact_row, customer_row, insert
from tools.analytics.similar_accounts import find_similar_accounts

AS_OF = date(2025, 12, 1)


async def portfolio(database: Database) -> None:
    await insert(
        database,
        customer_row("target", arr=200_000, health_score=70, feature_utilization=60.0, seats_active=80),
        # Successful: renewed and grew.
        customer_row(
            "a",
            arr=210_000,
            health_score=72,
            feature_utilization=62.0,
            seats_active=81,
            renewal_outcome="renewed",
            arr_change_last_year=20_000,
        ),
        customer_row(
            "d",
            segment="Mid-Market",
            arr=180_000,
            health_score=70,
            feature_utilization=60.0,
            renewal_outcome="renewed",
            arr_change_last_year=10_000,
        ),
        # Not successful: renewed flat, and churned.
        customer_row(
            "b",
            arr=190_000,
            health_score=68,
            feature_utilization=58.0,
            seats_active=79,
            renewal_outcome="renewed",
            arr_change_last_year=0,
        ),
        customer_row(
            "c",
            arr=220_000,
            health_score=75,
            feature_utilization=70.0,
            seats_active=85,
            renewal_outcome="churned",
            arr_change_last_year=-220_000,
        ),
        # Far away, excluded (pending outcome), excluded (started after as_of).
        customer_row(
            "e",
            industry="Retail",
            segment="SMB",
            arr=20_000,
            health_score=30,
            feature_utilization=10.0,
            seats_purchased=10,
            seats_active=2,
            renewal_outcome="renewed",
            arr_change_last_year=5_000,
        ),
        customer_row("f", renewal_outcome="pending"),
        customer_row(
            "g", contract_start=date(2026, 1, 1), renewal_outcome="renewed", arr_change_last_year=9_000
        ),
        contact_row("a1", "a", role="exec_sponsor", title="CTO"),
        contact_row("a2", "a", role="champion"),
        contact_row("d1", "d", role="exec_sponsor", title="CFO"),
        contact_row("d2", "d", role="champion"),
        contact_row("b1", "b", role="champion"),
        contact_row("c1", "c", role="exec_sponsor", title="CEO", active=False),
    )


async def test_nearest_accounts_success_rate_and_what_distinguishes_winners(any_db: Database) -> None:
    await portfolio(any_db)
    async with any_db.session() as session:
        result = await find_similar_accounts(session, "target", AS_OF, k=4)
    ids = [a.customer_id for a in result.accounts]
    assert set(ids[:2]) == {"a", "b"} and ids[2:] == ["c", "d"]
    assert result.sample_size == 4
    assert result.success_rate == 0.5  # a and d renewed and grew; b stayed flat, c churned
    assert {a.customer_id for a in result.accounts if a.succeeded} == {"a", "d"}
    similarities = [a.similarity for a in result.accounts]
    assert similarities == sorted(similarities, reverse=True) and all(0 <= s <= 1 for s in similarities)
    assert (
        "100% of successful peers have an executive sponsor vs 0% of the rest"
        in result.distinguishing_factors
    )
    # Feature utilization differs by only 3 points (61% vs 64%): not worth mentioning.
    assert not any("feature utilization" in f for f in result.distinguishing_factors)
    assert result.successful_profile["feature_utilization"] == 61.0
    assert result.successful_profile["exec_sponsor_share_pct"] == 100.0
    assert "4 nearest of 5 accounts with a known outcome" in result.explanation


async def test_one_successful_peer_is_too_few_to_say_what_set_it_apart(any_db: Database) -> None:
    await portfolio(any_db)
    async with any_db.session() as session:
        result = await find_similar_accounts(session, "target", AS_OF, k=3)  # a, b, c: only a succeeded
    assert [a.customer_id for a in result.accounts if a.succeeded] == ["a"]
    assert result.distinguishing_factors == []
    assert "too few succeeded (1) to say what set them apart" in result.explanation


async def test_k_larger_than_pool_takes_every_eligible_account(any_db: Database) -> None:
    await portfolio(any_db)
    async with any_db.session() as session:
        result = await find_similar_accounts(session, "target", AS_OF, k=12)
    assert sorted(a.customer_id for a in result.accounts) == ["a", "b", "c", "d", "e"]
    assert result.success_rate == pytest.approx(3 / 5)
    assert result.accounts[-1].customer_id == "e"  # different industry, segment and size
    assert result.accounts[-1].similarity < 0.5


async def test_index_is_reused_and_rebuilt_when_customers_change(any_db: Database) -> None:
    await portfolio(any_db)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    async with any_db.session() as session:
        await find_similar_accounts(session, "target", AS_OF, k=2)
    event.listen(any_db.engine.sync_engine, "before_cursor_execute", count)
    async with any_db.session() as session:
        again = await find_similar_accounts(session, "target", AS_OF, k=2, max_index_age=3600)
        assert len(statements) == 1  # only the target's own row: the index is recent enough
        statements.clear()
        await find_similar_accounts(session, "target", AS_OF, k=2, max_index_age=0)
        assert len(statements) == 2  # plus the signature check; unchanged data, so no rebuild
    assert {a.customer_id for a in again.accounts} == {"a", "b"}

    async with any_db.session() as session:
        await session.execute(
            update(Customer)
            .where(Customer.id == "e")
            .values(
                industry="Technology",
                segment="Enterprise",
                arr=200_000,
                health_score=70,
                feature_utilization=60.0,
                seats_purchased=100,
                seats_active=80,
            )
        )
    async with any_db.session() as session:
        stale = await find_similar_accounts(session, "target", AS_OF, k=2, max_index_age=3600)
        changed = await find_similar_accounts(session, "target", AS_OF, k=2, max_index_age=0)
    assert stale.accounts[0].customer_id != "e"  # peers may lag by up to max_index_age
    assert changed.accounts[0].customer_id == "e" and changed.accounts[0].similarity == 1.0


async def test_the_compared_customer_is_always_read_fresh(any_db: Database) -> None:
    await portfolio(any_db)
    async with any_db.session() as session:
        await find_similar_accounts(session, "target", AS_OF, k=1)
    # A customer added after the index was built, shaped exactly like "d" (another segment).
    await insert(any_db, customer_row("late", segment="Mid-Market", arr=180_000, health_score=70))
    async with any_db.session() as session:
        result = await find_similar_accounts(session, "late", AS_OF, k=1, max_index_age=3600)
    assert result.accounts[0].customer_id == "d" and result.accounts[0].similarity == 1.0
    # The target's own change shows at once even though its peers come from a recent index.
    async with any_db.session() as session:
        await session.execute(update(Customer).where(Customer.id == "target").values(segment="Mid-Market"))
    async with any_db.session() as session:
        moved = await find_similar_accounts(session, "target", AS_OF, k=1, max_index_age=3600)
    assert moved.accounts[0].customer_id == "d"


async def test_unknown_customer_and_no_known_outcomes(any_db: Database) -> None:
    await insert(any_db, customer_row("solo"), customer_row("other", renewal_outcome="pending"))
    async with any_db.session() as session:
        with pytest.raises(NotFound):
            await find_similar_accounts(session, "missing", AS_OF)
        result = await find_similar_accounts(session, "solo", AS_OF)
    assert result.accounts == [] and result.success_rate is None
    assert "no other account with a known renewal outcome" in result.explanation


async def test_a_warmed_index_serves_the_first_search_without_building(any_db: Database) -> None:
    from tools.analytics.feature_index import warm_feature_index

    await portfolio(any_db)
    assert await warm_feature_index(any_db) >= 5
    statements: list[str] = []
    event.listen(any_db.engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    async with any_db.session() as session:
        found = await find_similar_accounts(session, "target", AS_OF, k=2, max_index_age=3600)
    assert len(statements) == 1  # the target's own row only: the index was already built
    assert {a.customer_id for a in found.accounts} == {"a", "b"}


async def test_searching_for_several_customers_at_once_finds_what_one_at_a_time_finds(any_db: Database) -> None:
    from tools.analytics.similar_accounts import find_similar_accounts_for

    await portfolio(any_db)
    # "late" arrives after the index was built: the set's search brings the index up to date.
    async with any_db.session() as session:
        await find_similar_accounts(session, "target", AS_OF, k=1)
    await insert(any_db, customer_row("late", segment="Mid-Market", arr=180_000, health_score=70))
    ids = ["target", "a", "c", "late", "e", "g"]
    for as_of in (AS_OF, date(2026, 2, 1)):  # "g" started in between: eligible only later
        async with any_db.session() as session:
            together = await find_similar_accounts_for(session, dict.fromkeys(ids), as_of, k=3)
        async with any_db.session() as session:
            one_by_one = {i: await find_similar_accounts(session, i, as_of, k=3) for i in ids}
        assert together == one_by_one
        assert list(together) == ids
    async with any_db.session() as session:
        with pytest.raises(NotFound):
            await find_similar_accounts_for(session, dict.fromkeys(["target", "missing"]), AS_OF)
