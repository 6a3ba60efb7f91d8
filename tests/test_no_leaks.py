"""Nothing leaks and nothing runs: no network, user text escaped in every output, spreadsheet
formulas neutralised, model files checked and never able to execute code, no user text on
standard error, no terminal escape sequences from file names."""

from __future__ import annotations

import csv
import io
import json
import shutil
import socket
import sys
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from cli_inprocess import assert_clean, break_renderer, run
from reflectassist.textmodel import SPEC_KEY, ModelFileError, load_models, sha256

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
GOOD = ("I felt anxious on the ward because two staff were off sick. Next time I will ask "
        "my mentor for help before the shift starts.")

# ------------------------------------------------------------------------------ no network

_NETWORK = {"blocked": False, "attempts": []}


def _audit(event: str, _args) -> None:
    if _NETWORK["blocked"] and event in ("socket.connect", "socket.getaddrinfo",
                                         "socket.gethostbyname", "socket.__new__",
                                         "urllib.Request"):
        _NETWORK["attempts"].append(event)
        raise OSError(f"network use is not allowed in reflectassist ({event})")


sys.addaudithook(_audit)  # cannot be removed; does nothing unless a test sets "blocked"


def test_check_works_with_sockets_disabled(monkeypatch, tmp_path):
    """Loading the models, analysing, and writing every report format with the network
    refused: by replacing the socket functions and, for references taken earlier, by an
    audit hook on every socket creation, connection and name lookup."""
    def refuse(*_a, **_k):
        raise OSError("network use is not allowed in reflectassist")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    _NETWORK["blocked"], _NETWORK["attempts"] = True, []
    try:
        import _socket

        with pytest.raises(OSError, match="not allowed"):  # the guard itself works
            _socket.socket()
        _NETWORK["attempts"].clear()
        res = run("check", str(EXAMPLES), "--format", "json")  # loads the pipeline itself
        html = run("check", str(EXAMPLES), "-o", str(tmp_path / "r.html"), "--csv",
                   str(tmp_path / "r.csv"), "-q")
    finally:
        _NETWORK["blocked"] = False
    assert res.code == 0, res.stderr
    docs = json.loads(res.stdout)["documents"]
    assert len(docs) == 2 and all(d["error"] is None for d in docs)
    assert html.code == 0 and (tmp_path / "r.html").is_file() and (tmp_path / "r.csv").is_file()
    assert _NETWORK["attempts"] == []


def test_html_report_loads_nothing_from_elsewhere(nlp, tmp_path):
    res = run("check", str(EXAMPLES), "-o", str(tmp_path / "r.html"), "-q", nlp=nlp)
    assert res.code == 0
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    csp = unescape(html.split('http-equiv="Content-Security-Policy" content="', 1)[1]
                   .split('"', 1)[0])
    assert csp.startswith("default-src 'none'") and "unsafe-inline" not in csp
    for pattern in ('src="http', "src='http", 'href="http', "url(http", "url(//", "@import",
                    'src="//', 'href="//'):
        assert pattern not in html


# ------------------------------------------------------------------- user text is escaped

HOSTILE_NAME = "<img src=x onerror=alert(1)>.txt"
QUOTE_NAME = "x\" onmouseover=\"alert(2).txt"
HOSTILE_TEXT = ("I felt unsure when Mrs Patel said </script><script>alert(3)</script> on the "
                "ward. Next time I will ask \"><svg onload=alert(4)> my mentor by Friday. "
                "{{ 7*7 }} {% raw %}")


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


@pytest.mark.parametrize("batch", [False, True], ids=["single", "batch"])
def test_file_names_and_text_are_escaped_in_the_html_report(nlp, tmp_path, batch):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / HOSTILE_NAME).write_text(HOSTILE_TEXT, encoding="utf-8")
    if batch:
        (folder / QUOTE_NAME).write_text(GOOD, encoding="utf-8")
        (folder / "<b>empty.txt").write_bytes(b"")
    out = tmp_path / "r.html"
    res = run("check", str(folder), "-o", str(out), "-q", nlp=nlp)
    assert res.code == (1 if batch else 0)
    html = out.read_text(encoding="utf-8")
    for raw in ("<img", "<script>alert", "<svg onload", "onmouseover=\"alert", "<b>empty"):
        assert raw not in html, raw
    assert "&lt;img src=x onerror=alert(1)&gt;.txt" in html
    assert "&lt;/script&gt;&lt;script&gt;alert(3)&lt;/script&gt;" in html
    assert "{{ 7*7 }} {% raw %}" in html  # never evaluated as a template
    parser = _Tags()
    parser.feed(html)
    tags = [t for t, _ in parser.tags]
    assert tags.count("script") == 1 and "img" not in tags
    assert not any(name.startswith("on") for _, attrs in parser.tags for name in attrs)
    if batch:
        assert "x&#34; onmouseover=&#34;alert(2).txt" in html
        assert "&lt;b&gt;empty.txt" in html


def test_json_keeps_hostile_names_and_text_exact(nlp, tmp_path):
    name = 'q"uote\\back\nline<script>.txt'
    (tmp_path / name).write_text(HOSTILE_TEXT, encoding="utf-8")
    res = run("check", str(tmp_path / name), "--format", "json", nlp=nlp)
    assert res.code == 0
    (doc,) = json.loads(res.stdout)["documents"]
    assert doc["path"] == str(tmp_path / name) and doc["text_length"] == len(HOSTILE_TEXT)
    assert "</script><script>alert(3)</script>" in doc["sentences"][0]["text"]
    for s in doc["sentences"]:
        assert HOSTILE_TEXT[s["start"]:s["end"]] == s["text"]
    for ident in doc["identifiers"]:
        assert HOSTILE_TEXT[ident["start"]:ident["end"]] == ident["text"]


FORMULA_NAMES = ['=HYPERLINK("evil.example";"click").txt', "+SUM(1,2).txt",
                 "-2+3.txt", "@cmd.txt", "\t=1+1.txt"]


def test_csv_neutralises_formulas_in_file_names(nlp, tmp_path, monkeypatch):
    for name in FORMULA_NAMES:
        (tmp_path / name).write_text(GOOD, encoding="utf-8")
    (tmp_path / "=empty().txt").write_bytes(b"")
    monkeypatch.chdir(tmp_path)  # so each path cell starts with the file name
    res = run("check", "--csv", "out/table.csv", "-q", "--", *FORMULA_NAMES, "=empty().txt",
              nlp=nlp)
    assert res.code == 1
    rows = list(csv.DictReader(io.StringIO(Path("out/table.csv").read_text(encoding="utf-8"))))
    assert [r["path"] for r in rows] == ["'" + n for n in [*FORMULA_NAMES, "=empty().txt"]]
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), row
    assert "HYPERLINK" not in rows[-1]["error"]


# --------------------------------------------------------------------------- model files


def test_tampered_model_file_is_refused(model_path, tmp_path):
    dst = tmp_path / "depth"
    shutil.copytree(model_path / "reflectassist_depth", dst)
    target = next(dst.glob("*.npz"))
    data = bytearray(target.read_bytes())
    data[-10] ^= 0xFF
    target.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="checksum"):
        load_models(dst)


def test_tampered_model_is_a_one_line_usage_error_in_the_cli(model_path, tmp_path):
    copy = tmp_path / "pipeline"
    shutil.copytree(model_path, copy)
    target = next((copy / "reflectassist_feedback").glob("*.npz"))
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    entry = tmp_path / "entry.txt"
    entry.write_text(GOOD, encoding="utf-8")
    res = run("check", str(entry), "--model", str(copy))
    assert_clean(res)
    assert res.code == 2 and res.stdout == ""
    assert res.err_lines == [f"reflectassist: error: model file {target} is missing or its "
                             "checksum does not match"]


class _Payload:
    """Unpickling this would create a file: proof that code ran."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def _index(folder: Path, file: str) -> None:
    (folder / "models.json").write_text(json.dumps({"meta": {}, "files": {"evil": {
        "file": file, "sha256": sha256(folder / file)}}}), encoding="utf-8")


def test_pickled_object_in_a_model_file_never_runs(tmp_path):
    """A model file whose checksum matches but which holds a pickled object (the way model
    files usually run code) is refused without unpickling it."""
    marker = tmp_path / "code-ran"
    folder = tmp_path / "m"
    folder.mkdir()
    payload = np.empty(1, dtype=object)
    payload[0] = _Payload(marker)
    spec = np.frombuffer(b"{}", np.uint8)
    np.savez(folder / "evil.npz", **{SPEC_KEY: spec}, coef=payload)
    _index(folder, "evil.npz")
    with pytest.raises(ModelFileError, match="not a plain-array model"):
        load_models(folder)
    assert not marker.exists()
    # the payload is real: unpickling it the unsafe way would have run it
    with np.load(folder / "evil.npz", allow_pickle=True) as npz:
        npz["coef"]
    assert marker.exists()


@pytest.mark.parametrize("file", ["../x.npz", "evil.pkl", "evil.skops", "sub/evil.npz"])
def test_index_cannot_name_other_files(tmp_path, file):
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "models.json").write_text(json.dumps({"meta": {}, "files": {"x": {
        "file": file, "sha256": "0" * 64}}}), encoding="utf-8")
    with pytest.raises(ModelFileError, match="outside its folder or not an .npz file"):
        load_models(tmp_path / "m")


def test_the_shipped_models_pass_their_own_checks(model_path):
    folders = [p for p in model_path.iterdir() if (p / "models.json").is_file()]
    assert folders
    for folder in folders:
        index = json.loads((folder / "models.json").read_text(encoding="utf-8"))
        for info in index["files"].values():
            assert info["file"].endswith(".npz")
            assert sha256(folder / info["file"]) == info["sha256"]
        models, _meta = load_models(folder)
        assert models


# ----------------------------------------------------------------- nothing on standard error

MARKER = "Quorblefax"
MARKED = (f"I felt anxious when Mrs {MARKER} shouted at the {MARKER} handover. I think it was "
          f"because the {MARKER} plan was late. Next time I will phone {MARKER} ward by Friday.")


@pytest.mark.parametrize("args,stdout_has_text", [
    ((), True),                                   # the terminal summary quotes sentences
    (("--format", "json"), True),                 # the JSON contract has the text
    (("-o", "{out}/r.html"), True),               # the summary is printed as well
    (("-o", "{out}/r.html", "--quiet"), False),
    (("--csv", "{out}/r.csv", "--quiet"), False),
    (("-o", "{out}/r.json", "-q"), False),
])
def test_user_text_never_reaches_standard_error(nlp, tmp_path, args, stdout_has_text):
    f = tmp_path / "entry.txt"
    f.write_text(MARKED, encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(MARKED.encode() + b"\x81")  # fails: its message must not quote it
    args = [a.format(out=tmp_path / "out") for a in args]
    res = run("check", str(f), str(bad), *args, nlp=nlp)
    assert_clean(res)
    assert res.code == 1
    assert MARKER not in res.stderr
    assert (MARKER in res.stdout) is stdout_has_text
    if not stdout_has_text:
        assert res.stdout == ""


def test_csv_table_holds_no_user_text(nlp, tmp_path):
    f = tmp_path / "entry.txt"
    f.write_text(MARKED, encoding="utf-8")
    res = run("check", str(f), "--csv", str(tmp_path / "t.csv"), "-q", nlp=nlp)
    assert res.code == 0
    table = (tmp_path / "t.csv").read_text(encoding="utf-8")
    assert MARKER not in table and "possible identifier" in table


def test_redact_reports_counts_not_text(tmp_path):
    f = tmp_path / "entry.txt"
    f.write_text(MARKED, encoding="utf-8")
    res = run("redact", str(f), "-o", str(tmp_path / "red.txt"))
    assert res.code == 0 and MARKER not in res.stderr and res.stdout == ""
    assert res.err_lines[0].startswith(f"redacted copy written to {tmp_path / 'red.txt'} ("
                                       "identifiers: ")


# ---------------------------------------------------------- terminal escapes in file names


def test_file_names_cannot_send_terminal_escapes(nlp, tmp_path):
    evil = "\x1b]0;owned\x07\x1b[2Jname.txt"
    two_lines = "two\nlines.txt"
    (tmp_path / evil).write_bytes(b"")
    (tmp_path / two_lines).write_bytes(b"")
    (tmp_path / "\x1b[31mred.txt").write_text(GOOD, encoding="utf-8")
    res = run("check", str(tmp_path), nlp=nlp)
    assert_clean(res)
    assert res.code == 1
    for stream in (res.stdout, res.stderr):
        assert "\x1b" not in stream and "\x07" not in stream
    assert res.err_lines == [
        f"reflectassist: failed: {tmp_path}/\\x1b]0;owned\\x07\\x1b[2Jname.txt: empty text: "
        "nothing to analyse",
        f"reflectassist: failed: {tmp_path}/two\\nlines.txt: empty text: nothing to analyse"]


def test_one_line_error_for_an_unexpected_exception_with_newlines(nlp, tmp_path, monkeypatch):
    break_renderer(monkeypatch, "text_block", "line one\n\x1b[2Jline two")
    f = tmp_path / "entry.txt"
    f.write_text(GOOD, encoding="utf-8")
    res = run("check", str(f), nlp=nlp)
    assert res.code == 1 and "\x1b" not in res.stderr
    assert res.err_lines == ["reflectassist: error: RuntimeError: line one\\n\\x1b[2Jline two "
                             "(use --debug for details)"]


@pytest.mark.parametrize("damage", ["entry_not_object", "deep_json", "truncated", "no_coef",
                                    "bad_offset", "symlink"])
def test_damaged_model_folders_are_refused_with_one_error_type(model_path, tmp_path, damage):
    """Whatever is wrong with a model folder, loading fails with ModelFileError (which the CLI
    turns into one line and exit 2), never another exception and never later on a document."""

    from reflectassist.textmodel import SPEC_KEY, load_models, sha256

    src = model_path / "reflectassist_depth"
    dst = tmp_path / "m"
    shutil.copytree(src, dst)
    index = json.loads((dst / "models.json").read_text())
    target = dst / index["files"]["depth"]["file"]

    def rewrite(arrays):
        with open(target, "wb") as fh:
            np.savez_compressed(fh, **arrays)
        index["files"]["depth"]["sha256"] = sha256(target)

    with np.load(target, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    if damage == "entry_not_object":
        index["files"]["depth"] = "depth.npz"
    elif damage == "deep_json":
        (dst / "models.json").write_text("[" * 100000)
    elif damage == "truncated":
        target.write_bytes(target.read_bytes()[:200])
        index["files"]["depth"]["sha256"] = sha256(target)
    elif damage == "no_coef":
        rewrite({k: v for k, v in arrays.items() if k != "coef"})
    elif damage == "bad_offset":
        spec = json.loads(arrays[SPEC_KEY].tobytes().decode())
        spec["parts"][0]["offset"] = 10 ** 6
        rewrite({**arrays, SPEC_KEY: np.frombuffer(json.dumps(spec).encode(), np.uint8)})
    elif damage == "symlink":
        real = tmp_path / "elsewhere.npz"
        target.rename(real)
        target.symlink_to(real)
    if damage != "deep_json":
        (dst / "models.json").write_text(json.dumps(index))
    with pytest.raises(ModelFileError):
        load_models(dst)
