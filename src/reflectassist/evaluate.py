"""Score a labelled file (LABELS.md record formats) with the trained pipeline."""

from __future__ import annotations

from typing import Any

import numpy as np
from spacy.language import Language

from . import ELEMENTS, KINDS, SMART_CRITERIA
from .corpus import DataError, check

TASKS = ("depth", "elements", "feedback", "smart", "notes")


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


def find_spans(text: str, items: list[dict]) -> list[tuple[int, int]]:
    """Character offsets of labelled span texts; the n-th copy of a repeated string is located
    at its n-th occurrence (guidelines/spans.md, rule 5)."""
    spans, pos = [], {}
    for it in items:
        t = it["text"]
        i = text.find(t, pos.get(t, 0))
        if i < 0:
            i = text.find(t)
        if i >= 0:
            spans.append((i, i + len(t)))
            pos[t] = i + len(t)
    return spans


def align_labels(doc, spans: list[tuple[int, int]]) -> list[bool]:
    """True for each sentence of ``doc`` that mostly lies inside the given spans."""
    out = []
    for s, e, _sec, _h in doc._.sentences:
        n = max(e - s, 1)
        cover = sum(max(0, min(e, b) - max(s, a)) for a, b in spans)
        out.append(cover / n >= 0.5)
    return out


def _span_match(a: tuple[int, int], b: tuple[int, int]) -> bool:
    ov = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    return ov >= 0.5 * (a[1] - a[0]) and ov >= 0.5 * (b[1] - b[0])


def span_prf(gold: list[tuple[int, int]], pred: list[tuple[int, int]]) -> tuple[int, int]:
    """Matched counts (predicted spans that match a gold one, gold spans that are matched): two
    spans match when they overlap by at least half of each."""
    tp_p = sum(any(_span_match(p, g) for g in gold) for p in pred)
    tp_g = sum(any(_span_match(p, g) for p in pred) for g in gold)
    return tp_p, tp_g


def _prf(tp_p: int, n_pred: int, tp_g: int, n_gold: int) -> dict[str, Any]:
    p, r = tp_p / max(n_pred, 1), tp_g / max(n_gold, 1)
    return {"precision": round(p, 4), "recall": round(r, 4),
            "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
            "n": n_gold, "predicted": n_pred}


def evaluate_notes(records: list[dict], nlp: Language) -> tuple[dict[str, Any], list[dict]]:
    """Whole documents through the whole pipeline, as users run it (kind detected): are the
    labelled feedback sentences and target spans found, and how are the found ones scored?"""
    det_gold: list[bool] = []
    det_pred: list[bool] = []
    counts = {"fb": [0, 0, 0, 0], "tg": [0, 0, 0, 0]}  # tp_pred, n_pred, tp_gold, n_gold
    spec_gold: list[int] = []
    spec_pred: list[int] = []
    smart_pairs: dict[str, list[tuple[bool, bool]]] = {c: [] for c in SMART_CRITERIA}
    items = []
    texts = (r["text"] for r in records)
    for rec, doc in zip(records, nlp.pipe(texts, batch_size=16), strict=True):
        text = rec["text"]
        item: dict[str, Any] = {"id": rec["id"]}
        for key, found, gold_items in (("fb", doc._.feedback or [], rec.get("feedback", [])),
                                       ("tg", doc._.targets or [], rec.get("targets", []))):
            gold = find_spans(text, gold_items)
            if key == "fb":
                gold_feedback = gold
            pred = [(f["start"], f["end"]) for f in found]
            a, b = span_prf(gold, pred)
            c = counts[key]
            c[0], c[1], c[2], c[3] = c[0] + a, c[1] + len(pred), c[2] + b, c[3] + len(gold)
            name = "feedback" if key == "fb" else "targets"
            item[f"{name}_missed"] = [text[s:e] for s, e in gold
                                      if not any(_span_match(p, (s, e)) for p in pred)]
            item[f"{name}_spurious"] = [text[s:e] for s, e in pred
                                        if not any(_span_match((s, e), g) for g in gold)]
            for g, (gs, ge) in zip(gold_items, gold, strict=False):
                match = next((f for f in found if _span_match((f["start"], f["end"]), (gs, ge))),
                             None)
                if match is None:
                    continue
                if key == "fb" and isinstance(g.get("specificity"), int):
                    spec_gold.append(int(g["specificity"]))
                    spec_pred.append(int(match["specificity"]))
                elif key == "tg":
                    for crit in SMART_CRITERIA:
                        if isinstance(g.get(crit), bool):
                            smart_pairs[crit].append((g[crit], bool(match["smart"][crit]["met"])))
        gold_sent = align_labels(doc, gold_feedback)
        pred_sent = align_labels(doc, [(f["start"], f["end"]) for f in doc._.feedback or []])
        det_gold.extend(gold_sent)
        det_pred.extend(pred_sent)
        items.append(item)
    metrics: dict[str, Any] = {
        "feedback_detection_sentences": binary_metrics(det_gold, det_pred),
        "feedback_spans": _prf(*counts["fb"]),
        "target_extraction": _prf(*counts["tg"]),
    }
    if spec_gold:
        metrics["specificity_of_found_feedback"] = ordinal_metrics(spec_gold, spec_pred)
    for crit, pairs in smart_pairs.items():
        if pairs:
            metrics[f"smart_{crit}_of_found_targets"] = binary_metrics(
                [g for g, _ in pairs], [p for _, p in pairs])
    return metrics, items


def evaluate(task: str, records: list[dict], nlp: Language) -> dict[str, Any]:
    if task not in TASKS:
        raise DataError(f"unknown task {task!r}; choose from {', '.join(TASKS)}")
    check(records, task)
    items: list[dict] = []
    if task == "notes":
        metrics, items = evaluate_notes(records, nlp)
    elif task == "depth":
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
