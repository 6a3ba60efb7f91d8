"""Every command, the JSON contract and the exit codes, as a user runs them. (Bad input,
writing outputs safely and leaks have their own files: test_bad_input.py,
test_nothing_lost.py, test_no_leaks.py.)"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reflectassist import SMART_CRITERIA, __version__
from reflectassist.cli import app
from reflectassist.report import CSV_FIELDS

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

runner = CliRunner()


def run_cli(*args: str, stdin: str | None = None,
            cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the installed console script, as a user would."""
    return subprocess.run(["reflectassist", *args], input=stdin, capture_output=True, text=True,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"}, cwd=cwd)


def test_version():
    out = run_cli("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"reflectassist {__version__}"


def test_help_lists_commands_and_examples():
    out = run_cli("--help")
    assert out.returncode == 0
    for cmd in ("check", "evaluate", "train"):
        assert cmd in out.stdout
    out = run_cli("check", "--help")
    assert "Examples" in out.stdout and "--format" in out.stdout


def test_check_examples_text_summary():
    out = run_cli("check", str(EXAMPLES))
    assert out.returncode == 0, out.stderr
    assert "reflective_entry.txt" in out.stdout and "supervision_note.txt" in out.stdout
    assert "depth:" in out.stdout and "targets:" in out.stdout


def test_check_json_contract(tmp_path):
    out = run_cli("check", str(EXAMPLES / "supervision_note.txt"), "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["version"] == __version__
    (doc,) = data["documents"]
    text = (EXAMPLES / "supervision_note.txt").read_text(encoding="utf-8")
    for key in ("path", "kind", "text_length", "depth", "sentences", "feedback", "targets",
                "suggestions", "error"):
        assert key in doc
    assert doc["error"] is None and doc["text_length"] == len(text)
    assert 0 <= doc["depth"]["level"] <= 3 and isinstance(doc["depth"]["label"], str)
    assert len(doc["depth"]["probabilities"]) == 4
    for s in doc["sentences"]:
        assert {"start", "end", "text", "element", "gibbs"} <= set(s)
        assert text[s["start"]:s["end"]] == s["text"]
    assert doc["feedback"], "the example note has a Feedback section"
    for f in doc["feedback"]:
        assert f["specificity"] in (0, 1, 2) and 0.0 <= f["score"] <= 1.0
        assert text[f["start"]:f["end"]] == f["text"]
    assert doc["targets"]
    for t in doc["targets"]:
        assert set(t["smart"]) == set(SMART_CRITERIA)
        for v in t["smart"].values():
            assert isinstance(v["met"], bool) and 0.0 <= v["score"] <= 1.0
        assert text[t["start"]:t["end"]] == t["text"]
    for s in doc["suggestions"]:
        assert {"dimension", "message", "start", "end", "severity"} <= set(s)
        assert 0 <= s["start"] <= s["end"] <= len(text)


def test_check_writes_html_report(tmp_path):
    report = tmp_path / "sub" / "report.html"
    out = run_cli("check", str(EXAMPLES), "-o", str(report))
    assert out.returncode == 0, out.stderr
    html = report.read_text(encoding="utf-8")
    assert "Content-Security-Policy" in html and "reflective_entry.txt" in html
    assert "supervision_note.txt" in html


def test_stdin_input():
    out = run_cli("check", "-", "--format", "json",
                  stdin="I felt nervous. Next time I will ask my mentor first.")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)["documents"][0]
    assert doc["path"] == "<stdin>" and doc["sentences"]


def test_usage_errors_exit_2():
    assert run_cli("check").returncode == 2
    assert run_cli("check", "x.txt", "--format", "pdf").returncode == 2
    assert run_cli("evaluate", "nonsense", "x.jsonl").returncode == 2
    out = run_cli("check", str(EXAMPLES), "--format", "html")
    assert out.returncode == 2 and "needs -o" in out.stderr


def test_dash_output_means_standard_output(tmp_path):
    entry = str(EXAMPLES / "supervision_note.txt")
    out = run_cli("check", entry, "-o", "-", cwd=tmp_path)
    assert out.returncode == 0 and out.stderr == ""
    assert out.stdout.startswith(f"== {entry}\n") and out.stdout.count("\n== ") == 0
    assert out.stdout.endswith("\n1 document analysed, 0 failed, 0 skipped\n")
    out = run_cli("check", entry, "-o", "-", "--format", "json", cwd=tmp_path)
    assert out.returncode == 0 and json.loads(out.stdout)["documents"][0]["path"] == entry
    out = run_cli("check", str(EXAMPLES), "--csv", "-", cwd=tmp_path)  # the table, no summary
    assert out.returncode == 0 and out.stderr == ""
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert tuple(rows[0]) == CSV_FIELDS and len(rows) == len(list(EXAMPLES.glob("*.txt")))
    out = run_cli("check", entry, "-o", "-", "--csv", "-", cwd=tmp_path)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr == "reflectassist: error: -o - and --csv - cannot both write to standard " \
                         "output\n"
    assert list(tmp_path.iterdir()) == [], "no file named '-'"
    out = run_cli("check", entry, "--csv", "-", "-f", "json", cwd=tmp_path)  # case 71
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr == ("reflectassist: error: --format json and --csv - cannot both write "
                          "to standard output; add -o FILE.json\n")


def test_kind_override():
    out = run_cli("check", str(EXAMPLES / "reflective_entry.txt"), "--kind", "portfolio_entry",
                  "--format", "json")
    assert json.loads(out.stdout)["documents"][0]["kind"] == "portfolio_entry"


def _write_jsonl(path, records):
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")


@pytest.mark.parametrize("task,records", [
    ("depth", [{"id": "a", "text": "Supervision is a process that supports staff.", "depth": 0},
               {"id": "b", "text": "I felt upset because the family shouted. I think I did "
                "my best.", "depth": 1}]),
    ("elements", [{"id": "a", "text": "I felt really scared.", "element": "feeling"},
                  {"id": "b", "text": "Next time I will ask for help.",
                   "element": "intention"}]),
    ("feedback", [{"id": "a", "text": "Good work.", "specificity": 0},
                  {"id": "b", "text": "Your SBAR call on Tuesday got bed 4 reviewed in ten "
                   "minutes; keep using it.", "specificity": 2}]),
    ("smart", [{"id": "a", "text": "Improve my documentation ASAP.", "specific": False,
                "measurable": False, "achievable": True, "relevant": True,
                "time_bound": False},
               {"id": "b", "text": "Complete the MCA e-learning by 31 March and bring the "
                "certificate to supervision.", "specific": True, "measurable": True,
                "achievable": True, "relevant": True, "time_bound": True}]),
])
def test_evaluate_json_contract(tmp_path, task, records):
    data = tmp_path / f"{task}.jsonl"
    _write_jsonl(data, records)
    result = runner.invoke(app, ["evaluate", task, str(data), "--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["task"] == task and out["n"] == 2
    assert [i["id"] for i in out["items"]] == ["a", "b"]
    m = out["metrics"]
    if task in ("depth", "feedback"):
        assert {"accuracy", "macro_f1", "qwk", "mae"} <= set(m)
    elif task == "elements":
        assert {"accuracy", "macro_f1", "per_label"} <= set(m)
        assert m["accuracy"] == 1.0
    else:
        assert set(m) == set(SMART_CRITERIA)
        assert {"precision", "recall", "f1", "accuracy"} <= set(m["time_bound"])
        assert m["time_bound"]["accuracy"] == 1.0
        assert isinstance(out["items"][0]["gold"], dict)
    text = runner.invoke(app, ["evaluate", task, str(data)])
    assert text.exit_code == 0 and "n=2" in text.stdout


def test_evaluate_bad_data_is_one_line_error(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "text": "hi"}\nnot json\n', encoding="utf-8")
    out = run_cli("evaluate", "depth", str(bad))
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr


def test_module_entry_point_runs():
    out = subprocess.run([sys.executable, "-m", "reflectassist.cli", "--version"],
                         capture_output=True, text=True)
    assert out.returncode == 0


def test_redact_writes_a_typed_copy_and_never_touches_the_input(tmp_path):
    src = tmp_path / "entry.txt"
    original = ("I looked after Mrs Patel (NHS 943 476 5919) on Ward 7B. "
                "Her son rang on 07700 900123. Mr B was fine.")
    src.write_text(original, encoding="utf-8")
    out = tmp_path / "redacted" / "entry.txt"
    res = run_cli("redact", str(src), "-o", str(out))
    assert res.returncode == 0, res.stderr
    red = out.read_text(encoding="utf-8")
    assert "[NAME]" in red and "[NHS NUMBER]" in red and "[PHONE]" in red and "[PLACE]" in red
    assert "Patel" not in red and "943 476 5919" not in red and "Mr B was fine." in red
    assert src.read_text(encoding="utf-8") == original
    assert run_cli("redact", str(src), "-o", str(src)).returncode == 2
    # '-' is standard output, as for check; no file named '-'
    res = run_cli("redact", str(src), "-o", "-", cwd=tmp_path)
    assert res.returncode == 0 and res.stdout == red
    assert not (tmp_path / "-").exists()
    assert "redacted copy written to standard output" in res.stderr
    # the copy is plain text: a document name would be a file no word processor opens
    res = run_cli("redact", str(src), "-o", str(tmp_path / "entry.docx"))
    assert res.returncode == 2 and not (tmp_path / "entry.docx").exists()
    assert res.stderr == (f"reflectassist: error: -o {tmp_path / 'entry.docx'}: the redacted "
                          "copy is plain text; name it .txt or .md\n")


def test_identifiers_reported_in_json():
    out = run_cli("check", "-", "--format", "json",
                  stdin="My patient John Smith on Ward 7B was upset. I felt helpless.")
    doc = json.loads(out.stdout)["documents"][0]
    types = {i["type"] for i in doc["identifiers"]}
    assert {"NAME", "PLACE"} <= types
    for i in doc["identifiers"]:
        assert i["reason"]


@pytest.mark.parametrize("content", ["", '{"id": "a", "text": "Good.", "specificity": 5}\n',
                                     '{"id": "a", "text": "x", "specificity": 0}\n'
                                     '{"id": "a", "text": "y", "specificity": 1}\n'])
def test_evaluate_rejects_empty_or_invalid_labels(tmp_path, content):
    data = tmp_path / "bad.jsonl"
    data.write_text(content, encoding="utf-8")
    out = run_cli("evaluate", "feedback", str(data))
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert out.stderr.startswith("reflectassist: error:")


def test_check_tunes_the_allocator_and_analyse_alone_does_not(monkeypatch, nlp):
    """``check`` owns its process and keeps heap padding (analysis.keep_heap_padding); a
    library user calling analyse() gets no process-wide allocator change."""
    from reflectassist import analysis

    calls: list[str] = []
    monkeypatch.setattr(analysis, "keep_heap_padding", lambda: calls.append("padded"))
    analysis.analyse_text(nlp, "I felt unsure at first. Next time I will ask earlier.")
    assert calls == []
    result = runner.invoke(app, ["check", str(EXAMPLES / "reflective_entry.txt")])
    assert result.exit_code == 0, result.output
    assert calls == ["padded"]
