"""The elements classifier on CEReD val (needs ../shared; skips cleanly without it)."""

from __future__ import annotations


def test_cered_val_accuracy_at_least_0_66(nlp, cered):
    from reflectassist.corpus import read_cered
    from reflectassist.evaluate import evaluate

    result = evaluate("elements", read_cered(cered, "val"), nlp)
    assert result["n"] == 339
    assert result["metrics"]["accuracy"] >= 0.66
