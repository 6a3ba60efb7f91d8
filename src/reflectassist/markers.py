"""Lexicon and pattern markers: the evidence words every scorer uses and the report points at.

Matches are stored as plain ``[start_char, end_char, category]`` lists on ``Doc._.markers``
so they survive ``nlp.pipe(n_process=...)`` (Span objects cannot be sent between processes).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from functools import lru_cache
from itertools import compress
from typing import NamedTuple

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from .lexicon import alternation, load_lexicon, plain_quotes
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
def _phrase_groups() -> dict[str, dict[str, set[str]]]:
    """The lower-cased lexicon phrases by first word (``\\w+`` run), then category."""
    groups: dict[str, dict[str, set[str]]] = {}
    for category, phrases in load_lexicon()["phrases"].items():
        for phrase in phrases:
            p = phrase.lower()
            first = _WORD_RUN.match(p)
            if not first:
                raise ValueError(f"lexicon phrase {phrase!r} must start with a word character")
            groups.setdefault(first.group(0), {}).setdefault(category, set()).add(p)
    return groups


@lru_cache(maxsize=1)
def phrase_index() -> dict[str, tuple[tuple[str, re.Pattern[str], bool], ...]]:
    """Lexicon phrases grouped by their first word:
    ``{word: ((category, anchored regex, the word is the category's only phrase), ...)}``.

    A phrase can only match where a word starts, and only where that word equals the phrase's
    first word, so one pass over the text's words with a dictionary lookup finds every match;
    trying ~1,500 alternatives at every character (one big regex per category) was the
    slowest step of the whole analysis. Within a group the longest phrase is tried first.
    """
    return {word: tuple((category, re.compile(rf"(?:{alternation(alts)}){_BOUNDARY_AFTER}",
                                              re.IGNORECASE), alts == {word})
                        for category, alts in by_cat.items())
            for word, by_cat in _phrase_groups().items()}


def find_markers(text: str) -> list[list]:
    """Every lexicon phrase and pattern in ``text`` as sorted ``[start, end, category]``.

    Phrases match whole words (not preceded or followed by a word character or apostrophe);
    matches of one category never overlap, as with ``re.finditer``. Curly quotes and
    apostrophes match as plain ones (``lexicon.plain_quotes``).
    """
    return _find_markers(plain_quotes(text))


@lru_cache(maxsize=1024)
def shared_markers(text: str) -> tuple[list, ...]:
    """:func:`find_markers`, cached (a target's or comment's markers are wanted by the feature
    rows and by the SMART rules) and so returned as a tuple: callers only read it."""
    return tuple(_find_markers(plain_quotes(text)))


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
    # (category, pattern, the characters it starts with): tried at those characters
    by_char: tuple[tuple[str, re.Pattern[str], str], ...] = ()
    whole_word: frozenset[str] = frozenset()  # categories whose match is a whole word


@lru_cache(maxsize=1)
def pattern_starts() -> _PatternStarts:
    """Running twelve case-insensitive regexes over the whole text cost more than everything
    else in the markers step; most can only start at a handful of words, so they are tried
    there, in the same pass over the words as the phrases; one that starts with a quotation
    mark is tried at those marks."""
    starts = load_lexicon()["pattern_starts"]
    by_word: dict[str, list] = {}
    digit, prefixes, suffixes, every, anywhere, by_char = [], [], [], [], [], []
    whole_word = {category for category, spec in starts.items()
                  if isinstance(spec, dict) and spec.get("whole_word")}
    for category, rx in compiled_markers():
        spec = starts.get(category)
        if spec is None:
            anywhere.append((category, rx))
            continue
        if "chars" in spec:
            by_char.append((category, rx, spec["chars"]))
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
                          tuple(every), tuple(anywhere), tuple(by_char), frozenset(whole_word))


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


_Regexes = tuple[tuple[str, re.Pattern[str]], ...]
# (regexes to try, categories whose word alone matches: checked against next_free, not)
_Phrases = tuple[_Regexes, tuple[str, ...], tuple[str, ...]]


@lru_cache(maxsize=1)
def _first_words() -> dict[str, tuple[_Phrases, dict[str | None, _Phrases] | None]]:
    """:func:`phrase_index` arranged per ASCII first word so that few regexes are tried:
    ``{word: (phrases, {next word (None: non-ASCII): phrases} or None)}``.

    Nearly every phrase regex tried at a word failed (~300 tries for ~20 matches per
    document). A longer phrase can only match if the text's next word is the phrase's second
    word (only non-word characters separate them), so its regex is tried only then; where
    the word alone is a phrase, it matches as it is (unless an apostrophe follows), and can
    only be inside an earlier match of its category if it is a later word of a phrase.
    Phrases with a non-ASCII character or no second word are always tried by regex, since
    case-insensitive matching folds İ, ı, ſ and the Kelvin sign unlike ``str.lower``.
    """
    groups = _phrase_groups()
    later: dict[str, set[str] | None] = {}  # a category's words after the first (None: any)
    for by_cat in groups.values():
        for category, alts in by_cat.items():
            for p in alts:
                rest = _WORD_RUN.findall(p)[1:]
                if rest and not p.isascii():
                    later[category] = None
                elif later.setdefault(category, set()) is not None:
                    later[category].update(rest)

    def arrange(word: str, regex: list, singles: list) -> _Phrases:
        singles = [c for c in singles if c not in {c for c, _ in regex}]
        checked = [c for c in singles if later[c] is None or word in later[c]]
        return (tuple(regex), tuple(checked), tuple(c for c in singles if c not in checked))

    plans = {}
    for word, entries in phrase_index().items():
        if not word.isascii():
            continue  # only non-ASCII text words can be this word: they take the regexes
        always, singles, seconds = [], [], {}
        for category, rx, _ in entries:
            alts = groups[word][category]
            nexts = [_WORD_RUN.search(p, len(word)) for p in alts - {word}]
            if None in nexts or not all(p.isascii() for p in alts):
                always.append((category, rx))
                continue
            if word in alts:
                singles.append(category)
            for w in {m.group(0) for m in nexts} | ({None} if nexts else set()):
                seconds.setdefault(w, []).append((category, rx))
        by_next = {w: arrange(word, always + tried, singles) for w, tried in seconds.items()}
        plans[word] = (arrange(word, always, singles), by_next or None)
    return plans


class _Plan(NamedTuple):
    """What to try at a word, which depends on its text alone (case included)."""

    singles: tuple[str, ...] | None  # all there is to do, if not None: categories matched
    length: int
    by_next: dict[str | None, _Phrases] | None  # longer phrases: see _first_words
    phrases: _Phrases | None
    patterns: list[tuple[str, re.Pattern[str]]]
    whole_word: tuple[str, ...]  # pattern categories that match the word (``whole_word``)


def _plan(word: str, starts: _PatternStarts) -> _Plan | tuple[()]:
    """:class:`_Plan` of a word; ``()`` if nothing can start there."""
    low = word.lower()
    patterns, whole_word = [], []
    for category, rx in _patterns_at(word, low, starts):
        if category not in starts.whole_word:
            patterns.append((category, rx))
        elif (m := rx.match(word)) and m.end() == len(word) and category not in whole_word:
            whole_word.append(category)  # the same at every occurrence of the word
    if word.isascii():
        phrases, by_next = _first_words().get(low, (None, None))
    elif low in phrase_index():  # by regex, as case-insensitive matching folds differently
        phrases, by_next = (tuple((c, rx) for c, rx, _ in phrase_index()[low]), (), ()), None
    else:
        phrases, by_next = None, None
    if not phrases and not patterns and not whole_word:
        return ()
    simple = (phrases is not None and not phrases[0] and not phrases[1] and not patterns
              and not whole_word)
    return _Plan(phrases[2] if simple else None, len(word), by_next, phrases, patterns,
                 tuple(whole_word))


class _Plans(dict):
    """word -> :func:`_plan`, worked out on first sight."""

    def __init__(self, starts: _PatternStarts):
        super().__init__()
        self.starts = starts

    def __missing__(self, word: str) -> _Plan | tuple[()]:
        plan = self[word] = _plan(word, self.starts)
        return plan


class _NextKeys(dict):
    """word -> its key in a ``by_next`` dictionary: lower-case if ASCII, else None."""

    def __missing__(self, word: str) -> str | None:
        key = self[word] = word.lower() if word.isascii() else None
        return key


_PLANS: _Plans | None = None
_NEXT_KEYS = _NextKeys()
_GROUP = re.Match.group
_START = re.Match.start
_ASCII_IS_WORD = np.array([bool(_WORD_RUN.match(chr(c))) for c in range(128)])
_ASCII_NON_WORD_TO_SPACE = str.maketrans({chr(c): " " for c in range(128)
                                          if not _ASCII_IS_WORD[c]})
# common punctuation outside ASCII; a text with no other non-ASCII character has the same
# word runs as its copy with these replaced by spaces, which can take the fast way
_PUNCTUATION = tuple(c for c in "–—’‘“”…•£€\u00a0" if not _WORD_RUN.match(c))
_APOSTROPHES = "'’"


def _word_runs(text: str) -> tuple[list[str], list[int]]:
    """The ``\\w+`` runs of ``text`` and where they start. Scanning with the regex and making
    a match object per word was a quarter of the time: most texts are split without it."""
    plain = text
    if not plain.isascii():
        for char in _PUNCTUATION:
            plain = plain.replace(char, " ")
        if not plain.isascii():
            runs = list(_WORD_RUN.finditer(text))
            return list(map(_GROUP, runs)), list(map(_START, runs))
    is_word = _ASCII_IS_WORD[np.frombuffer(plain.encode("ascii"), np.uint8)]
    starts = (np.flatnonzero(is_word[1:] > is_word[:-1]) + 1).tolist()
    if is_word[:1].any():
        starts.insert(0, 0)
    return plain.translate(_ASCII_NON_WORD_TO_SPACE).split(), starts


def _positions(text: str, chars: str) -> list[int]:
    """Where any of ``chars`` is in ``text``, in order (``str.find`` is much faster than a
    regex search when the characters are rare)."""
    found = []
    for char in chars:
        at = text.find(char)
        while at >= 0:
            found.append(at)
            at = text.find(char, at + 1)
    if len(chars) > 1:
        found.sort()
    return found


def _find_markers(text: str, starts: _PatternStarts | None = None) -> list[list]:
    """:func:`find_markers`; ``starts`` (for tests) replaces :func:`pattern_starts`.

    One pass over the words where something can start (those with a :class:`_Plan`), with
    as few regexes as possible: most words are one-word phrases (``stopword`` ...).
    """
    global _PLANS
    if starts is not None:
        plans_of = _Plans(starts)
    else:  # the plans depend on the word alone: remember them
        if _PLANS is None or len(_PLANS) > 100_000:
            _PLANS = _Plans(pattern_starts())
        plans_of = _PLANS
        starts = plans_of.starts
    if len(_NEXT_KEYS) > 100_000:
        _NEXT_KEYS.clear()
    next_key = _NEXT_KEYS.__getitem__
    found: list[list] = []
    append = found.append
    next_free: dict[str, int] = {}
    next_pattern: dict[str, int] = {}
    apostrophes = set(_positions(text, _APOSTROPHES))
    words, starts_at = _word_runs(text)
    plans = list(map(plans_of.__getitem__, words))
    words.append("")  # the next word of the last
    for i in compress(range(len(starts_at)), plans):  # the words where something can start
        singles, length, by_next, phrases, patterns, whole_word = plans[i]
        start = starts_at[i]
        if by_next is not None:
            longer = by_next.get(next_key(words[i + 1]))
            if longer is not None:  # the next word can continue a longer phrase
                singles, phrases = None, longer
        if singles is not None:
            end = start + length
            if start - 1 not in apostrophes and end not in apostrophes:
                for category in singles:
                    append([start, end, category])
            continue
        if phrases is not None and start - 1 not in apostrophes:
            regex, checked, unchecked = phrases
            for category, rx in regex:
                if start >= next_free.get(category, 0):
                    m = rx.match(text, start)
                    if m:
                        end = m.end()
                        append([start, end, category])
                        next_free[category] = end
            if checked or unchecked:
                end = start + length
                if end not in apostrophes:
                    for category in unchecked:
                        append([start, end, category])
                    for category in checked:
                        if start >= next_free.get(category, 0):
                            append([start, end, category])
        for category in whole_word:
            append([start, start + length, category])
        # a \b-led pattern can only start where a word does: as finditer, without the search
        for category, rx in patterns:
            if start >= next_pattern.get(category, 0):
                m = rx.match(text, start)
                if m:
                    end = m.end()
                    if end > start:
                        append([start, end, category])
                        next_pattern[category] = end
    for category, rx, chars in starts.by_char:
        next_start = 0
        for start in _positions(text, chars):
            if start >= next_start:
                m = rx.match(text, start)
                if m and m.end() > start:
                    append([start, m.end(), category])
                    next_start = m.end()
    for category, rx in starts.anywhere:
        for m in rx.finditer(text):
            if m.end() > m.start():
                append([m.start(), m.end(), category])
    found.sort()
    return found


def count_markers(doc: Doc, start: int, end: int) -> dict[str, int]:
    """Counts of marker categories fully inside ``[start, end)`` of ``doc.text``."""
    return count_in(doc._.markers or [], start, end)


def count_in(markers: Sequence[list], start: int, end: int) -> dict[str, int]:
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
