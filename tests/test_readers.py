"""Reading user files: encodings, newlines, folders, entry separators, plain text saved
under a document name. (Bad files, size limits and read errors are in test_bad_input.py.)"""

from __future__ import annotations

import codecs
import io
import os
import random

import pytest

from reflectassist.readers import (
    decode_bytes,
    iter_folder,
    iter_sources,
    read_file,
    split_into_entries,
)

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


# ------------------------------------------------------------------- entry separators

SENTENCE = "I felt anxious on my first night shift because I was alone with twelve patients."
ACTION = "I will ask my mentor to review my drug round technique by Friday."


def test_bare_separator_under_a_sentence_splits_the_entries():
    assert split_into_entries(f"{SENTENCE}\n===\n{ACTION}\n") == [SENTENCE, ACTION]


def test_bare_separators_around_entries_are_not_left_in_the_text():
    assert split_into_entries(f"===\n{SENTENCE}\n===\n{ACTION}\n") == [SENTENCE, ACTION]


def test_separators_in_a_row_are_separators_and_make_no_empty_entries():
    text = "===\n===  \n=== Entry one\nI felt worried when the handover was rushed.\n===\n"
    assert split_into_entries(text) == ["Entry one\nI felt worried when the handover was rushed."]
    assert split_into_entries("Title\n===\n=====\nBody.") == ["Title\n===", "Body."]


@pytest.mark.parametrize("above", [
    "I felt rushed.",  # short, but ends a sentence
    "Did I ask for help?",
    "It went well!",
    "and then…",
    'She said "well done."',  # closing quote after the full stop
    "(I was late.)",
    "x" * 80,  # no punctuation, but too long for a title
], ids=["full-stop", "question", "exclamation", "ellipsis", "quote", "bracket", "80-chars"])
def test_bare_separator_under_a_sentence_like_line_is_a_separator(above):
    assert split_into_entries(f"{above}\n===\nNext entry.") == [above, "Next entry."]


@pytest.mark.parametrize("text", [
    "Supervision record\n==================\n\nI felt supported.",
    "My reflection\n===\nText.",
    "Week 3: handover\n=====\nText.",
    "x" * 79 + "\n===\nText.",
], ids=["supervision-record", "bare-3", "colon", "79-chars"])
def test_markdown_heading_underline_is_kept_in_the_text(text):
    assert split_into_entries(text) is None


def test_questions_underlined_as_markdown_headings_stay_in_the_text():
    """Gibbs headings are questions: ``What happened?`` underlined to its full length is a
    heading, not a separator (a shorter ``===`` under a sentence still is one)."""
    text = ("What happened?\n==============\n\nI arrived late to handover.\n\n"
            "What will I do next time?\n=========================\n\nArrive early.")
    assert split_into_entries(text) is None
    assert split_into_entries("What happened?\n===\nI arrived late.") == [
        "What happened?", "I arrived late."]


def test_markdown_underline_in_a_md_file_stays_one_source(tmp_path):
    p = tmp_path / "supervision.md"
    text = "Supervision record\n==================\n\nI felt supported by my mentor.\n"
    p.write_text(text, encoding="utf-8")
    assert [(s.path, s.text) for s in iter_sources([str(p)], [])] == [(str(p), text)]


def test_txt_file_with_bare_separator_under_a_sentence_is_two_entries(tmp_path):
    p = tmp_path / "shift.txt"
    p.write_text(f"{SENTENCE}\n===\n{ACTION}\n", encoding="utf-8")
    assert [(s.path, s.text) for s in iter_sources([str(p)], [])] == [
        (f"{p}#1", SENTENCE), (f"{p}#2", ACTION)]


# ---------------------------------------------- text files named .docx, .odt or .pdf


@pytest.mark.parametrize("name", ["notes.docx", "notes.odt", "notes.pdf"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_plain_text_named_as_a_document_is_read_as_text(tmp_path, name, encoding):
    p = tmp_path / name
    p.write_bytes(f"{TEXT}\r\nNext time I will ask.\r\n".encode(encoding))
    notes: list[str] = []
    src = read_file(p, notes=notes)
    assert src.error is None
    assert src.text == f"{TEXT}\nNext time I will ask.\n"
    assert notes == [f"{p}: the content is plain text, not a {p.suffix} file: read as text"]


@pytest.mark.parametrize("name", ["download.pdf", "flat.docx", "notes.odt"])
@pytest.mark.parametrize("content", [b"<!DOCTYPE html><html><body>Sign in</body></html>",
                                     b'  <?xml version="1.0"?><w:document/>'])
def test_markup_named_as_a_document_still_fails(tmp_path, name, content):
    """A web page saved under a document's name is not the user's writing."""
    p = tmp_path / name
    p.write_bytes(content)
    what = "a PDF" if p.suffix == ".pdf" else "a zip archive"
    assert read_file(p).error == f"not a valid {p.suffix} file (the content is not {what})"


@pytest.mark.parametrize("name,expected", [
    ("noise.docx", "not a valid .docx file (the content is not a zip archive)"),
    ("noise.odt", "not a valid .odt file (the content is not a zip archive)"),
    ("noise.pdf", "not a valid .pdf file (the content is not a PDF)"),
])
def test_binary_named_as_a_document_still_fails(tmp_path, name, expected):
    p = tmp_path / name
    p.write_bytes(random.Random(8).randbytes(4000))
    assert read_file(p).error == expected
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + b"IHDR" * 20)  # a known binary, mostly ASCII
    assert read_file(p).error == expected


def test_truncated_docx_still_fails_as_corrupt(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("I felt rushed during handover.")
    buf = io.BytesIO()
    document.save(buf)
    p = tmp_path / "cut.docx"
    p.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    src = read_file(p)
    assert src.text is None
    assert src.error.startswith("corrupt .docx file (not a readable zip archive:")


# ------------------------------------------------- inputs a first user tried (session 9)

def test_vertical_tab_and_form_feed_keep_the_lines_apart(tmp_path):
    """Word's copied line breaks (\\v) and page breaks (\\f) were deleted, gluing two
    sentences ("...ends here.Page two...") into one."""
    p = tmp_path / "ff.txt"
    p.write_bytes(b"Page one ends here.\fPage two: I will ask.\x0bNext line.\n")
    assert read_file(p).text == "Page one ends here.\n\nPage two: I will ask.\nNext line.\n"


def test_utf8_file_with_a_stray_windows_1252_byte_is_read_as_utf8(tmp_path):
    p = tmp_path / "m.txt"
    p.write_bytes("café and naïve hopes. Price ".encode() + b"\xa35.\n")
    notes: list[str] = []
    assert read_file(p, notes=notes).text == "café and naïve hopes. Price £5.\n"
    assert notes == [f"{p}: 1 byte not valid UTF-8 (the first at offset 30) read as "
                     "Windows-1252; save the file as UTF-8"]
    # a whole file in Windows-1252 is still read as Windows-1252
    p.write_bytes(TEXT.encode("cp1252"))
    assert read_file(p).text == TEXT


def test_undecodable_byte_named_is_the_bad_one_not_part_of_a_good_character(tmp_path):
    p = tmp_path / "bad.txt"
    p.write_bytes("He said ”fine” then ".encode() + b"\x81 left.")
    src = read_file(p)
    at = len("He said ”fine” then ".encode())
    assert src.text is None
    assert f"byte 0x81 at offset {at}" in src.error
    # of two such bytes the first is named (it was whichever a set gave first)
    p.write_bytes("Ünïcödé text ".encode() * 3 + b"x \x9d y \x81 z")
    assert "byte 0x9d at offset 53" in read_file(p).error
    # a binary file is said to be one, whatever UTF-8 it happens to hold
    p.write_bytes("é".encode() * 10 + bytes(range(1, 32)) * 20 + b"\x81")
    assert read_file(p).error.startswith("not a text file (binary content)")


@pytest.mark.parametrize("text", ["I discussed JOSÉ’s care plan in the café.",
                                  "Die Patientin sagte „Fuß“ und ging."])
def test_windows_1252_pairs_that_look_like_utf8_stay_windows_1252(tmp_path, text):
    """"É’" and "ß“" in Windows-1252 are valid UTF-8 pairs of other scripts: they must not
    make the file read as UTF-8 with a stray byte."""
    p = tmp_path / "w.txt"
    p.write_bytes(text.encode("cp1252"))
    notes: list[str] = []
    assert read_file(p, notes=notes).text == text and notes == []


def test_title_only_entries_are_skipped_not_scored(tmp_path):
    """A template's unfilled weeks were scored as one-line documents; an entry written on
    the separator line itself (a long "title") is still analysed."""
    p = tmp_path / "template.txt"
    p.write_text(f"=== Week 3\n{SENTENCE}\n=== Week 4\n\n=== Week 5\n=== {SENTENCE}\n",
                 encoding="utf-8")
    notes: list[str] = []
    got = [(s.path[len(str(p)):], s.text, s.error) for s in iter_sources([str(p)], notes)]
    assert got == [("#1", f"Week 3\n{SENTENCE}", None), ("#4", SENTENCE, None)]
    assert notes == [f"{p}#2: skipped (only a title, 'Week 4', no text under it)",
                     f"{p}#3: skipped (only a title, 'Week 5', no text under it)"]
    p.write_text("=== Week 1\n\n=== Week 2\n", encoding="utf-8")  # an unfilled template
    assert [(s.path, s.error) for s in iter_sources([str(p)], [])] == [
        (str(p), "only entry titles, no text under them")]


@pytest.mark.parametrize("suffix,content_type", [
    (".docm", "application/vnd.ms-word.document.macroEnabled.main+xml"),
    (".dotx", "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"),
])
def test_macro_enabled_and_template_word_files_are_read(tmp_path, suffix, content_type):
    import zipfile

    import docx

    d = docx.Document()
    d.add_paragraph(SENTENCE)
    d.add_paragraph(ACTION, style="List Bullet")
    d.save(tmp_path / "a.docx")
    main = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    with zipfile.ZipFile(tmp_path / "a.docx") as zin, \
            zipfile.ZipFile(tmp_path / f"a{suffix}", "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "[Content_Types].xml":
                assert main in data
                data = data.replace(main, content_type.encode())
            zout.writestr(info, data)
    notes: list[str] = []
    assert sorted(p.name for p in iter_folder(tmp_path, notes)) == sorted(["a.docx",
                                                                           f"a{suffix}"])
    assert read_file(tmp_path / f"a{suffix}").text == read_file(tmp_path / "a.docx").text
    assert read_file(tmp_path / "a.docx").text == f"{SENTENCE}\n\n- {ACTION}"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")
def test_named_pipe_in_a_folder_is_skipped_not_opened(tmp_path):
    """Opening a named pipe blocks until something writes to it: the batch hung."""
    (tmp_path / "a.txt").write_text(SENTENCE, encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.txt")
    notes: list[str] = []
    assert [p.name for p in iter_folder(tmp_path, notes)] == ["a.txt"]
    assert notes == [f"{tmp_path / 'pipe.txt'}: skipped (not a regular file: named pipe)"]


def test_a_name_comes_before_its_numbered_versions(tmp_path):
    for name in ("entry10.txt", "entry.txt", "entry2.txt", "corrupt2.pdf", "corrupt.pdf"):
        (tmp_path / name).write_text(name, encoding="utf-8")
    for name in ("Week 1.10", "Week 1.9"):  # folders: the dot is no extension
        (tmp_path / name).mkdir()
        (tmp_path / name / "a.txt").write_text(name, encoding="utf-8")
    assert [p.relative_to(tmp_path).as_posix() for p in iter_folder(tmp_path, [])] == [
        "corrupt.pdf", "corrupt2.pdf", "entry.txt", "entry2.txt", "entry10.txt",
        "Week 1.9/a.txt", "Week 1.10/a.txt"]


_BOX_NS = ('xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
           'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
           'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
           'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
           'xmlns:v="urn:schemas-microsoft-com:vml"')


def _box(text: str) -> str:
    return f"<w:txbxContent><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent>"


def test_docx_text_boxes_are_read_once_after_their_paragraph_and_hidden_text_is_not(tmp_path):
    """Word writes a text box twice (drawing, and VML for old readers): read once, in place.
    Hidden text (w:vanish) is neither shown nor printed by Word: not read."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    d = docx.Document()
    d.add_paragraph(SENTENCE)
    p = d.add_paragraph("Anchor paragraph.")
    p._p.append(parse_xml(
        f'<w:r {nsdecls("w")} {_BOX_NS}><mc:AlternateContent><mc:Choice Requires="wps">'
        f'<w:drawing><wp:inline><a:graphic><a:graphicData><wps:wsp><wps:txbx>'
        f'{_box("I learned to ask for help.")}</wps:txbx></wps:wsp></a:graphicData></a:graphic>'
        f'</wp:inline></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox>'
        f'{_box("I learned to ask for help.")}</v:textbox></v:shape></w:pict></mc:Fallback>'
        f'</mc:AlternateContent></w:r>'))
    p = d.add_paragraph()  # an old document's VML-only box, in an otherwise empty paragraph
    p._p.append(parse_xml(f'<w:r {nsdecls("w")} {_BOX_NS}><w:pict><v:shape><v:textbox>'
                          f'{_box("Old box.")}</v:textbox></v:shape></w:pict></w:r>'))
    p = d.add_paragraph()
    p._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:rPr><w:vanish/></w:rPr>'
                          '<w:t>HIDDEN </w:t></w:r>'))
    p._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:rPr><w:vanish w:val="0"/></w:rPr>'
                          '<w:t>Shown. </w:t></w:r>'))
    p.add_run(ACTION)
    p = d.add_paragraph()  # a box in a hidden run is hidden too
    p._p.append(parse_xml(f'<w:r {nsdecls("w")} {_BOX_NS}><w:rPr><w:vanish/></w:rPr><w:pict>'
                          f'<v:shape><v:textbox>{_box("HIDDEN BOX")}</v:textbox></v:shape>'
                          '</w:pict></w:r>'))
    d.save(tmp_path / "box.docx")
    assert read_file(tmp_path / "box.docx").text == (
        f"{SENTENCE}\n\nAnchor paragraph.\n\nI learned to ask for help.\n\nOld box.\n\n"
        f"Shown. {ACTION}")


def test_odt_text_boxes_are_read_after_their_paragraph(tmp_path):
    from odf.draw import Frame, TextBox
    from odf.opendocument import OpenDocumentText
    from odf.text import P

    doc = OpenDocumentText()
    p = P(text="Text with a frame:")
    frame, box = Frame(width="5cm", height="2cm", anchortype="paragraph"), TextBox()
    box.addElement(P(text="I learned to escalate."))
    frame.addElement(box)
    p.addElement(frame)
    p.addText(" after the frame.")
    doc.text.addElement(p)
    frame, box = Frame(width="5cm", height="2cm", anchortype="page"), TextBox()
    box.addElement(P(text="A page-anchored box."))
    frame.addElement(box)
    doc.text.addElement(frame)
    doc.text.addElement(P(text=ACTION))
    doc.save(str(tmp_path / "box.odt"))
    assert read_file(tmp_path / "box.odt").text == (
        "Text with a frame: after the frame.\n\nI learned to escalate.\n\n"
        f"A page-anchored box.\n\n{ACTION}")


def test_binary_file_without_extension_in_a_folder_is_skipped_not_failed(tmp_path):
    """A file without an extension is taken for text; in a folder a binary one (a thumbnail,
    a program) made the whole run exit 1 as a failed input. Named on its own, it still
    fails: the user asked for it."""
    (tmp_path / "a.txt").write_text(SENTENCE, encoding="utf-8")
    (tmp_path / "LICENSE").write_text(ACTION, encoding="utf-8")
    (tmp_path / "Thumbnail").write_bytes(bytes(range(256)) * 8)
    notes: list[str] = []
    got = [(s.path[len(str(tmp_path)) + 1:], s.error) for s in iter_sources([str(tmp_path)],
                                                                           notes)]
    assert got == [("a.txt", None), ("LICENSE", None)]
    assert notes == [f"{tmp_path / 'Thumbnail'}: skipped (no extension, and not text: binary "
                     "content)"]
    (alone,) = iter_sources([str(tmp_path / "Thumbnail")], [])
    assert alone.error.startswith("not a text file (binary content)")
