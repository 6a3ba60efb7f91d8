"""Feature rows shared by every classifier: text, neighbouring text and marker counts.

A row is ``(text, context, features)``; :mod:`reflectassist.textmodel` turns rows into
vectors with a ``ColumnTransformer``.  Rows are built from a Doc (at run time) or from plain
strings (in training and evaluation), through the same function, so the two never drift.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from weakref import WeakKeyDictionary

import numpy as np
from spacy.tokens import Doc

from .lexicon import lexicon_set, plain_quotes
from .markers import count_in, shared_markers
from .segmenter import BULLET_RE, text_of

WORD_RE = re.compile(r"[\w'’-]+")
_FINAL_PUNCT = re.compile(r"[.!?]['\")\]]*$")


def strip_bullet(text: str) -> str:
    m = BULLET_RE.match(text)
    return text[m.end():].strip() if m else text.strip()


def text_features(text: str, stripped: str | None = None) -> dict[str, float]:
    """Features of a bare string (training and evaluation records, comments and targets):
    :func:`features_of` over the whole string (``stripped``: its ``strip_bullet``, if known)."""
    return features_of(text, shared_markers(text), 0, len(text), stripped=stripped)


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
                counts: dict[str, int] | None = None,
                stripped: str | None = None) -> dict[str, float]:
    """Marker and shape features of ``full[start:end]`` (a sentence of a Doc, or a whole
    string), given the sorted markers of ``full`` (or their ``counts`` in the span, if known,
    and the span's ``strip_bullet`` text, if known)."""
    raw = full[start:end]
    text = plain_quotes(strip_bullet(raw) if stripped is None else stripped)
    # the first word, lower-cased; found in the text itself when lower-casing cannot change
    # what counts as a word character (ASCII), otherwise in the lower-cased text as before
    first_word = WORD_RE.search(text) if text.isascii() else WORD_RE.search(text.lower())
    feats: dict[str, float] = {}
    if counts is None:
        counts = count_in(markers, start, end)
    log1p = math.log1p
    for cat, c in counts.items():
        has, n = _NAMES[cat]
        feats[has] = 1.0
        feats[n] = log1p(c)
    first = first_word.group(0).lower() if first_word else ""
    feats["starts_imperative"] = float(first in lexicon_set("phrases", "imperative_start"))
    feats["starts_i"] = float(first in _I_WORDS)
    feats["starts_you"] = float(first in _YOU_WORDS)
    feats["starts_we"] = float(first in _WE_WORDS)
    feats["bullet"] = float(BULLET_RE.match(raw) is not None)
    feats["ends_colon"] = float(text.endswith(":"))
    feats["ends_question"] = float(text.endswith("?"))
    feats["no_final_punct"] = float(not _FINAL_PUNCT.search(text))
    if position is not None:
        feats["pos_first"] = float(position == 0.0)
        feats["pos_last"] = float(position == 1.0)
        feats["pos"] = position
    if section:
        feats[f"section_{section}"] = 1.0
    return feats


def sentence_counts(markers: Sequence[list], rows: Sequence[Sequence]) -> list[dict[str, int]]:
    """``count_in`` of every sentence row ``(start, end, ...)``, in one pass over the sorted
    markers when the rows are in order and do not overlap (as the segmenter makes them)."""
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


class SentenceFeatures:
    """What the element tagger, the depth scorer and the feedback detector all read about
    each sentence of a Doc: its bullet-stripped text, marker counts and :func:`features_of`.
    Computed once per Doc and kept while the Doc lives and its sentences and markers are the
    same objects (a component that sets new ones gets new features)."""

    __slots__ = ("key", "sentences", "markers", "texts", "counts", "features")

    def __init__(self, doc: Doc) -> None:
        self.key = (doc._.sentences, doc._.markers)
        self.sentences = doc._.sentences or []
        self.markers = doc._.markers or []
        full = text_of(doc)
        self.texts = [strip_bullet(full[r[0]:r[1]]) for r in self.sentences]
        self.counts = sentence_counts(self.markers, self.sentences)
        self.features = [features_of(full, self.markers, r[0], r[1], counts=c, stripped=t)
                         for r, c, t in zip(self.sentences, self.counts, self.texts, strict=True)]


_SENTENCES: WeakKeyDictionary[Doc, SentenceFeatures] = WeakKeyDictionary()


def sentence_features(doc: Doc) -> SentenceFeatures:
    """The Doc's :class:`SentenceFeatures`, computed on first use."""
    got = _SENTENCES.get(doc)
    if got is None or got.key[0] is not doc._.sentences or got.key[1] is not doc._.markers:
        got = _SENTENCES[doc] = SentenceFeatures(doc)
    return got


def text_rows(texts: list[str]) -> np.ndarray:
    """Rows for stand-alone strings (comments, targets): text without its bullet, no context."""
    stripped = [strip_bullet(t) for t in texts]
    return make_rows(stripped, [""] * len(texts),
                     [text_features(t, s) for t, s in zip(texts, stripped, strict=True)])


def make_rows(texts: list[str], contexts: list[str], feats: list[dict]) -> np.ndarray:
    """Rows for the models, in training and at run time; the texts with plain quotes (the
    models learned n-grams of text written with plain ones)."""
    rows = np.empty((len(texts), 3), dtype=object)
    for i, (t, c, f) in enumerate(zip(texts, contexts, feats, strict=True)):
        rows[i, 0], rows[i, 1], rows[i, 2] = plain_quotes(t), plain_quotes(c), f
    return rows
