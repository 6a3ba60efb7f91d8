"""The unit of input: kept free of spaCy so reading files stays cheap to import."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Source:
    """One text to analyse: where it came from, its text, or why it could not be read."""

    path: str
    text: str | None
    error: str | None = None
