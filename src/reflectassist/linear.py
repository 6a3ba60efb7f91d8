"""Linear models as plain arrays: compiled from fitted scikit-learn pipelines at training time,
run with numpy alone at analysis time.

Why: every model we ship is hashed n-gram TF-IDF (plus a few named features) into a linear
classifier. Keeping only the arrays (coefficients, IDF weights, calibration constants) and a
JSON description means that (1) loading a model can never execute code (``np.load`` with
``allow_pickle=False``), (2) the CLI does not import scikit-learn, SciPy or skops at start-up,
and (3) the n-gram hashes of a sentence are computed once and shared by every model that
reads it. ``compile_pipeline`` reproduces scikit-learn's ``predict_proba`` to within
floating-point rounding (tested against the fitted pipelines).
"""

from __future__ import annotations

import operator
import re
from functools import lru_cache
from typing import Any

import mmh3
import numpy as np

_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token_pattern
_CACHE_LIMIT = 200_000


# ------------------------------------------------------------------------------- hashing

def _hash(feature: str) -> int:
    """scikit-learn's ``HashingVectorizer`` bucket before the modulo: |murmurhash3_32| (seed 0)."""
    return abs(mmh3.hash(feature.encode("utf-8"), 0, True))


class _Hashes:
    """Unreduced hashes of word and character n-grams. Character n-grams never cross a word
    (``char_wb``), so each distinct word's array is computed once per process and a text's
    n-grams are the concatenation of its words' arrays; word unigrams are cached the same
    way. Bigrams are hashed directly: nearly all are new, so caching them cost more than it
    saved."""

    def __init__(self) -> None:
        self._chars: dict[tuple[str, int, int], np.ndarray] = {}
        self._words: dict[str, int] = {}

    def _char_grams(self, w: str, lo: int, hi: int) -> np.ndarray:
        w = f" {w} "
        grams = []
        for n in range(lo, hi + 1):
            offset = 0
            grams.append(w[0:n])
            while offset + n < len(w):
                offset += 1
                grams.append(w[offset:offset + n])
            if offset == 0:
                break
        return np.fromiter(map(_hash, grams), np.int64, len(grams))

    def char_wb(self, text: str, lo: int, hi: int) -> list[np.ndarray]:
        """As ``analyzer="char_wb"``: n-grams inside space-padded words (one array a word)."""
        out: list[np.ndarray] = []
        chars = self._chars
        for w in text.lower().split():
            key = (w, lo, hi)
            hs = chars.get(key)
            if hs is None:
                if len(chars) > _CACHE_LIMIT:
                    chars.clear()
                hs = chars[key] = self._char_grams(w, lo, hi)
            out.append(hs)
        return out

    def _word(self, token: str) -> int:
        h = self._words.get(token)
        if h is None:
            if len(self._words) > _CACHE_LIMIT:
                self._words.clear()
            h = self._words[token] = _hash(token)
        return h

    def word(self, text: str, lo: int, hi: int) -> list[np.ndarray]:
        """As ``analyzer="word"`` with the default token pattern and lower-casing."""
        tokens = _TOKEN.findall(text.lower())
        out: list[int] = []
        for n in range(lo, hi + 1):
            if n == 1:
                out.extend(map(self._word, tokens))
            else:
                out.extend(_hash(" ".join(tokens[i:i + n])) for i in range(len(tokens) - n + 1))
        return [np.asarray(out, np.int64)]


HASHES = _Hashes()


@lru_cache(maxsize=4096)
def _text_hashes(text: str, analyzer: str, lo: int, hi: int) -> np.ndarray:
    fn = HASHES.char_wb if analyzer == "char_wb" else HASHES.word
    parts = fn(text, lo, hi)
    return np.concatenate(parts) if parts else np.zeros(0, np.int64)


class _RecentCounts:
    """The n-gram counts of the last few batches, keyed by the batch's texts: the element
    tagger and the feedback detector read the same sentences, and the specificity, flag and
    SMART models the same comments and targets, so each batch is counted once for all."""

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self.items: dict[tuple, tuple[np.ndarray, ...]] = {}

    def get(self, texts: tuple[str, ...], part: dict) -> tuple[np.ndarray, ...]:
        lo, hi = part["ngram_range"]
        key = (texts, part["analyzer"], lo, hi, part["n_features"])
        got = self.items.get(key)
        if got is None:
            if len(self.items) >= self.size:
                del self.items[next(iter(self.items))]
            got = self.items[key] = _counts(texts, part["analyzer"], lo, hi, part["n_features"])
        return got


_RECENT = _RecentCounts()


def _counts(texts: tuple[str, ...], analyzer: str, lo: int, hi: int,
            n: int) -> tuple[np.ndarray, ...]:
    """(row, column, count) of hashed n-grams for a batch of texts: one ``np.unique`` over
    the whole batch, not one per text."""
    hashed = [_text_hashes(t, analyzer, lo, hi) for t in texts]
    rows = np.repeat(np.arange(len(texts), dtype=np.int64), [len(h) for h in hashed])
    if not len(rows):
        return rows, rows, rows
    keys, counts = np.unique(rows * n + np.concatenate(hashed) % n, return_counts=True)
    r, c = np.divmod(keys, n)
    return r, c, counts


# ------------------------------------------------------------------------------- features

def _tfidf_part(texts: list[str], part: dict, idf: np.ndarray) -> tuple[np.ndarray, ...]:
    """(row, column, value) of hashed n-gram TF-IDF for a batch of texts, rows L2-normalised."""
    r, c, counts = _RECENT.get(tuple(texts), part)
    if not len(r):
        return r, c, np.zeros(0)
    v = (np.log(counts) + 1.0) if part["sublinear_tf"] else counts
    v = v * idf[c]
    norms = np.sqrt(np.bincount(r, weights=v * v, minlength=len(texts)))
    v = v / np.where(norms > 0, norms, 1.0)[r]
    return r, c, v


@lru_cache(maxsize=64)
def _vocabulary(names: tuple[str, ...]) -> dict[str, int]:
    """One dict per distinct vocabulary, so models fitted on the same rows share it (and
    ``_dict_part``'s last result)."""
    return {f: i for i, f in enumerate(names)}


_LAST_DICTS: list = [None, None, None]  # the dicts, the vocabulary, the result


def _dict_part(dicts: list[dict], vocab: dict[str, int]) -> tuple[np.ndarray, ...]:
    """(row, column, value) of named features, in each dict's order (as DictVectorizer).
    The specificity and flag models (and the five SMART models) read the same dicts with
    the same vocabulary one after another: the last result is reused for the same objects."""
    last, last_vocab, result = _LAST_DICTS
    if vocab is last_vocab and len(last) == len(dicts) and all(map(operator.is_, last, dicts)):
        return result
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for i, d in enumerate(dicts):
        for k, v in d.items():
            if isinstance(v, str):
                k, v = f"{k}={v}", 1.0
            j = vocab.get(k)
            if j is not None and v:
                rows.append(i)
                cols.append(j)
                vals.append(float(v))
    result = (np.asarray(rows, np.int64), np.asarray(cols, np.int64),
              np.asarray(vals, np.float64))
    _LAST_DICTS[:] = [list(dicts), vocab, result]
    return result


# ------------------------------------------------------------------------------- links

def _expit(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _binary_positive(decision: np.ndarray, head: dict, arrays: dict) -> np.ndarray:
    """P(positive class) of each output column of a bank of binary models."""
    if head["link"] == "sigmoid":
        return _expit(-(arrays["cal_a"] * decision + arrays["cal_b"]))
    return _expit(decision)


class LinearModel:
    """``predict_proba`` of a compiled model; rows as the training pipeline took them."""

    def __init__(self, spec: dict[str, Any], arrays: dict[str, np.ndarray]):
        self.spec = spec
        self.arrays = arrays
        self.classes_ = np.asarray(spec["classes"])
        self._vocab = {p["name"]: _vocabulary(tuple(p["vocabulary"]))
                       for p in spec["parts"] if p["type"] == "dict"}

    # decision values, one column per output of the linear layer
    def decision_function(self, rows: Any) -> np.ndarray:
        n = len(rows)
        coef = self.arrays["coef"]
        out = np.tile(self.arrays["intercept"], (n, 1))
        for part in self.spec["parts"]:
            column = [row[part["column"]] for row in rows] if part["column"] is not None \
                else list(rows)
            if part["type"] == "tfidf":
                r, c, v = _tfidf_part(column, part, self.arrays[f"idf_{part['name']}"])
            else:
                r, c, v = _dict_part(column, self._vocab[part["name"]])
            if len(r):
                contrib = coef[c + part["offset"]] * v[:, None]
                starts = np.flatnonzero(np.r_[True, r[1:] != r[:-1]])
                out[r[starts]] += np.add.reduceat(contrib, starts, axis=0)
        return out

    def predict_proba(self, rows: Any) -> np.ndarray:
        head = self.spec["head"]
        d = self.decision_function(rows)
        if head["type"] == "ordinal":
            greater = _binary_positive(d, head, self.arrays)
            greater = np.minimum.accumulate(greater, axis=1)
            n = greater.shape[0]
            cum = np.hstack([np.ones((n, 1)), greater, np.zeros((n, 1))])
            proba = np.clip(cum[:, :-1] - cum[:, 1:], 0.0, 1.0)
            return proba / proba.sum(axis=1, keepdims=True)
        if d.shape[1] == 1:
            p = _binary_positive(d, head, self.arrays)[:, 0]
            return np.column_stack([1.0 - p, p])
        if head["link"] == "softmax":
            return _softmax(d)
        proba = _binary_positive(d, head, self.arrays)
        total = proba.sum(axis=1, keepdims=True)
        k = proba.shape[1]
        proba = np.divide(proba, total, out=np.full_like(proba, 1.0 / k), where=total != 0)
        proba[(proba > 1.0) & (proba <= 1.0 + 1e-5)] = 1.0
        return proba

    def predict(self, rows: Any) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(rows), axis=1)]


def check_model(spec: Any, arrays: dict[str, np.ndarray]) -> None:
    """Raise ValueError unless ``spec`` and ``arrays`` describe a model this module can run
    (so a damaged file is refused at load time, not on the first document)."""
    def need(cond: bool, what: str) -> None:
        if not cond:
            raise ValueError(what)

    need(isinstance(spec, dict), "description is not an object")
    head, parts = spec.get("head"), spec.get("parts")
    need(isinstance(head, dict) and head.get("type") in ("linear", "ordinal")
         and head.get("link") in ("logistic", "sigmoid", "softmax"), "unknown head")
    need(isinstance(parts, list) and bool(parts), "no feature parts")
    width = spec.get("n_features")
    need(isinstance(width, int) and width > 0, "bad n_features")
    coef, intercept = arrays.get("coef"), arrays.get("intercept")
    need(coef is not None and intercept is not None and coef.ndim == 2
         and coef.shape[0] == width and intercept.shape == (coef.shape[1],)
         and coef.dtype.kind == "f" and intercept.dtype.kind == "f", "bad coefficients")
    need(isinstance(spec.get("classes"), list) and len(spec["classes"]) >= 2, "bad classes")
    if head["link"] == "sigmoid":
        for k in ("cal_a", "cal_b"):
            need(k in arrays and arrays[k].shape == (coef.shape[1],), f"bad {k}")
    for part in parts:
        need(isinstance(part, dict) and isinstance(part.get("name"), str), "bad part")
        off = part.get("offset")
        need(isinstance(off, int) and off >= 0, "bad offset")
        if part.get("type") == "tfidf":
            n, rng = part.get("n_features"), part.get("ngram_range")
            need(part.get("analyzer") in ("word", "char_wb"), "bad analyzer")
            need(isinstance(n, int) and 0 < n and off + n <= width, "bad tfidf width")
            need(isinstance(rng, list) and len(rng) == 2 and all(isinstance(v, int) for v in rng)
                 and 1 <= rng[0] <= rng[1] <= 10, "bad ngram_range")
            idf = arrays.get(f"idf_{part['name']}")
            need(idf is not None and idf.shape == (n,), "bad idf")
        elif part.get("type") == "dict":
            vocab = part.get("vocabulary")
            need(isinstance(vocab, list) and all(isinstance(v, str) for v in vocab)
                 and off + len(vocab) <= width, "bad vocabulary")
        else:
            raise ValueError("unknown part type")


# ------------------------------------------------------------------------------- compiling

def compile_pipeline(model: Any) -> tuple[dict, dict[str, np.ndarray]]:
    """(JSON spec, arrays) of a fitted pipeline of the shapes ``textmodel`` and ``depth`` build.

    Text pipelines: ColumnTransformer of hashed TF-IDF parts and a DictVectorizer -> a
    logistic regression, a sigmoid-calibrated LinearSVC, or an OrdinalClassifier of either.
    Dense pipelines: DictVectorizer -> StandardScaler -> the same heads.
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction import DictVectorizer

    steps = dict(model.steps)
    if set(steps) not in ({"features", "clf"}, {"vec", "clf"}, {"vec", "scale", "clf"}):
        raise ValueError(f"cannot compile a pipeline with steps {list(steps)}")
    spec: dict[str, Any] = {"parts": []}
    arrays: dict[str, np.ndarray] = {}
    offset = 0
    if "features" in steps:
        if not isinstance(steps["features"], ColumnTransformer):
            raise ValueError("cannot compile: 'features' must be a ColumnTransformer")
        ct = steps["features"]
        if ct.transformer_weights:
            raise ValueError("ColumnTransformer transformer_weights are not supported")
        for name, fitted, column in ct.transformers_:
            if name == "remainder":
                if fitted != "drop":
                    raise ValueError("a ColumnTransformer remainder is not supported")
                continue
            if isinstance(fitted, DictVectorizer):
                part = {"name": name, "type": "dict", "column": column, "offset": offset,
                        "vocabulary": list(fitted.feature_names_)}
                width = len(fitted.feature_names_)
            else:
                hv, tf = fitted.named_steps["hash"], fitted.named_steps["tfidf"]
                if hv.alternate_sign or hv.norm is not None or not hv.lowercase or \
                        hv.token_pattern != r"(?u)\b\w\w+\b" or hv.stop_words or \
                        hv.preprocessor or hv.tokenizer or hv.strip_accents or \
                        tf.norm != "l2" or not tf.use_idf or \
                        hv.analyzer not in ("word", "char_wb") or hv.binary or \
                        not isinstance(column, int):
                    raise ValueError(f"part {name}: settings not supported by linear.py")
                part = {"name": name, "type": "tfidf", "column": column, "offset": offset,
                        "analyzer": hv.analyzer, "ngram_range": list(hv.ngram_range),
                        "n_features": hv.n_features, "sublinear_tf": bool(tf.sublinear_tf)}
                arrays[f"idf_{name}"] = np.asarray(tf.idf_, np.float64)
                width = hv.n_features
            spec["parts"].append(part)
            offset += width
    else:
        dv = steps["vec"]
        spec["parts"].append({"name": "dense", "type": "dict", "column": None, "offset": 0,
                              "vocabulary": list(dv.feature_names_)})
        offset = len(dv.feature_names_)
    head, coef, intercept, extra = _compile_head(steps["clf"])
    spec["head"] = head
    spec["classes"] = [c.item() if hasattr(c, "item") else c for c in steps["clf"].classes_]
    spec["n_features"] = offset
    if coef.shape[1] != offset:
        raise ValueError(f"coefficient width {coef.shape[1]} != feature width {offset}")
    scaler = steps.get("scale")
    if scaler is not None and not (scaler.with_mean and scaler.with_std):
        raise ValueError("only a StandardScaler with mean and std can be folded in")
    if scaler is not None:  # fold (x - mean) / scale into the weights and the intercept
        scale = np.asarray(scaler.scale_, np.float64)
        intercept = intercept - coef @ (np.asarray(scaler.mean_, np.float64) / scale)
        coef = coef / scale[None, :]
    arrays["coef"] = np.ascontiguousarray(coef.T, np.float64)
    arrays["intercept"] = np.asarray(intercept, np.float64)
    arrays.update(extra)
    return spec, arrays


def _compile_head(clf: Any) -> tuple[dict, np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression

    from .ordinal import OrdinalClassifier

    if isinstance(clf, OrdinalClassifier):
        subs = [_compile_head(e) for e in clf.estimators_]
        links = {s[0]["link"] for s in subs}
        if len(links) != 1 or any(s[1].shape[0] != 1 for s in subs):
            raise ValueError("ordinal heads must be binary models of one kind")
        coef = np.vstack([s[1] for s in subs])
        intercept = np.concatenate([s[2] for s in subs])
        extra = {}
        if links == {"sigmoid"}:
            extra = {k: np.concatenate([s[3][k] for s in subs]) for k in ("cal_a", "cal_b")}
        return {"type": "ordinal", "link": links.pop()}, coef, intercept, extra
    if isinstance(clf, LogisticRegression):
        if clf.coef_.shape[0] > 1 and (getattr(clf, "multi_class", "auto") == "ovr"
                                       or clf.solver == "liblinear"):
            raise ValueError("one-vs-rest logistic regression is not supported")
        link = "logistic" if clf.coef_.shape[0] == 1 else "softmax"
        return {"type": "linear", "link": link}, clf.coef_, clf.intercept_, {}
    if isinstance(clf, CalibratedClassifierCV):
        if len(clf.calibrated_classifiers_) != 1 or clf.method != "sigmoid":
            raise ValueError("only ensemble=False sigmoid calibration is supported")
        cc = clf.calibrated_classifiers_[0]
        est = cc.estimator
        if list(est.classes_) != list(clf.classes_):
            raise ValueError("calibrated classes differ from the estimator's")
        a = np.array([c.a_ for c in cc.calibrators], np.float64)
        b = np.array([c.b_ for c in cc.calibrators], np.float64)
        return ({"type": "linear", "link": "sigmoid"}, est.coef_, est.intercept_,
                {"cal_a": a, "cal_b": b})
    raise ValueError(f"cannot compile a {type(clf).__name__}")
