"""The one place where the reflectassist spaCy pipeline is assembled, saved and loaded."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.symbols import ORTH

PIPE_NAMES = ("reflectassist_segmenter", "reflectassist_markers", "reflectassist_identifiers",
              "reflectassist_kind",
              "reflectassist_elements", "reflectassist_depth", "reflectassist_feedback",
              "reflectassist_targets", "reflectassist_suggestions", "reflectassist_result")
MODEL_DIRNAME = "reflectassist_pipeline"
SPECIAL_CASES = ("approx.", "w/c", "a.m.", "p.m.", "e.g.", "i.e.", "etc.", "Dr.", "Mr.", "Mrs.",
                 "Ms.", "Prof.", "obs.", "pt.", "No.")


class PipelineNotFound(RuntimeError):
    pass


def _register_factories() -> None:
    """Import the component modules so their factories are registered even when the
    package is used without its entry points (e.g. from a source checkout)."""
    from . import (  # noqa: F401
        analysis,
        depth,
        elements,
        feedback,
        identifiers,
        kinds,
        markers,
        segmenter,
        suggestions,
        targets,
    )


def build_pipeline() -> Language:
    """A blank English pipeline with our components, untrained."""
    _register_factories()
    nlp = spacy.blank("en")
    for case in SPECIAL_CASES:
        nlp.tokenizer.add_special_case(case, [{ORTH: case}])
    for name in PIPE_NAMES:
        nlp.add_pipe(name)
    nlp.meta["name"] = "reflectassist_pipeline"
    from . import __version__

    nlp.meta["version"] = __version__
    nlp.meta["description"] = ("Reflection depth, reflective elements, feedback specificity and "
                               "SMART targets for health and social care writing.")
    nlp.meta["license"] = "Apache-2.0"
    return nlp


def default_model_path() -> Path:
    env = os.environ.get("REFLECTASSIST_MODEL")
    if env:
        return Path(env)
    try:
        packaged = Path(str(resources.files("reflectassist.models"))) / MODEL_DIRNAME
        if packaged.is_dir():
            return packaged
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parents[2] / "models" / MODEL_DIRNAME


def cache_msgpack_hooks() -> None:
    """Cache srsly's msgpack hook lookup until something new is registered.

    ``--jobs`` uses spaCy's multiprocessing, which sends every analysed Doc back to the main
    process as bytes. srsly looks its msgpack hooks up again on every pack and unpack (three
    per Doc) by scanning the entry points of every installed package and every catalogue
    registration; measured on 300 analysed documents this was ~1 ms of the ~1.6 ms that
    serialising a Doc costs, and ~0.7 ms of the ~1.7 ms that reading it back costs. The hooks
    found are the same ones; they are looked up again when a hook is registered, removed or
    replaced at run time (packages installed while the process runs are not seen). Workers
    forked by spaCy inherit the cache; with the "spawn" start method (macOS, Windows) they
    look hooks up as before.
    """
    import catalogue
    import srsly.msgpack as srsly_msgpack

    for registry in (srsly_msgpack.msgpack_encoders, srsly_msgpack.msgpack_decoders):
        if getattr(registry, "reflectassist_cached", False):
            continue
        state: dict = {}

        def get_all(find=registry.get_all, state=state, namespace=registry.namespace) -> dict:
            registered = catalogue.REGISTRY  # an insertion-ordered dict
            key = (len(registered), next(reversed(registered), None))
            found = state.get("found")
            if state.get("key") != key or any(  # a hook added, removed or replaced
                    registered.get((*namespace, name)) is not hook for name, hook in found.items()):
                state["key"], state["found"] = key, find()
            return dict(state["found"])

        registry.get_all = get_all
        registry.reflectassist_cached = True


def load_pipeline(path: str | Path | None = None) -> Language:
    """Load the trained pipeline (by default the one shipped in ``models/``)."""
    _register_factories()
    cache_msgpack_hooks()
    target = Path(path) if path else default_model_path()
    if not (target / "config.cfg").is_file():
        raise PipelineNotFound(
            f"no trained pipeline at {target}; run `reflectassist train` or pass --model"
        )
    nlp = spacy.load(target)
    from .analysis import RESULT_PIPE
    from .segmenter import TextKeepingTokenizer

    if RESULT_PIPE not in nlp.pipe_names:  # saved before the component existed
        nlp.add_pipe(RESULT_PIPE)

    nlp.tokenizer = TextKeepingTokenizer(nlp.tokenizer)
    return nlp
