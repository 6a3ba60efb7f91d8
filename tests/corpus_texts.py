"""Every text of our corpora, for the tests that compare fast paths with plain references."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@cache
def corpus_texts() -> tuple[str, ...]:
    """Every ``text`` of corpora/**/*.jsonl."""
    texts = []
    for f in sorted((ROOT / "corpora").rglob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                text = json.loads(line).get("text")
                if isinstance(text, str):
                    texts.append(text)
    assert len(texts) > 3000
    return tuple(texts)
