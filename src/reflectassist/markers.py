"""Lexicon and pattern markers: the evidence words every scorer uses and the report points at.

Matches are stored as plain ``[start_char, end_char, category]`` lists on ``Doc._.markers``
so they survive ``nlp.pipe(n_process=...)`` (Span objects cannot be sent between processes).
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
from typing import NamedTuple

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
def phrase_index() -> dict[str, tuple[tuple[str, re.Pattern[str], bool], ...]]:
    """Lexicon phrases grouped by their first word:
    ``{word: ((category, anchored regex, the word is the category's only phrase), ...)}``.

    A phrase can only match where a word starts, and only where that word equals the phrase's
    first word, so one pass over the text's words with a dictionary lookup finds every match;
    trying ~1,500 alternatives at every character (one big regex per category) was the
    slowest step of the whole analysis. Within a group the longest phrase is tried first;
    a group that is just the word itself needs no regex at all.
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
            entries.append((category, re.compile(rf"(?:{body}){_BOUNDARY_AFTER}", re.IGNORECASE),
                            alts == {word}))
        index[word] = tuple(entries)
    return index


def find_markers(text: str) -> list[list]:
    """Every lexicon phrase and pattern in ``text`` as sorted ``[start, end, category]``.

    Phrases match whole words (not preceded or followed by a word character or apostrophe);
    matches of one category never overlap, as with ``re.finditer``.
    """
    return _find_markers(text)


@lru_cache(maxsize=1024)
def shared_markers(text: str) -> list[list]:
    """:func:`find_markers`, cached for callers that only read the result (do not modify
    it): a target's or comment's markers are wanted by the feature rows and by the SMART
    rules."""
    return _find_markers(text)


class _PatternStarts(NamedTuple):
    """Where each \\b-led pattern can start (lexicons.json ``pattern_starts``)."""

    by_word: dict[str, tuple[tuple[str, re.Pattern[str]], ...]]
    digit: tuple[tuple[str, re.Pattern[str]], ...]
    prefixes: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...]
    suffixes: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...]
    any_prefix: tuple[str, ...]
    any_suffix: tuple[str, ...]
    every: tuple[tuple[str, re.Pattern[str]], ...]  # tried at non-ASCII words
    anywhere: tuple[tuple[str, re.Pattern[str]], ...]  # not listed: searched everywhere


@lru_cache(maxsize=1)
def pattern_starts() -> _PatternStarts:
    """Running twelve case-insensitive regexes over the whole text cost more than everything
    else in the markers step; most can only start at a handful of words, so they are tried
    there, in the same pass over the words as the phrases."""
    starts = load_lexicon()["pattern_starts"]
    by_word: dict[str, list] = {}
    digit, prefixes, suffixes, every, anywhere = [], [], [], [], []
    for category, rx in compiled_markers():
        spec = starts.get(category)
        if spec is None:
            anywhere.append((category, rx))
            continue
        every.append((category, rx))
        for w in spec.get("words", []):
            by_word.setdefault(w, []).append((category, rx))
        if spec.get("digit"):
            digit.append((category, rx))
        if spec.get("prefixes"):
            prefixes.append((category, tuple(spec["prefixes"]), rx))
        if spec.get("suffixes"):
            suffixes.append((category, tuple(spec["suffixes"]), rx))
    return _PatternStarts({w: tuple(v) for w, v in by_word.items()}, tuple(digit),
                          tuple(prefixes), tuple(suffixes),
                          tuple(p for _, ps, _ in prefixes for p in ps),
                          tuple(x for _, xs, _ in suffixes for x in xs),
                          tuple(every), tuple(anywhere))


def _patterns_at(word: str, low: str, starts: _PatternStarts) -> list[tuple[str, re.Pattern[str]]]:
    """The patterns that can match at a word (by ``pattern_starts``); every listed pattern at
    a non-ASCII word, whose lower-casing can differ from the regex engine's case folding."""
    if not word.isascii():
        return list(starts.every)
    found = list(starts.by_word.get(low, ()))
    if low[0].isdecimal():
        found += starts.digit
    if low.startswith(starts.any_prefix):
        found += [(c, rx) for c, ps, rx in starts.prefixes if low.startswith(ps)]
    if low.endswith(starts.any_suffix):
        found += [(c, rx) for c, xs, rx in starts.suffixes if low.endswith(xs)]
    return found


_WORD_CACHE: dict[str, tuple[tuple, list]] = {}
_APOSTROPHES = ("'", "’")


def _entries(word: str, low: str) -> tuple[tuple, list]:
    """(phrase entries, patterns to try) at a word; cached for ASCII words, which is nearly
    every word, since both depend on the word alone."""
    if not word.isascii():
        return phrase_index().get(low, ()), _patterns_at(word, low, pattern_starts())
    got = _WORD_CACHE.get(low)
    if got is None:
        if len(_WORD_CACHE) > 100_000:
            _WORD_CACHE.clear()
        got = _WORD_CACHE[low] = (phrase_index().get(low, ()),
                                  _patterns_at(word, low, pattern_starts()))
    return got


def _find_markers(text: str, starts: _PatternStarts | None = None) -> list[list]:
    found = []
    next_free: dict[str, int] = {}
    next_pattern: dict[str, int] = {}
    for run in _WORD_RUN.finditer(text):
        start = run.start()
        word = run.group(0)
        low = word.lower()
        if starts is None:
            entries, patterns = _entries(word, low)
        else:
            entries, patterns = phrase_index().get(low, ()), _patterns_at(word, low, starts)
        if entries and not (start and text[start - 1] in _APOSTROPHES):
            for category, rx, whole_word in entries:
                if start < next_free.get(category, 0):
                    continue
                if whole_word and word.isascii():  # the regex would match exactly the word
                    end = run.end()
                    if text[end:end + 1] not in _APOSTROPHES:
                        found.append([start, end, category])
                        next_free[category] = end
                    continue
                m = rx.match(text, start)
                if m:
                    found.append([start, m.end(), category])
                    next_free[category] = m.end()
        # a \b-led pattern can only start where a word does: as finditer, without the search
        for category, rx in patterns:
            if start < next_pattern.get(category, 0):
                continue
            m = rx.match(text, start)
            if m and m.end() > m.start():
                found.append([start, m.end(), category])
                next_pattern[category] = m.end()
    for category, rx in (starts or pattern_starts()).anywhere:
        for m in rx.finditer(text):
            if m.end() > m.start():
                found.append([m.start(), m.end(), category])
    found.sort()
    return found


def count_markers(doc: Doc, start: int, end: int) -> dict[str, int]:
    """Counts of marker categories fully inside ``[start, end)`` of ``doc.text``."""
    return count_in(doc._.markers or [], start, end)


def count_in(markers: list[list], start: int, end: int) -> dict[str, int]:
    """Counts of the categories of sorted ``markers`` fully inside ``[start, end)``."""
    counts: dict[str, int] = {}
    for i in range(bisect.bisect_left(markers, [start]), len(markers)):
        s, e, cat = markers[i]
        if s >= end:
            break
        if e <= end:
            counts[cat] = counts.get(cat, 0) + 1
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
