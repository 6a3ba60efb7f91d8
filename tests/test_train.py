"""Training is reproducible (same data, same model) and the result loads with spacy.load."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import spacy

ROOT = Path(__file__).resolve().parents[1]


def _sample(task: str, n: int, key: str, seed: int = 0) -> list[dict]:
    recs = []
    for p in sorted((ROOT / "corpora" / task).glob("*.jsonl")):
        recs += [json.loads(x) for x in p.read_text(encoding="utf-8").splitlines() if x]
    by: dict = {}
    for r in recs:
        by.setdefault(r.get(key), []).append(r)
    rng = random.Random(seed)
    out = []
    for _k, group in sorted(by.items(), key=lambda kv: str(kv[0])):
        out += rng.sample(group, min(n, len(group)))
    return out


@pytest.fixture(scope="module")
def tiny_corpora(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpora")
    for task, n, key in (("depth", 12, "depth"), ("feedback", 15, "specificity"),
                         ("smart", 60, "specific"), ("notes", 10, "kind")):
        (root / task).mkdir()
        recs = _sample(task, n, key)
        (root / task / "tiny.jsonl").write_text(
            "\n".join(json.dumps(r) for r in recs) + "\n", encoding="utf-8")
    return root


def test_training_is_reproducible_and_loadable(tiny_corpora, tmp_path):
    from reflectassist.train import train_all

    outs = []
    for k in range(2):
        out = tmp_path / f"m{k}"
        metrics = train_all(tiny_corpora, None, out, metrics_path=tmp_path / f"m{k}.json",
                            cv=False, log=lambda _m: None)
        assert metrics["data"]["depth_entries"] == 48
        outs.append(out)
    text = ("Feedback:\n- Your SBAR call on Tuesday was clear.\nI felt anxious because it was "
            "my first night. Next time I will ask for help by 3am.\nActions agreed:\n"
            "1. AB to complete the audit by Friday")
    results = []
    for out in outs:
        nlp = spacy.load(out)
        doc = nlp(text)
        results.append((doc._.depth, [s._.element for s in doc.sents], doc._.feedback,
                        doc._.targets))
    assert results[0] == results[1]
