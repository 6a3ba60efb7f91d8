"""Shared plumbing for components that carry trained scikit-learn models."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .textmodel import ModelFileError, load_models, save_models


class TrainedComponent:
    """A pipeline component whose models are saved beside it as plain arrays
    (``textmodel.save_models``)."""

    model_names: tuple[str, ...] = ()

    def __init__(self, name: str):
        self.name = name
        self.models: dict[str, Any] = {}
        self.meta: dict[str, Any] = {}

    def annotate(self, docs: list) -> None:
        """Set this component's results on every Doc of a batch (subclasses override)."""
        raise NotImplementedError

    def __call__(self, doc):
        self.annotate([doc])
        return doc

    def pipe(self, docs, batch_size: int = 64):
        """Annotate in batches: each model call has a fixed cost
        whatever its size, so one call per batch instead of one per document."""
        batch: list = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= batch_size:
                self.annotate(batch)
                yield from batch
                batch = []
        if batch:
            self.annotate(batch)
            yield from batch

    def require_models(self) -> None:
        missing = [m for m in self.model_names if m not in self.models]
        if missing:
            raise ModelFileError(
                f"component {self.name!r} is not trained (missing {', '.join(missing)}); "
                "load the shipped pipeline or run `reflectassist train`"
            )

    def set_models(self, models: dict[str, Any], meta: dict[str, Any] | None = None) -> None:
        self.models = dict(models)
        self.meta = dict(meta or {})

    def to_disk(self, path: str | Path, *, exclude: tuple = ()) -> None:
        save_models(self.models, Path(path), self.meta)

    def from_disk(self, path: str | Path, *, exclude: tuple = ()):
        self.models, self.meta = load_models(Path(path))
        return self
