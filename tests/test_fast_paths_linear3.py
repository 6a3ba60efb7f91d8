"""Third round of fast paths in ``linear.py``'s scoring, against the code they replace.

The fast path: models loaded together whose IDF arrays are equal bit for bit share one array
(``share_idf``, called by ``load_models``), and the TF-IDF values of such a part are computed
once per batch of rows and kept with the batch's counts for the other models. The REFERENCE
is the scoring as it was, copied here (``RefModel``): every model computes its own TF-IDF
values from its own arrays, loaded again from the model files without any sharing. Every
shipped model's ``predict_proba`` must equal the reference exactly (``np.array_equal``) on
rows made from every corpus line, on the rows the pipeline builds for corpus documents
(called in the pipeline's order, as in production), and on generated rows scored in shuffled
orders, so that a value kept for one batch or one model is never used for another.
"""

from __future__ import annotations

import json
import operator
import random
from functools import cache
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_texts import corpus_texts
from reflectassist import linear
from reflectassist.textmodel import SPEC_KEY, load_models

MODELS = Path(__file__).resolve().parents[1] / "models" / "reflectassist_pipeline"
COMPONENTS = ("reflectassist_elements", "reflectassist_feedback", "reflectassist_targets",
              "reflectassist_depth")
# the order the pipeline calls them in, one batch after another
ORDER = ("elements", "depth", "detect", "detect_context", "specificity", "instance", "impact",
         "next_step", "specific", "measurable", "achievable", "relevant", "time_bound")

# --------------------------------------------------------------------------- reference


def ref_tfidf_values(counts: Any, part: dict, idf: np.ndarray, n_rows: int) -> np.ndarray:
    tf = counts.sublinear_tf() if part["sublinear_tf"] else counts.counts
    v = tf * np.take(idf, counts.c)
    norms = np.sqrt(np.bincount(counts.r, weights=v * v, minlength=n_rows))
    v /= np.take(np.where(norms > 0, norms, 1.0), counts.r)
    return v


_VALUES = operator.methodcaller("values")


def ref_dict_part(dicts: list[dict], vocab: dict) -> tuple[np.ndarray, ...]:
    """The old ``_dict_part`` without its reuse of the last result."""
    values = list(chain.from_iterable(map(_VALUES, dicts)))
    if set(map(type, values)) <= linear._NUMBERS:
        cols = np.fromiter(map(vocab.__getitem__, chain.from_iterable(dicts)), np.int64,
                           len(values))
        vals = np.array(values, np.float64)
        rows = np.repeat(np.arange(len(dicts), dtype=np.int64), list(map(len, dicts)))
        keep = (cols >= 0) & (vals != 0)
        return rows[keep], cols[keep], vals[keep]
    return linear._dict_part_loop(dicts, vocab)


def ref_add_products(out, coef, index, v, starts, present) -> None:
    cuts = np.searchsorted(starts, np.arange(linear.MAX_PRODUCTS, len(index),
                                             linear.MAX_PRODUCTS))
    for a, b in zip([0, *cuts.tolist()], [*cuts.tolist(), len(starts)], strict=True):
        if a == b:
            continue
        lo, hi = starts[a], starts[b] if b < len(starts) else len(index)
        contrib = np.take(coef, index[lo:hi], axis=0)
        contrib *= v[lo:hi, None]
        out[present[a:b]] += np.add.reduceat(contrib, starts[a:b] - lo, axis=0)


class RefModel:
    """``LinearModel`` as it was: its own arrays, its own TF-IDF values, fresh counts."""

    def __init__(self, spec: dict, arrays: dict[str, np.ndarray]) -> None:
        self.spec, self.arrays = spec, arrays
        self._vocab = {p["name"]: linear._vocabulary(tuple(p["vocabulary"]))
                       for p in spec["parts"] if p["type"] == "dict"}

    def decision_function(self, rows: Any) -> np.ndarray:
        n = len(rows)
        coef = self.arrays["coef"]
        out = np.tile(self.arrays["intercept"], (n, 1))
        for part in self.spec["parts"]:
            column = linear._column(rows, part["column"])
            if part["type"] == "tfidf":
                lo, hi = part["ngram_range"]
                counts = linear._counts(tuple(column), part["analyzer"], lo, hi,
                                        part["n_features"])
                if not len(counts.r):
                    continue
                v = ref_tfidf_values(counts, part, self.arrays[f"idf_{part['name']}"], n)
                index, starts, present = counts.c + part["offset"], counts.starts, \
                    counts.present
            else:
                r, c, v = ref_dict_part(column, self._vocab[part["name"]])
                if not len(r):
                    continue
                index = c + part["offset"]
                starts, present = linear._row_starts(r)
            ref_add_products(out, coef, index, v, starts, present)
        return out

    def predict_proba(self, rows: Any) -> np.ndarray:
        head = self.spec["head"]
        d = self.decision_function(rows)
        if head["type"] == "ordinal":
            greater = linear._binary_positive(d, head, self.arrays)
            greater = np.minimum.accumulate(greater, axis=1)
            n = greater.shape[0]
            cum = np.hstack([np.ones((n, 1)), greater, np.zeros((n, 1))])
            proba = np.clip(cum[:, :-1] - cum[:, 1:], 0.0, 1.0)
            return proba / proba.sum(axis=1, keepdims=True)
        if d.shape[1] == 1:
            p = linear._binary_positive(d, head, self.arrays)[:, 0]
            return np.column_stack([1.0 - p, p])
        if head["link"] == "softmax":
            return linear._softmax(d)
        proba = linear._binary_positive(d, head, self.arrays)
        total = proba.sum(axis=1, keepdims=True)
        k = proba.shape[1]
        proba = np.divide(proba, total, out=np.full_like(proba, 1.0 / k), where=total != 0)
        proba[(proba > 1.0) & (proba <= 1.0 + 1e-5)] = 1.0
        return proba


@cache
def ref_models() -> dict[str, RefModel]:
    """Every shipped model, read again from its file: no array shared with another model."""
    models = {}
    for component in COMPONENTS:
        for f in sorted((MODELS / component).glob("*.npz")):
            with np.load(f, allow_pickle=False) as npz:
                arrays = {k: npz[k] for k in npz.files}
            spec = json.loads(arrays.pop(SPEC_KEY).tobytes().decode("utf-8"))
            models[f.stem] = RefModel(spec, arrays)
    return models


@cache
def new_models() -> dict[str, linear.LinearModel]:
    models = {}
    for component in COMPONENTS:
        models.update(load_models(MODELS / component)[0])
    return models


# --------------------------------------------------------------------------- rows


def dict_vocab(model: Any) -> dict:
    (vocab,) = [model._vocab[p["name"]] for p in model.spec["parts"] if p["type"] == "dict"]
    return vocab


def row_dict(model: Any, rnd: random.Random) -> dict:
    """Named features for a model: some of its vocabulary (dense models: all of it, in a
    fixed order), values that are sometimes 0, and a name it never saw."""
    vocab = list(dict_vocab(model))
    dense = all(p["type"] == "dict" for p in model.spec["parts"])
    names = vocab if dense else rnd.sample(vocab, rnd.randrange(min(25, len(vocab))))
    d = {name: rnd.choice([0.0, 1.0, rnd.uniform(-3, 3), rnd.randrange(5)]) for name in names}
    if not dense:
        d["never_seen"] = 1.0
    return d


def batch_rows(texts: list[str], rnd: random.Random) -> dict[str, Any]:
    """Rows for every model from one batch of texts (a text, its neighbours as context, and
    named features). As the components pass them, the models of one group read one rows
    object, whose dicts are shared by the models with the same vocabulary."""
    contexts = [" ".join(texts[max(0, i - 1):i + 2:2]) for i in range(len(texts))]
    by_vocab: dict[int, list[dict]] = {}
    out: dict[str, Any] = {}
    for name in ORDER:
        model = new_models()[name]
        dicts = by_vocab.get(id(dict_vocab(model)))
        if dicts is None:
            dicts = by_vocab[id(dict_vocab(model))] = [row_dict(model, rnd) for _ in texts]
        if all(p["type"] == "dict" for p in model.spec["parts"]):
            out[name] = dicts
            continue
        rows = np.empty((len(texts), 3), object)
        rows[:, 0], rows[:, 1] = texts, contexts
        rows[:, 2] = dicts
        out[name] = rows
    for group in (("specificity", "instance", "impact", "next_step"),
                  ("specific", "measurable", "achievable", "relevant", "time_bound")):
        for name in group[1:]:
            out[name] = out[group[0]]
    return out


def assert_same(name: str, rows: Any) -> None:
    got = new_models()[name].predict_proba(rows)
    want = ref_models()[name].predict_proba(rows)
    assert got.shape == want.shape
    assert np.array_equal(got, want), name


# --------------------------------------------------------------------------- tests


def test_equal_idf_arrays_are_shared_and_marked():
    """The flags' and two SMART models' IDF arrays are one array each after loading (the
    fast path is taken), equal to the files' arrays; the others stay their own."""
    models, ref = new_models(), ref_models()
    for part in ("word", "char"):
        key = f"idf_{part}"
        assert models["instance"].arrays[key] is models["impact"].arrays[key] \
            is models["next_step"].arrays[key]
        assert models["measurable"].arrays[key] is models["specific"].arrays[key]
        assert models["elements"].arrays[key] is not models["detect"].arrays[key]
        assert models["specificity"].arrays[key] is not models["instance"].arrays[key]
        for name in ("instance", "impact", "next_step", "measurable", "specific"):
            assert part in models[name].shared_idf
        for name in ("elements", "detect", "specificity", "achievable", "relevant",
                     "time_bound"):
            assert part not in models[name].shared_idf
    for name, model in models.items():
        for key, a in model.arrays.items():
            if key.startswith("idf_"):
                assert a.tobytes() == ref[name].arrays[key].tobytes()


@cache
def corpus_lines() -> tuple[str, ...]:
    return tuple(dict.fromkeys(line.strip() for t in corpus_texts()
                               for line in t.splitlines() if line.strip()))


def test_every_model_on_every_corpus_line_equals_the_reference():
    lines = list(corpus_lines())
    rnd = random.Random(7)
    for i in range(0, len(lines), 700):
        rows = batch_rows(lines[i:i + 700], rnd)
        for name in ORDER:
            assert_same(name, rows[name])


def test_the_pipelines_own_rows_equal_the_reference(nlp, monkeypatch):
    """Every model call of the pipeline on corpus documents, in its order, compared with the
    reference on the same rows."""
    from reflectassist.analysis import Source, analyse

    names = {id(m): n for _, comp in nlp.pipeline
             for n, m in getattr(comp, "models", {}).items()}
    original = linear.LinearModel.predict_proba
    seen: dict[str, int] = {}

    def checked(self, rows):
        got = original(self, rows)
        name = names[id(self)]
        assert np.array_equal(got, ref_models()[name].predict_proba(rows)), name
        seen[name] = seen.get(name, 0) + 1
        return got

    monkeypatch.setattr(linear.LinearModel, "predict_proba", checked)
    texts = corpus_texts()[::12]
    for _ in analyse(nlp, (Source(f"doc{i}", t) for i, t in enumerate(texts))):
        pass
    assert set(seen) == set(ORDER)
    assert nlp.get_pipe("reflectassist_feedback").models["impact"].shared_idf == {"word", "char"}


texts_st = st.lists(st.one_of(st.sampled_from(["", " ", "I will ask.", "Ask the team!",
                                               "İstanbul ß straße", "naïve café 😀"]),
                              st.text(max_size=40)), min_size=1, max_size=8)


@settings(max_examples=60, deadline=None)
@given(st.lists(texts_st, min_size=1, max_size=3), st.integers(0, 2**32))
def test_generated_rows_in_shuffled_orders_equal_the_reference(batches, seed):
    """Batches scored model by model in a shuffled order, batches interleaved and repeated,
    and a copy of a batch's rows with one text changed: a kept value is never taken for
    another batch or another model."""
    rnd = random.Random(seed)
    rows = [batch_rows(texts, rnd) for texts in batches]
    changed = dict(rows[0])
    for name in ORDER:
        r = changed[name]
        if isinstance(r, np.ndarray):
            r = r.copy()
            r[0, 0] = r[0, 0] + " changed"
            changed[name] = r
    rows.append(changed)
    calls = [(i, name) for i in range(len(rows)) for name in ORDER]
    calls += rnd.sample(calls, len(calls) // 2)
    rnd.shuffle(calls)
    for i, name in calls:
        assert_same(name, rows[i][name])


def synthetic(idf: np.ndarray, coef: np.ndarray, sublinear: bool, analyzer: str
              ) -> tuple[dict, dict[str, np.ndarray]]:
    n = len(idf)
    spec = {"head": {"type": "linear", "link": "logistic"}, "classes": [0, 1],
            "n_features": n,
            "parts": [{"name": "w", "type": "tfidf", "column": 0, "offset": 0,
                       "analyzer": analyzer, "ngram_range": [1, 2], "n_features": n,
                       "sublinear_tf": sublinear}]}
    return spec, {"coef": coef, "intercept": np.array([0.25]), "idf_w": idf}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(1.0, 8.0), min_size=64, max_size=64),
       st.lists(st.floats(-3, 3), min_size=64, max_size=64),
       st.lists(st.booleans(), min_size=2, max_size=4),
       st.sampled_from(["word", "char_wb"]), texts_st)
def test_models_sharing_an_idf_array_with_other_settings(idf, coef, sublinear, analyzer, texts):
    """Models with one IDF array but other TF settings (sublinear or not) and their own
    coefficients each get their own values; equal copies of the array are shared."""
    idf_a = np.array(idf)
    coef_a = np.array(coef)[:, None]
    made = [synthetic(idf_a.copy(), coef_a * (k + 1), s, analyzer)
            for k, s in enumerate(sublinear)]
    models = [linear.LinearModel(spec, dict(arrays)) for spec, arrays in made]
    linear.share_idf(models)
    assert all(m.arrays["idf_w"] is models[0].arrays["idf_w"] for m in models)
    assert all(m.shared_idf == {"w"} for m in models)
    rows = np.empty((len(texts), 1), object)
    rows[:, 0] = texts
    for _ in range(2):
        for model, (spec, arrays) in zip(models, made, strict=True):
            got = model.predict_proba(rows)
            assert np.array_equal(got, RefModel(spec, arrays).predict_proba(rows))


def test_different_idf_arrays_are_not_shared():
    idf = np.linspace(1, 3, 64)
    other = idf.copy()
    other[-1] = np.nextafter(other[-1], 9)  # equal but for the last bit of one value
    models = [linear.LinearModel(*synthetic(a, np.ones((64, 1)), True, "word"))
              for a in (idf, other)]
    linear.share_idf(models)
    assert models[0].arrays["idf_w"] is not models[1].arrays["idf_w"]
    assert not models[0].shared_idf and not models[1].shared_idf


@pytest.mark.parametrize("name", ORDER)
def test_each_model_alone_on_fresh_rows_equals_the_reference(name):
    """A model scored without the others before it (nothing kept to reuse)."""
    rnd = random.Random(name)
    lines = list(corpus_lines())[:300]
    rows = batch_rows([line + " " + name for line in lines], rnd)
    assert_same(name, rows[name])
