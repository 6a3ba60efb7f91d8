"""Reading user files: encodings, binary files, size limits, folders, stdin."""

from __future__ import annotations

import codecs

from reflectassist.readers import decode_bytes, iter_folder, iter_sources, read_file

TEXT = "Café staff felt “rushed” – next time I’ll plan."


def test_utf8_with_and_without_bom(tmp_path):
    for i, data in enumerate((TEXT.encode("utf-8"), codecs.BOM_UTF8 + TEXT.encode("utf-8"))):
        p = tmp_path / f"f{i}.txt"
        p.write_bytes(data)
        assert read_file(p).text == TEXT


def test_utf16_and_cp1252(tmp_path):
    p = tmp_path / "u16.txt"
    p.write_bytes(TEXT.encode("utf-16"))
    assert read_file(p).text == TEXT
    p = tmp_path / "u16le.txt"
    p.write_bytes("Plain ascii text without bom".encode("utf-16-le"))
    assert read_file(p).text == "Plain ascii text without bom"
    p = tmp_path / "win.txt"
    p.write_bytes(TEXT.encode("cp1252"))
    assert read_file(p).text == TEXT


def test_binary_and_oversized_files_give_errors(tmp_path):
    p = tmp_path / "img.txt"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    assert read_file(p).error.startswith("not a text file")
    p = tmp_path / "big.txt"
    p.write_text("a" * 2000, encoding="utf-8")
    src = read_file(p, max_bytes=1000)
    assert src.text is None and "over the limit" in src.error


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


def test_missing_path_becomes_an_error_source(tmp_path):
    notes: list[str] = []
    (src,) = list(iter_sources([str(tmp_path / "nope.txt")], notes))
    assert src.error == "file not found"
