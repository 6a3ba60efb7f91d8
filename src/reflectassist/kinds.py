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
from .lexicon import load_data, plain_quotes
from .segmenter import text_of

if not Doc.has_extension("kind"):
    Doc.set_extension("kind", default=None)
if not Doc.has_extension("kind_source"):
    Doc.set_extension("kind_source", default=None)

FIRST_PERSON = re.compile(r"\b(?:i|me|my|myself|i'm|i've|i'd|i'll)\b", re.IGNORECASE)
# FIRST_PERSON only ever matches a whole \w run ("i'm" is found as "i"), so in ASCII text it
# counts the lower-cased runs in this set (as bytes: the runs of _ascii_runs)
FIRST_PERSON_WORDS = frozenset({b"i", b"me", b"my", b"myself"})
WORD = re.compile(r"[A-Za-z']+")
# a word character outside ASCII: without one, the \w runs of a text are its ASCII runs
NON_ASCII_WORD_CHAR = re.compile(r"[^\W\x00-\x7f]")
WORD_RUN = re.compile(r"\w+")
PROSE_TITLE = re.compile(r"[.!?]\s")
# "\b[A-Z]{2,3}\b(?=...)", written to open with a character class (the \b before the initials
# moved into a lookbehind) so that ``re`` skips ahead to capitals instead of trying the whole
# pattern at every position
THIRD_PERSON_INITIALS = re.compile(r"[A-Z](?<!\w[A-Z])[A-Z]{1,2}\b(?=\s+(?:to|reported|said|felt|"
                                   r"discussed|described|"
                                   r"shared|reflected|will|was|has|is|explained|agreed)\b)")


@lru_cache(maxsize=1)
def _cues() -> tuple[tuple[str, str, re.Pattern[str]], ...]:
    """(kind, phrase, whole-word pattern) for every cue phrase, compiled once.

    The pattern is "(?<!\\w)phrase(?!\\w)" with the lookbehind moved after the phrase, so
    it opens with the literal phrase and ``re`` searches for it as fast as ``in`` does."""
    return tuple((kind, p, re.compile(rf"{re.escape(p)}(?<!\w{re.escape(p)})(?!\w)"))
                 for kind, phrases in load_data("kinds").items() if not kind.startswith("_")
                 for p in phrases)


@lru_cache(maxsize=1)
def _cue_index() -> dict[str, tuple[tuple[str, re.Pattern[str], frozenset[str]], ...]]:
    """Cues by their first \\w run, each with its pattern and its other runs.

    A whole-word match of a cue makes each of its \\w runs a whole \\w run of the text, so
    only cues whose runs all occur in the text need their pattern searched."""
    index: dict[str, list[tuple[str, re.Pattern[str], frozenset[str]]]] = {}
    for kind, phrase, rx in _cues():
        runs = WORD_RUN.findall(phrase)
        index.setdefault(runs[0] if runs else "", []).append((kind, rx, frozenset(runs[1:])))
    return {first: tuple(cues) for first, cues in index.items()}


@lru_cache(maxsize=1)
def _byte_cue_index() -> dict[bytes, tuple[tuple[str, re.Pattern[str], frozenset[bytes]], ...]]:
    """:func:`_cue_index` with the runs as ASCII bytes, for the runs :func:`_ascii_runs`
    finds; a cue with a non-ASCII run is filed under b"" (always searched)."""
    index: dict[bytes, list[tuple[str, re.Pattern[str], frozenset[bytes]]]] = {}
    for first, cues in _cue_index().items():
        for kind, rx, rest in cues:
            if first.isascii() and all(r.isascii() for r in rest):
                key, runs = first.encode(), frozenset(r.encode() for r in rest)
            else:
                key, runs = b"", frozenset()
            index.setdefault(key, []).append((kind, rx, runs))
    return {first: tuple(cues) for first, cues in index.items()}


# ASCII word characters ([A-Za-z0-9_], as \w in ASCII) kept, every other byte a space
_RUN_BYTES = bytes(b if chr(b).isascii() and (chr(b).isalnum() or b == ord("_")) else 32
                   for b in range(256))


def _ascii_runs(low: str) -> list[bytes]:
    """The maximal runs of ASCII word characters of ``low``, as bytes: for ASCII text
    exactly ``WORD_RUN.findall(low)``, otherwise every \\w run made of ASCII characters
    and some pieces of the others. A bytes translate and split is several times faster
    than the regex (non-ASCII characters encode to bytes >= 0x80, which become spaces)."""
    return low.encode("utf-8", "surrogatepass").translate(_RUN_BYTES).split()


def detect_kind(text: str) -> str:
    low = text.lower()
    # a whole-word match of a cue makes each of its \w runs a whole \w run of the text;
    # those made of ASCII characters are all among these runs, so a cue whose runs are not
    # cannot match (the pattern decides)
    runs = _ascii_runs(low)
    present = set(runs)
    present.add(b"")  # cues without any ASCII \w run are always searched
    scores = {k: 0.0 for k in KINDS}
    index = _byte_cue_index()
    for first in present.intersection(index):
        for kind, rx, rest in index[first]:
            if rest <= present and rx.search(low):
                scores[kind] += 1.0
    scores["supervision_note"] += 0.5 * min(len(THIRD_PERSON_INITIALS.findall(text)), 4)
    title = low.lstrip("# \n\t")
    newline = title.find("\n")
    if newline >= 0:
        title = title[:newline]
    if len(title.split()) > 10 or PROSE_TITLE.search(title):
        title = ""  # the first line is prose, not a title
    for kind, word in (("portfolio_entry", "portfolio"), ("supervision_note", "supervision"),
                       ("reflective_entry", "reflect")):
        if word in title:
            scores[kind] += 2.0  # the writer's own title says what the document is
    if scores["supervision_note"] < 2 and _rarely_first_person(text, runs):
        scores["essay"] += 2.5
    best = max(scores.items(), key=lambda kv: (kv[1], kv[0] == "reflective_entry"))
    return best[0] if best[1] >= 2.0 else "reflective_entry"


# WORD's characters as b"a", every other byte (those of non-ASCII characters too) a space
_WORD_BYTES = bytes(ord("a") if WORD.fullmatch(chr(b)) else ord(" ") for b in range(256))


def _rarely_first_person(text: str, low_runs: list[bytes]) -> bool:
    """Are fewer than 1% of the words first person?  ``low_runs``: :func:`_ascii_runs` of the
    lower-cased text, only read when every word character of the text is ASCII (then they
    are its \\w runs: lower() turns no other character into ASCII).  The words are only
    counted when the answer depends on their number."""
    # no case-folding surprises (such as "ı" or "ſ" matching "i" or "s") without
    # non-ASCII word characters
    if text.isascii() or NON_ASCII_WORD_CHAR.search(text) is None:
        first_person = sum(map(FIRST_PERSON_WORDS.__contains__, low_runs))
    else:
        first_person = len(FIRST_PERSON.findall(text))
    if not first_person:
        return True
    # words are separated from each other, so there are at most this many
    if first_person / max((len(text) + 1) // 2, 1) >= 0.01:
        return False
    return first_person / max(_word_count(text), 1) < 0.01


def _word_count(text: str) -> int:
    """``len(WORD.findall(text))`` without building the list: the starts of the runs of
    WORD's characters (all ASCII) in the text's bytes."""
    marks = text.encode("utf-8", "surrogatepass").translate(_WORD_BYTES)
    return marks.count(b" a") + marks.startswith(b"a")


class KindDetector:
    def __init__(self, nlp: Language, name: str):
        self.name = name

    def __call__(self, doc: Doc, kind: str | None = None) -> Doc:
        if kind:
            if kind not in KINDS:
                raise ValueError(f"unknown kind {kind!r}; choose from {', '.join(KINDS)}")
            u = doc._  # each ``doc._`` builds an object
            u.kind, u.kind_source = kind, "given"
        else:
            u = doc._
            u.kind, u.kind_source = detect_kind(plain_quotes(text_of(doc))), "detected"
        return doc


@Language.factory("reflectassist_kind")
def make_kind_detector(nlp: Language, name: str) -> KindDetector:
    return KindDetector(nlp, name)
