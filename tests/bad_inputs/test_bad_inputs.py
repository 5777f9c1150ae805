"""Bad input, as an attacker or a careless user sends it, across the CLI, the REST API and Slack.

For every case: a non-zero exit code (the documented one) or a 4xx (Slack commands: an ephemeral
warning), one line (CLI) or the JSON error shape (REST), no traceback in the output or the logs,
and nothing written: the plans, revisions, audit log, users and tokens are exactly as before.
(Slack's `processed_events` is left out: recording a request as seen is not data.)
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from click.testing import CliRunner
from sqlalchemy import func, select, text

from agent.generate import GenerationRequest, generate_plan
from bot.api import register_api
from bot.cli import cli
from bot.http_server import build_web_app
from bot.slack.deps import SlackDeps
from storage.db import Database
from storage.demo.portfolio import seed_demo_portfolio
from storage.demo.techcorp import TECHCORP_CSM, TECHCORP_ID
from storage.models import AccountPlan, Base
from storage.settings import get_settings
from storage.users import create_token
from tests.bot.slack.conftest import CSM, SlackHarness
from tests.conftest import agent_deps, run_in_fresh_loop

AS_OF = date(2026, 2, 2)
WIDE = {"COLUMNS": "200"}
NOT_DATA = {"processed_events"}


@dataclass(frozen=True)
class World:
    template: Path
    plan_id: str
    token: str


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    """A seeded database with TechCorp's FY2026 plan and an API token for its CSM, copied per case."""
    path = tmp_path_factory.mktemp("bad-inputs") / "accountplan.db"

    async def build() -> World:
        database = Database(f"sqlite+aiosqlite:///{path}")
        try:
            await database.ensure_schema()
            await seed_demo_portfolio(database, accounts=25, as_of=AS_OF)
            generated = await generate_plan(
                agent_deps(database), GenerationRequest(customer=TECHCORP_ID, fiscal_year="FY2026", as_of=AS_OF)
            )
            async with database.session() as session:
                token = await create_token(session, TECHCORP_CSM)
            return World(path, generated.document.plan_id, token)
        finally:
            await database.dispose()

    return run_in_fresh_loop(build())


async def fingerprint(database: Database) -> dict[str, Any]:
    """Everything a bad request must leave alone."""
    found: dict[str, Any] = {}
    async with database.session() as session:
        for table in Base.metadata.sorted_tables:
            if table.name not in NOT_DATA:
                found[table.name] = (
                    await session.execute(select(func.count()).select_from(table))
                ).scalar_one()
        plans = await session.execute(
            select(AccountPlan.id, AccountPlan.version, AccountPlan.status, AccountPlan.updated_at)
        )
        found["plans"] = sorted(tuple(map(str, row)) for row in plans.all())
        found["users"] = sorted(
            (await session.execute(text("SELECT email, manager_email, role FROM users"))).all()
        )
    return found


def _no_tracebacks(caplog: pytest.LogCaptureFixture, *outputs: str) -> None:
    for output in outputs:
        assert "Traceback" not in output
    for record in caplog.records:
        assert record.exc_info is None, f"{record.name}: {record.getMessage()}"
        assert "Traceback" not in record.getMessage()


# --- the CLI ------------------------------------------------------------------------------------

CLI_CASES: list[tuple[str, list[str], dict[str, str], int, str]] = [
    # (id, arguments, environment, exit code, what the one line says)
    ("fy-arabic-digits", ["generate", "TechCorp", "--fy", "FY٢٠٢٧"], {}, 2, "fiscal year must look like FY2026"),
    ("fy-math-digits", ["generate", "TechCorp", "--fy", "FY𝟐𝟎𝟐𝟕"], {}, 2, "fiscal year must look like FY2026"),
    ("fy-fullwidth", ["generate", "TechCorp", "--fy", "FY２０２７"], {}, 2, "fiscal year must look like FY2026"),
    ("fy-newline", ["generate", "TechCorp", "--fy", "FY2027\n"], {}, 2, "fiscal year must look like FY2026"),
    ("fy-0000", ["generate", "TechCorp", "--fy", "FY0000"], {}, 2, "outside the planning window"),
    ("fy-1999", ["generate", "TechCorp", "--fy", "FY1999"], {}, 2, "outside the planning window"),
    ("fy-2035", ["generate", "TechCorp", "--fy", "FY2035"], {}, 2, "outside the planning window"),
    ("fy-short", ["generate", "TechCorp", "--fy", "FY27"], {}, 2, "fiscal year must look like FY2026"),
    ("as-of-9999", ["generate", "TechCorp", "--as-of", "9999-12-31"], {}, 2, "--as-of must be between"),
    ("as-of-feb-30", ["generate", "TechCorp", "--as-of", "2026-02-30"], {}, 2, "--as-of must be a date like"),
    ("as-of-arabic", ["generate", "TechCorp", "--as-of", "٢٠٢٦-٠٣-٠١"], {}, 2, "--as-of must be a date like"),
    ("unknown-section", ["generate", "TechCorp", "--sections", "roadmap"], {}, 2, "unknown section 'roadmap'"),
    ("unknown-customer", ["generate", "TechCrop Industries"], {}, 2, "did you mean 'TechCorp Industries'"),
    ("blank-customer", ["generate", "   "], {}, 2, "no customer"),
    ("show-bad-fy", ["plans", "show", "TechCorp", "--fy", "FY26"], {}, 2, "fiscal year must look like FY2026"),
    ("show-no-version", ["plans", "show", "TechCorp", "--version", "99"], {}, 2, "has no version 99"),
    ("export-missing-dir", ["export", "TechCorp", "-o", "/nonexistent/dir/x.md"], {}, 2, "does not exist"),
    ("export-to-a-folder", ["export", "TechCorp", "-o", "{tmp}"], {}, 2, "it is a folder"),
    ("stats-chart-missing-dir", ["stats", "--chart", "/nonexistent/dir/c.png"], {}, 2, "does not exist"),
    ("stats-chart-to-a-folder", ["stats", "--chart", "{tmp}"], {}, 2, "it is a folder"),
    ("stats-as-of-9999", ["stats", "--as-of", "9999-12-31"], {}, 2, "--as-of must be between"),
    ("seed-as-of-9999", ["seed", "--as-of", "9999-12-31"], {}, 2, "--as-of must be between"),
    ("users-bad-email", ["users", "add", "not-an-email"], {}, 2, "is not an email address"),
    ("users-unknown-manager", ["users", "add", "n@example.com", "--manager", "nobody@example.com"], {}, 2,
     "no user 'nobody@example.com' to be the manager"),
    ("token-unknown-user", ["tokens", "create", "ghost@example.com"], {}, 2, "no user 'ghost@example.com'"),
    ("import-missing", ["import", "/nonexistent/crm"], {}, 2, "nothing to import at"),
    ("revise-approve", ["revise", "{plan}", "approve the plan", "--as", TECHCORP_CSM], {}, 5, ""),
    ("revise-empty", ["revise", "{plan}", "   ", "--as", TECHCORP_CSM], {}, 2, "say what to change"),
    ("approve-own-draft", ["approve", "{plan}", "--as", TECHCORP_CSM], {}, 5, "you cannot approve your own plan"),
    ("approve-unknown-user", ["approve", "{plan}", "--as", "ghost@example.com"], {}, 5, "ghost@example.com is not a known user"),
    ("reject-no-comment", ["reject", "{plan}", "--as", "mgr001@demo.accountplan.test", "-m", " "], {}, 2, "comment"),
    ("submit-stale-version", ["submit", "{plan}", "--as", TECHCORP_CSM, "--version", "7"], {}, 4, "this is about version 7"),
    ("db-mysql", ["customers", "list"], {"DATABASE_URL": "mysql://u:pw@127.0.0.1/plans"}, 3,
     "accountplan runs on PostgreSQL or SQLite"),
    ("db-sync-sqlite", ["customers", "list"], {"DATABASE_URL": "sqlite:///plans.db"}, 3,
     "needs sqlite+aiosqlite"),
    ("db-not-a-url", ["customers", "list"], {"DATABASE_URL": "nonsense"}, 2, "DATABASE_URL is not a database URL"),
    ("db-refused", ["customers", "list"], {"DATABASE_URL": "postgresql+asyncpg://u:pw@127.0.0.1:1/plans"}, 3,
     "cannot use the database"),
    ("db-under-a-file", ["customers", "list"], {"DATABASE_URL": "sqlite+aiosqlite:///{file}/sub/x.db"}, 3,
     "is not a usable folder"),
    ("serve-unconfigured", ["serve", "--port", "0"], {}, 2, "cannot start the Slack bot; set SLACK_BOT_TOKEN"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "env", "code", "says"), [case[1:] for case in CLI_CASES], ids=[case[0] for case in CLI_CASES]
)
def test_cli(
    world: World,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    args: list[str],
    env: dict[str, str],
    code: int,
    says: str,
) -> None:
    caplog.set_level(logging.INFO)
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(world.template, data / "accountplan.db")
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    fill = {"{plan}": world.plan_id, "{tmp}": str(tmp_path), "{file}": str(blocker)}
    args = [fill.get(arg, arg) for arg in args]
    for name, value in env.items():
        monkeypatch.setenv(name, value.replace("{file}", str(blocker)))
    get_settings.cache_clear()
    before = _snapshot(data / "accountplan.db")
    files_before = _files(tmp_path)

    result = CliRunner(env=WIDE).invoke(cli, args)

    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    if args[0] == "revise" and code != 2:  # revise answers on stdout (the reply), nothing on stderr
        assert errors == [] and result.stdout.strip()
    else:
        assert len(errors) == 1 and errors[0].startswith("error: "), result.stderr
        assert says in errors[0]
    _no_tracebacks(caplog, result.output)
    assert _snapshot(data / "accountplan.db") == before
    assert _files(tmp_path) == files_before  # no database, export or chart file appeared


def _snapshot(path: Path) -> dict[str, Any]:
    """`fingerprint` of the SQLite file, from an engine opened and closed in one event loop."""

    async def take() -> dict[str, Any]:
        database = Database(f"sqlite+aiosqlite:///{path}")
        try:
            return await fingerprint(database)
        finally:
            await database.dispose()

    return run_in_fresh_loop(take())


def _files(folder: Path) -> list[str]:
    """The files under `folder`, SQLite's own journal files and the saved similar-accounts index
    aside (a cache of the unchanged data, which a refused command may still have built)."""
    return sorted(
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if not p.name.endswith(("-wal", "-shm", ".similar-accounts.idx"))
    )


# --- the REST API -------------------------------------------------------------------------------


@pytest.fixture
async def api(world: World, tmp_path: Path) -> AsyncIterator[tuple[TestClient[Any, Any], Database]]:
    path = tmp_path / "api.db"
    shutil.copy(world.template, path)
    database = Database(f"sqlite+aiosqlite:///{path}")
    deps = SlackDeps(agent_deps(database, get_settings()))
    web_app = build_web_app(None, deps, registrars=[lambda app, d: register_api(app, d, on_transition=[])])
    async with TestClient(TestServer(web_app, host="127.0.0.1")) as client:
        yield client, database
    await database.dispose()


PLAN = "/api/account-plans/{plan}"
GENERATE = f"/api/customers/{TECHCORP_ID}/account-plan/generate"
JSON_TYPE = {"Content-Type": "application/json"}

REST_CASES: list[tuple[str, str, str, dict[str, Any], dict[str, str], int, str]] = [
    # (id, method, path, body ("json" or "data"), headers, status, error code)
    ("no-token", "GET", PLAN, {}, {"Authorization": ""}, 401, "unauthenticated"),
    ("forged-token", "GET", PLAN, {}, {"Authorization": "Bearer ap_forged"}, 401, "unauthenticated"),
    ("unknown-plan", "GET", "/api/account-plans/nope", {}, {}, 404, "not_found"),
    ("no-such-route", "GET", "/api/nothing", {}, {}, 404, "not_found"),
    ("wrong-method", "DELETE", PLAN, {}, {}, 405, "method_not_allowed"),
    ("put-deep-json", "PUT", PLAN, {"data": b"[" * 100_000 + b"]" * 100_000}, {**JSON_TYPE, "If-Match": "1"}, 400, "bad_request"),
    ("put-not-json", "PUT", PLAN, {"data": b"{plan"}, {**JSON_TYPE, "If-Match": "1"}, 400, "bad_request"),
    ("put-huge", "PUT", PLAN, {"data": b"{" + b" " * (1024 * 1024 + 1) + b"}"}, {**JSON_TYPE, "If-Match": "1"}, 413, "payload_too_large"),
    ("put-form-encoded", "PUT", PLAN, {"data": b"a=b"}, {"Content-Type": "application/x-www-form-urlencoded", "If-Match": "1"}, 415, "unsupported_media_type"),
    ("put-no-if-match", "PUT", PLAN, {"json": "{document}"}, {}, 428, "precondition_required"),
    ("put-bad-if-match", "PUT", PLAN, {"json": "{document}"}, {"If-Match": "soon"}, 400, "bad_request"),
    ("put-stale", "PUT", PLAN, {"json": "{document}"}, {"If-Match": '"9"'}, 409, "conflict"),
    ("put-other-plan", "PUT", PLAN, {"json": {"plan_id": "someone-else"}}, {"If-Match": "1"}, 422, "invalid_document"),
    ("put-bad-priority", "PUT", PLAN, {"json": {"strategic_objectives": [{"priority": "urgent"}]}}, {"If-Match": "1"}, 422, "invalid_document"),
    ("put-date-9999", "PUT", PLAN, {"json": {"action_plan_90day": [{"due_date": "9999-12-31"}]}}, {"If-Match": "1"}, 422, "invalid_document"),
    ("generate-fy-arabic", "POST", GENERATE, {"json": {"fiscal_year": "FY٢٠٢٧"}}, {}, 422, "invalid_request"),
    ("generate-fy-2035", "POST", GENERATE, {"json": {"fiscal_year": "FY2035"}}, {}, 422, "invalid_request"),
    ("generate-fy-newline", "POST", GENERATE, {"json": {"fiscal_year": "FY2027\n"}}, {}, 422, "invalid_request"),
    ("generate-bad-section", "POST", GENERATE, {"json": {"include_sections": ["roadmap"]}}, {}, 422, "invalid_request"),
    ("generate-unknown-field", "POST", GENERATE, {"json": {"fiscal": "FY2026"}}, {}, 422, "invalid_request"),
    ("generate-list-body", "POST", GENERATE, {"data": b"[1]"}, JSON_TYPE, 400, "bad_request"),
    ("generate-unknown-customer", "POST", "/api/customers/nobody/account-plan/generate", {"json": {}}, {}, 404, "not_found"),
    ("approve-own-plan", "POST", PLAN + "/approve", {"json": {}}, {}, 403, "forbidden"),
    ("reject-without-comment", "POST", PLAN + "/reject", {"json": {}}, {}, 400, "bad_request"),
    ("activate-a-draft-stale", "POST", PLAN + "/activate", {"json": {"version": 4}}, {}, 409, "conflict"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("method", "path", "body", "headers", "status", "code"),
    [case[1:] for case in REST_CASES],
    ids=[case[0] for case in REST_CASES],
)
async def test_rest(
    world: World,
    api: tuple[TestClient[Any, Any], Database],
    caplog: pytest.LogCaptureFixture,
    method: str,
    path: str,
    body: dict[str, Any],
    headers: dict[str, str],
    status: int,
    code: str,
) -> None:
    caplog.set_level(logging.INFO)
    client, database = api
    auth = {"Authorization": f"Bearer {world.token}"}
    current = await (await client.get(PLAN.format(plan=world.plan_id), headers=auth)).json()
    if "json" in body:
        payload = body["json"]
        if payload == "{document}":
            payload = current
        elif isinstance(payload, dict) and method == "PUT":  # a whole document with one bad part
            payload = _patched(current, payload)
        body = {"json": payload}
    before = await fingerprint(database)

    response = await client.request(
        method, path.format(plan=world.plan_id), headers={**auth, **headers}, **body
    )

    answer = await response.text()
    assert response.status == status, answer
    error = json.loads(answer)["error"]
    assert error["code"] == code and error["message"]
    _no_tracebacks(caplog, answer)
    assert await fingerprint(database) == before


def _patched(document: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    patched = json.loads(json.dumps(document))
    for key, value in patch.items():
        if isinstance(value, list):  # patch the first item of that list
            patched[key][0].update(value[0])
        else:
            patched[key] = value
    return patched


# --- Slack --------------------------------------------------------------------------------------

FORM = "application/x-www-form-urlencoded"
ZEROS = "v0=" + "0" * 64

SLACK_HTTP_CASES: list[tuple[str, str, str, dict[str, str] | None, int]] = [
    # (id, body, content type, headers replacing the signature (None: signed), status)
    ("unsigned", "command=%2Faccountplan&text=TechCorp", FORM, {}, 401),
    ("timestamp-not-a-number", "command=%2Faccountplan&text=TechCorp", FORM,
     {"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": ZEROS}, 401),
    ("signature-malformed", "command=%2Faccountplan&text=TechCorp", FORM,
     {"X-Slack-Request-Timestamp": "{now}", "X-Slack-Signature": "v0=nothex"}, 401),
    ("signature-wrong", "command=%2Faccountplan&text=TechCorp", FORM,
     {"X-Slack-Request-Timestamp": "{now}", "X-Slack-Signature": ZEROS}, 401),
    ("signed-payload-not-json", "payload=%7Bnot-json", FORM, None, 400),
    ("signed-json-list", "[1, 2, 3]", "application/json", None, 400),
    ("signed-event-without-event", '{"type": "event_callback", "event": 7}', "application/json", None, 400),
    ("signed-command-without-user", "command=%2Faccountplan&text=TechCorp", FORM, None, 400),
]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "content_type", "headers", "status"),
    [case[1:] for case in SLACK_HTTP_CASES],
    ids=[case[0] for case in SLACK_HTTP_CASES],
)
async def test_slack_requests(
    slack: SlackHarness,
    caplog: pytest.LogCaptureFixture,
    body: str,
    content_type: str,
    headers: dict[str, str] | None,
    status: int,
) -> None:
    caplog.set_level(logging.INFO)
    before = await fingerprint(slack.deps.database)
    if headers is None:
        response = await slack.sender.post(body, content_type)
        code, answer = response.status, response.body
    else:
        now = str(int(time.time()))
        sent = {"Content-Type": content_type} | {k: v.replace("{now}", now) for k, v in headers.items()}
        async with slack.sender.session.post(slack.sender.url, data=body.encode(), headers=sent) as reply:
            code, answer = reply.status, await reply.text()
    assert code == status, answer
    assert json.loads(answer)["error"]
    _no_tracebacks(caplog, answer)
    assert slack.fake.calls == []
    assert await fingerprint(slack.deps.database) == before


SLACK_COMMAND_CASES: list[tuple[str, str, str]] = [
    # (id, /accountplan text, what the ephemeral warning says)
    ("fy-arabic-digits", "TechCorp FY٢٠٢٧", "fiscal year must look like FY2026"),
    ("fy-math-digits", "TechCorp FY𝟐𝟎𝟐𝟕", "fiscal year must look like FY2026"),
    ("fy-2035", "TechCorp FY2035", "outside the planning window"),
    ("fy-0000", "TechCorp FY0000", "outside the planning window"),
    ("show-unknown", "show Nobody Industries", "no customer"),
    ("show-bad-fy", "show TechCorp FY٢٠٢٦", "fiscal year must look like FY2026"),
]


@pytest.mark.parametrize(
    ("text", "says"), [case[1:] for case in SLACK_COMMAND_CASES], ids=[c[0] for c in SLACK_COMMAND_CASES]
)
async def test_slack_commands(
    slack: SlackHarness, caplog: pytest.LogCaptureFixture, text: str, says: str
) -> None:
    caplog.set_level(logging.INFO)
    before = await fingerprint(slack.deps.database)
    response = await slack.sender.command(text, user_id=CSM)
    assert response.status == 200  # acknowledged: Slack shows the person the reply below

    def warns(call: Any) -> bool:
        return ":warning:" in json.dumps(call.params, ensure_ascii=False) and says in json.dumps(
            call.params, ensure_ascii=False
        )

    deadline = time.monotonic() + 15
    while not any(warns(call) for call in slack.fake.calls):
        assert time.monotonic() < deadline, [c.method for c in slack.fake.calls]
        await asyncio.sleep(0.05)
    await slack.settle()
    _no_tracebacks(caplog)
    assert await fingerprint(slack.deps.database) == before


def test_the_table_has_at_least_forty_cases() -> None:
    total = len(CLI_CASES) + len(REST_CASES) + len(SLACK_HTTP_CASES) + len(SLACK_COMMAND_CASES)
    assert total >= 40


def test_help_lists_the_exit_codes() -> None:
    shown = " ".join(CliRunner().invoke(cli, ["--help"]).output.split())
    assert "Exit codes: 0 done; 1 nothing changed (revise) or an unexpected failure; 2 bad input;" in shown
    assert "3 database or Slack unavailable; 4 conflict" in shown and "5 not permitted" in shown
