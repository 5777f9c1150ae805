"""`accountplan users|tokens|submit|approve|reject|queue|audit` from the terminal."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from bot.cli import cli
from bot.slack.services.slack_links import link_plan_message
from storage.db import database_from_settings
from storage.models import ApiToken
from storage.settings import Settings, get_settings
from storage.users import hash_token, user_for_token
from tests.fakes.review_org import CARL, MAYA, MO, Org, seed_org
from tests.fakes.slack_api import FakeSlackApi


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def in_database(work: Any) -> Any:
    async def go() -> Any:
        database = database_from_settings(Settings())
        try:
            await database.ensure_schema()
            return await work(database)
        finally:
            await database.dispose()

    return asyncio.run(go())


@pytest.fixture
def org() -> Org:
    return in_database(seed_org)


def test_users_add_list_and_set_manager() -> None:
    assert run("users", "add", "Boss@Example.com", "--role", "manager", "--name", "Big Boss").exit_code == 0
    added = run("users", "add", "new@example.com", "--manager", "boss@example.com", "--slack-id", "U0NEW")
    assert added.exit_code == 0 and "reports to boss@example.com" in added.output
    listed = json.loads(run("users", "list", "--format", "json").output)
    assert {u["email"]: (u["role"], u["manager_email"]) for u in listed} == {
        "boss@example.com": ("manager", None),
        "new@example.com": ("csm", "boss@example.com"),
    }
    assert "Big Boss" in run("users", "list").output
    csm_as_manager = run("users", "set-manager", "boss@example.com", "new@example.com")
    assert csm_as_manager.exit_code == 2
    assert "only managers and admins approve plans" in csm_as_manager.output
    assert "has no manager now" in run("users", "set-manager", "new@example.com", "--none").output


def test_users_add_checks_the_manager() -> None:
    """Before: `users add --manager nobody@example.com` was saved, and nobody could approve."""
    nobody = run("users", "add", "new@example.com", "--manager", "nobody@example.com")
    assert nobody.exit_code == 2
    assert nobody.stderr.strip().splitlines()[-1] == (
        "error: no user 'nobody@example.com' to be the manager; add them first "
        "(`accountplan users add nobody@example.com --role manager`)"
    )
    assert run("users", "add", "peer@example.com").exit_code == 0
    peer = run("users", "add", "new@example.com", "--manager", "peer@example.com")
    assert peer.exit_code == 2 and "peer@example.com is a csm; only managers and admins approve plans" in peer.output
    itself = run("users", "add", "new@example.com", "--manager", "NEW@example.com")
    assert itself.exit_code == 2 and "cannot be their own manager" in itself.output
    assert "new@example.com" not in run("users", "list").output


def test_bad_user_input_is_one_line_with_exit_code_2() -> None:
    result = run("users", "add", "not-an-email")
    assert result.exit_code == 2
    assert result.output.strip() == "error: 'not-an-email' is not an email address"
    unknown = run("users", "set-manager", "ghost@example.com", "--none")
    assert unknown.exit_code == 2 and "no user 'ghost@example.com'" in unknown.output


def test_token_is_printed_once_and_stored_hashed(org: Org) -> None:
    result = run("tokens", "create", CARL, "--label", "laptop")
    assert result.exit_code == 0
    token = result.stdout.strip()
    assert token.startswith("ap_") and len(token) > 40

    async def check(database: Any) -> None:
        async with database.session() as session:
            user = await user_for_token(session, token)
            assert user is not None and user.email == CARL
            stored = (await session.execute(select(ApiToken.token_hash))).scalars().all()
            assert stored == [hash_token(token)] and token not in stored

    in_database(check)
    assert "revoked 1 token(s)" in run("tokens", "revoke", CARL).output

    async def revoked(database: Any) -> None:
        async with database.session() as session:
            assert await user_for_token(session, token) is None

    in_database(revoked)


def test_submit_queue_approve_and_audit_by_customer_name(org: Org) -> None:
    submitted = run("submit", "TechCorp", "--fy", "FY2026", "--as", CARL)
    assert submitted.exit_code == 0, submitted.output
    assert "draft -> pending review" in submitted.output and f"waiting for {MAYA}" in submitted.output

    queue = json.loads(run("queue", "--as", MAYA, "--format", "json").output)
    assert [item["customer_name"] for item in queue] == ["TechCorp Industries"]
    assert "nothing waiting" in run("queue", "--as", MO).output

    no_identity = run("approve", org.plan_id)
    assert no_identity.exit_code == 5 and "--as EMAIL" in no_identity.output
    wrong_manager = run("approve", org.plan_id, "--as", MO)
    assert wrong_manager.exit_code == 5 and "only Maya Manager" in wrong_manager.output and "@example.com" not in wrong_manager.output

    approved = run("approve", org.plan_id, "--as", MAYA, "--version", "1", "-m", "Looks great")
    assert approved.exit_code == 0 and "pending review -> approved" in approved.output
    again = run("approve", org.plan_id, "--as", MAYA)
    assert again.exit_code == 4 and "Maya Manager already approved version 1" in again.output

    audit = json.loads(run("audit", org.plan_id, "--format", "json").output)
    assert [(e["action"], e["actor"], e["surface"], e["version"]) for e in audit] == [
        ("created", CARL, "cli", 1),
        ("submitted", CARL, "cli", 1),
        ("approved", MAYA, "cli", 1),
    ]
    assert audit[-1]["comment"] == "Looks great"
    table = run("audit", "TechCorp Industries").output
    assert "approved" in table and MAYA in table


def test_reject_requires_a_comment(org: Org) -> None:
    run("submit", org.plan_id, "--as", CARL)
    missing = run("reject", org.plan_id, "--as", MAYA)
    assert missing.exit_code == 2 and "--comment" in missing.output
    done = run("reject", org.plan_id, "--as", MAYA, "--comment", "Wrong focus")
    assert done.exit_code == 0 and "pending review -> rejected" in done.output


def test_unknown_plan_suggests_customers(org: Org) -> None:
    result = run("audit", "TechKorp")
    assert result.exit_code == 2 and "did you mean" in result.output


@pytest.fixture
def fake_slack_thread(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSlackApi]:
    """The fake Slack Web API on its own event loop thread (the CLI runs its own loop)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    fake = asyncio.run_coroutine_threadsafe(_started_fake(), loop).result(timeout=10)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-cli-test")
    monkeypatch.setenv("SLACK_API_URL", fake.base_url)
    get_settings.cache_clear()
    yield fake
    asyncio.run_coroutine_threadsafe(fake.stop(), loop).result(timeout=10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=10)


async def _started_fake() -> FakeSlackApi:
    fake = FakeSlackApi()
    await fake.start()
    return fake


def test_terminal_decisions_show_up_in_slack(org: Org, fake_slack_thread: FakeSlackApi) -> None:
    in_database(lambda database: link_plan_message(database, org.plan_id, "C0PLANS1", "1699999999.000100"))
    assert run("submit", org.plan_id, "--as", CARL).exit_code == 0
    (dm,) = [c for c in fake_slack_thread.calls_to("chat.postMessage") if c.params["channel"] == "D0MAYA"]
    assert "approval_approve" in str(dm.params["blocks"])

    assert run("approve", org.plan_id, "--as", MAYA, "-m", "Ship it").exit_code == 0
    updates = [c for c in fake_slack_thread.calls_to("chat.update") if c.params["channel"] == "D0MAYA"]
    assert updates and "Approved by <@U0MAYA>" in str(updates[-1].params["blocks"])
    thread = [c for c in fake_slack_thread.calls_to("chat.postMessage") if c.params.get("thread_ts")]
    assert thread and "Ship it" in str(thread[-1].params["blocks"])
