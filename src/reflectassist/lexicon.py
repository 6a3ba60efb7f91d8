"""Access to the data files shipped with the package (lexicons, suggestion texts)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Any

# The characters re.IGNORECASE takes for an ASCII letter while str.lower() does not (checked
# over every code point in tests/test_fast_paths.py): "İ" and "ı" for i, "ſ" for s. Fast
# pre-checks that lower-case a text instead of running a case-insensitive regex must fold
# these too, or fall back to the regex when a text holds one.
FOLD_TRAPS = {"\u0130": "i", "\u0131": "i", "\u017f": "s"}
_FOLD = str.maketrans(FOLD_TRAPS)


def regex_fold(text: str) -> str:
    """``text`` lower-cased as a case-insensitive regex compares it, one character for one."""
    return (text if text.isascii() else text.translate(_FOLD)).lower()


# Word (and most editors) type curly quotation marks and apostrophes; every corpus, lexicon
# and model here was written with the plain ones, so "I’ll" missed the lexicon's "i'll" and
# the models had never seen "’". Matching and model features read the text through this
# table; it maps one character to one, so every offset still indexes the user's own text.
TYPOGRAPHIC_QUOTES = {"\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u201c": '"',
                      "\u201d": '"'}
_PLAIN = str.maketrans(TYPOGRAPHIC_QUOTES)
_TYPOGRAPHIC_RE = re.compile("[" + "".join(TYPOGRAPHIC_QUOTES) + "]")


def plain_quotes(text: str) -> str:
    """``text`` with typographic quotation marks and apostrophes made plain (same length).
    They are all outside ASCII, so an ASCII text (most of them) is returned at once."""
    if text.isascii():
        return text
    return text.translate(_PLAIN) if _TYPOGRAPHIC_RE.search(text) else text


def positions(text: str, needles: Iterable[str]) -> list[int]:
    """Sorted offsets of every occurrence of each of ``needles`` in ``text`` (overlapping
    ones included). ``str.find`` is much faster than a regex scan for rare strings."""
    found: list[int] = []
    count = 0
    for needle in needles:
        find = text.find
        at = find(needle)
        while at >= 0:
            found.append(at)
            at = find(needle, at + 1)
        count += 1
    if count > 1:
        found.sort()
    return found


# No-break and narrow spaces (Word keeps "943 476 5919" or "SW1A 1AA" together with them)
# read as plain spaces where rules spell a space literally; one character for one.
NO_BREAK_SPACES = {"\u00a0": " ", "\u2007": " ", "\u202f": " "}
_SPACES = str.maketrans(NO_BREAK_SPACES)
_NO_BREAK_RE = re.compile("[" + "".join(NO_BREAK_SPACES) + "]")


def plain_spaces(text: str) -> str:
    """``text`` with no-break spaces made plain (same length); an ASCII text has none."""
    if text.isascii():
        return text
    return text.translate(_SPACES) if _NO_BREAK_RE.search(text) else text


@cache
def load_data(name: str) -> Any:
    """Load ``reflectassist/data/<name>.json``; cached because every component reads it."""
    with resources.files("reflectassist").joinpath("data", f"{name}.json").open(
        "r", encoding="utf-8"
    ) as fh:
        return json.load(fh)


def load_lexicon() -> dict[str, Any]:
    return load_data("lexicons")


@cache
def lexicon_set(section: str, key: str | None = None) -> frozenset[str]:
    """A list of lexicons.json (``section``, or ``section[key]``) as a set, for membership
    tests."""
    data = load_lexicon()[section]
    return frozenset(data if key is None else data[key])


def alternation(phrases, flexible_space: bool = True) -> str:
    """A regex alternation of literal phrases, longest first (so the longest match wins);
    with ``flexible_space`` a space in a phrase matches any run of whitespace."""
    out = []
    for p in sorted(set(phrases), key=len, reverse=True):
        body = re.escape(p)
        out.append(body.replace(r"\ ", r"\s+") if flexible_space else body)
    return "|".join(out)
