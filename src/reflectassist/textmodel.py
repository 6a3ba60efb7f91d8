"""scikit-learn models over feature rows, and their safe (skops) persistence.

Models are saved with skops and loaded only after (1) the file's SHA-256 matches the one
recorded at training time and (2) every type in it is on an allow-list, so a tampered or
foreign file is refused instead of executed.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

SEED = 13
# Types beyond skops' own default-trusted set that our models may contain: an exact list, so
# that no function (e.g. builtins.exec inside a FunctionTransformer) can ever be trusted.
ALLOWED_TYPES = frozenset({
    "reflectassist.ordinal.OrdinalClassifier",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
})


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
    """Save named estimators as ``<name>.skops`` plus ``models.json`` with their checksums."""
    import skops.io as sio

    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    record: dict[str, Any] = {"meta": meta or {}, "files": {}}
    for name, model in sorted(models.items()):
        target = path / f"{name}.skops"
        sio.dump(model, target, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
        record["files"][name] = {"file": target.name, "sha256": sha256(target)}
    (path / "models.json").write_text(json.dumps(record, indent=1, sort_keys=True), "utf-8")


def load_models(path: Path) -> tuple[dict[str, Any], dict]:
    import skops.io as sio
    from skops.io.exceptions import UntrustedTypesFoundException

    path = Path(path)
    index = path / "models.json"
    if not index.is_file():
        raise ModelFileError(f"no models.json in {path}")
    record = json.loads(index.read_text("utf-8"))
    models = {}
    for name, info in record["files"].items():
        if Path(info["file"]).name != info["file"] or not info["file"].endswith(".skops"):
            raise ModelFileError(f"model index {index} names a file outside its folder")
        target = path / info["file"]
        if not target.is_file() or sha256(target) != info["sha256"]:
            raise ModelFileError(f"model file {target} is missing or its checksum does not match")
        try:
            # skops refuses any type that is neither its own default-trusted nor listed here
            models[name] = sio.load(target, trusted=sorted(ALLOWED_TYPES))
        except UntrustedTypesFoundException as exc:
            raise ModelFileError(f"model file {target} holds types that are not allowed: "
                                 f"{exc}") from None
    return models, record.get("meta", {})
