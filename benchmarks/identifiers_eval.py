"""Precision, recall and F1 of the personal-identifier detector, per type.

Usage (from the repository root)::

    python benchmarks/identifiers_eval.py                       # corpora/pii/snippets.jsonl
    python benchmarks/identifiers_eval.py other.jsonl --errors  # list every miss and false alarm
    python benchmarks/identifiers_eval.py --json                # machine-readable figures

Records follow corpora/guidelines/pii.md: ``{"id", "text", "entities": [{"start", "end",
"type", "text"}]}``. Two matchings are reported:

- **exact**: a prediction counts only if start, end and type equal a gold span's;
- **overlap**: a prediction counts if its type equals a gold span's and the spans share at
  least one character (each gold span is matched at most once, greedily in text order).

This is a script, not a test: the snippets are the evaluation set, so the detector's rules
must not be tuned on them.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from reflectassist.identifiers import IDENTIFIER_TYPES, find_identifiers  # noqa: E402

DEFAULT = ROOT / "corpora" / "pii" / "snippets.jsonl"


def load(path: Path) -> list[dict]:
    records = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            rec = json.loads(line)
            for e in rec["entities"]:
                if rec["text"][e["start"]:e["end"]] != e["text"]:
                    raise SystemExit(f"{path}:{n}: offsets of {e} do not match the text")
            records.append(rec)
    return records


def match(gold: list[tuple], pred: list[tuple], overlap: bool) -> tuple[set, set]:
    """Indices of matched gold and predicted spans (one-to-one)."""
    used_g: set[int] = set()
    used_p: set[int] = set()
    for pi, (ps, pe, pt) in enumerate(pred):
        for gi, (gs, ge, gt) in enumerate(gold):
            if gi in used_g or gt != pt:
                continue
            hit = (gs < pe and ps < ge) if overlap else (gs == ps and ge == pe)
            if hit:
                used_g.add(gi)
                used_p.add(pi)
                break
    return used_g, used_p


def evaluate(records: list[dict]) -> dict:
    counts = {mode: {"tp": Counter(), "fp": Counter(), "fn": Counter()}
              for mode in ("exact", "overlap")}
    errors: list[dict] = []
    for rec in records:
        text = rec["text"]
        gold = [(e["start"], e["end"], e["type"]) for e in rec["entities"]]
        pred = [(p["start"], p["end"], p["type"]) for p in find_identifiers(text)]
        for mode in ("exact", "overlap"):
            mg, mp = match(gold, pred, overlap=(mode == "overlap"))
            c = counts[mode]
            for i, (_, _, t) in enumerate(gold):
                (c["tp"] if i in mg else c["fn"])[t] += 1
            for i, (_, _, t) in enumerate(pred):
                if i not in mp:
                    c["fp"][t] += 1
            if mode == "exact":
                for i, (s, e, t) in enumerate(gold):
                    if i not in mg:
                        errors.append({"id": rec["id"], "kind": "missed", "type": t,
                                       "text": text[s:e], "start": s, "end": e})
                for i, (s, e, t) in enumerate(pred):
                    if i not in mp:
                        errors.append({"id": rec["id"], "kind": "false alarm", "type": t,
                                       "text": text[s:e], "start": s, "end": e})
    result: dict = {"n_records": len(records), "errors": errors}
    for mode, c in counts.items():
        table = {}
        for t in list(IDENTIFIER_TYPES) + ["ALL"]:
            if t == "ALL":
                tp, fp, fn = (sum(c[k].values()) for k in ("tp", "fp", "fn"))
            else:
                tp, fp, fn = c["tp"][t], c["fp"][t], c["fn"][t]
            p = tp / (tp + fp) if tp + fp else None
            r = tp / (tp + fn) if tp + fn else None
            f = 2 * p * r / (p + r) if p and r else (0.0 if p is not None and r is not None
                                                     else None)
            table[t] = {"gold": tp + fn, "pred": tp + fp, "tp": tp, "precision": p,
                        "recall": r, "f1": f}
        result[mode] = table
    return result


def fmt(x: float | None) -> str:
    return "   -  " if x is None else f"{x:6.3f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("path", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--errors", action="store_true", help="list misses and false alarms")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    res = evaluate(load(args.path))
    if args.json:
        out = {k: v for k, v in res.items() if k != "errors" or args.errors}
        print(json.dumps(out, indent=2))
        return 0
    print(f"{args.path} ({res['n_records']} records)")
    for mode in ("exact", "overlap"):
        print(f"\n{mode} match")
        print(f"{'type':<14}{'gold':>6}{'pred':>6}{'tp':>6}  {'prec':>6} {'recall':>6} {'f1':>6}")
        for t, row in res[mode].items():
            print(f"{t:<14}{row['gold']:>6}{row['pred']:>6}{row['tp']:>6}  "
                  f"{fmt(row['precision'])} {fmt(row['recall'])} {fmt(row['f1'])}")
    if args.errors:
        print("\nerrors (exact match)")
        for e in res["errors"]:
            print(f"{e['id']}\t{e['kind']}\t{e['type']}\t{e['text']!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
