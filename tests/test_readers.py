"""Reading user files: encodings, newlines, folders. (Bad files, size limits and read
errors are in test_bad_input.py.)"""

from __future__ import annotations

import codecs

import pytest

from reflectassist.readers import decode_bytes, iter_folder, read_file

TEXT = "Café staff felt “rushed” – next time I’ll plan."


PLAIN = "Plain ascii text without bom"


@pytest.mark.parametrize("text,data", [
    (TEXT, TEXT.encode("utf-8")),
    (TEXT, codecs.BOM_UTF8 + TEXT.encode("utf-8")),
    (TEXT, TEXT.encode("utf-16")),  # with BOM
    (PLAIN, PLAIN.encode("utf-16-le")),
    (PLAIN, PLAIN.encode("utf-16-be")),
    (TEXT, TEXT.encode("utf-32")),
    (TEXT, TEXT.encode("cp1252")),
], ids=["utf8", "utf8-bom", "utf16-bom", "utf16le", "utf16be", "utf32", "cp1252"])
def test_encodings_are_detected(tmp_path, text, data):
    p = tmp_path / "f.txt"
    p.write_bytes(data)
    assert read_file(p).text == text


def test_crlf_and_control_characters_are_normalised():
    assert decode_bytes(b"a\r\nb\rc") == "a\r\nb\rc"
    from reflectassist.readers import clean_text

    assert clean_text("a\r\nb\x00c\x07d\te") == "a\nbcd\te"


def test_folder_is_recursive_sorted_and_skips_hidden_and_unsupported(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text("two", encoding="utf-8")
    (tmp_path / "a.md").write_text("one", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("x", encoding="utf-8")
    (tmp_path / "pic.png").write_bytes(b"\x89PNG")
    notes: list[str] = []
    files = [p.relative_to(tmp_path).as_posix() for p in iter_folder(tmp_path, notes)]
    assert files == ["a.md", "b/2.txt"]
    assert any("pic.png" in n and "unsupported" in n for n in notes)


def test_bom_and_crlf_are_removed_so_offsets_index_the_text(tmp_path):
    p = tmp_path / "win.txt"
    p.write_bytes(codecs.BOM_UTF8 + b"Line one.\r\nLine two.\r\n")
    assert read_file(p).text == "Line one.\nLine two.\n"


def test_folder_order_is_natural_and_hidden_files_are_noted(tmp_path):
    for name in ("week10.txt", "week2.txt", "Week1.md"):
        (tmp_path / name).write_text(name, encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text("x", encoding="utf-8")
    notes: list[str] = []
    files = [p.name for p in iter_folder(tmp_path, notes)]
    assert files == ["Week1.md", "week2.txt", "week10.txt"]
    assert notes == [f"{tmp_path / '.git'}: skipped (hidden)"]
