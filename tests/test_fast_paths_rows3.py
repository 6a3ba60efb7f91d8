"""Third round of fast paths in the sentence rows and the components that read them, against
the code they replace.

REFERENCES (the code as it was): ``sentence_counts`` walking the sorted markers one by one
(``count_in`` per row when rows overlap); ``stages_present`` bisecting the Doc's cue markers
for every sentence instead of reading the sentence counts the Doc's ``SentenceFeatures``
hold; ``people.initials`` trying ``INITIALS_RE`` where two capitals start;
``person_features`` searching a possessive of the supervisee whether or not the sentence
names them; the element and detection rows made plain by ``make_rows`` from the texts as
written (now ``SentenceFeatures`` makes them plain once); the element tagger reading each
Doc's markers, sentences and features again for the buzz flags. They run on every corpus
text and on generated texts.
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from corpus_texts import corpus_texts
from reflectassist import ELEMENTS, GIBBS, GIBBS_STAGES, elements, feedback, people, suggestions
from reflectassist.features import (
    SentenceFeatures,
    make_rows,
    plain_rows,
    sentence_counts,
    sentence_features,
)
from reflectassist.lexicon import plain_quotes
from reflectassist.markers import count_in
from reflectassist.segmenter import text_of

# --------------------------------------------------------------------------- references


def ref_sentence_counts(markers, rows) -> list[dict[str, int]]:
    """features.sentence_counts as it was."""
    if any(rows[i][0] < rows[i - 1][1] for i in range(1, len(rows))):
        return [count_in(markers, r[0], r[1]) for r in rows]
    out: list[dict[str, int]] = []
    j, n = 0, len(markers)
    for row in rows:
        start, end = row[0], row[1]
        while j < n and markers[j][0] < start:
            j += 1
        counts: dict[str, int] = {}
        while j < n and markers[j][0] < end:
            _s, e, cat = markers[j]
            if e <= end:
                counts[cat] = counts.get(cat, 0) + 1
            j += 1
        out.append(counts)
    return out


def ref_stages_present(rows, elems, targets, markers, min_prob=0.3) -> dict[str, list[int]]:
    """suggestions.stages_present as it was: each sentence's cue markers found by bisection
    among the Doc's markers."""
    row_starts = [r[0] for r in rows] if targets else []
    planned = {bisect_right(row_starts, t["start"]) - 1 for t in targets}
    cues = [m for m in markers if m[2] in suggestions.CUE_STAGES]
    cue_starts = [m[0] for m in cues]
    present: dict[str, list[int]] = {}
    for i, e in enumerate(elems):
        row = rows[i]
        if row[3]:
            continue
        stages = {GIBBS.get(e[0])}
        for j, stage in suggestions.ELEMENT_STAGES:
            if e[1][j] >= min_prob:
                stages.add(stage)
        start, end = row[0], row[1]
        for k in range(bisect_left(cue_starts, start), len(cues)):
            m_start, m_end, category = cues[k]
            if m_start >= end:
                break
            if m_end <= end:
                stages.update(suggestions.CUE_STAGES[category])
        if i in planned:
            stages.add("action plan")
        for st_ in GIBBS_STAGES:
            if st_ in stages:
                present.setdefault(st_, []).append(i)
    return present


def ref_initials(text: str) -> list[str]:
    """people.initials as it was: INITIALS_RE tried where two capitals start."""
    import re

    match = people.INITIALS_RE.match
    return [m.group(1) for c in re.finditer(r"[A-Z][A-Z]", text)
            if (m := match(text, c.start())) is not None]


def ref_person_features(text: str, who: str | None) -> dict[str, float]:
    """people.person_features as it was: the possessive searched for in every sentence."""
    text = plain_quotes(text)
    _, report, self_report = people._patterns()
    feats: dict[str, float] = {}
    m = report.match(text)
    if who:
        feats["p_sv_mention"] = float(people._name_at(text, who))
        feats["p_sv_possessive"] = float(people._name_at(text, who, possessive=True))
        if text.startswith(who + " "):
            feats["p_sv_subject"] = 1.0
            rest = people.ADVERB_RE.sub("", text[len(who) + 1:].lstrip())
            feats["p_sv_self_report"] = float(self_report.match(rest) is not None)
    if m and who and m.group("who").lower() in people.PRONOUNS:
        rest = people.ADVERB_RE.sub("", text[m.end("who"):].lstrip())
        feats["p_sv_subject"] = 1.0
        feats["p_sv_self_report"] = float(self_report.match(rest) is not None)
    elif m and m.group("who") != who:
        feats["p_other_report"] = 1.0
        about = text[m.end():]
        pronoun = people.PRONOUN_RE.search(about) is not None
        named = bool(who) and people._name_at(about, who)
        feats["p_other_report_about_sv"] = float(named or pronoun)
    return feats


def ref_sentence_rows(doc, context: bool = True) -> np.ndarray:
    """elements.sentence_rows as it was: make_rows of the texts and contexts as written."""
    sf = sentence_features(doc)
    text = text_of(doc)
    raws = [text[r[0]:r[1]] for r in sf.sentences]
    if not context:
        return make_rows(sf.texts, [""] * len(sf.texts), sf.features)
    contexts = [f"{prev_t} {next_t}".strip()
                for prev_t, next_t in zip(["", *raws], [*raws, ""][1:], strict=False)]
    return make_rows(sf.texts, contexts, sf.features)


def ref_detection_rows(doc) -> np.ndarray:
    """feedback.detection_rows as it was: make_rows of the texts and contexts as written,
    person features of the texts as written, with the old ones."""
    sf = sentence_features(doc)
    text = text_of(doc)
    rows = sf.sentences
    who = people.supervisee(doc)
    contexts = ["", *(text[r[0]:r[1]] for r in rows)][:len(rows)]
    feats = []
    for body, base, row in zip(sf.texts, sf.features, rows, strict=True):
        f = base.copy()
        if row[2]:
            f[f"section_{row[2]}"] = 1.0
        f.update(ref_person_features(body, who))
        feats.append(f)
    return make_rows(sf.texts, contexts, feats)


def ref_element_flags(doc) -> list[bool]:
    """The element tagger's buzz flags as it computed them, from doc._ read again."""
    markers, counts = doc._.markers or [], sentence_features(doc).counts
    return [bool(counts[j].get("buzz")) and not heading
            and elements.is_buzz(doc, s, e, markers, counts[j])
            for j, (s, e, _section, heading) in enumerate(doc._.sentences or [])]


# --------------------------------------------------------------------------- helpers


def same_rows(a: np.ndarray, b: np.ndarray) -> None:
    """Equal row for row, the feature dicts equal with their keys in the same order (the
    models sum features in each dict's order)."""
    assert a.shape == b.shape and a.dtype == b.dtype == object
    for x, y in zip(a.tolist(), b.tolist(), strict=True):
        assert type(x[0]) is str and type(x[1]) is str and type(x[2]) is dict
        assert x[0] == y[0] and x[1] == y[1]
        assert list(x[2].items()) == list(y[2].items())


def items_of(counts: list[dict]) -> list[list]:
    return [list(c.items()) for c in counts]  # the same counts, keys in the same order


@pytest.fixture(scope="module")
def docs(nlp):
    """Every corpus text through the whole pipeline, and a few edge cases."""
    extra = ("", "   \n\n", "- ", "Heading:\n", "• “Next time,” check it!\n- plan it\n1) keep it",
             "KB said the plan was clear. KB noted KB's chronology. JR felt KB’s notes were "
             "late.\n- KB: agreed to update it\n- She reflected on it",
             "I reflected on this and lessons were learned. I feel I learned a lot.")
    return list(nlp.pipe((*corpus_texts(), *extra), batch_size=64))


MARKERS = st.lists(st.tuples(st.integers(0, 60), st.integers(0, 12),
                             st.sampled_from(["a", "b", "c", "buzz", "emotion", "learning"])),
                   max_size=40).map(lambda ms: sorted([s, s + n, c] for s, n, c in ms))


# --------------------------------------------------------------------------- sentence_counts


def test_sentence_counts_on_corpus_documents(docs):
    crossing = 0
    for doc in docs:
        markers, rows = doc._.markers or [], doc._.sentences or []
        got, ref = sentence_counts(markers, rows), ref_sentence_counts(markers, rows)
        assert items_of(got) == items_of(ref)
        crossing += sum(r[0] <= m[0] < r[1] < m[1] for r in rows for m in markers)
    assert crossing  # some markers cross a sentence's end: the slow path ran too


@settings(max_examples=1000, deadline=None)
@example([[0, 5, "a"], [3, 9, "b"], [5, 5, "c"]], [0, 5, 9])
@example([[0, 5, "a"], [3, 9, "b"], [3, 4, "b"]], [0, 3, 9])
@example([], [0, 4])
@given(MARKERS, st.lists(st.integers(0, 75), max_size=12))
def test_sentence_counts_on_generated_ordered_rows(markers, cuts):
    cuts = sorted(set(cuts))
    rows = [(a, b, None, False) for a, b in zip(cuts, cuts[1:], strict=False)]
    assert items_of(sentence_counts(markers, rows)) == items_of(ref_sentence_counts(markers, rows))


@settings(max_examples=1000, deadline=None)
@example([[0, 5, "a"], [3, 9, "b"]], [(0, 9), (3, 3), (5, 2)])
@given(MARKERS, st.lists(st.tuples(st.integers(0, 70), st.integers(-3, 20)), max_size=8))
def test_sentence_counts_on_generated_unordered_rows(markers, pairs):
    rows = [(s, s + n, None, False) for s, n in pairs]  # unordered, overlapping, reversed
    assert items_of(sentence_counts(markers, rows)) == items_of(ref_sentence_counts(markers, rows))


# --------------------------------------------------------------------------- stages_present


def test_stages_present_on_corpus_documents(docs):
    for doc in docs:
        u = doc._
        values = (u.sentences or [], u.elements or [], u.targets or [], u.markers or [])
        ref = list(ref_stages_present(*values).items())
        counts = sentence_features(doc).counts
        assert list(suggestions.stages_present(*values, counts=counts).items()) == ref
        assert list(suggestions.stages_present(*values).items()) == ref
        if u.elements is not None:
            assert list(u.gibbs_present.items()) == ref  # what the Suggester set


CATEGORIES = sorted(suggestions.CUE_STAGES) + ["first_person", "hedge", "causal"]


@settings(max_examples=500, deadline=None)
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
    for s in data.draw(st.lists(st.integers(0, 210), max_size=25)):
        end = st.one_of(st.integers(s, s + 30),
                        st.sampled_from([b for b in bounds if b > s] or [s + 1]))
        markers.append([s, data.draw(end), data.draw(st.sampled_from(CATEGORIES))])
    markers.sort()
    targets = [{"start": s} for s in data.draw(st.lists(st.integers(0, 210), max_size=3))]
    ref = list(ref_stages_present(rows, elems, targets, markers).items())
    assert list(suggestions.stages_present(rows, elems, targets, markers).items()) == ref
    counts = sentence_counts(markers, rows)
    assert list(suggestions.stages_present(rows, elems, targets, markers,
                                           counts=counts).items()) == ref


# --------------------------------------------------------------------------- people


def test_initials_on_corpus_texts():
    for text in corpus_texts():
        assert people.initials(text) == ref_initials(text) == people.INITIALS_RE.findall(text)


INITIAL_PARTS = ("KB", "JR", "ABC", "ABCD", "A", "Kb", "kB", "KB's", "KB’s", "O'KB", "x’KB",
                 "&KB", "KB&", "KB_", "_KB", "K", "B", "É", "ÉKB", "KBÉ", "1KB", "KB2", "-",
                 " ", "\n", ".", "(", ")", "'", "’", "&", "")


@settings(max_examples=2000, deadline=None)
@example("KBKB JR")
@example("ABCD&EF GH")
@example("O'KB x’JR &AB CD&")
@given(st.lists(st.one_of(st.sampled_from(INITIAL_PARTS), st.text(max_size=3)),
                max_size=14).map("".join))
def test_initials_on_generated_texts(text):
    assert people.initials(text) == ref_initials(text) == people.INITIALS_RE.findall(text)


def test_person_features_on_corpus_sentences(docs):
    n = 0
    for doc in docs:
        who = people.supervisee(doc)
        for body in sentence_features(doc).texts:
            for w in {who, "KB", None}:
                got, ref = people.person_features(body, w), ref_person_features(body, w)
                assert list(got.items()) == list(ref.items())
                n += 1
    assert n > 50_000


PERSON_PARTS = ("KB", "KB's", "KB’s", "KB's.", "KB'sx", "KB&", "O'KB", "xKB", "KBx", "KB-x",
                "said", "noted", "she", "She", "JR", "The supervisor", "reflected", "also",
                "that", "her", "felt", " ", "  ", ",", ".", "'", "’", "s")


@settings(max_examples=2000, deadline=None)
@example("JR noted that KB's chronology", "KB")
@example("KB’s plan", "KB")
@example("KB's", "KB")
@example("KB'sx KB", "KB")
@given(st.lists(st.sampled_from(PERSON_PARTS), max_size=10).map(" ".join),
       st.sampled_from(["KB", "JR", "Sam", None]))
def test_person_features_on_generated_texts(text, who):
    got, ref = people.person_features(text, who), ref_person_features(text, who)
    assert list(got.items()) == list(ref.items())


# --------------------------------------------------------------------------- rows


def test_sentence_features_hold_plain_texts(docs):
    for doc in docs:
        sf = SentenceFeatures(doc)
        text = text_of(doc)
        assert sf.plain == [plain_quotes(t) for t in sf.texts]
        assert sf.plain_raws == [plain_quotes(text[r[0]:r[1]]) for r in sf.sentences]


def test_sentence_rows_on_corpus_documents(docs):
    for doc in docs:
        for context in (True, False):
            same_rows(elements.sentence_rows(doc, context), ref_sentence_rows(doc, context))


def test_detection_rows_on_corpus_documents(docs):
    for doc in docs:
        same_rows(feedback.detection_rows(doc), ref_detection_rows(doc))


def test_element_buzz_flags_on_corpus_documents(docs):
    flagged = 0
    for doc in docs:
        flags = [e[2] for e in doc._.elements or []]
        assert flags == ref_element_flags(doc)
        flagged += sum(flags)
    assert flagged


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=8), st.text(max_size=8)), max_size=6))
def test_plain_rows_of_plain_texts_are_make_rows(pairs):
    texts = [t for t, _ in pairs] + ["“quoted” it’s"]
    contexts = [c for _, c in pairs] + ["‘x’"]
    feats = [{"k": float(i)} for i in range(len(texts))]
    same_rows(plain_rows(list(map(plain_quotes, texts)), list(map(plain_quotes, contexts)),
                         feats), make_rows(texts, contexts, feats))


def test_plain_rows_refuses_columns_of_different_lengths():
    with pytest.raises(ValueError):
        plain_rows(["a"], ["b", "c"], [{}])


def test_pipeline_elements_unchanged_by_the_fast_paths(nlp, docs):
    """The element tagger's whole output is the same when run again on the analysed Docs
    (their features already computed) as it was in the pipeline."""
    tagger = nlp.get_pipe("reflectassist_elements")
    sample = docs[::25]
    before = [json.dumps(d._.elements) for d in sample]
    tagger.annotate(sample)
    assert [json.dumps(d._.elements) for d in sample] == before
