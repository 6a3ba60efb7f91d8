"""Document kind (reflective entry, supervision note, portfolio entry, essay) from cues.

Detection is by transparent cues from ``data/kinds.json`` because users must be able to see
why a note was treated as one kind; ``--kind`` overrides it.
"""

from __future__ import annotations

import re
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc

from . import KINDS
from .lexicon import load_data
from .segmenter import text_of

if not Doc.has_extension("kind"):
    Doc.set_extension("kind", default=None)
if not Doc.has_extension("kind_source"):
    Doc.set_extension("kind_source", default=None)

FIRST_PERSON = re.compile(r"\b(?:i|me|my|myself|i'm|i've|i'd|i'll)\b", re.IGNORECASE)
WORD = re.compile(r"[A-Za-z']+")
THIRD_PERSON_INITIALS = re.compile(r"\b[A-Z]{2,3}\b(?=\s+(?:to|reported|said|felt|discussed|"
                                   r"described|"
                                   r"shared|reflected|will|was|has|is|explained|agreed)\b)")


@lru_cache(maxsize=1)
def _cues() -> tuple[tuple[str, str, re.Pattern[str]], ...]:
    """(kind, phrase, whole-word pattern) for every cue phrase, compiled once."""
    return tuple((kind, p, re.compile(rf"(?<!\w){re.escape(p)}(?!\w)"))
                 for kind, phrases in load_data("kinds").items() if not kind.startswith("_")
                 for p in phrases)


def detect_kind(text: str) -> str:
    low = text.lower()
    words = max(len(WORD.findall(text)), 1)
    scores = {k: 0.0 for k in KINDS}
    for kind, phrase, rx in _cues():
        if phrase in low and rx.search(low):  # the substring test skips most regex searches
            scores[kind] += 1.0
    scores["supervision_note"] += 0.5 * min(len(THIRD_PERSON_INITIALS.findall(text)), 4)
    title = low.lstrip("# \n\t").split("\n", 1)[0]
    if len(title.split()) > 10 or re.search(r"[.!?]\s", title):
        title = ""  # the first line is prose, not a title
    for kind, word in (("portfolio_entry", "portfolio"), ("supervision_note", "supervision"),
                       ("reflective_entry", "reflect")):
        if word in title:
            scores[kind] += 2.0  # the writer's own title says what the document is
    fp_rate = len(FIRST_PERSON.findall(text)) / words
    if fp_rate < 0.01 and scores["supervision_note"] < 2:
        scores["essay"] += 2.5
    best = max(scores.items(), key=lambda kv: (kv[1], kv[0] == "reflective_entry"))
    return best[0] if best[1] >= 2.0 else "reflective_entry"


class KindDetector:
    def __init__(self, nlp: Language, name: str):
        self.name = name

    def __call__(self, doc: Doc, kind: str | None = None) -> Doc:
        if kind:
            if kind not in KINDS:
                raise ValueError(f"unknown kind {kind!r}; choose from {', '.join(KINDS)}")
            doc._.kind, doc._.kind_source = kind, "given"
        else:
            doc._.kind, doc._.kind_source = detect_kind(text_of(doc)), "detected"
        return doc


@Language.factory("reflectassist_kind")
def make_kind_detector(nlp: Language, name: str) -> KindDetector:
    return KindDetector(nlp, name)
