"""Fast paths of the markers step against the code they replace.

REFERENCE code here is ``markers.py`` as it was before the speed-ups: every phrase regex
compiled up front (``phrase_index``), the plans of ``_first_words`` built from those, and
the phrase regexes of a lower-cased text matched by their lower-case twins. The new code
compiles a phrase regex when first wanted and matches phrase regexes as they are; the
markers must be the same on every corpus text and on generated texts mixing lexicon phrases
(in every case, with the non-ASCII look-alikes İ, ı, ſ and the Kelvin sign), patterns,
apostrophes of both kinds and assorted gaps.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from hypothesis import example, given, settings
from hypothesis import strategies as st

from corpus_texts import corpus_texts
from reflectassist import markers
from reflectassist.lexicon import alternation, plain_quotes
from reflectassist.markers import (
    _BOUNDARY_AFTER,
    _WORD_RUN,
    _find_markers,
    _first_words,
    _lower_keys,
    _lower_twin,
    _patterns_at,
    _phrase_groups,
    _Plan,
    _Plans,
    _Work,
    find_markers,
    pattern_starts,
    phrase_index,
    shared_markers,
)

# --------------------------------------------------------------------------- reference


@cache
def reference_phrase_index() -> dict[str, tuple[tuple[str, re.Pattern[str], bool], ...]]:
    """REFERENCE: every phrase regex compiled up front."""
    return {word: tuple((category, re.compile(rf"(?:{alternation(alts)}){_BOUNDARY_AFTER}",
                                              re.IGNORECASE), alts == {word})
                        for category, alts in by_cat.items())
            for word, by_cat in _phrase_groups().items()}


@cache
def reference_first_words() -> dict:
    """REFERENCE: ``_first_words`` built from :func:`reference_phrase_index`."""
    groups = _phrase_groups()
    later: dict[str, set[str] | None] = {}
    for by_cat in groups.values():
        for category, alts in by_cat.items():
            for p in alts:
                rest = _WORD_RUN.findall(p)[1:]
                if rest and not p.isascii():
                    later[category] = None
                elif later.setdefault(category, set()) is not None:
                    later[category].update(rest)

    def arrange(word: str, regex: list, singles: list) -> tuple:
        singles = [c for c in singles if c not in {c for c, _ in regex}]
        checked = [c for c in singles if later[c] is None or word in later[c]]
        return (tuple(regex), tuple(checked), tuple(c for c in singles if c not in checked))

    plans = {}
    for word, entries in reference_phrase_index().items():
        if not word.isascii():
            continue
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


def reference_plan(word: str, starts: markers._PatternStarts, lower: bool) -> _Plan | tuple:
    """REFERENCE ``_plan``: phrase regexes (of :func:`reference_first_words`) matched by
    their lower-case twins in lower-cased texts, like the patterns."""
    low = word.lower()
    patterns, whole_word = [], []
    for category, rx in _patterns_at(word, low, starts):
        if category not in starts.whole_word:
            patterns.append((category, rx))
        elif (m := rx.match(word)) and m.end() == len(word) and category not in whole_word:
            whole_word.append(category)
    if word.isascii():
        phrases, by_next = reference_first_words().get(low, (None, None))
    elif low in reference_phrase_index():
        phrases = (tuple((c, rx) for c, rx, _ in reference_phrase_index()[low]), (), ())
        by_next = None
    else:
        phrases, by_next = None, None
    if not phrases and not patterns and not whole_word:
        return ()

    def tries(regexes) -> tuple:
        return tuple((c, twin, 1) if lower and (twin := _lower_twin(rx)) else (c, rx, 0)
                     for c, rx in regexes)

    def work(phrases) -> _Work:
        regex, checked, unchecked = phrases or ((), (), ())
        return _Work(tuple(sorted(unchecked + tuple(whole_word))), checked, tries(regex),
                     tries(patterns), tuple(whole_word))

    if by_next is not None:
        by_next = {w: work(longer) for w, longer in by_next.items()}
    if (phrases is not None and not phrases[0] and not phrases[1] and not patterns
            and not whole_word and len(phrases[2]) <= 1):
        return _Plan(phrases[2][0] if phrases[2] else None, len(word), by_next, None)
    return _Plan(None, len(word), by_next, work(phrases))


class _ReferencePlans(_Plans):
    def __missing__(self, word: str) -> _Plan | tuple:
        plan = self[word] = reference_plan(word, self.starts, self.lower)
        return plan


@cache
def reference_plans() -> tuple[_Plans, _Plans]:
    starts = pattern_starts()
    return _ReferencePlans(starts, False), _ReferencePlans(starts, _lower_keys(starts))


@contextmanager
def plans(by_case: tuple[_Plans, _Plans]) -> Iterator[None]:
    """``_find_markers`` with ``by_case`` as its remembered plans (and not plans it made
    anew, as it does past 100,000 words)."""
    kept = markers._PLANS
    markers._PLANS = by_case
    try:
        yield
        assert markers._PLANS is by_case
    finally:
        markers._PLANS = kept


def reference_markers(text: str) -> list[list]:
    """REFERENCE ``find_markers``."""
    with plans(reference_plans()):
        return _find_markers(plain_quotes(text))


def check(text: str) -> None:
    expected = reference_markers(text)
    assert find_markers(text) == expected, text[:120]
    with plans((_Plans(pattern_starts(), False),
                _Plans(pattern_starts(), _lower_keys(pattern_starts())))):  # plans made anew
        assert find_markers(text) == expected, text[:120]
    assert shared_markers(text) == tuple(expected), text[:120]


# --------------------------------------------------------------------------- tests


def test_the_lazy_phrase_regexes_are_the_ones_compiled_up_front():
    assert phrase_index() == reference_phrase_index()  # regexes compare by source and flags


def test_first_words_are_built_as_before():
    assert _first_words() == reference_first_words()


def test_phrase_regexes_are_the_only_change_to_the_plans():
    """New plans differ from the reference only by phrase regexes matched as they are."""
    starts = pattern_starts()
    words = {w for t in corpus_texts()[::7] for w in _WORD_RUN.findall(t)}
    words |= {w.lower() for w in words} | set(_phrase_groups())
    for word in sorted(words):
        for lower in (False, True):
            new, old = markers._plan(word, starts, lower), reference_plan(word, starts, lower)
            if not old:
                assert new == old, word
                continue
            works = [(new.work, old.work)]
            assert new.by_next is None if old.by_next is None else \
                new.by_next.keys() == old.by_next.keys(), word
            works += [(new.by_next[k], old.by_next[k]) for k in old.by_next or {}]
            assert new[:2] == old[:2], word
            for n, o in works:
                if o is None:
                    assert n is None, word
                    continue
                assert n._replace(regex=()) == o._replace(regex=()), word
                assert len(n.regex) == len(o.regex), word
                for (c, rx, subject), (oc, orx, osubject) in zip(n.regex, o.regex, strict=True):
                    assert c == oc and subject == 0, word
                    assert orx == (rx if osubject == 0 else _lower_twin(rx)), word


def test_corpus_markers_match_the_reference():
    texts = corpus_texts()
    assert len(texts) > 3000
    for text in texts:
        assert find_markers(text) == reference_markers(text), text[:120]


def test_corpus_pieces_match_the_reference():
    """Short texts, as the targets and comments that ``shared_markers`` is called on."""
    for text in corpus_texts()[::3]:
        for line in text.splitlines()[:12]:
            check(line)


def _phrases_with_more_words() -> list[str]:
    groups = _phrase_groups()
    return sorted({p for by_cat in groups.values() for alts in by_cat.values() for p in alts
                   if len(_WORD_RUN.findall(p)) > 1})


_LOOKALIKES = str.maketrans({"i": "İ", "s": "ſ", "k": "\u212a"})
_PHRASES = _phrases_with_more_words()
_WORDS = ["in", "by", "next", "week", "the", "of", "March", "12", "3rd", "9am", "twice",
          "every", "Mr", "bed4", "reviewed", "lessons", "learnt", "was", "said", "worked",
          "don't", "I'll", "I’ll", "“quote”", "'in'", "?", "café", "schön", "İn", "ſaid",
          "\u212aeep", "ı", "think", "feel", "plan", "as", "a", "result"]
_GAPS = [" ", " ", " ", "", "  ", "\n", "-", ",", ". ", "'", "’", "/", "\u00a0", "–", "“"]


@st.composite
def marker_texts(draw) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 14))):
        if draw(st.booleans()):
            piece = draw(st.sampled_from(_PHRASES))
            style = draw(st.sampled_from(["as", "upper", "title", "lookalike", "cut"]))
            if style == "upper":
                piece = piece.upper()
            elif style == "title":
                piece = piece.title()
            elif style == "lookalike":
                piece = piece.translate(_LOOKALIKES)
            elif style == "cut":
                piece = piece[:draw(st.integers(1, len(piece)))]
        else:
            piece = draw(st.sampled_from(_WORDS))
        parts.append(piece + draw(st.sampled_from(_GAPS)))
    return "".join(parts)


@settings(max_examples=400, deadline=None)
@given(marker_texts())
@example("As a result of the review in March I'll aim to as soon as possible.")
@example("AS A RESULT, aim to… as a resulT")
@example("aſ a reſult: İn the end \u212aeep")
@example("as a")
@example("")
def test_generated_texts_match_the_reference(text):
    check(text)


def test_the_comparison_can_fail():
    """Plans that lose the phrase regexes at "as" miss "as soon as possible", and the
    comparison with the reference sees it."""
    text = "I will act as soon as possible."
    expected = reference_markers(text)
    starts = pattern_starts()
    cut = _ReferencePlans(starts, _lower_keys(starts))
    plan = cut["as"]
    cut["as"] = plan._replace(by_next={k: w._replace(regex=()) for k, w in plan.by_next.items()})
    with plans((_ReferencePlans(starts, False), cut)):
        assert _find_markers(text) != expected
