"""Fast paths of ``linear.py``'s n-gram counting against the plain code they replace.

The REFERENCE here is the counting as it was before the speed-ups, written plainly: every
n-gram listed as scikit-learn's analyzers list it and hashed with ``mmh3`` one by one (the
old batch hashing of words over the joined text is kept too), then ``np.unique`` of the
(row, column) keys. The fast paths are a per-row sort of the keys (``_sorted_in_rows``),
word unigrams looked up per token (``_Tokens``) with bigrams hashed at byte offsets, and
int32 keys throughout. Equal counts mean equal floats downstream (the TF-IDF and products
code is unchanged). They run on every line of the corpora, in batches, and on generated
texts with multibyte characters, underscores, digits, long tokens and empty texts.
"""

from __future__ import annotations

from functools import cache
from itertools import chain

import mmh3
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_texts import corpus_texts
from reflectassist import linear

# --------------------------------------------------------------------------- references


def reference_grams(text: str, analyzer: str, lo: int, hi: int) -> list[str]:
    """The n-grams scikit-learn's analyzer lists for ``text`` (lower-cased)."""
    text = text.lower()
    if analyzer == "char_wb":
        return list(chain.from_iterable(word_grams(w, lo, hi) for w in text.split()))
    tokens = linear._TOKEN.findall(text)
    return [" ".join(tokens[i:i + n]) for n in range(lo, hi + 1)
            for i in range(len(tokens) - n + 1)]


@cache
def word_grams(word: str, lo: int, hi: int) -> tuple[str, ...]:
    """The ``char_wb`` n-grams of one word, as scikit-learn's ``_char_wb_ngrams``."""
    padded = f" {word} "
    grams = []
    for n in range(lo, hi + 1):
        if n >= len(padded):
            grams.append(padded)
            break
        grams += [padded[i:i + n] for i in range(len(padded) - n + 1)]
    return tuple(grams)


@cache
def reference_hash(gram: str) -> int:
    return mmh3.hash(gram.encode("utf-8"), 0, True)


def reference_counts(texts, analyzer: str, lo: int, hi: int, n: int) -> tuple[np.ndarray, ...]:
    """(row, column, count), sorted by row then column, as the old ``_counts`` gave them."""
    keys = [i * n + abs(reference_hash(g)) % n
            for i, t in enumerate(texts) for g in reference_grams(t, analyzer, lo, hi)]
    keys, counts = np.unique(np.array(keys, np.int64), return_counts=True)
    return keys // n, keys % n, counts


def reference_word(texts: list[str], lo: int, hi: int) -> tuple[np.ndarray, list[int]]:
    """The old ``_Hashes.word``: every n-gram of the batch hashed at character offsets in the
    tokens joined by spaces."""
    per_text = [linear._TOKEN.findall(t.lower()) for t in texts]
    counts = np.fromiter(map(len, per_text), np.intp, len(per_text))
    flat = list(chain.from_iterable(per_text))
    if not flat:
        return np.zeros(0, np.int64), [0] * len(texts)
    lengths = np.fromiter(map(len, flat), np.intp, len(flat))
    starts = np.zeros(len(flat), np.intp)
    np.cumsum(lengths[:-1] + 1, out=starts[1:])
    text_of = np.repeat(np.arange(len(texts)), counts)
    ends = starts + lengths
    gram_starts, gram_ends, gram_text = [], [], []
    for n in range(lo, hi + 1):
        if n > len(flat):
            break
        if n > 1:
            keep = np.flatnonzero(text_of[n - 1:] == text_of[:len(flat) - n + 1])
            gram_starts.append(starts[keep])
            gram_ends.append(ends[keep + n - 1])
            gram_text.append(text_of[keep])
        else:
            gram_starts.append(starts)
            gram_ends.append(ends)
            gram_text.append(text_of)
    if not gram_starts:  # (the old code raised here: fewer tokens than ``lo``)
        return np.zeros(0, np.int64), [0] * len(texts)
    s, e, which = (np.concatenate(a) for a in (gram_starts, gram_ends, gram_text))
    order = np.argsort(which, kind="stable")
    hashes = linear._murmur_text(" ".join(flat), s[order], (e - s)[order])
    return hashes.astype(np.int64), np.bincount(which, minlength=len(texts)).tolist()


def assert_counts_equal(texts, analyzer: str, lo: int, hi: int, n: int) -> None:
    got = linear._counts(tuple(texts), analyzer, lo, hi, n)
    want = reference_counts(texts, analyzer, lo, hi, n)
    for g, w in zip((got.r, got.c, got.counts), want, strict=True):
        np.testing.assert_array_equal(g, w)
    starts, present = linear._row_starts(want[0])
    np.testing.assert_array_equal(got.starts, starts)
    np.testing.assert_array_equal(got.present, present)


@pytest.fixture
def fresh_hashes(monkeypatch):
    """A fresh hash cache, so each test starts cold and warms it up itself."""
    monkeypatch.setattr(linear, "HASHES", linear._Hashes())


@cache
def corpus_batches(size: int = 600) -> tuple[tuple[str, ...], ...]:
    """Every distinct line of the corpora, in batches as the element tagger scores them."""
    lines = list(dict.fromkeys(line for t in corpus_texts() for line in t.splitlines()))
    return tuple(tuple(lines[i:i + size]) for i in range(0, len(lines), size))


# --------------------------------------------------------------------------- corpus

PARTS = (("word", 1, 2, 2 ** 18), ("char_wb", 2, 5, 2 ** 18), ("word", 1, 1, 2 ** 16))


@pytest.mark.parametrize("part", PARTS)
def test_counts_of_every_corpus_line_equal_the_references(part, fresh_hashes):
    """Each batch is counted cold (new tokens and words), then again with every cache warm
    (the texts' hashes kept), then shifted by one line (tokens known, texts new)."""
    batches = corpus_batches()
    assert sum(map(len, batches)) > 10_000
    for batch in batches:
        assert_counts_equal(batch, *part)
        assert_counts_equal(batch, *part)
        assert_counts_equal(batch[1:] + batch[:1], *part)


def test_word_hashes_of_corpus_lines_equal_the_old_batch_hashing(fresh_hashes):
    """Same hashes in the same order, per text, as the old hashing at character offsets."""
    for lo, hi in ((1, 1), (1, 2), (2, 2), (1, 3), (2, 3)):
        hashes = linear._Hashes()
        for batch in corpus_batches()[::4]:
            got, sizes = hashes.word(list(batch), lo, hi)
            want, want_sizes = reference_word(list(batch), lo, hi)
            assert sizes == want_sizes
            np.testing.assert_array_equal(got, want)


def test_counts_with_other_widths_equal_the_references(fresh_hashes):
    """A width that is not a power of two (``%``) and a batch too wide for int32 keys."""
    batch = corpus_batches()[3]
    for analyzer, lo, hi in (("word", 1, 2), ("char_wb", 2, 5)):
        assert_counts_equal(batch, analyzer, lo, hi, 1000)
        assert_counts_equal(batch[:300], analyzer, lo, hi, 2 ** 23)  # 300 * 2**23 > 2**31


def test_token_table_starts_again_when_full(fresh_hashes, monkeypatch):
    """Past ``_CACHE_LIMIT`` tokens (or words) the tables start again; counts stay right."""
    monkeypatch.setattr(linear, "_CACHE_LIMIT", 50)
    for batch in corpus_batches()[:3]:
        for part in PARTS:
            assert_counts_equal(batch[:80], *part)
            assert_counts_equal(batch[40:120], *part)


# --------------------------------------------------------------------------- generated

PIECES = ("the", "The", "plan", "I", "a", "x", "_", "__init__", "a_b", "12", "3rd", "é",
          "École", "naïve", "İstanbul", "ß", "ﬁne", "Σ", "ΟΔΟΣ", "日本語", "🙂", "²", "\u212a",
          "don't", "don’t", "https://example.org/" + "a" * 70, "é" * 40, "-", "–", ".", ",")
GAPS = (" ", " ", "  ", "", "\t", "\n", ". ", ", ", "\u00a0", "\u2028", "'", "-", "/")


def generated_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.lists(st.tuples(st.sampled_from(PIECES), st.sampled_from(GAPS)), max_size=14)
        .map(lambda parts: "".join(p + g for p, g in parts)),
        st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))


@settings(max_examples=300, deadline=None)
@given(st.lists(generated_text(), min_size=1, max_size=12),
       st.sampled_from(((1, 2), (1, 1), (2, 3), (1, 3), (3, 3))))
def test_word_counts_of_generated_texts_equal_the_references(texts, ngrams):
    for n in (2 ** 18, 2 ** 4, 1000):
        assert_counts_equal(texts, "word", *ngrams, n)
    got, sizes = linear.HASHES.word(texts, *ngrams)
    want, want_sizes = reference_word(texts, *ngrams)
    assert sizes == want_sizes
    np.testing.assert_array_equal(got, want)


@settings(max_examples=300, deadline=None)
@given(st.lists(generated_text(), min_size=1, max_size=12),
       st.sampled_from(((2, 5), (1, 3), (3, 3))))
def test_char_counts_of_generated_texts_equal_the_references(texts, ngrams):
    for n in (2 ** 18, 2 ** 4, 1000):
        assert_counts_equal(texts, "char_wb", *ngrams, n)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 300), min_size=1, max_size=200), st.integers(1, 2 ** 18),
       st.sampled_from((np.int32, np.int64)), st.randoms(use_true_random=False))
def test_sorting_each_row_is_sorting_the_whole(sizes, width, dtype, rnd):
    """Keys in row order (row * width + column), sorted row by row, equal ``np.sort``: rows
    of any size (empty ones, more rows than a sort group, one large row among small ones)."""
    keys = np.array([i * width + rnd.randrange(width) for i, s in enumerate(sizes)
                     for _ in range(s)], dtype)
    if not len(keys):
        return
    got = linear._sorted_in_rows(keys, np.array(sizes, np.intp))
    assert got.dtype == keys.dtype
    np.testing.assert_array_equal(got, np.sort(keys))


def test_one_long_row_among_short_ones_is_not_padded():
    """63 short rows and one very long one: sorted as a whole, not as 64 rows padded to the
    long one's width (which took 285 MB and five times as long for a 60,000-word text)."""
    import tracemalloc

    rnd = np.random.default_rng(3)
    sizes = [5] * 63 + [200_000]
    width = 2 ** 18
    keys = np.concatenate([i * width + rnd.integers(0, width, s) for i, s in enumerate(sizes)])
    keys = keys.astype(np.int32)
    tracemalloc.start()
    try:
        got = linear._sorted_in_rows(keys, np.array(sizes, np.intp))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    np.testing.assert_array_equal(got, np.sort(keys))
    assert peak < 4 * keys.nbytes, peak


def test_a_batch_that_cannot_be_encoded_leaves_no_half_added_words(fresh_hashes):
    """A lone surrogate raises (as in scikit-learn) while the batch's new words are hashed;
    those words are forgotten, so the next batch, with the same new words, counts right."""
    with pytest.raises(UnicodeEncodeError):
        linear._counts(("plan ahead", "odd \ud800 text"), "char_wb", 2, 5, 2 ** 18)
    assert_counts_equal(("plan ahead", "odd text"), "char_wb", 2, 5, 2 ** 18)

