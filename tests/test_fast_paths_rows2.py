"""Second round of fast paths in the feature rows and the feedback detector, against the code
they replace.

REFERENCES: the final-punctuation regex tried at every character (``_FINAL_PUNCT.search``),
``text_rows`` matching each text's bullet twice (``strip_bullet`` and ``text_features``), and
the report regex of ``people`` built with one flat ``alternation`` per phrase list (now the
phrases are grouped by their first letter). They run on every corpus text and on generated
texts.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from corpus_texts import corpus_texts
from reflectassist import people
from reflectassist.features import (
    _final_punct,
    features_of,
    make_rows,
    strip_bullet,
    text_rows,
)
from reflectassist.lexicon import alternation, load_data, plain_quotes
from reflectassist.markers import shared_markers

# --------------------------------------------------------------------------- references

REF_FINAL_PUNCT = re.compile(r"[.!?]['\")\]]*$")


def ref_text_rows(texts: list[str]) -> np.ndarray:
    """text_rows as it was: the bullet stripped, and each text's features as text_features
    found them then (features_of over the whole string with its own markers)."""
    return make_rows([strip_bullet(t) for t in texts], [""] * len(texts),
                     [features_of(t, shared_markers(t), 0, len(t)) for t in texts])


def ref_report_regex() -> re.Pattern[str]:
    """people._patterns()'s report regex as it was: one flat alternation per phrase list."""
    data = load_data("people")
    lead = r"^(?i:also\s+|then\s+|later\s+)?"
    det = r"(?:(?:the|my|her|his|their|our|a|one\s+of\s+the)\s+)?"
    speaker = rf"(?:[A-Z]{{1,3}}|(?i:{det}(?:{alternation(data['feedback_sources'])})))"
    adverb = r"(?:\s+(?:also|then|later|rightly|clearly|specifically|again))?"
    verbs = alternation(data["report_verbs"])
    return re.compile(rf"{lead}(?P<who>{speaker}){adverb}\s+(?i:{verbs})(?![\w'’])")


def _span(m: re.Match | None):
    return None if m is None else (m.span(), m.group("who"), m.end("who"))


# --------------------------------------------------------------------------- generators

_WORDS = ["I", "She", "KB", "JR", "the", "The supervisor", "my  practice\teducator",
          "Practice Supervisor", "mum", "MUM", "ſhe", "also", "Then", "clearly", "said",
          "SAID", "felt", "fed back", "fed  back", "pointed out", "noted", "notes's", "was",
          "clear that", ".", "!", "?", "'", '"', ")", "]", "”", "’", "\n", " ", "\t", "-", "•"]


def generated_texts(max_size: int = 12) -> st.SearchStrategy[str]:
    return st.lists(st.one_of(st.sampled_from(_WORDS), st.text(max_size=3)),
                    max_size=max_size).map(" ".join)


@pytest.fixture(scope="module")
def texts() -> list[str]:
    """Every corpus text, and every line of it (the sentences the regexes mostly see)."""
    out = list(corpus_texts())
    out += [line.strip() for t in corpus_texts() for line in t.splitlines() if line.strip()]
    return out


# --------------------------------------------------------------------------- tests

def test_final_punct_on_corpus_texts(texts):
    for t in texts:
        for x in (t, t.strip(), plain_quotes(t.strip())):
            assert _final_punct(x) == (REF_FINAL_PUNCT.search(x) is not None), x


@settings(max_examples=1000, deadline=None)
@example("Done.\n")
@example("Done.\n\n")
@example("Done.)\"'\n")
@example("Done.x")
@example(")")
@example("")
@given(generated_texts())
def test_final_punct_on_generated_texts(text):
    want = REF_FINAL_PUNCT.search(text) is not None
    assert _final_punct(text) == want


def test_text_rows_on_corpus_lines(texts):
    lines = texts[len(corpus_texts()):][:4000] + list(corpus_texts()[:300])
    for i in range(0, len(lines), 500):
        got, want = text_rows(lines[i:i + 500]), ref_text_rows(lines[i:i + 500])
        assert got.shape == want.shape
        assert got.tolist() == want.tolist()  # same texts, contexts and dicts (and key order)
        assert [list(d) for d in got[:, 2]] == [list(d) for d in want[:, 2]]


@settings(max_examples=300, deadline=None)
@given(st.lists(generated_texts(), max_size=6))
def test_text_rows_on_generated_texts(batch):
    got, want = text_rows(batch), ref_text_rows(batch)
    assert got.tolist() == want.tolist()
    assert [list(d) for d in got[:, 2]] == [list(d) for d in want[:, 2]]


def test_report_regex_on_corpus_texts(texts):
    new, ref = people._patterns()[1], ref_report_regex()
    assert new.pattern != ref.pattern  # the grouped form is in use
    found = 0
    for t in texts:
        t = plain_quotes(t)
        got, want = _span(new.match(t)), _span(ref.match(t))
        assert got == want, t
        found += want is not None
    assert found > 100  # the corpus exercises the regex


@settings(max_examples=2000, deadline=None)
@example("The supervisor said")
@example("my  practice\teducator clearly fed  back that")
@example("ſhe said")
@example("MUM SAID it")
@example("Also KB noted")
@example("she saidx")
@given(generated_texts(6))
def test_report_regex_on_generated_texts(text):
    assert _span(people._patterns()[1].match(text)) == _span(ref_report_regex().match(text))


def test_by_first_letter_falls_back_for_non_ascii_or_non_letter_phrases():
    for phrases in (["ſir", "sir"], [" lead", "load"], ["", "a"], ["-x", "x"]):
        assert people._by_first_letter(phrases) == alternation(phrases)
    assert people._by_first_letter(["said", "saw", "told"]) == "s(?:aid|aw)|t(?:old)"
