"""Fast paths of the row building of the element tagger and the feedback scorer against the
plain code they replace.

Each REFERENCE here is the code as it was before the speed-ups: ``features_of`` slicing and
matching the bullet of each sentence again, ``make_rows`` filling one cell at a time, the
element tagger calling ``is_buzz`` for every sentence, each sentence's context sliced twice,
and ``score_many`` building each comment's numbers from numpy scalars. They run on every
corpus text and on generated texts and numbers.
"""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from corpus_texts import corpus_texts
from reflectassist import elements, feedback
from reflectassist.features import (
    _I_WORDS,
    _WE_WORDS,
    _YOU_WORDS,
    WORD_RE,
    SentenceFeatures,
    features_of,
    make_rows,
    sentence_counts,
    sentence_features,
)
from reflectassist.lexicon import lexicon_set, plain_quotes
from reflectassist.markers import count_in, find_markers, markers_in, shared_markers
from reflectassist.segmenter import BULLET_RE, text_of

# the final-punctuation rule as features.py wrote it then
REF_FINAL_PUNCT = re.compile(r"[.!?]['\")\]]*$")

# --------------------------------------------------------------------------- references


def ref_strip_bullet(text: str) -> str:
    m = BULLET_RE.match(text)
    return text[m.end():].strip() if m else text.strip()


def ref_features_of(full, markers, start, end, position=None, section=None, counts=None,
                    stripped=None) -> dict[str, float]:
    raw = full[start:end]
    text = plain_quotes(ref_strip_bullet(raw) if stripped is None else stripped)
    first_word = WORD_RE.search(text) if text.isascii() else WORD_RE.search(text.lower())
    feats: dict[str, float] = {}
    if counts is None:
        counts = count_in(markers, start, end)
    for cat, c in counts.items():
        feats[f"has_{cat}"] = 1.0
        feats[f"n_{cat}"] = math.log1p(c)
    first = first_word.group(0).lower() if first_word else ""
    feats["starts_imperative"] = float(first in lexicon_set("phrases", "imperative_start"))
    feats["starts_i"] = float(first in _I_WORDS)
    feats["starts_you"] = float(first in _YOU_WORDS)
    feats["starts_we"] = float(first in _WE_WORDS)
    feats["bullet"] = float(BULLET_RE.match(raw) is not None)
    feats["ends_colon"] = float(text.endswith(":"))
    feats["ends_question"] = float(text.endswith("?"))
    feats["no_final_punct"] = float(not REF_FINAL_PUNCT.search(text))
    if position is not None:
        feats["pos_first"] = float(position == 0.0)
        feats["pos_last"] = float(position == 1.0)
        feats["pos"] = position
    if section:
        feats[f"section_{section}"] = 1.0
    return feats


def ref_sentence_features(doc) -> tuple[list, list, list]:
    """(texts, counts, features) as SentenceFeatures computed them."""
    rows, markers, full = doc._.sentences or [], doc._.markers or [], text_of(doc)
    texts = [ref_strip_bullet(full[r[0]:r[1]]) for r in rows]
    counts = sentence_counts(markers, rows)
    feats = [ref_features_of(full, markers, r[0], r[1], counts=c, stripped=t)
             for r, c, t in zip(rows, counts, texts, strict=True)]
    return texts, counts, feats


def ref_make_rows(texts, contexts, feats) -> np.ndarray:
    rows = np.empty((len(texts), 3), dtype=object)
    for i, (t, c, f) in enumerate(zip(texts, contexts, feats, strict=True)):
        rows[i, 0], rows[i, 1], rows[i, 2] = plain_quotes(t), plain_quotes(c), f
    return rows


def ref_sentence_rows(doc, context: bool = True) -> np.ndarray:
    sf = sentence_features(doc)
    rows, text = sf.sentences, text_of(doc)
    if not context:
        return ref_make_rows(sf.texts, [""] * len(rows), sf.features)
    contexts = []
    for i in range(len(rows)):
        prev_t = text[rows[i - 1][0]:rows[i - 1][1]] if i > 0 else ""
        next_t = text[rows[i + 1][0]:rows[i + 1][1]] if i + 1 < len(rows) else ""
        contexts.append(f"{prev_t} {next_t}".strip())
    return ref_make_rows(sf.texts, contexts, sf.features)


def ref_buzz(doc) -> list[bool]:
    markers, counts = doc._.markers or [], sentence_features(doc).counts
    return [elements.is_buzz(doc, s, e, markers, counts[j]) and not heading
            for j, (s, e, _section, heading) in enumerate(doc._.sentences)]


def ref_selected(p, rows, threshold) -> list[int]:
    return [i for i, x in enumerate(p) if x >= threshold and not rows[i][3]]


def ref_neighbour_features(p: np.ndarray) -> list[dict[str, float]]:
    mean = float(np.mean(p)) if len(p) else 0.0
    x = np.clip(np.asarray(p, np.float64), 1e-4, 1 - 1e-4)
    logits = np.log(x / (1 - x)).tolist()
    rows = []
    for i, value in enumerate(logits):
        row = {"self": value, "doc_mean": mean}
        if i > 0:
            row["prev"], row["has_prev"] = logits[i - 1], 1.0
        if i + 1 < len(logits):
            row["next"], row["has_next"] = logits[i + 1], 1.0
        rows.append(row)
    return rows


def ref_content_start(doc, s: int, e: int) -> int:
    raw = text_of(doc)[s:e]
    return s + raw.find(ref_strip_bullet(raw)) if ref_strip_bullet(raw) else s


def ref_comment_rows(texts: list[str]) -> np.ndarray:
    stripped = [ref_strip_bullet(t) for t in texts]
    feats = [ref_features_of(t, shared_markers(t), 0, len(t), stripped=s)
             for t, s in zip(texts, stripped, strict=True)]
    return ref_make_rows(stripped, [""] * len(texts), feats)


def ref_score_many(scorer, items) -> list[dict]:
    if not items:
        return []
    starts = [ref_content_start(doc, s, e) for doc, (s, e) in items]
    texts = [text_of(doc)[s:e] for (doc, (_, e)), s in zip(items, starts, strict=True)]
    X = ref_comment_rows(texts)
    spec = scorer.models["specificity"]
    proba = spec.predict_proba(X)
    flag_p = {f: scorer.models[f].predict_proba(X)[:, 1] for f in feedback.FLAGS}
    out = []
    for k, ((doc, (_, e)), s) in enumerate(zip(items, starts, strict=True)):
        full = np.zeros(3)
        for cls, p in zip(spec.classes_, proba[k], strict=True):
            full[int(cls)] = p
        level = int(np.argmax(full))
        text = text_of(doc)
        item = {"start": s, "end": e, "text": text[s:e], "specificity": level,
                "score": round(float(full[level]), 4),
                "probabilities": [round(float(x), 4) for x in full]}
        found = [m for m in markers_in(doc, s, e, feedback.EVIDENCE)
                 if m[2] not in feedback.VERB_EVIDENCE or " " in text[m[0]:m[1]]
                 or feedback.opens_sentence(text, s, m[0])]
        for f in feedback.FLAGS:
            met = bool(flag_p[f][k] >= 0.5)
            ev = feedback._outermost([m for m in found if m[2] in feedback.FLAG_EVIDENCE[f]]
                                     )[:6] if met else []
            item[f] = {"met": met, "score": round(float(flag_p[f][k]), 4),
                       "evidence": [[a, b, text[a:b]] for a, b, _ in ev]}
        out.append(item)
    return out


# --------------------------------------------------------------------------- helpers


def same_rows(a: np.ndarray, b: np.ndarray) -> None:
    """Equal row for row, the feature dicts the same objects or equal with their keys in
    the same order (the models sum features in each dict's order)."""
    assert a.shape == b.shape and a.dtype == b.dtype == object
    for x, y in zip(a.tolist(), b.tolist(), strict=True):
        assert type(x[0]) is str and type(x[1]) is str and type(x[2]) is dict
        assert x[0] == y[0] and x[1] == y[1]
        assert list(x[2].items()) == list(y[2].items())


def as_json(value) -> str:
    """Exactly as written out: a float where a float was, a bool where a bool was."""
    return json.dumps(value, ensure_ascii=False)


@pytest.fixture(scope="module")
def docs(nlp):
    """Every corpus text through the whole pipeline, and a few edge cases."""
    extra = ("", "   \n\n", "- ", "Heading:\n", "• “Next time,” check it!\n- plan it\n1) keep it",
             "KB said the plan was clear. KB noted KB's chronology. JR felt KB was late.\n"
             "- KB: agreed to update it\n- She reflected on it")
    return list(nlp.pipe((*corpus_texts(), *extra), batch_size=64))


# --------------------------------------------------------------------------- features.py

TEXT_PARTS = ("- ", "* ", "• ", "1. ", "(a) ", "b) ", "  ", "\t", "\n", "\n- ", "I ", "i'm ",
              "You ", "your ", "We ", "Check ", "check ", "Try ", "plan", "the plan ", "KB ",
              "said ", "because ", "felt ", "“", "”", "‘", "’", '"', "'", ")", "]", ".", "?",
              "!", ":", ";", ",", "É", "é", "İ", "ß", "next time ", "on 9 February ", "I think ",
              "reflected ", "learned ", "\u00a0", "")


def generated_texts(max_size: int = 14) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(TEXT_PARTS), max_size=max_size).map("".join)


def test_sentence_features_on_corpus_documents(docs):
    for doc in docs:
        sf = SentenceFeatures(doc)
        texts, counts, feats = ref_sentence_features(doc)
        assert sf.texts == texts and sf.counts == counts
        assert [list(f.items()) for f in sf.features] == [list(f.items()) for f in feats]


@settings(max_examples=500, deadline=None)
@example("- I think “it” went well.\n", 0, 26, 0.0, "analysis", True)
@example(" • check the plan)\n", 0, 19, 1.0, None, False)
@given(generated_texts(), st.integers(0, 60), st.integers(0, 60),
       st.sampled_from((None, 0.0, 0.5, 1.0)), st.sampled_from((None, "", "analysis")),
       st.booleans())
def test_features_of_on_generated_texts(text, a, b, position, section, give_stripped):
    start, end = sorted((min(a, len(text)), min(b, len(text))))
    markers = find_markers(text)
    stripped = ref_strip_bullet(text[start:end]) if give_stripped else None
    fast = features_of(text, markers, start, end, position, section)
    ref = ref_features_of(text, markers, start, end, position, section, stripped=stripped)
    assert list(fast.items()) == list(ref.items())


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(generated_texts(6), generated_texts(6)), max_size=8))
def test_make_rows_holds_the_same_objects(pairs):
    texts, contexts = [t for t, _ in pairs], [c for _, c in pairs]
    feats = [{"n": float(i)} for i in range(len(pairs))]
    fast, ref = make_rows(texts, contexts, feats), ref_make_rows(texts, contexts, feats)
    same_rows(fast, ref)
    assert all(f is g for f, g in zip(fast[:, 2].tolist(), feats, strict=True))


@pytest.mark.parametrize("sizes", [(1, 2, 2), (2, 1, 2), (2, 2, 1), (0, 1, 1), (1, 0, 0)])
def test_make_rows_refuses_columns_of_different_lengths(sizes):
    nt, nc, nf = sizes
    with pytest.raises(ValueError):
        make_rows(["a"] * nt, ["b"] * nc, [{}] * nf)


# --------------------------------------------------------------------------- elements.py


def test_sentence_rows_on_corpus_documents(docs):
    for doc in docs:
        for context in (True, False):
            same_rows(elements.sentence_rows(doc, context), ref_sentence_rows(doc, context))


def test_buzz_flags_on_corpus_documents(docs):
    assert any(any(e[2] for e in doc._.elements or []) for doc in docs)  # the path is taken
    for doc in docs:
        assert [e[2] for e in doc._.elements or []] == ref_buzz(doc)


# --------------------------------------------------------------------------- feedback.py


@settings(max_examples=500, deadline=None)
@example([(0.5, False), (0.49999, False), (float("nan"), False), (1.0, True), (0.0, False)], 0.5)
@given(st.lists(st.tuples(st.one_of(st.floats(0.0, 1.0), st.just(float("nan"))), st.booleans()),
                max_size=20), st.sampled_from((0.0, 0.3, 0.5, 1.0)))
def test_feedback_sentences_on_generated_scores(pairs, threshold):
    p = np.asarray([x for x, _ in pairs], np.float64)
    rows = [[0, 0, "", heading] for _, heading in pairs]
    assert feedback.feedback_sentences(p, rows, threshold) == ref_selected(p, rows, threshold)


@settings(max_examples=500, deadline=None)
@example([0.1] * 9 + [0.7] * 200)
@given(st.lists(st.floats(0.0, 1.0), max_size=300))
def test_neighbour_features_on_generated_scores(p):
    # as the detector hands them over: float64, a column of a two-column array
    column = np.column_stack([1.0 - np.asarray(p), np.asarray(p)])[:, 1]
    for scores in (column, np.ascontiguousarray(column), list(p)):
        fast, ref = feedback.neighbour_features(scores), ref_neighbour_features(scores)
        assert [list(r.items()) for r in fast] == [list(r.items()) for r in ref]


def test_feedback_sentences_on_an_empty_document():
    assert feedback.feedback_sentences(np.asarray([]), [], 0.5) == []


@settings(max_examples=300, deadline=None)
@given(generated_texts(), st.integers(0, 60), st.integers(0, 60))
def test_content_start_on_generated_texts(nlp, text, a, b):
    doc = nlp.make_doc(text)
    start, end = sorted((min(a, len(text)), min(b, len(text))))
    assert feedback._content_start(doc, start, end) == ref_content_start(doc, start, end)


def test_score_many_on_corpus_comments(nlp, docs):
    scorer = nlp.get_pipe("reflectassist_feedback")
    items = [(doc, (c["start"], c["end"])) for doc in docs for c in doc._.feedback or []]
    assert len(items) > 1000
    # and every sentence of some documents, bullets and headings included
    items += [(doc, (r[0], r[1])) for doc in docs[::40] for r in doc._.sentences or []]
    for i in range(0, len(items), 500):
        batch = items[i:i + 500]
        shared_markers.cache_clear()
        assert as_json(scorer.score_many(batch)) == as_json(ref_score_many(scorer, batch))
    assert scorer.score_many([]) == []
