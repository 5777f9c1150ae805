"""manifest.yml against the code: every command, event and interaction the code handles is declared,
and the bot scopes cover every Web API method the code calls."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from slack_bolt.middleware.assistant.async_assistant import AsyncAssistant

from bot.slack.blocks.did_you_mean import did_you_mean_blocks, which_customer_blocks
from bot.slack.blocks.home import home_view
from bot.slack.blocks.objective_modal import objective_modal
from bot.slack.blocks.plan_modal import plan_modal
from bot.slack.blocks.plan_summary import plan_summary_blocks
from bot.slack.listeners import register_all
from bot.slack.services.book import PlanRow
from storage.errors import UnknownCustomer
from tests.fakes.plan_samples import sample_plan

ROOT = Path(__file__).resolve().parents[3]

# The scope each Web API method needs (https://docs.slack.dev/reference/methods); None = no scope.
METHOD_SCOPES: dict[str, str | None] = {
    "auth.test": None,
    "apps.connections.open": None,  # the app-level token's connections:write, not a bot scope
    "chat.postMessage": "chat:write",
    "chat.update": "chat:write",
    "chat.postEphemeral": "chat:write",
    "chat.getPermalink": None,  # needs no scope
    "chat.delete": "chat:write",
    "views.open": None,
    "views.update": None,
    "views.publish": None,
    "views.push": None,
    "conversations.open": "im:write",
    "users.info": "users:read",
    "users.lookupByEmail": "users:read.email",
    "files.getUploadURLExternal": "files:write",
    "files.completeUploadExternal": "files:write",
    "canvases.create": "canvases:write",
    "canvases.access.set": "canvases:write",
    "assistant.threads.setStatus": "assistant:write",
    "assistant.threads.setSuggestedPrompts": "assistant:write",
    "assistant.threads.setTitle": "assistant:write",
    "conversations.replies": "channels:history",
    "reactions.add": "reactions:write",
}
# slack_sdk helpers that call several methods; Bolt's context helpers (set_status, ...) too.
COMPOSITE_METHODS = {
    "files_upload_v2": ["files.getUploadURLExternal", "files.completeUploadExternal"],
    "set_status": ["assistant.threads.setStatus"],
    "set_suggested_prompts": ["assistant.threads.setSuggestedPrompts"],
    "set_title": ["assistant.threads.setTitle"],
}
EVENT_SUBSCRIPTIONS = {"message": {"message.im", "message.channels"}}
EVENT_SCOPES = {
    "app_mention": "app_mentions:read",
    "message.channels": "channels:history",
    "message.groups": "groups:history",
    "message.im": "im:history",
    "assistant_thread_started": "assistant:write",
    "assistant_thread_context_changed": "assistant:write",
}


class RegistrationRecorder:
    """Stands in for AsyncApp during `register_all` and records what each listener asks for."""

    def __init__(self) -> None:
        self.registered: list[tuple[str, Any]] = []

    def assistant(self, assistant: AsyncAssistant) -> None:
        self.registered += [
            ("event", "assistant_thread_started"),
            ("event", "assistant_thread_context_changed"),
            ("event", "message"),
        ]

    def __getattr__(self, kind: str) -> Any:
        def register(*args: Any, **_kwargs: Any) -> Any:
            self.registered.append((kind, args[0] if args else None))
            return lambda function: function

        return register

    def of(self, kind: str) -> list[Any]:
        return [value for k, value in self.registered if k == kind]


def manifest() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def recorded() -> RegistrationRecorder:
    recorder = RegistrationRecorder()
    register_all(recorder)  # type: ignore[arg-type]
    return recorder


def methods_called_in_code() -> set[str]:
    """Web API methods called anywhere in bot/: `client.chat_postMessage(` -> chat.postMessage."""
    methods: set[str] = set()
    for path in (ROOT / "bot").rglob("*.py"):
        source = path.read_text()
        for name in re.findall(r"client\.(\w+)\(", source):
            if name in COMPOSITE_METHODS:
                methods.update(COMPOSITE_METHODS[name])
            elif not name.startswith("_") and name not in ("api_call",):
                methods.add(name.replace("_", "."))  # slack_sdk: chat_postMessage -> chat.postMessage
        for name in re.findall(r"await (set_status|set_suggested_prompts|set_title)\(", source):
            methods.update(COMPOSITE_METHODS[name])
    return methods


def test_every_command_the_code_handles_is_declared() -> None:
    declared = {c["command"] for c in manifest()["features"]["slash_commands"]}
    assert set(recorded().of("command")) <= declared
    assert "/accountplan" in declared


def test_every_event_the_code_handles_is_subscribed() -> None:
    subscribed = set(manifest()["settings"]["event_subscriptions"]["bot_events"])
    for event in recorded().of("event"):
        needed = EVENT_SUBSCRIPTIONS.get(event, {event})
        assert needed <= subscribed, f"{event} needs {needed - subscribed} in manifest.yml"


def test_interactivity_and_the_assistant_view_are_enabled() -> None:
    data = manifest()
    recorder = recorded()
    if recorder.of("action") or recorder.of("view"):
        assert data["settings"]["interactivity"]["is_enabled"] is True
    if recorder.of("options"):  # external selects load options from this URL
        assert data["settings"]["interactivity"]["message_menu_options_url"]
    assert "assistant_view" in data["features"]
    assert data["features"]["app_home"]["home_tab_enabled"] is True


def test_scopes_cover_every_web_api_method_and_event() -> None:
    scopes = set(manifest()["oauth_config"]["scopes"]["bot"])
    methods = methods_called_in_code()
    assert {"chat.postMessage", "views.open", "files.getUploadURLExternal", "canvases.create"} <= methods
    unknown = methods - METHOD_SCOPES.keys()
    assert not unknown, f"add the scopes of {unknown} to METHOD_SCOPES (and manifest.yml)"
    needed = {METHOD_SCOPES[m] for m in methods} - {None}
    needed |= {
        EVENT_SCOPES[e]
        for e in manifest()["settings"]["event_subscriptions"]["bot_events"]
        if e in EVENT_SCOPES
    }
    needed.add("commands")
    assert needed <= scopes, f"manifest.yml lacks {needed - scopes}"
    # Minimal: nothing declared that the code does not need.
    assert scopes - needed - {"users:read.email"} == set(), f"unused scopes {scopes - needed}"


def _action_ids(blocks: list[dict[str, Any]]) -> set[str]:
    found: set[str] = set()
    for block in blocks:
        elements = block.get("elements") or []
        if block.get("accessory"):
            elements = [*elements, block["accessory"]]
        if block.get("type") == "input" and block.get("dispatch_action"):
            elements = [*elements, block["element"]]
        found |= {e["action_id"] for e in elements if isinstance(e, dict) and "action_id" in e}
    return found


def test_every_action_the_blocks_send_has_a_listener() -> None:
    document = sample_plan()
    row = PlanRow(document.plan_id, document.customer_name, document.fiscal_year, "draft", 1, 0.8)
    sent: set[str] = set()
    sent |= _action_ids([b.to_dict() for b in plan_summary_blocks(document)])
    for tab in ("summary", "objectives", "stakeholders", "actions"):
        sent |= _action_ids(plan_modal(document, tab).to_dict()["blocks"])
    sent |= _action_ids(objective_modal(document).to_dict()["blocks"])
    sent |= _action_ids(
        home_view([row], [row], today=document.action_plan_90day[0].due_date).to_dict()["blocks"]
    )
    error = UnknownCustomer("Acme", ["Acme Corp"])
    sent |= _action_ids([b.to_dict() for b in did_you_mean_blocks(error, [("c1", "Acme Corp")])])
    which = UnknownCustomer(
        "Acme", ["Acme Corp", "Acme Inc"], choices=[("c1", "Acme Corp"), ("c2", "Acme Inc")]
    )
    sent |= _action_ids(
        [b.to_dict() for b in which_customer_blocks(which, "make objective 2 critical for acme")]
    )
    from bot.slack.blocks.generator_modal import generator_modal

    sent |= _action_ids(generator_modal(["FY2026"], "FY2026", channel_id="C1").to_dict()["blocks"])
    constraints = recorded().of("action")
    for action_id in sent:
        assert any(c == action_id if isinstance(c, str) else bool(c.match(action_id)) for c in constraints), (
            f"no listener handles action_id {action_id!r}"
        )
    assert {
        "plan_view",
        "plan_tab_objectives",
        "customer_select",
        "pick_customer_0",
        "pick_customer_request_1",
    } <= sent
