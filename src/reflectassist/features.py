"""Feature rows shared by every classifier: text, neighbouring text and marker counts.

A row is ``(text, context, features)``; :mod:`reflectassist.textmodel` turns rows into
vectors with a ``ColumnTransformer``.  Rows are built from a Doc (at run time) or from plain
strings (in training and evaluation), through the same function, so the two never drift.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections.abc import Sequence
from weakref import WeakKeyDictionary

import numpy as np
from spacy.tokens import Doc

from .lexicon import lexicon_set, plain_quotes
from .markers import count_in, shared_markers
from .segmenter import BULLET_RE, text_of

WORD_RE = re.compile(r"[\w'’-]+")
# A sentence ends in one of _ENDS followed only by closing quotes and brackets, _CLOSERS.
_ENDS = (".", "!", "?")
_CLOSERS = "'\")]"


def strip_bullet(text: str) -> str:
    return bullet_split(text)[1]


def bullet_split(text: str) -> tuple[bool, str]:
    """Whether ``text`` opens with a list bullet, and the text without it, stripped."""
    m = BULLET_RE.match(text)
    return (True, text[m.end():].strip()) if m else (False, text.strip())


def text_features(text: str) -> dict[str, float]:
    """Features of a bare string (training and evaluation records, comments and targets):
    :func:`features_of` over the whole string."""
    bullet, body = bullet_split(text)
    return _text_features(text, bullet, body)


def _text_features(text: str, bullet: bool, body: str,
                   markers: Sequence[list] | None = None) -> dict[str, float]:
    """:func:`text_features` given ``bullet_split(text)``, which :func:`text_rows` needs too
    (and the text's markers, if known)."""
    counts = count_in(shared_markers(text) if markers is None else markers, 0, len(text))
    return _shape_features(plain_quotes(body), bullet, counts,
                           lexicon_set("phrases", "imperative_start"))


class _FeatureNames(dict):
    """category -> its two feature names, ``has_<category>`` and ``n_<category>``."""

    def __missing__(self, cat: str) -> tuple[str, str]:
        names = self[cat] = (f"has_{cat}", f"n_{cat}")
        return names


_NAMES = _FeatureNames()
_I_WORDS = frozenset(("i", "i'm", "i've", "i'll", "i'd"))
_YOU_WORDS = frozenset(("you", "your"))
_WE_WORDS = frozenset(("we", "our"))


def features_of(full: str, markers: Sequence[list], start: int, end: int,
                position: float | None = None, section: str | None = None,
                counts: dict[str, int] | None = None) -> dict[str, float]:
    """Marker and shape features of ``full[start:end]`` (a sentence of a Doc, or a whole
    string), given the sorted markers of ``full`` (or their ``counts`` in the span, if
    known)."""
    bullet, text = bullet_split(full[start:end])
    if counts is None:
        counts = count_in(markers, start, end)
    feats = _shape_features(plain_quotes(text), bullet, counts,
                            lexicon_set("phrases", "imperative_start"))
    if position is not None:
        feats["pos_first"] = float(position == 0.0)
        feats["pos_last"] = float(position == 1.0)
        feats["pos"] = position
    if section:
        feats[f"section_{section}"] = 1.0
    return feats


def _shape_features(text: str, bullet: bool, counts: dict[str, int],
                    imperative: frozenset[str]) -> dict[str, float]:
    """:func:`features_of` but for position and section, from the span's bullet-stripped
    ``text`` with plain quotes and whether the raw span opens with a bullet: the loop over a
    Doc's sentences calls this directly, having sliced and matched each sentence once."""
    # the first word, lower-cased; found in the text itself when lower-casing cannot change
    # what counts as a word character (ASCII), otherwise in the lower-cased text as before
    first_word = WORD_RE.search(text) if text.isascii() else WORD_RE.search(text.lower())
    feats: dict[str, float] = {}
    log1p = math.log1p
    for cat, c in counts.items():
        has, n = _NAMES[cat]
        feats[has] = 1.0
        feats[n] = log1p(c)
    first = first_word.group(0).lower() if first_word else ""
    # (1.0 if ... else 0.0: the same floats as float(bool), without a call for each)
    feats["starts_imperative"] = 1.0 if first in imperative else 0.0
    feats["starts_i"] = 1.0 if first in _I_WORDS else 0.0
    feats["starts_you"] = 1.0 if first in _YOU_WORDS else 0.0
    feats["starts_we"] = 1.0 if first in _WE_WORDS else 0.0
    feats["bullet"] = 1.0 if bullet else 0.0
    feats["ends_colon"] = 1.0 if text.endswith(":") else 0.0
    feats["ends_question"] = 1.0 if text.endswith("?") else 0.0
    feats["no_final_punct"] = 0.0 if _final_punct(text) else 1.0
    return feats


def _final_punct(text: str) -> bool:
    r"""Whether the text (before a final newline) ends in ``_ENDS`` once ``_CLOSERS`` are
    stripped from its end: ``[.!?]['")\]]*$`` searched, without trying a regex at every
    character."""
    if text.endswith("\n"):
        text = text[:-1]
    return text.rstrip(_CLOSERS).endswith(_ENDS)


def sentence_counts(markers: Sequence[list], rows: Sequence[Sequence]) -> list[dict[str, int]]:
    """``count_in`` of every sentence row ``(start, end, ...)``: each row's markers found by
    bisecting their starts, and counted from a column of their categories (reading each
    marker's fields one by one cost more than the counting)."""
    if not markers:
        return [{} for _ in rows]
    starts, ends, cats = zip(*markers, strict=True)  # (tuples: bisect and slice them)
    out: list[dict[str, int]] = []
    for row in rows:
        start, end = row[0], row[1]
        lo = bisect_left(starts, start)
        hi = bisect_left(starts, end, lo)
        inside = cats[lo:hi]
        if lo < hi and max(ends[lo:hi]) > end:  # a marker crosses the row's end (rare)
            inside = [cat for e, cat in zip(ends[lo:hi], inside, strict=True) if e <= end]
        counts: dict[str, int] = {}
        for cat in inside:
            counts[cat] = counts.get(cat, 0) + 1
        out.append(counts)
    return out


class SentenceFeatures:
    """What the element tagger, the depth scorer and the feedback detector all read about
    each sentence of a Doc: its text bullet-stripped (``texts``; ``plain``, with plain
    quotes, as the models and the person features read it), the whole sentence with plain
    quotes (``plain_raws``, the neighbours' context), marker counts and :func:`features_of`.
    Computed once per Doc and kept while the Doc lives and its sentences and markers are the
    same objects (a component that sets new ones gets new features)."""

    __slots__ = ("key", "sentences", "markers", "plain_raws", "texts", "plain", "counts",
                 "features")

    def __init__(self, doc: Doc) -> None:
        ext = doc._  # (each ``doc._`` makes an object)
        self.key = (ext.sentences, ext.markers)
        self.sentences = self.key[0] or []
        self.markers = self.key[1] or []
        full = text_of(doc)
        self.counts = sentence_counts(self.markers, self.sentences)
        raws = [full[r[0]:r[1]] for r in self.sentences]
        self.plain_raws = list(map(plain_quotes, raws))
        # features_of for each sentence, matching its bullet once for both its stripped text
        # and its "bullet" feature
        self.texts, self.plain, self.features = texts, plain, feats = [], [], []
        imperative = lexicon_set("phrases", "imperative_start")
        for raw, counts in zip(raws, self.counts, strict=True):
            bullet, text = bullet_split(raw)
            texts.append(text)
            plain.append(plain_text := plain_quotes(text))
            feats.append(_shape_features(plain_text, bullet, counts, imperative))


_SENTENCES: WeakKeyDictionary[Doc, SentenceFeatures] = WeakKeyDictionary()


def sentence_features(doc: Doc) -> SentenceFeatures:
    """The Doc's :class:`SentenceFeatures`, computed on first use."""
    got = _SENTENCES.get(doc)
    ext = doc._  # (each ``doc._`` makes an object)
    if got is None or got.key[0] is not ext.sentences or got.key[1] is not ext.markers:
        got = _SENTENCES[doc] = SentenceFeatures(doc)
    return got


def text_rows(texts: list[str], markers: Sequence[Sequence[list]] | None = None) -> np.ndarray:
    """Rows for stand-alone strings (comments, targets): text without its bullet, no context.
    ``markers``: each text's markers as :func:`shared_markers` gives them, if already known
    (a comment's or target's from its Doc's, ``markers.PartMarkers``)."""
    split = [bullet_split(t) for t in texts]  # (each text's bullet matched once)
    known = [None] * len(texts) if markers is None else markers
    return make_rows([body for _, body in split], [""] * len(texts),
                     [_text_features(t, bullet, body, m)
                      for t, (bullet, body), m in zip(texts, split, known, strict=True)])


def make_rows(texts: list[str], contexts: list[str], feats: list[dict]) -> np.ndarray:
    """Rows for the models, in training and at run time; the texts with plain quotes (the
    models learned n-grams of text written with plain ones)."""
    return plain_rows(list(map(plain_quotes, texts)), list(map(plain_quotes, contexts)), feats)


def plain_rows(texts: list[str], contexts: list[str], feats: list[dict]) -> np.ndarray:
    """:func:`make_rows` of texts and contexts that have plain quotes already (a Doc's
    sentences, :class:`SentenceFeatures`: made plain once for every model that reads them)."""
    if not len(texts) == len(contexts) == len(feats):  # (a column of one would broadcast)
        raise ValueError("make_rows: texts, contexts and features differ in length")
    rows = np.empty((len(texts), 3), dtype=object)
    # a column at a time: the same objects as an assignment per cell, in a third of the time
    rows[:, 0] = texts
    rows[:, 1] = contexts
    rows[:, 2] = feats
    return rows
