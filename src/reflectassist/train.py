"""Rebuild the shipped pipeline from corpora/ (and CEReD), reproducibly, with honest figures.

Every figure written to the metrics file is cross-validated or held out: grouped 5-fold CV
for depth (entries about one scenario stay in one fold), stratified 5-fold CV for feedback
and SMART, CEReD's own val split for elements, and 5-fold CV grouped by note for finding
feedback in the training notes.  The held-out notes (``notes/heldout*.jsonl``) are never read
here: measure them with ``reflectassist evaluate notes``.  The final models are then fitted
on all training data.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from . import ELEMENTS, SMART_CRITERIA
from .corpus import corpus_files, read_cered, read_many
from .evaluate import align_labels, find_spans
from .textmodel import SEED, build_text_classifier

Log = Callable[[str], None]


def _nlp_base():
    """The whole pipeline, untrained; training runs only its front (see ``_front``)."""
    from .pipeline import build_pipeline

    nlp = build_pipeline()
    return nlp


def _front(nlp, text: str, kind: str | None = None):
    doc = nlp.make_doc(text)
    for name in ("reflectassist_segmenter", "reflectassist_markers", "reflectassist_identifiers"):
        doc = nlp.get_pipe(name)(doc)
    return nlp.get_pipe("reflectassist_kind")(doc, kind=kind)


# ----------------------------------------------------------------------------- elements
def depth_sentence_records(entries: list[dict]) -> list[dict]:
    """Element-labelled sentences of our depth corpus, with neighbouring sentences as context."""
    out = []
    for rec in entries:
        sents = [s for s in rec.get("sentences", []) if s.get("element") in ELEMENTS]
        for i, s in enumerate(sents):
            ctx = " ".join(x["text"] for x in sents[max(i - 1, 0):i] + sents[i + 1:i + 2])
            out.append({"id": f"{rec['id']}#{i}", "text": s["text"], "element": s["element"],
                        "context": ctx, "group": rec.get("scenario", rec["id"])})
    return out


IN_DOMAIN_WEIGHT = 0.3


def fit_elements(records: list[dict]):
    """Calibrated linear SVM on the sentence alone (context words lowered CEReD val accuracy).

    Our in-domain sentences are weighted down: they are fewer, and CEReD's annotated
    sentences are the reference the element scheme comes from."""
    from .evaluate import element_rows

    model = build_text_classifier(C=0.2, context=False, char=True, clf="svc")
    weights = np.array([1.0 if r["id"].startswith("cered") else IN_DOMAIN_WEIGHT
                        for r in records])
    model.fit(element_rows(records), [r["element"] for r in records], clf__sample_weight=weights)
    return model


# ----------------------------------------------------------------------------- depth
def depth_feature_rows(nlp, entries: list[dict], element_model) -> list[dict]:
    from .depth import depth_features

    tagger = nlp.get_pipe("reflectassist_elements")
    tagger.set_models({"elements": element_model})
    rows = []
    for rec in entries:
        doc = _front(nlp, rec["text"])  # detected kind, as at run time
        doc = tagger(doc)
        rows.append(depth_features(doc))
    return rows


def build_depth_model():
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    from .ordinal import OrdinalClassifier

    return Pipeline([("vec", DictVectorizer(sparse=False)), ("scale", StandardScaler()),
                     ("clf", OrdinalClassifier(LogisticRegression(C=0.3, max_iter=5000)))])


# ----------------------------------------------------------------------------- feedback
def feedback_detection_data(nlp, notes: list[dict], comments: list[dict],
                            entries: list[dict], targets: list[dict]):
    """Rows and labels for the detector: every sentence of the notes first (their count is
    returned too), then comments as positives and reflective sentences and targets as
    negatives."""
    from .features import make_rows, text_features
    from .feedback import detection_rows

    blocks, labels, doc_ids = [], [], []
    for k, rec in enumerate(notes):
        doc = _front(nlp, rec["text"])  # detected kind, as at run time
        gold = align_labels(doc, find_spans(rec["text"], rec.get("feedback", [])))
        if gold:
            blocks.append(detection_rows(doc))
            labels.extend(gold)
            doc_ids.extend([k] * len(gold))
    rng = random.Random(SEED)
    extra_pos = [c["text"] for c in comments if len(c["text"]) < 400]
    neg_sents = [s["text"] for e in entries if e.get("kind") != "supervision_note"
                 for s in e.get("sentences", [])]
    neg = rng.sample(neg_sents, min(len(neg_sents), 1500)) + \
        rng.sample([t["text"] for t in targets], min(len(targets), 400))
    pos = rng.sample(extra_pos, min(len(extra_pos), 600))
    texts = pos + neg
    blocks.append(make_rows(texts, [""] * len(texts), [text_features(t) for t in texts]))
    n_note_rows = len(labels)
    labels.extend([True] * len(pos) + [False] * len(neg))
    return np.vstack(blocks), np.array(labels), n_note_rows, np.array(doc_ids)


# ----------------------------------------------------------------------------- CV helpers
def cv_ordinal(make_model, X, y, groups=None, n_splits=5,
               extra: tuple | None = None) -> dict[str, float]:
    """Out-of-fold metrics; ``extra`` = (X, y) rows added to every training fold only."""
    from sklearn.model_selection import GroupKFold, StratifiedKFold

    from .evaluate import ordinal_metrics

    y = np.asarray(y)
    if groups is not None:
        splitter = GroupKFold(n_splits=n_splits, shuffle=True, random_state=SEED)
        splits = splitter.split(X, y, groups)
    else:
        splits = StratifiedKFold(n_splits, shuffle=True, random_state=SEED).split(X, y)
    pred = np.zeros_like(y)
    for tr, te in splits:
        m = make_model()
        if extra is not None and len(extra[1]):
            m.fit(np.vstack([_take(X, tr), extra[0]]), np.concatenate([y[tr], extra[1]]))
        else:
            m.fit(_take(X, tr), y[tr])
        pred[te] = m.predict(_take(X, te))
    return ordinal_metrics([int(v) for v in y], [int(v) for v in pred])


def _take(X, idx):
    return X[idx] if isinstance(X, np.ndarray) else [X[i] for i in idx]


def cv_binary(make_model, X, y, n_splits=5) -> dict[str, Any]:
    from sklearn.model_selection import StratifiedKFold

    from .evaluate import binary_metrics

    y = np.asarray(y, dtype=bool)
    pred = np.zeros_like(y)
    for tr, te in StratifiedKFold(n_splits, shuffle=True, random_state=SEED).split(X, y):
        m = make_model()
        m.fit(X[tr], y[tr])
        pred[te] = m.predict(X[te])
    return binary_metrics(y.tolist(), pred.tolist())


def fit_detector(make_model, X, y, n_rows: int, doc_ids: np.ndarray):
    """The two-stage feedback detector, its threshold and its grouped CV figures.

    Rows ``[:n_rows]`` are the sentences of the training notes (``doc_ids`` says which note);
    the rest are stand-alone comments and sentences that only ever train stage one.
    Stage one scores each sentence; stage two (``feedback.neighbour_features``) rescores it
    with its neighbours' scores, so it is fitted on out-of-fold stage-one scores (folds by
    note). The threshold is where stage two's out-of-fold precision and recall on the notes
    are both highest.
    """
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score, precision_score, recall_score
    from sklearn.model_selection import GroupKFold
    from sklearn.pipeline import Pipeline

    from .evaluate import binary_metrics
    from .feedback import neighbour_features

    y = np.asarray(y, dtype=bool)
    y_notes = y[:n_rows]
    if np.any(np.diff(doc_ids) < 0):
        raise ValueError("the rows of each note must be consecutive")
    if len(set(doc_ids.tolist())) < 5 or len(set(y_notes.tolist())) < 2:
        return make_model().fit(X, y), None, 0.5, {"n": 0}  # too few notes to fit stage two
    extra = np.arange(n_rows, len(y))
    folds = list(GroupKFold(5, shuffle=True, random_state=SEED).split(
        X[:n_rows], y_notes, doc_ids))
    oof1 = np.zeros(n_rows)
    fold_of = np.zeros(n_rows, dtype=int)
    for k, (_, te) in enumerate(folds):
        fold_of[te] = k
    for tr, te in folds:
        m = make_model().fit(X[np.r_[tr, extra]], y[np.r_[tr, extra]])
        oof1[te] = m.predict_proba(X[te])[:, list(m.classes_).index(True)]

    # a note's sentences are consecutive rows, so its stage-two rows are one slice
    bounds = np.flatnonzero(np.diff(doc_ids)) + 1

    def second_rows(p: np.ndarray) -> list[dict]:
        return [row for part in np.split(p, bounds) for row in neighbour_features(part)]

    def stage_two():
        return Pipeline([("vec", DictVectorizer(sparse=False)),
                         ("clf", LogisticRegression(C=1.0, max_iter=1000))])

    Z = second_rows(oof1)
    y_z = y_notes
    fold_z = fold_of  # the same folds as stage one
    oof2 = np.zeros(len(Z))
    for k in range(len(folds)):
        tr, te = np.flatnonzero(fold_z != k), np.flatnonzero(fold_z == k)
        m2 = stage_two().fit([Z[i] for i in tr], y_z[tr])
        oof2[te] = m2.predict_proba([Z[i] for i in te])[:, 1]
    # the operating point where precision and recall are both highest (the goal is both
    # >= 0.85, not one bought with the other); F1 breaks ties
    grid = np.round(np.arange(0.2, 0.801, 0.025), 3)
    scores = [(min(precision_score(y_z, oof2 >= t, zero_division=0),
                   recall_score(y_z, oof2 >= t)), f1_score(y_z, oof2 >= t)) for t in grid]
    threshold = float(grid[max(range(len(grid)), key=lambda i: scores[i])])
    cv = {**binary_metrics(y_z.tolist(), (oof2 >= threshold).tolist()),
          "note": "out-of-fold, grouped by note; the threshold was chosen on these scores"}
    stage1 = make_model().fit(X, y)
    stage2 = stage_two().fit(Z, y_z)
    return stage1, stage2, threshold, cv


# ----------------------------------------------------------------------------- main entry
def _split_notes(notes: list[dict]) -> tuple[list[dict], list[dict]]:
    """(training notes, held-out notes): held-out notes are those in ``notes/heldout*.jsonl``.
    Training never reads their labels; measure them with ``reflectassist evaluate notes``."""
    test = [n for n in notes if n.get("_file", "").startswith("heldout")]
    ids = {id(n) for n in test}
    return [n for n in notes if id(n) not in ids], test


def _read_tagged(paths: list[Path]) -> list[dict]:
    from .corpus import read_jsonl

    out = []
    for p in paths:
        for rec in read_jsonl(p):
            rec["_file"] = p.name
            out.append(rec)
    return out


def train_all(corpora: Path, cered: Path | None, out: Path,
              extra: dict[str, list[Path]] | None = None, metrics_path: Path | None = None,
              cv: bool = True, log: Log = print) -> dict:
    """Fit every model, measure it honestly, save the pipeline to ``out``."""
    from sklearn.model_selection import GroupKFold

    from .evaluate import binary_metrics, element_rows, label_metrics, ordinal_metrics
    from .features import make_rows, text_features
    from .feedback import FLAGS, comment_rows
    from .targets import apply_rules, rule_evidence

    extra = extra or {}
    t0 = time.time()
    random.seed(SEED)
    np.random.seed(SEED)
    entries = read_many(corpus_files(corpora, "depth") + extra.get("depth", []))
    comments = read_many(corpus_files(corpora, "feedback") + extra.get("feedback", []))
    targets = read_many(corpus_files(corpora, "smart") + extra.get("smart", []))
    notes = _read_tagged(corpus_files(corpora, "notes"))
    element_extra = read_many(extra.get("elements", []))
    cered_train = read_cered(cered, "train") if cered else []
    cered_val = read_cered(cered, "val") if cered else []
    notes_train, notes_test = _split_notes(notes)
    metrics: dict[str, Any] = {"data": {
        "depth_entries": len(entries), "feedback_comments": len(comments),
        "smart_targets": len(targets), "notes": len(notes), "notes_heldout": len(notes_test),
        "cered_train": len(cered_train), "cered_val": len(cered_val)}}
    log(f"data: {metrics['data']}")
    nlp = _nlp_base()

    # elements ---------------------------------------------------------------
    in_domain = depth_sentence_records(entries)
    el_model = fit_elements(cered_train + in_domain + element_extra)
    if cered_val:
        proba = el_model.predict_proba(element_rows(cered_val))
        pred = [el_model.classes_[int(np.argmax(p))] for p in proba]
        gold = [r["element"] for r in cered_val]
        metrics["elements_cered_val"] = label_metrics(gold, pred)
        conf = [i for i, r in enumerate(cered_val) if r["confidence"] >= 3]
        metrics["elements_cered_val_conf3"] = label_metrics([gold[i] for i in conf],
                                                             [pred[i] for i in conf])
        log(f"elements CEReD val accuracy {metrics['elements_cered_val']['accuracy']}")

    # depth (element features out of fold) -----------------------------------
    y_depth = [int(e["depth"]) for e in entries]
    groups = [e.get("scenario") or e["id"] for e in entries]
    feats: list[dict] = [{} for _ in entries]
    el_gold: list[str] = []
    el_pred: list[str] = []
    if entries:
        splitter = GroupKFold(n_splits=5, shuffle=True, random_state=SEED)
        for k, (tr, te) in enumerate(splitter.split(entries, y_depth, groups)):
            tr_ids = {entries[i]["id"] for i in tr}
            fold_sents = [s for s in in_domain if s["id"].split("#")[0] in tr_ids]
            m = fit_elements(cered_train + fold_sents + element_extra)
            test_sents = [s for s in in_domain if s["id"].split("#")[0] not in tr_ids]
            if test_sents:
                p = m.predict_proba(element_rows(test_sents))
                el_pred += [m.classes_[int(np.argmax(x))] for x in p]
                el_gold += [s["element"] for s in test_sents]
            for i, row in zip(te, depth_feature_rows(nlp, [entries[i] for i in te], m),
                              strict=True):
                feats[i] = row
            log(f"depth fold {k + 1}/5 features done ({time.time() - t0:.0f}s)")
        if el_gold:
            metrics["elements_in_domain_cv"] = label_metrics(el_gold, el_pred)
        if cv:
            metrics["depth_cv"] = cv_ordinal(build_depth_model, feats, y_depth, groups)
            log(f"depth CV {metrics['depth_cv']}")
    depth_model = build_depth_model().fit(feats, y_depth)

    # feedback ---------------------------------------------------------------
    fb_models: dict[str, Any] = {}
    X_fb = comment_rows([c["text"] for c in comments])
    y_fb = [int(c["specificity"]) for c in comments]

    def spec_model():
        return build_text_classifier(C=0.3, context=False, char=True, clf="ordinal_svc")

    def flag_model():
        return build_text_classifier(C=2.0, context=False, char=True)

    # the feedback spans of the training notes, labelled by nine other writers, teach the
    # specificity model how differently people write (and judge) comments
    spans = [(n["_file"], f["text"], int(f["specificity"])) for n in notes_train
             for f in n.get("feedback", []) if isinstance(f.get("specificity"), int)]
    X_sp = comment_rows([t for _, t, _ in spans])
    y_sp = np.array([lvl for _, _, lvl in spans], dtype=int)
    files_sp = np.array([f for f, _, _ in spans])
    if cv:
        metrics["feedback_cv"] = cv_ordinal(spec_model, X_fb, y_fb, extra=(X_sp, y_sp))
        log(f"feedback CV (comments; note spans always in training) {metrics['feedback_cv']}")
        if len(set(files_sp.tolist())) > 1:
            gold, pred = [], []
            for f in sorted(set(files_sp.tolist())):
                te = files_sp == f
                m = spec_model().fit(np.vstack([X_fb, X_sp[~te]]),
                                     np.concatenate([y_fb, y_sp[~te]]))
                gold += y_sp[te].tolist()
                pred += [int(v) for v in m.predict(X_sp[te])]
            metrics["feedback_notes_leave_one_writer_out"] = ordinal_metrics(gold, pred)
            log(f"feedback specificity, note spans, leave one writer's file out "
                f"{metrics['feedback_notes_leave_one_writer_out']}")
    fb_models["specificity"] = spec_model().fit(np.vstack([X_fb, X_sp]) if len(y_sp) else X_fb,
                                                np.concatenate([y_fb, y_sp]))
    for f in FLAGS:
        idx = [i for i, c in enumerate(comments) if isinstance(c.get(f), bool)]
        yf = np.array([comments[i][f] for i in idx])
        Xf = X_fb[idx]
        if cv:
            metrics[f"feedback_{f}_cv"] = cv_binary(flag_model, Xf, yf)
        fb_models[f] = flag_model().fit(Xf, yf)

    def detect_model():
        return build_text_classifier(C=8.0, context=True, char=True, class_weight="balanced")

    X_det, y_det, n_note_rows, doc_ids = feedback_detection_data(nlp, notes_train, comments,
                                                                 entries, targets)
    det, det2, threshold, cv_det = fit_detector(detect_model, X_det, y_det, n_note_rows,
                                                doc_ids)
    metrics["feedback_detection_threshold"] = threshold
    metrics["feedback_detection_cv"] = cv_det
    log(f"feedback detection grouped CV on training notes {cv_det} (threshold {threshold})")
    fb_models["detect"] = det
    if det2 is not None:
        fb_models["detect_context"] = det2

    # targets ----------------------------------------------------------------
    smart_records = targets + [dict(t) for n in notes_train for t in n.get("targets", [])
                               if "specific" in t]
    X_sm = make_rows([r["text"] for r in smart_records], [""] * len(smart_records),
                     [text_features(r["text"]) for r in smart_records])
    evidence = [rule_evidence(r["text"]) for r in smart_records]
    sm_models: dict[str, Any] = {}

    def smart_model():
        # a calibrated linear SVM beat logistic regression on all five criteria in 5-fold CV
        return build_text_classifier(C=0.3, context=False, char=True, clf="svc")

    for c in SMART_CRITERIA:
        idx = [i for i, r in enumerate(smart_records) if r.get(c) is not None]
        yc = np.array([bool(smart_records[i][c]) for i in idx])
        Xc = X_sm[idx]
        if cv and len(set(yc.tolist())) > 1:
            from sklearn.model_selection import StratifiedKFold

            oof = np.zeros(len(idx))
            for tr, te in StratifiedKFold(5, shuffle=True, random_state=SEED).split(Xc, yc):
                m = smart_model().fit(Xc[tr], yc[tr])
                pos = list(m.classes_).index(True)
                oof[te] = m.predict_proba(Xc[te])[:, pos]
            pred = [apply_rules(c, float(p), evidence[i])[0] >= 0.5 for p, i in zip(oof, idx,
                                                                                   strict=True)]
            metrics[f"smart_{c}_cv"] = binary_metrics(yc.tolist(), pred)
            log(f"smart {c} CV {metrics[f'smart_{c}_cv']}")
        sm_models[c] = smart_model().fit(Xc, yc)

    # assemble and save ------------------------------------------------------
    from . import __version__

    meta = {"version": __version__, "seed": SEED}
    nlp.get_pipe("reflectassist_elements").set_models({"elements": el_model}, meta)
    nlp.get_pipe("reflectassist_depth").set_models({"depth": depth_model}, meta)
    nlp.get_pipe("reflectassist_feedback").set_models(fb_models, {**meta,
                                                                  "threshold": threshold})
    nlp.get_pipe("reflectassist_targets").set_models(sm_models, meta)
    out = Path(out)
    nlp.to_disk(out)
    metrics["train_seconds"] = round(time.time() - t0, 1)
    if metrics_path:
        Path(metrics_path).write_text(json.dumps(metrics, indent=1, sort_keys=True) + "\n",
                                      "utf-8")
    log(f"saved pipeline to {out} in {metrics['train_seconds']}s")
    return metrics
