"""The markers step's word loop and apostrophe rules against the code they replace.

``_find_markers`` walks (plan, start, next word's key) with one zip instead of three index
look-ups per word and places out-of-order markers inline, and ``_next_to_apostrophes`` makes
the changed _Work directly (``_cut``) instead of with ``NamedTuple._replace``; PartMarkers
bisects once per part, reads each marker once and remembers which characters are edge
sensitive. The REFERENCE versions below are the code as it was before; the markers ones read
the same plans (their making is unchanged), so any difference is the loop's. They are
compared on every corpus text and line and on generated texts full of apostrophes of both
kinds, quotes, dashes, non-ASCII letters and look-alikes, and on the empty string.
"""

from __future__ import annotations

import bisect
import random
from itertools import compress
from operator import itemgetter

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from corpus_texts import corpus_texts
from reflectassist import markers
from reflectassist.lexicon import plain_quotes, positions
from reflectassist.markers import (
    _APOSTROPHES,
    _EDGE_SENSITIVE,
    PartMarkers,
    _find_markers,
    _lower_keys,
    _next_to_apostrophes,
    _Plans,
    _runs,
    find_markers,
    pattern_starts,
    shared_markers,
)
from test_fast_paths_markers import marker_texts
from test_fast_paths_markers2 import _lines

# --------------------------------------------------------------------------- reference


def reference_next_to_apostrophes(plans: list, words: list[str], keys: list,
                                  starts_at: list[int], apostrophes: list[int]) -> None:
    """REFERENCE ``_next_to_apostrophes`` (with ``_replace``)."""
    for at in apostrophes:
        first = bisect.bisect_left(starts_at, at)
        for i, after in ((first, True), (first - 1, False)):
            if (not 0 <= i < len(starts_at) or not plans[i]
                    or (starts_at[i] != at + 1 if after else starts_at[i] + len(words[i]) != at)):
                continue
            _, length, by_next, work = plans[i]
            if by_next is not None:
                work = by_next.get(keys[i + 1], work)
            if work is not None:
                regex = () if after else work.regex
                work = work._replace(fixed=work.whole_word, checked=(), regex=regex)
            plans[i] = (None, length, None, work) if work is not None else ()


def _plans() -> tuple[_Plans, _Plans]:
    if markers._PLANS is None:
        find_markers("")
    return markers._PLANS


def reference_find_markers(text: str) -> list[list]:
    """REFERENCE ``find_markers``: the word loop with index look-ups and ``place``."""
    text = plain_quotes(text)
    plans_by_case = _plans()
    starts = plans_by_case[0].starts
    words, starts_at, lowered = _runs(text, plans_by_case[1].lower)
    plans = list(map(plans_by_case[lowered].__getitem__, words))
    subjects = (text, text.lower() if lowered else text)
    keys = words if lowered else [w.lower() if w.isascii() else None for w in words]
    keys.append("")
    apostrophes = positions(text, _APOSTROPHES)
    if apostrophes:
        reference_next_to_apostrophes(plans, words, keys, starts_at, apostrophes)
    found: list[list] = []
    append = found.append
    later: list[list] = []

    def place(marker: list) -> None:
        (later if found and marker < found[-1] else found).append(marker)

    next_free: dict[str, int] = {}
    next_pattern: dict[str, int] = {}
    for i in compress(range(len(starts_at)), plans):
        single, length, by_next, work = plans[i]
        start = starts_at[i]
        if by_next is not None:
            longer = by_next.get(keys[i + 1])
            if longer is not None:
                single, work = None, longer
        if single is not None:
            append([start, start + length, single])
            continue
        if work is None:
            continue
        fixed, checked, regex, patterns, _ = work
        end = start + length
        for category in fixed:
            append([start, end, category])
        for category in checked:
            if start >= next_free.get(category, 0):
                place([start, end, category])
        for category, rx, subject in regex:
            if start >= next_free.get(category, 0):
                m = rx.match(subjects[subject], start)
                if m:
                    next_free[category] = end = m.end()
                    place([start, end, category])
        for category, rx, subject in patterns:
            if start >= next_pattern.get(category, 0):
                m = rx.match(subjects[subject], start)
                if m:
                    end = m.end()
                    if end > start:
                        next_pattern[category] = end
                        place([start, end, category])
    for category, rx, chars in starts.by_char:
        next_start = 0
        for start in positions(text, chars):
            if start >= next_start:
                m = rx.match(text, start)
                if m and m.end() > start:
                    later.append([start, m.end(), category])
                    next_start = m.end()
    for category, rx in starts.anywhere:
        for m in rx.finditer(text):
            if m.end() > m.start():
                later.append([m.start(), m.end(), category])
    if len(later) > 8:
        found += later
        found.sort()
    else:
        for marker in later:
            bisect.insort(found, marker)
    return found


class ReferencePartMarkers:
    """REFERENCE PartMarkers: the edge regex per call, four bisections per part."""

    def __init__(self, text: str, markers: list | None) -> None:
        self.text, self.markers = text, markers
        self._upto, self._reach = 0, 0

    def exact(self, start: int, end: int) -> bool:
        text, markers = self.text, self.markers
        if markers is None:
            return False
        if ((start > 0 and _EDGE_SENSITIVE.match(plain_quotes(text[start - 1])))
                or (end < len(text) and _EDGE_SENSITIVE.match(plain_quotes(text[end])))):
            return False
        first = bisect.bisect_left(markers, [start])
        if first < self._upto:
            self._upto, self._reach = 0, 0
        self._reach = max(self._reach, max(map(itemgetter(1), markers[self._upto:first]),
                                           default=0))
        self._upto = first
        return self._reach <= start and max(
            map(itemgetter(1), markers[first:bisect.bisect_left(markers, [end], first)]),
            default=0) <= end

    def __call__(self, start: int, end: int) -> tuple[list, ...]:
        if not self.exact(start, end):
            return shared_markers(self.text[start:end])
        markers = self.markers
        return tuple([s - start, e - start, category] for s, e, category in
                     markers[bisect.bisect_left(markers, [start]):
                             bisect.bisect_left(markers, [end])])


def check_parts(text: str, spans: list[tuple[int, int]], found: list | None = None) -> None:
    """The same answers, exact() and __call__ interleaved, spans in the order given."""
    found = find_markers(text) if found is None else found
    new, old = PartMarkers(text, found), ReferencePartMarkers(text, found)
    for k, (s, e) in enumerate(spans):
        if k % 3 == 1:
            assert new.exact(s, e) == old.exact(s, e), (text[s:e][:120], s, e)
        assert new(s, e) == old(s, e), (text[s:e][:120], s, e)


def check(text: str) -> None:
    expected = reference_find_markers(text)
    assert find_markers(text) == expected, text[:120]
    assert shared_markers(text) == tuple(expected), text[:120]
    # plans made anew (as past 100,000 words) give the same
    starts = pattern_starts()
    assert _find_markers(plain_quotes(text), starts) == expected, text[:120]


def check_apostrophes(text: str) -> None:
    """Both apostrophe rules give equal plans on ``text`` (both cases' plans)."""
    text = plain_quotes(text)
    apostrophes = positions(text, _APOSTROPHES)
    for by_case in (_plans(), (_Plans(pattern_starts(), False),
                               _Plans(pattern_starts(), _lower_keys(pattern_starts())))):
        words, starts_at, lowered = _runs(text, by_case[1].lower)
        plans = list(map(by_case[lowered].__getitem__, words))
        keys = list(words) if lowered else [w.lower() if w.isascii() else None for w in words]
        keys.append("")
        new, old = list(plans), list(plans)
        _next_to_apostrophes(new, words, keys, starts_at, apostrophes)
        reference_next_to_apostrophes(old, words, keys, starts_at, apostrophes)
        assert new == old, text[:120]


# --------------------------------------------------------------------------- tests


def test_corpus_markers_match_the_reference():
    texts = corpus_texts()
    assert len(texts) > 3000
    for text in texts:
        expected = reference_find_markers(text)
        assert find_markers(text) == expected, text[:120]


def test_corpus_lines_match_the_reference():
    """Short texts (targets and comments take ``shared_markers`` of such)."""
    for text in corpus_texts()[::2]:
        for line in text.splitlines()[:15]:
            check(line)


def test_corpus_apostrophe_plans_match_the_reference():
    texts = [t for t in corpus_texts() if "'" in t or "’" in t]
    assert len(texts) > 500
    for text in texts[::3]:
        check_apostrophes(text)


def test_corpus_parts_match_the_reference():
    """Lines in order, then out of order (the reach starts again), then sentences."""
    rng = random.Random(7)
    for text in corpus_texts()[::2]:
        lines = _lines(text)
        check_parts(text, lines)
        check_parts(text, rng.sample(lines, len(lines)))
        sentences, at = [], 0
        for piece in text.split(". "):
            sentences.append((at, at + len(piece)))
            at += len(piece) + 2
        check_parts(text, sentences)
    check_parts("a b", [(0, 1)], None)


_WORDS = ["I", "i", "don", "t", "s", "ll", "I'm", "I’d", "don't", "it's", "can’t", "'tis",
          "think", "feel", "as", "a", "result", "in", "by", "next", "week", "March", "12",
          "3rd", "9am", "twice", "every", "Mr", "bed4", "reviewed", "lessons", "learnt",
          "was", "said", "worked", "café", "schön", "İn", "ſaid", "\u212aeep", "ı", "naïve",
          "Zoë's", "the", "end", "of", "plan", "to", "will", "need", "patients'", "o'clock"]
_GAPS = [" ", " ", "", "'", "’", "‘", "“", "”", '"', "-", "–", "—", "…", ", ", ". ", "?",
         "\n", "\u00a0", "/", "'s ", "’s ", " '", "' ", "(", ")"]


@st.composite
def apostrophe_texts(draw) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 16))):
        word = draw(st.sampled_from(_WORDS))
        style = draw(st.sampled_from(["as", "as", "upper", "title"]))
        if style == "upper":
            word = word.upper()
        elif style == "title":
            word = word.title()
        parts.append(word + draw(st.sampled_from(_GAPS)))
    return "".join(parts)


_ALPHABET = st.sampled_from(list("aIit sdnm'’‘“”\"-–—…?.\n 3ſİéü\u212a\u00a0"))


@settings(max_examples=500, deadline=None)
@given(st.one_of(apostrophe_texts(), marker_texts(), st.text(_ALPHABET, max_size=40),
                 st.text(max_size=30)))
@example("")
@example("'")
@example("’’")
@example("I'd say I’m not sure I'll manage, don't you think?")
@example("'in' by 'next' week' ’s")
@example("Zoë's ‘quoted’ “thing” — in the end – I’d")
@example("i'")
@example("'i")
def test_generated_texts_match_the_reference(text):
    check(text)
    check_apostrophes(text)


@settings(max_examples=300, deadline=None)
@given(apostrophe_texts(), st.lists(st.tuples(st.integers(0, 200), st.integers(0, 200)),
                                    max_size=12), st.booleans())
@example("", [(0, 0)], False)
@example("I'd say I’m in the end", [(0, 3), (4, 22), (0, 22), (5, 9)], False)
def test_generated_parts_match_the_reference(text, cuts, without_markers):
    spans = [(min(a, b, len(text)), min(max(a, b), len(text))) for a, b in cuts]
    check_parts(text, spans, [] if without_markers else None)
    new, old = PartMarkers(text, None), ReferencePartMarkers(text, None)
    for s, e in spans:
        assert new(s, e) == old(s, e)


def test_the_parts_comparison_can_fail(monkeypatch):
    """A PartMarkers whose edge test lets a cut word through differs, and is seen."""
    text = "I thinking hard"
    spans = [(0, 7)]  # "I think" has a belief_cue of its own
    check_parts(text, spans)
    monkeypatch.setattr(markers, "_edge_sensitive", lambda char: False)
    with pytest.raises(AssertionError):
        check_parts(text, spans)


@pytest.mark.parametrize("text", ["I'd say I think so.", "I’ll try; don't know."])
def test_the_comparison_can_fail(text, monkeypatch):
    """A _cut that keeps one-word phrases next to an apostrophe ("I" of "I'd") finds
    markers the reference does not, and the comparison sees it."""
    expected = reference_find_markers(text)

    def keeps_phrases(plan, next_key, after):
        return plan

    monkeypatch.setattr(markers, "_cut", keeps_phrases)
    assert _find_markers(plain_quotes(text), pattern_starts()) != expected
