"""The revision agent: an explicit tool-use loop over `messages.create` with the full history.

Every `stop_reason` is handled: `end_turn` finishes, `tool_use` runs the requested tools (in
parallel) and continues, `pause_turn` continues, and `max_tokens`, `refusal` or anything unknown
fail closed: the working copy is discarded and nothing is saved. Turns and tokens are capped.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from agent.claude.client import ClaudeClient, Usage
from agent.claude.tools import RevisionDeps, run_tool, tool_definitions
from agent.claude.workflow import content_params, fenced_json
from storage.plan_document import SECTIONS

log = logging.getLogger(__name__)

MAX_TURNS = 10
MAX_TOKENS_PER_REQUEST = 150_000  # input + output over the whole run
REPLY_MAX_TOKENS = 4096


@dataclass
class AgentRun:
    reply: str
    completed: bool  # False: failed closed, the working copy must not be saved
    stop_reason: str | None
    turns: int
    usage: Usage = field(default_factory=Usage)


@cache
def revision_prompt() -> str:
    return resources.files("agent.claude.prompts").joinpath("revision.md").read_text(encoding="utf-8")


def opening_message(deps: RevisionDeps, request: str) -> str:
    """The plan (as data) and the CSM's request (the instruction)."""
    plan = deps.document.to_json_dict()
    shown = {k: plan[k] for k in ("plan_id", "status", "version", "customer_name", "fiscal_year", *SECTIONS)}
    return (
        "The plan as it stands:\n<plan>\n" + fenced_json(shown) + "\n</plan>\n\n"
        "The CSM's request:\n<request>\n" + request.strip() + "\n</request>"
    )


# A sentence saying the plan's status changed ("I also approved the plan", "It's now pending review").
_STATUS_CLAIM = re.compile(
    r"\b(?:approved|approving|rejected|activated|submitted|re-?submitted|sent\s+(?:it\s+|this\s+|the\s+plan\s+)?"
    r"(?:to|for)\s+(?:approval|review|your\s+manager)|pending\s+review|changes\s+requested|(?:is|now)\s+active)\b",
    re.IGNORECASE,
)
_NEGATED = re.compile(r"\b(?:not|n't|cannot|can't|never|only\s+a\s+manager|a\s+manager\s+(?:can|must|will))\b", re.IGNORECASE)
# A sentence saying the plan was edited ("I moved the CFO review to Q3").
_EDIT_CLAIM = re.compile(
    r"\b(?:I(?:'ve|\s+have)?|I've)\s+(?:also\s+|now\s+)?(?:moved|changed|updated|added|removed|deleted|set|raised|"
    r"lowered|renamed|reworded|rescheduled|marked|reassigned|merged|replaced|made)\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def relayable_reply(text: str, *, changed: bool, submitted: bool) -> str:
    """The model's closing words with every claim the tools do not back removed: a status change
    (the agent cannot approve, reject or activate, and submission is reported by the caller from
    what the lifecycle did) and, when nothing was saved, any claim of an edit."""
    kept = []
    for sentence in _SENTENCE.split(text.strip()):
        if _STATUS_CLAIM.search(sentence) and not _NEGATED.search(sentence):
            continue
        if not changed and _EDIT_CLAIM.search(sentence):
            continue
        kept.append(sentence)
    reply = " ".join(kept).strip()
    if not changed and not submitted and not reply:
        return "Nothing in the plan changed."
    return reply


def _reply_text(content: list[dict[str, Any]]) -> str:
    return "\n".join(block["text"].strip() for block in content if block["type"] == "text").strip()


async def run_revision_agent(client: ClaudeClient, deps: RevisionDeps, request: str) -> AgentRun:
    """Run the loop until Claude finishes or a limit is hit (turns, tokens, the overall deadline);
    `deps.document` holds the result."""
    usage = Usage()
    try:
        async with asyncio.timeout(client.deadline):
            return await _loop(client, deps, request, usage)
    except TimeoutError:
        log.warning("revision of %s passed its %.0fs deadline", deps.plan_id, client.deadline)
        return AgentRun(
            reply=f"That took longer than {client.deadline:.0f}s, so I changed nothing. Try again shortly.",
            completed=False,
            stop_reason="deadline",
            turns=usage.calls,
            usage=usage,
        )


async def _loop(client: ClaudeClient, deps: RevisionDeps, request: str, usage: Usage) -> AgentRun:
    system = [{"type": "text", "text": revision_prompt(), "cache_control": {"type": "ephemeral"}}]
    tools = tool_definitions()
    # A second cache breakpoint after the plan: every later turn of this run re-reads it from cache.
    opening = {"type": "text", "text": opening_message(deps, request), "cache_control": {"type": "ephemeral"}}
    messages: list[dict[str, Any]] = [{"role": "user", "content": [opening]}]

    def failed(reply: str, stop: str | None, turn: int) -> AgentRun:
        log.warning("revision of %s failed closed after %d turns: %s", deps.plan_id, turn, stop)
        return AgentRun(reply=reply, completed=False, stop_reason=stop, turns=turn, usage=usage)

    for turn in range(1, MAX_TURNS + 1):
        message = await client.create(
            purpose="revise plan",
            usage=usage,
            system=system,
            tools=tools,
            messages=messages,
            max_tokens=REPLY_MAX_TOKENS,
        )
        content = content_params(message)
        messages.append({"role": "assistant", "content": content})
        stop = message.stop_reason
        if usage.total_input_tokens + usage.output_tokens > MAX_TOKENS_PER_REQUEST and stop != "end_turn":
            return failed(
                "That request needed more work than one revision allows, so I changed nothing. "
                "Try asking for one change at a time.",
                "token_cap",
                turn,
            )
        if stop in ("end_turn", "stop_sequence"):
            reply = _reply_text(content) or "Done."
            return AgentRun(reply=reply, completed=True, stop_reason=stop, turns=turn, usage=usage)
        if stop == "tool_use":
            calls = [block for block in content if block["type"] == "tool_use"]
            if not calls:
                return failed("Something went wrong while editing the plan; nothing was changed.", stop, turn)
            results = await asyncio.gather(*(run_tool(deps, c["name"], c["input"], c["id"]) for c in calls))
            messages.append({"role": "user", "content": list(results)})
            continue
        if stop == "pause_turn":
            continue  # the API paused a long turn; sending the history back lets it resume
        if stop == "max_tokens":
            return failed(
                "My answer was cut off before I finished, so I changed nothing. Try a smaller request.",
                stop,
                turn,
            )
        if stop == "refusal":
            return failed("I can't help with that request, so nothing was changed.", stop, turn)
        return failed("Something went wrong while editing the plan; nothing was changed. Try again.", stop, turn)
    return failed(
        f"That took more than {MAX_TURNS} steps, so I changed nothing. Try asking for one change at a time.",
        "turn_cap",
        MAX_TURNS,
    )
