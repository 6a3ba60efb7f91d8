"""``PartMarkers`` (a part's markers taken from its text's markers) against the code it
replaces, ``shared_markers`` of the part's own string: the same on every line and sentence
of every corpus text, on generated texts cut at every kind of place, and the rules it relies
on (the lexicon's assertions) checked, so a new pattern that reads further fails here.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from corpus_texts import corpus_texts
from reflectassist import markers
from reflectassist.lexicon import load_lexicon, plain_quotes
from reflectassist.markers import PartMarkers, count_in, find_markers, shared_markers
from test_fast_paths_markers import marker_texts


class CountingParts(PartMarkers):
    """PartMarkers counting how often it falls back to ``shared_markers``."""

    fallbacks = 0

    def __call__(self, start: int, end: int) -> tuple[list, ...]:
        kept = markers.shared_markers

        def counted(text: str) -> tuple[list, ...]:
            CountingParts.fallbacks += 1
            return kept(text)

        markers.shared_markers = counted
        try:
            return super().__call__(start, end)
        finally:
            markers.shared_markers = kept


def check(text: str, spans: list[tuple[int, int]], doc_markers: list | None = None) -> None:
    parts = CountingParts(text, find_markers(text) if doc_markers is None else doc_markers)
    for s, e in spans:
        own = shared_markers(text[s:e])
        assert parts(s, e) == own, (text[s:e][:120], s, e)
        if parts.exact(s, e):  # the text's markers count as the part's own
            assert count_in(parts.markers, s, e) == count_in(own, 0, e - s), (s, e)


def _lines(text: str) -> list[tuple[int, int]]:
    spans, at = [], 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped:
            s = at + line.index(stripped[0])
            spans.append((s, s + len(stripped)))
        at += len(line)
    return spans


# --------------------------------------------------------------------------- the rules


def _assertions(items, found: list) -> None:
    """Every assertion (AT code, lookaround) in a parsed regex."""
    from re import _constants as C

    for op, av in items:
        if op is C.AT:
            found.append(("at", av))
        elif op in (C.ASSERT, C.ASSERT_NOT):
            found.append((op, av[0], str(av[1])))
            _assertions(av[1], found)
        elif op is C.BRANCH:
            for p in av[1]:
                _assertions(p, found)
        elif op is C.SUBPATTERN:
            _assertions(av[3], found)
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
            _assertions(av[2], found)
        elif op is getattr(C, "ATOMIC_GROUP", None):
            _assertions(av, found)


def test_the_lexicon_looks_one_character_past_a_part_at_most():
    """PartMarkers is exact because every assertion of the lexicon's regexes is ``\\b`` or
    a one-character look at a word character or apostrophe (see its docstring); this fails
    if a pattern gains another kind (``$``, ``(?=\\s+\\d)``, ``\\B`` ...)."""
    from re import _constants as C
    from re import _parser

    def parsed(source: str):
        return _parser.parse(source, re.IGNORECASE)

    allowed = {("at", C.AT_BOUNDARY),
               (C.ASSERT_NOT, 1, str(parsed(r"\w"))),  # (?!\w)
               (C.ASSERT_NOT, -1, str(parsed(r"\w"))),  # (?<!\w)
               (C.ASSERT_NOT, 1, str(parsed(markers._BOUNDARY_AFTER[3:-1])))}
    sources = list(load_lexicon()["patterns"].values())
    sources += [rx.pattern for entries in markers.phrase_index().values()
                for _, rx, _ in entries]
    for source in sources:
        found: list = []
        _assertions(parsed(source), found)
        assert set(found) <= allowed, (source[:80], set(found) - allowed)
    # the check sees what it must not allow
    for bad in (r"\d+$", r"a(?=\s+b)", r"\Bx", r"x(?!\s)"):
        found = []
        _assertions(parsed(bad), found)
        assert not set(found) <= allowed, bad


def test_edge_characters_are_word_characters_and_apostrophes():
    for c in ("a", "Z", "7", "_", "é", "'", "’", "‘", "\u02bc"):
        assert markers._EDGE_SENSITIVE.match(plain_quotes(c)), c
    for c in (" ", "\n", ".", ",", '"', "“", "”", "-", "(", "\u00a0", "?"):
        assert not markers._EDGE_SENSITIVE.match(plain_quotes(c)), c


# --------------------------------------------------------------------------- the corpus


@pytest.fixture(scope="module")
def sentence_docs(nlp):
    """Every corpus text with its sentences (the segmenter's rows) and markers."""
    texts = corpus_texts()
    with nlp.select_pipes(enable=["reflectassist_segmenter", "reflectassist_markers"]):
        docs = list(nlp.pipe(texts, batch_size=64))
    return [(text, [(r[0], r[1]) for r in doc._.sentences or []], doc._.markers)
            for text, doc in zip(texts, docs, strict=True)]


def test_every_corpus_line_and_sentence(sentence_docs):
    CountingParts.fallbacks = 0
    n = 0
    for text, sentences, doc_markers in sentence_docs:
        assert doc_markers == find_markers(text)
        spans = _lines(text) + sentences + [(0, len(text))]
        check(text, spans, doc_markers)
        n += len(spans)
    assert n > 30_000
    assert CountingParts.fallbacks < n / 20  # the fast path is the usual one
    assert CountingParts.fallbacks > 0  # and the fallback is tried


def test_corpus_spans_cut_anywhere():
    """Spans starting or ending inside words, at apostrophes or inside matches."""
    for text in corpus_texts()[::11]:
        text = text[:600]
        check(text, [(s, e) for s in range(0, len(text), 7)
                     for e in range(s, min(len(text), s + 90) + 1, 13)])


# --------------------------------------------------------------------------- generated

_CUT = st.integers(0, 400)


@settings(max_examples=400, deadline=None)
@given(marker_texts(), _CUT, _CUT)
@example("I will act as soon as possible.", 0, 18)
@example("He said 'I don't know' to me", 9, 27)
@example("I'll plan it", 1, 12)
@example("don't stop", 0, 3)
@example("The “quote is here” and “there”", 11, 31)
@example("lessons learnt", 0, 7)
@example("5 percent", 0, 1)
@example("Mr Smith", 0, 2)
@example("", 0, 0)
def test_generated_parts(text, a, b):
    s, e = sorted((min(a, len(text)), min(b, len(text))))
    check(text, [(s, e), (0, e), (s, len(text))])


def test_the_comparison_can_fail():
    """Shifting the text's markers without the conditions gives other markers than the
    part's own: a phrase crossing the end, a word cut at the start, a quote crossing the
    start, an apostrophe after the end."""
    for text, s, e in [("I will act as soon as possible.", 0, 18),
                       ("I felt unhappy.", 9, 14),
                       ('He said "do it now" then "go"', 12, 29),
                       ("can't stop", 0, 3)]:
        doc_markers = find_markers(text)
        naive = tuple([a - s, b - s, c] for a, b, c in doc_markers if a >= s and b <= e)
        assert naive != shared_markers(text[s:e]), text
        assert PartMarkers(text, doc_markers)(s, e) == shared_markers(text[s:e]), text


def test_pipeline_comments_and_targets_score_as_with_their_own_markers(nlp, monkeypatch):
    """The feedback scorer and the SMART scorer take each comment's and target's markers
    from the Doc's (PartMarkers): every comment and target of the corpus's notes is scored
    exactly as when each one's markers are found anew from its own text."""
    texts = [t for t in corpus_texts() if "target" in t.lower() or "feedback" in t.lower()]
    assert len(texts) > 100
    fast = [(d._.feedback, d._.targets) for d in nlp.pipe(texts)]
    assert sum(len(f) for f, _ in fast) > 100 and sum(len(t) for _, t in fast) > 100
    monkeypatch.setattr(PartMarkers, "exact", lambda self, start, end: False)
    shared_markers.cache_clear()
    slow = [(d._.feedback, d._.targets) for d in nlp.pipe(texts)]
    assert fast == slow


def test_a_text_whose_markers_were_not_found_has_each_part_found_anew():
    """No markers (a pipeline without the markers component) is not "no markers found":
    every part's markers are found from its own text."""
    text = "Review by Friday. Book the course."
    parts = PartMarkers(text, None)
    assert not parts.exact(0, 17)
    assert parts(0, 17) == shared_markers(text[:17]) != ()
    assert PartMarkers(text, [])(0, 17) == ()  # found, and none: nothing to take
