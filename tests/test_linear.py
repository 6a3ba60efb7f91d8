"""Compiled linear models: same probabilities as the fitted scikit-learn pipelines, saved and
loaded as plain arrays, and analysis that never imports scikit-learn."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reflectassist.features import text_rows
from reflectassist.linear import LinearModel, _hash, compile_pipeline
from reflectassist.textmodel import build_text_classifier, load_models, save_models

TEXTS = [
    "On Tuesday's handover you gave a clear SBAR for bed 4, so the night team knew the plan.",
    "Good work this month.", "Please record wound measurements at every dressing change.",
    "You need to improve your communication.", "Refer Mr D for a Doppler by 16/02.",
    "Be more confident.", "I will book the MCA course and ask Sam to observe a visit by Friday.",
    "Café staff said the naïve façade — “résumé” — wasn't ideal!", "x", "",
    "Your chronology for baby S is now up to date, which meant the conference had it on time.",
    "Generally doing really well and the team like working with you.",
]


def _rows(n: int = 60) -> np.ndarray:
    texts = [TEXTS[i % len(TEXTS)] + (" again" * (i // len(TEXTS))) for i in range(n)]
    rows = text_rows(texts)
    for i in range(len(rows)):  # give the context column something to read
        rows[i, 1] = texts[(i + 3) % len(texts)]
    return rows


@pytest.mark.parametrize("clf,context,n_classes", [
    ("lr", True, 2), ("lr", False, 3), ("svc", False, 2), ("svc", True, 4),
    ("ordinal_svc", False, 3),
])
def test_compiled_text_model_matches_scikit_learn(clf, context, n_classes):
    rows = _rows()
    y = np.arange(len(rows)) % n_classes
    model = build_text_classifier(C=1.0, context=context, char=True, clf=clf, bits=12)
    model.fit(rows, y)
    compiled = LinearModel(*compile_pipeline(model))
    expected = model.predict_proba(rows)
    got = compiled.predict_proba(rows)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)
    assert list(compiled.classes_) == list(model.classes_)
    # unseen texts too (hash buckets and marker names the model never saw)
    fresh = text_rows(["Completely unseen words: zebra quokka 42%.", "?"])
    np.testing.assert_allclose(compiled.predict_proba(fresh), model.predict_proba(fresh),
                               rtol=0, atol=1e-12)


def test_compiled_scaled_ordinal_model_matches_scikit_learn():
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    from reflectassist.ordinal import OrdinalClassifier

    rng = np.random.default_rng(0)
    X = [{f"f{j}": float(rng.normal()) for j in range(6) if rng.random() < 0.7} for _ in range(80)]
    y = rng.integers(0, 4, size=80)
    model = Pipeline([("vec", DictVectorizer(sparse=False)), ("scale", StandardScaler()),
                      ("clf", OrdinalClassifier(LogisticRegression(max_iter=1000)))]).fit(X, y)
    compiled = LinearModel(*compile_pipeline(model))
    test = X[:10] + [{}, {"unknown": 3.0}, {"f1": 2.0}]
    np.testing.assert_allclose(compiled.predict_proba(test), model.predict_proba(test),
                               rtol=0, atol=1e-12)


def test_hash_is_scikit_learns_bucket():
    from sklearn.utils.murmurhash import murmurhash3_32

    for gram in ["ab", " th", "the handover", "é", "“q", "x" * 50]:
        assert _hash(gram) == abs(murmurhash3_32(gram.encode("utf-8"), 0, False))


def test_save_load_round_trip_keeps_predictions(tmp_path):
    rows = _rows(30)
    model = build_text_classifier(C=1.0, context=False, char=True, clf="svc", bits=10)
    model.fit(rows, np.arange(len(rows)) % 2)
    save_models({"m": model}, tmp_path, {"threshold": 0.4})
    loaded, meta = load_models(tmp_path)
    assert meta == {"threshold": 0.4}
    np.testing.assert_allclose(loaded["m"].predict_proba(rows), model.predict_proba(rows),
                               rtol=0, atol=1e-12)
    assert [p.suffix for p in tmp_path.iterdir()] and not list(tmp_path.glob("*.skops"))


def test_unsupported_pipeline_is_refused_at_compile_time():
    from sklearn.pipeline import Pipeline
    from sklearn.tree import DecisionTreeClassifier

    with pytest.raises(ValueError, match="cannot compile"):
        compile_pipeline(Pipeline([("features", None), ("clf", DecisionTreeClassifier())]))


def test_analysis_never_imports_scikit_learn_scipy_or_skops(model_path):
    code = (
        "import sys, json\n"
        "from reflectassist.pipeline import load_pipeline\n"
        "nlp = load_pipeline(sys.argv[1])\n"
        "doc = nlp('Feedback\\nYou explained the plan to Mrs K clearly on Monday. '\\\n"
        "          'Actions agreed\\n1. Refer Mr D by 16/02.')\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('sklearn', 'scipy', 'skops'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(model_path)], capture_output=True,
                         text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_counts_are_recomputed_when_the_same_rows_object_changes():
    rows = _rows(20)
    model = build_text_classifier(C=1.0, context=False, char=True, clf="lr", bits=10)
    model.fit(rows, np.arange(len(rows)) % 2)
    compiled = LinearModel(*compile_pipeline(model))
    compiled.predict_proba(rows)
    rows[0, 0] = "".join(["Completely", " different text ", "now"])  # a new string object
    np.testing.assert_allclose(compiled.predict_proba(rows), model.predict_proba(rows),
                               rtol=0, atol=1e-12)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12),
                min_size=1, max_size=20))
def test_vectorised_murmurhash_equals_mmh3(words):
    """The batch hashing of character n-grams gives scikit-learn's hashes (mmh3, seed 0) for
    any text, multibyte characters included."""
    import mmh3

    from reflectassist.linear import _Words

    words = [w for w in dict.fromkeys(words) if w and " " not in w]
    table = _Words()
    ids = table.lookup(words)
    hashes, count = table.char_grams(2, 5).gather_ids(ids)  # hashes the new words
    per_word = np.split(hashes, np.cumsum(count)[:-1]) if words else []
    for w, got in zip(words, per_word, strict=True):
        padded = f" {w} "
        expected = []
        for n in range(2, 6):
            if n >= len(padded):
                expected.append(padded)
                break
            expected += [padded[i:i + n] for i in range(len(padded) - n + 1)]
        assert got.tolist() == [mmh3.hash(g.encode("utf-8"), 0, True) for g in expected]


def test_many_rows_are_scored_in_bounded_passes_with_the_same_values(nlp, monkeypatch):
    """Above ``MAX_ROWS`` rows a model scores them a pass at a time (memory stays bounded on
    a huge document); every row gets exactly the value it gets in one pass."""
    from reflectassist import linear

    rows = _rows(50)
    seen: list[int] = []
    original = linear.LinearModel.decision_function

    def counted(self, r):
        seen.append(len(r))
        return original(self, r)

    for comp in ("reflectassist_elements", "reflectassist_feedback"):
        for name, model in nlp.get_pipe(comp).models.items():
            if name == "detect_context":
                continue
            whole = model.predict_proba(rows)
            seen.clear()
            monkeypatch.setattr(linear, "MAX_ROWS", 7)
            monkeypatch.setattr(linear.LinearModel, "decision_function", counted)
            np.testing.assert_array_equal(model.predict_proba(rows), whole)
            assert seen == [7] * 7 + [1]
            monkeypatch.undo()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80),
                max_size=6))
def test_vectorised_word_ngrams_equal_scikit_learns(texts):
    """Word uni- and bigram hashes of a batch of texts, per text, are the hashes of the
    n-grams scikit-learn's word analyzer lists (any text: multibyte characters, long tokens,
    texts without a token)."""
    import mmh3
    from sklearn.feature_extraction.text import HashingVectorizer

    from reflectassist.linear import _Hashes

    texts = texts + ["see https://example.org/" + "a" * 70 + " and " + "é" * 40 + " now"]
    analyse = HashingVectorizer(analyzer="word", ngram_range=(1, 2)).build_analyzer()
    flat, sizes = _Hashes().word(texts, 1, 2)
    assert sum(sizes) == len(flat) and len(sizes) == len(texts)
    start = 0
    for text, size in zip(texts, sizes, strict=True):
        expected = [mmh3.hash(g.encode("utf-8"), 0, True) for g in analyse(text)]
        assert sorted(flat[start:start + size].tolist()) == sorted(expected)
        start += size


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(st.floats(0, 1), st.integers(0, 10**6).map(lambda k: k / 10**6 + 5e-5),
                          st.integers(0, 10**5).map(lambda k: (k + 0.5) / 10**4)),
                min_size=1, max_size=30))
def test_rounded_is_pythons_round(values):
    """The vectorised rounding of model outputs gives exactly ``round(x, 4)``, values that
    sit on a half of the last digit included."""
    from reflectassist.linear import rounded

    grid = np.array(values).reshape(-1, 1)
    assert rounded(grid) == [[round(v, 4)] for v in values]
    assert rounded(np.array(values)) == [round(v, 4) for v in values]


def test_element_rows_leave_out_a_context_the_model_does_not_read(nlp):
    """The element tagger builds no context for a model that does not read it (the shipped
    one does not), and the probabilities are the same as with the context built."""
    from reflectassist.elements import sentence_rows

    model = nlp.get_pipe("reflectassist_elements").models["elements"]
    assert 1 not in model.columns
    assert 1 in nlp.get_pipe("reflectassist_feedback").models["detect"].columns
    doc = nlp("I felt anxious. Because the plan changed, I learned to ask. Next time I will ask.")
    with_context, without = sentence_rows(doc), sentence_rows(doc, context=False)
    assert with_context[1, 1] == "I felt anxious. Next time I will ask." and without[1, 1] == ""
    np.testing.assert_array_equal(model.predict_proba(with_context),
                                  model.predict_proba(without))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 5), min_size=1, max_size=12), st.integers(1, 9),
       st.integers(1, 4), st.randoms(use_true_random=False))
def test_products_summed_piece_by_piece_equal_one_pass(nonzeros, piece, width, rnd):
    """``_add_products`` multiplies out at most ``MAX_PRODUCTS`` non-zeros at a time (a
    batch's character n-grams made a 16 MB temporary); every row's sum is exactly the one
    pass's, rows without non-zeros included."""
    from reflectassist import linear

    rows = np.repeat(np.arange(len(nonzeros)), nonzeros)
    if not len(rows):
        return
    coef = np.array([[rnd.uniform(-2, 2) for _ in range(width)] for _ in range(30)])
    index = np.array([rnd.randrange(30) for _ in rows])
    v = np.array([rnd.uniform(0, 1) for _ in rows])
    starts, present = linear._row_starts(rows)
    one_pass = np.full((len(nonzeros), width), 0.5)
    one_pass[present] += np.add.reduceat(coef[index] * v[:, None], starts, axis=0)
    pieces = np.full((len(nonzeros), width), 0.5)
    old, linear.MAX_PRODUCTS = linear.MAX_PRODUCTS, piece
    try:
        linear._add_products(pieces, coef, index, v, starts, present)
    finally:
        linear.MAX_PRODUCTS = old
    np.testing.assert_array_equal(pieces, one_pass)
