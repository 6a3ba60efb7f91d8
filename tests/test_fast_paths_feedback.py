"""Fast paths of the feedback rows against the plain code they replace.

Each test compares a fast path in ``people.py``, ``features.py`` or ``feedback.py`` with a
REFERENCE written here: the code as it was before the speed-ups (per-name compiled regexes,
``INITIALS_RE.findall``, dict merging, ``np.clip``). They run on corpus texts and on
generated texts that mix initials, names, reporting verbs, apostrophes of both kinds, "&",
hyphens, non-ASCII word characters and assorted gaps.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache, lru_cache

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from corpus_texts import corpus_texts
from reflectassist import feedback, people
from reflectassist.features import (
    make_rows,
    sentence_features,
    shared_markers,
    strip_bullet,
    text_features,
    text_rows,
)
from reflectassist.lexicon import load_data, plain_quotes
from reflectassist.segmenter import text_of


@cache
def corpus_lines() -> tuple[str, ...]:
    return tuple(sorted({line.strip() for t in corpus_texts() for line in t.splitlines()}))


# --------------------------------------------------------------------------- inputs

NAMES = ("KB", "JR", "ABC", "Sam", "Mary-Jo", "Jo", "A", "K")
WORDS = (*NAMES, "KBS", "KBC", "ABCD", "NHS", "GP", "A&E", "KB&", "&KB", "_KB", "KB_", "kb",
         "Kb", "KB's", "KB’s", "KB'S", "KB'st", "KB's.", "KB'", "'KB", "’KB", "KB1", "1KB",
         "ÉKB", "KBé", "Samuel", "Sam's", "Mary-Jo's", "Jo-Mary", "she", "She", "he", "They",
         "I", "the", "supervisor", "The supervisor", "my practice assessor", "one of the",
         "also", "Then", "later", "rightly", "clearly", "said", "noted", "fed back",
         "pointed out", "was pleased", "is keen", "reflected", "felt", "found", "wants",
         "that", "her", "his", "you", "my", "about", "plan", "chronology", "ſaid", "İ", "ı",
         "ß", "é", "²", "\u212a", "'", "’", '"', "“", "”", "-", "&", "(", ")", ".", ",", ":")
GAPS = (" ", " ", " ", "", "  ", "\t", "\n", "\r\n", ". ", ", ", "; ", " - ", "\u00a0",
        "\u2028", "'", "’", "&", "-", "_", "(", ")")


def generated(words=WORDS, max_size: int = 16) -> st.SearchStrategy[str]:
    return st.lists(st.tuples(st.sampled_from(words), st.sampled_from(GAPS)),
                    max_size=max_size).map(lambda parts: "".join(w + g for w, g in parts))


def report_like() -> st.SearchStrategy[str]:
    """Sentences shaped as people.py reads them: a speaker, a reporting verb, more words."""
    data = load_data("people")
    speakers = st.sampled_from(("KB", "JR", "Sam", "She", "she", "He", "They", "I", "The",
                                "My supervisor", "The manager", "one of the nurses",
                                *data["feedback_sources"][:20]))
    verbs = st.sampled_from((*data["report_verbs"], *data["self_report_verbs"]))
    lead = st.sampled_from(("", "", "Also ", "then ", "Later "))
    adverb = st.sampled_from(("", "", " also", " rightly", " clearly"))
    return st.tuples(lead, speakers, adverb, st.sampled_from((" ", "  ", "\t")), verbs,
                     generated(max_size=8)).map(lambda p: "".join(p))


# --------------------------------------------------------------------------- references


def ref_initials(text: str) -> list[str]:
    return people.INITIALS_RE.findall(text)


@lru_cache(maxsize=256)
def ref_name_patterns(who: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    name = re.escape(who)
    return (re.compile(rf"(?<![\w'’]){name}(?![\w&])"),
            re.compile(rf"(?<![\w'’]){name}['’]s\b"))


def ref_person_features(text: str, who: str | None) -> dict[str, float]:
    """people.person_features as it was, with a compiled regex per name."""
    text = plain_quotes(text)
    _, report, self_report = people._patterns()
    feats: dict[str, float] = {}
    m = report.match(text)
    mention_rx = ref_name_patterns(who)[0] if who else None
    if who and mention_rx:
        feats["p_sv_mention"] = float(mention_rx.search(text) is not None)
        feats["p_sv_possessive"] = float(ref_name_patterns(who)[1].search(text) is not None)
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
        named = mention_rx is not None and mention_rx.search(about) is not None
        feats["p_other_report_about_sv"] = float(named or pronoun)
    return feats


def ref_detection_rows(doc) -> np.ndarray:
    """feedback.detection_rows as it was: merged dicts, supervisee by INITIALS_RE.findall."""
    sf = sentence_features(doc)
    rows, text = sf.sentences, text_of(doc)
    stop = people._patterns()[0]
    counts = Counter(m for m in ref_initials(text) if m not in stop)
    counts.update(i["text"] for i in doc._.identifiers or []
                  if i["type"] == "NAME" and people.FIRST_NAME_RE.fullmatch(i["text"]))
    best = counts.most_common(1)
    who = best[0][0] if best and best[0][1] >= people.MIN_MENTIONS else None
    contexts, feats = [], []
    for i, (body, base, row) in enumerate(zip(sf.texts, sf.features, rows, strict=True)):
        contexts.append(text[rows[i - 1][0]:rows[i - 1][1]] if i else "")
        feats.append({**base, **({f"section_{row[2]}": 1.0} if row[2] else {}),
                      **ref_person_features(body, who)})
    return make_rows(sf.texts, contexts, feats)


def ref_text_rows(texts: list[str]) -> np.ndarray:
    return make_rows([strip_bullet(t) for t in texts], [""] * len(texts),
                     [text_features(t) for t in texts])


def ref_logits(p: np.ndarray) -> list[float]:
    x = np.clip(np.asarray(p, np.float64), 1e-4, 1 - 1e-4)
    return np.log(x / (1 - x)).tolist()


def same_rows(a: np.ndarray, b: np.ndarray) -> None:
    """Equal row for row, feature dicts with their keys in the same order."""
    assert a.shape == b.shape
    for x, y in zip(a.tolist(), b.tolist(), strict=True):
        assert x[0] == y[0] and x[1] == y[1]
        assert list(x[2].items()) == list(y[2].items())


# --------------------------------------------------------------------------- supervisee


def test_initials_on_the_corpus():
    for text in corpus_texts():
        assert people.initials(text) == ref_initials(text)


@settings(max_examples=400, deadline=None)
@example("ABCD KB, x&KB 'JR ’JR KB&A ÉKB (KB) KB's")
@given(generated())
def test_initials_on_generated_texts(text):
    assert people.initials(text) == ref_initials(text)


# --------------------------------------------------------------------------- person_features


def check_name_at(text: str, who: str) -> None:
    mention, possessive = ref_name_patterns(who)
    assert people._name_at(text, who) == (mention.search(text) is not None), (who, text)
    assert people._name_at(text, who, possessive=True) == \
        (possessive.search(text) is not None), (who, text)


@settings(max_examples=400, deadline=None)
@example("KB's KBs", "KB")
@example("xKB KB", "KB")
@example("KB’s", "KB")
@example("Sam'sy Sam's", "Sam")
@given(generated(), st.sampled_from(NAMES))
def test_name_at_is_the_name_regexes(text, who):
    check_name_at(text, who)


def test_person_features_on_the_corpus():
    for i, line in enumerate(corpus_lines()):
        for who in (None, NAMES[i % len(NAMES)]):
            assert people.person_features(line, who) == ref_person_features(line, who)


@settings(max_examples=500, deadline=None)
@example("KB said that KB’s chronology is late", "KB")
@example("She noted that her plan was clear", "Sam")
@example("JR fed back that KB's notes were clear", "KB")
@given(st.one_of(report_like(), generated()), st.sampled_from((None, *NAMES)))
def test_person_features_on_generated_texts(text, who):
    fast, ref = people.person_features(text, who), ref_person_features(text, who)
    assert list(fast.items()) == list(ref.items())


# --------------------------------------------------------------------------- rows


def test_detection_rows_on_corpus_documents(nlp):
    texts = corpus_texts()[::25]
    texts += ("KB said the plan was clear. KB noted KB's chronology. JR felt KB was late.\n"
              "- KB: agreed to update it\n- She reflected on it",)
    for doc in nlp.pipe(texts):
        same_rows(feedback.detection_rows(doc), ref_detection_rows(doc))


@settings(max_examples=200, deadline=None)
@example(["- KB said it was late.", "1. Next time, check the chronology", ""])
@given(st.lists(st.one_of(report_like(), generated(max_size=10)).map(
    lambda t: t if len(t) % 3 else "- " + t), max_size=5))
def test_text_rows_on_generated_texts(texts):
    shared_markers.cache_clear()
    same_rows(text_rows(texts), ref_text_rows(texts))


@settings(max_examples=300, deadline=None)
@example([0.0, 1.0, 1e-5, 1 - 1e-5, 0.5])
@given(st.lists(st.floats(0.0, 1.0), max_size=12))
def test_neighbour_features_logits_are_clipped_as_before(p):
    rows = feedback.neighbour_features(np.asarray(p, np.float64))
    assert [r["self"] for r in rows] == ref_logits(np.asarray(p, np.float64))
