"""Read user files defensively: size limit, binary detection, encodings, folders, stdin.

Nothing here raises for a bad file: each input becomes a :class:`Source` with either text
or an error message, so one bad file never stops a batch.
"""

from __future__ import annotations

import codecs
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from .analysis import Source

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text", ""}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES


def decode_bytes(data: bytes) -> str:
    """Decode UTF-8 (with/without BOM), UTF-16 (BOM) or Windows-1252; raise on binary."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    if b"\x00" in data[:4096]:
        # UTF-16 without a BOM shows as every other byte being zero in ASCII text
        sample = data[:4096]
        if sample[1::2].count(0) > len(sample) * 0.4:
            return data.decode("utf-16-le")
        if sample[0::2].count(0) > len(sample) * 0.4:
            return data.decode("utf-16-be")
        raise UnicodeDecodeError("binary", data, 0, 1, "binary file (NUL bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def clean_text(text: str) -> str:
    """Normalise newlines and drop control characters other than tab and newline."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in text if ch in "\n\t" or ch >= " " and ch != "\x7f")


def read_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Source:
    name = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return Source(name, None, f"file is {size:,} bytes, over the limit of "
                                      f"{max_bytes:,} (raise it with --max-bytes)")
        data = path.read_bytes()
    except FileNotFoundError:
        return Source(name, None, "file not found")
    except IsADirectoryError:
        return Source(name, None, "is a directory")
    except PermissionError:
        return Source(name, None, "permission denied")
    except OSError as exc:
        return Source(name, None, f"cannot read file: {exc.strerror or exc}")
    try:
        text = decode_bytes(data)
    except UnicodeDecodeError:
        return Source(name, None, "not a text file (binary content); supported: .txt, .md")
    return Source(name, clean_text(text))


def iter_folder(folder: Path, notes: list[str]) -> Iterator[Path]:
    """Files under ``folder``, recursively, sorted, skipping hidden and unsupported ones."""
    seen: set[tuple[int, int]] = set()

    def walk(d: Path) -> Iterator[Path]:
        try:
            st = d.stat()
            if (st.st_dev, st.st_ino) in seen:
                notes.append(f"{d}: skipped (symlink loop)")
                return
            seen.add((st.st_dev, st.st_ino))
            entries = sorted(os.scandir(d), key=lambda e: e.name)
        except PermissionError:
            notes.append(f"{d}: skipped (permission denied)")
            return
        except OSError as exc:
            notes.append(f"{d}: skipped ({exc.strerror or exc})")
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            p = Path(entry.path)
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                yield from walk(p)
            elif p.suffix.lower() in SUPPORTED_SUFFIXES:
                yield p
            else:
                notes.append(f"{p}: skipped (unsupported file type {p.suffix or 'none'})")

    yield from walk(folder)


def iter_sources(paths: list[str], notes: list[str],
                 max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Source]:
    for raw in paths:
        if raw == "-":
            data = sys.stdin.buffer.read(max_bytes + 1)
            if len(data) > max_bytes:
                yield Source("<stdin>", None, f"input over the limit of {max_bytes:,} bytes")
                continue
            try:
                yield Source("<stdin>", clean_text(decode_bytes(data)))
            except UnicodeDecodeError:
                yield Source("<stdin>", None, "not text (binary content)")
            continue
        p = Path(raw)
        if p.is_dir():
            yield from (read_file(f, max_bytes) for f in iter_folder(p, notes))
        else:
            yield read_file(p, max_bytes)
