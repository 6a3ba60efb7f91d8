"""Run the pipeline over inputs and turn each Doc into the JSON contract (see README)."""

from __future__ import annotations

import gc
import logging
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from spacy.language import Language
from spacy.tokens import Doc

from . import GIBBS, GIBBS_STAGES, __version__
from .segmenter import text_of
from .source import Source

log = logging.getLogger("reflectassist")
RESULT_PIPE = "reflectassist_result"

if not Doc.has_extension("result"):
    Doc.set_extension("result", default=None)


def doc_to_result(doc: Doc, path: str | None) -> dict:
    present = doc._.gibbs_present or {}
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
        "gibbs_present": sorted(present),
        # the sentences (indices into ``sentences``) that make each stage present
        "gibbs_evidence": {st: list(present[st]) for st in GIBBS_STAGES if st in present},
        "identifiers": doc._.identifiers or [],
        "error": None,
    }


class ResultCarrier:
    """The last component: asked to ``pack`` (``analyse()`` does when ``n_process > 1``), it
    turns the analysed Doc into its JSON result and returns an empty Doc carrying only that
    result as ``doc._.result`` (the path is filled in by the caller). spaCy's multiprocessing
    sends every Doc back to the main process as bytes: writing and reading back a whole
    analysed Doc (tokens, strings, every extension) measured ~2.5 ms of CPU a document, a
    third of the analysis itself, and the main process doing it kept the workers waiting.
    Not asked, the Doc passes through untouched."""

    def __call__(self, doc: Doc, pack: bool = False) -> Doc:
        if not pack:
            return doc
        carrier = Doc(doc.vocab, words=[])
        carrier._.result = doc_to_result(doc, None)
        return carrier


@Language.factory(RESULT_PIPE)
def make_result_carrier(nlp: Language, name: str) -> ResultCarrier:
    return ResultCarrier()


def result_of(doc: Doc, path: str) -> dict:
    """The result of an analysed Doc, or of the carrier that ``ResultCarrier`` packed it in."""
    packed = doc._.result
    if packed is None:
        return doc_to_result(doc, path)
    packed["path"] = path
    return packed


def error_result(path: str, message: str, text_length: int = 0) -> dict:
    return {"path": path, "kind": None, "kind_source": None, "text_length": text_length,
            "depth": None, "sentences": [], "feedback": [], "targets": [], "suggestions": [],
            "gibbs_present": [], "gibbs_evidence": {}, "identifiers": [], "error": message}


def _usable(src: Source) -> bool:
    return src.error is None and bool(src.text and src.text.strip())


def _unusable_result(src: Source) -> dict:
    if src.error is not None:
        return error_result(src.path, src.error)
    return error_result(src.path, "empty text: nothing to analyse", len(src.text or ""))


def _one(nlp: Language, src: Source, cfg: dict) -> dict:
    try:
        return result_of(nlp(src.text, component_cfg=cfg), src.path)
    except Exception as exc:  # noqa: BLE001 - reported in the result, the batch goes on
        log.debug("analysing %s failed", src.path, exc_info=True)
        return error_result(src.path, f"analysis failed: {exc}", len(src.text or ""))


_FROZEN = False


def _freeze_loaded_objects() -> None:
    """Once per process: the loaded pipeline (models, vocabulary, lexicons) is hundreds of
    thousands of long-lived objects that the cyclic garbage collector would otherwise scan
    again and again while documents allocate small lists and dicts (measured: 9% of the
    analysis time). Garbage is collected first, so no unreachable cycle is frozen; frozen
    objects are still freed by reference counting, and forked ``--jobs`` workers share them
    unchanged. Objects made after the first call are collected as usual."""
    global _FROZEN
    if not _FROZEN:
        gc.collect()
        gc.freeze()
        _FROZEN = True


# Bytes glibc's malloc keeps at the top of the heap when memory there is freed. With its
# default it gave the memory of a batch's arrays back to the system and took it again for the
# next batch, so their pages were faulted in anew each time: ~60,000 page faults per 1,000
# documents. Keeping 64 MB: ~12,000, and 6-7% less CPU time (three alternating pairs of
# fresh-process runs: 4.75 -> 4.47, 4.17 -> 3.89, 4.36 -> 4.06 s), with the same peak RSS in
# one process (with --jobs 2, the processes' summed PSS on 5,000 files went 390 -> 401 MiB).
HEAP_TOP_PAD = 64 * 1024 * 1024
_M_TOP_PAD = -2  # mallopt's parameter number for it (glibc's malloc.h)
_PADDED = False


def keep_heap_padding() -> None:
    """Tune glibc's malloc for a process whose work is analysing batches: ``reflectassist
    check`` calls it once the pipeline is loaded. Not done by :func:`analyse` itself: it is
    process-wide and permanent, and glibc then also stops adjusting its mmap threshold (it
    stays where loading the models raised it). Once per process, on Linux with glibc (forked
    ``--jobs`` workers inherit it); a no-op elsewhere (other allocators manage their own)."""
    global _PADDED
    if _PADDED or not sys.platform.startswith("linux"):
        return
    _PADDED = True
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").mallopt(_M_TOP_PAD, HEAP_TOP_PAD)
    except (OSError, AttributeError):  # not glibc (musl, ...): nothing to tune
        pass


# Allocations between two collections of the youngest generation while analysing (Python's
# default is 700): a document allocates thousands of short-lived lists and dicts and leaves
# almost no cyclic garbage, so the default collected ~600 times per 1,000 documents, 3-4% of
# the analysis, to free next to nothing (measured with gc.callbacks; at 20,000: 1.9%).
YOUNG_THRESHOLD = 20_000


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Raise the youngest generation's threshold for the duration, then put it back (unless
    someone else changed it meanwhile). Left alone when automatic collection is off."""
    old = gc.get_threshold()
    if not gc.isenabled() or old[0] == 0:
        yield
        return
    raised = (max(old[0], YOUNG_THRESHOLD), *old[1:])
    gc.set_threshold(*raised)
    try:
        yield
    finally:
        if gc.get_threshold() == raised:
            gc.set_threshold(*old)


def analyse(nlp: Language, sources: Iterable[Source], kind: str | None = None,
            batch_size: int = 64, n_process: int = 1) -> Iterator[dict]:
    """Yield one result per source, in order; a source that fails yields an error result.

    All sources stream through one ``nlp.pipe`` (one pool of worker processes for the whole
    run when ``n_process > 1``); only the sources read ahead by the pipe are held. If a
    document makes the pipe fail, the documents in flight are analysed one by one, so only
    the bad one gets an error, and a new pipe takes the rest of the stream. Each model
    scores ``batch_size`` documents per call (64 measured 3-4% faster than 32, with or without
    ``n_process``). Until the results are used up or the generator is closed, the garbage
    collector's youngest generation is collected less often (``YOUNG_THRESHOLD``), also
    while the caller handles a result.
    """
    _freeze_loaded_objects()
    cfg: dict[str, dict] = {"reflectassist_kind": {"kind": kind}} if kind else {}
    if n_process > 1:
        cfg[RESULT_PIPE] = {"pack": True}  # workers send results, not whole Docs
    stream = iter(sources)
    in_flight: deque[Source] = deque()  # sent to the pipe (or unusable), not yet yielded
    source_error: list[Exception] = []  # the input iterator failed: raised after the flush

    def feed() -> Iterator[str]:
        while True:
            try:
                src = next(stream)
            except StopIteration:
                return
            except Exception as exc:  # noqa: BLE001 - not a document's fault: re-raised below
                source_error.append(exc)
                return
            in_flight.append(src)
            if _usable(src):
                yield src.text

    with _fewer_collections():
        while True:
            docs = nlp.pipe(feed(), batch_size=batch_size, n_process=n_process,
                            component_cfg={name: dict(c) for name, c in cfg.items()})  # spaCy
            # adds batch_size to each component's dict, which __call__ (in _one) does not take
            failed = False
            while True:
                try:
                    doc = next(docs)
                except StopIteration:
                    break
                except Exception:  # noqa: BLE001 - one bad text must not stop the batch
                    if not in_flight:
                        raise
                    failed = True
                    log.debug("the pipeline failed on one of %d documents in flight: analysing "
                              "them one by one, then %s for the rest", len(in_flight),
                              f"starting {n_process} new worker processes" if n_process > 1
                              else "a new pipe", exc_info=True)
                    break
                while not _usable(in_flight[0]):
                    yield _unusable_result(in_flight.popleft())
                src = in_flight.popleft()
                try:
                    result = result_of(doc, src.path)
                except Exception:  # noqa: BLE001 - analysed again alone, reported in its result
                    result = _one(nlp, src, cfg)
                yield result
            while in_flight:  # after a failure: the documents in flight, one by one
                src = in_flight.popleft()
                yield _one(nlp, src, cfg) if _usable(src) else _unusable_result(src)
            if source_error:
                raise source_error[0]
            if not failed:
                return


def analyse_text(nlp: Language, text: str, path: str = "<text>", kind: str | None = None) -> dict:
    return next(analyse(nlp, [Source(path, text)], kind=kind))


__all__ = ["Source", "analyse", "analyse_text", "doc_to_result", "error_result", "result_of",
           "__version__"]
