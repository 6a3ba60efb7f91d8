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
    return _substantive(doc._.sentences or [], doc._.elements or [])


def _substantive(rows: list[list], elems: list[list]) -> list[int]:
    return [i for i, (r, e) in enumerate(zip(rows, elems, strict=False)) if not r[3] and not e[2]]


# the feature names, made once rather than as f-strings for every document (in this order)
_ELEMENT_KEYS = tuple((e, f"mean_{e}", f"max_{e}", f"top3_{e}", f"share_{e}") for e in ELEMENTS)
_DENSITY_KEYS = tuple((cat, f"rate_{cat}", f"any_{cat}") for cat in DENSITY_MARKERS)


def depth_features(doc: Doc) -> dict[str, float]:
    u = doc._  # each ``doc._`` builds an object: read the extensions through one
    elems = u.elements or []
    keep = _substantive(u.sentences or [], elems)
    n = max(len(keep), 1)
    feats: dict[str, float] = {f"kind_{u.kind or 'reflective_entry'}": 1.0}
    if keep:
        # one element per row, each reduced along its own contiguous row: the same sums, in
        # the same order, as reducing each column on its own (four reductions, not 36);
        # np.mean is add.reduce and a division by the count, called here without its
        # wrapper's checks
        P = np.ascontiguousarray(np.array([elems[i][1] for i in keep]).T)
        preds = Counter(elems[i][0] for i in keep)
        means = (np.add.reduce(P, axis=1) / P.shape[1]).tolist()
        maxes = np.maximum.reduce(P, axis=1).tolist()
        top = np.sort(P, axis=1)[:, -3:]
        top3 = (np.add.reduce(top, axis=1) / top.shape[1]).tolist()
        for j, (e, mean_key, max_key, top3_key, share_key) in enumerate(_ELEMENT_KEYS):
            feats[mean_key] = means[j]
            feats[max_key] = maxes[j]
            feats[top3_key] = top3[j]
            feats[share_key] = preds[e] / n
        stages = {GIBBS[p] for p in preds if GIBBS.get(p)}
        feats["gibbs_coverage"] = len(stages) / len(GIBBS_STAGES)
    totals: dict[str, int] = {}
    counts = sentence_features(doc).counts
    for i in keep:
        for cat, c in counts[i].items():
            totals[cat] = totals.get(cat, 0) + c
    for cat, rate_key, any_key in _DENSITY_KEYS:
        c = totals.get(cat, 0)
        feats[rate_key] = min(c / n, 3.0)
        feats[any_key] = min(c, 3) / 3.0
    return feats


class DepthScorer(TrainedComponent):
    model_names = ("depth",)

    def annotate(self, docs: list[Doc]) -> None:
        self.require_models()
        model = self.models["depth"]
        probas = model.predict_proba([depth_features(d) for d in docs])
        # every class's probability in its column, for the whole batch at once
        full = np.zeros((len(docs), 4))
        full[:, [int(cls) for cls in model.classes_]] = probas
        levels = full.argmax(axis=1).tolist()
        for doc, level, row in zip(docs, levels, full.tolist(), strict=True):
            doc._.depth = {"level": level, "label": LABELS_DEPTH[level],
                           "probabilities": [round(p, 4) for p in row]}


@Language.factory("reflectassist_depth")
def make_depth(nlp: Language, name: str) -> DepthScorer:
    return DepthScorer(name)


__all__ = ["DepthScorer", "depth_features"]
