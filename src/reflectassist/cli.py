"""The ``reflectassist`` command line (Typer).

Exit codes: 0 every input analysed, 1 some inputs failed (the rest are still analysed and
reported), 2 usage error.  Errors are one line; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections import deque
from enum import Enum
from pathlib import Path
from typing import Annotated, NoReturn, TextIO

import typer

from . import KINDS, __version__
from .source import Source

app = typer.Typer(
    name="reflectassist",
    help="Offline feedback on reflective writing, supervision feedback and SMART targets in "
         "health and social care. Nothing leaves this machine.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class Format(str, Enum):
    text = "text"
    json = "json"
    html = "html"


class EvalFormat(str, Enum):
    text = "text"
    json = "json"


class Kind(str, Enum):
    reflective_entry = "reflective_entry"
    supervision_note = "supervision_note"
    portfolio_entry = "portfolio_entry"
    essay = "essay"


class Task(str, Enum):
    depth = "depth"
    elements = "elements"
    feedback = "feedback"
    smart = "smart"
    notes = "notes"


assert {k.value for k in Kind} == set(KINDS)

_state = {"debug": False}


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _display(name: str) -> str:
    """A path as valid text: bytes of a file name that are not UTF-8 (which Python keeps
    as surrogate escapes, unwritable to a UTF-8 report) shown as ``\\xNN``."""
    try:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return name.encode("utf-8", "backslashreplace").decode("utf-8")


def _printable(message: str) -> str:
    """One line for the terminal: control characters (newlines, ANSI/OSC escapes in file
    names) shown escaped, never interpreted."""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"),
                            _display(message))


def say(message: str) -> None:
    """One line on standard error."""
    typer.echo(_printable(message), err=True)


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    say(f"reflectassist: error: {message}")
    raise typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"reflectassist {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def main_callback(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
) -> None:
    _state["debug"] = debug
    _debug_logging(debug)


def _debug_logging(debug: bool) -> None:
    """With --debug, show the ``reflectassist`` logger's messages (tracebacks of files that
    could not be read) on standard error; without it, show none of them."""
    import logging

    logger = logging.getLogger("reflectassist")
    for handler in [h for h in logger.handlers if getattr(h, "reflectassist_debug", False)]:
        logger.removeHandler(handler)
    if debug:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("reflectassist: debug: %(message)s"))
        handler.reflectassist_debug = True
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    else:
        logger.setLevel(logging.NOTSET)


def _load(model: Path | None):
    from .pipeline import PipelineNotFound, load_pipeline
    from .textmodel import ModelFileError

    try:
        return load_pipeline(model)
    except (PipelineNotFound, ModelFileError) as exc:
        fail(str(exc))


def _resolve(path: str | Path) -> Path:
    from .readers import resolved

    return resolved(path)


def _echo(spooled: TextIO) -> None:
    """Copy a spooled report to standard output."""
    from .report import read_back

    for chunk in read_back(spooled):
        typer.echo(chunk, nl=False)


def _write_atomic(path: Path, content: str | TextIO, inputs: set[Path]) -> None:
    """Write ``content`` (a string or a spooled report) to ``path`` through a temporary file
    renamed over it, so a failure or an interrupt leaves the previous file (or none) and no
    partial one. Parent folders are created. A symbolic link is followed (the file it points
    to is replaced, the link kept); a device, pipe or terminal (``/dev/stdout``) is written
    directly."""
    import stat
    import tempfile

    from .report import read_back

    chunks = [content] if isinstance(content, str) else read_back(content)

    path = path.expanduser()
    if _resolve(path) in inputs:
        fail(f"refusing to overwrite input file {path}")
    try:
        mode = os.stat(path).st_mode
    except OSError:
        mode = None
    try:
        if mode is not None and not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
            with open(path, "w", encoding="utf-8", newline="") as fh:
                for chunk in chunks:
                    fh.write(chunk)
            return
        if mode is not None and path.is_symlink():
            path = _resolve(path)
        parent = path.parent
        if parent.exists() and not parent.is_dir():
            fail(f"cannot write {path}: {parent} is not a folder")
        parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                for chunk in chunks:
                    fh.write(chunk)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; reports are meant to be shared
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}")


#: report format chosen by the suffix of ``-o`` when --format is not given ("" is a name
#: without a suffix, such as a device: the text summary, as before)
SUFFIX_FORMATS = {".html": Format.html, ".htm": Format.html, ".json": Format.json,
                  ".txt": Format.text, "": Format.text}
SUPPORTED_OUTPUTS = ".txt, .html, .htm, .json or .csv"
STDIO = "-"

_TEXT_REPORT = re.compile(r"== [^\n]*\n   (?:kind|error): ")
_SKIP_NOTE = re.compile(r": skipped \(.*\)$")


def _is_own_report(path: Path) -> bool:
    """Whether ``path`` holds a report written by reflectassist (text summary, JSON, CSV or
    HTML), judged from its start. Only such a file may be skipped and overwritten when a
    folder search finds this run's output: anything else is the user's data and stays an
    input, so writing over it is refused."""
    from .report import CSV_FIELDS

    try:
        with open(path, "rb") as fh:
            head = fh.read(4096).decode("utf-8", "replace")
    except OSError:
        return False
    return bool(_TEXT_REPORT.match(head)
                or head.startswith(("{\n  \"version\": ", ",".join(CSV_FIELDS[:12]) + ","))
                or head.lstrip().startswith("<!DOCTYPE html>")
                and '<meta name="generator" content="reflectassist ' in head)


def _totals(n: int, failed: int, notes: list[str]) -> str:
    """The last line of the text summary, so a long batch ends with its outcome."""
    analysed = n - failed
    skipped = sum(1 for note in notes if _SKIP_NOTE.search(note))
    return (f"{analysed} document{'' if analysed == 1 else 's'} analysed, {failed} failed, "
            f"{skipped} skipped\n")


@app.command(epilog="Examples:\n\n  reflectassist check entry.txt\n\n"
                    "  reflectassist check notes/ -o report.html\n\n"
                    "  reflectassist check entry.txt --format json > result.json\n\n"
                    "  cat draft.txt | reflectassist check - --kind reflective_entry")
def check(
    paths: Annotated[list[str], typer.Argument(help="Files (.txt, .md, .docx, .odt, .pdf), "
                                                    "folders (searched recursively) or '-' "
                                                    "for standard input.")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write the report "
                      "to this file ('-': standard output); its format follows the suffix (.html, "
                      ".json, .csv, .txt) unless --format is given.")] = None,
    fmt: Annotated[Format | None, typer.Option("--format", "-f", help="text (terminal "
                   "summary, the default), json (the documented contract) or html.")] = None,
    csv_path: Annotated[Path | None, typer.Option("--csv", help="Also write the batch "
                        "table (one row per document) as CSV ('-': standard output).")] = None,
    kind: Annotated[Kind | None, typer.Option("--kind", help="Treat every input as this "
                    "kind instead of detecting it.")] = None,
    model: Annotated[Path | None, typer.Option("--model", help="Pipeline folder to use "
                     "(default: the one shipped in models/).")] = None,
    max_bytes: Annotated[int, typer.Option("--max-bytes", min=1, help="A file larger than "
                         "this fails with a one-line message, the others are still analysed "
                         "(bytes; 5 MB by default).")] = 5 * 1024 * 1024,
    jobs: Annotated[int, typer.Option(
        "--jobs", "-j", min=1,
        help="Worker processes (spaCy multiprocessing). For a folder of many files use one "
             "per CPU core (see README, Speed); 1 is best for a few files.")] = 1,
    no_split: Annotated[bool, typer.Option("--no-split", help="Do not split files into "
                        "several entries at lines starting with '==='.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="With -o, do not also print "
                     "the summary.")] = False,
) -> None:
    """Analyse reflective entries, supervision notes or portfolio entries."""
    from .readers import entry_file, iter_sources
    from .report import CsvWriter, HtmlWriter, JsonWriter, ReportWriter, TextWriter, spool

    if paths.count(STDIO) > 1:
        fail("'-' (standard input) given more than once; it can be read only once")
    csv_to_stdout = csv_path is not None and str(csv_path) == STDIO
    report_to_stdout = output is not None and str(output) == STDIO
    if report_to_stdout:
        if csv_to_stdout:
            fail("-o - and --csv - cannot both write to standard output")
        output = None
    elif fmt is None and output is not None:
        suffix = output.suffix.lower()
        if suffix == ".csv":
            if csv_path is not None and _resolve(csv_path) != _resolve(output):
                fail(f"-o {output} and --csv {csv_path} both ask for the CSV table; give one")
            csv_path, output = output, None
        elif suffix in SUFFIX_FORMATS:
            fmt = SUFFIX_FORMATS[suffix]
        else:
            fail(f"-o {output}: unknown report type {suffix} (use {SUPPORTED_OUTPUTS}, or give "
                 "--format)")
    fmt = fmt or Format.text
    if fmt is Format.html and output is None and not report_to_stdout:
        fail("--format html needs -o FILE.html (or -o - for standard output)")
    if fmt is Format.json and output is None and csv_to_stdout:
        fail("--format json and --csv - cannot both write to standard output; add -o FILE.json")
    if csv_to_stdout:
        csv_path = None
    for target in (output, csv_path):
        if target is not None and any(p != "-" and Path(p).is_file() and
                                      _resolve(p) == _resolve(target)
                                      for p in paths):
            fail(f"refusing to overwrite input file {target}")
    nlp = _load(model)
    nlp.max_length = max(nlp.max_length, max_bytes)  # analyse every text under the limit
    notes: list[str] = []
    pending: deque[str | None] = deque()  # the text of each source sent, until its result
    inputs: set[Path] = set()
    outputs = {_resolve(t) for t in (output, csv_path) if t is not None}

    def own_output(path: Path) -> str | None:
        return "this run's output" if _resolve(path) in outputs and _is_own_report(path) \
            else None

    def sources():
        for src in iter_sources(paths, notes, max_bytes, not no_split, skip=own_output):
            if not src.path.startswith("<stdin>"):
                inputs.add(_resolve(src.path))
                inputs.add(_resolve(entry_file(src.path)))
            src = Source(_display(src.path), src.text, src.error)
            pending.append(src.text)
            yield src

    from .analysis import analyse, keep_heap_padding

    keep_heap_padding()  # this process analyses batches: fewer page faults (analysis.py)

    with contextlib.ExitStack() as stack:  # the temporary files, closed on any exit
        # Every report is written as the results come, to temporary files copied to their
        # places at the end: nothing holds all results, so memory stays flat with the batch.
        def spooled(writer: type[ReportWriter], **kwargs: bool) -> ReportWriter:
            return stack.enter_context(writer(stack.enter_context(spool()), **kwargs))

        summary = spooled(TextWriter, details=output is None)
        writers: list[ReportWriter] = [summary]
        report = None
        if fmt is not Format.text:
            report = spooled(HtmlWriter if fmt is Format.html else JsonWriter)
            writers.append(report)
        table = spooled(CsvWriter) if csv_path is not None or csv_to_stdout else None
        if table is not None:
            writers.append(table)
        failed: list[tuple[str, str]] = []
        show_progress = sys.stderr.isatty()
        for n, res in enumerate(analyse(nlp, sources(), kind=kind.value if kind else None,
                                        n_process=jobs), 1):
            text = pending.popleft()
            for w in writers:
                w.add(res, text)
            if res["error"]:
                failed.append((res["path"], res["error"]))
            if show_progress and n % 10 == 0:
                typer.echo(f"\ranalysed {n} documents", err=True, nl=False)
        if show_progress and summary.n >= 10:
            typer.echo("", err=True)
        notes[:] = dict.fromkeys(notes)  # a folder searched twice repeats its notes
        for note in notes:
            say(f"reflectassist: note: {note}")
        if not summary.n:
            fail("no input files found (supported: .txt, .md, .docx, .odt, .pdf)")
        for w in writers:  # (a file name that is not UTF-8 cannot go into a report as is)
            w.close([_display(note) for note in notes])
        summary.out.write(_totals(summary.n, len(failed), notes))
        if fmt is Format.json:
            report.out.write("\n")
        body = (report or summary).out
        written: list[Path] = []
        if output is not None:
            _write_atomic(output, body, inputs)
            written.append(output)
        elif report is not None:  # JSON or HTML on standard output
            _echo(body)
        if csv_to_stdout:
            _echo(table.out)
        elif csv_path is not None:
            _write_atomic(csv_path, table.out, inputs)
            written.append(csv_path)
        # standard output carries one thing: the summary only if no report or table went there
        if (fmt is Format.text or output is not None) and not csv_to_stdout \
                and not (written and quiet):
            _echo(summary.out)
        for path in written:
            say(f"written: {path}")
        for path, error in failed:
            say(f"reflectassist: failed: {path or repr('')}: {error}")
        raise typer.Exit(EXIT_SOME_FAILED if failed else EXIT_OK)


@app.command(epilog="Example:\n\n  reflectassist redact entry.docx -o entry-redacted.txt")
def redact(
    path: Annotated[str, typer.Argument(help="File to redact (.txt, .md, .docx, .odt, .pdf) or "
                                             "'-' for standard input.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the redacted "
                      "copy, as plain text (never the input; '-': standard output).")],
    max_bytes: Annotated[int, typer.Option("--max-bytes", min=1, help="Refuse files larger "
                         "than this (bytes; 5 MB by default).")] = 5 * 1024 * 1024,
) -> None:
    """Write a copy with names, NHS numbers, phones, addresses and other identifiers
    replaced by typed placeholders such as [NAME] and [NHS NUMBER]."""
    from .readers import DOCUMENT_SUFFIXES, entry_file, iter_sources
    from .redact import redact_text

    to_stdout = str(output) == STDIO
    if not to_stdout and output.suffix.lower() in DOCUMENT_SUFFIXES:
        fail(f"-o {output}: the redacted copy is plain text; name it .txt or .md")
    notes: list[str] = []
    sources = list(iter_sources([path], notes, max_bytes, split_entries=False))
    for note in notes:
        say(f"reflectassist: note: {note}")
    if len(sources) != 1:
        fail(f"{path}: redact takes one file, not a folder")
    (src,) = sources
    if src.error is not None or src.text is None:
        fail(f"{src.path}: {src.error}", EXIT_SOME_FAILED)
    inputs = set() if path == "-" else {_resolve(entry_file(src.path))}
    redacted, found = redact_text(src.text)
    if to_stdout:
        typer.echo(redacted, nl=False)
    else:
        _write_atomic(output, redacted, inputs)
    counts: dict[str, int] = {}
    for item in found:
        counts[item["type"]] = counts.get(item["type"], 0) + 1
    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none found"
    where = "standard output" if to_stdout else output
    say(f"redacted copy written to {where} (identifiers: {summary})")


@app.command(epilog="Examples:\n\n  reflectassist evaluate depth corpora/depth/d1.jsonl\n\n"
                    "  reflectassist evaluate elements ../shared/external/cered/val.tsv\n\n"
                    "  reflectassist evaluate smart targets.jsonl --format json\n\n"
                    "  reflectassist evaluate notes corpora/notes/n1.jsonl")
def evaluate(
    task: Annotated[Task, typer.Argument(
        help="depth, elements, feedback, smart, or notes (whole documents with their feedback "
             "and target spans marked: are they found?).")],
    data: Annotated[Path, typer.Argument(help="JSONL file, one labelled record per line "
                                              "(formats in README, 'evaluate'); CEReD .tsv "
                                              "for elements.")],
    fmt: Annotated[EvalFormat, typer.Option("--format", "-f")] = EvalFormat.text,
    model: Annotated[Path | None, typer.Option("--model", help="Pipeline folder.")] = None,
) -> None:
    """Measure a scorer on a labelled file and print its metrics."""
    import json

    from .corpus import DataError, read_cered, read_jsonl
    from .evaluate import evaluate as run_eval
    from .evaluate import format_metrics

    try:
        if data.suffix == ".tsv":
            if task is not Task.elements:
                fail("a .tsv file (CEReD) can only be used with the elements task")
            records = read_cered(data.parent, data.stem)
        else:
            records = read_jsonl(data)
        nlp = _load(model)
        result = run_eval(task.value, records, nlp)
    except DataError as exc:
        fail(str(exc))
    if fmt is EvalFormat.json:
        typer.echo(json.dumps(result, ensure_ascii=False))
    else:
        typer.echo(format_metrics(result), nl=False)


@app.command(epilog="Example:\n\n  reflectassist train --cered ../shared/external/cered "
                    "--metrics models/metrics.json")
def train(
    corpora: Annotated[Path, typer.Option("--corpora", help="Folder with depth/, feedback/, "
                       "smart/, notes/ JSONL files.")] = Path("corpora"),
    cered: Annotated[Path | None, typer.Option("--cered", help="CEReD folder (train.tsv, "
                     "val.tsv); recommended for the elements model.")] = None,
    out: Annotated[Path, typer.Option("--out", help="Where to save the pipeline.")] =
        Path("models/reflectassist_pipeline"),
    metrics: Annotated[Path | None, typer.Option("--metrics", help="Write the measured "
                       "figures (JSON) here.")] = None,
    extra_depth: Annotated[list[Path] | None, typer.Option(
        "--extra-depth", help="More depth records (JSONL); repeatable.")] = None,
    extra_elements: Annotated[list[Path] | None, typer.Option(
        "--extra-elements", help="More element-labelled sentences (JSONL); repeatable.")] = None,
    extra_feedback: Annotated[list[Path] | None, typer.Option(
        "--extra-feedback", help="More feedback comments (JSONL); repeatable.")] = None,
    extra_smart: Annotated[list[Path] | None, typer.Option(
        "--extra-smart", help="More SMART-labelled targets (JSONL); repeatable.")] = None,
    no_cv: Annotated[bool, typer.Option("--no-cv", help="Skip cross-validation.")] = False,
) -> None:
    """Rebuild the pipeline from the corpora (fixed seeds: same data, same model)."""
    from .corpus import DataError
    from .train import train_all

    if cered is not None and not (cered / "train.tsv").is_file():
        fail(f"{cered}: no CEReD train.tsv there")
    if not corpora.is_dir():
        fail(f"{corpora}: corpora folder not found")
    extra = {"depth": extra_depth or [], "elements": extra_elements or [],
             "feedback": extra_feedback or [], "smart": extra_smart or []}
    try:
        train_all(corpora, cered, out, extra, metrics, cv=not no_cv,
                  log=lambda m: typer.echo(m, err=True))
    except DataError as exc:
        fail(str(exc))


def main() -> None:
    """Entry point: turn unexpected exceptions into one line unless --debug is given."""
    debug = "--debug" in sys.argv
    try:
        code = app(standalone_mode=False)
    except typer.Exit as exc:
        code = exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        code = EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001
        if hasattr(exc, "show") and isinstance(getattr(exc, "exit_code", None), int):
            exc.show()  # a usage error from the argument parser: exit code 2
            sys.exit(exc.exit_code)
        if debug:
            raise
        say(f"reflectassist: error: {type(exc).__name__}: {exc} (use --debug for details)")
        sys.exit(EXIT_SOME_FAILED)
    if code == EXIT_INTERRUPTED:  # Typer also turns Ctrl-C in a command into this code, silently
        say("reflectassist: interrupted")
    sys.exit(code if isinstance(code, int) else EXIT_OK)


if __name__ == "__main__":
    main()
