"""Markers: trying patterns only where they can start finds exactly what a full search finds."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reflectassist.lexicon import load_lexicon
from reflectassist.markers import (
    _find_markers,
    _PatternStarts,
    compiled_markers,
    find_markers,
)

ROOT = Path(__file__).resolve().parents[1]


def search_everywhere(text: str) -> list[list]:
    """The reference: every pattern searched over the whole text with ``finditer``."""
    everywhere = _PatternStarts({}, (), (), (), (), (), (), tuple(compiled_markers()))
    return _find_markers(text, everywhere)


def corpus_texts() -> list[str]:
    texts = []
    for f in sorted((ROOT / "corpora").rglob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rec = json.loads(line)
                if isinstance(rec.get("text"), str):
                    texts.append(rec["text"])
    return texts


def test_every_listed_pattern_is_in_the_lexicon():
    lex = load_lexicon()
    listed = {k for k in lex["pattern_starts"] if not k.startswith("_")}
    assert listed <= set(lex["patterns"])
    for spec in (lex["pattern_starts"][k] for k in listed):
        assert set(spec) <= {"words", "digit", "prefixes", "suffixes"}
        assert all(w == w.lower() and w.isascii() for w in spec.get("words", []))


def test_corpus_patterns_match_a_full_search():
    texts = corpus_texts()
    assert len(texts) > 1000
    for text in texts:
        assert find_markers(text) == search_everywhere(text), text[:80]


# words that start or continue patterns, in mixed case, with digits, punctuation and a few
# non-ASCII look-alikes (dotted capital I, long s, Kelvin sign) whose case folding differs
_PIECES = ["in", "In", "by", "next", "week", "the", "end", "of", "March", "may", "12", "3rd",
           "12/3/24", "w/c", "W/C 4/5", "q3", "2025", "9am", "10:30", "1400hrs", "twice",
           "a", "day", "every", "Mr", "K", "bed4", "bay 2", "room", "Ward", "reviewed", "at",
           "lessons", "learnt", "using", "Gibbs", "grew", "as", "worked", "wanted", "ed",
           "was", "said", "three", "times", "per", "shift", "%", "50", "percent", "İn",
           "ſaid", "\u212aeep", "don't", "'in'", "“quote”", "?", "-", ",", ".", "\n", "café",
           "fortnightly", "within", "two", "weeks", "Monday", "by Friday", "evaluates"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=30),
       st.lists(st.sampled_from([" ", "  ", "", "\n", "-", "'", "/"]), max_size=30))
def test_random_texts_match_a_full_search(words, gaps):
    rng = random.Random(len(words))
    text = "".join(w + (gaps[i] if i < len(gaps) else rng.choice([" ", ""]))
                   for i, w in enumerate(words))
    assert find_markers(text) == search_everywhere(text)


@pytest.mark.parametrize("text, category", [
    ("Review at the next meeting.", "review_phrase"),
    ("Complete it by the end of March.", "date"),
    ("I felt anxious.", "past_tense"),
    ("Seen on Ward 7 at 10:30.", "clock_time"),
])
def test_known_markers(text, category):
    assert category in {m[2] for m in find_markers(text)}
