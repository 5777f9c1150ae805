"""Text for Block Kit: mrkdwn escaping of anything we did not write, and truncation to Slack's limits."""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, Block, ContextBlock, MarkdownTextObject, PlainTextObject

from bot.slack.limits import MAX_CONTEXT_TEXT, MAX_SECTION_TEXT

ELLIPSIS = "…"
WORD_BACKTRACK = 20  # characters a cut may give back to end on a whole word


def escape(text: str | None) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters, so customer,
    user and model text can never form `<!channel>`, `<@U…>` or links."""
    if not text:
        return ""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int, suffix: str = ELLIPSIS) -> str:
    """`text` cut to at most `limit` characters (the suffix included), never mid-entity."""
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - len(suffix))]
    # Do not leave half an escape entity such as "&am" behind.
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    # End on a whole word ("on Oct 19…", not "on Oct 19, 20…") unless that would lose much.
    if not text[len(cut) : len(cut) + 1].isspace():
        space = cut.rfind(" ")
        if space > 0 and space >= len(cut) - WORD_BACKTRACK:
            cut = cut[:space]
    return cut.rstrip(" ,;:-–") + suffix


def mrkdwn(text: str, limit: int = MAX_SECTION_TEXT) -> MarkdownTextObject:
    """Already-escaped mrkdwn, truncated to the limit of where it goes."""
    return MarkdownTextObject(text=truncate(text, limit) or " ", verbatim=True)


def context_line(text: str) -> ContextBlock:
    """A context block (small grey line) of already-escaped mrkdwn."""
    return ContextBlock(elements=[mrkdwn(text, MAX_CONTEXT_TEXT)])


def plain(text: str | None, limit: int, emoji: bool = True) -> PlainTextObject:
    """Plain text (no escaping needed: Slack never parses it), truncated."""
    return PlainTextObject(text=truncate(text or "", limit) or " ", emoji=emoji)


def money(value: float | None) -> str:
    if value is None:
        return "n/a"
    if abs(value) >= 1_000_000:
        return f"${value / 1_000_000:.1f}M"
    if abs(value) >= 1_000:
        return f"${value / 1_000:.0f}K"
    return f"${value:,.0f}"


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.0f}%"


def fit_blocks(blocks: list[Block], limit: int) -> list[Block]:
    """At most `limit` blocks: trailing actions survive, the cut is marked, Slack never rejects it."""
    if len(blocks) <= limit:
        return blocks
    tail = [blocks[-1]] if isinstance(blocks[-1], ActionsBlock) else []
    room = limit - len(tail) - 1
    note = context_line("_Shortened to fit Slack; the full plan has the rest._")
    return [*blocks[:room], note, *tail]
