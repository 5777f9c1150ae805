"""Which customer a piece of text names: pure matching over (id, name) pairs, no database.

One `NameIndex` answers both questions people ask of it:
- `resolve(query)`, for a customer argument (CLI, slash command, "draft a plan for X"): exact id,
  exact name (case- and space-insensitive), the normalized name (punctuation-insensitive), a full
  name inside the query, the same words in another order, a fragment of a name on word
  boundaries, then fuzzy (rapidfuzz) suggestions. Typos are never resolved, only suggested.
- `named_in(text)`, for a chat message: Slack markup (`<!channel>`, `<@U123>`, `<http://..|..>`)
  is removed and Slack's &amp;/&lt;/&gt; escapes undone, then every customer's full normalized
  name is looked up on word boundaries (the longest wins); with none, fuzzy suggestions of names
  the message comes close to.

Choices offered (several customers fit a fragment, or fuzzy suggestions) are only customers
`allowed` (the caller's planning scope); an exact id, a full name or a fragment only one name has
is found whoever owns it, so the policy can then say why it is not theirs.
Built once per data version (storage.customers caches it); lookups are dictionary probes, the
fuzzy step scores a prefiltered candidate set, so a message costs well under a millisecond to a
few milliseconds at 100k customers (bench/resolution_bench.py).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

# Slack's markup: mentions, channel/user links, <!here>/<!channel>, URLs with or without labels.
SLACK_MARKUP = re.compile(r"<[^<>\n]*>")
WORD = re.compile(r"[^\W_]+")
MAX_NAME_WORDS = 12  # longer names are matched on their first 12 words
MIN_FRAGMENT_CHARS = 3  # "ap" names nobody; "apex" may
MIN_PREFIX_CHARS = 4  # the last word of a fragment may be cut short: "techc" -> "TechCorp"
SUGGEST_SCORE = 72.0  # rapidfuzz scores (0-100) below this are not worth asking about
TEXT_SUGGEST_SCORE = 85.0  # in free text, a suggestion interrupts the person: be surer
CLEAR_MARGIN = 10.0  # a best guess this far ahead of the next is the only suggestion
MAX_SUGGESTIONS = 3
TOKEN_SCORE = 80.0  # a message word this close to a name word makes that name a fuzzy candidate
MIN_FUZZY_WORD_CHARS = 5  # shorter words are too alike ("plan" is 80% "upland") to allow typos in
MAX_CANDIDATES = 300  # fuzzy scoring is bounded whatever the number of customers

How = Literal["id", "exact", "name", "in_text", "word_order", "fragment", "fuzzy", "none"]
Allowed = Callable[["CustomerName"], bool]


@dataclass(frozen=True)
class CustomerName:
    id: str
    name: str
    csm_email: str | None = None


@dataclass(frozen=True)
class Resolution:
    """`customer` when the text names exactly one; otherwise `candidates` to ask about (best first,
    empty when nothing comes close). `how` says which step decided."""

    customer: CustomerName | None
    candidates: tuple[CustomerName, ...] = ()
    how: How = "none"

    @property
    def ambiguous(self) -> bool:
        """Several customers fit equally well (as opposed to suggestions for a typo)."""
        return self.customer is None and self.how != "fuzzy" and len(self.candidates) > 1


def words(text: str) -> list[str]:
    """Lower-case words, compatibility-normalized ("ＴｅｃｈＣｏｒｐ" is "techcorp"), "&" read as "and"."""
    folded = unicodedata.normalize("NFKC", text).casefold().replace("&", " and ")
    return WORD.findall(folded)


def normalize(text: str) -> str:
    return " ".join(words(text))


def strip_slack_markup(text: str) -> str:
    """The words a person typed: mentions, links and <!here>-style commands removed, then the three
    characters Slack escapes (&amp; &lt; &gt;) restored, so a name typed as "A&B" or "<x> Corp"
    reads as it does in the database."""
    without = SLACK_MARKUP.sub(" ", text)
    return without.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _exact_key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _everyone(_: CustomerName) -> bool:
    return True


@dataclass
class NameIndex:
    """Every customer's name, normalized and indexed by whole name, by word and by exact spelling."""

    customers: Sequence[CustomerName]
    keys: list[str] = field(init=False)
    _by_id: dict[str, int] = field(init=False)
    _by_exact: dict[str, list[int]] = field(init=False)
    _by_key: dict[str, list[int]] = field(init=False)
    _by_word: dict[str, list[int]] = field(init=False)
    _by_sorted_words: dict[tuple[str, ...], list[int]] = field(init=False)
    _vocabulary: list[str] = field(init=False)  # sorted, for prefix lookups and fuzzy word matches
    _longest: int = field(init=False)

    def __post_init__(self) -> None:
        self.keys = []
        self._by_id = {}
        self._by_exact = defaultdict(list)
        self._by_key = defaultdict(list)
        self._by_word = defaultdict(list)
        self._by_sorted_words = defaultdict(list)
        longest = 1
        for row, customer in enumerate(self.customers):
            name_words = words(customer.name)[:MAX_NAME_WORDS]
            key = " ".join(name_words)
            self.keys.append(key)
            self._by_id[customer.id] = row
            self._by_exact[_exact_key(customer.name)].append(row)
            if key:
                self._by_key[key].append(row)
                self._by_sorted_words[tuple(sorted(name_words))].append(row)
            for word in set(name_words):
                self._by_word[word].append(row)
            longest = max(longest, len(name_words))
        self._vocabulary = sorted(self._by_word)
        self._longest = longest

    def __len__(self) -> int:
        return len(self.customers)

    def _pick(self, rows: Iterable[int], how: How) -> Resolution:
        found = tuple(self.customers[row] for row in dict.fromkeys(rows))
        if len(found) == 1:
            return Resolution(found[0], found, how)
        return Resolution(None, tuple(sorted(found, key=lambda c: (c.name, c.id))), how)

    def resolve(self, query: str, allowed: Allowed | None = None) -> Resolution:
        """The customer `query` names, or who to ask about (see the module docstring)."""
        allowed = allowed or _everyone
        text = query.strip()
        if not text:
            return Resolution(None)
        if text in self._by_id:
            return Resolution(self.customers[self._by_id[text]], how="id")
        exact = self._by_exact.get(_exact_key(text))
        if exact:
            return self._pick(exact, "exact")
        same_name = self._by_key.get(normalize(text))
        if same_name:
            return self._pick(same_name, "name")
        inside = self._full_names_in(words(strip_slack_markup(text)))
        if inside:
            return self._pick(inside, "in_text")
        query_words = words(text)
        same_words = self._by_sorted_words.get(tuple(sorted(query_words)))
        if same_words:
            return self._pick(same_words, "word_order")
        fragment = self._fragment_rows(query_words)
        if len(fragment) == 1:  # only one customer's name has these words: that one, whoever owns it
            return self._pick(fragment, "fragment")
        mine = [row for row in fragment if allowed(self.customers[row])]
        if mine:  # several have: ask, offering only the ones the person may plan for
            candidates = sorted((self.customers[row] for row in mine), key=lambda c: (c.name, c.id))
            return Resolution(None, tuple(candidates), "fragment")
        return self._suggest(query_words, allowed, SUGGEST_SCORE, whole_text=False)

    def named_in(self, text: str, allowed: Allowed | None = None) -> Resolution:
        """The customer a chat message talks about: the longest full name in it, on word
        boundaries, after Slack markup is removed; else fuzzy suggestions, or nothing."""
        message_words = words(strip_slack_markup(text))
        if not message_words:
            return Resolution(None)
        inside = self._full_names_in(message_words)
        if inside:
            return self._pick(inside, "in_text")
        return self._suggest(message_words, allowed or _everyone, TEXT_SUGGEST_SCORE, whole_text=True)

    def _full_names_in(self, text_words: list[str]) -> list[int]:
        """Rows whose whole normalized name occurs in `text_words`, longest names only."""
        best: list[int] = []
        best_length = 0
        for start in range(len(text_words)):
            if text_words[start] not in self._by_word:
                continue  # no name contains this word, so none starts with it
            for length in range(min(self._longest, len(text_words) - start), best_length - 1, -1):
                rows = self._by_key.get(" ".join(text_words[start : start + length]))
                if rows:
                    if length > best_length:
                        best, best_length = [], length
                    best.extend(rows)
                    break
        return best

    def _fragment_rows(self, query_words: list[str]) -> list[int]:
        """Rows whose name contains the query's words in order, on word boundaries; the last query
        word may be the start of a name word ("techc")."""
        if not query_words or len(" ".join(query_words)) < MIN_FRAGMENT_CHARS:
            return []
        *leading, last = query_words
        if leading:
            pool = set(self._by_word.get(leading[0], ()))
        else:
            pool = set(self._rows_with_word_prefix(last) if len(last) >= MIN_PREFIX_CHARS else ())
            pool.update(self._by_word.get(last, ()))
        joined = " ".join(query_words)
        pattern = re.compile(
            rf"(?:^| ){re.escape(joined)}" + ("" if len(last) >= MIN_PREFIX_CHARS else r"(?: |$)")
        )
        return sorted(row for row in pool if pattern.search(self.keys[row]))

    def _rows_with_word_prefix(self, prefix: str) -> list[int]:
        start = bisect.bisect_left(self._vocabulary, prefix)
        rows: list[int] = []
        for word in self._vocabulary[start:]:
            if not word.startswith(prefix):
                break
            rows.extend(self._by_word[word])
        return rows

    def _suggest(
        self, query_words: list[str], allowed: Allowed, threshold: float, *, whole_text: bool
    ) -> Resolution:
        """Fuzzy suggestions (never a resolution): names close to the query, or to a stretch of a
        message as long as the name, within the caller's scope.

        Candidates are the names sharing enough words (exactly or within a typo) with the text;
        only the MAX_CANDIDATES with most shared words are scored."""
        from rapidfuzz import fuzz, process

        hits: Counter[int] = Counter()
        for word in set(query_words):
            if len(word) < MIN_FRAGMENT_CHARS:
                continue
            close: set[str] = {word} if word in self._by_word else set()
            if len(word) >= MIN_FUZZY_WORD_CHARS:
                close.update(
                    str(match)
                    for match, _score, _ in process.extract(
                        word, self._vocabulary, scorer=fuzz.ratio, score_cutoff=TOKEN_SCORE, limit=20
                    )
                )
            for row in {row for match in close for row in self._by_word[match]}:
                hits[row] += 1
        candidates = [
            row
            for row, shared in hits.most_common()
            if _enough_shared(shared, self.keys[row].count(" ") + 1, whole_text)
            and allowed(self.customers[row])
        ][:MAX_CANDIDATES]
        windows = _windows(query_words) if whole_text else {}
        query = " ".join(query_words)
        scores: dict[int, float] = {}
        for row in candidates:
            key = self.keys[row]
            if whole_text:
                size = key.count(" ") + 1
                stretches = [w for length in (size - 1, size, size + 1) for w in windows.get(length, ())]
                score = max(
                    max(fuzz.ratio(stretch, key), fuzz.token_sort_ratio(stretch, key))
                    for stretch in stretches
                )
            else:
                score = max(
                    fuzz.ratio(query, key),
                    fuzz.token_sort_ratio(query, key),
                    fuzz.partial_ratio(query, key) - 5,
                )
            if score >= threshold:
                scores[row] = score
        if not scores:
            return Resolution(None)
        ranked = sorted(
            scores, key=lambda row: (-scores[row], self.customers[row].name, self.customers[row].id)
        )
        best = scores[ranked[0]]
        close_rows = [row for row in ranked if best - scores[row] < CLEAR_MARGIN][:MAX_SUGGESTIONS]
        return Resolution(None, tuple(self.customers[row] for row in close_rows), "fuzzy")


def _enough_shared(shared: int, name_words: int, whole_text: bool) -> bool:
    """A query argument is meant to be a name, so half its words will do; in a chat message every
    word of a short name (all but one of a longer one) must be there, give or take a typo, or
    "update the group plan" would ask about every "... Group"."""
    if whole_text:
        return shared >= (name_words if name_words <= 2 else name_words - 1)
    return 2 * shared >= name_words


def _windows(text_words: list[str]) -> dict[int, list[str]]:
    """Every stretch of the text of 1 .. MAX_NAME_WORDS + 1 words, by length."""
    return {
        length: [
            " ".join(text_words[start : start + length]) for start in range(len(text_words) - length + 1)
        ]
        for length in range(1, min(MAX_NAME_WORDS + 1, len(text_words)) + 1)
    }
