"""The CS playbook as data: mitigations, owners and first actions per risk cause and situation, and
coverage per segment, read from a YAML file CS Ops can edit (`playbook.yml` beside this module, or
ACCOUNTPLAN_PLAYBOOK). Validated with pydantic when first loaded; an invalid file is one error naming
the file, the line and what is wrong, and nothing is drafted from it.

    python -m agent.drafter.playbook [PATH]     # or: accountplan playbook check [PATH]
"""

from __future__ import annotations

import string
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from storage.errors import AccountPlanError

DEFAULT_PLAYBOOK = Path(__file__).with_name("playbook.yml")
RISK_LEVELS = ("on_track", "watch", "at_risk")
STAGES = ("onboarding", "adoption", "established", "renewal")
# Every risk cause the drafter can raise needs a play (see agent.drafter.register).
CAUSES = (
    "health",
    "adoption",
    "champion_loss",
    "single_threaded",
    "renewal_timing",
    "competition",
    "sentiment",
    "support",
    "budget",
    "leadership",
    "payment",
    "other",
)
SEGMENTS = ("strategic", "enterprise", "mid-market", "smb", "default")
# The phrases a text may use, each built from the account's data (see the file's header).
PLACEHOLDERS = frozenset(
    {
        "account",
        "with_champion",
        "champion",
        "sponsor",
        "multi_thread",
        "successors",
        "departed",
        "threatened",
        "competitors",
        "renewal",
    }
)
WEEKS = 13


class PlaybookInvalid(AccountPlanError):
    """The playbook file cannot be used; the message names the file and line."""

    exit_code = 2


def _check_placeholders(text: str) -> str:
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as error:
        raise ValueError(f"malformed placeholder ({error}); write literal braces as {{{{ and }}}}") from None
    unknown = sorted(fields - PLACEHOLDERS)
    if unknown:
        raise ValueError(
            f"unknown placeholder {{{unknown[0]}}}; allowed: {', '.join('{' + p + '}' for p in sorted(PLACEHOLDERS))}"
        )
    return text


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PlayAction(_Strict):
    week: int = Field(ge=1, le=WEEKS)
    owner: str = Field(min_length=1)
    action: str = Field(min_length=5)

    _placeholders = field_validator("action")(_check_placeholders)


class PlayOverride(_Strict):
    mitigation: str | None = Field(default=None, min_length=10)
    owner: str | None = Field(default=None, min_length=1)
    actions: list[PlayAction] | None = None

    _placeholders = field_validator("mitigation")(
        lambda value: None if value is None else _check_placeholders(value)
    )


class Play(_Strict):
    """How one kind of risk is handled: the default play, and overrides by situation."""

    title: str = Field(min_length=3)
    owner: str = Field(min_length=1)
    mitigation: str = Field(min_length=10)
    actions: list[PlayAction] = Field(default_factory=list, max_length=4)
    situations: dict[str, PlayOverride] = Field(default_factory=dict)

    _placeholders = field_validator("mitigation")(_check_placeholders)

    @field_validator("situations")
    @classmethod
    def _known_situations(cls, value: dict[str, PlayOverride]) -> dict[str, PlayOverride]:
        unknown = [key for key in value if key not in (*RISK_LEVELS, *STAGES)]
        if unknown:
            raise ValueError(
                f"unknown situation {unknown[0]!r}; use a risk level ({', '.join(RISK_LEVELS)}) "
                f"or a stage ({', '.join(STAGES)})"
            )
        return value

    def for_situation(self, risk_level: str, stage: str) -> tuple[str, str, list[PlayAction]]:
        """(mitigation, owner, actions): a risk level's override wins over a stage's."""
        mitigation, owner, actions = self.mitigation, self.owner, self.actions
        for key in (stage, risk_level):  # the later one wins
            override = self.situations.get(key)
            if override is None:
                continue
            mitigation = override.mitigation or mitigation
            owner = override.owner or owner
            actions = override.actions if override.actions is not None else actions
        return mitigation, owner, actions


class SegmentPlay(_Strict):
    engagement_model: str = Field(min_length=5)
    csm_hours_per_month: int = Field(ge=0, le=200)
    checkin: str = Field(min_length=5)
    executive_alignment: dict[str, str]

    _placeholders = field_validator("checkin")(_check_placeholders)

    @field_validator("executive_alignment")
    @classmethod
    def _every_risk_level(cls, value: dict[str, str]) -> dict[str, str]:
        missing = [level for level in RISK_LEVELS if level not in value]
        extra = [key for key in value if key not in RISK_LEVELS]
        if missing or extra:
            raise ValueError(
                f"needs exactly {', '.join(RISK_LEVELS)}"
                + (f"; missing {', '.join(missing)}" if missing else "")
                + (f"; unknown {', '.join(extra)}" if extra else "")
            )
        for text in value.values():
            _check_placeholders(text)
        return value


class Playbook(_Strict):
    version: int = Field(ge=1, le=1)
    risks: dict[str, Play]
    segments: dict[str, SegmentPlay]

    @model_validator(mode="after")
    def _complete(self) -> Playbook:
        missing = [cause for cause in CAUSES if cause not in self.risks]
        if missing:
            raise ValueError(f"risks: no play for {', '.join(missing)} (every cause needs one)")
        unknown = [cause for cause in self.risks if cause not in CAUSES]
        if unknown:
            raise ValueError(f"risks: unknown cause {unknown[0]!r}; known: {', '.join(CAUSES)}")
        if "default" not in self.segments:
            raise ValueError("segments: a 'default' entry is needed for accounts without a known segment")
        return self

    def play(self, cause: str) -> Play:
        return self.risks.get(cause) or self.risks["other"]

    def segment(self, segment: str) -> SegmentPlay:
        key = {"midmarket": "mid-market", "mid market": "mid-market"}.get(segment, segment)
        return self.segments.get(key) or self.segments["default"]


def _line_of(root: yaml.Node | None, location: tuple[Any, ...]) -> int | None:
    """1-based line of the YAML node at a pydantic error location (as deep as the file goes)."""
    node, line = root, None
    for key in location:
        if node is None:
            break
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            node = next((value for name, value in node.value if name.value == str(key)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            node = None
    if node is not None:
        line = node.start_mark.line + 1
    return line


def parse_playbook(text: str, source: str) -> Playbook:
    """The playbook in `text` (YAML), or PlaybookInvalid naming `source`, the line and the problem."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        problem = getattr(error, "problem", None) or str(error)
        raise PlaybookInvalid(f"playbook {where}: not valid YAML: {problem}") from None
    if not isinstance(data, dict):
        raise PlaybookInvalid(f"playbook {source}: expected a mapping with version, risks and segments")
    try:
        return Playbook.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        location = tuple(part for part in first["loc"] if part != "__root__")
        line = _line_of(root, location)
        where = f"{source}:{line}" if line else source
        path = ".".join(str(part) for part in location) or "(top level)"
        message = first["msg"].removeprefix("Value error, ")
        more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
        raise PlaybookInvalid(f"playbook {where}: {path}: {message}{more}") from None


@lru_cache(maxsize=4)
def _load(path: str, modified: float) -> Playbook:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise PlaybookInvalid(f"playbook {path}: cannot be read ({error.strerror or error})") from None
    return parse_playbook(text, path)


def load_playbook(path: Path | str | None = None) -> Playbook:
    """The playbook at `path` (default: the packaged one), parsed once per file version."""
    target = Path(path) if path is not None else DEFAULT_PLAYBOOK
    try:
        modified = target.stat().st_mtime
    except OSError as error:
        raise PlaybookInvalid(f"playbook {target}: cannot be read ({error.strerror or error})") from None
    return _load(str(target), modified)


def main(argv: list[str]) -> int:
    path = argv[0] if argv else None
    try:
        playbook = load_playbook(path)
    except PlaybookInvalid as error:
        print(f"error: {error.message}", file=sys.stderr)
        return error.exit_code
    print(
        f"playbook {path or DEFAULT_PLAYBOOK}: valid ({len(playbook.risks)} risk plays, "
        f"{len(playbook.segments)} segments)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
