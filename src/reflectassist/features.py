"""Feature rows shared by every classifier: text, neighbouring text and marker counts.

A row is ``(text, context, features)``; :mod:`reflectassist.textmodel` turns rows into
vectors with a ``ColumnTransformer``.  Rows are built from a Doc (at run time) or from plain
strings (in training and evaluation), through the same function, so the two never drift.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np

from .lexicon import lexicon_set
from .markers import count_in, shared_markers
from .segmenter import BULLET_RE

WORD_RE = re.compile(r"[\w'’-]+")
_FINAL_PUNCT = re.compile(r"[.!?]['\")\]]*$")


def strip_bullet(text: str) -> str:
    m = BULLET_RE.match(text)
    return text[m.end():].strip() if m else text.strip()


def text_features(text: str) -> dict[str, float]:
    """Features of a bare string (training and evaluation records, comments and targets):
    :func:`features_of` over the whole string."""
    return features_of(text, shared_markers(text), 0, len(text))


def features_of(full: str, markers: Sequence[list], start: int, end: int,
                position: float | None = None, section: str | None = None) -> dict[str, float]:
    """Marker and shape features of ``full[start:end]`` (a sentence of a Doc, or a whole
    string), given the sorted markers of ``full``."""
    raw = full[start:end]
    text = strip_bullet(raw)
    first_word = WORD_RE.search(text.lower())
    feats: dict[str, float] = {}
    for cat, c in count_in(markers, start, end).items():
        feats[f"has_{cat}"] = 1.0
        feats[f"n_{cat}"] = math.log1p(c)
    first = first_word.group(0) if first_word else ""
    feats["starts_imperative"] = float(first in lexicon_set("phrases", "imperative_start"))
    feats["starts_i"] = float(first in ("i", "i'm", "i've", "i'll", "i'd"))
    feats["starts_you"] = float(first in ("you", "your"))
    feats["starts_we"] = float(first in ("we", "our"))
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


def text_rows(texts: list[str]) -> np.ndarray:
    """Rows for stand-alone strings (comments, targets): text without its bullet, no context."""
    return make_rows([strip_bullet(t) for t in texts], [""] * len(texts),
                     [text_features(t) for t in texts])


def make_rows(texts: list[str], contexts: list[str], feats: list[dict]) -> np.ndarray:
    rows = np.empty((len(texts), 3), dtype=object)
    for i, (t, c, f) in enumerate(zip(texts, contexts, feats, strict=True)):
        rows[i, 0], rows[i, 1], rows[i, 2] = t, c, f
    return rows
