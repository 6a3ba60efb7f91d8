"""Lexicon and pattern markers: the evidence words every scorer uses and the report points at.

Matches are stored as plain ``[start_char, end_char, category]`` lists on ``Doc._.markers``
so they survive ``nlp.pipe(n_process=...)`` (Span objects cannot be sent between processes).
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc

from .lexicon import alternation, load_lexicon
from .segmenter import text_of

if not Doc.has_extension("markers"):
    Doc.set_extension("markers", default=None)


_BOUNDARY_AFTER = r"(?![\w'’])"
_WORD_RUN = re.compile(r"\w+")


@lru_cache(maxsize=1)
def compiled_markers() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The regular-expression categories (dates, numbers, quotes ...) of the lexicon."""
    lex = load_lexicon()
    return tuple((category, re.compile(pattern, re.IGNORECASE))
                 for category, pattern in lex["patterns"].items())


@lru_cache(maxsize=1)
def phrase_index() -> dict[str, tuple[tuple[str, re.Pattern[str]], ...]]:
    """Lexicon phrases grouped by their first word: ``{word: ((category, anchored regex), ...)}``.

    A phrase can only match where a word starts, and only where that word equals the phrase's
    first word, so one pass over the text's words with a dictionary lookup finds every match;
    trying ~1,500 alternatives at every character (one big regex per category) was the
    slowest step of the whole analysis. Within a group the longest phrase is tried first.
    """
    lex = load_lexicon()
    groups: dict[str, dict[str, set[str]]] = {}
    for category, phrases in lex["phrases"].items():
        for phrase in phrases:
            p = phrase.lower()
            first = _WORD_RUN.match(p)
            if not first:
                raise ValueError(f"lexicon phrase {phrase!r} must start with a word character")
            groups.setdefault(first.group(0), {}).setdefault(category, set()).add(p)
    index = {}
    for word, by_cat in groups.items():
        entries = []
        for category, alts in by_cat.items():
            body = alternation(alts)
            entries.append((category, re.compile(rf"(?:{body}){_BOUNDARY_AFTER}", re.IGNORECASE)))
        index[word] = tuple(entries)
    return index


def find_markers(text: str) -> list[list]:
    """Every lexicon phrase and pattern in ``text`` as sorted ``[start, end, category]``.

    Phrases match whole words (not preceded or followed by a word character or apostrophe);
    matches of one category never overlap, as with ``re.finditer``.
    """
    if len(text) > _SHORT:
        return _find_markers(text)
    return [list(m) for m in _short_markers(text)]


_SHORT = 2000


@lru_cache(maxsize=1024)
def _short_markers(text: str) -> tuple[tuple, ...]:
    """Short texts (targets, comments) are looked up more than once: by the feature rows and
    by the SMART rules."""
    return tuple(tuple(m) for m in _find_markers(text))


def _find_markers(text: str) -> list[list]:
    found = []
    index = phrase_index()
    next_free: dict[str, int] = {}
    for run in _WORD_RUN.finditer(text):
        start = run.start()
        entries = index.get(run.group(0).lower())
        if entries is None or (start and text[start - 1] in "'’"):
            continue
        for category, rx in entries:
            if start < next_free.get(category, 0):
                continue
            m = rx.match(text, start)
            if m:
                found.append([start, m.end(), category])
                next_free[category] = m.end()
    for category, rx in compiled_markers():
        for m in rx.finditer(text):
            if m.end() > m.start():
                found.append([m.start(), m.end(), category])
    found.sort()
    return found


def count_markers(doc: Doc, start: int, end: int) -> Counter:
    """Counts of marker categories fully inside ``[start, end)`` of ``doc.text``."""
    return count_in(doc._.markers or [], start, end)


def count_in(markers: list[list], start: int, end: int) -> Counter:
    """Counts of the categories of sorted ``markers`` fully inside ``[start, end)``."""
    counts: Counter = Counter()
    for i in range(bisect.bisect_left(markers, [start]), len(markers)):
        s, e, cat = markers[i]
        if s >= end:
            break
        if e <= end:
            counts[cat] += 1
    return counts


def markers_in(doc: Doc, start: int, end: int, categories: set[str] | None = None) -> list[list]:
    markers = doc._.markers or []
    out = []
    for i in range(bisect.bisect_left(markers, [start]), len(markers)):
        m = markers[i]
        if m[0] >= end:
            break
        if m[1] <= end and (categories is None or m[2] in categories):
            out.append(m)
    return out


class Markers:
    def __init__(self, nlp: Language, name: str):
        self.name = name
        compiled_markers()
        phrase_index()

    def __call__(self, doc: Doc) -> Doc:
        doc._.markers = find_markers(text_of(doc))
        return doc


@Language.factory("reflectassist_markers")
def make_markers(nlp: Language, name: str) -> Markers:
    return Markers(nlp, name)
