"""Nothing lost: reports are written atomically (a temporary file renamed over the target),
never over an input, into folders created as needed; a write that cannot happen is a usage
error (exit 2) with one line, and leaves the previous report and no temporary file behind."""

from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path

import pytest

from cli_inprocess import assert_clean, run
from reflectassist import analysis, report

GOOD = ("I felt anxious on the ward because two staff were off sick. Next time I will ask "
        "my mentor for help before the shift starts.")
PREVIOUS = "<!-- the report from last week -->"


@pytest.fixture
def entries(tmp_path):
    folder = tmp_path / "entries"
    folder.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (folder / name).write_text(GOOD, encoding="utf-8")
    return folder


def files_in(folder: Path) -> dict[str, str]:
    """Every file (hidden ones too) in a folder, with its content."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("name", ["report.html", "report.json", "table.csv", "summary.txt"])
def test_parent_folders_are_created(nlp, entries, tmp_path, name):
    out = tmp_path / "new" / "deeper" / name
    res = run("check", str(entries), "-o", str(out), "-q", nlp=nlp)
    assert_clean(res)
    assert res.code == 0 and res.err_lines == [f"written: {out}"]
    assert files_in(out.parent) == {name: out.read_text(encoding="utf-8")}  # no temp left
    assert "a.txt" in out.read_text(encoding="utf-8")
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~_umask()  # shareable, not 0600


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_rewrite_replaces_the_previous_report_in_one_step(nlp, entries, tmp_path):
    out = tmp_path / "out" / "report.html"
    out.parent.mkdir()
    out.write_text(PREVIOUS, encoding="utf-8")
    before = out.stat().st_ino
    res = run("check", str(entries), "-o", str(out), "-q", nlp=nlp)
    assert res.code == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert out.stat().st_ino != before, "a new file renamed over the old one, not rewritten"
    assert list(out.parent.iterdir()) == [out]


@pytest.mark.parametrize("exc,code,message", [
    (OSError(errno.ENOSPC, "No space left on device"), 2,
     "reflectassist: error: cannot write {out}: No space left on device"),
    (KeyboardInterrupt(), 130, "reflectassist: interrupted"),
])
def test_a_write_failing_halfway_leaves_the_previous_report(nlp, entries, tmp_path, monkeypatch,
                                                             exc, code, message):
    out = tmp_path / "out" / "report.html"
    out.parent.mkdir()
    out.write_text(PREVIOUS, encoding="utf-8")
    seen_during_write: list[dict] = []
    real_fdopen = os.fdopen

    class HalfWriter:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc_info):
            self.fh.close()
            return False

        def write(self, text):
            self.fh.write(text[: len(text) // 2])
            self.fh.flush()
            seen_during_write.append(files_in(out.parent))
            raise exc

    monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: HalfWriter(real_fdopen(fd, *a, **k)))
    res = run("check", str(entries), "-o", str(out), nlp=nlp)
    monkeypatch.undo()
    assert_clean(res)
    assert res.code == code
    assert res.err_lines == [message.format(out=out)]
    (during,) = seen_during_write
    partial = [n for n in during if n != "report.html"]
    assert len(partial) == 1 and partial[0].startswith(".report.html.")  # the temp file...
    assert files_in(out.parent) == {"report.html": PREVIOUS}  # ...is gone, the old report kept


def test_an_interrupt_during_the_batch_writes_nothing(nlp, entries, tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.html").write_text(PREVIOUS, encoding="utf-8")
    (out / "table.csv").write_text("path\nlast week\n", encoding="utf-8")
    real = analysis.analyse
    analysed = []

    def interrupted(*args, **kwargs):
        for n, result in enumerate(real(*args, **kwargs)):
            if n == 1:
                raise KeyboardInterrupt
            analysed.append(result)
            yield result

    monkeypatch.setattr(analysis, "analyse", interrupted)
    res = run("check", str(entries), "-o", str(out / "report.html"), "--csv",
              str(out / "table.csv"), nlp=nlp)
    assert res.code == 130 and res.err_lines == ["reflectassist: interrupted"]
    assert len(analysed) == 1
    assert files_in(out) == {"report.html": PREVIOUS, "table.csv": "path\nlast week\n"}
    res = run("check", str(entries), "-o", str(tmp_path / "new" / "report.html"), nlp=nlp)
    assert res.code == 130 and not (tmp_path / "new" / "report.html").exists()


def test_a_renderer_crash_leaves_the_previous_report(nlp, entries, tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "r.html").write_text(PREVIOUS, encoding="utf-8")

    def broken(*_a, **_k):
        raise ValueError("template bug")

    monkeypatch.setattr(report, "document_view", broken)
    res = run("check", str(entries), "-o", str(out / "r.html"), nlp=nlp)
    assert_clean(res)
    assert res.code == 1
    assert res.err_lines == ["reflectassist: error: ValueError: template bug (use --debug for "
                             "details)"]
    assert files_in(out) == {"r.html": PREVIOUS}


# -------------------------------------------------------------------- never over an input


def test_refuses_to_overwrite_an_input(nlp, tmp_path):
    f = tmp_path / "entry.txt"
    f.write_text("I felt calm. I will read the policy by Friday.", encoding="utf-8")
    for args in (("-o", str(f), "--format", "json"), ("--csv", str(f)), ("-o", str(f)),
                 ("-o", f"{tmp_path}/../{tmp_path.name}/entry.txt")):
        res = run("check", str(f), *args, nlp=nlp)
        assert_clean(res)
        assert res.code == 2 and res.stdout == "", "refused before any analysis"
        assert res.err_lines[-1].startswith("reflectassist: error: refusing to overwrite input "
                                            "file ")
        assert f.read_text(encoding="utf-8") == "I felt calm. I will read the policy by Friday."
        assert [p.name for p in tmp_path.iterdir()] == ["entry.txt"]


def test_refuses_to_overwrite_an_input_found_in_a_folder_or_behind_a_link(nlp, entries,
                                                                          tmp_path):
    os.symlink(entries / "b.txt", tmp_path / "link.txt")
    (entries / "split.txt").write_text(f"=== one\n{GOOD}\n=== two\n{GOOD}\n", encoding="utf-8")
    before = files_in(entries)
    for target in (entries / "b.txt", tmp_path / "link.txt", entries / "split.txt"):
        for option in ("-o", "--csv"):
            res = run("check", str(entries), option, str(target), nlp=nlp)
            assert_clean(res)
            assert res.code == 2, (target, option)
            assert res.err_lines[-1] == f"reflectassist: error: refusing to overwrite input " \
                                        f"file {target}"
    assert files_in(entries) == before
    assert (tmp_path / "link.txt").is_symlink()


def test_redact_never_writes_over_its_input(tmp_path):
    f = tmp_path / "entry.txt"
    f.write_text("Mrs Patel was upset.", encoding="utf-8")
    res = run("redact", str(f), "-o", str(f))
    assert res.code == 2 and res.err_lines == [f"reflectassist: error: refusing to overwrite "
                                               f"input file {f}"]
    assert f.read_text(encoding="utf-8") == "Mrs Patel was upset."


def test_output_through_a_symlink_replaces_the_target_and_keeps_the_link(nlp, entries,
                                                                          tmp_path):
    (tmp_path / "shared").mkdir()
    target = tmp_path / "shared" / "report.json"
    target.write_text("{}", encoding="utf-8")
    link = tmp_path / "report.json"
    os.symlink(target, link)
    res = run("check", str(entries), "-o", str(link), nlp=nlp)
    assert res.code == 0 and link.is_symlink()
    assert len(json.loads(target.read_text(encoding="utf-8"))["documents"]) == 3


# ---------------------------------------------------------------------- cannot be written


def _full_device(tmp_path: Path) -> Path | None:
    """A character device that refuses every write with ENOSPC (like /dev/full): our own
    node when we may create one (so a bug cannot damage the system's), else /dev/full."""
    node = tmp_path / "full"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 7))
        return node
    except (OSError, AttributeError):
        pass
    dev = Path("/dev/full")
    return dev if dev.exists() and stat.S_ISCHR(dev.stat().st_mode) else None


def test_unwritable_outputs_are_usage_errors(nlp, entries, tmp_path):
    (tmp_path / "file.txt").write_text("not a folder", encoding="utf-8")
    (tmp_path / "folder").mkdir()
    cases = [
        ("/proc/no/such/report.html", "No such file or directory"),
        (str(tmp_path / "file.txt" / "report.html"), f"{tmp_path / 'file.txt'} is not a folder"),
        (str(tmp_path / "folder"), "Is a directory"),
    ]
    device = _full_device(tmp_path)
    if device is not None:
        cases.append((str(device), "No space left on device"))
    for target, reason in cases:
        for option in ("-o", "--csv"):
            res = run("check", str(entries), option, target, nlp=nlp)
            assert_clean(res)
            assert res.code == 2, (target, res.stderr)
            assert res.err_lines[-1] == f"reflectassist: error: cannot write {target}: {reason}"
    assert files_in(tmp_path / "folder") == {}
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "no temp file left"
    assert (tmp_path / "file.txt").read_text(encoding="utf-8") == "not a folder"
    if device is not None:
        assert stat.S_ISCHR(device.stat().st_mode), "the device node is never replaced"


def test_a_device_or_pipe_is_written_directly(nlp, entries, tmp_path):
    r, w = os.pipe()
    with os.fdopen(r, encoding="utf-8") as reader:
        with os.fdopen(w, "w") as writer:
            res = run("check", str(entries), "--csv", f"/proc/self/fd/{writer.fileno()}",
                      "-q", "-o", str(tmp_path / "r.json"), nlp=nlp)
        table = reader.read()
    assert res.code == 0 and table.startswith("path,kind,depth")
    assert len(table.splitlines()) == 4
