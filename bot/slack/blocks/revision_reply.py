"""The thread reply to a change asked for in chat (a revision): what a CSM reads after typing "make
objective 2 critical and push the Q1 QBR a week" under a plan.

The plan and what happened to it on one line, each change or answer once, what could not be done
apart (with why and what to say instead), and the diff lines the reply does not say itself in small
print: those it only counted ("Plus 2 related changes"), or, for a free-worded reply (the revision
agent's), every saved change it leaves out. Never a second list of the same changes.
"""

from __future__ import annotations

import re

from slack_sdk.models.blocks import Block, SectionBlock

from bot.slack.blocks import symbols
from bot.slack.blocks.text import context_line, escape, mrkdwn

# How a revision reply opens: "TechCorp Industries FY2027, saved as version 2:", "Nothing changed in
# TechCorp Industries FY2027.", "TechCorp Industries FY2027:" (an answer).
_SAVED = re.compile(r"^(?P<title>.+?), saved as version (?P<version>\d+):\s*")
_NOTHING = re.compile(r"^Nothing changed in (?P<title>.+?)\.\s+|^Nothing changed in (?P<only>.+?)(?::|\.)?$")
_ANSWER = re.compile(r"^(?P<title>[^:.]{3,80}? FY\d{4}):\s*")
# Sentences that only count lines the message lists itself.
_COUNTED = re.compile(r"^(?:Plus \d+ related changes?|And \d+ more like that)\.$")
_PROBLEM = re.compile(r"^(?:Couldn't|I didn't understand|I can't|I couldn't)\b")
MAX_EXTRA_LINES = 6


def _sentences(text: str) -> list[str]:
    """The reply's sentences; "You could say ..." and "Say '...'" stay with the sentence they complete."""
    pieces = re.split(r"(?<=[.!?])\s+(?=[A-Z])", text.strip())
    sentences: list[str] = []
    for piece in pieces:
        if sentences and piece.startswith(("You could say", "Say '")):
            sentences[-1] += " " + piece
        elif piece:
            sentences.append(piece)
    return sentences


def revision_reply_blocks(
    reply: str,
    diff: list[str],
    *,
    title: str | None = None,
    version: int | None = None,
    changed: bool = False,
) -> list[Block]:
    """A revision's thread reply a CSM can scan: the plan and what happened to it on one line, each
    change or answer on its own line, what could not be done apart (with why and what to say
    instead), and the diff lines the reply does not already say (cascades) in small print, once."""
    head, rest = "", reply
    if m := _SAVED.match(reply):
        head, rest = f"*{escape(m['title'])}* · saved as version {m['version']}", reply[m.end() :]
    elif m := _NOTHING.match(reply):
        head, rest = f"*{escape(m['title'] or m['only'])}* · nothing changed", reply[m.end() :]
    elif m := _ANSWER.match(reply):
        head, rest = f"*{escape(m['title'])}*", reply[m.end() :]
    elif title:  # a free-worded reply: the plan it went to is said all the same
        head = f"*{escape(title)}*" + (f" · saved as version {version}" if changed and version else "")
    sentences = _sentences(rest)
    counted = any(_COUNTED.match(s) for s in sentences)  # the reply summed lines up: list them below
    sentences = [s for s in sentences if not _COUNTED.match(s)]
    done = [s for s in sentences if not _PROBLEM.match(s)]
    problems = [s for s in sentences if _PROBLEM.match(s)]
    blocks: list[Block] = []
    if head:
        blocks.append(SectionBlock(text=mrkdwn(head)))
    if done:
        bullet = "• " if len(done) > 1 else ""
        blocks.append(SectionBlock(text=mrkdwn("\n".join(f"{bullet}{escape(s)}" for s in done))))
    if problems:
        blocks.append(
            SectionBlock(text=mrkdwn("\n".join(f"{symbols.PROBLEM} {escape(s)}" for s in problems)))
        )
    said = reply.lower()
    extra = [line for line in diff if line.lower().rstrip(".") not in said]
    # Lines the reply does not say: those it counted ("Plus 2 related changes"), or every change a
    # free-worded reply (the revision agent's) leaves out. Cascades it explains are not repeated.
    free = not (_SAVED.match(reply) or _NOTHING.match(reply) or _ANSWER.match(reply))
    if extra and (counted or free):
        shown = "; ".join(escape(line) for line in extra[:MAX_EXTRA_LINES])
        more = f"; and {len(extra) - MAX_EXTRA_LINES} more" if len(extra) > MAX_EXTRA_LINES else ""
        blocks.append(context_line(f"{'Saved changes' if free else 'Also changed'}: {shown}{more}"))
    return blocks or [SectionBlock(text=mrkdwn(escape(reply)))]
