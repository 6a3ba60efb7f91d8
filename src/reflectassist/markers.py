"""Lexicon and pattern markers: the evidence words every scorer uses and the report points at.

Matches are stored as plain ``[start_char, end_char, category]`` lists on ``Doc._.markers``
so they survive ``nlp.pipe(n_process=...)`` (Span objects cannot be sent between processes).
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc

from .lexicon import load_lexicon

if not Doc.has_extension("markers"):
    Doc.set_extension("markers", default=None)


@lru_cache(maxsize=1)
def compiled_markers() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Compile every lexicon category into one case-insensitive regular expression."""
    lex = load_lexicon()
    out: list[tuple[str, re.Pattern[str]]] = []
    for category, phrases in lex["phrases"].items():
        alts = sorted({p.lower() for p in phrases}, key=len, reverse=True)
        body = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in alts)
        out.append((category, re.compile(rf"(?<![\w'’])(?:{body})(?![\w'’])", re.IGNORECASE)))
    for category, pattern in lex["patterns"].items():
        out.append((category, re.compile(pattern, re.IGNORECASE)))
    return tuple(out)


def find_markers(text: str) -> list[list]:
    found = []
    for category, rx in compiled_markers():
        for m in rx.finditer(text):
            if m.end() > m.start():
                found.append([m.start(), m.end(), category])
    found.sort()
    return found


def count_markers(doc: Doc, start: int, end: int) -> Counter:
    """Counts of marker categories fully inside ``[start, end)`` of ``doc.text``."""
    markers = doc._.markers or []
    counts: Counter = Counter()
    for i in range(bisect.bisect_left(markers, [start]), len(markers)):
        s, e, cat = markers[i]
        if s >= end:
            break
        if e <= end:
            counts[cat] += 1
    return counts


def markers_in(doc: Doc, start: int, end: int, categories: set[str] | None = None) -> list[list]:
    markers = doc._.markers or []
    out = []
    for i in range(bisect.bisect_left(markers, [start]), len(markers)):
        m = markers[i]
        if m[0] >= end:
            break
        if m[1] <= end and (categories is None or m[2] in categories):
            out.append(m)
    return out


class Markers:
    def __init__(self, nlp: Language, name: str):
        self.name = name
        compiled_markers()

    def __call__(self, doc: Doc) -> Doc:
        doc._.markers = find_markers(doc.text)
        return doc


@Language.factory("reflectassist_markers")
def make_markers(nlp: Language, name: str) -> Markers:
    return Markers(nlp, name)
