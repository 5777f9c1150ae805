"""What one text field claims (figures, sentences, quotes, renewal dates, candidate names), read once
per distinct text.

The grounding check reads ~270 fields per plan, and most of them repeat across plans ("open", "Q1",
"obj-2", an action line the drafter writes for every account), so the regex work is cached by the
text alone; only what depends on the account (which names are contacts, which figures are facts)
is decided per plan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from agent.claude.grounding.people import NameMention, read_names
from agent.claude.grounding.text import (
    DateClaim,
    Figure,
    Quote,
    days_to_renewal_claims,
    figures,
    quotes,
    renewal_date_claims,
    sentences,
)

# Distinct texts kept: a few thousand plans' worth of unrepeated lines (each entry a few hundred bytes).
CACHED_TEXTS = 32_768
_WORD = re.compile(r"[a-z]+")
_DIGIT = re.compile(r"\d")
_QUOTE_MARK = re.compile(r"[\"“”]")


@dataclass(frozen=True)
class TextClaims:
    """Everything the grounding check reads out of one text, independent of the account."""

    figures: tuple[Figure, ...]
    sentence_starts: tuple[int, ...]
    sentence_words: tuple[frozenset[str], ...]  # lower-case words of each sentence
    quotes: tuple[Quote, ...]
    renewal_dates: tuple[DateClaim, ...]
    days_to_renewal: tuple[tuple[str, int], ...]
    cued_names: tuple[NameMention, ...]
    capitalised_names: tuple[tuple[str, int], ...]
    bare: bool = False  # none of the above: nothing in it but, perhaps, a contact's name

    def __post_init__(self) -> None:
        claims = (self.figures, self.quotes, self.renewal_dates, self.days_to_renewal, self.cued_names,
                  self.capitalised_names)  # fmt: skip
        object.__setattr__(self, "bare", not any(claims))

    def sentence_of(self, figure: Figure) -> int:
        """Index of the sentence the figure is written in."""
        return max(i for i, start in enumerate(self.sentence_starts) if start <= figure.start)


@lru_cache(maxsize=CACHED_TEXTS)
def read_claims(text: str) -> TextClaims:
    """The claims in `text` (cached: the result is shared, never mutate it)."""
    # Figures and dates are written with digits, quotations with quotation marks.
    digits = _DIGIT.search(text) is not None
    written = tuple(figures(text)) if digits else ()
    split = sentences(text) if written else [(0, text)]  # sentences only locate figures
    cued, capitalised = read_names(text)
    return TextClaims(
        figures=written,
        sentence_starts=tuple(start for start, _ in split),
        sentence_words=tuple(frozenset(_WORD.findall(piece.lower())) for _, piece in split) if written else (),
        quotes=tuple(quotes(text)) if _QUOTE_MARK.search(text) else (),
        renewal_dates=tuple(renewal_date_claims(text)) if digits else (),
        days_to_renewal=tuple(days_to_renewal_claims(text)) if digits else (),
        cued_names=tuple(cued),
        capitalised_names=tuple(capitalised),
    )
