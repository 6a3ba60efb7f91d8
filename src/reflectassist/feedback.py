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
from .features import plain_rows, sentence_features, strip_bullet, text_rows
from .lexicon import plain_quotes
from .linear import rounded
from .markers import PartMarkers, markers_within
from .people import person_features, supervisee
from .segmenter import BULLET_RE, text_of

FLAGS = ("instance", "impact", "next_step")
FLAG_EVIDENCE = {
    "instance": {"date", "clock_time", "quote", "named_entity_like", "number", "temporal"},
    "impact": {"impact", "causal"},
    "next_step": {"suggestion", "imperative_start", "intention"},
}
EVIDENCE = set().union(*FLAG_EVIDENCE.values())
# one-word markers of these categories are bare verbs ("check", "plan", "keep"): evidence of
# a next step only where they open a sentence ("you summarised the plan" instructs nothing)
VERB_EVIDENCE = {"imperative_start", "suggestion"}

if not Doc.has_extension("feedback"):
    Doc.set_extension("feedback", default=None)


def comment_rows(texts: list[str], markers: list | None = None) -> np.ndarray:
    """Rows for whole comments given as strings (training, evaluation), with their markers
    if known (see ``text_rows``)."""
    return text_rows(texts, markers)


def detection_rows(doc: Doc) -> np.ndarray:
    """One row per sentence: its text, the previous sentence, markers, section and who the
    sentence is about (``people.py``)."""
    sf = sentence_features(doc)
    rows, who = sf.sentences, supervisee(doc)
    contexts = ["", *sf.plain_raws][:len(rows)]  # each sentence's context: the one before
    feats = []
    for body, base, row in zip(sf.plain, sf.features, rows, strict=True):
        # one copy of the shared features, added to in the order the keys were merged in
        f = base.copy()
        if row[2]:
            f[f"section_{row[2]}"] = 1.0
        f.update(person_features(body, who))
        feats.append(f)
    return plain_rows(sf.plain, contexts, feats)


def neighbour_features(p: np.ndarray) -> list[dict[str, float]]:
    """Second-stage rows for one document's sentences: each sentence's own detector score
    with its neighbours' and the document's mean. Feedback comes in runs (a feedback
    paragraph, a list of comments), so a borderline sentence between two clear ones is
    probably feedback too, and a lone one in a case discussion probably not."""
    p = np.asarray(p, np.float64)  # (the detector's probabilities are float64)
    # np.mean's definition for float64 (the sum over the count), without its per-call
    # overhead, as for np.clip below (a few µs for every document)
    mean = float(np.add.reduce(p)) / len(p) if len(p) else 0.0
    x = np.minimum(np.maximum(p, 1e-4), 1 - 1e-4)
    logits = np.log(x / (1 - x)).tolist()
    rows = []
    for i, value in enumerate(logits):
        row = {"self": value, "doc_mean": mean}
        if i > 0:
            row["prev"], row["has_prev"] = logits[i - 1], 1.0
        if i + 1 < len(logits):
            row["next"], row["has_next"] = logits[i + 1], 1.0
        rows.append(row)
    return rows


def feedback_sentences(p: np.ndarray, rows: list[list], threshold: float) -> list[int]:
    """Indices of the sentences scored at least ``threshold`` that are not headings;
    compared as an array (a Python loop over numpy scalars cost more than the rest)."""
    return [i for i in np.flatnonzero(np.asarray(p) >= threshold).tolist() if not rows[i][3]]


def _open_quote(text: str) -> bool:
    """Does ``text`` end inside a quotation (a quoted comment running on)?"""
    return text.count("“") > text.count("”") or text.count('"') % 2 == 1


def group_comments(doc: Doc, selected: list[int]) -> list[tuple[int, int]]:
    """Comment spans from feedback sentences: each sentence is its own comment, except that
    consecutive sentences of one list item, or of one quoted comment, form a single comment
    (guidelines/spans.md 2.3)."""
    rows = doc._.sentences
    text = text_of(doc)
    chosen = set(selected)
    groups: list[tuple[int, int]] = []
    for i in selected:
        s, e = rows[i][0], rows[i][1]
        if groups and i - 1 in chosen and "\n" not in text[groups[-1][1]:s]:
            line_start = text.rfind("\n", 0, groups[-1][0]) + 1
            in_item = BULLET_RE.match(text[line_start:groups[-1][1]]) is not None
            if in_item or _open_quote(text[groups[-1][0]:groups[-1][1]]):
                groups[-1] = (groups[-1][0], e)
                continue
        groups.append((s, e))
    return groups


def _content_start(doc: Doc, s: int, e: int) -> int:
    raw = text_of(doc)[s:e]
    content = strip_bullet(raw)
    return s + raw.find(content) if content else s


def opens_sentence(text: str, start: int, at: int) -> bool:
    """Is ``at`` the first word of the comment (``start``) or of a sentence or line in it?"""
    before = plain_quotes(text[start:at]).rstrip(" \t\"'(")
    return not before or before[-1] in ".!?:;\n" or \
        BULLET_RE.fullmatch(before.rsplit("\n", 1)[-1]) is not None


def _outermost(found: list[list]) -> list[list]:
    """Evidence spans without repeats: a span overlapping an earlier (or at the same start, a
    longer) one is left out ("next time" found as a suggestion and as an intention is shown
    once, "9 February" and not also "9")."""
    out: list[list] = []
    for m in sorted(found, key=lambda m: (m[0], -m[1])):
        if not out or m[0] >= out[-1][1]:
            out.append(m)
    return out


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
        per_doc = []
        for r in rows:
            per_doc.append(np.asarray(p_all[k:k + len(r)]))
            k += len(r)
        if "detect_context" in self.models and live:
            second = [neighbour_features(p) for p in per_doc]
            flat = [row for rows_ in second for row in rows_]
            p2 = self.models["detect_context"].predict_proba(flat)[:, 1]
            k = 0
            for i, p in enumerate(per_doc):
                per_doc[i], k = p2[k:k + len(p)], k + len(p)
        groups = [group_comments(doc, feedback_sentences(p_fb, doc._.sentences or [],
                                                         self.threshold))
                  for doc, p_fb in zip(docs, per_doc, strict=True)]
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
        parts: dict[int, PartMarkers] = {}  # each Doc's, by id: the items are all alive
        found_in = []
        for (doc, (_, e)), s in zip(items, starts, strict=True):
            part = parts.get(id(doc))
            if part is None:
                part = parts[id(doc)] = PartMarkers(text_of(doc), doc._.markers)
            found_in.append(part(s, e))
        X = comment_rows(texts, found_in)
        spec = self.models["specificity"]
        # every comment's numbers at once (rounded as ``round(x, 4)``): per-comment numpy
        # scalars cost more than the rest of the loop
        full = np.zeros((len(items), 3))
        full[:, [int(c) for c in spec.classes_]] = spec.predict_proba(X)
        levels = np.argmax(full, axis=1).tolist()
        shown = rounded(full)
        flag_p = {f: self.models[f].predict_proba(X)[:, 1] for f in FLAGS}
        flag_met = {f: (p >= 0.5).tolist() for f, p in flag_p.items()}
        flag_shown = {f: rounded(p) for f, p in flag_p.items()}
        out = []
        for k, ((doc, (_, e)), s) in enumerate(zip(items, starts, strict=True)):
            level = levels[k]
            part = parts[id(doc)]  # the Doc's text and markers, read once per Doc above
            text = part.text
            item = {"start": s, "end": e, "text": texts[k], "specificity": level,
                    "score": shown[k][level], "probabilities": shown[k]}
            found = [m for m in markers_within(part.markers or [], s, e, EVIDENCE)
                     if m[2] not in VERB_EVIDENCE or " " in text[m[0]:m[1]]
                     or opens_sentence(text, s, m[0])]
            for f in FLAGS:
                met = flag_met[f][k]
                # words that carry a signal the model found; none for one it did not find
                # ("Try to be more assertive": a cue, but no concrete next step)
                ev = _outermost([m for m in found if m[2] in FLAG_EVIDENCE[f]])[:6] if met else []
                item[f] = {"met": met, "score": flag_shown[f][k],
                           "evidence": [[a, b, text[a:b]] for a, b, _ in ev]}
            out.append(item)
        return out


@Language.factory("reflectassist_feedback", default_config={"threshold": 0.5})
def make_feedback(nlp: Language, name: str, threshold: float) -> FeedbackScorer:
    return FeedbackScorer(name, threshold)
