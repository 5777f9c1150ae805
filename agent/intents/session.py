"""Carrying out a request part by part on one working copy: each part that can be done is done
(validated and grounded as it is made), each that cannot is named with why, and the result is one
plan to save as one revision. Then the reply, in the CSM's words, naming the customer and year."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from agent.intents.core import (
    Answer,
    Context,
    Failure,
    Intent,
    NotUnderstood,
    PlanFacts,
    Refusal,
    Submission,
    Understood,
)
from agent.intents.normalize import known_words, normalize
from agent.intents.references import ALREADY_GONE, Ref, Unclear, Workspace, content_score
from agent.intents.split import STARTERS, split_request
from storage.errors import AccountPlanError
from storage.plan_diff import diff_plans
from storage.plan_document import AccountPlanDocument
from tools.plans.edits import PlanEditRejected, apply_to_plan, validated
from tools.plans.revisions import GroundingCheck

log = logging.getLogger(__name__)

MAX_LINES_PER_PART = 3
SECTION_LINES = {
    "objective": r"^(?:Objective|Objectives|Removed objective|Added objective)\b",
    "risk": r"^(?:Risk|Added risk|Removed risk)\b",
    "action": r"^(?:Action|Added action|Removed action)\b",
    "qbr": r"^(?:Q[1-4] QBR|Added a Q[1-4] QBR|Removed the Q[1-4] QBR)\b",
    "target": r"^(?:Multi-threading|Relationship goal|Target ARR|Current ARR)\b",
}


@dataclass
class PartResult:
    text: str
    outcome: str  # changed | already | failed | answered | refused | submit | unknown | aside
    section: str = ""
    lines: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    message: str = ""
    suggestions: list[str] = field(default_factory=list)


@dataclass
class SessionResult:
    document: AccountPlanDocument  # the plan with every part that could be done
    parts: list[PartResult]

    @property
    def submit(self) -> bool:
        return any(p.outcome == "submit" for p in self.parts)

    @property
    def changed(self) -> bool:
        return any(p.outcome == "changed" for p in self.parts)


def _problem(text: str) -> str:
    """A validation or grounding problem without the document path it was found at."""
    return re.sub(r"^[\w\[\].]+:\s*", "", text)


def _reason(error: AccountPlanError) -> str:
    if isinstance(error, PlanEditRejected):
        return "; ".join(dict.fromkeys(_problem(p) for p in error.problems))
    return error.message


def _created_ref(ws: Workspace, intent: Intent) -> Ref | None:
    if intent.creates == "strategic_objectives":
        return ws.created("objective", ws.data["strategic_objectives"][-1])
    if intent.creates == "action_plan_90day":
        return ws.created("action", ws.data["action_plan_90day"][-1])
    if intent.creates == "identified_risks":
        return ws.created("risk", ws.data["risk_mitigation"]["identified_risks"][-1])
    return None


def _plan_texts(value: object) -> list[str]:
    """Every piece of text in the plan (the words a request may use as they are)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _plan_texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _plan_texts(v)]
    return []


def run_request(
    message: str,
    document: AccountPlanDocument,
    facts: PlanFacts,
    check: GroundingCheck | None,
) -> SessionResult:
    """Understand and apply every part of `message` to `document` (nothing is saved here)."""
    from agent.intents import kind_of, understand

    plan = document.to_json_dict()
    ws = Workspace(plan)
    ctx = Context(ws=ws, document=document, facts=facts)
    current = document
    results: list[PartResult] = []
    text = normalize(message, known_words(_plan_texts(plan)))
    for part in split_request(text):
        try:
            understood: Understood | list[Intent] = understand(ctx, part)
        except Exception:  # a parser bug must cost one part, never the request or a stack trace
            log.exception("could not read request part %r", part)
            understood = NotUnderstood(part, [])
        intents = understood if isinstance(understood, list) else [understood]
        for item in intents:
            result, current = _carry_out(ctx, item, document, current, check)
            results.append(result)
        ws.last_kind = (ws.last.kind if ws.last is not None and ws.last.kind != "metric" else None) or kind_of(
            part
        ) or ws.last_kind
    if results and all(r.outcome == "aside" for r in results):
        for r in results:
            r.outcome = "unknown"
    return SessionResult(current, results)


def _carry_out(
    ctx: Context,
    item: Understood,
    original: AccountPlanDocument,
    current: AccountPlanDocument,
    check: GroundingCheck | None,
) -> tuple[PartResult, AccountPlanDocument]:
    if isinstance(item, Answer):
        return PartResult(item.text, "answered", message=item.answer), current
    if isinstance(item, Refusal):
        return PartResult(item.text, "refused", message=item.reason), current
    if isinstance(item, Submission):
        return PartResult(item.text, "submit"), current
    if isinstance(item, Failure):
        return PartResult(item.text, "failed", message=item.reason), current
    if isinstance(item, NotUnderstood):
        outcome = "aside" if item.aside else "unknown"
        return PartResult(item.text, outcome, suggestions=item.suggestions), current
    ws = ctx.ws
    attempt, memo = ws.attempt()
    saved = ws.checkpoint()
    ws.commit(attempt, memo)  # provisionally: edits are built against where referenced items are now
    try:
        edits = item.build(ws)
        notes = apply_to_plan(attempt, edits)
        after = validated(attempt)
        problems = check(original, after) if check else []
        if problems:
            raise PlanEditRejected(problems)
    except Unclear as unclear:
        ws.restore(saved)
        if ALREADY_GONE in unclear.message and re.search(r"\b(?:it|them|that)\s*$", item.text, re.IGNORECASE):
            return PartResult(item.text, "already", message="-"), current  # "X is obsolete, drop it"
        return PartResult(item.text, "failed", message=unclear.message), current
    except AccountPlanError as error:
        ws.restore(saved)
        return PartResult(item.text, "failed", message=_reason(error)), current
    except (KeyError, IndexError, TypeError, ValueError):  # a bug: this part is lost, not the plan
        log.exception("could not apply request part %r", item.text)
        ws.restore(saved)
        return PartResult(item.text, "failed", message="something went wrong with that part"), current
    lines = diff_plans(current, after)
    ws.last = _created_ref(ws, item) or item.subject
    if not lines:
        return PartResult(item.text, "already", message=item.already or ""), after
    extra = [item.note] if item.note else []
    return PartResult(item.text, "changed", lines=lines, notes=notes + extra, section=item.section), after


# --- the reply --------------------------------------------------------------------------------------


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def _imperative(text: str) -> bool:
    return re.match(rf"(?:{STARTERS})\b", text, re.IGNORECASE) is not None


def _explained(line: str, notes: list[str]) -> bool:
    """A line whose quoted text a note already tells about (a placeholder milestone)."""
    quoted = [q.rstrip("…") for q in re.findall(r"'([^']{6,})'", line)]
    return any(q and q in note for q in quoted for note in notes)


def _change_sentences(part: PartResult) -> list[str]:
    """The lines about what was asked first (the diff has every line), then the notes on what
    followed from it, then a count of anything else."""
    pattern = SECTION_LINES.get(part.section)
    lines = [line for line in part.lines if not _explained(line, part.notes)]
    primary = [line for line in lines if pattern and re.match(pattern, line)] or lines
    primary.sort(key=lambda line: -content_score(part.text, line))
    shown = primary[:MAX_LINES_PER_PART]
    sentences = [_sentence(line) for line in shown] + [_sentence(n) for n in part.notes]
    alike = len(primary) - len(shown)
    if alike > 0:
        sentences.append(f"And {alike} more like that.")
    rest = len(lines) - len(primary)
    if rest > 0 and not part.notes:
        sentences.append(f"Plus {rest} related change{'s' if rest > 1 else ''}.")
    return sentences


def _part_sentences(part: PartResult) -> list[str]:
    if part.outcome == "changed":
        return _change_sentences(part)
    if part.outcome == "already":
        if part.message == "-":
            return []
        return [_sentence(part.message or f"'{part.text}': the plan already says that")]
    if part.outcome == "failed":
        what = part.text[:1].lower() + part.text[1:] if _imperative(part.text) else f"do '{part.text}'"
        return [_sentence(f"Couldn't {what.rstrip('.?!')}: {part.message}")]
    if part.outcome in ("answered", "refused"):
        return [_sentence(part.message)]
    if part.outcome == "unknown":
        options = " or ".join(f"'{s}'" for s in part.suggestions)
        tail = f" You could say {options}." if options else ""
        return [f"I didn't understand '{part.text}'.{tail}"]
    return []


def compose_reply(
    title: str,
    parts: list[PartResult],
    *,
    saved_version: int | None,
    submission_note: str | None,
) -> str:
    """One reply for the whole request: what changed (and the version it was saved as), what could
    not be done and why, answers, refusals, the submission."""
    sentences = [s for part in parts for s in _part_sentences(part)]
    if saved_version is not None:
        head = f"{title}, saved as version {saved_version}:"
    elif any(p.outcome in ("answered",) for p in parts) and not any(
        p.outcome in ("failed", "unknown", "already", "refused") for p in parts
    ):
        head = f"{title}:"
    elif any(p.outcome == "refused" for p in parts) and all(p.outcome == "refused" for p in parts):
        head = ""
    elif any(p.outcome == "submit" for p in parts) and all(p.outcome in ("submit", "already") for p in parts):
        head = f"{title}:"
    else:
        head = (
            f"Nothing changed in {title}." if not any(p.outcome == "answered" for p in parts) else f"{title}:"
        )
    if submission_note:
        sentences.append(_sentence(submission_note))
    return " ".join(s for s in [head, *sentences] if s).strip()
