"""Markers: trying patterns only where they can start finds exactly what a full search finds."""

from __future__ import annotations

import json
import random
import re
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reflectassist.lexicon import load_lexicon, plain_quotes
from reflectassist.markers import (
    _ALPHABET,
    _find_markers,
    _lower_twin,
    _PatternStarts,
    _runs,
    compiled_markers,
    find_markers,
    phrase_index,
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
        assert set(spec) <= {"words", "digit", "prefixes", "suffixes", "whole_word"} \
            or set(spec) == {"chars"}
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


def reference_markers(text: str) -> list[list]:
    """The reference for the phrase shortcuts: at every word not after an apostrophe, each
    category's phrases starting with that word tried by regex (as ``finditer`` would, no
    overlaps within a category); every pattern searched over the whole text, read with plain
    quotes (``plain_quotes``: curly ones match as plain ones, tested in test_quotes.py)."""
    text = plain_quotes(text)
    found = []
    next_free: dict[str, int] = {}
    for run in re.finditer(r"\w+", text):
        start = run.start()
        if start and text[start - 1] in "'’":
            continue
        for category, rx, _ in phrase_index().get(run.group().lower(), ()):
            m = rx.match(text, start) if start >= next_free.get(category, 0) else None
            if m:
                found.append([start, m.end(), category])
                next_free[category] = m.end()
    for category, rx in compiled_markers():
        found += [[m.start(), m.end(), category] for m in rx.finditer(text) if m.end() > m.start()]
    return sorted(found)


def test_corpus_markers_match_the_reference():
    for text in corpus_texts():
        assert find_markers(text) == reference_markers(text), text[:80]


@cache
def _phrase_words() -> list[str]:
    """Words and phrases of the lexicon, a sample of each category (deterministic)."""
    rng = random.Random(7)
    out = []
    for phrases in load_lexicon()["phrases"].values():
        sample = rng.sample(phrases, min(8, len(phrases)))
        out += sample + [re.match(r"\w+", p).group() for p in sample]
    return sorted(set(out))


_CASES = [str, str.upper, str.title, str.swapcase]
_LOOKALIKES = {"i": ["ı", "İ"], "I": ["İ"], "s": ["ſ"], "k": ["\u212a"], "K": ["\u212a"]}


@st.composite
def _phrase_texts(draw) -> str:
    words = draw(st.lists(st.sampled_from(_phrase_words() + _PIECES), max_size=25))
    out = []
    for w in words:
        w = draw(st.sampled_from(_CASES))(w)
        if draw(st.integers(0, 5)) == 0:  # a non-ASCII look-alike or letter in the word
            i = draw(st.integers(0, len(w)))
            extra = [x for c in w[i:i + 1] for x in _LOOKALIKES.get(c, [])] + ["é", "ß"]
            w = w[:i] + draw(st.sampled_from(extra)) + w[i + 1:]
        out.append(w + draw(st.sampled_from([" ", " ", "  ", "\n", "'", "’", "-", ", ", ". ",
                                              "", "–", "“", "”", "\u00a0", "…", "?"])))
    return "".join(out)


@settings(max_examples=400, deadline=None)
@given(_phrase_texts())
def test_random_phrase_texts_match_the_reference(text):
    assert find_markers(text) == reference_markers(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aZ_09 .,'’-\n\t–—“”…•£€\u00a0éİıſ\u212aß!\x1c")),
               max_size=60))
def test_word_runs_are_the_regex_runs(text):
    words, starts, _ = _runs(text, lower=False)
    runs = list(re.finditer(r"\w+", text))
    assert words == [m.group() for m in runs]
    assert starts == [m.start() for m in runs]


def test_no_marker_takes_the_whitespace_after_it():
    """A marker ending in whitespace reached past the end of its sentence, so a number ending
    a sentence was counted only when nothing followed it ("18/4" at the end of the text, but
    not "18/4 " or "18/4\\n")."""
    for text in ("Final interview booked: 18/4", "Final interview booked: 18/4 \nSigned",
                 "Reduce falls by 10 %, checked on 3 June.\n", "Down to 5 percent."):
        for s, e, _cat in find_markers(text):
            assert e > s and not text[s].isspace() and not text[e - 1].isspace(), text[s:e]
    plain, spaced = "Booked: 18/4\nSigned: PE", "Booked: 18/4 \nSigned: PE "
    assert [m for m in find_markers(plain) if m[2] == "number"] == \
        [m for m in find_markers(spaced) if m[2] == "number"]
    for text in corpus_texts()[::7]:
        assert not any(text[e - 1].isspace() for _s, e, _c in find_markers(text) if e > _s)


def test_lower_twins_match_as_the_regexes_do():
    """A regex's case-sensitive twin finds in the lower-cased text what the regex finds in
    the text, for texts taking the lower-case way; a regex that can tell case has none."""
    rng = random.Random(5)
    words = [*_PIECES, *_phrase_words(), "MR", "Dr", "Bed 4", "WARD 3", "Q3", "PM", "HRS"]
    case = [str, str.upper, str.title]
    texts = corpus_texts()[::40] + ["".join(
        rng.choice(case)(rng.choice(words)) + rng.choice(["", " ", "  ", "\n", "'", "-", ". "])
        + "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 2))) for _ in range(12))
        for _ in range(150)]
    texts = [text for text in texts if _runs(text, True)[2]]  # the lower-case way
    regexes = [rx for _, rx in compiled_markers()]
    regexes += [rx for entries in phrase_index().values() for _, rx, _ in entries][::5]
    for rx in regexes:
        twin = _lower_twin(rx)
        if twin is None:
            continue
        for text in texts:
            low = text.lower()
            for at in range(len(text)):
                m, t = rx.match(text, at), twin.match(low, at)
                assert (m and m.span()) == (t and t.span()), (rx.pattern, text, at)
    for source in ("Mr", "[!-Z]", r"(?-i:a)b", r"(a)\1", "\u212a"):
        assert _lower_twin(re.compile(source, re.IGNORECASE)) is None, source
    assert _lower_twin(re.compile(r"\bin\s+(?:jan|feb)[^'’]\d{1,2}(?![\w'’])", re.I))
