"""Bad input: every kind of file a user may point the tool at by mistake.

The contract (``reflectassist.cli``, README "Exit codes"): each bad input gets one clear
one-line message on standard error, the exit code is 0 when every input was analysed, 1 when
some failed (all others are still analysed and reported) and 2 for a usage error; no traceback
reaches the user unless ``--debug`` is given.
"""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from cli_inprocess import assert_clean, break_renderer, run
from reflectassist.readers import decode_bytes, iter_sources, read_file

GOOD = ("I felt anxious on the ward because two staff were off sick. Next time I will ask "
        "my mentor for help before the shift starts.")
LOOP_MESSAGE = f"cannot read file: {os.strerror(errno.ELOOP)}"


def check_json(nlp, *args: str, stdin: str | bytes | None = None):
    res = run("check", *args, "--format", "json", stdin=stdin, nlp=nlp)
    assert_clean(res)
    return res, json.loads(res.stdout)["documents"]


def assert_one_line_per_failure(res, docs) -> None:
    failed = [d for d in docs if d["error"]]
    lines = [ln for ln in res.err_lines if ln.startswith("reflectassist: failed: ")]
    assert len(lines) == len(failed)
    for d, line in zip(failed, lines, strict=True):
        assert line == f"reflectassist: failed: {d['path']}: {d['error']}"
        assert "\n" not in d["error"] and len(d["error"]) < 200
    assert res.code == (1 if failed else 0)


def _docx_with_broken_xml() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types")
        zf.writestr("word/document.xml", "<w:document><w:body><w:p>unclosed")
    return buf.getvalue()


# (file name, content, extra CLI args, expected error) for one bad file each
BAD_FILES = [
    ("empty.txt", b"", (), "empty text: nothing to analyse"),
    ("blank.txt", b"  \n\t\n   \r\n", (), "empty text: nothing to analyse"),
    ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, (),
     "not a text file (PNG image); supported: .txt, .md, .docx, .odt, .pdf"),
    ("noise.txt", bytes(range(256)) * 8, (),
     "not a text file (binary content); supported: .txt, .md, .docx, .odt, .pdf"),
    ("archive.md", b"\x1f\x8b\x08\x00" + bytes(300), (),
     "not a text file (gzip archive); supported: .txt, .md, .docx, .odt, .pdf"),
    ("old.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), (),
     "legacy Word .doc or password-protected Office file (OLE2): not supported; save it as "
     ".docx without a password"),
    ("binary.docx", bytes(range(256)) * 4, (),  # (plain text named .docx is read as text)
     "not a valid .docx file (the content is not a zip archive)"),
    ("scan.pdf", b"%PDF-1.4\n%%EOF", (), None),  # message from pypdf: checked below
    ("broken.docx", _docx_with_broken_xml(), (), None),
    ("big.txt", GOOD.encode() * 10, ("--max-bytes", "1000"),
     f"file is {len(GOOD) * 10:,} bytes, over the limit of 1,000 (raise it with --max-bytes)"),
    ("latin.txt", b"I felt \x81 odd today. Next time I will ask.", (),
     "cannot decode the text (byte 0x81 at offset 7 is neither UTF-8 nor Windows-1252); save "
     "it as UTF-8"),
]


@pytest.mark.parametrize("name,content,extra,message", BAD_FILES,
                         ids=[c[0] for c in BAD_FILES])
def test_each_bad_file_is_one_clear_line_and_exit_1(nlp, tmp_path, name, content, extra,
                                                    message):
    good = tmp_path / "good.txt"
    good.write_text(GOOD, encoding="utf-8")
    bad = tmp_path / name
    bad.write_bytes(content)
    res, docs = check_json(nlp, str(good), str(bad), *extra)
    assert res.code == 1
    assert docs[0]["error"] is None and docs[0]["sentences"], "the good file is still analysed"
    assert docs[1]["path"] == str(bad) and docs[1]["sentences"] == []
    if message is not None:
        assert docs[1]["error"] == message
    elif name.endswith(".pdf"):
        assert docs[1]["error"].startswith("corrupt PDF (")
    else:
        assert docs[1]["error"].startswith("corrupt .docx file (")
    assert_one_line_per_failure(res, docs)


def test_missing_file_gives_exit_1_and_other_files_still_analysed(nlp, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(GOOD, encoding="utf-8")
    res, docs = check_json(nlp, str(good), str(tmp_path / "nope.txt"))
    assert res.code == 1
    assert docs[0]["error"] is None and docs[1]["error"] == "file not found"
    assert res.err_lines == [f"reflectassist: failed: {tmp_path / 'nope.txt'}: file not found"]


def test_empty_path_argument_is_one_failed_input(nlp, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(GOOD, encoding="utf-8")
    res, docs = check_json(nlp, "", str(good))
    assert res.code == 1 and docs[0]["path"] == "" and docs[0]["error"] == "empty path"
    assert docs[1]["error"] is None
    assert res.err_lines == ["reflectassist: failed: '': empty path"]


def test_text_summary_lists_the_bad_file_too(nlp, tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    res = run("check", str(tmp_path / "empty.txt"), nlp=nlp)
    assert_clean(res)
    assert res.code == 1
    assert res.stdout == (f"== {tmp_path / 'empty.txt'}\n   error: empty text: nothing to "
                          "analyse\n0 documents analysed, 1 failed, 0 skipped\n")
    assert res.err_lines == [f"reflectassist: failed: {tmp_path / 'empty.txt'}: empty text: "
                             "nothing to analyse"]


def test_max_bytes_default_is_in_help_and_bad_values_are_usage_errors(nlp, tmp_path):
    help_text = " ".join(run("check", "--help").stdout.split())  # undo the wrapping
    assert "--max-bytes" in help_text and "5 MB by default" in help_text
    assert "[default: 5242880; x>=1]" in help_text
    f = tmp_path / "entry.txt"
    f.write_text(GOOD, encoding="utf-8")
    for value in ("0", "-5", "lots"):
        res = run("check", str(f), "--max-bytes", value, nlp=nlp)
        assert res.code == 2 and "Traceback" not in res.stderr
        assert "Invalid value for '--max-bytes'" in res.stderr
        assert res.stdout == ""
    res, docs = check_json(nlp, str(f), "--max-bytes", str(len(GOOD)))
    assert res.code == 0 and docs[0]["error"] is None, "a file exactly at the limit is read"


def test_size_limit_applies_to_standard_input(nlp):
    res, docs = check_json(nlp, "-", "--max-bytes", "100", stdin=GOOD)
    assert res.code == 1
    assert docs[0]["error"] == "input over the limit of 100 bytes"
    assert res.err_lines == ["reflectassist: failed: <stdin>: input over the limit of 100 bytes"]


@pytest.mark.parametrize("data,message", [
    (b"", "empty text: nothing to analyse"),
    (b" \n \n", "empty text: nothing to analyse"),
    (b"\x7fELF\x02\x01\x01" + bytes(100), "not a text file (executable); supported: .txt, .md, "
                                          ".docx, .odt, .pdf"),
])
def test_bad_standard_input(nlp, data, message):
    res, docs = check_json(nlp, "-", stdin=data)
    assert res.code == 1 and docs[0]["error"] == message
    assert res.err_lines == [f"reflectassist: failed: <stdin>: {message}"]


def test_usage_errors_exit_2_with_a_message(nlp, tmp_path):
    f = tmp_path / "entry.txt"
    f.write_text(GOOD, encoding="utf-8")
    cases = [
        (("check",), "Missing argument"),
        (("check", str(f), "--format", "pdf"), "Invalid value for '--format'"),
        (("check", str(f), "--kind", "diary"), "Invalid value for '--kind'"),
        (("check", str(f), "--jobs", "0"), "--jobs"),
        (("check", str(f), "--no-such-option"), "No such option"),
    ]
    for args, message in cases:
        res = run(*args, nlp=nlp)
        assert res.code == 2 and message in res.stderr, (args, res.stderr)
        assert "Traceback" not in res.stderr
    res = run("check", str(f), "--model", str(tmp_path / "no-model"))
    assert res.code == 2
    assert res.err_lines == [f"reflectassist: error: no trained pipeline at {tmp_path / 'no-model'}"
                             "; run `reflectassist train` or pass --model"]


def test_folder_without_supported_files_is_a_usage_error(nlp, tmp_path):
    (tmp_path / "sheet.xlsx").write_bytes(b"PK\x03\x04")
    res = run("check", str(tmp_path), nlp=nlp)
    assert_clean(res)
    assert res.code == 2
    assert res.err_lines == [
        f"reflectassist: note: {tmp_path / 'sheet.xlsx'}: skipped (unsupported file type .xlsx)",
        "reflectassist: error: no input files found (supported: .txt, .md, .docx, .odt, .pdf)"]


# ------------------------------------------------------------------ symbolic links and folders


def test_symlink_loop_given_as_a_file_fails_alone(nlp, tmp_path):
    os.symlink(tmp_path / "b.txt", tmp_path / "a.txt")
    os.symlink(tmp_path / "a.txt", tmp_path / "b.txt")
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    res, docs = check_json(nlp, str(tmp_path / "a.txt"), str(tmp_path / "good.txt"))
    assert res.code == 1
    assert docs[0]["error"] == LOOP_MESSAGE and docs[1]["error"] is None
    assert_one_line_per_failure(res, docs)


def test_folder_walk_terminates_on_symlink_loops_and_reports_them(nlp, tmp_path):
    root = tmp_path / "notes"
    (root / "week1").mkdir(parents=True)
    (root / "week1" / "entry.txt").write_text(GOOD, encoding="utf-8")
    os.symlink(".", root / "week1" / "self")          # a folder linking to itself
    os.symlink("..", root / "week1" / "up")           # ... and to its parent
    os.symlink("loop_b.txt", root / "loop_a.txt")     # a -> b -> a
    os.symlink("loop_a.txt", root / "loop_b.txt")
    os.symlink("gone.txt", root / "dangling.txt")
    res, docs = check_json(nlp, str(root))
    assert res.code == 1
    by_path = {d["path"]: d for d in docs}
    assert set(by_path) == {str(root / n) for n in ("dangling.txt", "loop_a.txt", "loop_b.txt",
                                                    "week1/entry.txt")}
    assert by_path[str(root / "week1/entry.txt")]["error"] is None
    assert by_path[str(root / "dangling.txt")]["error"] == "file not found"
    assert by_path[str(root / "loop_a.txt")]["error"] == LOOP_MESSAGE
    assert by_path[str(root / "loop_b.txt")]["error"] == LOOP_MESSAGE
    notes = [ln for ln in res.err_lines if ln.startswith("reflectassist: note: ")]
    assert notes == [f"reflectassist: note: {root / 'week1' / link}: skipped (folder already "
                     "searched, via a symbolic link)" for link in ("self", "up")]
    assert_one_line_per_failure(res, docs)


def test_a_folder_reached_twice_is_read_once(nlp, tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "entry.txt").write_text(GOOD, encoding="utf-8")
    os.symlink(tmp_path / "real", tmp_path / "alias")
    res, docs = check_json(nlp, str(tmp_path))
    assert res.code == 0
    assert [d["path"] for d in docs] == [str(tmp_path / "alias" / "entry.txt")]
    assert res.err_lines == [f"reflectassist: note: {tmp_path / 'real'}: skipped (folder "
                             "already searched, via a symbolic link)"]


# ------------------------------------------------ overlapping inputs, reports in the inputs


def _cohort(tmp_path: Path) -> Path:
    """cohort/group_a/{b.txt, student_01/entry1.txt} and cohort/c.txt, all analysable."""
    student = tmp_path / "cohort" / "group_a" / "student_01"
    student.mkdir(parents=True)
    for f in (student / "entry1.txt", student.parent / "b.txt", tmp_path / "cohort" / "c.txt"):
        f.write_text(GOOD, encoding="utf-8")
    return tmp_path / "cohort"


def test_overlapping_inputs_are_analysed_once_where_first_reached(nlp, tmp_path):
    cohort = _cohort(tmp_path)
    group, student = cohort / "group_a", cohort / "group_a" / "student_01"
    os.symlink(student / "entry1.txt", tmp_path / "alias.txt")
    res, docs = check_json(nlp, str(group), str(student), str(student / "entry1.txt"),
                           str(tmp_path / "alias.txt"), str(cohort), str(group))
    assert res.code == 0
    assert [d["path"] for d in docs] == [str(group / "b.txt"), str(student / "entry1.txt"),
                                         str(cohort / "c.txt")]
    assert res.err_lines == [f"reflectassist: note: {p}: skipped (already included)" for p in (
        student, student / "entry1.txt", tmp_path / "alias.txt", group / "b.txt", group)]
    # a file given first keeps its place; the folder that holds it adds only the rest
    res, docs = check_json(nlp, str(student / "entry1.txt"), str(group))
    assert [d["path"] for d in docs] == [str(student / "entry1.txt"), str(group / "b.txt")]
    assert res.err_lines == [f"reflectassist: note: {student / 'entry1.txt'}: skipped (already "
                             "included)"]


def test_standard_input_given_twice_is_a_usage_error(nlp):
    res = run("check", "-", "-", stdin=GOOD, nlp=nlp)
    assert res.code == 2 and res.stdout == ""
    assert res.err_lines == ["reflectassist: error: '-' (standard input) given more than once; "
                             "it can be read only once"]


@pytest.mark.parametrize("args", [("-o", "report.txt"), ("-o", "r.txt", "--format", "json"),
                                  ("--csv", "table.txt"), ("-o", "r.txt", "-f", "html")])
def test_a_rerun_skips_its_own_report_found_in_the_input_folder(nlp, tmp_path, args):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    (scratch / "a.txt").write_text(GOOD, encoding="utf-8")
    option, name, *fmt = args
    report = scratch / name
    first = run("check", str(scratch), option, str(report), *fmt, "-q", nlp=nlp)
    assert first.code == 0 and first.err_lines == [f"written: {report}"]
    before = report.read_text(encoding="utf-8")
    second = run("check", str(scratch), option, str(report), *fmt, "-q", nlp=nlp)
    assert_clean(second)
    assert second.code == 0, second.stderr
    assert second.err_lines == [f"reflectassist: note: {report}: skipped (this run's output)",
                                f"written: {report}"]
    after = report.read_text(encoding="utf-8")  # a.txt only, again (the note is counted,
    # and kept in a JSON or HTML report)
    note = f"{report}: skipped (this run's output)"
    if "json" in fmt:
        after, before = json.loads(after), json.loads(before)
        assert after.pop("notes") == [note] and before.pop("notes") == []
        after, before = json.dumps(after), json.dumps(before)
    elif "html" in fmt:
        listed = ('<h2 id="notes">Notes on the inputs</h2>\n<ul><li>'
                  f'{note.replace(chr(39), "&#39;")}</li></ul>\n')
        assert listed in after
        after = after.replace(listed, "")
    assert after.replace(", 1 skipped\n", ", 0 skipped\n") == before
    assert str(scratch / "a.txt") in after and str(report) not in after


def test_an_output_that_is_an_input_is_still_refused(nlp, tmp_path):
    """Given explicitly as an input it is refused even if it is an earlier report; found in a
    folder, a file that is not a reflectassist report is the user's data: refused too."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    (scratch / "a.txt").write_text(GOOD, encoding="utf-8")
    report = scratch / "report.txt"
    assert run("check", str(scratch), "-o", str(report), "-q", nlp=nlp).code == 0
    before = report.read_text(encoding="utf-8")
    res = run("check", str(report), str(scratch), "-o", str(report), nlp=nlp)
    assert res.code == 2 and res.stdout == ""
    assert res.err_lines == [f"reflectassist: error: refusing to overwrite input file {report}"]
    res = run("check", str(scratch), "-o", str(scratch / "a.txt"), nlp=nlp)
    assert res.code == 2
    assert res.err_lines == [f"reflectassist: error: refusing to overwrite input file "
                             f"{scratch / 'a.txt'}"]
    assert report.read_text(encoding="utf-8") == before
    assert (scratch / "a.txt").read_text(encoding="utf-8") == GOOD


@pytest.mark.parametrize("name", ["out/x.xml", "out/x.md", "out/report.PDF"])
def test_unknown_output_suffix_is_a_usage_error_unless_format_is_given(nlp, tmp_path, name):
    f = tmp_path / "entry.txt"
    f.write_text(GOOD, encoding="utf-8")
    target = tmp_path / name
    res = run("check", str(f), "-o", str(target), nlp=nlp)
    assert res.code == 2 and res.stdout == ""
    assert res.err_lines == [f"reflectassist: error: -o {target}: unknown report type "
                             f"{target.suffix.lower()} (use .txt, .html, .htm, .json or .csv, "
                             "or give --format)"]
    assert not target.parent.exists()
    res = run("check", str(f), "-o", str(target), "--format", "json", "-q", nlp=nlp)
    assert res.code == 0 and res.err_lines == [f"written: {target}"]
    assert json.loads(target.read_text(encoding="utf-8"))["documents"][0]["path"] == str(f)


def test_csv_leaves_every_result_cell_of_a_failed_document_empty(nlp, tmp_path):
    import csv

    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    table = tmp_path / "out" / "table.csv"
    res = run("check", str(tmp_path / "good.txt"), str(tmp_path / "empty.txt"), "--csv",
              str(table), "-q", nlp=nlp)
    assert res.code == 1
    good, bad = csv.DictReader(io.StringIO(table.read_text(encoding="utf-8")))
    assert good["gibbs_stages"] != "" and good["targets"] == "1" and good["suggestions"] != ""
    assert bad["path"] == str(tmp_path / "empty.txt")
    assert bad["error"] == "empty text: nothing to analyse"
    assert {k: v for k, v in bad.items() if k not in ("path", "error")} == dict.fromkeys(
        set(bad) - {"path", "error"}, "")


def test_text_summary_ends_with_the_totals(nlp, tmp_path):
    cohort = _cohort(tmp_path)
    (cohort / "empty.txt").write_bytes(b"")
    (cohort / ".hidden.txt").write_text(GOOD, encoding="utf-8")
    (cohort / "sheet.xlsx").write_bytes(b"PK\x03\x04")
    res = run("check", str(cohort), str(cohort / "c.txt"), nlp=nlp)
    assert res.code == 1
    assert res.stdout.count("\n== ") + 1 == 4
    assert res.stdout.endswith("\n3 documents analysed, 1 failed, 3 skipped\n")
    assert len([ln for ln in res.err_lines if ": skipped (" in ln]) == 3
    res = run("check", str(cohort / "c.txt"), "-o", str(tmp_path / "r.html"), nlp=nlp)
    assert res.stdout.endswith("\n1 document analysed, 0 failed, 0 skipped\n")


def _without_file_permissions() -> list[str] | None:
    """A command prefix under which chmod 000 really denies access: none for an ordinary
    user; for root (who reads everything) setpriv dropping the capabilities that bypass file
    permissions. None if that is not possible here."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    prefix = [setpriv, "--bounding-set=-dac_override,-dac_read_search", "--"]
    probe = subprocess.run([*prefix, "true"], capture_output=True)
    return prefix if probe.returncode == 0 else None


def test_unreadable_file_and_folders_fail_alone(tmp_path):
    """chmod 000 on a file, a folder given as input and a folder found inside another:
    each is one failed input; the readable files are analysed. As root, the condition is
    created by dropping the capabilities that let root read anything (setpriv); where that
    is impossible, root really can read them and they must be analysed normally."""
    good = tmp_path / "good.txt"
    good.write_text(GOOD, encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text(GOOD, encoding="utf-8")
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "inside.txt").write_text(GOOD, encoding="utf-8")
    batch = tmp_path / "batch"
    (batch / "closed").mkdir(parents=True)
    (batch / "closed" / "inside.txt").write_text(GOOD, encoding="utf-8")
    (batch / "open.txt").write_text(GOOD, encoding="utf-8")
    prefix = _without_file_permissions()
    for p in (secret, locked, batch / "closed"):
        p.chmod(0)
    try:
        out = subprocess.run(
            [*(prefix or []), sys.executable, "-m", "reflectassist.cli", "check", str(good),
             str(secret), str(locked), str(batch), "--format", "json"],
            capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    finally:
        for p in (secret, locked, batch / "closed"):
            p.chmod(0o755)
    assert "Traceback" not in out.stderr
    docs = {d["path"]: d["error"] for d in json.loads(out.stdout)["documents"]}
    if prefix is None:  # root without a way to drop privileges: everything is readable
        assert out.returncode == 0, out.stderr
        assert set(docs.values()) == {None} and len(docs) == 5
        return
    assert out.returncode == 1, out.stderr
    assert docs == {str(good): None, str(secret): "permission denied",
                    str(locked): "cannot read folder: permission denied",
                    str(batch / "closed"): "cannot read folder: permission denied",
                    str(batch / "open.txt"): None}
    assert sorted(out.stderr.splitlines()) == sorted(
        f"reflectassist: failed: {p}: {e}" for p, e in docs.items() if e)


# -------------------------------------------------------------------- text that must be read


def test_long_line_without_punctuation_is_analysed(nlp, tmp_path):
    f = tmp_path / "long.txt"
    text = "and then we went to the next patient and I felt fine " * 3000  # 159 kB, one line
    f.write_text(text, encoding="utf-8")
    res, (doc,) = check_json(nlp, str(f))
    assert res.code == 0 and doc["error"] is None
    assert doc["text_length"] == len(text) and len(doc["sentences"]) > 10
    assert all(text[s["start"]:s["end"]] == s["text"] for s in doc["sentences"])


def test_text_under_the_limit_is_analysed_even_past_spacys_default_length(nlp, tmp_path):
    """spaCy refuses texts over ``nlp.max_length`` (10**6 characters); the CLI raises it to
    --max-bytes so every file under the limit is analysed. Shown with a lowered max_length
    (a real 2 MB file takes half a minute)."""
    f = tmp_path / "long.txt"
    text = "we talked about the plan and I felt calm about it " * 200
    f.write_text(text, encoding="utf-8")
    saved = nlp.max_length
    nlp.max_length = 5000
    try:
        res, (doc,) = check_json(nlp, str(f))
    finally:
        nlp.max_length = saved
    assert res.code == 0 and doc["error"] is None and doc["text_length"] == len(text)


@pytest.mark.parametrize("name,text", [
    ("no_punctuation.txt", "i went to the ward and then we saw the patient and then the doctor "
                           "came and we talked about the plan and i felt ok about it"),
    ("french.txt", "Hier, je me suis sentie dépassée pendant la relève. La prochaine fois, je "
                   "demanderai de l'aide à ma tutrice."),
    ("chinese.txt", "昨天在病房我感到很紧张，因为两名同事请病假。下次我会提前请导师帮忙。"),
    ("arabic.txt", "شعرت بالقلق في الجناح لأن اثنين من الموظفين كانوا مرضى. في المرة القادمة "
                   "سأطلب المساعدة."),
    ("emoji.txt", "🙂😡🚑💉 I felt 😰 today 🙃🙃🙃 next time 👍 I will ask 👩‍⚕️."),
    ("mixed scripts.txt", "Ich fühlte mich unsicher. Я волновалась. 不安でした。 I felt unsure."),
])
def test_any_language_or_script_is_analysed(nlp, tmp_path, name, text):
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    res, (doc,) = check_json(nlp, str(f))
    assert res.code == 0 and doc["error"] is None and res.stderr == ""
    assert doc["sentences"] and doc["text_length"] == len(text)
    for s in doc["sentences"]:
        assert text[s["start"]:s["end"]] == s["text"]


@pytest.mark.parametrize("name", ["my entry (week 3).txt", "réflexion 日本 ✓.md",
                                  "  leading and trailing  .txt", "week#2.txt", "-dash.txt"])
def test_file_names_with_spaces_and_unicode(nlp, tmp_path, name):
    f = tmp_path / name
    f.write_text(GOOD, encoding="utf-8")
    res, (doc,) = check_json(nlp, str(f))
    assert res.code == 0 and doc["path"] == str(f) and doc["error"] is None
    html = tmp_path / "out" / "report.html"
    res = run("check", str(f), "-o", str(html), "-q", nlp=nlp)
    assert_clean(res)
    assert res.code == 0 and name.strip() in html.read_text(encoding="utf-8")


def test_file_name_that_is_not_utf8_still_gives_every_report(nlp, tmp_path):
    """Linux file names are bytes; one that is not UTF-8 is shown with \\xNN escapes (it
    used to crash the JSON, HTML and CSV writers with UnicodeEncodeError)."""
    folder = tmp_path / "in"
    folder.mkdir()
    with open(os.fsencode(folder) + b"/caf\xe9.txt", "wb") as fh:
        fh.write(GOOD.encode())
    shown = f"{folder}/caf\\xe9.txt"
    res, (doc,) = check_json(nlp, str(folder))
    assert res.code == 0 and doc["path"] == shown and doc["error"] is None
    res = run("check", str(folder), nlp=nlp)  # the text summary
    assert res.code == 0 and f"== {shown}\n" in res.stdout
    for out in ("r.json", "r.html", "r.csv", "r.txt"):
        res = run("check", str(folder), "-o", str(tmp_path / "out" / out), "-q", nlp=nlp)
        assert_clean(res)
        assert res.code == 0, res.stderr
        written = (tmp_path / "out" / out).read_text(encoding="utf-8")
        assert shown in (json.loads(written)["documents"][0]["path"] if out == "r.json"
                         else written)
    # the note on a skipped file with such a name goes into the reports too (it crashed
    # the JSON and HTML writers once notes were kept in them)
    open(os.fsencode(folder) + b"/caf\xe9.xyz", "wb").close()
    for out in ("r.json", "r.html"):
        res = run("check", str(folder), "-o", str(tmp_path / "out" / out), "-q", nlp=nlp)
        assert res.code == 0, res.stderr
        written = (tmp_path / "out" / out).read_text(encoding="utf-8")
        note = f"{folder}/caf\\xe9.xyz: skipped (unsupported file type .xyz)"
        assert note in (json.loads(written)["notes"] if out == "r.json" else written)
    empty = os.fsencode(folder) + b"/empty\xe9.txt"
    open(empty, "wb").close()
    res, docs = check_json(nlp, os.fsdecode(empty))
    assert res.code == 1
    assert res.err_lines == [f"reflectassist: failed: {folder}/empty\\xe9.txt: empty text: "
                             "nothing to analyse"]


def test_control_characters_pasted_in_text_are_dropped_and_the_text_analysed(nlp, tmp_path):
    pasted = ("I felt \x1b[31manxious\x1b[0m on the ward\x07 because two staff were off sick. "
              "Next time\x00 I will ask my mentor for help before the shift starts.\x0c\n"
              "I said \u200bthank you.\r\n")
    f = tmp_path / "pasted.txt"
    f.write_text(pasted, encoding="utf-8", newline="")
    res, (doc,) = check_json(nlp, str(f))
    assert res.code == 0 and doc["error"] is None
    # the form feed (a page break) is a blank line, the other control characters are dropped
    analysed = ("I felt [31manxious[0m on the ward because two staff were off sick. Next time "
                "I will ask my mentor for help before the shift starts.\n\n\nI said "
                "\u200bthank you.\n")
    assert doc["text_length"] == len(analysed)
    assert [s["text"] for s in doc["sentences"]] == [
        analysed[s["start"]:s["end"]] for s in doc["sentences"]]
    assert doc["sentences"][0]["text"].startswith("I felt [31manxious")
    summary = run("check", str(f), nlp=nlp)
    assert summary.code == 0 and "\x1b" not in summary.stdout and "\x07" not in summary.stdout


# ----------------------------------------------------------------------- batches and --debug


def test_a_batch_analyses_every_good_file_and_lists_every_bad_one(nlp, tmp_path):
    good_names = ["a good.txt", "b.md", "c-français.txt", "d.txt"]
    for name in good_names:
        (tmp_path / name).write_text(GOOD, encoding="utf-8")
    bad = {name: content for name, content, extra, _ in BAD_FILES if not extra}
    for name, content in bad.items():
        (tmp_path / name).write_bytes(content)
    os.symlink("loop2.txt", tmp_path / "loop1.txt")
    os.symlink("loop1.txt", tmp_path / "loop2.txt")
    args = [str(tmp_path), str(tmp_path / "missing.txt"), "-"]
    res, docs = check_json(nlp, *args, stdin=b"")
    assert res.code == 1
    errors = {Path(d["path"]).name: d["error"] for d in docs}
    assert {n for n, e in errors.items() if e is None} == set(good_names)
    assert {n for n, e in errors.items() if e} == (set(bad) | {"loop1.txt", "loop2.txt",
                                                              "missing.txt", "<stdin>"})
    assert_one_line_per_failure(res, docs)
    # the HTML report and the CSV table list them all as well
    res = run("check", *args, "-o", str(tmp_path / "out" / "r.html"), "--csv",
              str(tmp_path / "out" / "r.csv"), "-q", nlp=nlp, stdin=b"")
    assert res.code == 1
    html = (tmp_path / "out" / "r.html").read_text(encoding="utf-8")
    csv_text = (tmp_path / "out" / "r.csv").read_text(encoding="utf-8")
    for name in errors:
        assert name.replace("<", "&lt;").replace(">", "&gt;") in html
        assert name in csv_text


def test_debug_shows_the_traceback_of_a_bad_file(nlp, tmp_path):
    f = tmp_path / "broken.docx"
    f.write_bytes(_docx_with_broken_xml())
    res = run("check", str(f), nlp=nlp)
    assert_clean(res)
    assert res.code == 1 and len(res.err_lines) == 1
    assert res.err_lines[0].startswith(f"reflectassist: failed: {f}: corrupt .docx file (")
    res = run("--debug", "check", str(f), nlp=nlp)
    assert res.code == 1
    assert "reflectassist: debug: reading a .docx file failed" in res.stderr
    assert "Traceback (most recent call last):" in res.stderr
    assert res.err_lines[-1].startswith(f"reflectassist: failed: {f}: corrupt .docx file (")


def test_unexpected_error_is_one_line_and_debug_shows_the_traceback(nlp, tmp_path, monkeypatch):
    break_renderer(monkeypatch, "json_document", "renderer exploded")
    f = tmp_path / "entry.txt"
    f.write_text(GOOD, encoding="utf-8")
    res = run("check", str(f), "--format", "json", nlp=nlp)
    assert res.code == 1
    assert res.err_lines == ["reflectassist: error: RuntimeError: renderer exploded (use "
                             "--debug for details)"]
    with pytest.raises(RuntimeError, match="renderer exploded"):
        run("--debug", "check", str(f), "--format", "json", nlp=nlp)
    # and as a user sees it: Python prints the traceback of the exception --debug re-raises
    script = ("import sys, reflectassist.report as r\n"
              "def boom(*a, **k): raise RuntimeError('renderer exploded')\n"
              "r.json_document = boom\n"
              "from reflectassist.cli import main\n"
              f"sys.argv = ['reflectassist', '--debug', 'check', {str(f)!r}, '-f', 'json']\n"
              "main()\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert out.returncode == 1
    assert "Traceback (most recent call last):" in out.stderr
    assert out.stderr.rstrip().endswith("RuntimeError: renderer exploded")


# ------------------------------------------------------------------------ readers, directly


def test_binary_and_oversized_files_give_errors(tmp_path):
    p = tmp_path / "img.txt"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    assert read_file(p).error.startswith("not a text file")
    p = tmp_path / "big.txt"
    p.write_text("a" * 2000, encoding="utf-8")
    src = read_file(p, max_bytes=1000)
    assert src.text is None and "over the limit" in src.error


def test_binary_without_nul_bytes_is_not_text(tmp_path):
    p = tmp_path / "noise.txt"
    p.write_bytes(bytes(b for b in range(1, 256) if b not in b"\t\n\r") * 20)
    assert read_file(p).error.startswith("not a text file")
    # a few stray control characters in real text are tolerated (and dropped)
    p.write_bytes(b"Text with a bell\x07 and an escape\x1b in it.")
    assert read_file(p).text == "Text with a bell and an escape in it."


def test_a_stray_nul_byte_in_text_is_dropped_but_many_mean_binary(tmp_path):
    p = tmp_path / "pasted.txt"
    p.write_bytes(b"I felt calm today. " * 5 + b"\x00" + b"I felt calm today. " * 5)
    assert read_file(p).text == "I felt calm today. " * 10
    p.write_bytes(b"I felt\x00\x00\x00\x00\x00 calm\x00\x00\x00\x00\x00 today.")
    assert read_file(p).error.startswith("not a text file (binary content)")


def test_undecodable_bytes_are_named_in_the_message():
    with pytest.raises(UnicodeDecodeError) as info:
        decode_bytes(b"ok \x90 not ok")
    assert info.value.encoding == "undecodable" and info.value.start == 3


def test_missing_path_becomes_an_error_source(tmp_path):
    notes: list[str] = []
    (src,) = list(iter_sources([str(tmp_path / "nope.txt")], notes))
    assert src.error == "file not found"


def test_directory_and_empty_path_errors(tmp_path):
    assert read_file(tmp_path).error == "is a directory"
    (src,) = list(iter_sources([""], []))
    assert src.error == "empty path"


def test_two_different_csv_targets_are_a_usage_error(nlp, tmp_path):
    """``-o a.csv --csv b.csv`` wrote only a.csv and silently ignored b.csv."""
    f = tmp_path / "entry.txt"
    f.write_text(GOOD, encoding="utf-8")
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    res = run("check", str(f), "-o", str(a), "--csv", str(b), nlp=nlp)
    assert res.code == 2 and res.stdout == ""
    assert res.err_lines == [f"reflectassist: error: -o {a} and --csv {b} both ask for the CSV "
                             "table; give one"]
    assert not a.exists() and not b.exists()
    res = run("check", str(f), "-o", str(a), "--csv", str(a), "-q", nlp=nlp)
    assert res.code == 0 and res.err_lines == [f"written: {a}"]
