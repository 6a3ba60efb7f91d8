"""Load our JSONL corpora and the external CEReD sentences (LABELS.md record formats)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

CERED_LABELS = {"experience", "feeling", "belief", "difficulty", "perspective", "reflection",
                "learning", "intention", "other"}


class DataError(ValueError):
    """A data file is missing or a record does not follow LABELS.md."""


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    records = []
    with open(path, encoding="utf-8-sig") as fh:
        for n, line in enumerate(fh, 1):
            line = line.strip()
            if not line:
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(f"{path}:{n}: not valid JSON ({exc.msg})") from None
            if not isinstance(rec, dict):
                raise DataError(f"{path}:{n}: each line must be a JSON object")
            rec.setdefault("id", f"{path.stem}:{n}")
            records.append(rec)
    return records


def read_many(paths: list[Path]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for p in paths:
        out.extend(read_jsonl(p))
    return out


def corpus_files(root: Path, task: str) -> list[Path]:
    return sorted((Path(root) / task).glob("*.jsonl"))


def read_cered(folder: str | Path, split: str, min_confidence: float = 0.0) -> list[dict]:
    """CEReD sentences as ``elements`` records, with their surrounding context."""
    path = Path(folder) / f"{split}.tsv"
    if not path.is_file():
        raise DataError(f"{path}: CEReD file not found")
    csv.field_size_limit(1 << 30)
    out = []
    with open(path, encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            label = row["y"].strip().lower()
            if label not in CERED_LABELS:
                continue
            try:
                conf = json.loads(row["confidence"])
                mean_conf = sum(conf) / len(conf)
            except (ValueError, TypeError, ZeroDivisionError):
                mean_conf = 0.0
            if mean_conf < min_confidence:
                continue
            sentence = row["sentence"].strip().strip('"')
            context = row["context"].replace(sentence, " ").strip().strip('"')
            out.append({"id": f"cered-{split}-{row['idx']}", "text": sentence, "element": label,
                        "context": context, "confidence": mean_conf})
    return out


def check(records: list[dict], task: str) -> None:
    """Raise DataError on records that do not follow LABELS.md for ``task``."""
    if not records:
        raise DataError("no records to evaluate")
    required = {"depth": ("text", "depth"), "elements": ("text", "element"),
                "feedback": ("text", "specificity"), "smart": ("text", "specific", "measurable"),
                "notes": ("text",)}
    seen: set = set()
    for rec in records:
        rid = rec.get("id")
        if rid in seen:
            raise DataError(f"duplicate id {rid!r}")
        seen.add(rid)
        for key in required[task]:
            if key not in rec:
                raise DataError(f"record {rid!r} has no {key!r} (task {task})")
        if not isinstance(rec["text"], str):
            raise DataError(f"record {rid!r}: text must be a string")
        if task == "notes":
            for key in ("feedback", "targets"):
                spans = rec.get(key, [])
                if not isinstance(spans, list) or not all(
                        isinstance(sp, dict) and isinstance(sp.get("text"), str) for sp in spans):
                    raise DataError(f"record {rid!r}: {key} must be a list of "
                                    '{"text": ...} spans')
                missing = [sp["text"] for sp in spans if sp["text"] not in rec["text"]]
                if missing:
                    raise DataError(f"record {rid!r}: {key} span not found in the text: "
                                    f"{missing[0][:60]!r}")
        if task == "depth" and not _is_int_in(rec["depth"], 0, 3):
            raise DataError(f"record {rid!r}: depth must be an integer 0-3")
        if task == "feedback" and not _is_int_in(rec["specificity"], 0, 2):
            raise DataError(f"record {rid!r}: specificity must be an integer 0-2")
        if task == "elements" and str(rec["element"]).lower() not in CERED_LABELS:
            raise DataError(f"record {rid!r}: element must be one of "
                            f"{', '.join(sorted(CERED_LABELS))}")
        if task == "smart":
            for c in ("specific", "measurable", "achievable", "relevant", "time_bound"):
                v = rec.get(c)
                ok = v is None or isinstance(v, bool) or (isinstance(v, int) and v in (0, 1))
                if not ok or (v is None and c in required[task]):
                    raise DataError(f"record {rid!r}: {c} must be true or false"
                                    + ("" if c in required[task] else " or null"))


def _is_int_in(v: Any, lo: int, hi: int) -> bool:
    """Integers, integral floats (2.0) and digit strings ("2") are accepted as labels."""
    if isinstance(v, bool):
        return False
    if isinstance(v, float) and v.is_integer() or isinstance(v, str) and v.strip().isdigit():
        v = int(float(v))
    return isinstance(v, int) and lo <= v <= hi
