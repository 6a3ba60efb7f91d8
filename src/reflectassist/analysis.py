"""Run the pipeline over inputs and turn each Doc into the JSON contract (see README)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

from . import GIBBS, __version__
from .segmenter import text_of
from .source import Source


def doc_to_result(doc: Doc, path: str) -> dict:
    sentences = []
    for (s, e, _section, _head), el in zip(doc._.sentences or [], doc._.elements or [],
                                           strict=False):
        sentences.append({"start": s, "end": e, "text": text_of(doc)[s:e], "element": el[0],
                          "gibbs": GIBBS.get(el[0]), "buzz": el[2],
                          "probabilities": el[1]})
    return {
        "path": path,
        "kind": doc._.kind,
        "kind_source": doc._.kind_source,
        "text_length": len(text_of(doc)),
        "depth": doc._.depth,
        "sentences": sentences,
        "feedback": doc._.feedback or [],
        "targets": doc._.targets or [],
        "suggestions": doc._.suggestions or [],
        "gibbs_present": sorted(doc._.gibbs_present or {}),
        "identifiers": doc._.identifiers or [],
        "error": None,
    }


def error_result(path: str, message: str, text_length: int = 0) -> dict:
    return {"path": path, "kind": None, "kind_source": None, "text_length": text_length,
            "depth": None, "sentences": [], "feedback": [], "targets": [], "suggestions": [],
            "identifiers": [], "error": message}


def analyse(nlp: Language, sources: Iterable[Source], kind: str | None = None,
            batch_size: int = 32, n_process: int = 1) -> Iterator[dict]:
    """Yield one result per source, in order; a source that fails yields an error result."""
    pending: list[Source] = []
    cfg = {"reflectassist_kind": {"kind": kind}} if kind else {}

    def flush() -> Iterator[dict]:
        good = [s for s in pending if s.error is None and s.text and s.text.strip()]
        docs: dict[int, dict] = {}
        if good:
            try:
                for src, doc in zip(good, nlp.pipe((s.text for s in good), batch_size=batch_size,
                                                   n_process=n_process, component_cfg=cfg),
                                    strict=True):
                    docs[id(src)] = doc_to_result(doc, src.path)
            except Exception:  # one bad text must not stop the batch: retry one by one
                for src in good:
                    if id(src) in docs:
                        continue
                    try:
                        docs[id(src)] = doc_to_result(nlp(src.text, component_cfg=cfg), src.path)
                    except Exception as exc:  # noqa: BLE001
                        docs[id(src)] = error_result(src.path, f"analysis failed: {exc}",
                                                     len(src.text or ""))
        for src in pending:
            if src.error is not None:
                yield error_result(src.path, src.error)
            elif not (src.text and src.text.strip()):
                yield error_result(src.path, "empty text: nothing to analyse", len(src.text or ""))
            else:
                yield docs[id(src)]

    for src in sources:
        pending.append(src)
        if len(pending) >= batch_size * max(n_process, 1):
            yield from flush()
            pending = []
    if pending:
        yield from flush()


def analyse_text(nlp: Language, text: str, path: str = "<text>", kind: str | None = None) -> dict:
    return next(analyse(nlp, [Source(path, text)], kind=kind))


__all__ = ["Source", "analyse", "analyse_text", "doc_to_result", "error_result", "__version__"]
