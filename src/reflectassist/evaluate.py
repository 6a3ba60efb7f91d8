"""Score a labelled file (LABELS.md record formats) with the trained pipeline."""

from __future__ import annotations

from typing import Any

import numpy as np
from spacy.language import Language

from . import ELEMENTS, KINDS, SMART_CRITERIA
from .corpus import DataError, check

TASKS = ("depth", "elements", "feedback", "smart")


def ordinal_metrics(gold: list[int], pred: list[int]) -> dict[str, float]:
    from sklearn.metrics import accuracy_score, cohen_kappa_score, f1_score

    labels = sorted(set(gold) | set(pred))
    qwk = cohen_kappa_score(gold, pred, weights="quadratic", labels=labels) \
        if len(labels) > 1 else 1.0
    return {"accuracy": round(float(accuracy_score(gold, pred)), 4),
            "macro_f1": round(float(f1_score(gold, pred, average="macro", labels=labels,
                                             zero_division=0)), 4),
            "qwk": round(float(qwk), 4),
            "mae": round(float(np.mean(np.abs(np.array(gold) - np.array(pred)))), 4)}


def label_metrics(gold: list[str], pred: list[str]) -> dict[str, Any]:
    from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

    labels = [e for e in ELEMENTS if e in set(gold) | set(pred)]
    p, r, f, s = precision_recall_fscore_support(gold, pred, labels=labels, zero_division=0)
    return {"accuracy": round(float(accuracy_score(gold, pred)), 4),
            "macro_f1": round(float(f1_score(gold, pred, labels=[e for e in labels if e in gold],
                                             average="macro", zero_division=0)), 4),
            "per_label": {lab: {"precision": round(float(p[i]), 4), "recall": round(float(r[i]), 4),
                                "f1": round(float(f[i]), 4), "support": int(s[i])}
                          for i, lab in enumerate(labels)}}


def binary_metrics(gold: list[bool], pred: list[bool]) -> dict[str, Any]:
    from sklearn.metrics import accuracy_score, precision_recall_fscore_support

    if not gold:
        return {"n": 0}
    p, r, f, _ = precision_recall_fscore_support(gold, pred, labels=[True, False],
                                                 zero_division=0)
    return {"n": len(gold), "precision": round(float(p[0]), 4), "recall": round(float(r[0]), 4),
            "f1": round(float(f[0]), 4), "accuracy": round(float(accuracy_score(gold, pred)), 4),
            "f1_not_met": round(float(f[1]), 4)}


def predict_depth(nlp: Language, records: list[dict]) -> list[tuple[int, list[float]]]:
    out = []
    for rec in records:
        kind = rec.get("kind") if rec.get("kind") in KINDS else None
        cfg = {"reflectassist_kind": {"kind": kind}} if kind else {}
        doc = nlp(rec["text"], component_cfg=cfg) if rec["text"].strip() else None
        if doc is None or not doc._.depth:
            out.append((0, [1.0, 0.0, 0.0, 0.0]))
        else:
            out.append((doc._.depth["level"], doc._.depth["probabilities"]))
    return out


def element_rows(records: list[dict]) -> np.ndarray:
    from .features import make_rows, strip_bullet, text_features

    texts = [strip_bullet(r["text"]) for r in records]
    contexts = [str(r.get("context") or "").replace(r["text"], " ").strip() for r in records]
    return make_rows(texts, contexts, [text_features(r["text"]) for r in records])


def evaluate(task: str, records: list[dict], nlp: Language) -> dict[str, Any]:
    if task not in TASKS:
        raise DataError(f"unknown task {task!r}; choose from {', '.join(TASKS)}")
    check(records, task)
    items: list[dict] = []
    if task == "depth":
        preds = predict_depth(nlp, records)
        gold = [int(float(r["depth"])) for r in records]
        for r, g, (p, probs) in zip(records, gold, preds, strict=True):
            items.append({"id": r["id"], "gold": g, "pred": p, "score": probs})
        metrics = ordinal_metrics(gold, [p for p, _ in preds])
    elif task == "elements":
        model = nlp.get_pipe("reflectassist_elements").models["elements"]
        proba = model.predict_proba(element_rows(records)) if records else np.zeros((0, 9))
        classes = list(model.classes_)
        gold = [str(r["element"]).lower() for r in records]
        pred = [classes[int(np.argmax(p))] for p in proba]
        for r, g, p, pr in zip(records, gold, pred, proba, strict=True):
            items.append({"id": r["id"], "gold": g, "pred": p, "score": round(float(pr.max()), 4)})
        metrics = label_metrics(gold, pred)
    elif task == "feedback":
        from .feedback import comment_rows

        model = nlp.get_pipe("reflectassist_feedback").models["specificity"]
        proba = model.predict_proba(comment_rows([r["text"] for r in records]))
        classes = [int(c) for c in model.classes_]
        gold = [int(float(r["specificity"])) for r in records]
        pred = [classes[int(np.argmax(p))] for p in proba]
        for r, g, p, pr in zip(records, gold, pred, proba, strict=True):
            items.append({"id": r["id"], "gold": g, "pred": p, "score": round(float(pr.max()), 4)})
        metrics = ordinal_metrics(gold, pred)
        from .feedback import FLAGS

        for f in FLAGS:
            labelled = [i for i, r in enumerate(records) if isinstance(r.get(f), bool)]
            if labelled:
                fp = nlp.get_pipe("reflectassist_feedback").models[f].predict_proba(
                    comment_rows([records[i]["text"] for i in labelled]))[:, 1]
                metrics[f] = binary_metrics([records[i][f] for i in labelled],
                                            [bool(p >= 0.5) for p in fp])
    else:
        from .targets import score_target_texts

        models = nlp.get_pipe("reflectassist_targets").models
        scored = score_target_texts(models, [r["text"] for r in records])
        metrics = {}
        for c in SMART_CRITERIA:
            pairs = [(bool(r[c]), s[c]["met"]) for r, s in zip(records, scored, strict=True)
                     if r.get(c) is not None]
            metrics[c] = binary_metrics([g for g, _ in pairs], [p for _, p in pairs])
        for r, s in zip(records, scored, strict=True):
            items.append({"id": r["id"], "gold": {c: r.get(c) for c in SMART_CRITERIA},
                          "pred": {c: s[c]["met"] for c in SMART_CRITERIA},
                          "score": {c: s[c]["score"] for c in SMART_CRITERIA}})
    return {"task": task, "n": len(records), "metrics": metrics, "items": items}


def format_metrics(result: dict) -> str:
    lines = [f"task: {result['task']}  n={result['n']}"]
    m = result["metrics"]
    if result["task"] == "smart":
        lines.append(f"{'criterion':<12} {'n':>5} {'prec':>6} {'rec':>6} {'f1':>6} {'acc':>6} "
                     f"{'f1_not':>6}")
        for c, v in m.items():
            if v.get("n"):
                lines.append(f"{c:<12} {v['n']:>5} {v['precision']:>6.3f} {v['recall']:>6.3f} "
                             f"{v['f1']:>6.3f} {v['accuracy']:>6.3f} {v['f1_not_met']:>6.3f}")
            else:
                lines.append(f"{c:<12}     0  (no labelled items)")
        return "\n".join(lines) + "\n"
    for k, v in m.items():
        if isinstance(v, dict) and "precision" in v:
            lines.append(f"{k}: precision {v['precision']:.3f} recall {v['recall']:.3f} "
                         f"f1 {v['f1']:.3f} (n={v['n']})")
        elif k == "per_label":
            lines.append(f"{'label':<12} {'prec':>6} {'rec':>6} {'f1':>6} {'n':>5}")
            for lab, s in v.items():
                lines.append(f"{lab:<12} {s['precision']:>6.3f} {s['recall']:>6.3f} "
                             f"{s['f1']:>6.3f} {s['support']:>5}")
        else:
            lines.append(f"{k}: {v}")
    return "\n".join(lines) + "\n"
