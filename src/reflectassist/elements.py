"""Reflective element of every sentence (the nine CEReD labels) and its Gibbs stage.

Also flags *buzz* sentences: reflective vocabulary with no reasoning behind it ("I reflected
on this and lessons were learned").  LABELS.md says such sentences do not raise depth, so the
depth scorer leaves them out.
"""

from __future__ import annotations

import bisect
import re
from functools import partial

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc, Span

from . import ELEMENTS, GIBBS
from .component import TrainedComponent
from .features import SentenceFeatures, plain_rows, sentence_features
from .lexicon import load_lexicon, plain_quotes
from .linear import rounded
from .markers import count_in, markers_in
from .segmenter import text_of

REASONING = ("causal", "perspective", "frame_shift", "wider_context", "contrast", "questioning")

if not Doc.has_extension("elements"):
    Doc.set_extension("elements", default=None)


def _sentence_index(span: Span) -> int | None:
    """The sentence row holding the span's first non-space character (a binary search, so
    reading ``Span._.element`` of every sentence stays linear in the document's length)."""
    doc = span.doc
    rows = doc._.sentences or []
    text = span.text
    i = bisect.bisect_right(rows, span.start_char + len(text) - len(text.lstrip()),
                            key=_row_start)
    i -= 1
    if i < 0 or not doc._.elements or i >= len(doc._.elements):
        return None
    return i


def _row_start(row: list) -> int:
    return row[0]


def _field(span: Span, field: int):
    i = _sentence_index(span)
    return None if i is None else span.doc._.elements[i][field]


def _gibbs(span: Span) -> str | None:
    return GIBBS.get(span._.element) if span._.element else None


# Getters are module-level functions (or partials of one), not closures or lambdas: with the
# "spawn" start method (macOS, Windows) spaCy pickles the extensions for its --jobs workers.
for _name, _index in (("element", 0), ("element_probs", 1), ("buzz", 2)):
    if not Span.has_extension(_name):
        Span.set_extension(_name, getter=partial(_field, field=_index))
if not Span.has_extension("gibbs"):
    Span.set_extension("gibbs", getter=_gibbs)


def is_buzz(doc: Doc, start: int, end: int, markers: list[list] | None = None,
            counts: dict[str, int] | None = None) -> bool:
    """Reflective vocabulary with little else: no reasoning marker, or under five content
    words once the buzz phrases are taken out. ``markers``: the Doc's, and ``counts``: their
    counts in the span, if already at hand."""
    markers = (doc._.markers or []) if markers is None else markers
    if counts is None:
        counts = count_in(markers, start, end)
    if not counts.get("buzz"):
        return False
    if not any(counts.get(c) for c in REASONING):
        return True
    chars = list(plain_quotes(text_of(doc)[start:end]))  # "Sarah’s" is one word, as "Sarah's"
    for s, e, _cat in markers_in(doc, start, end, {"buzz"}):
        chars[s - start:e - start] = " " * (e - s)  # blank before lower(): it can change length
    stop = set(load_lexicon()["phrases"]["stopword"])
    content = [w for w in re.findall(r"[a-z']+", "".join(chars).lower()) if w not in stop]
    return len(content) < 5


def sentence_rows(doc: Doc, context: bool = True) -> np.ndarray:
    """One row per sentence; its context (the sentences either side) left empty when the
    model does not read it."""
    return _rows(sentence_features(doc), context)


def _rows(sf: SentenceFeatures, context: bool) -> np.ndarray:
    """:func:`sentence_rows` from the Doc's sentence features."""
    if not context:
        return plain_rows(sf.plain, [""] * len(sf.plain), sf.features)
    raws = sf.plain_raws  # each sentence's context: the ones either side, as written
    contexts = [f"{prev_t} {next_t}".strip()
                for prev_t, next_t in zip(["", *raws], [*raws, ""][1:], strict=False)]
    return plain_rows(sf.plain, contexts, sf.features)


class ElementTagger(TrainedComponent):
    model_names = ("elements",)

    def annotate(self, docs: list[Doc]) -> None:
        self.require_models()
        model = self.models["elements"]
        order = [list(model.classes_).index(e) for e in ELEMENTS]
        context = 1 in getattr(model, "columns", (1,))
        # each Doc's sentence features looked up once, for its rows and its buzz flags
        sfs = [sentence_features(d) for d in docs]
        rows = [_rows(sf, context) for sf in sfs]
        sizes = [len(r) for r in rows]
        proba = model.predict_proba(np.vstack([r for r in rows if len(r)])) if sum(sizes) \
            else np.zeros((0, len(order)))
        proba = proba[:, order]
        best = np.argmax(proba, axis=1).tolist()
        shown = rounded(proba)
        k = 0
        for doc, sf, n in zip(docs, sfs, sizes, strict=True):
            out = []
            markers, counts = sf.markers, sf.counts  # the Doc's markers and their counts
            for j, (s, e, _section, heading) in enumerate(sf.sentences[:n]):
                # is_buzz's first test, here: most sentences have no buzz marker
                buzz = bool(counts[j].get("buzz")) and not heading and \
                    is_buzz(doc, s, e, markers, counts[j])
                out.append([ELEMENTS[best[k + j]], shown[k + j], buzz])
            doc._.elements = out
            k += n


@Language.factory("reflectassist_elements")
def make_elements(nlp: Language, name: str) -> ElementTagger:
    return ElementTagger(name)
