"""Fast paths of the segmenter, kind detection and suggestions against plain references.

Each test compares a fast path with a REFERENCE written here (the code as it was before the
speed-up, or the obvious per-item loop), on every corpus text and on generated texts with odd
whitespace, bullets, headings, quotes and abbreviations, tokenized by the shipped pipeline's
tokenizer (with its special cases) and by a blank English one.
"""

from __future__ import annotations

import sys
from bisect import bisect_left, bisect_right
from functools import cache

import numpy
import spacy
from hypothesis import example, given, settings
from hypothesis import strategies as st
from spacy.attrs import IDX, IS_SPACE, LENGTH

from corpus_texts import corpus_texts
from reflectassist import ELEMENTS, GIBBS, GIBBS_STAGES, kinds, segmenter, suggestions
from reflectassist.lexicon import load_lexicon, plain_quotes
from test_fast_paths import (  # the detection before any speed-up
    old_detect_kind,
    old_rarely_first_person,
)


@cache
def pipeline():
    from reflectassist.pipeline import load_pipeline

    return load_pipeline()


@cache
def blank():
    return spacy.blank("en")


def tokenizers():
    """The shipped pipeline's tokenizer (special cases, TextKeepingTokenizer) and a blank one."""
    return (pipeline().tokenizer, blank().tokenizer)


# --------------------------------------------------------------------------- inputs

SPACES = (" ", "  ", "\t", "\n", "\r\n", "\n\n", " \n", "\u00a0", "\u2028", "\u2029", "\u3000",
          "\u2009", "\x0b", "\x0c", "\x1c", "\x85", "\u200b", "")
WORDS = ("Mr.", "Dr.", "e.g.", "i.e.", "etc.", "approx.", "a.m.", "No.", "J.", "A.B.", "ok",
         "the", "went", "home", "Then", "I", "5", "10:30", "ward", "MCA", "NHS", "-", "*", "•",
         "1.", "2)", "a)", "(b)", "#", "##", ">", "Actions:", "ACTIONS", "Feedback", "Targets:",
         "Summary", "Next steps", "Date:", "Reflection", '"', "“", "”", "‘", "’", "'", "(", ")",
         "[", "]", "…", "...", ".", "!", "?", "?!", ":", ";", ",", "é", "É", "İ", "ı",
         "w/c", ":)", "can't", "don't")


def texts(max_size: int = 30) -> st.SearchStrategy[str]:
    return st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SPACES)),
                    max_size=max_size).map(lambda parts: "".join(w + g for w, g in parts))


# --------------------------------------------------------------------------- segmenter


def test_space_table_is_str_isspace_and_nothing_above_is_a_space():
    table = segmenter._space_table()
    assert table.tolist() == [chr(c).isspace() for c in range(segmenter._SPACE_LIMIT + 1)]
    assert not table[segmenter._SPACE_LIMIT]  # larger code points are looked up there
    assert not any(chr(c).isspace() for c in range(segmenter._SPACE_LIMIT, sys.maxunicode + 1))


def test_special_cases_are_all_space_or_none():
    """What _is_space_at rests on: no tokenizer rule makes a token part space, part not."""
    for key in pipeline().tokenizer.rules:
        assert key.isspace() or not any(c.isspace() for c in key), repr(key)


def reference_first_tokens(idx: list[int], space: list[bool], starts: list[int]) -> list[int]:
    """The sentences' first tokens as the segmenter's per-token loop found them: the first
    token, the first non-space one, and each non-space token with a start at or before it
    and after the previous non-space token."""
    flags = [False] * len(idx)
    k, first_content = 0, True
    for i in range(len(idx)):
        if space[i]:
            continue
        boundary = False
        while k < len(starts) and starts[k] <= idx[i]:
            boundary, k = True, k + 1
        if boundary or first_content:
            flags[i] = True
        first_content = False
    flags[0] = True
    return [i for i, f in enumerate(flags) if f]


def reference_rows(doc) -> tuple[list[int], list[list]]:
    """SENT_START flags and rows as the segmenter computed them before: the lexeme attributes
    IS_SPACE and LENGTH read per token, the per-token loop, sentence ends from the last token."""
    text = plain_quotes(segmenter.text_of(doc))
    starts = segmenter.sentence_starts(text, load_lexicon()["abbreviations"])
    attrs = doc.to_array([IDX, IS_SPACE, LENGTH]).astype("int64")
    idx, space, length = attrs[:, 0].tolist(), attrs[:, 1].tolist(), attrs[:, 2].tolist()
    first = reference_first_tokens(idx, space, starts)
    flags = [1 if i in set(first) else -1 for i in range(len(doc))]
    last = [i - 1 for i in first[1:]] + [len(doc) - 1]
    spans = [(idx[f], idx[la] + length[la]) for f, la in zip(first, last, strict=True)]
    return flags, segmenter._sentence_rows(text, spans)


def check_segmenter(text: str) -> None:
    seg = pipeline().get_pipe("reflectassist_segmenter")
    for tokenizer in tokenizers():
        doc = tokenizer(text)
        if not len(doc):
            continue
        idx = doc.to_array(IDX).astype("int64")
        assert segmenter._is_space_at(plain_quotes(segmenter.text_of(doc)), idx).tolist() == \
            doc.to_array(IS_SPACE).astype(bool).tolist(), repr(text)
        flags, rows = reference_rows(doc)
        seg(doc)
        assert [1 if t.is_sent_start else -1 for t in doc] == flags, repr(text)
        assert doc._.sentences == rows, repr(text)


def test_segmenter_on_the_corpus():
    for text in corpus_texts()[::3]:  # a third: the rows test in test_fast_paths reads all
        check_segmenter(text)


@settings(max_examples=400, deadline=None)
@example("\u3000Actions:\u00a0\n- JB to book.\u2028Next time\x85ok")
@example("Seen by Dr. Smith…  Then “Home” 5 pts?!\r\n\r\n# FEEDBACK\n\t(b) ok")
@example(" \n\n")
@given(texts())
def test_segmenter_on_generated_texts(text):
    check_segmenter(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 40), max_size=30), st.lists(st.booleans(), max_size=30),
       st.lists(st.integers(-2, 60), max_size=10))
def test_first_tokens_for_any_starts(gaps, spaces, starts):
    """For each start, the first non-space token at or after it (and the first token, and
    the first non-space one): the per-token loop of reference_rows on any offsets."""
    n = min(len(gaps), len(spaces))
    if not n:
        return
    idx = numpy.cumsum(numpy.array(gaps[:n], dtype="int64") + 1) - 1
    is_space = numpy.array(spaces[:n], dtype=bool)
    starts = sorted(starts)
    expected = reference_first_tokens(idx.tolist(), is_space.tolist(), starts)
    assert segmenter._first_tokens(idx, is_space, starts).tolist() == expected


# --------------------------------------------------------------------------- kinds


def check_kind(text: str) -> None:
    low = text.lower()
    runs = kinds.WORD_RUN.findall(low)
    pieces = kinds._ascii_runs(low)
    if low.isascii():
        assert [p.decode() for p in pieces] == runs, repr(text)
    else:  # every \w run of ASCII characters is among the pieces
        assert {r.encode() for r in runs if r.isascii()} <= set(pieces), repr(text)
    assert kinds._rarely_first_person(text, pieces) == old_rarely_first_person(text), repr(text)
    assert kinds.detect_kind(text) == old_detect_kind(text), repr(text)


def test_kinds_on_the_corpus():
    for text in corpus_texts():
        check_kind(text)


KIND_WORDS = tuple(p for kind, ps in kinds.load_data("kinds").items() if not kind.startswith("_")
                   for p in ps) + ("I", "i", "me", "My", "MYSELF", "myſelf", "İ", "ı", "\u212a",
                                   "_my", "my2", "JB", "AB said", "it's", "café", "naïve")


@settings(max_examples=400, deadline=None)
@example("Supervision–notes: we discussed İ felt\ud800", 0)
@example("my my my essay", 120)
@given(st.lists(st.tuples(st.sampled_from(KIND_WORDS + WORDS), st.sampled_from(SPACES)),
                max_size=30).map(lambda parts: "".join(w + g for w, g in parts)),
       st.integers(0, 300))
def test_kinds_on_generated_texts(text, filler):
    check_kind(text + " word" * filler)  # filler brings the first-person rate near 1%


# --------------------------------------------------------------------------- suggestions


def old_stages_present(rows, elems, targets, markers, min_prob=0.3) -> dict[str, list[int]]:
    """stages_present as it was (the stages sorted by GIBBS_STAGES.index)."""
    row_starts = [r[0] for r in rows]
    planned = {bisect_right(row_starts, t["start"]) - 1 for t in targets}
    cues = [m for m in markers if m[2] in suggestions.CUE_STAGES]
    cue_starts = [m[0] for m in cues]
    present: dict[str, list[int]] = {}
    for i, e in enumerate(elems):
        if rows[i][3]:
            continue
        stages = {GIBBS.get(e[0])}
        stages.update(stage for j, stage in suggestions.ELEMENT_STAGES if e[1][j] >= min_prob)
        start, end = rows[i][0], rows[i][1]
        for k in range(bisect_left(cue_starts, start), len(cues)):
            m_start, m_end, category = cues[k]
            if m_start >= end:
                break
            if m_end <= end:
                stages.update(suggestions.CUE_STAGES[category])
        if i in planned:
            stages.add("action plan")
        stages.discard(None)
        for s in sorted(stages, key=GIBBS_STAGES.index):
            present.setdefault(s, []).append(i)
    return present


def test_every_stage_is_a_gibbs_stage():
    """What iterating GIBBS_STAGES instead of sorting rests on."""
    stages = set(GIBBS.values()) | {s for ss in suggestions.CUE_STAGES.values() for s in ss}
    assert stages - {None} <= set(GIBBS_STAGES) and "action plan" in GIBBS_STAGES


CATEGORIES = sorted(suggestions.CUE_STAGES) + ["first_person", "hedge", "causal"]


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_stages_present_on_generated_sentences(data):
    bounds = sorted(data.draw(st.sets(st.integers(0, 200), max_size=12)))
    rows = [[s, e, "other", data.draw(st.booleans())]
            for s, e in zip(bounds, bounds[1:], strict=False)]
    probs = st.lists(st.sampled_from([0.0, 0.1, 0.29, 0.3, 0.31, 0.9]), min_size=len(ELEMENTS),
                     max_size=len(ELEMENTS))
    elems = [[data.draw(st.sampled_from(ELEMENTS)), data.draw(probs), data.draw(st.booleans())]
             for _ in rows]
    markers = []
    for s in data.draw(st.lists(st.integers(0, 210), max_size=20)):
        # ends anywhere, or exactly at a sentence's end
        end = st.one_of(st.integers(s + 1, s + 30),
                        st.sampled_from([b for b in bounds if b > s] or [s + 1]))
        markers.append([s, data.draw(end), data.draw(st.sampled_from(CATEGORIES))])
    markers.sort()
    targets = [{"start": s} for s in data.draw(st.lists(st.integers(0, 210), max_size=3))]
    # as item lists: the order in which the stages are first found is kept too
    assert list(suggestions.stages_present(rows, elems, targets, markers).items()) == \
        list(old_stages_present(rows, elems, targets, markers).items())


def test_stages_present_on_analysed_corpus_texts():
    nlp = pipeline()
    for doc in nlp.pipe(corpus_texts()[::40]):
        u = doc._
        values = (u.sentences or [], u.elements or [], u.targets or [], u.markers or [])
        assert list(suggestions.stages_present(*values).items()) == \
            list(old_stages_present(*values).items())
