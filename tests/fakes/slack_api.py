"""A fake Slack Web API on 127.0.0.1 that the real slack_sdk client talks to, plus a sender of
Slack-signed requests into a running Bolt HTTP endpoint.

The fake records every call with its parsed parameters (JSON-looking strings such as `blocks` or
`view` decoded), answers like Slack does (ok / ts / channel / view ids / upload URLs), and can be
told to answer the next call of a method with a 429 + Retry-After or with a Slack error.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

BOT_USER_ID = "UBOT0001"
BOT_ID = "BBOT0001"
TEAM_ID = "T0000001"


@dataclass
class RecordedCall:
    method: str
    params: dict[str, Any]
    token: str | None
    at: float = field(default_factory=time.monotonic)


@dataclass
class _Scripted:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]


def _decode(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class FakeSlackApi:
    """`base_url` is what SLACK_API_URL is set to."""

    def __init__(self) -> None:
        self.calls: list[RecordedCall] = []
        self.uploads: dict[str, bytes] = {}
        # Files by id as the upload flow left them: name, alt text, length promised, and once
        # completed the title, channel and thread they were shared into.
        self.files: dict[str, dict[str, Any]] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self._scripted: dict[str, list[_Scripted]] = {}
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0
        # Socket Mode: the connected app's websocket, and the envelope ids it acknowledged.
        self._socket_ws: web.WebSocketResponse | None = None
        self.socket_acks: list[dict[str, Any]] = []

    # -- lifecycle ------------------------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/api/{method}", self._handle)
        app.router.add_get("/api/{method}", self._handle)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_post("/response/{response_id}", self._response_url)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._socket_ws is not None:
            await self._socket_ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- Socket Mode ------------------------------------------------------------------------------
    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        async with self._changed:
            self._socket_ws = ws
            self._changed.notify_all()
        await ws.send_json({"type": "hello", "num_connections": 1, "debug_info": {}})
        async for message in ws:
            if message.type == aiohttp.WSMsgType.TEXT:
                async with self._changed:
                    self.socket_acks.append(json.loads(message.data))
                    self._changed.notify_all()
        return ws

    async def socket_send(self, envelope_type: str, payload: dict[str, Any], *, envelope_id: str) -> None:
        """Deliver one Socket Mode envelope (waits for the app to connect first)."""
        async with asyncio.timeout(5), self._changed:
            await self._changed.wait_for(lambda: self._socket_ws is not None)
        assert self._socket_ws is not None
        await self._socket_ws.send_json(
            {
                "envelope_id": envelope_id,
                "type": envelope_type,
                "payload": payload,
                "accepts_response_payload": envelope_type != "events_api",
                "retry_attempt": 0,
                "retry_reason": "",
            }
        )

    async def wait_for_socket_ack(self, envelope_id: str, *, timeout: float = 5.0) -> dict[str, Any]:  # noqa: ASYNC109
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(
                lambda: any(a.get("envelope_id") == envelope_id for a in self.socket_acks)
            )
        return next(a for a in self.socket_acks if a.get("envelope_id") == envelope_id)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    # -- scripting ------------------------------------------------------------------------------
    def rate_limit_next(self, method: str, *, retry_after: int = 0, times: int = 1) -> None:
        for _ in range(times):
            self._scripted.setdefault(method, []).append(
                _Scripted(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)})
            )

    def fail_next(self, method: str, error: str = "channel_not_found", *, times: int = 1) -> None:
        for _ in range(times):
            self._scripted.setdefault(method, []).append(_Scripted(200, {"ok": False, "error": error}, {}))

    def add_user(self, user_id: str, *, email: str, name: str = "Some One") -> None:
        self.users[user_id] = {
            "id": user_id,
            "team_id": TEAM_ID,
            "name": name.split()[0].lower(),
            "real_name": name,
            "is_bot": False,
            "tz": "UTC",
            "profile": {"email": email, "real_name": name, "display_name": name},
        }

    # -- reading what the bot did ---------------------------------------------------------------
    def calls_to(self, method: str) -> list[RecordedCall]:
        return [call for call in self.calls if call.method == method]

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[RecordedCall], bool] = lambda _call: True,
        *,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - a test helper's wait budget
    ) -> list[RecordedCall]:
        """The first `count` calls of `method` matching `predicate`, waiting up to `timeout`."""

        def matching() -> list[RecordedCall]:
            return [call for call in self.calls_to(method) if predicate(call)]

        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: len(matching()) >= count)
        return matching()[:count]

    # -- handlers -------------------------------------------------------------------------------
    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        body = await request.read()
        if body:
            if request.content_type == "application/json":
                params.update(json.loads(body))
            else:
                params.update(dict(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True)))
        return {key: _decode(value) for key, value in params.items()}

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth else params.get("token")
        call = RecordedCall(method=method, params=params, token=token)
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        scripted = self._scripted.get(method)
        if scripted:
            answer = scripted.pop(0)
            return web.json_response(answer.body, status=answer.status, headers=answer.headers)
        if not token:
            return web.json_response({"ok": False, "error": "not_authed"})
        return web.json_response(self._answer(method, params, request))

    def response_url(self, response_id: str = "1") -> str:
        """A `response_url` for slash commands and actions; posts to it are recorded as "response_url"."""
        return f"http://127.0.0.1:{self.port}/response/{response_id}"

    async def _response_url(self, request: web.Request) -> web.Response:
        params = {key: _decode(value) for key, value in (await request.json()).items()}
        async with self._changed:
            self.calls.append(RecordedCall(method="response_url", params=params, token=None))
            self._changed.notify_all()
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        if file_id not in self.files:
            return web.Response(status=404, text="no such upload URL")
        self.uploads[file_id] = await request.read()
        return web.Response(text="OK - uploaded")

    def uploaded_files(self) -> list[dict[str, Any]]:
        """Files shared by files.completeUploadExternal, in order, each with its bytes."""
        return [f | {"content": self.uploads.get(i, b"")} for i, f in self.files.items() if f.get("completed")]

    def _next_ts(self) -> str:
        return f"{1_700_000_000 + next(self._ts)}.000100"

    def _answer(self, method: str, params: dict[str, Any], request: web.Request) -> dict[str, Any]:
        ok: dict[str, Any] = {"ok": True}
        if method == "auth.test":
            return ok | {
                "url": "https://fake.slack.com/",
                "team": "Fake",
                "user": "accountplan",
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
            }
        if method in ("chat.postMessage", "chat.update"):
            ts = params.get("ts") if method == "chat.update" else self._next_ts()
            channel = params.get("channel")
            message = {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "ts": ts}
            message |= {k: params[k] for k in ("text", "blocks", "thread_ts") if k in params}
            return ok | {"channel": channel, "ts": ts, "message": message}
        if method == "chat.getPermalink":
            ts = str(params.get("message_ts", "")).replace(".", "")
            return ok | {
                "channel": params.get("channel"),
                "permalink": f"https://fake.slack.com/archives/{params.get('channel')}/p{ts}",
            }
        if method == "chat.postEphemeral":
            return ok | {"message_ts": self._next_ts()}
        if method in ("views.open", "views.update", "views.publish", "views.push"):
            view = dict(params.get("view") or {})
            view_id = params.get("view_id") or f"V{next(self._ids):08d}"
            return ok | {"view": view | {"id": view_id, "hash": f"h{next(self._ids)}"}}
        if method == "conversations.open":
            users = str(params.get("users", ""))
            return ok | {"channel": {"id": "D" + users.split(",")[0].lstrip("U")}}
        if method == "users.info":
            user = self.users.get(str(params.get("user")))
            return ok | {"user": user} if user else {"ok": False, "error": "user_not_found"}
        if method == "users.lookupByEmail":
            for user in self.users.values():
                if user["profile"]["email"] == params.get("email"):
                    return ok | {"user": user}
            return {"ok": False, "error": "users_not_found"}
        if method == "files.getUploadURLExternal":
            if not params.get("filename") or not str(params.get("length", "")).isdigit():
                return {"ok": False, "error": "invalid_arguments"}
            file_id = f"F{next(self._ids):08d}"
            self.files[file_id] = {
                "id": file_id,
                "name": params["filename"],
                "length": int(params["length"]),
                "alt_txt": params.get("alt_txt"),
            }
            host = request.host
            return ok | {"upload_url": f"http://{host}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = params.get("files") or []
            # Like Slack: every file must have been uploaded, with the length promised for it.
            for f in files:
                known = self.files.get(f.get("id"))
                if known is None or len(self.uploads.get(f["id"], b"")) != known["length"]:
                    return {"ok": False, "error": "invalid_arguments"}
            for f in files:
                self.files[f["id"]] |= {
                    "title": f.get("title", ""),
                    "channel": params.get("channel_id"),
                    "thread_ts": params.get("thread_ts"),
                    "initial_comment": params.get("initial_comment"),
                    "completed": True,
                }
            return ok | {"files": [{"id": f["id"], "title": f.get("title", "")} for f in files]}
        if method == "apps.connections.open":
            return ok | {"url": f"ws://127.0.0.1:{self.port}/socket"}
        if method == "canvases.create":
            return ok | {"canvas_id": f"F{next(self._ids):08d}"}
        # assistant.threads.*, reactions, and anything else that only says ok
        return ok


@dataclass
class SignedResponse:
    status: int
    body: str
    elapsed_ms: float

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class SlackSender:
    """Sends requests into the app exactly as Slack does: form or JSON bodies with
    X-Slack-Signature / X-Slack-Request-Timestamp computed like `SignatureVerifier` checks them."""

    def __init__(
        self,
        url: str,
        signing_secret: str,
        session: aiohttp.ClientSession,
        response_url: str = "http://127.0.0.1:9/",
    ) -> None:
        self.url = url
        self.response_url = response_url
        self.signing_secret = signing_secret
        self.session = session
        self._event_ids = itertools.count(1)

    def sign(self, body: str, timestamp: int | None = None) -> dict[str, str]:
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        signature = SignatureVerifier(self.signing_secret).generate_signature(timestamp=stamp, body=body)
        return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature or ""}

    async def post(
        self,
        body: str,
        content_type: str,
        *,
        headers: dict[str, str] | None = None,
        timestamp: int | None = None,
        signature: str | None = None,
    ) -> SignedResponse:
        signed = self.sign(body, timestamp)
        if signature is not None:
            signed["X-Slack-Signature"] = signature
        started = time.perf_counter()
        async with self.session.post(
            self.url, data=body.encode(), headers={"Content-Type": content_type} | signed | (headers or {})
        ) as response:
            text = await response.text()
        return SignedResponse(response.status, text, (time.perf_counter() - started) * 1000)

    async def command(
        self, text: str = "", *, user_id: str = "U0CSM001", channel_id: str = "C0PLANS1", **extra: Any
    ) -> SignedResponse:
        form = {
            "token": "legacy",
            "team_id": TEAM_ID,
            "team_domain": "fake",
            "channel_id": channel_id,
            "channel_name": "plans",
            "user_id": user_id,
            "user_name": "csm",
            "command": "/accountplan",
            "text": text,
            "api_app_id": "A0APP001",
            "response_url": self.response_url,
            "trigger_id": f"trigger-{next(self._event_ids)}",
        } | extra
        return await self.post(urllib.parse.urlencode(form), "application/x-www-form-urlencoded")

    async def interaction(self, payload: dict[str, Any], **kwargs: Any) -> SignedResponse:
        payload = {"team": {"id": TEAM_ID, "domain": "fake"}, "api_app_id": "A0APP001", "token": "legacy"} | payload
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return await self.post(body, "application/x-www-form-urlencoded", **kwargs)

    async def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        **kwargs: Any,
    ) -> SignedResponse:
        envelope = {
            "token": "legacy",
            "team_id": TEAM_ID,
            "api_app_id": "A0APP001",
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(self._event_ids):08d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
        }
        headers = dict(kwargs.pop("headers", {}) or {})
        if retry_num is not None:
            headers |= {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        return await self.post(json.dumps(envelope), "application/json", headers=headers, **kwargs)
