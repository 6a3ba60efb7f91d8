"""Sentence segmentation for real notes: headings, bullets, hard line breaks, abbreviations.

spaCy's rule-based ``sentencizer`` only looks at punctuation, so a supervision note such as
``"Actions agreed:\\n- JB to book MCA training\\n- review at next supervision"`` comes out as one
sentence.  The boundaries here are computed on the raw text (so they are easy to test and
always index the original text) and then written onto the tokens.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import numpy
from spacy.attrs import IDX, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from .lexicon import load_lexicon, plain_quotes

TEXT_KEY = "reflectassist_text"


def text_of(doc: Doc) -> str:
    """``doc.text``, cached: spaCy rebuilds the string on every access, which made per-sentence
    loops quadratic in document length."""
    text = doc.user_data.get(TEXT_KEY)
    if text is None:
        text = doc.user_data[TEXT_KEY] = doc.text
    return text


class TextKeepingTokenizer:
    """The pipeline's tokenizer, also keeping each Doc's text for :func:`text_of`, so the
    text is not rebuilt from the tokens (``doc.text`` joins every token: 0.06 ms of a ~4 ms
    analysis). Everything else (``to_disk``, special cases, ...) is the wrapped tokenizer's."""

    def __init__(self, tokenizer) -> None:
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Doc:
        doc = self.tokenizer(text)
        doc.user_data[TEXT_KEY] = text
        return doc

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterable[Doc]:
        for text in texts:
            yield self(text)

    def __getattr__(self, name: str):
        if name == "tokenizer" or name.startswith("__"):  # unpickling: not set yet
            raise AttributeError(name)
        return getattr(self.tokenizer, name)


if not Doc.has_extension("sentences"):
    Doc.set_extension("sentences", default=None)

BULLET_RE = re.compile(r"^[ \t]*(?:[-*•·▪◦–—>]|\(?\d{1,3}[.)]|\(?[a-zA-Z][.)])(?=\s)")
INLINE_HEADING_RE = re.compile(
    r"^[ \t]*((?:[A-Za-z][\w'/&-]*[ \t]+){0,3}[A-Za-z][\w'/&-]*)[ \t]*:(?!\d)")
# A sentence end: a run of [.!?] or one "…", closing quotes/brackets, space, then a capital,
# digit or bullet.  The match starts with the punctuation and group 1 is the closers.  Written
# as "one of [.!?…], then more [.!?] unless it was …" rather than as "([.!?]+|…)" because a
# pattern that opens with a character class lets ``re`` skip ahead to candidate characters
# instead of trying the whole pattern at every position (twice as fast on prose).
SENT_END_RE = re.compile(
    r"[.!?…](?:(?<=…)|(?<=[.!?])[.!?]*)([\"'”’)\]]*)(\s+)(?=[\"'“‘(\[]?[A-Z0-9•*-])")
MAX_SENT_CHARS = 1200
_LINE_END_RE = re.compile(r"[.!?:;…][\"'”’)\]]*\s*$")
_WORD_CHARS_RE = re.compile(r"[\w./'-]+")  # matched on reversed text: the last word
_LETTER_RE = re.compile(r"[a-z]")
_INITIALS_RE = re.compile(r"(?:[a-z]\.)*[a-z]")  # one letter, or initials "a.b"
NON_KEY_RE = re.compile(r"[^a-z' ]+")  # heading keys: letters, apostrophes, spaces
SPACES_RE = re.compile(r"\s+")
_LINE_REST_BLANK_RE = re.compile(r"[^\S\n]*(?:\n|\Z)")
_CLOSED_RE = re.compile(r"[.!?;,]['\")\]]*$")
_PARENS_RE = re.compile(r"\([^)]*\)")
_NON_SPACE_RE = re.compile(r"\S")


def _is_heading(line: str) -> bool:
    # stripping takes only spaces and leading "#" off the line: its letters and its last
    # character (if any is left) are the line's own
    colon = line.rstrip().endswith(":")
    # most lines are prose: a lower-case letter (found near the start) rules out all
    # capitals before the line is stripped and its words counted
    if not colon and _LETTER_RE.search(line):
        return False
    stripped = line.strip().lstrip("#").strip()
    if not stripped:
        return False
    if len(stripped.split(None, 7)) > 6:
        return False
    if colon:
        return True
    letters = [c for c in stripped if c.isalpha()]
    return len(letters) > 2 and all(c.isupper() for c in letters)


def _ends_sentence(line: str) -> bool:
    return _LINE_END_RE.search(line) is not None


@lru_cache(maxsize=8)
def _abbreviation_set(abbreviations: tuple[str, ...]) -> frozenset[str]:
    return frozenset(a.lower().rstrip(".") for a in abbreviations)


def sentence_starts(text: str, abbreviations: Iterable[str] = ()) -> list[int]:
    """Return the character offsets at which sentences start (first non-space character)."""
    return _sentence_starts(text, _abbreviation_set(tuple(abbreviations)))


def _sentence_starts(text: str, abbrevs: frozenset[str]) -> list[int]:
    """:func:`sentence_starts` with the abbreviations already normalised (once per pipeline)."""
    starts: list[int] = []
    prev_line = None
    prev_heading = False  # _is_heading(prev_line), carried over instead of recomputed
    pos = 0
    for raw in text.splitlines(keepends=True):
        lstart = pos
        pos += len(raw)
        line = raw.rstrip("\r\n")
        lend = lstart + len(line)
        content = line.strip()
        if not content:
            prev_line = None if prev_line is None else ""
            prev_heading = False
            continue
        first = lstart + (len(line) - len(line.lstrip()))
        bullet = BULLET_RE.match(line)
        heading = _is_heading(content)  # the same as of line: it strips first
        if (prev_line is None or prev_line == "" or bullet is not None or heading
                or prev_heading or _ends_sentence(prev_line) or not content[0].islower()):
            starts.append(first)
        inline = INLINE_HEADING_RE.match(line) if not heading and ":" in line else None
        if inline:
            after = lstart + inline.end()
            rest = text[after:lend]
            if rest.strip():
                starts.append(after + (len(rest) - len(rest.lstrip())))
        bullet_end = bullet.end() if bullet else 0
        for m in SENT_END_RE.finditer(line):
            stop = m.start()
            if stop < bullet_end:
                continue
            if m.start(1) == stop + 1 and line[stop] == ".":  # only "." ends an abbreviation
                before = line[max(0, stop - 40): stop]
                word = _WORD_CHARS_RE.match(before[::-1])
                token = word.group(0)[::-1].lower() if word else ""
                if token.rstrip(".") in abbrevs or _INITIALS_RE.fullmatch(token):
                    continue
            starts.append(lstart + m.end())
        prev_line = line
        prev_heading = heading
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
        # a tuple: the normalised set below is computed once from it
        self.abbreviations = tuple(abbreviations or load_lexicon()["abbreviations"])
        self._abbrevs = _abbreviation_set(self.abbreviations)

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            doc._.sentences = []
            return doc
        text = plain_quotes(text_of(doc))  # for matching only: rows hold offsets
        starts = _sentence_starts(text, self._abbrevs)
        # token offsets only, as one array (iterating the Doc builds a Token object per
        # token); IS_SPACE and LENGTH are lexeme attributes, a cache miss per token, so
        # whitespace is read from the text and sentence ends from the next sentence's start
        idx = doc.to_array(IDX).astype("int64")
        first = _tokens_at(text, idx, starts)
        if first is None:
            first = _first_tokens(idx, _is_space_at(text, idx), starts)
        flags = numpy.full(len(idx), -1, dtype="int64")
        flags[first] = 1
        # one from_array call: setting token.is_sent_start one by one is quadratic in spaCy
        doc.from_array([SENT_START], flags.astype("uint64"))
        doc._.sentences = _records(text, idx, first)
        return doc


@lru_cache(maxsize=1)
def _space_table() -> numpy.ndarray:
    """``str.isspace`` of every code point up to _SPACE_LIMIT (the last one is not a space;
    no code point above U+3000 is, so larger ones are looked up there)."""
    return numpy.array([chr(c).isspace() for c in range(_SPACE_LIMIT + 1)], dtype=bool)


_SPACE_LIMIT = 0x3001


def _is_space_at(text: str, idx: numpy.ndarray) -> numpy.ndarray:
    """``token.is_space`` of the tokens starting at ``idx`` in ``text``, without reading a
    lexeme per token: the tokenizer splits the text into runs of whitespace and of other
    characters before anything else, so a token is whitespace iff its first character is."""
    # code points as an array ("surrogatepass": lone surrogates are one code point too)
    codes = numpy.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=numpy.uint32)
    return _space_table()[numpy.minimum(codes[idx], _SPACE_LIMIT)]


def _first_tokens(idx: numpy.ndarray, is_space: numpy.ndarray, starts: list[int]) -> numpy.ndarray:
    """The sentences' first tokens, ascending: the first token, the first non-space token,
    and every non-space token with a sentence start at or before it and after the previous
    non-space token, i.e. for each start the first non-space token at or after it."""
    opens = numpy.zeros(len(idx), dtype=bool)
    opens[0] = True
    content = numpy.flatnonzero(~is_space)
    if len(content):
        # per start, how many non-space tokens lie before it: the index of the one it opens
        k = numpy.searchsorted(idx[content], numpy.asarray(starts, dtype="int64"), side="left")
        opens[content[k[k < len(content)]]] = True
        opens[content[0]] = True
    return numpy.flatnonzero(opens)


def _tokens_at(text: str, idx: numpy.ndarray, starts: list[int]) -> numpy.ndarray | None:
    """:func:`_first_tokens` without telling space tokens apart, in the usual case that
    every start is the first character of a token, not a space, and only space comes before
    the first start: then each start opens the token it begins, every token before the first
    start is space, and so the sentences' first tokens are the first token and the tokens at
    the starts. None in any other case."""
    if not starts or (starts[0] and not text[:starts[0]].isspace()):
        return None
    at = numpy.searchsorted(idx, starts)
    if at[-1] >= len(idx) or not (idx[at] == starts).all() or \
            any(map(str.isspace, map(text.__getitem__, starts))):
        return None
    return at if at[0] == 0 else numpy.concatenate(([0], at))


def _records(text: str, idx: numpy.ndarray, first: numpy.ndarray) -> list[list]:
    """The sentences' rows (see :func:`_sentence_rows`) from the token offsets and the
    sentences' first tokens, without building Span objects. A sentence is taken to end where
    the next one starts: that adds at most the last token's trailing space, which the rows
    strip anyway."""
    bounds = idx[first].tolist()
    bounds.append(len(text))
    return _sentence_rows(text, zip(bounds, bounds[1:], strict=False))


def _sentence_rows(text: str, spans: Iterable[tuple[int, int]]) -> list[list]:
    """``[start, end, section, is_heading]`` for every non-blank sentence, trimmed of spaces,
    from the sentences' (start_char, end_char)."""
    out: list[list] = []
    section = "other"
    for start_char, end_char in spans:
        sent = text[start_char:end_char]
        stripped = sent.strip()
        if not stripped:
            continue
        start = start_char + (len(sent) - len(sent.lstrip()))
        end = start + len(stripped)
        # heading_section(stripped, title=_is_title(...)), with _is_title only computed
        # when the cheaper tests cannot decide
        if _is_heading(stripped) or _is_inline_heading(stripped) or (
                _LINE_REST_BLANK_RE.match(text, end)  # a title is alone on its line
                # and does not end in punctuation (unless that is inside brackets)
                and ("(" in stripped or not _CLOSED_RE.search(stripped))
                and _is_title(text, start, end)):
            section = _section_of(stripped)
            out.append([start, end, section, True])
        else:
            out.append([start, end, section, False])
    return out


def _is_inline_heading(stripped: str) -> bool:
    """A label and its colon, nothing after it ("Feedback:")."""
    if ":" not in stripped:  # cheap test first: the regex backtracks over the first words
        return False
    inline = INLINE_HEADING_RE.match(stripped)
    return inline is not None and inline.end() >= len(stripped.rstrip())


def heading_section(text: str, title: bool = False) -> str | None:
    """``"feedback"``, ``"targets"`` or ``"other"`` for a heading line, None if not a heading."""
    stripped = text.strip()
    if not (title or _is_heading(stripped) or _is_inline_heading(stripped)):
        return None
    return _section_of(stripped)


@lru_cache(maxsize=1)
def _section_phrases() -> tuple[re.Pattern[str], dict[str, str]]:
    """One alternation of the padded heading phrases (the leftmost occurrence wins, ties go
    to the phrase listed first: targets before feedback) and each phrase's section."""
    phrases = load_lexicon()["phrases"]
    section_of: dict[str, str] = {}
    for section, cat in (("targets", "target_heading"), ("feedback", "feedback_heading")):
        for p in phrases[cat]:
            section_of.setdefault(f" {p} ", section)
    return re.compile("|".join(re.escape(p) for p in section_of)), section_of


@lru_cache(maxsize=4096)
def _section_of(stripped: str) -> str:
    """The section a heading opens: the heading phrase found earliest in it wins. Cached:
    headings ("Date:", "Actions", "Feedback:") recur from document to document."""
    key = NON_KEY_RE.sub(" ", stripped.lower()).strip()
    rx, section_of = _section_phrases()
    m = rx.search(f" {SPACES_RE.sub(' ', key)} ")
    return section_of[m.group(0)] if m else "other"


def _is_title(text: str, start: int, end: int) -> bool:
    """A short line standing alone with no closing punctuation (a title or label)."""
    line_start = text.rfind("\n", 0, start) + 1
    if text[line_start:start].replace(">", " ").strip():
        return False  # text before it on its line: the line is longer than the sentence
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    raw_line = text[line_start:line_end]
    line = raw_line.strip().lstrip(">").strip()
    if line != text[start:end].strip().lstrip(">").strip():
        return False
    body = raw_line.lstrip()
    quoted = body.lstrip(">")
    numbered = BULLET_RE.match(quoted)
    if numbered and not body.startswith(("-", "*", "•")):
        inner = quoted[numbered.end():].strip()
        return (len(inner.split()) <= 6 and not _CLOSED_RE.search(inner)
                and _has_heading_word(inner))
    bare = _PARENS_RE.sub("", line).strip()
    if not bare or BULLET_RE.match(quoted.lstrip()) or _CLOSED_RE.search(bare):
        return False
    bare_words = len(bare.split())
    next_end = text.find("\n", line_end + 1)  # bounded finds: no copy of the whole text
    following = text[line_end + 1:next_end if next_end >= 0 else len(text)]
    if BULLET_RE.match(following.lstrip(">")) and bare_words <= 12:
        return True
    first = _NON_SPACE_RE.search(text, 0, line_start) is None
    # the next line is blank: empty, or only spaces (Word and PDF text often has them), and
    # ended by a newline as an empty one is
    next_blank = line_end >= len(text) or (not following.strip() and next_end >= 0)
    if bare_words > 8:
        # only the document's own title may be longer ("Reflective log - first home visit
        # as a student social worker"), standing alone above a blank line
        return first and bare_words <= 14 and line_end < len(text) and next_blank
    if first:
        return True
    # as written before (text[:line_start].rstrip(" \t").endswith("\n") or first): every
    # line but the first follows a newline, so this holds for every line
    if not line_start > 0:
        return False
    if next_blank:
        return True
    line_words = len(line.split())
    return line_words <= 3 or (line_words <= 6 and _has_heading_word(line))


@lru_cache(maxsize=1)
def _heading_words() -> tuple[str, ...]:
    phrases = load_lexicon()["phrases"]
    return tuple(f" {w} " for w in
                 phrases["heading_word"] + phrases["target_heading"] + phrases["feedback_heading"])


def _has_heading_word(line: str) -> bool:
    key = " " + SPACES_RE.sub(" ", NON_KEY_RE.sub(" ", line.lower())).strip() + " "
    return any(w in key for w in _heading_words())


@Language.factory(
    "reflectassist_segmenter",
    default_config={"abbreviations": None},
)
def make_segmenter(nlp: Language, name: str, abbreviations: list[str] | None) -> Segmenter:
    return Segmenter(nlp, name, abbreviations)
