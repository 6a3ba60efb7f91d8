"""Run ``reflectassist`` in this process exactly as the console script does.

``run`` calls :func:`reflectassist.cli.main` (the entry point, with its handling of
unexpected errors and ``--debug``), not just the Typer app, so what the tests see on standard
output, standard error and as the exit code is what a user sees. Passing ``nlp`` reuses an
already loaded pipeline instead of loading the models again (about 0.5 s a call).
"""

from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass
from unittest import mock

from click.testing import CliRunner

from reflectassist import cli


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def err_lines(self) -> list[str]:
        return self.stderr.splitlines()


def run(*args: str, stdin: str | bytes | None = None, nlp=None) -> Run:
    """``reflectassist ARGS...``; an exception that escapes ``main`` (only with --debug)
    propagates to the caller."""
    load = (mock.patch.object(cli, "_load", lambda _model: nlp) if nlp is not None
            else contextlib.nullcontext())
    code = None
    try:
        with CliRunner().isolation(input=stdin) as (out, err, _mixed), load, \
                mock.patch.object(sys, "argv", ["reflectassist", *map(str, args)]):
            try:
                cli.main()
            except SystemExit as exc:
                code = exc.code
            sys.stdout.flush()
            sys.stderr.flush()
            stdout = out.getvalue().decode("utf-8", "replace")
            stderr = err.getvalue().decode("utf-8", "replace")
    finally:
        cli._debug_logging(False)  # the --debug handler wrote to this run's stderr only
    assert isinstance(code, int), "main() must always end with sys.exit(<int>)"
    return Run(code, stdout, stderr)


def assert_clean(res: Run) -> None:
    """No traceback, and every line on standard error is one of the CLI's own lines."""
    assert "Traceback" not in res.stderr, res.stderr
    for line in res.err_lines:
        assert line.startswith(("reflectassist: ", "written: ", "redacted copy written")), line


def break_renderer(monkeypatch, function: str, message: str) -> None:
    """Make ``reflectassist.report.<function>`` raise RuntimeError(message): an unexpected
    error after the analysis, to see how the CLI reports it."""
    from reflectassist import report

    def boom(*_a, **_k):
        raise RuntimeError(message)

    monkeypatch.setattr(report, function, boom)
