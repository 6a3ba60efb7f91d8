"""Access to the data files shipped with the package (lexicons, suggestion texts)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def load_data(name: str) -> Any:
    """Load ``reflectassist/data/<name>.json``; cached because every component reads it."""
    with resources.files("reflectassist").joinpath("data", f"{name}.json").open(
        "r", encoding="utf-8"
    ) as fh:
        return json.load(fh)


def load_lexicon() -> dict[str, Any]:
    return load_data("lexicons")
