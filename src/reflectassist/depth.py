"""Reflection depth of a whole entry (0-3, after Hatton & Smith) from its sentences.

Features are rates and maxima over *substantive* sentences (headings and buzz sentences left
out), never raw counts or length, so a longer entry or one stuffed with reflective buzzwords
does not score deeper for that alone.  The classifier is ordinal (see ``ordinal.py``).
"""

from __future__ import annotations

from collections import Counter

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from . import ELEMENTS, GIBBS, GIBBS_STAGES, LABELS_DEPTH
from .component import TrainedComponent
from .features import sentence_features

DENSITY_MARKERS = ("wider_context", "frame_shift", "perspective", "causal", "hedge",
                   "questioning", "contrast", "learning", "intention", "emotion", "first_person",
                   "past_tense", "question")

if not Doc.has_extension("depth"):
    Doc.set_extension("depth", default=None)


def substantive(doc: Doc) -> list[int]:
    """Indices of sentences that carry content (not headings, not buzz-only)."""
    rows, elems = doc._.sentences or [], doc._.elements or []
    return [i for i, (r, e) in enumerate(zip(rows, elems, strict=False)) if not r[3] and not e[2]]


def depth_features(doc: Doc) -> dict[str, float]:
    elems = doc._.elements or []
    keep = substantive(doc)
    n = max(len(keep), 1)
    feats: dict[str, float] = {f"kind_{doc._.kind or 'reflective_entry'}": 1.0}
    if keep:
        # one element per row, each reduced along its own contiguous row: the same sums, in
        # the same order, as reducing each column on its own (four numpy calls, not 36)
        P = np.ascontiguousarray(np.array([elems[i][1] for i in keep]).T)
        preds = Counter(elems[i][0] for i in keep)
        means, maxes = P.mean(axis=1).tolist(), P.max(axis=1).tolist()
        top3 = np.sort(P, axis=1)[:, -3:].mean(axis=1).tolist()
        for j, e in enumerate(ELEMENTS):
            feats[f"mean_{e}"] = means[j]
            feats[f"max_{e}"] = maxes[j]
            feats[f"top3_{e}"] = top3[j]
            feats[f"share_{e}"] = preds[e] / n
        stages = {GIBBS[p] for p in preds if GIBBS.get(p)}
        feats["gibbs_coverage"] = len(stages) / len(GIBBS_STAGES)
    totals: dict[str, int] = {}
    counts = sentence_features(doc).counts
    for i in keep:
        for cat, c in counts[i].items():
            totals[cat] = totals.get(cat, 0) + c
    for cat in DENSITY_MARKERS:
        c = totals.get(cat, 0)
        feats[f"rate_{cat}"] = min(c / n, 3.0)
        feats[f"any_{cat}"] = min(c, 3) / 3.0
    return feats


class DepthScorer(TrainedComponent):
    model_names = ("depth",)

    def annotate(self, docs: list[Doc]) -> None:
        self.require_models()
        model = self.models["depth"]
        probas = model.predict_proba([depth_features(d) for d in docs])
        for doc, proba in zip(docs, probas, strict=True):
            full = np.zeros(4)
            for cls, p in zip(model.classes_, proba, strict=True):
                full[int(cls)] = p
            level = int(np.argmax(full))
            doc._.depth = {"level": level, "label": LABELS_DEPTH[level],
                           "probabilities": [round(float(p), 4) for p in full]}


@Language.factory("reflectassist_depth")
def make_depth(nlp: Language, name: str) -> DepthScorer:
    return DepthScorer(name)


__all__ = ["DepthScorer", "depth_features"]
