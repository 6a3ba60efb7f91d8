"""Fast paths of ``linear.py``'s n-gram hashing (third round) against the code they replace.

The REFERENCE here is ``_Hashes`` as it was before this round (``OldHashes``, with its
``OldCharGrams`` and ``OldTokens``, copied unchanged): ``char_wb`` split each text and looked
its words up in a table per n-gram range, ``word`` ran the token regex over each lower-cased
text and looked every token up. The fast paths are one table of lower-cased whitespace
words (``_Words``) that both analyzers share, holding each word's tokens and, per range, its
character n-gram hashes; the tokens' bytes gathered (not encoded again) for the bigrams; the
last batch's word ids kept for the next analyzer; and a text's word unigrams taken from its
word (1, 2) n-grams. Same hashes, in the same order, with the same sizes, and the same counts
from ``_counts``, on every corpus line and on generated texts (non-ASCII, case-changing
characters such as "İ", "ß" and a final sigma, empty and whitespace-only texts, very long
words and URLs), batch after batch in one process as the pipeline reads them.
"""

from __future__ import annotations

import re
import sys
from functools import cache
from itertools import accumulate, chain

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_texts import corpus_texts
from reflectassist import linear

OLD_CACHE_LIMIT = 200_000
OLD_TEXT_CACHE_LIMIT = 2048

# --------------------------------------------------------------------------- reference


class OldCharGrams:
    """Signed hashes of the ``char_wb`` n-grams of every word seen, for one n-gram range.
    Character n-grams never cross a word, so each distinct word is hashed once per process,
    and the new words of a batch all at once (``_murmur``: a Python call per n-gram was the
    largest cost of a first pass over new text). The hashes live in one growing array, word
    after word, so a batch's n-grams are gathered with one ``take`` (joining an array per
    word occurrence cost more than the hashing)."""

    def __init__(self, lo: int, hi: int) -> None:
        self.lo, self.hi = lo, hi
        self._grams: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self.ids = linear._Ids()
        self.arena = np.empty(1 << 16, np.int32)  # the hashes, word after word
        self.used = 0
        self.first = np.empty(1 << 12, np.intp)  # word id -> where its hashes start
        self.count = np.empty(1 << 12, np.intp)  # word id -> how many

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, word: str) -> bool:
        return word in self.ids

    def __getitem__(self, word: str) -> np.ndarray:
        i = self.ids[word]
        return self.arena[self.first[i]:self.first[i] + self.count[i]]

    def gather(self, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """The hashes of the words' n-grams, one word after another, and how many each has
        (new words are hashed first)."""
        ids = self.ids.lookup(words, self._hash)
        count = np.take(self.count, ids)
        ends = np.cumsum(count)
        at = np.arange(int(ends[-1]) if len(ends) else 0, dtype=np.intp)
        at += np.repeat(np.take(self.first, ids) - (ends - count), count)
        return np.take(self.arena, at), count

    def grams(self, size: int) -> tuple[np.ndarray, np.ndarray]:
        """(starts, lengths) of the n-grams of a padded word of ``size`` characters, as
        scikit-learn's ``_char_wb_ngrams`` lists them (the whole word once if shorter)."""
        got = self._grams.get(size)
        if got is None:
            starts: list[int] = []
            lengths: list[int] = []
            for n in range(self.lo, self.hi + 1):
                if n >= size:
                    starts.append(0)
                    lengths.append(size)
                    break
                starts += range(size - n + 1)
                lengths += [n] * (size - n + 1)
            got = self._grams[size] = (np.array(starts, np.intp), np.array(lengths, np.intp))
        return got

    def _hash(self, words: list[str]) -> None:
        """Hash the n-grams of new words (the last ids given)."""
        padded = "".join([f" {w} " for w in words])
        data = padded.encode("utf-8")  # a lone surrogate raises here, as in scikit-learn
        grams = [self.grams(len(w) + 2) for w in words]
        counts = [len(s) for s, _ in grams]
        offsets = np.zeros(len(words), np.intp)
        np.cumsum([len(w) + 2 for w in words[:-1]], out=offsets[1:])
        starts = np.concatenate([s for s, _ in grams]) + np.repeat(offsets, counts)
        lengths = np.concatenate([n for _, n in grams])
        hashes = linear._murmur_text(padded, starts, lengths, data)
        n_ids = len(self.ids) - len(words)
        while len(self.ids) > len(self.first):
            self.first = np.resize(self.first, 2 * len(self.first))
            self.count = np.resize(self.count, 2 * len(self.count))
        while self.used + len(hashes) > len(self.arena):
            self.arena = np.resize(self.arena, 2 * len(self.arena))
        self.arena[self.used:self.used + len(hashes)] = hashes
        self.count[n_ids:n_ids + len(words)] = counts
        self.first[n_ids:n_ids + len(words)] = self.used + np.cumsum(counts) - counts
        self.used += len(hashes)


class OldTokens:
    """The signed hash and the UTF-8 size of every word token seen, by token id: a batch's
    unigram hashes are one ``take``, and its bigrams' byte offsets in the joined tokens
    follow from the sizes (a text with one non-ASCII character no longer costs a pass over
    the whole batch to map character offsets to bytes)."""

    def __init__(self) -> None:
        self.ids = linear._Ids()
        self.hash = np.empty(1 << 12, np.int32)
        self.size = np.empty(1 << 12, np.intp)

    def __len__(self) -> int:
        return len(self.ids)

    def lookup(self, tokens: list[str]) -> np.ndarray:
        """The tokens' ids, new tokens hashed first."""
        return self.ids.lookup(tokens, self._hash)

    def _hash(self, new: list[str]) -> None:
        """The hashes and sizes of new tokens (the last ids given)."""
        data = [t.encode("utf-8") for t in new]
        while len(self.ids) > len(self.hash):
            self.hash = np.resize(self.hash, 2 * len(self.hash))
            self.size = np.resize(self.size, 2 * len(self.size))
        self.hash[len(self.ids) - len(data):len(self.ids)] = list(map(linear._MURMUR, data))
        self.size[len(self.ids) - len(data):len(self.ids)] = list(map(len, data))


class OldHashes:
    """Signed n-gram hashes (scikit-learn takes their absolute value), cached per text (the
    comments and targets scored after the element tagger are mostly its sentences again) and
    per word for ``char_wb``. Texts are hashed a batch at a time, as one array, to spare
    numpy calls per text."""

    def __init__(self) -> None:
        self.chars: dict[tuple[int, int], OldCharGrams] = {}
        self.split: dict[str, list[str]] = {}
        self.tokens = OldTokens()
        self.texts: dict[tuple[str, int, int], dict[str, np.ndarray]] = {}

    def clear(self) -> None:
        self.chars.clear()
        self.split.clear()
        self.tokens = OldTokens()
        self.texts.clear()

    def char_wb(self, texts: list[str], lo: int, hi: int) -> tuple[np.ndarray, list[int]]:
        """As ``analyzer="char_wb"``: n-grams inside space-padded words; (hashes, sizes)."""
        grams = self.chars.get((lo, hi))
        if grams is None or len(grams) > OLD_CACHE_LIMIT:
            grams = self.chars[lo, hi] = OldCharGrams(lo, hi)
        words = [t.lower().split() for t in texts]
        flat = list(chain.from_iterable(words))
        if not flat:
            return linear._NO_HASHES, [0] * len(texts)
        hashes, count = grams.gather(flat)
        ends = np.zeros(len(flat) + 1, np.intp)
        np.cumsum(count, out=ends[1:])
        ends = ends[list(accumulate(map(len, words), initial=0))]
        return hashes, (ends[1:] - ends[:-1]).tolist()

    def word(self, texts: list[str], lo: int, hi: int) -> tuple[np.ndarray, list[int]]:
        """As ``analyzer="word"`` with the default token pattern and lower-casing; the
        tokens are kept per text (a sentence is read again as its neighbour's context), and
        each distinct token's hash and UTF-8 size per process (``_Tokens``), so unigrams
        are looked up, not hashed. Longer n-grams are hashed in one vectorised pass over
        the tokens joined by spaces (an n-gram is a slice of those bytes)."""
        if len(self.split) > OLD_TEXT_CACHE_LIMIT:
            self.split.clear()
        if len(self.tokens) > OLD_CACHE_LIMIT:
            self.tokens = OldTokens()
        split, tokens = self.split, self.tokens
        per_text = []
        for t in texts:
            got = split.get(t)
            if got is None:
                got = split[t] = linear._TOKEN.findall(t.lower())
            per_text.append(got)
        counts = np.fromiter(map(len, per_text), np.intp, len(per_text))
        flat = list(chain.from_iterable(per_text))
        if not flat:
            return linear._NO_HASHES, [0] * len(texts)
        ids = tokens.lookup(flat)
        text_of = np.repeat(np.arange(len(texts)), counts)  # each token's text
        grams, gram_text = [], []
        if lo == 1:
            grams.append(np.take(tokens.hash, ids))
            gram_text.append(text_of)
        if hi > 1 and len(flat) > 1:
            size = np.take(tokens.size, ids)  # UTF-8 bytes
            starts = np.zeros(len(flat), np.intp)
            np.cumsum(size[:-1] + 1, out=starts[1:])
            ends = starts + size
            joined = " ".join(flat).encode("utf-8")
            for n in range(max(lo, 2), min(hi, len(flat)) + 1):
                # n tokens from token i on, all in token i's text
                keep = np.flatnonzero(text_of[n - 1:] == text_of[:len(flat) - n + 1])
                at = np.take(starts, keep)
                grams.append(linear._murmur_bytes(joined, at, np.take(ends, keep + n - 1) - at))
                gram_text.append(np.take(text_of, keep))
        if not grams:
            return linear._NO_HASHES, [0] * len(texts)
        hashes, which = np.concatenate(grams), np.concatenate(gram_text)
        if len(grams) > 1:
            hashes = np.take(hashes, np.argsort(which, kind="stable"))  # per text, in order
        sizes = np.bincount(which, minlength=len(texts)).tolist()
        return hashes, sizes

    def batch(self, texts: tuple[str, ...], analyzer: str, lo: int,
              hi: int) -> tuple[np.ndarray, list[int]]:
        """The texts' n-gram hashes one text after another, and how many each text has."""
        cache = self.texts.setdefault((analyzer, lo, hi), {})
        if len(cache) + len(texts) > OLD_TEXT_CACHE_LIMIT:
            cache.clear()  # before hashing, so that the batch stays cached for the next model
        got = list(map(cache.get, texts))
        missing = [i for i, hs in enumerate(got) if hs is None]
        if missing:
            new = [texts[i] for i in missing]
            flat, sizes = (self.char_wb if analyzer == "char_wb" else self.word)(new, lo, hi)
            start = 0
            for i, t, end in zip(missing, new, accumulate(sizes), strict=True):
                got[i] = cache[t] = flat[start:end]
                start = end
            if len(missing) == len(texts):
                return flat, sizes
        return np.concatenate(got), list(map(len, got))


# --------------------------------------------------------------------------- comparing

PARTS = (("word", 1, 2, 2 ** 18), ("char_wb", 2, 5, 2 ** 18), ("word", 1, 1, 2 ** 16))
OTHER_PARTS = (("word", 2, 3, 1000), ("word", 1, 3, 2 ** 18), ("char_wb", 1, 3, 2 ** 18),
               ("char_wb", 4, 7, 2 ** 18), ("word", 2, 2, 2 ** 16))  # 4-7: words under lo


def assert_batch_equal(new: linear._Hashes, old: OldHashes, texts: tuple[str, ...],
                       analyzer: str, lo: int, hi: int) -> None:
    got, got_sizes = new.batch(texts, analyzer, lo, hi)
    want, want_sizes = old.batch(texts, analyzer, lo, hi)
    assert got_sizes == want_sizes
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


def assert_counts_equal(new: linear._Hashes, old: OldHashes, texts: tuple[str, ...],
                        analyzer: str, lo: int, hi: int, n: int, monkeypatch) -> None:
    """``_counts`` (unchanged) over the new hashes and over the old ones."""
    monkeypatch.setattr(linear, "HASHES", old)
    want = linear._counts(texts, analyzer, lo, hi, n)
    monkeypatch.setattr(linear, "HASHES", new)
    got = linear._counts(texts, analyzer, lo, hi, n)
    for g, w in ((got.r, want.r), (got.c, want.c), (got.counts, want.counts)):
        assert g.dtype == w.dtype
        np.testing.assert_array_equal(g, w)


def read_as_the_pipeline(new: linear._Hashes, old: OldHashes, batch: tuple[str, ...],
                         parts=PARTS) -> None:
    """A batch's sentences through every part, then their contexts (neighbours joined,
    mostly the sentences themselves) as the context column, then a few of them again with
    new texts as comments, and the sentences once more (all cached)."""
    contexts = tuple(b if i % 3 else " ".join(batch[i:i + 2])
                     for i, b in enumerate(batch))
    comments = tuple(chain.from_iterable((t, t.upper()) for t in batch[::5]))
    for texts in (batch, contexts, comments, batch):
        for analyzer, lo, hi, _ in parts:
            assert_batch_equal(new, old, texts, analyzer, lo, hi)


@cache
def corpus_lines() -> tuple[str, ...]:
    """Every distinct line of the corpora, and every distinct sentence-like piece of them."""
    lines = dict.fromkeys(line for t in corpus_texts() for line in t.splitlines())
    pieces = dict.fromkeys(p for line in lines for p in re.split(r"(?<=[.!?])\s+", line))
    return tuple(dict.fromkeys(chain(lines, pieces)))


@cache
def corpus_batches(size: int = 700) -> tuple[tuple[str, ...], ...]:
    lines = corpus_lines()
    return tuple(tuple(lines[i:i + size]) for i in range(0, len(lines), size))


# --------------------------------------------------------------------------- corpus

def test_no_whitespace_character_is_a_word_character():
    """Why a text's tokens are its whitespace words' tokens: the token pattern's ``\\w``
    never matches a character ``str.split`` splits at."""
    word = re.compile(r"\w")
    for c in map(chr, range(sys.maxunicode + 1)):
        if c.isspace():
            assert not word.match(c), hex(ord(c))


def test_hashes_of_every_corpus_line_equal_the_old_hashing():
    """Batch after batch in one process (the tables warm up as they go), every part."""
    new, old = linear._Hashes(), OldHashes()
    batches = corpus_batches()
    assert sum(map(len, batches)) > 20_000
    for batch in batches:
        read_as_the_pipeline(new, old, batch)


def test_other_ranges_of_corpus_lines_equal_the_old_hashing():
    new, old = linear._Hashes(), OldHashes()
    for batch in corpus_batches()[::5]:
        read_as_the_pipeline(new, old, batch, OTHER_PARTS + PARTS)


def test_counts_of_corpus_lines_equal_the_old_counts(monkeypatch):
    new, old = linear._Hashes(), OldHashes()
    for batch in corpus_batches()[::3]:
        for part in PARTS + OTHER_PARTS:
            assert_counts_equal(new, old, batch, *part, monkeypatch)
            assert_counts_equal(new, old, batch[1:] + batch[:1], *part, monkeypatch)


def test_whole_corpus_texts_equal_the_old_hashing():
    """Whole texts (many lines, long words, URLs) as single rows."""
    new, old = linear._Hashes(), OldHashes()
    texts = corpus_texts()
    for i in range(0, len(texts), 400):
        read_as_the_pipeline(new, old, tuple(texts[i:i + 400]))


def test_tables_starting_again_when_full_change_nothing(monkeypatch):
    """Past ``_CACHE_LIMIT`` words or tokens the tables start again, mid-run."""
    monkeypatch.setattr(linear, "_CACHE_LIMIT", 300)
    new, old = linear._Hashes(), OldHashes()
    for batch in corpus_batches()[:4]:
        for i in range(0, len(batch), 150):
            read_as_the_pipeline(new, old, batch[i:i + 200])


# --------------------------------------------------------------------------- generated

PIECES = ("the", "The", "plan", "I", "a", "x", "_", "__init__", "a_b", "12", "3rd", "é", "É",
          "École", "naïve", "İ", "İstanbul", "ISTANBUL", "ı", "ß", "ẞ", "STRASSE", "ﬁne", "ﬀ",
          "Σ", "ΟΔΟΣ", "ΟΔΟΣ.", "σς", "ǅ", "日本語", "🙂", "²", "\u212a", "\u0130\u0130",
          "don't", "don’t", "e.g.", "well-being", "https://example.org/" + "a" * 70,
          "https://example.org/path?q=1&r=two#frag", "é" * 40, "x" * 300, "İ" * 30, "-", "–",
          ".", ",", "\u0307", "a\u0301")
GAPS = (" ", " ", "  ", "", "\t", "\n", "\r\n", ". ", ", ", "\u00a0", "\u2028", "\u3000",
        "\x1c", "\x85", "'", "-", "/", "_")


def generated_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.lists(st.tuples(st.sampled_from(PIECES), st.sampled_from(GAPS)), max_size=14)
        .map(lambda parts: "".join(p + g for p, g in parts)),
        st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
        st.text(alphabet=st.sampled_from(" \t\n\u00a0\u2028\u3000\x1c"), max_size=5),
        st.sampled_from(("", " ", "İ", "ß", "ΟΔΟΣ ΟΔΟΣ", "x" * 2000)))


def generated_batches() -> st.SearchStrategy[list[tuple[str, ...]]]:
    return st.lists(st.lists(generated_text(), min_size=1, max_size=10).map(tuple),
                    min_size=1, max_size=5)


@settings(max_examples=300, deadline=None)
@given(generated_batches())
def test_hashes_of_generated_texts_equal_the_old_hashing(batches):
    new, old = linear._Hashes(), OldHashes()
    for batch in batches:
        read_as_the_pipeline(new, old, batch, PARTS + OTHER_PARTS)


@settings(max_examples=150, deadline=None)
@given(generated_batches())
def test_counts_of_generated_texts_equal_the_old_counts(batches):
    with pytest.MonkeyPatch.context() as monkeypatch:
        new, old = linear._Hashes(), OldHashes()
        for batch in batches:
            for part in PARTS + (("word", 1, 2, 2 ** 4), ("char_wb", 2, 5, 1000)):
                assert_counts_equal(new, old, batch, *part, monkeypatch)


def outcome(hashes, texts: tuple[str, ...], analyzer: str, lo: int, hi: int):
    try:
        got, sizes = hashes.batch(texts, analyzer, lo, hi)
    except UnicodeEncodeError:
        return "raised"
    return got.tolist(), sizes


@settings(max_examples=100, deadline=None)
@given(generated_batches(), st.sampled_from(("\ud800", "a\udfffb", "\udc80\udc80")),
       st.integers(0, 3))
def test_lone_surrogates_raise_where_they_raised_and_leave_nothing_half_done(
        batches, surrogate, where):
    """A text with a lone surrogate raises (or not) as before in each part, and every
    batch after it, with or without that text, is hashed as before."""
    new, old = linear._Hashes(), OldHashes()
    bad = (*batches[0], f"odd {surrogate} text")
    for batch in (*batches[:where], bad, *batches[where:], bad, batches[0]):
        for analyzer, lo, hi, _ in PARTS:
            want = outcome(old, batch, analyzer, lo, hi)
            assert outcome(new, batch, analyzer, lo, hi) == want


def test_char_grams_read_by_word_id_equal_the_old_table():
    """``_CharGrams`` read through ``_Words``' ids, in overlapping parts, gives the old
    table's hashes and counts."""
    words = list(dict.fromkeys(w for line in corpus_batches()[0] for w in line.lower().split()))
    table, old = linear._Words(), OldCharGrams(2, 5)
    for part in (words[:500], words[250:], words):
        got = table.char_grams(2, 5).gather_ids(table.lookup(part))
        for g, w in zip(got, old.gather(part), strict=True):
            np.testing.assert_array_equal(g, w)
