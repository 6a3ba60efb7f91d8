"""Arbitrary text (and bytes) never crash the pipeline or the CLI; offsets index the input;
scores stay in range; the same input gives the same output."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from cli_inprocess import run
from reflectassist.analysis import analyse_text
from reflectassist.readers import ReadError, extract_text, split_source
from reflectassist.source import Source

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

PIECES = st.sampled_from([
    "I felt anxious.", "Actions agreed:", "\n- JB to book training by Friday", "\n\n",
    "Feedback:", "Good work.", "Dr. ", "e.g. ", "1. ", "•", "Next time I will ask.", "ASAP",
    "<script>alert(1)</script>", "“quoted”", "\t", "Mr B", "because", "???", "…", "🙂",
])
TEXTS = st.one_of(st.text(max_size=400), st.lists(PIECES, max_size=30).map(" ".join))


def check_result(text: str, r: dict) -> None:
    assert r["error"] is None or not text.strip()
    if r["error"]:
        return
    assert 0 <= r["depth"]["level"] <= 3
    assert abs(sum(r["depth"]["probabilities"]) - 1.0) < 1e-3
    for key in ("sentences", "feedback", "targets"):
        for item in r[key]:
            assert 0 <= item["start"] < item["end"] <= len(text)
            assert text[item["start"]:item["end"]] == item["text"]
    for f in r["feedback"]:
        assert f["specificity"] in (0, 1, 2) and 0.0 <= f["score"] <= 1.0
    for t in r["targets"]:
        for v in t["smart"].values():
            assert 0.0 <= v["score"] <= 1.0
    for s in r["suggestions"]:
        assert 0 <= s["start"] <= s["end"] <= len(text)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_arbitrary_text_never_crashes(nlp, text):
    check_result(text, analyse_text(nlp, text))


def test_same_input_same_output(nlp):
    text = ("I felt rushed on the ward because two staff were off sick. Perhaps the family saw "
            "me as dismissive.\nActions agreed:\n- Book the MCA course by 3 March")
    assert analyse_text(nlp, text) == analyse_text(nlp, text)


def test_very_long_line_without_punctuation(nlp):
    text = "and then we went to the next patient " * 1500
    r = analyse_text(nlp, text)
    check_result(text, r)
    assert len(r["sentences"]) > 10


def test_non_english_text_is_analysed_without_error(nlp):
    text = "Ich habe mich gestern sehr unsicher gefühlt. 昨天我很紧张。"
    check_result(text, analyse_text(nlp, text))


# ---------------------------------------------------------------- the CLI, end to end
#
# Arbitrary text and arbitrary bytes go through ``reflectassist check --format json`` exactly
# as a user runs it (in this process, reusing the loaded pipeline): it never crashes, errors
# are one line each, the JSON parses, every offset indexes the analysed text and every score
# is in range.

ELEMENTS = {"experience", "feeling", "belief", "difficulty", "perspective", "reflection",
            "learning", "intention", "other"}
GIBBS_STAGES = {None, "description", "feelings", "evaluation", "analysis", "conclusion",
                "action plan"}
CLI_TEXTS = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(PIECES, st.sampled_from(["\n=== Week 2\n", "\r\n", "\r", "\x00", "\x1b[0m",
                                                "\ufeff", "%PDF", "===", "\u202e", "\x85"])),
             max_size=25).map(" ".join),
)
MAGIC = st.sampled_from([b"", b"PK\x03\x04", b"PK\x05\x06", b"%PDF-1.4\n", b"\x89PNG\r\n",
                         b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"{\\rtf1",
                         b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\x7fELF"])
SUFFIXES = st.sampled_from([".txt", ".md", ".docx", ".odt", ".pdf", ""])
CLI_SETTINGS = settings(max_examples=40, deadline=None,
                        suppress_health_check=[HealthCheck.too_slow,
                                               HealthCheck.function_scoped_fixture])


def _independent_clean(text: str) -> str:
    """README: offsets index the text after newline normalisation to \\n (a vertical tab a
    line break, a form feed a blank line; other control characters than tab and newline
    dropped)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\x0b", "\n").replace("\x0c", "\n\n")
    return re.sub(r"[\x00-\x08\x0e-\x1f\x7f]", "", text)


def check_cli_result(res, analysed: dict[str, str], notes: tuple[str, ...] = ()) -> list[dict]:
    """The CLI contract for one run; ``analysed`` maps each path to the text it analysed,
    ``notes`` are the lines the reading remarks on (``extract_text``'s notes), each printed."""
    assert "Traceback" not in res.stderr, res.stderr
    assert res.code in (0, 1), (res.code, res.stderr)
    docs = json.loads(res.stdout)["documents"]
    failed = [d for d in docs if d["error"]]
    event(f"documents refused: {'some' if failed else 'none'}")
    assert res.code == (1 if failed else 0)
    as_text = re.compile(r"reflectassist: note: .*\.(docx|odt|pdf): the content is plain text, "
                         r"not a \.(docx|odt|pdf) file: read as text")
    title_only = re.compile(r"reflectassist: note: .*#\d+: skipped \(only a title, .*, no text "
                            r"under it\)")
    assert all(note in res.err_lines for note in notes)
    # a plain-text document, or an entry that is only a title, or a remark on reading
    lines = [ln for ln in res.err_lines if not as_text.fullmatch(ln)
             and not title_only.fullmatch(ln) and ln not in notes]
    assert lines == [f"reflectassist: failed: {d['path']}: {d['error']}" for d in failed]
    for d in failed:
        assert "\n" not in d["error"] and d["sentences"] == [] and d["depth"] is None
    for d in docs:
        if d["error"]:
            continue
        text = analysed[d["path"]]
        assert d["text_length"] == len(text)
        check_result(text, d)
        depth = d["depth"]
        assert depth["level"] in (0, 1, 2, 3) and len(depth["probabilities"]) == 4
        assert all(0.0 <= p <= 1.0 for p in depth["probabilities"])
        for s in d["sentences"]:
            assert s["element"] in ELEMENTS and s["gibbs"] in GIBBS_STAGES
            assert all(0.0 <= p <= 1.0 for p in s["probabilities"])
        for f in d["feedback"]:
            assert all(0.0 <= p <= 1.0 for p in f["probabilities"])
            for part in ("instance", "impact", "next_step"):
                assert 0.0 <= f[part]["score"] <= 1.0
                for a, b, quoted in f[part]["evidence"]:
                    assert text[a:b] == quoted
        for i in d["identifiers"]:
            assert 0 <= i["start"] < i["end"] <= len(text)
            assert text[i["start"]:i["end"]] == i["text"] and i["reason"]
        for s in d["suggestions"]:
            assert s["dimension"] in ("depth", "elements", "feedback", "smart")
            assert s["severity"] in ("info", "advice", "important")
    return docs


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("cli")


@CLI_SETTINGS
@given(text=CLI_TEXTS)
def test_cli_on_arbitrary_text_in_a_file(nlp, scratch, text):
    f = scratch / "entry.txt"
    data = text.encode("utf-8")
    f.write_bytes(data)
    res = run("check", str(f), "--format", "json", "--no-split", nlp=nlp)
    try:
        analysed = extract_text(data, ".txt")
    except ReadError:
        analysed = None
    (doc,) = check_cli_result(res, {str(f): analysed})
    if doc["error"] is None and "\x00" not in text:
        assert analysed == _independent_clean(text.removeprefix("\ufeff"))


@CLI_SETTINGS
@given(text=CLI_TEXTS)
def test_cli_on_arbitrary_text_from_standard_input(nlp, text):
    data = text.encode("utf-8")
    res = run("check", "-", "--format", "json", stdin=data, nlp=nlp)
    try:
        entries = split_source(Source("<stdin>", extract_text(data)))
    except ReadError:
        entries = []
    docs = check_cli_result(res, {e.path: e.text for e in entries})
    if entries:
        assert [d["path"] for d in docs] == [e.path for e in entries]


@CLI_SETTINGS
@example(magic=b"", body=b"\xc2\xa0\x91", suffix=".txt")  # a stray byte: a note
@given(magic=MAGIC, body=st.binary(max_size=1500), suffix=SUFFIXES)
def test_cli_on_arbitrary_bytes(nlp, scratch, magic, body, suffix):
    f = scratch / f"input{suffix}"
    f.write_bytes(magic + body)
    for name, args, suffix_given in ((str(f), (str(f),), suffix), ("<stdin>", ("-",), "")):
        res = run("check", *args, "--format", "json", "--no-split", nlp=nlp,
                  stdin=magic + body if name == "<stdin>" else None)
        notes: list[str] = []  # e.g. a stray byte in UTF-8 text read as Windows-1252
        try:
            analysed = {name: extract_text(magic + body, suffix_given, note=notes.append)}
        except ReadError:
            analysed = {}
        check_cli_result(res, analysed, tuple(f"reflectassist: note: {name}: {n}"
                                              for n in notes))


def test_cli_output_is_deterministic(nlp):
    first = run("check", str(EXAMPLES), "--format", "json", nlp=nlp)
    second = run("check", str(EXAMPLES), "--format", "json", nlp=nlp)
    assert first.code == 0 and first.stdout == second.stdout
    assert len(json.loads(first.stdout)["documents"]) == 2
