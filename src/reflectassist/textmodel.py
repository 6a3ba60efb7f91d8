"""scikit-learn models over feature rows (built and fitted at training time), and their safe
persistence as plain arrays.

Fitted pipelines are compiled to arrays plus a JSON description (``linear.py``) and saved as
``.npz``; loading checks the SHA-256 recorded at training time and reads the arrays with
``allow_pickle=False``, so no model file can execute code, and analysis never imports
scikit-learn.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np

SEED = 13
SPEC_KEY = "__spec__"  # the model's JSON description, stored as UTF-8 bytes in its .npz


class ModelFileError(RuntimeError):
    """A model file is missing, altered or contains types we do not trust."""


def _hashed_tfidf(analyzer: str, ngram_range: tuple[int, int], bits: int):
    """TF-IDF over hashed n-grams: no vocabulary to store, so model files stay small and load
    fast (a fitted ``TfidfVectorizer`` vocabulary serialises to a very large dict)."""
    from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
    from sklearn.pipeline import Pipeline

    return Pipeline([
        ("hash", HashingVectorizer(analyzer=analyzer, ngram_range=ngram_range, n_features=2**bits,
                                   alternate_sign=False, norm=None, lowercase=True)),
        ("tfidf", TfidfTransformer(sublinear_tf=True)),
    ])


def build_text_classifier(C: float = 4.0, context: bool = True, char: bool = True,
                          class_weight: str | None = None, word_ngrams: tuple = (1, 2),
                          clf: str = "lr", bits: int = 18):
    """Word + character n-grams of the text, words of the context, marker features -> linear
    model (logistic regression, or a linear SVM calibrated to give probabilities)."""
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    parts: list[tuple[str, Any, Any]] = [("word", _hashed_tfidf("word", word_ngrams, bits), 0)]
    if char:
        parts.append(("char", _hashed_tfidf("char_wb", (2, 5), bits), 0))
    if context:
        parts.append(("context", _hashed_tfidf("word", (1, 1), bits - 2), 1))
    parts.append(("markers", DictVectorizer(), 2))
    if clf in ("svc", "ordinal_svc"):
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.svm import LinearSVC

        estimator: Any = CalibratedClassifierCV(
            LinearSVC(C=C, class_weight=class_weight, random_state=SEED), cv=5, ensemble=False)
        if clf == "ordinal_svc":
            from .ordinal import OrdinalClassifier

            estimator = OrdinalClassifier(estimator)
    else:
        estimator = LogisticRegression(C=C, max_iter=3000, class_weight=class_weight,
                                       random_state=SEED)
    return Pipeline([("features", ColumnTransformer(parts, sparse_threshold=1.0)),
                     ("clf", estimator)])


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def save_models(models: dict[str, Any], path: Path, meta: dict | None = None) -> None:
    """Save named models as ``<name>.npz`` (plain arrays plus their JSON description, see
    ``linear.py``) and ``models.json`` with each file's SHA-256."""
    from .linear import LinearModel, compile_pipeline

    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    record: dict[str, Any] = {"meta": meta or {}, "files": {}}
    for name, model in sorted(models.items()):
        spec, arrays = ((model.spec, model.arrays) if isinstance(model, LinearModel)
                        else compile_pipeline(model))
        target = path / f"{name}.npz"
        blob = np.frombuffer(json.dumps(spec, sort_keys=True).encode("utf-8"), np.uint8)
        with open(target, "wb") as fh:
            np.savez_compressed(fh, **{SPEC_KEY: blob}, **arrays)
        record["files"][name] = {"file": target.name, "sha256": sha256(target)}
    (path / "models.json").write_text(json.dumps(record, indent=1, sort_keys=True), "utf-8")


MAX_MODEL_BYTES = 512 * 1024 * 1024  # uncompressed arrays of one model file


def load_models(path: Path) -> tuple[dict[str, Any], dict]:
    """Models saved by ``save_models``: checksum first, then arrays read without pickle and
    checked against their description, so a tampered or foreign file is refused (always as
    ``ModelFileError``) and can never run code."""
    from .linear import LinearModel, check_model, share_idf

    path = Path(path)
    index = path / "models.json"
    if not index.is_file():
        raise ModelFileError(f"no models.json in {path}")
    try:
        record = json.loads(index.read_text("utf-8"))
        files = record["files"]
        meta = record.get("meta", {})
        if not isinstance(files, dict) or not isinstance(meta, dict) or \
                not all(isinstance(v, dict) for v in files.values()):
            raise TypeError
    except (ValueError, KeyError, AttributeError, TypeError, RecursionError, OSError):
        raise ModelFileError(f"model index {index} is not valid") from None
    models = {}
    for name, info in files.items():
        file = str(info.get("file", ""))
        if Path(file).name != file or not file.endswith(".npz"):
            raise ModelFileError(f"model index {index} names a file outside its folder "
                                 f"or not an .npz file: {file!r}")
        target = path / file
        if target.is_symlink() or not target.is_file() or sha256(target) != info.get("sha256"):
            raise ModelFileError(f"model file {target} is missing or its checksum does not match")
        try:
            with np.load(target, allow_pickle=False) as npz:
                if sum(i.file_size for i in npz.zip.infolist()) > MAX_MODEL_BYTES:
                    raise ModelFileError(f"model file {target} is too large when unpacked")
                arrays = {k: npz[k] for k in npz.files}
            spec = json.loads(arrays.pop(SPEC_KEY).tobytes().decode("utf-8"))
            check_model(spec, arrays)
            models[name] = LinearModel(spec, arrays)
        except ModelFileError:
            raise
        except Exception as exc:  # noqa: BLE001 - any malformed file is refused the same way
            raise ModelFileError(f"model file {target} is not a plain-array model: "
                                 f"{type(exc).__name__}: {exc}") from None
    share_idf(models.values())
    return models, meta
