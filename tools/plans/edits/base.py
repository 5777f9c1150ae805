"""What every plan edit shares: the base model, how items are found (by position or by some of
their text), and the words used when telling a CSM what happened."""

from __future__ import annotations

from typing import Any, cast

from pydantic import BaseModel, ConfigDict, ValidationError
from rapidfuzz import fuzz

from storage.errors import BadInput
from storage.plan_document import QUARTERS

MAX_OBJECTIVES = 5
MIN_OBJECTIVES = 3
MAX_METRICS = 4
# A fuzzy text match must score at least this (0-100) and beat the runner-up by this much.
FUZZY_MIN_SCORE = 80
FUZZY_MARGIN = 8

Json = dict[str, Any]


class PlanEditRejected(BadInput):
    """The edit would make the plan invalid or ungrounded; nothing was saved."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("that change was not saved: " + "; ".join(problems))
        self.problems = problems


class Edit(BaseModel):
    """A typed change to a plan's JSON. `apply` changes the plan in place and returns notes for the
    CSM about anything done beyond the literal request (a cascade, a placeholder)."""

    model_config = ConfigDict(extra="forbid")

    def apply(self, plan: Json) -> list[str]:  # pragma: no cover - every edit overrides it
        raise NotImplementedError


def words(text: str) -> str:
    """Lowercased text with punctuation as spaces, for matching."""
    return " ".join("".join(c if c.isalnum() else " " for c in str(text).lower()).split())


def text_score(needle: str, haystack: str) -> float:
    """How well `needle` (a few words someone typed) refers to `haystack` (an item's text), 0-100."""
    a, b = words(needle), words(haystack)
    if not a or not b:
        return 0.0
    if f" {a} " in f" {b} ":
        return 100.0
    return max(fuzz.token_set_ratio(a, b) * 0.9, fuzz.partial_ratio(a, b) * 0.95)


def best_matches(needle: str, texts: list[str]) -> list[int]:
    """Indexes of the texts `needle` refers to: the single clear best, or every near-tie."""
    scored = sorted(((text_score(needle, t), i) for i, t in enumerate(texts)), reverse=True)
    scored = [(s, i) for s, i in scored if s >= FUZZY_MIN_SCORE]
    if not scored:
        return []
    top = scored[0][0]
    return [i for s, i in scored if s > top - FUZZY_MARGIN]


def pick(items: list[Json], key: str, number: int | None, match: str | None, noun: str) -> int:
    """Index of the item given by 1-based `number` or by some of its text (`match`, fuzzy)."""
    if number is not None:
        if 1 <= number <= len(items):
            return number - 1
        have = f"{len(items)} {noun}{'s' if len(items) != 1 else ''}"
        raise BadInput(f"there is no {noun} {number}; the plan has {have}")
    if match:
        hits = best_matches(match, [str(item[key]) for item in items])
        if len(hits) == 1:
            return hits[0]
        if not hits:
            raise BadInput(f"no {noun} mentions '{match}'")
        listed = "; ".join(f"{noun} {i + 1} ('{short(items[i][key], 50)}')" for i in sorted(hits)[:4])
        raise BadInput(f"{len(hits)} {noun}s match '{match}': {listed}; say which by number")
    raise BadInput(f"say which {noun} (by number or by some of its text)")


def short(text: Any, limit: int = 60) -> str:
    value = " ".join(str(text).split())
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def possessive(name: str) -> str:
    """ "TechCorp Industries" -> "TechCorp Industries'", "Acme" -> "Acme's"."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def quarter_index(quarter: str) -> int:
    return QUARTERS.index(quarter) if quarter in QUARTERS else len(QUARTERS)


def objective_number(objective_id: str | None) -> str:
    return (objective_id or "").removeprefix("obj-")


def shift_paths(plan: Json, list_path: str, removed: int) -> None:
    """Keep path-keyed records (generation_context.provenance) pointing at the same items after
    the item at `list_path[removed]` is deleted: its own entries go, later ones move up."""
    context: Json = plan.get("generation_context") or {}
    provenance = context.get("provenance")
    if not isinstance(provenance, dict):
        return
    prefix = f"{list_path}["
    moved: dict[str, Any] = {}
    for path, record in cast(Json, provenance).items():
        if not path.startswith(prefix):
            moved[path] = record
            continue
        index_text, _, rest = path[len(prefix) :].partition("]")
        if not index_text.isdigit():
            moved[path] = record
            continue
        index = int(index_text)
        if index == removed:
            continue
        moved[f"{prefix}{index - 1 if index > removed else index}]{rest}"] = record
    context["provenance"] = moved


def validation_problems(error: ValidationError) -> list[str]:
    """Pydantic errors as `where: what` lines a person (or the model) can act on."""
    return [
        f"{'.'.join(str(part) for part in issue['loc']) or 'plan'}: {issue['msg']}"
        for issue in error.errors()
    ][:12]
