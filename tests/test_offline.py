"""The CLI works with networking disabled: nothing is fetched at run time."""

from __future__ import annotations

import json
import socket
from pathlib import Path

from typer.testing import CliRunner

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_check_works_with_sockets_disabled(monkeypatch):
    def refuse(*_a, **_k):
        raise OSError("network use is not allowed in reflectassist")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    from reflectassist.cli import app

    result = CliRunner().invoke(app, ["check", str(EXAMPLES), "--format", "json"])
    assert result.exit_code == 0, result.output
    docs = json.loads(result.stdout)["documents"]
    assert len(docs) == 2 and all(d["error"] is None for d in docs)
