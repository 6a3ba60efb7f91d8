"""Document formats (.docx, .odt, .pdf), content sniffing, multi-entry files, folders, stdin.

Every fixture is made here: .docx with python-docx, .odt with odfpy, PDFs written by hand.
"""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile

import pytest

from reflectassist.readers import (
    DEFAULT_MAX_BYTES,
    detect_format,
    extract_text,
    iter_sources,
    read_bytes,
    read_file,
    reflow_pdf_text,
    split_into_entries,
)

# ----------------------------------------------------------------------------- fixtures


def make_pdf(pages: list[list[str] | None]) -> bytes:
    """A minimal valid PDF: one page per item, each line of text shown with Helvetica;
    ``None`` makes a page with a drawing and no text (as a scan has no text layer)."""
    objs: list[bytes] = [b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", b""]
    pages_id = 2
    kids = []
    for lines in pages:
        if lines:
            ops = [b"BT /F1 11 Tf 14 TL 72 720 Td"]
            for line in lines:
                esc = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
                ops.append(b"(" + esc.encode("cp1252") + b") Tj T*")
            ops.append(b"ET")
            stream = b"\n".join(ops)
        else:
            stream = b"0 0 m 300 300 l S"
        objs.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        objs.append(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Resources "
                    b"<< /Font << /F1 1 0 R >> >> /Contents %d 0 R >>" % (pages_id, len(objs)))
        kids.append(len(objs))
    objs[pages_id - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    objs.append(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objs) + 1, len(objs), xref)
    return bytes(out)


PDF_LINES = [
    "During the handover on the ward I felt rushed because the nurse in charge was",
    "called away. I did not ask about the falls risk of the patient in bay three and",
    "Mrs Smith fell later that evening.",
    "Next time:",
    "- I will ask for the falls assessment.",
]


def make_docx(build=None) -> bytes:
    import docx

    d = docx.Document()
    if build is None:
        d.add_heading("Reflection on a handover", 1)
        d.add_paragraph("I felt rushed during the handover.")
        d.add_paragraph("Ask for the falls assessment", style="List Bullet")
        d.add_paragraph("Write it in the notes", style="List Bullet")
        d.add_paragraph("Book MCA training", style="List Number")
        d.add_paragraph("Review at supervision", style="List Number")
        p = d.add_paragraph("First line")
        p.add_run().add_break()
        p.add_run("second line")
        table = d.add_table(rows=2, cols=3)
        for i, row in enumerate((("Target", "By when", "Who"),
                                 ("Complete MCA training", "28 February", "JB"))):
            for j, text in enumerate(row):
                table.cell(i, j).text = text
        d.add_paragraph("After the table.")
    else:
        build(d)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def make_odt(build=None) -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import (
        H,
        LineBreak,
        List,
        ListItem,
        ListLevelStyleBullet,
        ListLevelStyleNumber,
        ListStyle,
        Note,
        NoteBody,
        NoteCitation,
        P,
    )

    doc = OpenDocumentText()
    if build is not None:
        build(doc, P)
    else:
        style = ListStyle(name="Numbered")
        style.addElement(ListLevelStyleNumber(level=1, numformat="1", numsuffix="."))
        style.addElement(ListLevelStyleBullet(level=2, bulletchar="•"))
        doc.automaticstyles.addElement(style)
        doc.text.addElement(H(outlinelevel=1, text="Reflection"))
        p = P(text="I felt rushed during handover.")
        note = Note(noteclass="footnote")
        note.addElement(NoteCitation(text="1"))
        body = NoteBody()
        body.addElement(P(text="FOOTNOTE TEXT"))
        note.addElement(body)
        p.addElement(note)
        p.addElement(LineBreak())
        p.addText("Then I asked.")
        doc.text.addElement(p)
        lst = List(stylename="Numbered")
        for text in ("Ask for help", "Write it down"):
            item = ListItem()
            item.addElement(P(text=text))
            lst.addElement(item)
        inner = List()
        inner_item = ListItem()
        inner_item.addElement(P(text="before the end of the shift"))
        inner.addElement(inner_item)
        item.addElement(inner)
        doc.text.addElement(lst)
        table = Table()
        table.addElement(TableColumn(numbercolumnsrepeated=2))
        for row in (("Target", "By when"), ("Book MCA training", "28 February")):
            tr = TableRow()
            for text in row:
                cell = TableCell()
                cell.addElement(P(text=text))
                tr.addElement(cell)
            table.addElement(tr)
        doc.text.addElement(table)
        doc.text.addElement(P(text="After the table."))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def zip_bytes(members: dict[str, bytes | str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


# --------------------------------------------------------------------------------- docx


def test_docx_paragraphs_lists_and_tables_in_reading_order(tmp_path):
    p = tmp_path / "entry.docx"
    p.write_bytes(make_docx())
    src = read_file(p)
    assert src.error is None
    assert src.text == (
        "Reflection on a handover\n\n"
        "I felt rushed during the handover.\n\n"
        "- Ask for the falls assessment\n"
        "- Write it in the notes\n"
        "1. Book MCA training\n"
        "2. Review at supervision\n\n"
        "First line\nsecond line\n\n"
        "Target | By when | Who\n"
        "Complete MCA training | 28 February | JB\n\n"
        "After the table.")


ACTION_TABLE = (("Area", "Discussion", "Agreed action", "By when"),
                ("Training", "", "JB to book the MCA refresher", "April"),
                ("", "Nights are tiring", "Discuss the rota with the manager", "next sup"),
                ("Falls", "Two falls on nights", "", ""),
                ("", "", "", ""))
ACTION_TABLE_TEXT = (
    "Area | Discussion | Agreed action | By when\n"
    "| Training |  | JB to book the MCA refresher | April |\n"
    "|  | Nights are tiring | Discuss the rota with the manager | next sup |\n"
    "Falls | Two falls on nights")


def test_docx_table_empty_cells_keep_the_columns_in_place(tmp_path):
    def build(d):
        table = d.add_table(rows=len(ACTION_TABLE), cols=4)
        for i, row in enumerate(ACTION_TABLE):
            for j, text in enumerate(row):
                table.cell(i, j).text = text

    p = tmp_path / "sup.docx"
    p.write_bytes(make_docx(build))
    assert read_file(p).text == ACTION_TABLE_TEXT


def test_odt_table_empty_and_repeated_cells_keep_the_columns_in_place(tmp_path):
    from odf.table import CoveredTableCell, Table, TableCell, TableRow

    def build(doc, P):
        table = Table()
        for row in ACTION_TABLE:
            tr = TableRow()
            for j, text in enumerate(row):
                if row[0] == "" and row[1] == "" and j == 1:
                    continue  # the blank row is one cell repeated four times
                cell = TableCell()
                if row[0] == "" and row[1] == "" and j == 0:
                    cell = TableCell(numbercolumnsrepeated=4)
                if text:
                    cell.addElement(P(text=text))
                tr.addElement(cell)
                if row[0] == "" and row[1] == "":
                    break
            table.addElement(tr)
        doc.text.addElement(table)
        # an empty cell repeated twice, then two filled ones; a filled cell merged across
        # two columns (the second covered), then two more; a lone filled cell
        for cells in ([(None, 2), ("Read the policy", 1), ("May", 1)],
                      [("Safeguarding", 1), ("covered", 1), ("Book level 3", 1), ("June", 1)],
                      [(None, 2), ("Just this", 1)]):
            tr = TableRow()
            for text, repeat in cells:
                if text == "covered":
                    tr.addElement(CoveredTableCell())
                    continue
                cell = TableCell(numbercolumnsrepeated=repeat) if repeat > 1 else TableCell()
                if text:
                    cell.addElement(P(text=text))
                tr.addElement(cell)
            table.addElement(tr)

    p = tmp_path / "sup.odt"
    p.write_bytes(make_odt(build))
    assert read_file(p).text == ACTION_TABLE_TEXT + (
        "\n|  |  | Read the policy | May |"
        "\n| Safeguarding |  | Book level 3 | June |"
        "\nJust this")


def test_docx_cell_merged_across_columns_keeps_the_next_cells_in_place(tmp_path):
    def build(d):
        table = d.add_table(rows=3, cols=4)
        for i, row in enumerate(ACTION_TABLE[:2]):
            for j, text in enumerate(row):
                table.cell(i, j).text = text
        merged = table.cell(2, 0).merge(table.cell(2, 1))
        merged.text = "Safeguarding"
        table.cell(2, 2).text = "Book level 3"
        table.cell(2, 3).text = "June"

    p = tmp_path / "sup.docx"
    p.write_bytes(make_docx(build))
    assert read_file(p).text == (
        "Area | Discussion | Agreed action | By when\n"
        "| Training |  | JB to book the MCA refresher | April |\n"
        "| Safeguarding |  | Book level 3 | June |")


def test_action_in_a_word_table_with_an_empty_cell_is_found_whole(tmp_path, nlp):
    from reflectassist.analysis import analyse

    def build(d):
        d.add_paragraph("Supervision notes, 3 March")
        table = d.add_table(rows=3, cols=4)
        for i, row in enumerate(ACTION_TABLE[:3]):
            for j, text in enumerate(row):
                table.cell(i, j).text = text

    p = tmp_path / "sup.docx"
    p.write_bytes(make_docx(build))
    result = next(analyse(nlp, [read_file(p)], kind="supervision_note"))
    assert [t["text"] for t in result["targets"]] == [
        "JB to book the MCA refresher | April", "Discuss the rota with the manager | next sup"]


def test_action_table_whose_header_has_an_empty_corner_cell(tmp_path, nlp):
    from reflectassist.analysis import analyse

    def build(d):
        d.add_paragraph("Supervision notes, 3 March")
        table = d.add_table(rows=3, cols=4)
        for i, row in enumerate((("", "Discussion", "Agreed action", "By when"),
                                 *ACTION_TABLE[1:3])):
            for j, text in enumerate(row):
                table.cell(i, j).text = text

    p = tmp_path / "sup.docx"
    p.write_bytes(make_docx(build))
    src = read_file(p)
    assert src.text.splitlines()[2] == "|  | Discussion | Agreed action | By when |"
    result = next(analyse(nlp, [src], kind="supervision_note"))
    assert [t["text"] for t in result["targets"]] == [
        "JB to book the MCA refresher | April", "Discuss the rota with the manager | next sup"]


def test_docx_cells_with_several_paragraphs_become_paragraphs_and_nested_tables_are_read():
    def build(d):
        table = d.add_table(rows=1, cols=2)
        table.cell(0, 0).text = "Description"
        cell = table.cell(0, 1)
        cell.text = "What happened on the ward."
        cell.add_paragraph("How I felt about it.")
        inner = cell.add_table(rows=1, cols=2)
        inner.cell(0, 0).text = "Nested"
        inner.cell(0, 1).text = "table"
        d.add_paragraph("End.")

    text = extract_text(make_docx(build), ".docx")
    assert text == ("Description\n\nWhat happened on the ward.\n\nHow I felt about it.\n\n"
                    "Nested | table\n\nEnd.")


def test_docx_reads_tracked_insertions_and_content_controls_not_deletions():
    from docx.oxml import parse_xml

    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    meta = 'w:author="A" w:date="2024-01-01T00:00:00Z"'

    def build(d):
        body = d.element.body
        body.insert(0, parse_xml(
            f'<w:p {ns}><w:r><w:t xml:space="preserve">I </w:t></w:r>'
            f'<w:ins w:id="1" {meta}><w:r><w:t xml:space="preserve">really </w:t></w:r></w:ins>'
            f'<w:del w:id="2" {meta}><w:r><w:delText>never </w:delText></w:r></w:del>'
            f'<w:hyperlink><w:r><w:t>learnt</w:t></w:r></w:hyperlink>'
            f'<w:r><w:tab/><w:t>a lot.</w:t></w:r></w:p>'))
        body.insert(1, parse_xml(f'<w:sdt {ns}><w:sdtContent><w:p><w:r><w:t>In a content '
                                 f'control.</w:t></w:r></w:p></w:sdtContent></w:sdt>'))

    assert extract_text(make_docx(build), ".docx") == \
        "I really learnt\ta lot.\n\nIn a content control."


def test_corrupt_and_fake_docx_give_clear_errors(tmp_path):
    data = make_docx()
    cases = {
        "truncated.docx": data[: len(data) // 2],
        "binary.docx": bytes(range(256)) * 4,
        "empty.docx": b"",
        "broken_xml.docx": zip_bytes({"[Content_Types].xml": "<Types/>",
                                      "word/document.xml": "<w:document"}),
        "sheet.docx": zip_bytes({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<x/>"}),
        "old.docx": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
    }
    errors = {}
    for name, content in cases.items():
        (tmp_path / name).write_bytes(content)
        src = read_file(tmp_path / name)
        assert src.text is None and src.error and "\n" not in src.error, name
        errors[name] = src.error
    assert errors["truncated.docx"].startswith("corrupt .docx file")
    assert errors["binary.docx"] == "not a valid .docx file (the content is not a zip archive)"
    (tmp_path / "text.docx").write_bytes(b"This is plain text, not a Word file.")
    assert read_file(tmp_path / "text.docx").text == "This is plain text, not a Word file."
    assert errors["empty.docx"] == "not a valid .docx file (empty file)"
    assert errors["broken_xml.docx"].startswith("corrupt .docx file")
    assert "Excel" in errors["sheet.docx"]
    assert "legacy Word .doc" in errors["old.docx"]


# ---------------------------------------------------------------------------------- odt


def test_odt_paragraphs_lists_tables_without_footnotes(tmp_path):
    p = tmp_path / "entry.odt"
    p.write_bytes(make_odt())
    src = read_file(p)
    assert src.error is None
    assert src.text == (
        "Reflection\n\n"
        "I felt rushed during handover.\nThen I asked.\n\n"
        "1. Ask for help\n"
        "2. Write it down\n"
        "  - before the end of the shift\n\n"
        "Target | By when\n"
        "Book MCA training | 28 February\n\n"
        "After the table.")
    assert "FOOTNOTE" not in src.text


def test_corrupt_odt_and_other_opendocument_types():
    data = make_odt()
    assert read_bytes(data[:300], "x.odt").error.startswith("corrupt .odt file")
    ods = zip_bytes({"mimetype": "application/vnd.oasis.opendocument.spreadsheet",
                     "content.xml": "<x/>"})
    assert "spreadsheet" in read_bytes(ods, "x.odt").error
    broken = zip_bytes({"mimetype": "application/vnd.oasis.opendocument.text",
                        "META-INF/manifest.xml": "not xml", "content.xml": "<x"})
    assert read_bytes(broken, "x.odt").error.startswith("corrupt .odt file")


# ---------------------------------------------------------------------------------- pdf


def test_pdf_text_is_extracted_and_wrapped_lines_rejoined(tmp_path):
    p = tmp_path / "entry.pdf"
    p.write_bytes(make_pdf([PDF_LINES, ["Second page."]]))
    src = read_file(p)
    assert src.error is None
    assert src.text == (
        "During the handover on the ward I felt rushed because the nurse in charge was "
        "called away. I did not ask about the falls risk of the patient in bay three and "
        "Mrs Smith fell later that evening.\n"
        "Next time:\n"
        "- I will ask for the falls assessment.\n\n"
        "Second page.")


def test_reflow_keeps_short_lines_sentence_ends_and_bullets():
    text = ("A heading\n" + "x" * 50 + " end.\n" + "y" * 50 + " and\nthe rest\n- a bullet "
            + "z" * 45 + "\n- next bullet\n" + "w" * 50 + " well-\nbeing")
    assert reflow_pdf_text(text) == ("A heading\n" + "x" * 50 + " end.\n" + "y" * 50
                                     + " and the rest\n- a bullet " + "z" * 45
                                     + "\n- next bullet\n" + "w" * 50 + " well-being")
    assert reflow_pdf_text("short\nlines") == "short\nlines"


def test_scanned_pdf_and_partly_scanned_pdf(tmp_path):
    (tmp_path / "scan.pdf").write_bytes(make_pdf([None, None]))
    assert read_file(tmp_path / "scan.pdf").error == "no extractable text (scanned PDF?)"
    notes: list[str] = []
    (tmp_path / "mixed.pdf").write_bytes(make_pdf([["Typed page."], None, None]))
    src = read_file(tmp_path / "mixed.pdf", notes=notes)
    assert src.text == "Typed page."
    assert notes == [f"{tmp_path / 'mixed.pdf'}: page(s) 2-3 have no extractable text "
                     "(scanned?)"]


def test_encrypted_pdf(tmp_path):
    from pypdf import PdfWriter

    def encrypted(user: str) -> bytes:
        writer = PdfWriter(clone_from=io.BytesIO(make_pdf([["Secret reflection."]])))
        writer.encrypt(user, owner_password="owner", algorithm="RC4-128")
        buf = io.BytesIO()
        writer.write(buf)
        return buf.getvalue()

    src = read_bytes(encrypted("secret"), "locked.pdf")
    assert src.text is None and src.error.startswith("encrypted PDF (password protected)")
    # only an owner password (restrictions, no password to open): readable
    assert read_bytes(encrypted(""), "restricted.pdf").text == "Secret reflection."


def test_corrupt_pdf_gives_one_line_error():
    for data in (b"%PDF-1.4 nothing else", make_pdf([PDF_LINES])[:200]):
        src = read_bytes(data, "bad.pdf")
        assert src.text is None and src.error.startswith("corrupt PDF") and "\n" not in src.error
    assert read_bytes(bytes(range(256)) * 4, "x.pdf").error == \
        "not a valid .pdf file (the content is not a PDF)"
    assert read_bytes(b"hello", "x.pdf").text == "hello"  # plain text named .pdf: read as text


# ---------------------------------------------------------------------- content sniffing


def test_format_follows_content_not_extension(tmp_path):
    (tmp_path / "word.txt").write_bytes(make_docx())
    (tmp_path / "pdf.md").write_bytes(make_pdf([["From a PDF."]]))
    (tmp_path / "odt.docx").write_bytes(make_odt())
    (tmp_path / "noext").write_bytes(make_pdf([["No extension."]]))
    assert read_file(tmp_path / "word.txt").text.startswith("Reflection on a handover")
    assert read_file(tmp_path / "pdf.md").text == "From a PDF."
    assert read_file(tmp_path / "odt.docx").text.startswith("Reflection\n")
    assert read_file(tmp_path / "noext").text == "No extension."
    assert detect_format(b"plain", ".txt") == "text"
    assert detect_format(make_docx(), "") == "docx"


def test_renamed_binaries_are_rejected_in_one_line(tmp_path):
    cases = {
        "photo.txt": (b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(range(256)), "JPEG image"),
        "pic.md": (b"\x89PNG\r\n\x1a\n" + bytes(64), "PNG image"),
        "archive.txt": (b"\x1f\x8b\x08\x00" + bytes(32), "gzip archive"),
        "data.txt": (bytes(range(1, 32)) * 40, "binary content"),
        "zip.txt": (zip_bytes({"a.csv": "x,y"}), "zip archive, not a document"),
        "letter.txt": (b"{\\rtf1\\ansi Hello}", "RTF"),
    }
    for name, (data, expected) in cases.items():
        (tmp_path / name).write_bytes(data)
        src = read_file(tmp_path / name)
        assert src.text is None and expected in src.error and "\n" not in src.error, name


# ------------------------------------------------------------------------------- limits


def test_size_limit_applies_to_every_format(tmp_path):
    for name, data in (("a.docx", make_docx()), ("b.odt", make_odt()),
                       ("c.pdf", make_pdf([PDF_LINES]))):
        (tmp_path / name).write_bytes(data)
        src = read_file(tmp_path / name, max_bytes=len(data) - 1)
        assert src.text is None and "over the limit" in src.error
        assert read_file(tmp_path / name, max_bytes=len(data)).error is None
    # the extracted text is limited too
    with pytest.raises(Exception, match="extracted text .* over the limit"):
        extract_text(make_docx(), ".docx", max_bytes=50)


def test_zip_bomb_is_refused_before_decompressing():
    # 60 MiB of XML in a ~60 kB file: over 10 x the default 5 MB limit
    bomb = zip_bytes({"[Content_Types].xml": "<Types/>",
                      "word/document.xml": b"<w:document>" + b" " * (60 * 1024 * 1024)})
    assert len(bomb) < 200_000
    src = read_bytes(bomb, "bomb.docx")
    assert src.text is None and "possible zip bomb" in src.error
    odt_bomb = zip_bytes({"mimetype": "application/vnd.oasis.opendocument.text",
                          "content.xml": b" " * (9 * 1024 * 1024)})
    assert "possible zip bomb" in read_bytes(odt_bomb, "bomb.odt", max_bytes=100_000).error


def test_format_libraries_are_imported_lazily(tmp_path):
    (tmp_path / "a.txt").write_text("Plain text.", encoding="utf-8")
    code = ("import sys; from reflectassist.readers import iter_sources; "
            f"list(iter_sources([{str(tmp_path)!r}], [])); "
            "print(sorted(m for m in ('docx', 'pypdf', 'odf') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


# ------------------------------------------------------------------------ multi-entry


MULTI = """=== Week 1: handover
I felt rushed.

=== Week 2 ===
I asked for help.

===

Untitled third entry.
"""


def test_split_rule_titles_and_numbering(tmp_path):
    assert split_into_entries(MULTI) == ["Week 1: handover\nI felt rushed.",
                                         "Week 2\nI asked for help.",
                                         "Untitled third entry."]
    p = tmp_path / "log.txt"
    p.write_text("Preamble.\n\n" + MULTI, encoding="utf-8")
    sources = list(iter_sources([str(p)], []))
    assert [s.path for s in sources] == [f"{p}#{i}" for i in (1, 2, 3, 4)]
    assert sources[0].text == "Preamble."
    assert sources[3].text == "Untitled third entry."
    (whole,) = iter_sources([str(p)], [], DEFAULT_MAX_BYTES, split_entries=False)
    assert whole.path == str(p) and "=== Week 2 ===" in whole.text


def test_markdown_heading_underline_and_plain_files_are_not_split():
    assert split_into_entries("My reflection\n=============\n\nText.") is None
    assert split_into_entries("One entry with --- and == in it.\n---\nMore.") is None
    assert split_into_entries("Text\n\n===\nSecond") == ["Text", "Second"]
    assert split_into_entries("=== A\n\n=== B\nbody") == ["A", "B\nbody"]


def test_multi_entry_docx_pdf_and_stdin(tmp_path, monkeypatch):
    def build(d):
        d.add_paragraph("=== Week 1")
        d.add_paragraph("I felt rushed.")
        d.add_paragraph("=== Week 2")
        d.add_paragraph("Things went better.")

    (tmp_path / "log.docx").write_bytes(make_docx(build))
    (tmp_path / "log.pdf").write_bytes(make_pdf([["=== Monday", "A shift."],
                                                 ["=== Tuesday", "Another shift."]]))
    srcs = list(iter_sources([str(tmp_path / "log.docx"), str(tmp_path / "log.pdf")], []))
    assert [(s.path.rsplit("/", 1)[-1], s.text) for s in srcs] == [
        ("log.docx#1", "Week 1\n\nI felt rushed."), ("log.docx#2", "Week 2\n\nThings went better."),
        ("log.pdf#1", "Monday\nA shift."), ("log.pdf#2", "Tuesday\nAnother shift.")]

    class FakeStdin:
        buffer = io.BytesIO(MULTI.encode("utf-16"))

    monkeypatch.setattr(sys, "stdin", FakeStdin)
    assert [s.path for s in iter_sources(["-"], [])] == ["<stdin>#1", "<stdin>#2", "<stdin>#3"]


def test_stdin_can_be_a_document_and_is_limited(monkeypatch):
    class FakeStdin:
        buffer = io.BytesIO(make_docx())

    monkeypatch.setattr(sys, "stdin", FakeStdin)
    (src,) = iter_sources(["-"], [])
    assert src.path == "<stdin>" and src.text.startswith("Reflection on a handover")
    FakeStdin.buffer = io.BytesIO(b"x" * 101)
    (src,) = iter_sources(["-"], [], 100)
    assert src.text is None and "over the limit" in src.error


# ------------------------------------------------------------------------------ folders


def test_folder_with_broken_files_continues_and_reports(tmp_path):
    (tmp_path / "a_entry.txt").write_text("A typed entry.", encoding="utf-8")
    (tmp_path / "b_broken.docx").write_bytes(make_docx()[:500])
    (tmp_path / "c_entry.docx").write_bytes(make_docx())
    (tmp_path / "d_scan.pdf").write_bytes(make_pdf([None]))
    (tmp_path / "e_renamed.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    sub = tmp_path / "week10"
    sub.mkdir()
    (sub / "entry.odt").write_bytes(make_odt())
    (tmp_path / "week2").mkdir()
    (tmp_path / "week2" / "log.pdf").write_bytes(make_pdf([["=== One", "x"], ["=== Two"]]))
    (tmp_path / ".hidden.txt").write_text("secret", encoding="utf-8")
    (tmp_path / "~$c_entry.docx").write_bytes(b"lock")
    (tmp_path / "sheet.xlsx").write_bytes(b"PK")
    notes: list[str] = []
    srcs = list(iter_sources([str(tmp_path)], notes))
    rel = [(s.path[len(str(tmp_path)) + 1:], s.error) for s in srcs]
    assert [r[0] for r in rel] == ["a_entry.txt", "b_broken.docx", "c_entry.docx",
                                   "d_scan.pdf", "e_renamed.txt", "week2/log.pdf#1",
                                   "week10/entry.odt"]  # log.pdf#2 is only a title
    errors = dict(rel)
    assert errors["a_entry.txt"] is None and errors["c_entry.docx"] is None
    assert errors["b_broken.docx"].startswith("corrupt .docx file")
    assert errors["d_scan.pdf"] == "no extractable text (scanned PDF?)"
    assert errors["e_renamed.txt"].startswith("not a text file (PNG image)")
    assert errors["week10/entry.odt"] is None
    joined = "\n".join(notes)
    assert ".hidden.txt: skipped (hidden)" in joined
    assert "~$c_entry.docx: skipped (Office lock file)" in joined
    assert "sheet.xlsx: skipped (unsupported file type .xlsx)" in joined
    assert "log.pdf#2: skipped (only a title, 'Two', no text under it)" in joined


def test_batch_analysis_of_mixed_formats(tmp_path, nlp):
    from reflectassist.analysis import analyse

    (tmp_path / "a.docx").write_bytes(make_docx())
    (tmp_path / "b.pdf").write_bytes(make_pdf([PDF_LINES]))
    (tmp_path / "c.odt").write_bytes(make_odt())
    (tmp_path / "d.docx").write_bytes(b"PK\x03\x04broken")
    srcs = list(iter_sources([str(tmp_path)], []))
    results = list(analyse(nlp, srcs))
    assert [r["error"] is None for r in results] == [True, True, True, False]
    for src, res in zip(srcs[:3], results[:3], strict=True):
        assert res["text_length"] == len(src.text)
        for sent in res["sentences"]:
            assert src.text[sent["start"]:sent["end"]] == sent["text"]


def test_entry_file_names_the_file_an_entry_came_from():
    from reflectassist.readers import entry_file

    assert entry_file("notes/log.docx#12") == "notes/log.docx"
    assert entry_file("notes/log.docx") == "notes/log.docx"
    assert entry_file("<stdin>#2") == "<stdin>"
