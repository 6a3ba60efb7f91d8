"""Feedback comments in a document and how specific each one is (0 vague .. 2 specific).

Two steps, each a scikit-learn model over the same feature rows: which sentences are feedback
to the supervisee, then the specificity of each comment with its three sub-signals
(``instance``, ``impact``, ``next_step``, after the QuAL score), each shown with the words
that carry it.
"""

from __future__ import annotations

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from .component import TrainedComponent
from .features import make_rows, span_features, strip_bullet, text_rows
from .markers import markers_in
from .segmenter import text_of

FLAGS = ("instance", "impact", "next_step")
FLAG_EVIDENCE = {
    "instance": {"date", "clock_time", "quote", "named_entity_like", "number", "temporal"},
    "impact": {"impact", "causal"},
    "next_step": {"suggestion", "imperative_start", "intention"},
}

if not Doc.has_extension("feedback"):
    Doc.set_extension("feedback", default=None)


def comment_rows(texts: list[str]) -> np.ndarray:
    """Rows for whole comments given as strings (training, evaluation)."""
    return text_rows(texts)


def detection_rows(doc: Doc) -> np.ndarray:
    rows = doc._.sentences or []
    texts, contexts, feats = [], [], []
    for i, (s, e, section, _head) in enumerate(rows):
        texts.append(strip_bullet(text_of(doc)[s:e]))
        prev_t = text_of(doc)[rows[i - 1][0]:rows[i - 1][1]] if i else ""
        contexts.append(prev_t)
        feats.append(span_features(doc, s, e, section=section))
    return make_rows(texts, contexts, feats)


def group_comments(doc: Doc, selected: list[int]) -> list[tuple[int, int]]:
    """Merge consecutive feedback sentences on one line into a single comment."""
    rows = doc._.sentences
    groups: list[tuple[int, int]] = []
    for i in selected:
        s, e = rows[i][0], rows[i][1]
        if groups and i - 1 in selected and "\n" not in text_of(doc)[groups[-1][1]:s]:
            groups[-1] = (groups[-1][0], e)
        else:
            groups.append((s, e))
    return groups


def _content_start(doc: Doc, s: int, e: int) -> int:
    raw = text_of(doc)[s:e]
    return s + raw.find(strip_bullet(raw)) if strip_bullet(raw) else s


class FeedbackScorer(TrainedComponent):
    model_names = ("detect", "specificity", *FLAGS)

    def __init__(self, name: str, threshold: float = 0.5):
        super().__init__(name)
        self.threshold = threshold

    def set_models(self, models, meta=None) -> None:
        super().set_models(models, meta)
        self.threshold = float(self.meta.get("threshold", self.threshold))

    def from_disk(self, path, *, exclude: tuple = ()):
        super().from_disk(path, exclude=exclude)
        self.threshold = float(self.meta.get("threshold", self.threshold))
        return self

    def annotate(self, docs: list[Doc]) -> None:
        self.require_models()
        rows = [detection_rows(d) for d in docs]
        live = [r for r in rows if len(r)]
        p_all = self.models["detect"].predict_proba(np.vstack(live))[:, 1] if live else []
        k = 0
        groups = []
        for doc, r in zip(docs, rows, strict=True):
            p_fb, k = p_all[k:k + len(r)], k + len(r)
            sents = doc._.sentences or []
            selected = [i for i, p in enumerate(p_fb) if p >= self.threshold and not sents[i][3]]
            groups.append(group_comments(doc, selected))
        scored = iter(self.score_many([(d, s) for d, g in zip(docs, groups, strict=True)
                                       for s in g]))
        for doc, g in zip(docs, groups, strict=True):
            doc._.feedback = [next(scored) for _ in g]

    def score_spans(self, doc: Doc, spans: list[tuple[int, int]]) -> list[dict]:
        return self.score_many([(doc, s) for s in spans])

    def score_many(self, items: list[tuple[Doc, tuple[int, int]]]) -> list[dict]:
        """Score comment spans (of one or many documents) with one call per model."""
        if not items:
            return []
        starts = [_content_start(doc, s, e) for doc, (s, e) in items]
        texts = [text_of(doc)[s:e] for (doc, (_, e)), s in zip(items, starts, strict=True)]
        X = comment_rows(texts)
        spec = self.models["specificity"]
        proba = spec.predict_proba(X)
        flag_p = {f: self.models[f].predict_proba(X)[:, 1] for f in FLAGS}
        out = []
        for k, ((doc, (_, e)), s) in enumerate(zip(items, starts, strict=True)):
            full = np.zeros(3)
            for cls, p in zip(spec.classes_, proba[k], strict=True):
                full[int(cls)] = p
            level = int(np.argmax(full))
            item = {"start": s, "end": e, "text": text_of(doc)[s:e], "specificity": level,
                    "score": round(float(full[level]), 4),
                    "probabilities": [round(float(x), 4) for x in full]}
            for f in FLAGS:
                ev = markers_in(doc, s, e, FLAG_EVIDENCE[f])
                item[f] = {"met": bool(flag_p[f][k] >= 0.5), "score": round(float(flag_p[f][k]), 4),
                           "evidence": [[a, b, text_of(doc)[a:b]] for a, b, _ in ev][:6]}
            out.append(item)
        return out


@Language.factory("reflectassist_feedback", default_config={"threshold": 0.5})
def make_feedback(nlp: Language, name: str, threshold: float) -> FeedbackScorer:
    return FeedbackScorer(name, threshold)
