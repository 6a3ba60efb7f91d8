"""Sentence segmentation for real notes: headings, bullets, hard line breaks, abbreviations.

spaCy's rule-based ``sentencizer`` only looks at punctuation, so a supervision note such as
``"Actions agreed:\\n- JB to book MCA training\\n- review at next supervision"`` comes out as one
sentence.  The boundaries here are computed on the raw text (so they are easy to test and
always index the original text) and then written onto the tokens.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from .lexicon import load_lexicon

TEXT_KEY = "reflectassist_text"


def text_of(doc: Doc) -> str:
    """``doc.text``, cached: spaCy rebuilds the string on every access, which made per-sentence
    loops quadratic in document length."""
    text = doc.user_data.get(TEXT_KEY)
    if text is None:
        text = doc.user_data[TEXT_KEY] = doc.text
    return text


if not Doc.has_extension("sentences"):
    Doc.set_extension("sentences", default=None)

BULLET_RE = re.compile(r"^[ \t]*(?:[-*•·▪◦–—>]|\(?\d{1,3}[.)]|\(?[a-zA-Z][.)])(?=\s)")
INLINE_HEADING_RE = re.compile(
    r"^[ \t]*((?:[A-Za-z][\w'/&-]*[ \t]+){0,3}[A-Za-z][\w'/&-]*)[ \t]*:(?!\d)")
SENT_END_RE = re.compile(r"([.!?]+|\.\.\.|…)([\"'”’)\]]*)(\s+)(?=[\"'“‘(\[]?[A-Z0-9•*-])")
MAX_SENT_CHARS = 1200


def _line_spans(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        spans.append((pos, pos + len(body)))
        pos += len(line)
    return spans


def _is_heading(line: str) -> bool:
    stripped = line.strip().lstrip("#").strip()
    if not stripped:
        return False
    words = stripped.split()
    if stripped.endswith(":") and len(words) <= 6:
        return True
    letters = [c for c in stripped if c.isalpha()]
    return (bool(letters) and len(words) <= 6 and all(c.isupper() for c in letters)
            and len(letters) > 2)


def _ends_sentence(line: str) -> bool:
    return bool(re.search(r"[.!?:;…][\"'”’)\]]*\s*$", line))


def sentence_starts(text: str, abbreviations: Iterable[str] = ()) -> list[int]:
    """Return the character offsets at which sentences start (first non-space character)."""
    abbrevs = {a.lower().rstrip(".") for a in abbreviations}
    starts: list[int] = []
    prev_line = None
    for lstart, lend in _line_spans(text):
        line = text[lstart:lend]
        content = line.strip()
        if not content:
            prev_line = None if prev_line is None else ""
            continue
        first = lstart + (len(line) - len(line.lstrip()))
        new_line_starts = (
            prev_line is None
            or prev_line == ""
            or BULLET_RE.match(line) is not None
            or _is_heading(line)
            or _is_heading(prev_line)
            or _ends_sentence(prev_line)
            or not content[0].islower()
        )
        if new_line_starts:
            starts.append(first)
        heading = INLINE_HEADING_RE.match(line)
        if heading and not _is_heading(line):
            after = lstart + heading.end()
            rest = text[after:lend]
            if rest.strip():
                starts.append(after + (len(rest) - len(rest.lstrip())))
        bullet = BULLET_RE.match(line)
        bullet_end = bullet.end() if bullet else 0
        for m in SENT_END_RE.finditer(line):
            if m.start(1) < bullet_end:
                continue
            before = line[max(0, m.start(1) - 40): m.start(1)]
            word = re.search(r"([\w./'-]+)$", before)
            token = word.group(1).lower() if word else ""
            if m.group(1) == "." and (
                token.rstrip(".") in abbrevs
                or re.fullmatch(r"[a-z]", token)
                or re.fullmatch(r"(?:[a-z]\.)+[a-z]", token)
            ):
                continue
            starts.append(lstart + m.end())
        prev_line = line
    starts = sorted(set(starts))
    return _split_overlong(text, starts)


def _split_overlong(text: str, starts: list[int]) -> list[int]:
    """Break run-on text without punctuation so no sentence exceeds MAX_SENT_CHARS."""
    out: list[int] = []
    bounds = starts + [len(text)]
    for s, e in zip(bounds, bounds[1:], strict=False):
        out.append(s)
        pos = s
        while e - pos > MAX_SENT_CHARS:
            cut = text.rfind(" ", pos + MAX_SENT_CHARS // 2, pos + MAX_SENT_CHARS)
            cut = cut + 1 if cut > pos else pos + MAX_SENT_CHARS
            while cut < e and text[cut].isspace():
                cut += 1
            if cut >= e:
                break
            out.append(cut)
            pos = cut
    return out


class Segmenter:
    """Sets ``token.is_sent_start`` from :func:`sentence_starts`."""

    def __init__(self, nlp: Language, name: str, abbreviations: list[str] | None = None):
        self.name = name
        self.abbreviations = list(abbreviations or load_lexicon()["abbreviations"])

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            doc._.sentences = []
            return doc
        starts = sentence_starts(text_of(doc), self.abbreviations)
        # one from_array call: setting token.is_sent_start one by one is quadratic in spaCy
        flags = numpy.full((len(doc), 1), -1, dtype="int32")
        k = 0
        first_content = True
        for token in doc:
            if token.is_space:
                continue
            boundary = False
            while k < len(starts) and starts[k] <= token.idx:
                boundary = True
                k += 1
            if boundary or first_content:
                flags[token.i, 0] = 1
            first_content = False
        flags[0, 0] = 1
        doc.from_array([SENT_START], flags.astype("uint64"))
        doc._.sentences = sentence_records(doc)
        return doc


def heading_section(text: str, title: bool = False) -> str | None:
    """``"feedback"``, ``"targets"`` or ``"other"`` for a heading line, None if not a heading."""
    stripped = text.strip()
    inline = INLINE_HEADING_RE.match(stripped)
    if not (title or _is_heading(stripped) or (inline and inline.end() >= len(stripped.rstrip()))):
        return None
    key = re.sub(r"[^a-z' ]+", " ", stripped.lower()).strip()
    key = re.sub(r"\s+", " ", key)
    phrases = load_lexicon()["phrases"]
    padded = f" {key} "
    best: tuple[int, str] | None = None
    for section, cat in (("targets", "target_heading"), ("feedback", "feedback_heading")):
        for p in phrases[cat]:
            i = padded.find(f" {p} ")
            if i >= 0 and (best is None or i < best[0]):
                best = (i, section)
    return best[1] if best else "other"


def _is_title(text: str, start: int, end: int) -> bool:
    """A short line standing alone with no closing punctuation (a title or label)."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    raw_line = text[line_start:line_end]
    line = raw_line.strip().lstrip(">").strip()
    if line != text[start:end].strip().lstrip(">").strip():
        return False
    numbered = BULLET_RE.match(raw_line.lstrip().lstrip(">"))
    if numbered and not raw_line.lstrip().startswith(("-", "*", "•")):
        inner = raw_line.lstrip().lstrip(">")[numbered.end():].strip()
        return (len(inner.split()) <= 6 and not re.search(r"[.!?;,]['\")\]]*$", inner)
                and _has_heading_word(inner))
    bare = re.sub(r"\([^)]*\)", "", line).strip()
    if not bare or BULLET_RE.match(raw_line.lstrip().lstrip(">").lstrip()) or \
            re.search(r"[.!?;,]['\")\]]*$", bare):
        return False
    following = text[line_end + 1:text.find("\n", line_end + 1) if "\n" in text[line_end + 1:]
                     else len(text)]
    if BULLET_RE.match(following.lstrip(">")) and len(bare.split()) <= 12:
        return True
    if len(bare.split()) > 8:
        return False
    before = text[:line_start].rstrip(" \t")
    first = not before.strip()
    after_blank = before.endswith("\n") or first
    next_blank = text[line_end:line_end + 2].startswith("\n\n") or line_end >= len(text)
    return first or (after_blank and (next_blank or len(line.split()) <= 3
                                      or (len(line.split()) <= 6 and _has_heading_word(line))))


def _has_heading_word(line: str) -> bool:
    key = " " + re.sub(r"\s+", " ", re.sub(r"[^a-z' ]+", " ", line.lower())).strip() + " "
    phrases = load_lexicon()["phrases"]
    words = phrases["heading_word"] + phrases["target_heading"] + phrases["feedback_heading"]
    return any(f" {w} " in key for w in words)


def sentence_records(doc: Doc) -> list[list]:
    """``[start, end, section, is_heading]`` for every non-blank sentence, trimmed of spaces."""
    out: list[list] = []
    section = "other"
    for sent in doc.sents:
        text = sent.text
        stripped = text.strip()
        if not stripped:
            continue
        start = sent.start_char + (len(text) - len(text.lstrip()))
        end = start + len(stripped)
        head = heading_section(stripped, title=_is_title(text_of(doc), start, end))
        if head is not None:
            section = head
        out.append([start, end, section, head is not None])
    return out


@Language.factory(
    "reflectassist_segmenter",
    default_config={"abbreviations": None},
)
def make_segmenter(nlp: Language, name: str, abbreviations: list[str] | None) -> Segmenter:
    return Segmenter(nlp, name, abbreviations)
