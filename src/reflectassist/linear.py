"""Linear models as plain arrays: compiled from fitted scikit-learn pipelines at training time,
run with numpy alone at analysis time.

Why: every model we ship is hashed n-gram TF-IDF (plus a few named features) into a linear
classifier. Keeping only the arrays (coefficients, IDF weights, calibration constants) and a
JSON description means that (1) loading a model can never execute code (``np.load`` with
``allow_pickle=False``), (2) the CLI does not import scikit-learn, SciPy or skops at start-up,
and (3) the n-gram hashes of a sentence are computed once and shared by every model that
reads it. ``compile_pipeline`` reproduces scikit-learn's ``predict_proba`` to within
floating-point rounding (tested against the fitted pipelines).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from functools import lru_cache
from itertools import accumulate, chain
from typing import Any

import mmh3
import numpy as np

# The tokens of scikit-learn's default token_pattern r"(?u)\b\w\w+\b", found faster: a greedy
# run of word characters that starts where a run starts always ends where it ends.
_TOKEN = re.compile(r"\w\w+")
_CACHE_LIMIT = 200_000


# ------------------------------------------------------------------------------- hashing

_MURMUR = mmh3.hash  # signed murmurhash3_32, seed 0; a str is hashed as its UTF-8 bytes


def _hash(feature: str) -> int:
    """scikit-learn's ``HashingVectorizer`` bucket before the modulo: |murmurhash3_32| (seed 0)."""
    return abs(mmh3.hash(feature.encode("utf-8"), 0, True))


class _Ids(dict):
    """key -> id, in the order first looked up: looking up a new key gives it the next id
    and lists it in ``new`` (so known keys cost one dict lookup, with no separate pass to
    find the new ones)."""

    def __init__(self) -> None:
        super().__init__()
        self.new: list[str] = []

    def __missing__(self, key: str) -> int:
        i = self[key] = len(self)
        self.new.append(key)
        return i

    def lookup(self, keys: list[str], register: Callable[[list[str]], None]) -> np.ndarray:
        """The keys' ids; ``register`` is called with the keys seen for the first time (their
        ids are the last ones), which are forgotten again if it raises (on a lone surrogate),
        so that no later batch reads what it left half done."""
        ids = np.fromiter(map(self.__getitem__, keys), np.intp, len(keys))
        new = self.new
        if new:
            try:
                register(new)
            except BaseException:
                for key in new:
                    del self[key]
                raise
            finally:
                new.clear()
        return ids


def _gather(arena: np.ndarray, first: np.ndarray, count: np.ndarray,
            ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The arena's pieces of the ids (piece i is ``arena[first[i]:first[i] + count[i]]``),
    one after another, and their sizes: one ``take``, not an array joined per piece."""
    count = np.take(count, ids)
    ends = np.cumsum(count)
    at = np.arange(int(ends[-1]) if len(ends) else 0, dtype=np.intp)
    at += np.repeat(np.take(first, ids) - (ends - count), count)
    return np.take(arena, at), count


class _CharGrams:
    """Signed hashes of the ``char_wb`` n-grams of the words of ``_Words``, for one n-gram
    range, by word id. Character n-grams never cross a word, so each distinct word is hashed
    once per process, and the new words of a batch all at once (``_murmur``: a Python call
    per n-gram was the largest cost of a first pass over new text). The hashes live in one
    growing array, word after word, so a batch's n-grams are gathered with one ``take``.
    A word is hashed when a batch first needs it (count -1 until then), so a word that
    cannot be encoded (a lone surrogate) raises in every batch that has it, and in no other.
    ``words`` is ``_Words``' list of its words by id."""

    def __init__(self, lo: int, hi: int, words: list[str]) -> None:
        self.lo, self.hi = lo, hi
        self.words = words  # id -> word
        self.arena = np.empty(1 << 16, np.int32)  # the hashes, word after word
        self.used = 0
        self.first = np.empty(0, np.intp)  # word id -> where its hashes start
        self.count = np.empty(0, np.intp)  # word id -> how many, -1 if not hashed yet

    def gather_ids(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The hashes of the n-grams of the words ``ids``, one word after another, and how
        many each has (words not hashed yet are hashed first)."""
        words = self.words
        if len(words) > len(self.count):
            size = max(len(words), 2 * len(self.count), 1 << 12)
            known = len(self.count)
            self.first = np.resize(self.first, size)
            self.count = np.resize(self.count, size)
            self.count[known:] = -1
        todo = np.take(self.count, ids) < 0
        if todo.any():
            self._hash(np.unique(ids[todo]).tolist())
        return _gather(self.arena, self.first, self.count, ids)

    def grams(self, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(starts, lengths) of the n-grams of padded words of ``sizes`` characters laid end
        to end, as scikit-learn's ``_char_wb_ngrams`` lists them, and how many each word
        has: for each n from ``lo``, the n-grams at every offset, until n reaches the padded
        word's size: then the whole word once and no longer n-grams. Computed for all the
        words at once (a Python list per word was a third of the cost of hashing new words)."""
        n = np.arange(self.lo, self.hi + 1)
        size = sizes[:, None]
        count = np.where(n <= size, size - n + 1, n == self.lo).ravel()  # word by word, n by n
        ends = np.cumsum(count)
        word_start = np.repeat(np.cumsum(sizes) - sizes, len(n))
        starts = np.arange(int(ends[-1]), dtype=np.intp)
        starts -= np.repeat(ends - count - word_start, count)
        lengths = np.repeat(np.minimum(n, size).ravel(), count)
        return starts, lengths, count.reshape(len(sizes), len(n)).sum(axis=1)

    def _hash(self, ids: list[int]) -> None:
        """Hash the n-grams of the words ``ids``; nothing is kept if one cannot be encoded."""
        new = [self.words[i] for i in ids]
        padded = "".join([f" {w} " for w in new])
        data = padded.encode("utf-8")  # a lone surrogate raises here, as in scikit-learn
        sizes = np.fromiter(map(len, new), np.intp, len(new)) + 2
        starts, lengths, counts = self.grams(sizes)
        hashes = _murmur_text(padded, starts, lengths, data)
        while self.used + len(hashes) > len(self.arena):
            self.arena = np.resize(self.arena, 2 * len(self.arena))
        self.arena[self.used:self.used + len(hashes)] = hashes
        self.count[ids] = counts
        self.first[ids] = self.used + np.cumsum(counts) - counts
        self.used += len(hashes)


_LONG = 64  # bytes: longer n-grams (a URL bigram) are hashed one by one, not in the loop


def _murmur_text(text: str, starts: np.ndarray, lengths: np.ndarray,
                 data: bytes | None = None) -> np.ndarray:
    """Signed murmurhash3_32 (seed 0) of the UTF-8 bytes of ``text[s:s + n]`` for each
    character offset s and length n (``data``: ``text`` already encoded)."""
    if data is None:
        data = text.encode("utf-8")
    if len(data) != len(text):  # not ASCII: character offsets -> UTF-8 byte offsets
        code = np.frombuffer(text.encode("utf-32-le"), np.uint32)
        at = np.zeros(len(code) + 1, np.intp)
        np.cumsum(1 + (code >= 0x80) + (code >= 0x800) + (code >= 0x10000), out=at[1:])
        starts, lengths = at[starts], at[starts + lengths] - at[starts]
    return _murmur_bytes(data, starts, lengths)


def _murmur_bytes(data: bytes, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Signed murmurhash3_32 (seed 0) of ``data[s:s + n]`` for each byte offset s and
    length n, the few long ones one by one."""
    long = np.flatnonzero(lengths > _LONG)
    if not len(long):
        return _murmur(data, starts, lengths)
    short = lengths <= _LONG
    out = np.empty(len(starts), np.int32)
    out[short] = _murmur(data, starts[short], lengths[short])
    out[long] = [_MURMUR(data[a:a + n]) for a, n in zip(starts[long].tolist(),
                                                         lengths[long].tolist(), strict=True)]
    return out


_C1, _C2 = np.uint32(0xCC9E2D51), np.uint32(0x1B873593)
_TAIL = np.array([0, 0xFF, 0xFFFF, 0xFFFFFF], np.uint32)  # the bytes after the last full block


def _rotl(x: np.ndarray, r: int) -> np.ndarray:
    return (x << np.uint32(r)) | (x >> np.uint32(32 - r))


def _murmur(data: bytes, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Signed murmurhash3_32 (seed 0) of ``data[s:s + n]`` for each start s and length n:
    ``mmh3.hash`` vectorised (uint32 arithmetic wraps around as the C code does)."""
    b = np.frombuffer(data + bytes(4), np.uint8).astype(np.uint32)
    blocks = b[:-3] | b[1:-2] << 8 | b[2:-1] << 16 | b[3:] << 24  # little-endian, each offset
    h = np.zeros(len(starts), np.uint32)
    full = lengths >> 2
    for i in range(int(full.max()) if len(full) else 0):
        k = _rotl(np.take(blocks, starts + 4 * i, mode="clip") * _C1, 15) * _C2
        h = np.where(full > i, _rotl(h ^ k, 13) * np.uint32(5) + np.uint32(0xE6546B64), h)
    tail = np.take(blocks, starts + 4 * full) & _TAIL[lengths & 3]
    h ^= _rotl(tail * _C1, 15) * _C2
    h ^= lengths.astype(np.uint32)
    h ^= h >> 16
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> 13
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> 16
    return h.view(np.int32)


class _Tokens:
    """The signed hash, the UTF-8 size and the UTF-8 bytes (followed by a space) of every
    word token seen, by token id: a batch's unigram hashes are one ``take``, and its tokens
    joined by spaces, whose slices its bigrams are, one gather of those bytes."""

    def __init__(self) -> None:
        self.ids = _Ids()
        self.hash = np.empty(1 << 12, np.int32)
        self.span = np.empty(1 << 12, np.intp)  # UTF-8 size + 1 (the space)
        self.first = np.empty(1 << 12, np.intp)  # where its bytes start in ``data``
        self.data = np.empty(1 << 16, np.uint8)
        self.used = 0

    def __len__(self) -> int:
        return len(self.ids)

    def lookup(self, tokens: list[str]) -> np.ndarray:
        """The tokens' ids, new tokens hashed first."""
        return self.ids.lookup(tokens, self._hash)

    def _hash(self, new: list[str]) -> None:
        """The hashes, sizes and bytes of new tokens (the last ids given)."""
        data = [t.encode("utf-8") for t in new]  # a lone surrogate raises here
        joined = np.frombuffer(b" ".join(data) + b" ", np.uint8)
        while len(self.ids) > len(self.hash):
            self.hash = np.resize(self.hash, 2 * len(self.hash))
            self.span = np.resize(self.span, 2 * len(self.span))
            self.first = np.resize(self.first, 2 * len(self.first))
        while self.used + len(joined) > len(self.data):
            self.data = np.resize(self.data, 2 * len(self.data))
        at = slice(len(self.ids) - len(data), len(self.ids))
        self.hash[at] = list(map(_MURMUR, data))
        span = np.fromiter(map(len, data), np.intp, len(data)) + 1
        self.span[at] = span
        self.first[at] = self.used + np.cumsum(span) - span
        self.data[self.used:self.used + len(joined)] = joined
        self.used += len(joined)


class _Words:
    """Every distinct lower-cased whitespace word seen, by id, with its word tokens (token
    ids, word after word) and, per ``char_wb`` range, its n-gram hashes. scikit-learn's
    token pattern never matches across whitespace (no whitespace character is ``\\w``), so a
    text's tokens are its words' tokens: splitting a text and looking its words up once
    serves both analyzers, and the regex runs once per distinct word, not per text."""

    def __init__(self) -> None:
        self.ids = _Ids()
        self.words: list[str] = []  # id -> word
        self.tokens = _Tokens()
        self.tok = np.empty(1 << 14, np.intp)  # token ids, word after word
        self.tok_first = np.empty(1 << 12, np.intp)  # word id -> where its tokens start
        self.tok_count = np.empty(1 << 12, np.intp)  # word id -> how many
        self.used = 0
        self.chars: dict[tuple[int, int], _CharGrams] = {}

    def __len__(self) -> int:
        return len(self.ids)

    def lookup(self, words: list[str]) -> np.ndarray:
        """The words' ids, the tokens of new words found first."""
        return self.ids.lookup(words, self._add)

    def char_grams(self, lo: int, hi: int) -> _CharGrams:
        grams = self.chars.get((lo, hi))
        if grams is None:
            grams = self.chars[lo, hi] = _CharGrams(lo, hi, self.words)
        return grams

    def _add(self, new: list[str]) -> None:
        """The tokens of new words (the last ids given); a token that cannot be encoded
        raises before anything is kept."""
        per_word = [_TOKEN.findall(w) for w in new]
        tok = self.tokens.lookup(list(chain.from_iterable(per_word)))
        count = np.fromiter(map(len, per_word), np.intp, len(new))
        while len(self.ids) > len(self.tok_first):
            self.tok_first = np.resize(self.tok_first, 2 * len(self.tok_first))
            self.tok_count = np.resize(self.tok_count, 2 * len(self.tok_count))
        while self.used + len(tok) > len(self.tok):
            self.tok = np.resize(self.tok, 2 * len(self.tok))
        at = slice(len(self.ids) - len(new), len(self.ids))
        self.tok_count[at] = count
        self.tok_first[at] = self.used + np.cumsum(count) - count
        self.tok[self.used:self.used + len(tok)] = tok
        self.used += len(tok)
        self.words += new


class _Hashes:
    """Signed n-gram hashes (scikit-learn takes their absolute value), cached per text (the
    comments and targets scored after the element tagger are mostly its sentences again)
    and per word (``_Words``). Texts are hashed a batch at a time, as one array, to spare
    numpy calls per text."""

    def __init__(self) -> None:
        self.words = _Words()
        self.texts: dict[tuple[str, int, int], dict[str, np.ndarray]] = {}
        self.last: tuple[tuple[str, ...], np.ndarray, np.ndarray] | None = None

    def clear(self) -> None:
        self.words = _Words()
        self.texts.clear()
        self.last = None

    def word_ids(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """The ids of the texts' lower-cased whitespace words, one text after another, and
        how many each text has. The last batch's are kept: every model reading a column
        reads both analyzers' n-grams of the same texts in turn."""
        key = tuple(texts)
        last = self.last
        if last is not None and last[0] == key:
            return last[1], last[2]
        self.last = None  # (its ids are of a table about to start again, or if lookup raises)
        if len(self.words) > _CACHE_LIMIT or len(self.words.tokens) > _CACHE_LIMIT:
            self.words = _Words()
        per_text = [t.lower().split() for t in texts]
        counts = np.fromiter(map(len, per_text), np.intp, len(per_text))
        ids = self.words.lookup(list(chain.from_iterable(per_text)))
        self.last = (key, ids, counts)
        return ids, counts

    def char_wb(self, texts: list[str], lo: int, hi: int) -> tuple[np.ndarray, list[int]]:
        """As ``analyzer="char_wb"``: n-grams inside space-padded words; (hashes, sizes)."""
        ids, counts = self.word_ids(texts)
        if not len(ids):
            return _NO_HASHES, [0] * len(texts)
        words = self.words
        hashes, count = words.char_grams(lo, hi).gather_ids(ids)
        ends = np.zeros(len(ids) + 1, np.intp)
        np.cumsum(count, out=ends[1:])
        ends = ends[np.concatenate(([0], np.cumsum(counts)))]
        return hashes, (ends[1:] - ends[:-1]).tolist()

    def word(self, texts: list[str], lo: int, hi: int) -> tuple[np.ndarray, list[int]]:
        """As ``analyzer="word"`` with the default token pattern and lower-casing: the
        tokens are gathered from the texts' words (``_Words``), and each distinct token's
        hash is kept per process (``_Tokens``), so unigrams are looked up, not hashed. Longer
        n-grams are hashed in one vectorised pass over the tokens joined by spaces (an
        n-gram is a slice of those bytes, gathered from the tokens' bytes)."""
        ids, counts = self.word_ids(texts)
        words = self.words
        tokens = words.tokens
        tok, per_word = _gather(words.tok, words.tok_first, words.tok_count, ids)
        if not len(tok):
            return _NO_HASHES, [0] * len(texts)
        text_of = np.repeat(np.repeat(np.arange(len(texts)), counts), per_word)
        grams, gram_text = [], []
        if lo == 1:
            grams.append(np.take(tokens.hash, tok))
            gram_text.append(text_of)
        if hi > 1 and len(tok) > 1:
            joined, span = _gather(tokens.data, tokens.first, tokens.span, tok)
            ends = np.cumsum(span)
            starts = ends - span
            ends -= 1  # the space after each token
            data = joined.tobytes()
            for n in range(max(lo, 2), min(hi, len(tok)) + 1):
                # n tokens from token i on, all in token i's text
                keep = np.flatnonzero(text_of[n - 1:] == text_of[:len(tok) - n + 1])
                at = np.take(starts, keep)
                grams.append(_murmur_bytes(data, at, np.take(ends, keep + n - 1) - at))
                gram_text.append(np.take(text_of, keep))
        if not grams:
            return _NO_HASHES, [0] * len(texts)
        hashes, which = np.concatenate(grams), np.concatenate(gram_text)
        if len(grams) > 1:
            hashes = np.take(hashes, np.argsort(which, kind="stable"))  # per text, in order
        sizes = np.bincount(which, minlength=len(texts)).tolist()
        return hashes, sizes

    def batch(self, texts: tuple[str, ...], analyzer: str, lo: int,
              hi: int) -> tuple[np.ndarray, list[int]]:
        """The texts' n-gram hashes one text after another, and how many each text has. A
        text's word unigrams are the first half (rounded up) of its word (1, 2) n-grams,
        which the sentences' models hashed just before their context column's."""
        cache = self.texts.setdefault((analyzer, lo, hi), {})
        if len(cache) + len(texts) > _TEXT_CACHE_LIMIT:
            cache.clear()  # before hashing, so that the batch stays cached for the next model
        got = list(map(cache.get, texts))
        missing = [i for i, hs in enumerate(got) if hs is None]
        wider = self.texts.get(("word", 1, 2)) if analyzer == "word" and lo == hi == 1 else None
        if missing and wider:
            for i in missing:
                hs = wider.get(texts[i])
                if hs is not None:
                    got[i] = cache[texts[i]] = hs[:(len(hs) + 1) // 2]
            missing = [i for i in missing if got[i] is None]
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


HASHES = _Hashes()
_EMPTY = np.zeros(0, np.int64)
_NO_HASHES = np.zeros(0, np.int32)
# Texts whose hashes are kept: enough for a batch's sentences, which the
# models after the element tagger read again as comments and targets. At 4,096 the caches
# also held older batches' hashes, ~6 MiB per analysing process (peak RSS on 5,000
# documents 296-298 -> 290-291 MiB; with --jobs 2 the summed PSS 398 -> 385-388 MiB) and
# spared hashing 2.5% of the texts (on 1,000 documents 17,613 texts hashed, now 18,047).
_TEXT_CACHE_LIMIT = 2048


class _Counts:
    """Hashed n-gram counts of a batch of texts, as (row, column, count) sorted by row then
    column, with what every model reading them needs, computed once: where each row starts,
    which rows have any n-gram, the term frequencies, and the coefficient index of each
    column at a part's offset."""

    __slots__ = ("r", "c", "counts", "starts", "present", "_tf", "_index", "tfidf")

    def __init__(self, r: np.ndarray, c: np.ndarray, counts: np.ndarray) -> None:
        self.r, self.c, self.counts = r, c, counts
        self.starts, self.present = _row_starts(r)
        self._tf: np.ndarray | None = None
        self._index: dict[int, np.ndarray] = {}
        # (id of a shared IDF array, sublinear) -> (that array, the TF-IDF values); the entry
        # holds the array, so its id cannot be reused while the entry lives
        self.tfidf: dict[tuple[int, bool], tuple[np.ndarray, np.ndarray]] = {}

    def sublinear_tf(self) -> np.ndarray:
        """1 + log(count), as TfidfTransformer(sublinear_tf=True)."""
        if self._tf is None:
            self._tf = np.log(self.counts)
            self._tf += 1.0
        return self._tf

    def index(self, offset: int) -> np.ndarray:
        got = self._index.get(offset)
        if got is None:
            got = self._index[offset] = self.c + offset
        return got


def _row_starts(r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions where a new row begins in a sorted ``r``, and those rows."""
    if not len(r):
        return r, r
    first = np.empty(len(r), bool)
    first[0] = True
    np.not_equal(r[1:], r[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    return starts, np.take(r, starts)


class _RecentCounts:
    """The n-gram counts of the last few batches, keyed by the batch's texts: the element
    tagger and the feedback detector read the same sentences, and the specificity, flag and
    SMART models the same comments and targets, so each batch is counted once for all.
    Those readers come one after another, so a few entries are enough; more kept the
    previous batch's sentence counts (~10 MB for 64 documents) alive beside the next's."""

    def __init__(self, size: int = 4) -> None:
        self.size = size
        self.items: dict[tuple, _Counts] = {}

    def get(self, texts: tuple[str, ...], part: dict) -> _Counts:
        lo, hi = part["ngram_range"]
        key = (texts, part["analyzer"], lo, hi, part["n_features"])
        got = self.items.get(key)
        if got is None:
            if len(self.items) >= self.size:
                del self.items[next(iter(self.items))]
            got = self.items[key] = _counts(texts, part["analyzer"], lo, hi, part["n_features"])
        return got


_RECENT = _RecentCounts()


def _counts(texts: tuple[str, ...], analyzer: str, lo: int, hi: int, n: int) -> _Counts:
    """Counts of hashed n-grams for a batch of texts: the (row, column) keys sorted (row by
    row, ``_sorted_in_rows``) and equal neighbours counted (``np.unique`` sorted the whole
    batch with more overhead)."""
    hashes, sizes = HASHES.batch(texts, analyzer, lo, hi)
    if not len(hashes):
        return _Counts(_EMPTY, _EMPTY, _EMPTY)
    shift = n.bit_length() - 1 if n & (n - 1) == 0 else 0  # n = 2**shift: bit operations
    if shift and len(texts) * n <= 2 ** 31:  # int32 throughout (it sorts faster)
        keys = np.abs(hashes)  # |-2**31| wraps to -2**31, whose low bits are 2**31's: 0
        keys &= n - 1
        keys += np.repeat(np.arange(0, len(texts) * n, n, dtype=np.int32), sizes)
    else:
        keys = np.abs(hashes.astype(np.int64))
        if shift:
            keys &= n - 1
        else:
            keys %= n
        keys += np.repeat(np.arange(0, len(texts) * n, n, dtype=np.int64), sizes)
        if len(texts) * n <= 2 ** 31:
            keys = keys.astype(np.int32)
    keys = _sorted_in_rows(keys, np.array(sizes, np.intp))
    first = np.empty(len(keys), bool)
    first[0] = True
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    at = np.flatnonzero(first)
    counts = np.empty(len(at), np.int64)
    np.subtract(at[1:], at[:-1], out=counts[:-1])
    counts[-1] = len(keys) - at[-1]
    keys = np.take(keys, at).astype(np.intp)
    if shift:
        return _Counts(keys >> shift, keys & (n - 1), counts)
    r, c = np.divmod(keys, n)
    return _Counts(r, c, counts)


_SORT_GROUP = 64  # rows sorted together as one padded matrix


def _sorted_in_rows(keys: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """``np.sort(keys)`` for keys that are already in row order (``sizes`` per row), each row's
    few hundred keys sorted on their own: a matrix of rows of similar size, padded with the
    largest value, sorted along its rows (one numpy call per group of rows) costs a quarter
    of one sort of the whole batch (n log n with n a row's keys, not the batch's, and in
    cache). Rows go into the padded layout and come back out at the same positions."""
    order = np.argsort(sizes, kind="stable")  # rows of similar size side by side
    ends = np.arange(_SORT_GROUP, len(sizes) + _SORT_GROUP, _SORT_GROUP)
    ends[-1] = len(sizes)
    widths = np.take(sizes, np.take(order, ends - 1))  # each group's largest row
    rows = np.diff(ends, prepend=0)
    if int(np.dot(widths, rows)) > 2 * len(keys):  # a few long rows among short ones: the
        return np.sort(keys)  # padding would cost more time and memory than it saves
    width = np.repeat(widths, rows)
    slot = np.empty(len(sizes), np.intp)  # where each row's padded slot starts
    slot[order] = np.cumsum(width) - width
    at = np.arange(len(keys), dtype=np.intp)
    at += np.repeat(slot - (np.cumsum(sizes) - sizes), sizes)
    padded = np.full(int(width.sum()), np.iinfo(keys.dtype).max, keys.dtype)
    padded[at] = keys
    start = 0
    for w, k in zip(widths.tolist(), rows.tolist(), strict=True):
        if w > 1:
            padded[start:start + w * k].reshape(k, w).sort(axis=1)
        start += w * k
    return np.take(padded, at)


# ------------------------------------------------------------------------------- features

def _tfidf_values(counts: _Counts, part: dict, idf: np.ndarray, n_rows: int,
                  keep: bool = False) -> np.ndarray:
    """Hashed n-gram TF-IDF values of ``counts``, rows L2-normalised (the same operations in
    the same order as scikit-learn, in place to spare temporaries). With ``keep`` (an IDF
    array that ``share_idf`` gave several models) the values are kept with the counts, so
    the other models reading the same rows take them instead of computing them again;
    the values are never written to after."""
    key = (id(idf), bool(part["sublinear_tf"]))
    if keep:
        got = counts.tfidf.get(key)
        if got is not None:
            return got[1]
    tf = counts.sublinear_tf() if part["sublinear_tf"] else counts.counts
    v = tf * np.take(idf, counts.c)
    norms = np.sqrt(np.bincount(counts.r, weights=v * v, minlength=n_rows))
    v /= np.take(np.where(norms > 0, norms, 1.0), counts.r)
    if keep:
        counts.tfidf[key] = (idf, v)
    return v


def share_idf(models: Any) -> None:
    """Give models loaded together (one component's) one array for IDF arrays that are equal
    bit for bit, and mark those parts so that their TF-IDF values are computed once per
    batch of rows. Why: the three feedback flags are fitted on the same comments and have
    equal IDF arrays, as do two of the SMART models; each computed the same values again
    (and kept its own copy of the array)."""
    seen: dict[tuple, list[np.ndarray]] = {}
    users: dict[int, list[tuple[LinearModel, str]]] = {}
    for model in models:
        for part in model.spec["parts"]:
            if part["type"] != "tfidf":
                continue
            key = f"idf_{part['name']}"
            idf = model.arrays[key]
            alike = seen.setdefault((idf.dtype.str, idf.shape, idf[:16].tobytes()), [])
            same = next((a for a in alike if a.tobytes() == idf.tobytes()), None)
            if same is None:
                alike.append(same := idf)
            model.arrays[key] = same
            users.setdefault(id(same), []).append((model, part["name"]))
    for group in users.values():
        if len(group) > 1:
            for model, name in group:
                model.shared_idf.add(name)


class _Columns(dict):
    """feature name -> column, -1 for a name the model never saw."""

    def __missing__(self, name: str) -> int:
        return -1


@lru_cache(maxsize=64)
def _vocabulary(names: tuple[str, ...]) -> _Columns:
    """One dict per distinct vocabulary, so models fitted on the same rows share it (and
    ``_dict_part``'s last result)."""
    return _Columns((f, i) for i, f in enumerate(names))


_LAST_DICTS: list = [None, None, None]  # the dicts, the vocabulary, the result
_NUMBERS = {float, int, bool}
_VALUES = operator.methodcaller("values")


def _dict_part(dicts: list[dict], vocab: _Columns) -> tuple[np.ndarray, ...]:
    """(row, column, value) of named features, in each dict's order (as DictVectorizer).
    The specificity and flag models (and the five SMART models) read the same dicts with
    the same vocabulary one after another: the last result is reused for the same objects."""
    last, last_vocab, result = _LAST_DICTS
    if vocab is last_vocab and len(last) == len(dicts) and all(map(operator.is_, last, dicts)):
        return result
    values = list(chain.from_iterable(map(_VALUES, dicts)))
    if set(map(type, values)) <= _NUMBERS:  # the usual case, vectorised
        cols = np.fromiter(map(vocab.__getitem__, chain.from_iterable(dicts)), np.int64,
                           len(values))
        vals = np.array(values, np.float64)
        rows = np.repeat(np.arange(len(dicts), dtype=np.int64), list(map(len, dicts)))
        keep = (cols >= 0) & (vals != 0)  # ``if v``: NaN is kept, 0.0 and -0.0 are not
        result = rows[keep], cols[keep], vals[keep]
    else:
        result = _dict_part_loop(dicts, vocab)
    _LAST_DICTS[:] = [list(dicts), vocab, result]
    return result


def _dict_part_loop(dicts: list[dict], vocab: dict[str, int]) -> tuple[np.ndarray, ...]:
    """``_dict_part`` for dicts with strings (one-hot ``name=value``) or other values."""
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for i, d in enumerate(dicts):
        for k, v in d.items():
            if isinstance(v, str):
                k, v = f"{k}={v}", 1.0
            j = vocab.get(k)
            if j is not None and v:
                rows.append(i)
                cols.append(j)
                vals.append(float(v))
    return (np.asarray(rows, np.int64), np.asarray(cols, np.int64),
            np.asarray(vals, np.float64))


# ------------------------------------------------------------------------------- links

def _expit(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _binary_positive(decision: np.ndarray, head: dict, arrays: dict) -> np.ndarray:
    """P(positive class) of each output column of a bank of binary models."""
    if head["link"] == "sigmoid":
        return _expit(-(arrays["cal_a"] * decision + arrays["cal_b"]))
    return _expit(decision)


def _column(rows: Any, key: int | None) -> list:
    """One column of the rows (all of each row when ``key`` is None)."""
    if key is None:
        return list(rows)
    if isinstance(rows, np.ndarray) and rows.ndim == 2:
        return rows[:, key].tolist()  # the same objects, without a view per row
    return [row[key] for row in rows]


def rounded(values: np.ndarray, digits: int = 4) -> list:
    """``values`` as nested lists of ``round(x, digits)``, exactly Python's rounding but
    vectorised: ``rint(x * 10**digits) / 10**digits`` is the double nearest the correctly
    rounded decimal whenever ``rint`` picks the right integer, which can only fail where the
    product lies within rounding error of a half; those few go through ``round``."""
    a = np.asarray(values, np.float64)
    scale = 10.0 ** digits
    scaled = a * scale
    out = np.rint(scaled) / scale
    near_half = np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6
    near_half |= ~np.isfinite(a)
    if near_half.any():
        for i in zip(*np.nonzero(near_half), strict=True):
            out[i] = round(float(a[i]), digits)
    return out.tolist()


# Non-zero features multiplied out at once at most: coefficient rows times values are summed
# per row piece by piece, so the temporary stays small (a batch of 64 documents has ~220,000
# character n-grams, which times the element tagger's 9 outputs was a 16 MB temporary).
MAX_PRODUCTS = 16384


def _add_products(out: np.ndarray, coef: np.ndarray, index: np.ndarray, v: np.ndarray,
                  starts: np.ndarray, present: np.ndarray) -> None:
    """``out[row] += sum of coef[index] * v`` over each row's non-zeros (rows begin at
    ``starts``), in pieces of whole rows of about ``MAX_PRODUCTS`` non-zeros; each row's sum
    is the same as in one pass."""
    cuts = np.searchsorted(starts, np.arange(MAX_PRODUCTS, len(index), MAX_PRODUCTS))
    for a, b in zip([0, *cuts.tolist()], [*cuts.tolist(), len(starts)], strict=True):
        if a == b:
            continue
        lo, hi = starts[a], starts[b] if b < len(starts) else len(index)
        contrib = np.take(coef, index[lo:hi], axis=0)  # faster than coef[index]
        contrib *= v[lo:hi, None]
        out[present[a:b]] += np.add.reduceat(contrib, starts[a:b] - lo, axis=0)


# Rows scored in one pass at most: a pass holds every n-gram of its rows times the model's
# outputs (a 4 MB document's 36,000 sentences took 1.2 GB in the element tagger at once).
MAX_ROWS = 2048


class LinearModel:
    """``predict_proba`` of a compiled model; rows as the training pipeline took them."""

    def __init__(self, spec: dict[str, Any], arrays: dict[str, np.ndarray]):
        self.spec = spec
        self.arrays = arrays
        self.classes_ = np.asarray(spec["classes"])
        self._vocab = {p["name"]: _vocabulary(tuple(p["vocabulary"]))
                       for p in spec["parts"] if p["type"] == "dict"}
        self.shared_idf: set[str] = set()  # parts whose IDF array other models share

    @property
    def columns(self) -> frozenset:
        """The columns of a row the model reads (a row's context is not read by all)."""
        return frozenset(p["column"] for p in self.spec["parts"])

    # decision values, one column per output of the linear layer
    def decision_function(self, rows: Any) -> np.ndarray:
        n = len(rows)
        coef = self.arrays["coef"]
        out = np.tile(self.arrays["intercept"], (n, 1))
        columns: dict[Any, list] = {}
        for part in self.spec["parts"]:
            key = part["column"]
            column = columns.get(key)
            if column is None:
                column = columns[key] = _column(rows, key)
            if part["type"] == "tfidf":
                counts = _RECENT.get(tuple(column), part)
                if not len(counts.r):
                    continue
                v = _tfidf_values(counts, part, self.arrays[f"idf_{part['name']}"], n,
                                  part["name"] in self.shared_idf)
                index, starts, present = counts.index(part["offset"]), counts.starts, \
                    counts.present
            else:
                r, c, v = _dict_part(column, self._vocab[part["name"]])
                if not len(r):
                    continue
                index = c + part["offset"]
                starts, present = _row_starts(r)
            _add_products(out, coef, index, v, starts, present)
        return out

    def predict_proba(self, rows: Any) -> np.ndarray:
        if len(rows) > MAX_ROWS:  # rows are scored independently: the same values
            return np.vstack([self.predict_proba(rows[i:i + MAX_ROWS])
                              for i in range(0, len(rows), MAX_ROWS)])
        head = self.spec["head"]
        d = self.decision_function(rows)
        if head["type"] == "ordinal":
            greater = _binary_positive(d, head, self.arrays)
            greater = np.minimum.accumulate(greater, axis=1)
            n = greater.shape[0]
            cum = np.hstack([np.ones((n, 1)), greater, np.zeros((n, 1))])
            proba = np.clip(cum[:, :-1] - cum[:, 1:], 0.0, 1.0)
            return proba / proba.sum(axis=1, keepdims=True)
        if d.shape[1] == 1:
            p = _binary_positive(d, head, self.arrays)[:, 0]
            return np.column_stack([1.0 - p, p])
        if head["link"] == "softmax":
            return _softmax(d)
        proba = _binary_positive(d, head, self.arrays)
        total = proba.sum(axis=1, keepdims=True)
        k = proba.shape[1]
        proba = np.divide(proba, total, out=np.full_like(proba, 1.0 / k), where=total != 0)
        proba[(proba > 1.0) & (proba <= 1.0 + 1e-5)] = 1.0
        return proba

    def predict(self, rows: Any) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(rows), axis=1)]


def check_model(spec: Any, arrays: dict[str, np.ndarray]) -> None:
    """Raise ValueError unless ``spec`` and ``arrays`` describe a model this module can run
    (so a damaged file is refused at load time, not on the first document)."""
    def need(cond: bool, what: str) -> None:
        if not cond:
            raise ValueError(what)

    need(isinstance(spec, dict), "description is not an object")
    head, parts = spec.get("head"), spec.get("parts")
    need(isinstance(head, dict) and head.get("type") in ("linear", "ordinal")
         and head.get("link") in ("logistic", "sigmoid", "softmax"), "unknown head")
    need(isinstance(parts, list) and bool(parts), "no feature parts")
    width = spec.get("n_features")
    need(isinstance(width, int) and width > 0, "bad n_features")
    coef, intercept = arrays.get("coef"), arrays.get("intercept")
    need(coef is not None and intercept is not None and coef.ndim == 2
         and coef.shape[0] == width and intercept.shape == (coef.shape[1],)
         and coef.dtype.kind == "f" and intercept.dtype.kind == "f", "bad coefficients")
    need(isinstance(spec.get("classes"), list) and len(spec["classes"]) >= 2, "bad classes")
    if head["link"] == "sigmoid":
        for k in ("cal_a", "cal_b"):
            need(k in arrays and arrays[k].shape == (coef.shape[1],), f"bad {k}")
    for part in parts:
        need(isinstance(part, dict) and isinstance(part.get("name"), str), "bad part")
        off = part.get("offset")
        need(isinstance(off, int) and off >= 0, "bad offset")
        if part.get("type") == "tfidf":
            n, rng = part.get("n_features"), part.get("ngram_range")
            need(part.get("analyzer") in ("word", "char_wb"), "bad analyzer")
            need(isinstance(n, int) and 0 < n and off + n <= width, "bad tfidf width")
            need(isinstance(rng, list) and len(rng) == 2 and all(isinstance(v, int) for v in rng)
                 and 1 <= rng[0] <= rng[1] <= 10, "bad ngram_range")
            idf = arrays.get(f"idf_{part['name']}")
            need(idf is not None and idf.shape == (n,), "bad idf")
        elif part.get("type") == "dict":
            vocab = part.get("vocabulary")
            need(isinstance(vocab, list) and all(isinstance(v, str) for v in vocab)
                 and off + len(vocab) <= width, "bad vocabulary")
        else:
            raise ValueError("unknown part type")


# ------------------------------------------------------------------------------- compiling

def compile_pipeline(model: Any) -> tuple[dict, dict[str, np.ndarray]]:
    """(JSON spec, arrays) of a fitted pipeline of the shapes ``textmodel`` and ``depth`` build.

    Text pipelines: ColumnTransformer of hashed TF-IDF parts and a DictVectorizer -> a
    logistic regression, a sigmoid-calibrated LinearSVC, or an OrdinalClassifier of either.
    Dense pipelines: DictVectorizer -> StandardScaler -> the same heads.
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction import DictVectorizer

    steps = dict(model.steps)
    if set(steps) not in ({"features", "clf"}, {"vec", "clf"}, {"vec", "scale", "clf"}):
        raise ValueError(f"cannot compile a pipeline with steps {list(steps)}")
    spec: dict[str, Any] = {"parts": []}
    arrays: dict[str, np.ndarray] = {}
    offset = 0
    if "features" in steps:
        if not isinstance(steps["features"], ColumnTransformer):
            raise ValueError("cannot compile: 'features' must be a ColumnTransformer")
        ct = steps["features"]
        if ct.transformer_weights:
            raise ValueError("ColumnTransformer transformer_weights are not supported")
        for name, fitted, column in ct.transformers_:
            if name == "remainder":
                if fitted != "drop":
                    raise ValueError("a ColumnTransformer remainder is not supported")
                continue
            if isinstance(fitted, DictVectorizer):
                part = {"name": name, "type": "dict", "column": column, "offset": offset,
                        "vocabulary": list(fitted.feature_names_)}
                width = len(fitted.feature_names_)
            else:
                hv, tf = fitted.named_steps["hash"], fitted.named_steps["tfidf"]
                if hv.alternate_sign or hv.norm is not None or not hv.lowercase or \
                        hv.token_pattern != r"(?u)\b\w\w+\b" or hv.stop_words or \
                        hv.preprocessor or hv.tokenizer or hv.strip_accents or \
                        tf.norm != "l2" or not tf.use_idf or \
                        hv.analyzer not in ("word", "char_wb") or hv.binary or \
                        not isinstance(column, int):
                    raise ValueError(f"part {name}: settings not supported by linear.py")
                part = {"name": name, "type": "tfidf", "column": column, "offset": offset,
                        "analyzer": hv.analyzer, "ngram_range": list(hv.ngram_range),
                        "n_features": hv.n_features, "sublinear_tf": bool(tf.sublinear_tf)}
                arrays[f"idf_{name}"] = np.asarray(tf.idf_, np.float64)
                width = hv.n_features
            spec["parts"].append(part)
            offset += width
    else:
        dv = steps["vec"]
        spec["parts"].append({"name": "dense", "type": "dict", "column": None, "offset": 0,
                              "vocabulary": list(dv.feature_names_)})
        offset = len(dv.feature_names_)
    head, coef, intercept, extra = _compile_head(steps["clf"])
    spec["head"] = head
    spec["classes"] = [c.item() if hasattr(c, "item") else c for c in steps["clf"].classes_]
    spec["n_features"] = offset
    if coef.shape[1] != offset:
        raise ValueError(f"coefficient width {coef.shape[1]} != feature width {offset}")
    scaler = steps.get("scale")
    if scaler is not None and not (scaler.with_mean and scaler.with_std):
        raise ValueError("only a StandardScaler with mean and std can be folded in")
    if scaler is not None:  # fold (x - mean) / scale into the weights and the intercept
        scale = np.asarray(scaler.scale_, np.float64)
        intercept = intercept - coef @ (np.asarray(scaler.mean_, np.float64) / scale)
        coef = coef / scale[None, :]
    arrays["coef"] = np.ascontiguousarray(coef.T, np.float64)
    arrays["intercept"] = np.asarray(intercept, np.float64)
    arrays.update(extra)
    return spec, arrays


def _compile_head(clf: Any) -> tuple[dict, np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression

    from .ordinal import OrdinalClassifier

    if isinstance(clf, OrdinalClassifier):
        subs = [_compile_head(e) for e in clf.estimators_]
        links = {s[0]["link"] for s in subs}
        if len(links) != 1 or any(s[1].shape[0] != 1 for s in subs):
            raise ValueError("ordinal heads must be binary models of one kind")
        coef = np.vstack([s[1] for s in subs])
        intercept = np.concatenate([s[2] for s in subs])
        extra = {}
        if links == {"sigmoid"}:
            extra = {k: np.concatenate([s[3][k] for s in subs]) for k in ("cal_a", "cal_b")}
        return {"type": "ordinal", "link": links.pop()}, coef, intercept, extra
    if isinstance(clf, LogisticRegression):
        if clf.coef_.shape[0] > 1 and (getattr(clf, "multi_class", "auto") == "ovr"
                                       or clf.solver == "liblinear"):
            raise ValueError("one-vs-rest logistic regression is not supported")
        link = "logistic" if clf.coef_.shape[0] == 1 else "softmax"
        return {"type": "linear", "link": link}, clf.coef_, clf.intercept_, {}
    if isinstance(clf, CalibratedClassifierCV):
        if len(clf.calibrated_classifiers_) != 1 or clf.method != "sigmoid":
            raise ValueError("only ensemble=False sigmoid calibration is supported")
        cc = clf.calibrated_classifiers_[0]
        est = cc.estimator
        if list(est.classes_) != list(clf.classes_):
            raise ValueError("calibrated classes differ from the estimator's")
        a = np.array([c.a_ for c in cc.calibrators], np.float64)
        b = np.array([c.b_ for c in cc.calibrators], np.float64)
        return ({"type": "linear", "link": "sigmoid"}, est.coef_, est.intercept_,
                {"cal_a": a, "cal_b": b})
    raise ValueError(f"cannot compile a {type(clf).__name__}")
