"""Read user files defensively: formats, encodings, size limits, folders, stdin, multi-entry files.

Nothing here raises for a bad file: each input becomes a :class:`Source` with either text or a
one-line error message, so one bad file never stops a batch.

Formats, chosen by **content first**, then by extension:

- a zip archive holding ``word/document.xml`` is read as Word ``.docx`` (python-docx; also a
  macro-enabled ``.docm`` or a template ``.dotx``/``.dotm``, whose XML is the same: macros are
  never run):
  paragraphs, lists (``- `` or ``1. ``, indented two spaces per level) and tables in reading
  order. A table row whose cells are each one line becomes one line, cells joined by `` | ``
  (bordered, ``| a |  | c |``, when a cell before the last filled one is empty, so cells
  stay under their column headers); otherwise each cell becomes its own paragraph. Content
  controls, tracked insertions and text boxes (as paragraphs after the one they are anchored
  in) are read; tracked deletions, hidden text, headers, footers, footnotes and comments are
  not;
- a zip archive whose ``mimetype`` is ``application/vnd.oasis.opendocument.text`` is read as
  OpenDocument ``.odt`` (odfpy), with the same rules;
- a file starting with ``%PDF`` is read as PDF (pypdf), text layer only: pages are separated by
  a blank line and lines wrapped by the layout are re-joined. A PDF without a text layer fails
  with ``no extractable text (scanned PDF?)``; an encrypted one that needs a password fails;
- anything else is text (``.txt``, ``.md``, ...): UTF-8 with or without BOM, UTF-16 and UTF-32
  with BOM, UTF-16 without BOM (detected from the zero bytes), otherwise Windows-1252; UTF-8
  with a few bytes that are not UTF-8 (no more of them than accented Latin letters,
  typographic punctuation and € written in UTF-8) is read as UTF-8, those bytes as
  Windows-1252, with a note.

So a ``.txt`` that is really a ``.docx`` or a PDF is read as one, and a ``.docx``/``.odt``/
``.pdf`` that is really plain text (decoded as above) is read as text. A ``.docx``/``.odt``/
``.pdf`` that is empty or whose content is neither that format nor text, a corrupt or truncated
document, a legacy ``.doc``, a password-protected Office file and a renamed binary (image,
archive, ...) each fail with a one-line error. Newlines are normalised
to ``\\n`` (a vertical tab is a line break, a form feed a blank line) and control characters
other than tab and newline dropped; the returned text is exactly what is analysed and what
every offset in the results indexes.

Limits: a file (or standard input) over ``max_bytes`` is refused before it is read, and so is
the text extracted from it. A ``.docx``/``.odt`` is refused, before any member is
decompressed, when its members would unpack to more than ``max(10 * max_bytes, 8 MiB)`` bytes
or it has more than 10,000 members (zip bombs). The format libraries are imported only when a
file of that format is read.

Several entries in one file: an **entry separator** is a line that starts with three or more
``=`` signs, optionally followed by a space and a title (trailing ``=`` signs are ignored)::

    === Week 3: handover on the ward
    (the entry)
    === Week 4
    (the next entry)

A bare ``===`` line (only ``=`` signs, no title) is a separator at the start of the text,
after a blank line, after another separator line, and under a line of text that reads as a
sentence: 80 or more characters long (stripped), or ending with ``.``, ``!``, ``?`` or ``…``
(optionally followed by closing quotes or brackets) with an underline shorter than it. Under
a shorter line without such an ending, or one underlined to its full length (a question as a
Markdown heading: ``What happened?`` then ``==============``), it is a Markdown heading
underline, not a separator, and stays in the text. Separators in a row make no empty
entries. The rule applies to the text of every format (in a ``.docx`` or ``.odt``, type the
separator as its own paragraph). When a file has separators, each entry becomes its own
:class:`Source` whose path is the file's path plus ``#N`` (``notes.docx#2``, numbered from 1
over the non-blank entries); text before the first separator, if not blank, is entry 1. The
separator line is replaced by its title, which becomes the entry's first line. Splitting can
be turned off with ``iter_sources(..., split_entries=False)``. An entry that is only a short
title (``=== Week 4`` with nothing under it, under 80 characters) is skipped with a note,
keeping its number, rather than scored as a document of one line.

Folders are searched recursively in natural order (``week2`` before ``week10``, ``entry``
before ``entry2``); hidden files and folders (name starting with ``.``), Office lock files
(``~$...``), files of other types, files without an extension that are not text (a
thumbnail, a program) and what is not a regular file (a named pipe, which would block the
batch, a socket, a device) are skipped, each with a note; a folder that cannot be read is a
failed input.

Errors from the format libraries are logged (with the traceback) on the ``reflectassist``
logger at DEBUG level, which ``reflectassist --debug`` shows.
"""

from __future__ import annotations

import codecs
import io
import logging
import os
import re
import stat
import sys
import warnings
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .source import Source

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text", ""}
ZIP_SUFFIXES = {".docx", ".docm", ".dotx", ".dotm", ".odt"}  # documents that are zip archives
DOCUMENT_SUFFIXES = ZIP_SUFFIXES | {".pdf"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | DOCUMENT_SUFFIXES
SUPPORTED = ".txt, .md, .docx, .odt, .pdf"

UNZIP_FACTOR = 10
MIN_UNZIP_LIMIT = 8 * 1024 * 1024
MAX_ZIP_MEMBERS = 10_000

ODT_MIMETYPES = ("application/vnd.oasis.opendocument.text",
                 "application/vnd.oasis.opendocument.text-template")

# Binary formats that cannot be the start of a text file, named in the error message.
_MAGIC = (
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"\x1f\x8b", "gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"\x7fELF", "executable"),
)
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

SEPARATOR_RE = re.compile(r"^={3,}(?:[ \t]+(?P<title>[^\n]*?))?[ \t]*=*[ \t]*$", re.MULTILINE)


log = logging.getLogger("reflectassist.readers")


class ReadError(Exception):
    """A file cannot be read; the message is one line, shown to the user as is."""


Notify = Callable[[str], None]


def _describe(exc: BaseException) -> str:
    """Why a format library could not read a file, for a user (no internal details)."""
    name = type(exc).__name__
    if name == "XMLSyntaxError" or "SAX" in name or "ExpatError" in name:
        return f"broken XML: {_one_line(exc)}"
    if isinstance(exc, KeyError):
        return f"missing part {_one_line(exc)}"
    if isinstance(exc, (zipfile.BadZipFile, ValueError, OSError)) or name.endswith(
            ("PackageNotFoundError", "InvalidXmlError")):
        return _one_line(exc)
    return "it could not be read"


def _one_line(exc: BaseException, limit: int = 160) -> str:
    msg = " ".join(str(exc).split()) or type(exc).__name__
    return msg if len(msg) <= limit else msg[:limit - 3] + "..."


# --------------------------------------------------------------------------------------- text


def decode_bytes(data: bytes, note: Notify | None = None) -> str:
    """Decode UTF-8 (with/without BOM), UTF-16/32 (BOM), UTF-16 (no BOM) or Windows-1252.

    UTF-8 text with a few bytes that are not UTF-8 (a "£" typed in another program, pasted
    in) is read as UTF-8, those bytes as Windows-1252, with a ``note``: decoding the whole
    file as Windows-1252 would garble every accented letter in it ("cafÃ©").
    Raise :class:`UnicodeDecodeError` for binary content (``encoding == "binary"``) and for
    bytes that are neither UTF-8 nor Windows-1252 (``encoding == "undecodable"``).
    """
    if data.startswith(codecs.BOM_UTF8):
        return _check_text(data[len(codecs.BOM_UTF8):].decode("utf-8"), data)
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return _check_text(data.decode("utf-32"), data)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _check_text(data.decode("utf-16"), data)
    if b"\x00" in data[:4096]:
        # UTF-16 without a BOM shows as every other byte being zero in ASCII text
        sample = data[:4096]
        if sample[1::2].count(0) > len(sample) * 0.4:
            return _check_text(data.decode("utf-16-le"), data)
        if sample[0::2].count(0) > len(sample) * 0.4:
            return _check_text(data.decode("utf-16-be"), data)
        # otherwise a few stray NUL bytes in text are control characters like any other:
        # _check_text refuses the file when there are many of them (a binary file)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as first:
        mixed = _mostly_utf8(data)
        if mixed is not None:
            text, stray = mixed
            if note is not None:
                note(f"{stray} byte{'s' if stray > 1 else ''} not valid UTF-8 (the first at "
                     f"offset {first.start:,}) read as Windows-1252; save the file as UTF-8")
            return _check_text(text, data)
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            # bytes that are neither UTF-8 nor Windows-1252 (0x81, 0x8d, 0x8f, 0x90, 0x9d):
            # a binary file, or text in an encoding we do not read
            _check_text(data.decode("cp1252", "replace"), data)
            raise UnicodeDecodeError(
                "undecodable", data, exc.start, exc.end,
                f"byte 0x{data[exc.start]:02x} at offset {exc.start:,} is neither UTF-8 nor "
                "Windows-1252") from None
    return _check_text(text, data)


# a character of two to four bytes in UTF-8 (lead byte, then continuation bytes)
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}"
                             rb"|[\xf0-\xf4][\x80-\xbf]{3}")
_WESTERN = re.compile("[\u00a0-\u024f\u2000-\u206f\u20ac]")  # Latin letters, punctuation, €
_STRAY = re.compile("[\udc80-\udcff]")  # a byte that was not UTF-8, surrogate-escaped


def _mostly_utf8(data: bytes) -> tuple[str, int] | None:
    """(text, number of stray bytes) when ``data`` is UTF-8 with a few bytes that are not:
    at least as many UTF-8 characters of Western text (accented Latin letters, typographic
    punctuation, €) as stray bytes, each stray byte read as Windows-1252. Else None.
    Windows-1252 text rarely forms such a character: its pairs that are valid UTF-8 (an
    accented capital or "ß" before a curly quote, "É’" or "ß“") decode to other scripts.
    A stray byte that Windows-1252 leaves undefined raises the "undecodable" error naming
    the first such byte (not a byte of a good UTF-8 character that a Windows-1252 reading
    trips over), unless the text looks binary."""
    western = sum(1 for m in _UTF8_MULTIBYTE.finditer(data)
                  if _WESTERN.match(m.group().decode("utf-8")))
    if not western:  # (most Windows-1252 files: no need to find their stray bytes)
        return None
    text = data.decode("utf-8", "surrogateescape")  # stray bytes -> U+DC80..U+DCFF
    stray = _STRAY.findall(text)
    if western < len(stray):
        return None
    table = {}
    for ch in dict.fromkeys(stray):  # in the order they first occur
        try:
            table[ord(ch)] = bytes([ord(ch) - 0xDC00]).decode("cp1252")
        except UnicodeDecodeError:  # undefined in Windows-1252: 0x81, 0x8d, 0x8f, 0x90, 0x9d
            _check_text(data.decode("utf-8", "replace"), data)  # binary: said so first
            at = len(text[:text.index(ch)].encode("utf-8", "surrogateescape"))
            raise UnicodeDecodeError(
                "undecodable", data, at, at + 1, f"byte 0x{data[at]:02x} at offset {at:,} is "
                "neither UTF-8 nor Windows-1252") from None
    return text.translate(table), len(stray)


def _check_text(text: str, data: bytes) -> str:
    """Refuse decoded "text" with many control characters (a binary that happened to decode)."""
    sample = text[:8192]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\n\r\f\v\x1a")
    if controls > 4 and controls > len(sample) * 0.02:
        raise UnicodeDecodeError("binary", data, 0, 1, "binary file (control characters)")
    return text


def clean_text(text: str) -> str:
    """Normalise newlines and drop control characters other than tab and newline. A vertical
    tab (Word's line break when its text is copied out) is a line break, and a form feed (a
    page break, e.g. in ``pdftotext`` output) a blank line, so the lines either side stay
    apart."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\v", "\n")
    text = text.replace("\f", "\n\n")
    return "".join(ch for ch in text if ch in "\n\t" or ch >= " " and ch != "\x7f")


# ------------------------------------------------------------------------------ sniffing


def detect_format(data: bytes, suffix: str = "") -> str:
    """``"docx"``, ``"odt"``, ``"pdf"`` or ``"text"`` from the content (then the suffix).

    A ``.docx``/``.odt``/``.pdf`` whose content is not that format but decodes as text is
    ``"text"``: users save plain text under a document name, and the content decides, as it
    does for a real document named ``.txt``. Raise :class:`ReadError` for content that is
    none of them (for a document suffix: also when it is empty or not decodable text).
    """
    suffix = suffix.lower()
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_format(data, suffix)
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(_OLE2):
        raise ReadError("legacy Word .doc or password-protected Office file (OLE2): not "
                        "supported; save it as .docx without a password")
    refusal = _not_text_reason(data)
    if suffix in DOCUMENT_SUFFIXES and (not data or refusal or data.lstrip()[:1] == b"<"
                                        or not _decodes_as_text(data)):
        # markup (a web page or sign-in page saved under a document's name, flat XML) is
        # not the user's writing: refused, as any content that is not text
        what = "a PDF" if suffix == ".pdf" else "a zip archive"
        raise ReadError(f"not a valid {suffix} file (empty file)" if not data else
                        f"not a valid {suffix} file (the content is not {what})")
    if refusal:
        raise ReadError(refusal)
    return "text"


def _not_text(what: str) -> str:
    """The error for content that is not text; the folder walk tells it by ``_NOT_TEXT_RE``
    (a binary file without an extension is skipped there, not failed)."""
    return f"not a text file ({what}); supported: {SUPPORTED}"


_NOT_TEXT_RE = re.compile(r"not a text file \(([^)]*)\)")


def _not_text_reason(data: bytes) -> str | None:
    """The error for a known binary or RTF start, which must never be read as text."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return _not_text(what)
    if data.lstrip()[:5] == b"{\\rtf":
        return "RTF document: not supported; save it as .docx or .txt"
    return None


def _decodes_as_text(data: bytes) -> bool:
    """Whether :func:`decode_bytes` reads ``data`` as text, so a mislabelled document is
    judged by exactly the rules a ``.txt`` is."""
    try:
        decode_bytes(data)
    except UnicodeDecodeError:
        return False
    return True


def _zip_format(data: bytes, suffix: str) -> str:
    label = f"{suffix} file" if suffix in ZIP_SUFFIXES else "zip archive"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            if "word/document.xml" in names:
                return "docx"
            mimetype = ""
            info = zf.NameToInfo.get("mimetype")
            if info is not None and info.file_size < 200:
                mimetype = zf.read(info).decode("ascii", "replace").strip()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError,
            ValueError, EOFError) as exc:
        raise ReadError(f"corrupt {label} (not a readable zip archive: {_one_line(exc)})") \
            from None
    if mimetype in ODT_MIMETYPES or (not mimetype and suffix == ".odt"
                                     and "content.xml" in names):
        return "odt"
    if mimetype.startswith("application/vnd.oasis.opendocument."):
        kind = mimetype.rsplit(".", 1)[-1]
        raise ReadError(f"OpenDocument {kind}: not supported (only text documents, .odt)")
    if any(n.startswith("xl/") for n in names):
        raise ReadError("Excel workbook (.xlsx): not supported")
    if any(n.startswith("ppt/") for n in names):
        raise ReadError("PowerPoint presentation (.pptx): not supported")
    if suffix in ZIP_SUFFIXES:
        raise ReadError(f"corrupt {suffix} file (the zip archive has no document in it)")
    raise ReadError(f"zip archive, not a document; supported: {SUPPORTED}")


def _check_zip(data: bytes, label: str, max_bytes: int) -> None:
    """Refuse zip bombs from the sizes in the central directory, before decompressing.

    (``zipfile`` never returns more than a member's recorded size, so the check holds even if
    the recorded sizes lie.)
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ReadError(f"corrupt {label} file ({_one_line(exc)})") from None
    if len(infos) > MAX_ZIP_MEMBERS:
        raise ReadError(f"{label} file has {len(infos):,} parts, over the limit of "
                        f"{MAX_ZIP_MEMBERS:,}")
    total = sum(i.file_size for i in infos)
    limit = max(UNZIP_FACTOR * max_bytes, MIN_UNZIP_LIMIT)
    if total > limit:
        raise ReadError(f"{label} file would unpack to {total:,} bytes, over the limit of "
                        f"{limit:,} (possible zip bomb)")


# ------------------------------------------------------------------------------- blocks

# A document is flattened to blocks (text, group): consecutive blocks of the same non-None
# group (the items of a list, the rows of one table) are joined by a newline, all others by
# a blank line.
Block = tuple[str, object]


def _join_blocks(blocks: list[Block]) -> str:
    out: list[str] = []
    prev_group: object = None
    for text, group in blocks:
        if out:
            out.append("\n" if group is not None and group == prev_group else "\n\n")
        out.append(text)
        prev_group = group
    return "".join(out)


def _columns(value: str | None) -> int:
    """A table cell's column count attribute (a merged or repeated cell), 1 to 64."""
    return min(max(int(value), 1), 64) if value and value.isdecimal() else 1


def _row_blocks(cells: list[list[Block]], table_group: object) -> list[Block]:
    """One line ``a | b | c`` when every cell is at most one line, else the cells' blocks.
    When two or more cells are filled, an empty cell before the last filled one is kept and
    the line bordered, ``| a |  | c |``, so that each cell stays under its column's header
    (dropping it shifted "Agreed action" under "Discussion"); empty cells at the end shift
    nothing and are left out, and a lone filled cell is its text alone."""
    filled = [c for c in cells if c]
    if all(len(c) == 1 and "\n" not in c[0][0] for c in filled):
        texts = [c[0][0].strip() if c else "" for c in cells]
        while texts and not texts[-1]:
            texts.pop()
        line = " | ".join(texts)
        if sum(map(bool, texts)) == 1:
            line = texts[-1]
        elif not all(texts):
            line = f"| {line} |"
        return [(line, table_group)] if texts else []
    return [b for c in filled for b in c]


class _Counters:
    """List numbering: one counter per (list, level); a level resets the deeper ones."""

    def __init__(self) -> None:
        self.counts: dict[tuple[object, int], int] = {}

    def next(self, key: object, level: int, start: int = 1) -> int:
        for (k, lvl) in list(self.counts):
            if k == key and lvl > level:
                del self.counts[(k, lvl)]
        n = self.counts.get((key, level), start - 1) + 1
        self.counts[(key, level)] = n
        return n


def _marker(level: int, numbered: int | None) -> str:
    return "  " * min(level, 8) + ("- " if numbered is None else f"{numbered}. ")


# --------------------------------------------------------------------------------- docx

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_W_SKIP = {_W + t for t in ("pPr", "rPr", "del", "moveFrom", "txbxContent", "delText",
                            "instrText", "footnoteReference", "endnoteReference",
                            "commentReference", "sym", "object", "pict")}
_W_SKIP.add(_MC + "Fallback")
_W_WRAPPERS = {_W + "sdt", _W + "sdtContent", _W + "customXml", _W + "smartTag"}
_W_NO_BOXES = {_MC + "Fallback", _W + "del", _W + "moveFrom"}
_OFF = {"0", "false", "off"}


def _hidden(run) -> bool:
    """Is a run hidden text (``w:vanish``, not switched off)? Word neither shows nor prints it."""
    vanish = run.find(f"{_W}rPr/{_W}vanish")
    return vanish is not None and vanish.get(_W + "val", "true").lower() not in _OFF


# Word's other document kinds, whose main part is the same XML as a .docx's (.docm, .dotx,
# .dotm): python-docx refuses them by content type alone. Only their XML is read; macros are
# never run.
_WORD_MAIN_TYPES = (
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
)


def _docx_text(data: bytes) -> str:
    # lazy: python-docx is only needed for .docx
    from docx.opc.part import PartFactory
    from docx.package import Package
    from docx.parts.document import DocumentPart

    for content_type in _WORD_MAIN_TYPES:
        PartFactory.part_type_for.setdefault(content_type, DocumentPart)
    part = Package.open(io.BytesIO(data)).main_document_part
    if not isinstance(part, DocumentPart):
        raise ReadError(f"not a Word document (its main part is {part.content_type})")
    document = part.document
    reader = _DocxReader(document)
    return _join_blocks(reader.blocks(document.element.body))


class _DocxReader:
    def __init__(self, document) -> None:
        self.counters = _Counters()
        try:
            self.styles = document.styles.element
        except Exception:  # noqa: BLE001 - a document without styles still has text
            self.styles = None
        try:
            self.numbering = document.part.numbering_part.element
        except Exception:  # noqa: BLE001
            self.numbering = None

    @staticmethod
    def children(el, tag: str):
        """Children with ``tag``, looking through content-control and custom-XML wrappers."""
        for child in el:
            if child.tag == tag:
                yield child
            elif child.tag in _W_WRAPPERS:
                yield from _DocxReader.children(child, tag)

    @staticmethod
    def grid_span(tc) -> int:
        """How many grid columns a table cell spans (``w:gridSpan``)."""
        span = tc.find(f"{_W}tcPr/{_W}gridSpan")
        return _columns(None if span is None else span.get(_W + "val"))

    def blocks(self, container) -> list[Block]:
        out: list[Block] = []
        for child in container:
            tag = child.tag
            if tag == _W + "p":
                text = self.paragraph_text(child)
                if text.strip():
                    marker = self.list_marker(child)
                    out.append((marker + text.strip(), "list") if marker is not None
                               else (text.strip(), None))
                for box in self.text_boxes(child):  # after the paragraph they are anchored in
                    out.extend(self.blocks(box))
            elif tag == _W + "tbl":
                group = object()
                for tr in self.children(child, _W + "tr"):
                    cells = []
                    for tc in self.children(tr, _W + "tc"):
                        cells.append(self.blocks(tc))
                        cells += [[]] * (self.grid_span(tc) - 1)  # merged across columns
                    out.extend(_row_blocks(cells, group))
            elif tag in _W_WRAPPERS:
                out.extend(self.blocks(child))
        return out

    @staticmethod
    def text_boxes(el) -> Iterator:
        """The text boxes in a paragraph (not those inside another box, which its own
        paragraphs give), each once: Word writes a box twice, as a drawing and as a VML
        fallback, and the fallback is skipped like the paragraph text's; nor those of
        deleted text."""
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag in _W_NO_BOXES or \
                    tag == _W + "r" and _hidden(child):
                continue
            if tag == _W + "txbxContent":
                yield child
            else:
                yield from _DocxReader.text_boxes(child)

    @staticmethod
    def paragraph_text(p) -> str:
        parts: list[str] = []

        def walk(el) -> None:
            for child in el:
                tag = child.tag
                if not isinstance(tag, str) or tag in _W_SKIP:
                    continue
                if tag == _W + "r" and _hidden(child):  # hidden text (Word's "vanish")
                    continue
                if tag == _W + "t":
                    parts.append(child.text or "")
                elif tag in (_W + "tab", _W + "ptab"):
                    parts.append("\t")
                elif tag in (_W + "br", _W + "cr"):
                    parts.append("\n")
                elif tag == _W + "noBreakHyphen":
                    parts.append("-")
                else:
                    walk(child)

        walk(p)
        return "".join(parts)

    def _style_numpr(self, style_id: str):
        """numPr of a paragraph style (or the styles it is based on), for list styles."""
        for _ in range(5):
            style = self.styles.get_by_id(style_id) if self.styles is not None else None
            if style is None:
                return None
            numpr = style.find(f"{_W}pPr/{_W}numPr")
            if numpr is not None:
                return numpr
            style_id = style.xpath("string(./w:basedOn/@w:val)")
            if not style_id:
                return None
        return None

    def list_marker(self, p) -> str | None:
        """``"- "`` or ``"1. "`` (indented by level) for a list paragraph, else None."""
        numpr = p.find(f"{_W}pPr/{_W}numPr")
        style_id = p.xpath("string(./w:pPr/w:pStyle/@w:val)")
        if numpr is None and style_id:
            numpr = self._style_numpr(style_id)
        if numpr is None:
            low = style_id.lower()
            if low.startswith("listnumber"):
                return _marker(0, self.counters.next(low, 0))
            if low.startswith("listbullet"):
                return _marker(0, None)
            return None
        try:
            num_id = int(numpr.xpath("string(./w:numId/@w:val)") or -1)
            level = max(0, int(numpr.xpath("string(./w:ilvl/@w:val)") or 0))
        except ValueError:
            return _marker(0, None)
        if num_id == 0:  # numbering explicitly removed
            return None
        fmt, start = self.number_format(num_id, level)
        if fmt == "none":
            return None
        if fmt == "bullet":
            return _marker(level, None)
        return _marker(level, self.counters.next(num_id, level, start))

    def number_format(self, num_id: int, level: int) -> tuple[str, int]:
        if self.numbering is None or num_id < 0:
            return "bullet", 1
        num = f'./w:num[@w:numId="{num_id}"]'
        lvl_xpath = [f'{num}/w:lvlOverride[@w:ilvl="{level}"]/w:lvl']
        abstract = self.numbering.xpath(f"string({num}/w:abstractNumId/@w:val)")
        if abstract.isdigit():
            lvl_xpath.append(f'./w:abstractNum[@w:abstractNumId="{abstract}"]'
                             f'/w:lvl[@w:ilvl="{level}"]')
        for xp in lvl_xpath:
            fmt = self.numbering.xpath(f"string({xp}/w:numFmt/@w:val)")
            if fmt:
                start = self.numbering.xpath(f"string({xp}/w:start/@w:val)")
                return fmt, int(start) if start.isdigit() else 1
        return "bullet", 1


# ---------------------------------------------------------------------------------- odt


def _odt_text(data: bytes) -> str:
    from odf.opendocument import load  # lazy: odfpy is only needed for .odt

    document = load(io.BytesIO(data))
    if document.text is None:
        raise ReadError("corrupt .odt file (no text body)")
    return _join_blocks(_OdtReader(document).blocks(document.text))


class _OdtReader:
    def __init__(self, document) -> None:
        from odf import namespaces as ns
        from odf.text import ListStyle

        self.TEXT, self.TABLE, self.OFFICE = ns.TEXTNS, ns.TABLENS, ns.OFFICENS
        self.STYLE, self.DRAW = ns.STYLENS, ns.DRAWNS
        self.counters = _Counters()
        self.list_styles: dict[str, dict[int, str]] = {}
        for root in (document.styles, document.automaticstyles):
            for el in root.getElementsByType(ListStyle):
                levels = {}
                for lvl in el.childNodes:
                    if getattr(lvl, "qname", None) is None:
                        continue
                    try:
                        n = int(lvl.getAttrNS(self.TEXT, "level") or 1)
                    except ValueError:
                        continue
                    if lvl.qname[1] == "list-level-style-number":
                        fmt = lvl.getAttrNS(self.STYLE, "num-format") or ""
                        levels[n] = "number" if fmt else "none"
                    else:
                        levels[n] = "bullet"
                self.list_styles[el.getAttrNS(self.STYLE, "name") or ""] = levels

    def blocks(self, container, list_style: str | None = None, level: int = 0) -> list[Block]:
        out: list[Block] = []
        for child in container.childNodes:
            qname = getattr(child, "qname", None)
            if qname is None:
                continue
            ns, name = qname
            if ns == self.TEXT and name in ("p", "h"):
                text = self.inline_text(child).strip()
                if text.strip():
                    out.append((text, None))
                for box in self.text_boxes(child):  # after the paragraph they are anchored in
                    out.extend(self.blocks(box))
            elif ns == self.DRAW:  # a frame anchored to the page
                for box in self.text_boxes(child, this=True):
                    out.extend(self.blocks(box))
            elif ns == self.TEXT and name == "list":
                style = child.getAttrNS(self.TEXT, "style-name") or list_style
                out.extend(self.list_blocks(child, style, level))
            elif ns == self.TABLE and name == "table":
                group = object()
                for row in self.rows(child):
                    out.extend(_row_blocks(self.cells(row), group))
            elif ns == self.TEXT and name in ("section", "index-body"):
                out.extend(self.blocks(child, list_style, level))
        return out

    def text_boxes(self, node, this: bool = False) -> Iterator:
        """The text boxes (``draw:text-box``) in a paragraph or frame (``this``: the node may
        be one), not those inside another box, nor in a note or comment (not read)."""
        if this and getattr(node, "qname", None) == (self.DRAW, "text-box"):
            yield node
            return
        for child in node.childNodes:
            qname = getattr(child, "qname", None)
            if qname is None or qname in ((self.TEXT, "note"), (self.OFFICE, "annotation"),
                                          (self.TEXT, "tracked-changes")):
                continue
            if qname == (self.DRAW, "text-box"):
                yield child
            else:
                yield from self.text_boxes(child)

    def cells(self, row) -> list[list[Block]]:
        """The blocks of a row's cells, a cell repeated ``number-columns-repeated`` times (as
        OpenOffice writes runs of empty cells) counted as that many; a covered cell (under
        one merged across columns) is an empty one, so the cells after it keep their
        columns."""
        out: list[list[Block]] = []
        for cell in row.childNodes:
            name = getattr(cell, "qname", (None, None))
            if name in ((self.TABLE, "table-cell"), (self.TABLE, "covered-table-cell")):
                blocks = [] if name[1] == "covered-table-cell" else self.blocks(cell)
                out += [blocks] * _columns(cell.getAttrNS(self.TABLE, "number-columns-repeated"))
        return out

    def rows(self, table):
        for child in table.childNodes:
            qname = getattr(child, "qname", None)
            if qname == (self.TABLE, "table-row"):
                yield child
            elif qname in ((self.TABLE, "table-rows"), (self.TABLE, "table-header-rows"),
                           (self.TABLE, "table-row-group")):
                yield from self.rows(child)

    def list_blocks(self, lst, style: str | None, level: int) -> list[Block]:
        out: list[Block] = []
        key = object()
        kind = self.list_styles.get(style or "", {}).get(level + 1, "bullet")
        for item in lst.childNodes:
            if getattr(item, "qname", None) not in ((self.TEXT, "list-item"),
                                                     (self.TEXT, "list-header")):
                continue
            first = True
            for text, group in self.blocks(item, style, level + 1):
                if group == "list":  # a nested list, already marked
                    out.append((text, group))
                elif first:
                    first = False
                    if kind == "none":
                        marker = "  " * min(level, 8)
                    elif kind == "number":
                        marker = _marker(level, self.counters.next(key, level))
                    else:
                        marker = _marker(level, None)
                    out.append((marker + text, "list"))
                else:  # a further paragraph of the same item
                    out.append(("  " * min(level + 1, 8) + text, "list"))
        return out

    def inline_text(self, node) -> str:
        parts: list[str] = []

        def walk(el) -> None:
            for child in el.childNodes:
                if child.nodeType == child.TEXT_NODE:
                    parts.append(re.sub(r"[ \t\r\n]+", " ", child.data))
                    continue
                qname = getattr(child, "qname", None)
                if qname is None:
                    continue
                ns, name = qname
                if ns == self.TEXT:
                    if name == "s":
                        try:
                            n = int(child.getAttrNS(self.TEXT, "c") or 1)
                        except ValueError:
                            n = 1
                        parts.append(" " * max(1, min(n, 100)))
                    elif name == "tab":
                        parts.append("\t")
                    elif name == "line-break":
                        parts.append("\n")
                    elif name in ("note", "tracked-changes"):
                        continue
                    else:
                        walk(child)
                elif ns == self.OFFICE and name == "annotation":
                    continue
                elif ns == self.DRAW:  # frames, text boxes, images
                    continue
                else:
                    walk(child)

        walk(node)
        return "".join(parts)


# ---------------------------------------------------------------------------------- pdf

_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi",
                            "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st", "\u00ad": ""})
_PDF_BULLET_RE = re.compile(r"^\s*(?:[-*•·▪◦–—>]|\(?\d{1,3}[.)]|\(?[a-zA-Z][.)])\s")


@contextmanager
def _quiet_pypdf():
    """pypdf logs and warns about every quirk of a malformed PDF; the user needs none of it."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def _pdf_text(data: bytes, note: Notify) -> str:
    from pypdf import PdfReader  # lazy: pypdf is only needed for PDFs

    with _quiet_pypdf():
        try:
            reader = PdfReader(io.BytesIO(data))
            encrypted = reader.is_encrypted
        except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds for broken files
            raise ReadError(f"corrupt PDF ({_one_line(exc)})") from None
        if encrypted:
            try:
                opened = reader.decrypt("")
            except Exception:  # noqa: BLE001 - e.g. AES without the cryptography package
                opened = 0
            if not opened:
                raise ReadError("encrypted PDF (password protected): save or export an "
                                "unprotected copy and try again")
        try:
            pages = list(reader.pages)
        except Exception as exc:  # noqa: BLE001
            raise ReadError(f"corrupt PDF ({_one_line(exc)})") from None
        texts, blank, failed = [], [], []
        for number, page in enumerate(pages, 1):
            try:
                text = page.extract_text() or ""
            except Exception:  # noqa: BLE001 - skip the page, keep the rest
                failed.append(number)
                continue
            text = reflow_pdf_text(clean_text(text.translate(_LIGATURES)))
            if text.strip():
                texts.append(text.strip("\n"))
            else:
                blank.append(number)
    if not texts:
        if failed and not blank:
            raise ReadError("corrupt PDF (the text of its pages could not be read)")
        raise ReadError("no extractable text (scanned PDF?)")
    if failed:
        note(f"page(s) {_ranges(failed)} could not be read and were skipped")
    if blank:
        note(f"page(s) {_ranges(blank)} have no extractable text (scanned?)")
    return "\n\n".join(texts)


def _ranges(numbers: list[int]) -> str:
    out: list[str] = []
    for n in numbers:
        if out and out[-1].split("-")[-1] == str(n - 1):
            out[-1] = out[-1].split("-")[0] + f"-{n}"
        else:
            out.append(str(n))
    return ", ".join(out)


def reflow_pdf_text(text: str) -> str:
    """Re-join lines that the page layout wrapped inside a sentence.

    A line is joined to the next one (with a space, or nothing after a hyphen) when it is
    long (at least 60% of the longest line on the page), does not end a sentence or clause
    (``. ! ? : ;``), and the next line is neither blank nor a list item. Headings, short
    lines, list items and paragraph breaks are kept as they are.
    """
    lines = text.split("\n")
    longest = max((len(ln.rstrip()) for ln in lines), default=0)
    if longest < 30:
        return text
    out: list[str] = []
    for line in lines:
        if out:
            prev = out[-1].rstrip()
            if (prev and line.strip() and len(prev) >= 0.6 * longest
                    and not re.search(r"[.!?:;…][\"'”’)\]]*$", prev)
                    and not _PDF_BULLET_RE.match(line)):
                if re.search(r"\w-$", prev) and line.lstrip()[:1].islower():
                    out[-1] = prev + line.lstrip()
                else:
                    out[-1] = prev + " " + line.lstrip()
                continue
        out.append(line)
    return "\n".join(out)


# ------------------------------------------------------------------------------ reading


def extract_text(data: bytes, suffix: str = "", max_bytes: int = DEFAULT_MAX_BYTES,
                 note: Notify | None = None) -> str:
    """The analysable text of a file's bytes, whatever its format; raise :class:`ReadError`."""
    note = note or (lambda _msg: None)
    fmt = detect_format(data, suffix)
    if fmt == "text":
        try:
            text = decode_bytes(data, note)
        except UnicodeDecodeError as exc:
            if exc.encoding == "undecodable":
                raise ReadError(f"cannot decode the text ({exc.reason}); save it as UTF-8") \
                    from None
            raise ReadError(_not_text("binary content")) \
                from None
        text = clean_text(text)
        if suffix.lower() in DOCUMENT_SUFFIXES:
            note(f"the content is plain text, not a {suffix.lower()} file: read as text")
    elif fmt == "pdf":
        text = _pdf_text(data, note)
    else:
        label = f".{fmt}"
        _check_zip(data, label, max_bytes)
        try:
            text = _docx_text(data) if fmt == "docx" else _odt_text(data)
        except ReadError:
            raise
        except Exception as exc:  # noqa: BLE001 - the libraries raise many kinds when corrupt
            log.debug("reading a %s file failed", label, exc_info=True)
            raise ReadError(f"corrupt {label} file ({_describe(exc)})") from None
        text = clean_text(text)
    if len(text) > max_bytes:
        raise ReadError(f"extracted text is {len(text):,} characters, over the limit of "
                        f"{max_bytes:,} (raise it with --max-bytes)")
    return text


def read_bytes(data: bytes, name: str, max_bytes: int = DEFAULT_MAX_BYTES,
               notes: list[str] | None = None, suffix: str | None = None) -> Source:
    """One :class:`Source` (the whole input, not split into entries) from bytes."""
    if suffix is None:
        suffix = Path(name).suffix if not name.startswith("<") else ""

    def note(msg: str) -> None:
        if notes is not None:
            notes.append(f"{name}: {msg}")

    try:
        return Source(name, extract_text(data, suffix, max_bytes, note))
    except ReadError as exc:
        return Source(name, None, str(exc))
    except RecursionError:
        log.debug("reading %s failed", name, exc_info=True)
        return Source(name, None, "cannot read file: too deeply nested")
    except Exception as exc:  # noqa: BLE001 - a bad file must never stop the batch
        log.debug("reading %s failed", name, exc_info=True)
        return Source(name, None, f"cannot read file ({type(exc).__name__}: {_one_line(exc)})")


def read_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES,
              notes: list[str] | None = None) -> Source:
    """One :class:`Source` for a file (not split into entries; see :func:`split_source`)."""
    path = Path(path)
    name = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return Source(name, None, f"file is {size:,} bytes, over the limit of "
                                      f"{max_bytes:,} (raise it with --max-bytes)")
        with path.open("rb") as fh:  # read at most the limit, even if the file grows
            data = fh.read(max_bytes + 1)
        if len(data) > max_bytes:
            return Source(name, None, f"file is over the limit of {max_bytes:,} bytes "
                                      "(raise it with --max-bytes)")
    except FileNotFoundError:
        return Source(name, None, "file not found")
    except IsADirectoryError:
        return Source(name, None, "is a directory")
    except PermissionError:
        return Source(name, None, "permission denied")
    except OSError as exc:
        return Source(name, None, f"cannot read file: {exc.strerror or exc}")
    return read_bytes(data, name, max_bytes, notes, suffix=path.suffix)


def read_stdin(max_bytes: int = DEFAULT_MAX_BYTES, notes: list[str] | None = None) -> Source:
    stream = getattr(sys.stdin, "buffer", None)
    try:
        data = stream.read(max_bytes + 1) if stream is not None else \
            sys.stdin.read(max_bytes + 1).encode("utf-8")
    except OSError as exc:
        return Source("<stdin>", None, f"cannot read standard input: {exc.strerror or exc}")
    if len(data) > max_bytes:
        return Source("<stdin>", None, f"input over the limit of {max_bytes:,} bytes")
    return read_bytes(data, "<stdin>", max_bytes, notes, suffix="")


# ------------------------------------------------------------------------------ entries


TITLE_MAX_CHARS = 80
_SENTENCE_END_RE = re.compile(r"[.!?…][\"'”’»)\]]*$")


def _is_heading_underline(text: str, start: int) -> bool:
    """Whether the bare ``===`` line at ``start`` underlines a Markdown heading.

    Only a short line that does not end like a sentence reads as a title: in a ``.txt`` a
    sentence (or a separator) right above ``===`` means the user is starting a new entry.
    """
    if start == 0:
        return False
    above = text[text.rfind("\n", 0, start - 1) + 1:start - 1]  # no copy of all text before
    if not above.strip() or SEPARATOR_RE.fullmatch(above):
        return False
    above = above.strip()
    if len(above) >= TITLE_MAX_CHARS:
        return False
    # a title, or a heading that is a question ("What happened?") underlined to its length
    stop = text.find("\n", start)
    underline = text[start:stop if stop >= 0 else len(text)].strip()
    return not _SENTENCE_END_RE.search(above) or len(underline) >= len(above)


def split_into_entries(text: str, title_only: set[int] | None = None) -> list[str] | None:
    """The entries of a text with entry separators (see the module docstring), else None.
    The indices of entries that are only a separator's short title (under
    ``TITLE_MAX_CHARS``), with no text under it, are added to ``title_only``."""
    cuts: list[tuple[int, int, str]] = []  # (separator start, separator end, title)
    for m in SEPARATOR_RE.finditer(text):
        title = (m.group("title") or "").strip()
        if not title and _is_heading_underline(text, m.start()):
            continue
        cuts.append((m.start(), m.end(), title))
    if not cuts:
        return None
    entries: list[str] = []
    head = text[:cuts[0][0]]
    if head.strip():
        entries.append(head.strip("\n").rstrip())
    for i, (_start, end, title) in enumerate(cuts):
        stop = cuts[i + 1][0] if i + 1 < len(cuts) else len(text)
        body = text[end:stop]
        entry = (title + body).rstrip() if title else body.strip("\n").rstrip()
        if entry.strip():
            if title_only is not None and not body.strip() and len(title) < TITLE_MAX_CHARS:
                title_only.add(len(entries))
            entries.append(entry)
    return entries


ENTRY_SUFFIX_RE = re.compile(r"#\d+$")


def entry_file(path: str) -> str:
    """The file a source path names: ``notes.docx#2`` -> ``notes.docx`` (see
    :func:`split_source`); other paths unchanged. For checks such as "do not overwrite an
    input", use both this and the path itself (a file may really be called ``a#2``)."""
    return ENTRY_SUFFIX_RE.sub("", path)


def split_source(src: Source, notes: list[str] | None = None) -> list[Source]:
    """The entries of a source (``path#1``, ``path#2``, ...), or the source itself. An entry
    that is only a short title (``=== Week 4`` and nothing under it, a template's unfilled
    week) is skipped with a note, keeping its number: its title alone would be scored as a
    document. (A long "title" is an entry written on the separator line: analysed.)"""
    if src.text is None:
        return [src]
    title_only: set[int] = set()
    entries = split_into_entries(src.text, title_only)
    if entries is None:
        return [src]
    if not entries:
        return [Source(src.path, "")]
    if len(title_only) == len(entries):  # nothing but titles: the file fails, as an empty one
        return [Source(src.path, None, "only entry titles, no text under them")]
    out = []
    for i, text in enumerate(entries, 1):
        if i - 1 in title_only:
            if notes is not None:
                notes.append(f"{src.path}#{i}: skipped (only a title, {text!r}, no text "
                             "under it)")
        else:
            out.append(Source(f"{src.path}#{i}", text))
    return out


# ------------------------------------------------------------------------------ folders


def _natural_key(name: str) -> tuple:
    """Numbers by value and the name before its extension first: ``entry.txt``,
    ``entry2.txt``, ``entry10.txt`` (only a supported extension: ``Week 1.9`` before
    ``Week 1.10``)."""
    stem, ext = os.path.splitext(name)
    if ext.lower() not in SUPPORTED_SUFFIXES:
        stem, ext = name, ""
    parts = re.split(r"(\d+)", stem)
    return ([int(p) if i % 2 else p.casefold() for i, p in enumerate(parts)], ext.casefold(),
            name)


def iter_folder(folder: Path, notes: list[str]) -> Iterator[Path]:
    """Files under ``folder``, recursively, in natural order, skipping hidden and
    unsupported ones (each with a note). A folder that cannot be read is noted too
    (:func:`iter_sources` reports it as a failed input instead)."""
    for item in _walk_folder(folder, notes):
        if isinstance(item, Source):
            notes.append(f"{item.path}: skipped ({item.error})")
        else:
            yield item


def _walk_folder(folder: Path, notes: list[str]) -> Iterator[Path | Source]:
    """The files of :func:`iter_folder`, and an error :class:`Source` for each folder that
    cannot be read. A folder reached again through a symbolic link (a loop, or a second
    link to it) is skipped with a note, so the walk always ends."""
    seen: set[tuple[int, int]] = set()

    def walk(d: Path) -> Iterator[Path | Source]:
        try:
            st = d.stat()
            if (st.st_dev, st.st_ino) in seen:
                notes.append(f"{d}: skipped (folder already searched, via a symbolic link)")
                return
            seen.add((st.st_dev, st.st_ino))
            entries = sorted(os.scandir(d), key=lambda e: _natural_key(e.name))
        except PermissionError:
            yield Source(str(d), None, "cannot read folder: permission denied")
            return
        except OSError as exc:
            yield Source(str(d), None, f"cannot read folder: {exc.strerror or exc}")
            return
        for entry in entries:
            p = Path(entry.path)
            if entry.name.startswith("."):
                notes.append(f"{p}: skipped (hidden)")
                continue
            if entry.name.startswith("~$"):
                notes.append(f"{p}: skipped (Office lock file)")
                continue
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                yield from walk(p)
            elif p.suffix.lower() not in SUPPORTED_SUFFIXES:
                notes.append(f"{p}: skipped (unsupported file type {p.suffix or 'none'})")
            elif (special := _special_file(entry)) is not None:
                # a named pipe would block the batch forever, waiting for a writer
                notes.append(f"{p}: skipped (not a regular file: {special})")
            else:
                yield p

    yield from walk(folder)


def _special_file(entry: os.DirEntry) -> str | None:
    """What a folder entry is if it is neither a regular file nor a folder (a named pipe, a
    socket, a device), following links; None for a file, or for a link that leads nowhere
    (read, it fails with "file not found")."""
    try:
        mode = entry.stat().st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "named pipe"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "device"


def resolved(path: str | Path) -> Path:
    """``Path.resolve`` that never raises: before Python 3.13 a symlink loop raises
    RuntimeError, and one bad input must not stop the batch."""
    path = Path(path).expanduser()
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return Path(os.path.abspath(path))


def iter_sources(paths: list[str], notes: list[str], max_bytes: int = DEFAULT_MAX_BYTES,
                 split_entries: bool = True,
                 skip: Callable[[Path], str | None] | None = None) -> Iterator[Source]:
    """Every input as :class:`Source` objects, in order: files, folders, ``-`` (stdin).

    With ``split_entries`` (the default) a file with entry separators yields one source per
    entry (``path#N``). A folder that cannot be read is a source with an error; skipped
    files (hidden, unsupported, symlink loops) and per-file remarks are appended to ``notes``.
    Each file is read once, where it is first reached: overlapping arguments (a folder and a
    file in it, a link to a file) would otherwise be analysed and counted twice; a repeat is
    noted (a folder adding nothing new, once for the folder). ``skip(path)``, for files
    found in a folder, may give a reason to leave one out (the CLI's own earlier report).
    """
    def expand(src: Source) -> list[Source]:
        return split_source(src, notes) if split_entries else [src]

    seen: set[Path] = set()
    for raw in paths:
        if raw == "-":
            yield from expand(read_stdin(max_bytes, notes))
            continue
        if not raw:
            yield Source(raw, None, "empty path")
            continue
        p = Path(raw)
        if not p.is_dir():
            if resolved(p) in seen:
                notes.append(f"{p}: skipped (already included)")
                continue
            seen.add(resolved(p))
            yield from expand(read_file(p, max_bytes, notes))
            continue
        repeats: list[str] = []
        fresh = False
        for f in _walk_folder(p, notes):
            if isinstance(f, Source):  # a folder that cannot be read: a failed input
                yield f
                continue
            reason = skip(f) if skip else None
            if reason:
                notes.append(f"{f}: skipped ({reason})")
            elif resolved(f) in seen:
                repeats.append(f"{f}: skipped (already included)")
            else:
                seen.add(resolved(f))
                fresh = True
                src = read_file(f, max_bytes, notes)
                binary = _NOT_TEXT_RE.match(src.error or "") if not f.suffix else None
                if binary:  # a file without an extension is taken for text; a binary one
                    # (a thumbnail, a program) is a file of another type, not a failed entry
                    notes.append(f"{f}: skipped (no extension, and not text: {binary[1]})")
                    continue
                yield from expand(src)
        notes.extend([f"{p}: skipped (already included)"] if repeats and not fresh else repeats)
