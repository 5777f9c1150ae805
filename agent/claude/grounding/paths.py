"""Where in a plan's sections a leaf is, and so how the grounding check reads it: a success
metric's target or current value, a stakeholder entry's name, a person field, or text."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Literal

from agent.claude.grounding.structured import CURRENT_PATH

TARGET_PATH = re.compile(r"success_metrics\[\d+\]\.target$")
OBJECTIVE_PATH = re.compile(r"^strategic_objectives\[(\d+)\]")
PERSON_FIELD = re.compile(r"\.(owner|attendees\[\d+\])$")
# Stakeholder entries' names and ids are checked against the contacts as structured values.
STRUCTURED_NAME = re.compile(
    r"^stakeholder_plan\.(?:current_map|relationship_goals)\[\d+\]\.(?:name|stakeholder_id)$"
)


def walk(value: Any, path: str, visit: Callable[[str, Any], None]) -> None:
    """`visit(path, leaf)` for every leaf under `value`, in document order. Plain recursion that
    checks each leaf where it is found: no list of (path, leaf) pairs, no generator frames."""
    if isinstance(value, dict):
        for key, item in value.items():
            walk(item, f"{path}.{key}" if path else key, visit)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            walk(item, f"{path}[{index}]", visit)
    else:
        visit(path, value)


PathRole = Literal["target", "current", "structured_name", "person", "text"]


@lru_cache(maxsize=16_384)
def path_role(path: str) -> tuple[int | None, PathRole]:
    """The objective a document path is in (None: none) and how its leaf is checked. Cached: plans
    share their paths, and a plan has hundreds of leaves."""
    found = OBJECTIVE_PATH.match(path)
    objective = int(found.group(1)) if found else None
    if TARGET_PATH.search(path):
        return objective, "target"
    if CURRENT_PATH.search(path):
        return objective, "current"
    if STRUCTURED_NAME.match(path):
        return objective, "structured_name"
    return objective, "person" if PERSON_FIELD.search(path) else "text"
